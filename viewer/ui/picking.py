"""From a point on the 3D widget to the zone under it.

A ray through the pixel is intersected with the body surface by a ``vtkStaticCellLocator``
built once per scene (a few ms, even for a million triangles); the first cell along the ray is
the visible one, and the scene's per-cell zone array names its zone. No Python loop over faces,
no rendering: a pick costs well under a millisecond on the shipped mesh.
"""

from __future__ import annotations

import math

import numpy as np
from vtkmodules.vtkCommonCore import reference
from vtkmodules.vtkCommonDataModel import vtkGenericCell, vtkStaticCellLocator
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.core.regionmap import Zone
from viewer.render.scene import BodyScene


#: a ray exactly along an edge shared by two triangles (the midline of a mirrored mesh, seen
#: from straight behind) meets neither of them at tolerance 0: 26 of 200 rays down the shipped
#: torso's spine missed the body
RAY_TOLERANCE = 1e-6


def widget_to_display(x: float, y: float, device_pixel_ratio: float,
                      display_height: int) -> tuple[int, int]:
    """A Qt widget position (logical pixels, origin top-left) to VTK display coordinates
    (device pixels, origin bottom-left) of the pixel under it.

    On a HiDPI screen the render window has ``device_pixel_ratio`` times more pixels than the
    widget has logical ones (pyvistaqt #20): forgetting the ratio picks the wrong place.
    """
    return (int(math.floor((x + 0.5) * device_pixel_ratio)),
            int(math.floor(display_height - (y + 0.5) * device_pixel_ratio)))


def widget_display(plotter, pos) -> tuple[int, int]:
    """A widget position (logical pixels, a ``QPointF``) of ``plotter`` to VTK display
    coordinates of the pixel under it."""
    height = plotter.render_window.GetSize()[1]
    return widget_to_display(pos.x(), pos.y(), plotter.devicePixelRatioF(), height)


def world_to_display(renderer, points: np.ndarray) -> np.ndarray:
    """``(n, 3)`` world points -> ``(n, 3)`` display x, y (device pixels, origin bottom-left)
    and depth, through the active camera's composite projection."""
    width, height = renderer.GetSize()
    m = renderer.GetActiveCamera().GetCompositeProjectionTransformMatrix(
        renderer.GetTiledAspectRatio(), -1, 1)
    matrix = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
    pts = np.asarray(points, float).reshape(-1, 3)
    h = np.c_[pts, np.ones(len(pts))] @ matrix.T
    ndc = h[:, :3] / h[:, 3:4]
    x0, y0 = renderer.GetOrigin()
    return np.stack([x0 + (ndc[:, 0] + 1) * 0.5 * width, y0 + (ndc[:, 1] + 1) * 0.5 * height,
                     ndc[:, 2]], axis=1)


def mesh_picker(renderer: vtkRenderer, mesh) -> tuple["SurfacePicker", np.ndarray]:
    """A :class:`SurfacePicker` of a body's uncut mesh (a trimesh: a picked cell is the body's
    face) and the mesh's face normals turned outwards."""
    import pyvista as pv

    picker = SurfacePicker(renderer, pv.PolyData.from_regular_faces(mesh.vertices, mesh.faces))
    normals = np.asarray(mesh.face_normals, float)
    centres = np.asarray(mesh.triangles_center, float)
    outward = np.einsum("ij,ij->i", centres - centres.mean(axis=0), normals).sum()
    return picker, normals * (1.0 if outward >= 0 else -1.0)


class SurfacePicker:
    """Picks cells and points of one surface (any ``vtkPolyData``) as seen by one renderer."""

    def __init__(self, renderer: vtkRenderer, surface):
        self.renderer = renderer
        self.locator = vtkStaticCellLocator()
        self.locator.SetDataSet(surface)
        self.locator.BuildLocator()
        self._cell = vtkGenericCell()

    def ray(self, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
        """The segment from the near to the far clipping plane through display point (x, y)."""
        ren = self.renderer
        ends = []
        for z in (0.0, 1.0):
            ren.SetDisplayPoint(x, y, z)
            ren.DisplayToWorld()
            w = ren.GetWorldPoint()
            ends.append(np.array(w[:3]) / (w[3] or 1.0))
        return ends[0], ends[1]

    def cell_at(self, x: float, y: float) -> int:
        """The surface cell visible at display point (x, y), or -1 for the background."""
        return self.first_cell_on(*self.ray(x, y))

    def first_cell_on(self, p1, p2) -> int:
        """The first surface cell the segment from ``p1`` to ``p2`` meets, or -1 for none."""
        return self.first_hit_on(p1, p2)[0]

    def first_hit_on(self, p1, p2) -> tuple[int, np.ndarray | None]:
        """(cell, point) where the segment from ``p1`` to ``p2`` first meets the surface, or
        (-1, None)."""
        t, sub_id, cell_id = reference(0.0), reference(0), reference(-1)
        hit, pcoords = [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
        found = self.locator.IntersectWithLine(list(map(float, p1)), list(map(float, p2)),
                                               RAY_TOLERANCE, t, hit, pcoords, sub_id, cell_id,
                                               self._cell)
        return (int(cell_id), np.array(hit)) if found else (-1, None)

    def point_at(self, x: float, y: float) -> tuple[int, np.ndarray | None]:
        """(cell, point) of the surface visible at display point (x, y), or (-1, None)."""
        return self.first_hit_on(*self.ray(x, y))


class ZonePicker(SurfacePicker):
    """Picks cells of one scene's surface as seen by one renderer."""

    def __init__(self, renderer: vtkRenderer, scene: BodyScene):
        super().__init__(renderer, scene.surface)
        self.scene = scene

    def zone_at(self, x: float, y: float) -> Zone | None:
        """The zone visible at display point (x, y), or None (background, or skin with no zone)."""
        return self.scene.zone_at_cell(self.cell_at(x, y))


class StructurePicker:
    """Picks the bones and kidneys of a :class:`~viewer.render.xray.XrayActors` through the
    skin: one :class:`SurfacePicker` per layer actor, the nearest hit of the shown ones wins."""

    def __init__(self, renderer: vtkRenderer, xray):
        self.renderer = renderer
        self.xray = xray
        #: layer -> (actor, structures, picker); the actor's mesh carries "structure" per cell
        self.layers = {layer: (actor, structures, SurfacePicker(renderer, actor.mapper.dataset))
                       for layer, (actor, structures) in xray.layer_actors.items()}

    def covers(self, xray) -> bool:
        """Whether this picker knows every layer actor of ``xray`` (else build a new one)."""
        return xray is self.xray and all(
            layer in self.layers and self.layers[layer][0] is actor
            for layer, (actor, _) in xray.layer_actors.items())

    def structure_at(self, x: float, y: float):
        """The structure of a shown layer nearest the eye at display point (x, y), or None."""
        best, best_distance = None, math.inf
        for actor, structures, picker in self.layers.values():
            if not actor.GetVisibility():
                continue
            p1, p2 = picker.ray(x, y)
            cell, point = picker.first_hit_on(p1, p2)
            if cell < 0:
                continue
            distance = float(np.linalg.norm(point - p1))
            if distance < best_distance:
                index = actor.mapper.dataset.cell_data["structure"][cell]
                best, best_distance = structures[int(index)], distance
        return best


__all__ = ["StructurePicker", "SurfacePicker", "ZonePicker", "mesh_picker", "widget_display",
           "widget_to_display", "world_to_display"]
