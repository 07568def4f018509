"""What of each zone the picture shows: its visible area and the point a label's leader ends
at, from the zone's cells that pass the render's depth test and face the camera."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from viewer.render.picture.framing import Framing
from viewer.render.picture.masks import Mask, mask_of, ray_hits
from viewer.render.picture.render import Rendered, project, visible
from viewer.render.scene import BodyScene

_CELL_AREAS: "weakref.WeakKeyDictionary[BodyScene, np.ndarray]" = weakref.WeakKeyDictionary()


@dataclass
class ZoneView:
    """The zones as the picture shows them (image pixels), in its render and framing."""

    framing: Framing
    rendered: Rendered
    xyz: np.ndarray                          # each cell centre projected: x, y, distance
    seen: np.ndarray                         # which cells can be seen (and may hold an anchor)
    anchors: dict[int, tuple[float, float]]  # zone index -> where its leader ends
    visible_area: dict[int, float]           # zone index -> pixels of it in view
    min_area: float                          # a zone with less is too small to label
    extra_mask: Mask | None                  # where the extra meshes (a step's arrows) show

    def shown(self, index: int) -> bool:
        return self.visible_area.get(index, 0.0) >= self.min_area


def cell_areas(scene: BodyScene) -> np.ndarray:
    """The area of each cell of the scene's surface (mesh units²), computed once per scene."""
    areas = _CELL_AREAS.get(scene)
    if areas is None:
        sized = scene.surface.compute_cell_sizes(length=False, area=True, volume=False)
        areas = np.asarray(sized.cell_data["Area"], float)
        _CELL_AREAS[scene] = areas
    return areas


def usable_box(framing: Framing):
    """The body box less the faded strip at a cut edge, which is no place for an anchor."""
    bx0, by0, bx1, by1 = framing.body_box
    fade = 0.07 * (by1 - by0)
    side = 0.07 * (bx1 - bx0) * 0.8 if framing.cut_sides else 0
    return (bx0 + side, by0 + (fade if framing.cut_top else 0), bx1 - side,
            by1 - (fade * 0.8 if framing.cut_bottom else 0))


def find_anchors(scene: BodyScene, rendered: Rendered, framing: Framing,
                 extra_meshes=()) -> ZoneView:
    """Each visible zone's area and anchor; anchors keep off the ``extra_meshes``' leaders."""
    unit = scene.body.unit
    xyz = project(rendered, scene.cell_centres)
    seen = visible(rendered, xyz, unit, usable_box(framing))
    d, _, _ = framing.render_camera.basis()
    facing = scene.cell_normals @ (-d)
    seen &= facing > 0.05
    areas = cell_areas(scene) * np.clip(facing, 0, 1) * framing.px_per_unit ** 2
    extra = extra_mask(rendered, framing, extra_meshes, unit)
    anchors, visible_area = {}, {}
    for z in scene.rmap.zones:
        cells = np.flatnonzero((scene.zone_of_cell == z.index) & seen)
        if len(cells) == 0:
            continue
        visible_area[z.index] = float(areas[cells].sum())
        best = _anchor_cell(scene, z, cells, xyz, facing, extra, framing.body_box)
        anchors[z.index] = (float(xyz[best, 0]), float(xyz[best, 1]))
    min_area = (0.022 * (framing.body_box[3] - framing.body_box[1])) ** 2
    return ZoneView(framing, rendered, xyz, seen, anchors, visible_area, min_area, extra)


def extra_mask(rendered: Rendered, framing: Framing, extra_meshes, unit: float) -> Mask | None:
    """Where meshes drawn with the body (a lesson step's arrows) show: label anchors and leaders
    keep off them, or a leader's halo would cover an arrowhead."""
    if not extra_meshes:
        return None
    pts = np.vstack([np.vstack([np.asarray(m.points), np.asarray(m.cell_centers().points)])
                     for m, _ in extra_meshes])
    return mask_of(project(rendered, pts)[:, :2], rendered.size, framing.px_per_unit, unit)


def _anchor_cell(scene: BodyScene, zone, cells, xyz, facing, extra: Mask | None, body_box) -> int:
    """The cell of ``cells`` deepest in the zone, among those facing the camera well (and, with
    ``extra`` meshes, whose leader level to the body's edge on the zone's side meets none)."""
    good = cells[facing[cells] >= 0.35]
    pick = good if len(good) else cells
    if extra is not None and zone.side is not None:
        bx0, _, bx1, _ = body_box
        edge = bx0 if xyz[pick, 0].mean() < (bx0 + bx1) / 2 else bx1
        clear = pick[~ray_hits(extra, xyz[pick, 0], xyz[pick, 1], edge)]
        pick = clear if len(clear) else pick
    return scene.deepest_cell(zone.index, pick)


def pin_tips(rendered: Rendered, framing: Framing, points: list, unit: float) -> list:
    """Where each pin's point on the skin shows (image pixels), or None if it is hidden."""
    if not points:
        return []
    xyz = project(rendered, np.array(points))
    seen = visible(rendered, xyz, unit, framing.body_box)
    return [(float(x), float(y)) if ok else None for (x, y, _), ok in zip(xyz, seen)]
