"""The Qt-free core: the body (mesh + landmarks), region maps, zone assignment, picking maths.

Nothing here imports Qt, pyvista or VTK (import-linter contracts in pyproject.toml).
"""
