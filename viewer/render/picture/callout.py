"""The selected zone's callout, slid along its region to face the zone, with its leader."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from viewer.core.regionmap import Zone
from viewer.render.picture.anchors import ZoneView
from viewer.render.picture.geometry import Box
from viewer.render.picture.page import CalloutPlan, Page, callout_position, callout_unseen
from viewer.render.picture.style import Style

Point = tuple[float, float]


@dataclass
class PlacedCallout:
    plan: CalloutPlan                    # its box set
    leader: tuple[Point, Point] | None   # from the box to the zone; None if the zone is hidden

    @property
    def box(self) -> Box:
        return self.plan.box


def place_callout(page: Page, zone: Zone, view: ZoneView, style: Style,
                  body_box: Box) -> PlacedCallout:
    """The callout facing its zone; a zone hidden from this view gets a callout that says so,
    beside the body's middle, and no leader."""
    if not view.shown(zone.index):
        plan = callout_unseen(style, page.callout, zone.name)
        box = callout_position(plan, (body_box[1] + body_box[3]) / 2)
        return PlacedCallout(replace(plan, box=box), None)
    ax, ay = view.anchors[zone.index]
    box = callout_position(page.callout, ay)
    return PlacedCallout(replace(page.callout, box=box),
                         (_leader_start(box, (ax, ay), page.panel_side, style), (ax, ay)))


def _leader_start(box: Box, anchor: Point, panel_side: str, style: Style) -> Point:
    """Where the leader leaves the callout: its edge facing the body, level with the zone as far
    as the box allows."""
    (ax, ay), (cx0, cy0, cx1, cy1) = anchor, box
    inset = min(style.px(40), (cy1 - cy0) / 2)
    if panel_side == "right":
        return (cx0, float(np.clip(ay, cy0 + inset, cy1 - inset)))
    if panel_side == "left":
        return (cx1, float(np.clip(ay, cy0 + inset, cy1 - inset)))
    return (float(np.clip(ax, cx0 + inset, cx1 - inset)), cy0)
