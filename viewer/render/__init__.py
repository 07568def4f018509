"""Rendering with pyvista/VTK: the body scene and off-screen images. Never imports Qt."""
