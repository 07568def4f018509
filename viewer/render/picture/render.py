"""The 3D view rendered off-screen at the picture's full size, and the world-to-image transform
of that render: where a point lands in the picture and whether it can be seen there.

The view is rendered by the same :class:`~viewer.render.actors.SceneActors` as the window (so
the colours are the window's) in an off-screen plotter at the full target size, never scaled
(pyvista #5748). Visibility is read from the render's own z-buffer, kept as VTK gives it and
turned into distances only at the pixels asked about (a whole 4K depth image costs a tenth of a
second that no picture needs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvista as pv

from viewer.render.actors import SceneActors
from viewer.render.camera import apply_camera
from viewer.render.picture.framing import Framing
from viewer.render.picture.options import ExportOptions
from viewer.render.picture.style import Style
from viewer.render.scene import BodyScene

#: a point passes the depth test when it is at most this far (metres) behind the surface
DEPTH_TOLERANCE = 0.012


@dataclass
class Rendered:
    #: H x W x 4 uint8 (a transparent background) or H x W x 3 (an opaque one), rows top to
    #: bottom
    pixels: np.ndarray
    #: H x W z-buffer, rows top to bottom: 0 at the near clipping plane .. 1 at the far one
    #: (nothing drawn there)
    zbuffer: np.ndarray
    matrix: np.ndarray          # world -> clip, 4x4
    clipping_range: tuple[float, float]

    @property
    def size(self) -> tuple[int, int]:
        H, W = self.zbuffer.shape
        return W, H

    def distance_at(self, iy: np.ndarray, ix: np.ndarray) -> np.ndarray:
        """Distance (mesh units, positive) from the camera plane to the surface drawn at the
        pixels ``(iy, ix)`` of a parallel camera's render; inf where nothing was drawn."""
        near, far = self.clipping_range
        z = self.zbuffer[iy, ix]
        return np.where(z >= 1.0, np.inf, z * (far - near) + near)


def render_view(scene: BodyScene, opts: ExportOptions, framing: Framing, style: Style,
                selected: int | list[int] | None, anatomy=None) -> Rendered:
    """The 3D view at the full target size in its own off-screen plotter (never ``show()``).
    ``selected``: the selected zone's index, or the highlighted zones' indices; the options'
    ``extra_meshes`` are drawn in the same render (they hide, and are hidden by, the body);
    ``anatomy``: the structures under the skin, drawn when the options show a layer of them
    through a translucent skin."""
    W, H = opts.size
    plotter = pv.Plotter(off_screen=True, window_size=(W, H))
    try:
        _add_scene(plotter, scene, opts, style, selected, anatomy)
        apply_camera(plotter, framing.render_camera)
        img = plotter.screenshot(return_img=True, transparent_background=opts.transparent)
        zbuffer = _zbuffer(plotter, W, H)
        cam = plotter.renderer.GetActiveCamera()
        m = cam.GetCompositeProjectionTransformMatrix(W / H, -1, 1)
        matrix = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
        near, far = cam.GetClippingRange()
    finally:
        plotter.close()
    return Rendered(np.asarray(img), zbuffer, matrix, (near, far))


def _add_scene(plotter: pv.Plotter, scene: BodyScene, opts: ExportOptions, style: Style,
               selected, anatomy=None) -> None:
    actors = SceneActors(plotter, scene, opts.mode, line_scale=style.line_scale,
                         background=True, palette=opts.palette,
                         skin_tone=opts.skin_tone)
    if tuple(opts.layers) != ("skin",) or opts.skin_opacity < 1.0:
        actors.set_layers(anatomy, opts.layers, opts.skin_opacity, render=False)
    if isinstance(selected, list):
        actors.highlight(selected, render=False)
    elif selected is not None:
        actors.select(selected, render=False)
    if opts.paint is not None:
        _paint(plotter, actors, scene, opts.paint)
    for i, (mesh, colour) in enumerate(opts.extra_meshes):
        plotter.add_mesh(mesh, color=colour, smooth_shading=True, ambient=0.35, diffuse=0.7,
                         specular=0.25, specular_power=30, name=f"extra-{i}", pickable=False,
                         render=False)


def _paint(plotter: pv.Plotter, actors: SceneActors, scene: BodyScene, paint) -> None:
    """The caller's colours (:class:`~viewer.render.picture.options.CellPaint`) instead of the
    zones': the body recoloured, the hatching only where asked, the borders only if asked."""
    rgb = actors.surface.cell_data["rgb"]
    rgb[:] = np.asarray(paint.rgb, np.uint8)
    actors.surface.Modified()
    if not paint.borders:
        plotter.remove_actor("borders", render=False)
    plotter.remove_actor("hatch", render=False)
    if paint.hatched is not None and np.any(paint.hatched):
        lines = scene.hatch_lines_of(np.asarray(paint.hatched, bool))
        if lines.n_points:
            plotter.add_mesh(lines, color=actors.palette.hatch,
                             line_width=2.0 * actors.line_scale, name="hatch", pickable=False,
                             render=False, opacity=0.8)


def _zbuffer(plotter: pv.Plotter, W: int, H: int) -> np.ndarray:
    """The z-buffer, rows top to bottom, read straight from the render window:
    :meth:`pyvista.Plotter.get_image_depth` goes through a ``vtkWindowToImageFilter``, which
    renders the window once more (a quarter of a second at 1920x1080 in software OpenGL, as
    long as the render itself)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkCommonCore import vtkFloatArray

    arr = vtkFloatArray()
    plotter.render_window.GetZbufferData(0, 0, W - 1, H - 1, arr)
    return vtk_to_numpy(arr).reshape(H, W)[::-1]      # a view: no copy of the 4K buffer


def project(rendered: Rendered, points: np.ndarray) -> np.ndarray:
    """World points -> (x, y, distance) with x, y image pixels (y down) and the distance from
    the camera plane in mesh units (positive, as the depth image's negated)."""
    W, H = rendered.size
    near, far = rendered.clipping_range
    pts = np.atleast_2d(np.asarray(points, float))
    hom = np.c_[pts, np.ones(len(pts))] @ rendered.matrix.T
    ndc = hom[:, :3] / hom[:, 3:4]
    x = (ndc[:, 0] + 1) / 2 * W
    y = H - (ndc[:, 1] + 1) / 2 * H
    dist = near + (ndc[:, 2] + 1) / 2 * (far - near)
    return np.c_[x, y, dist]


def visible(rendered: Rendered, xyz: np.ndarray, unit: float, box=None) -> np.ndarray:
    """Which projected points are the nearest surface at their pixel (not hidden); a point over
    the background (its pixel drew nothing) counts as seen."""
    W, H = rendered.size
    near, far = rendered.clipping_range
    x, y, dist = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    ok = (x >= 0) & (x < W) & (y >= 0) & (y < H) & (dist >= near) & (dist <= far)
    if box is not None:
        ok &= (x >= box[0]) & (x < box[2]) & (y >= box[1]) & (y < box[3])
    ix = np.clip(x.astype(int), 0, W - 1)
    iy = np.clip(y.astype(int), 0, H - 1)
    return ok & (rendered.distance_at(iy, ix) >= dist - DEPTH_TOLERANCE / unit)


def body_mask(rendered: Rendered, cell: int = 4) -> np.ndarray:
    """Where the render drew anything, at 1/``cell`` scale."""
    return rendered.zbuffer[::cell, ::cell] < 1.0


def quiet_vtk() -> None:
    """Keep VTK's warnings off stderr (e.g. "bad X server connection" on a machine without a
    display, where it falls back to off-screen rendering by itself); errors still show."""
    from vtkmodules.vtkCommonCore import vtkLogger

    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
