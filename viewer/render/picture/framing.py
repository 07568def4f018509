"""Framing: a parallel camera that puts the body in the middle of the page's figure, leaving
room for the label columns beside it and keeping clear of a legend in the corner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viewer.core.errors import BackViewError
from viewer.core.camera import Camera
from viewer.render.picture.geometry import boxes_near
from viewer.render.picture.style import Style
from viewer.render.scene import BodyScene


@dataclass
class Framing:
    """Where the body lands in the picture, and the cameras that put it there."""

    render_camera: Camera       # the renderer's camera of the whole picture (world to image pixels)
    camera: Camera              # what the picture shows of the body (its box), as a session keeps
                                # it: exporting with it again frames the body the same way
    body_box: tuple[float, float, float, float]   # image pixels
    cut_bottom: bool
    cut_top: bool
    px_per_unit: float
    #: the body goes on past the box's left and right edges (the back framed large: the arms
    #: are cut, and faded out like a cut top or bottom)
    cut_sides: bool = False


#: frame="back": the margin around the back's zones, a share of their height
BACK_MARGIN = 0.05


def body_extent(scene: BodyScene, camera: Camera, custom: bool, aspect: float = 16 / 9,
                back: bool = False):
    """The body's extent in the view plane around the camera's focal point:
    (r0, r1, v0, v1, cut_bottom, cut_top).

    A preset view keeps the scene's own framing at the bottom (the sacrum) and shows the whole
    head at the top (a body lying within the frame, on its table, is shown whole); a saved
    camera keeps exactly what it showed. ``back``: a preset view frames the back itself, the
    extent of the map's zones (neck to sacrum, flank to flank) and a small margin, so the back
    fills the picture (:func:`back_extent`); a body lying across the picture is still shown
    whole.
    """
    d, up_v, right = camera.basis()
    scale = camera.parallel_scale
    pts = np.asarray(scene.surface.points, float) - np.asarray(camera.focal_point, float)
    pu, pr = pts @ up_v, pts @ right
    v0 = -scale
    v1 = scale if custom else float(pu.max()) + 0.03 * scale
    lying = not custom and np.ptp(pr) > 2.0 * (float(pu.max()) - float(pu.min()))
    if lying:
        # a body lying across the picture (on its table, seen from beside it): shown whole,
        # the body and not the frame's edge ending it below
        v0 = float(pu.min()) - 0.03 * scale
    elif back and not custom:
        r0, r1, v0, v1 = back_extent(scene, camera)
        return (r0, r1, v0, v1, bool(pu.min() < v0), bool(pu.max() > v1))
    sel = (pu >= v0) & (pu <= v1)
    if custom:
        sel &= np.abs(pr) <= scale * aspect
    if not sel.any():
        raise BackViewError("the camera does not show the body", field="camera")
    r0, r1 = float(pr[sel].min()), float(pr[sel].max())
    pad = 0.015 * (v1 - v0)
    return r0 - pad, r1 + pad, v0, v1, bool(pu.min() < v0), bool(pu.max() > v1)


def back_extent(scene: BodyScene, camera: Camera) -> tuple[float, float, float, float]:
    """(r0, r1, v0, v1): the extent in the view plane (around the camera's focal point) of
    the skin the map's zones cover and faces the camera (the back from the neck to the sacrum
    and its flanks, seen from behind), with a margin of :data:`BACK_MARGIN` of its height."""
    d, up_v, right = camera.basis()
    zoned = scene.zone_of_cell >= 0
    facing = scene.cell_normals @ d < 0.15
    sel = zoned & facing if (zoned & facing).any() else zoned
    if not sel.any():                           # no zone on this body: the whole of it
        sel = np.ones(len(zoned), bool)
    pts = scene.cell_centres[sel] - np.asarray(camera.focal_point, float)
    pu, pr = pts @ up_v, pts @ right
    pad = BACK_MARGIN * float(np.ptp(pu))
    return (float(pr.min()) - pad, float(pr.max()) + pad, float(pu.min()) - pad,
            float(pu.max()) + pad)


def fit_camera(scene: BodyScene, pose: Camera, figure, size, min_column: float, custom: bool,
               avoid=None, gap: float = 0.0, back: bool = False) -> Framing:
    """Frame the body in the middle of ``figure``, leaving ``min_column`` pixels each side and
    keeping clear of the ``avoid`` box (a legend in the corner). ``back``: frame the back
    itself, large (:func:`body_extent`)."""
    framing = _fit(scene, pose, figure, size, min_column, custom, back)
    if avoid is not None and boxes_near(framing.body_box, avoid, gap):
        lowered = (figure[0], max(figure[1], avoid[3] + gap), figure[2], figure[3])
        framing = _fit(scene, pose, lowered, size, min_column, custom, back)
    return framing


def _fit(scene: BodyScene, pose: Camera, figure, size, min_column: float, custom: bool,
         back: bool = False) -> Framing:
    W, H = size
    focal = np.asarray(pose.focal_point, float)
    d, up_v, right = pose.basis()
    r0, r1, v0, v1, cut_bottom, cut_top = body_extent(scene, pose, custom, back=back)
    cut_sides = False
    if back and not custom:
        pts = np.asarray(scene.surface.points, float) - focal
        pr, pu = pts @ right, pts @ up_v
        within = (pu >= v0) & (pu <= v1)
        cut_sides = bool(within.any() and (pr[within].min() < r0 or pr[within].max() > r1))
    fx0, fy0, fx1, fy1 = figure
    fig_w, fig_h = fx1 - fx0, fy1 - fy0
    k = min(fig_h / (v1 - v0), max(fig_w * 0.3, fig_w - 2 * min_column) / (r1 - r0))
    bw, bh = (r1 - r0) * k, (v1 - v0) * k
    bx0 = fx0 + (fig_w - bw) / 2
    by0 = fy0 + (fig_h - bh) / 2 if not cut_bottom else fy1 - bh
    body_box = (bx0, by0, bx0 + bw, by0 + bh)
    # the world point at the box centre, and the focal point that puts it there
    centre_world = focal + right * (r0 + r1) / 2 + up_v * (v0 + v1) / 2
    cx, cy = bx0 + bw / 2, by0 + bh / 2
    new_focal = centre_world - right * (cx - W / 2) / k + up_v * (cy - H / 2) / k
    render_camera = Camera.looking(new_focal - d * pose.distance, new_focal, up_v, H / (2 * k))
    return Framing(render_camera, render_camera.centred_on(centre_world, (v1 - v0) / 2), body_box,
                   cut_bottom, cut_top, k, cut_sides)


def panel_side(scene: BodyScene, pose: Camera, zone_index: int | None, style: Style, custom: bool) -> str:
    """Which side the panel goes: the selected zone's, so its callout faces it."""
    if zone_index is None or not style.landscape:
        return "right"
    d, up_v, right = pose.basis()
    r0, r1, *_ = body_extent(scene, pose, custom)
    a = (scene.label_anchor(zone_index) - np.asarray(pose.focal_point)) @ right
    return "left" if a < (r0 + r1) / 2 - 0.04 * (r1 - r0) else "right"


def label_room(labels: str, highlighted: bool, step: bool, style: Style) -> float:
    """The least width (pixels) of each label column beside the body: a few highlighted zones'
    labels may wrap to narrower columns, leaving the body more room; every step of a lesson
    frames the body alike, labels or not."""
    if labels == "all":
        return style.px(235)
    if (labels == "highlighted" and highlighted) or step:
        return style.px(205)
    return style.px(20)
