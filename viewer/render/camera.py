"""The one place a :class:`~viewer.core.camera.Camera` meets a pyvista plotter.

The window, the export, the export dialog and the lesson all set and read the renderer's camera
through these two functions, so a camera saved from the window renders the same picture::

    apply_camera(plotter, preset_camera(body, "back", 16 / 9))
    session_camera = camera_from_plotter(plotter)
"""

from __future__ import annotations

import pyvista as pv

from viewer.core.camera import Camera


def apply_camera(plotter: pv.Plotter, camera: Camera) -> None:
    """Point ``plotter``'s camera as ``camera`` says, with a parallel projection; the clipping
    range is fitted to what the plotter shows. Nothing is rendered."""
    plotter.camera_position = camera.as_tuple()
    plotter.camera.parallel_projection = True
    plotter.camera.parallel_scale = camera.parallel_scale
    plotter.renderer.ResetCameraClippingRange()


def camera_from_plotter(plotter: pv.Plotter) -> Camera:
    """The exact camera of a pyvista plotter (e.g. the window's), for sessions and exports."""
    position, focal_point, view_up = plotter.camera_position
    return Camera.looking(position, focal_point, view_up, plotter.camera.parallel_scale)


__all__ = ["apply_camera", "camera_from_plotter"]
