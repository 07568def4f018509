"""Where world points land on screen or in a picture: the one projection helper of the tests.

Everything goes through VTK's own world -> display transform (``vtkCoordinate``), never through a
copy of the export's or the window's arithmetic, so a mistake there cannot cancel out here:

- :func:`display_points` for a live renderer (the window's 3D view): device pixels, y down;
- :func:`image_points` for an exported picture: a renderer of the picture's size looking through
  the camera the export reports (``ExportResult.render_camera``), image pixels, y down.
"""

from __future__ import annotations

import numpy as np


def display_points(renderer, points) -> np.ndarray:
    """(n, 2) pixels (x right, y down, origin top-left) of world ``points`` in ``renderer``'s
    render window, by VTK's world -> display transform."""
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    height = renderer.GetRenderWindow().GetSize()[1]
    coordinate = vtkCoordinate()
    coordinate.SetCoordinateSystemToWorld()
    out = []
    for p in np.atleast_2d(np.asarray(points, float)):
        coordinate.SetValue(*map(float, p))
        x, y = coordinate.GetComputedDoubleDisplayValue(renderer)
        out.append((x, height - y))
    return np.array(out, float).reshape(-1, 2)


def image_points(camera, size, points) -> np.ndarray:
    """(n, 2) image pixels (x right, y down) of world ``points`` in a ``size`` picture taken
    through the parallel ``camera`` (a :class:`viewer.core.session.Camera`)."""
    from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow

    window = vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(*map(int, size))
    renderer = vtkRenderer()
    window.AddRenderer(renderer)
    cam = renderer.GetActiveCamera()
    cam.SetPosition(*map(float, camera.position))
    cam.SetFocalPoint(*map(float, camera.focal_point))
    cam.SetViewUp(*map(float, camera.view_up))
    cam.ParallelProjectionOn()
    cam.SetParallelScale(float(camera.parallel_scale))
    return display_points(renderer, points)


def image_point(camera, size, point) -> tuple[float, float]:
    """One world point's image pixel: ``image_points`` for a single point."""
    x, y = image_points(camera, size, [point])[0]
    return float(x), float(y)
