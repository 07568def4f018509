"""Zone labels: which zones get one, which side each goes, and where in its column.

The labels go into the two columns left and right of the body, each label as close to the
height of its zone as the others allow, never overlapping, never outside the image; a leader
runs from each label to its zone's anchor. Where a label may go either way, the side whose
leader costs least wins (:class:`LeaderCost`: crossing the body, the selected zone, a step's
arrows or another highlighted zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from viewer.core.palette import zone_colour, zone_hatched
from viewer.core.regionmap import Zone
from viewer.render.picture.anchors import ZoneView
from viewer.render.picture.callout import PlacedCallout
from viewer.render.picture.canvas import line_height, wrap
from viewer.render.picture.framing import Framing
from viewer.render.picture.geometry import Box, segments_cross, y_span_in_band
from viewer.render.picture.masks import Mask, length_over, mask_of, zone_image, zones_crossed
from viewer.render.picture.page import Page
from viewer.render.picture.render import Rendered, body_mask
from viewer.render.picture.style import Style


@dataclass
class LabelOption:
    side: str                     # "left" or "right" column
    anchor: tuple[float, float]   # the zone point the leader ends at, image pixels
    zone_id: str


@dataclass
class LabelRequest:
    key: str                      # the zone (or pair of zones) the label names
    text: str
    colour: str
    hatched: bool
    options: list[LabelOption]    # one per side it may go on
    area: float = 0.0             # visible area, pixels: the first to go when space runs out


@dataclass
class PlacedLabel:
    key: str
    zone_id: str
    text: str
    lines: list[str]
    colour: str
    hatched: bool
    side: str
    box: Box                      # the label's text block, bar included
    anchor: tuple[float, float]
    start: tuple[float, float]    # where the leader leaves the label


def label_columns(figure: Box, body: Box, gap: float) -> dict[str, tuple[float, float]]:
    x0, _, x1, _ = figure
    return {"left": (x0, max(x0, body[0] - gap)), "right": (min(x1, body[2] + gap), x1)}


def pack_column(desired: list[float], heights: list[float], lo: float, hi: float,
                gap: float) -> list[float] | None:
    """Tops for boxes of ``heights`` kept in order, each as near its ``desired`` centre as the
    others allow, within [lo, hi], ``gap`` apart: merge overlapping runs into clusters placed at
    the mean of what their members want (least squares), clamped to the range. None when they
    cannot fit."""
    n = len(desired)
    if n == 0:
        return []
    total = sum(heights) + gap * (n - 1)
    if total > hi - lo + 1e-6:
        return None
    clusters: list[list] = []  # [first, last_exclusive, top]

    def offsets(a, b):
        out, acc = [], 0.0
        for k in range(a, b):
            out.append(acc + heights[k] / 2)
            acc += heights[k] + gap
        return out, acc - gap

    def place(a, b):
        offs, size = offsets(a, b)
        top = sum(desired[k] - o for k, o in zip(range(a, b), offs)) / (b - a)
        return min(max(top, lo), hi - size), size

    for i in range(n):
        top, size = place(i, i + 1)
        clusters.append([i, i + 1, top, size])
        while len(clusters) > 1:
            a, b = clusters[-2], clusters[-1]
            if a[2] + a[3] + gap <= b[2] + 1e-6:
                break
            top, size = place(a[0], b[1])
            clusters[-2:] = [[a[0], b[1], top, size]]
    tops = [0.0] * n
    for a, b, top, _ in clusters:
        y = top
        for k in range(a, b):
            tops[k] = y
            y += heights[k] + gap
    return tops


@dataclass
class _Layout:
    """How labels are set in the two columns, whose free height is ``lo``..``hi`` less the
    ``obstacles``."""

    columns: dict[str, tuple[float, float]]
    lo: float
    hi: float
    style: Style
    obstacles: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    leader_cost: Callable | None = None

    def __post_init__(self):
        s = self.style
        self.font = s.label_font
        self.lh = line_height(self.font, 1.15)
        self.pad_y, self.bar, self.inner_gap, self.gap = s.px(5), s.px(7), s.px(9), s.px(8)

    def lines(self, text: str, side: str) -> list[str]:
        """``text`` wrapped to the column, at most three lines."""
        c0, c1 = self.columns[side]
        width = max(self.style.px(60), (c1 - c0) - self.bar - self.inner_gap - self.style.px(6))
        lines = wrap(text, self.font, width)
        if len(lines) > 3:
            lines = lines[:3]
            lines[-1] = lines[-1].rstrip(" .,;:") + "…"
        return lines

    def inner_x(self, side: str) -> float:
        """The column's edge next to the body, where leaders leave the labels."""
        return self.columns[side][1] if side == "left" else self.columns[side][0]

    def usable(self, side: str) -> bool:
        c0, c1 = self.columns[side]
        return c1 - c0 >= self.style.px(60)


def place_labels(requests: list[LabelRequest], columns: dict[str, tuple[float, float]],
                 y_range: tuple[float, float], style: Style, *,
                 obstacles: dict[str, list[tuple[float, float]]] | None = None,
                 leader_cost=None) -> list[PlacedLabel]:
    """Put each request's label in the left or right column, facing its zone.

    A request with options on both sides goes where the column is less crowded near its height
    and where its leader costs least: ``leader_cost(side, anchor, start_x)`` weighs, e.g., how
    much of the body the leader would cross and whether it crosses the selected zone.
    ``obstacles`` are y-ranges of a column kept free (the callout's leader, a legend). When the
    labels cannot all fit, the smallest zones' labels are left out.
    """
    layout = _Layout(columns, y_range[0], y_range[1], style, obstacles or {}, leader_cost)
    reqs = sorted(requests, key=lambda r: -r.area)
    while True:
        placed = _try_place(reqs, layout)
        if placed is not None or not reqs:
            return placed or []
        reqs = reqs[:-1]  # drop the smallest zone's label and try again


def _try_place(reqs: list[LabelRequest], layout: _Layout) -> list[PlacedLabel] | None:
    """Every request placed, or None when a column cannot hold its labels."""
    placed: list[PlacedLabel] = []
    for side, items in _choose_sides(reqs, layout).items():
        if not items:
            continue
        items.sort(key=lambda t: t[1].anchor[1])
        tops = _pack_with_obstacles(items, layout.lo, layout.hi, layout.gap,
                                    layout.obstacles.get(side, []))
        if tops is None:
            return None
        placed += [_placed(r, o, lines, h, top, layout)
                   for (r, o, lines, h), top in zip(items, tops)]
        _uncross(placed, side)
    return placed


def _choose_sides(reqs: list[LabelRequest], layout: _Layout) -> dict[str, list]:
    """Each request's side: (request, option, lines, height) per column, the labels with one
    side first, then the others, each in order of height."""
    chosen: dict[str, list] = {"left": [], "right": []}
    def height_order(group):
        return sorted(group, key=lambda r: r.options[0].anchor[1])

    fixed = [r for r in reqs if len({o.side for o in r.options}) == 1]
    flexible = [r for r in reqs if len({o.side for o in r.options}) > 1]
    for r in height_order(fixed) + height_order(flexible):
        best = None
        for o in r.options:
            if not layout.usable(o.side):
                continue
            lines = layout.lines(r.text, o.side)
            h = layout.lh * len(lines) + 2 * layout.pad_y
            cost = _crowd(chosen[o.side], o.anchor[1], h) * 1.0
            if layout.leader_cost is not None:
                cost += layout.leader_cost(o.side, o.anchor, layout.inner_x(o.side))
            cost += abs(o.anchor[0] - layout.inner_x(o.side)) / max(1.0, layout.style.width) * 0.5
            if best is None or cost < best[0]:
                best = (cost, o, lines, h)
        if best is not None:
            _, o, lines, h = best
            chosen[o.side].append((r, o, lines, h))
    return chosen


def _crowd(column: list, y: float, h: float) -> int:
    """How many labels of a column already want to be near ``y``."""
    return sum(1 for _, o, _, hh in column if abs(o.anchor[1] - y) < (h + hh) * 1.1)


def _placed(r: LabelRequest, o: LabelOption, lines: list[str], h: float, top: float,
            layout: _Layout) -> PlacedLabel:
    c0, c1 = layout.columns[o.side]
    text_w = max(layout.font.getlength(line) for line in lines)
    w = text_w + layout.bar + layout.inner_gap
    if o.side == "left":
        box, start = (c1 - w, top, c1, top + h), (c1, top + h / 2)
    else:
        box, start = (c0, top, c0 + w, top + h), (c0, top + h / 2)
    return PlacedLabel(r.key, o.zone_id, r.text, lines, r.colour, r.hatched, o.side, box, o.anchor,
                       start)


def _free_segments(lo: float, hi: float, obstacles) -> list[tuple[float, float]]:
    """[lo, hi] minus the ``obstacles`` intervals."""
    free = [(lo, hi)]
    for a, b in sorted(obstacles):
        nxt = []
        for s, e in free:
            if b <= s or a >= e:
                nxt.append((s, e))
                continue
            if a - s > 0:
                nxt.append((s, a))
            if e - b > 0:
                nxt.append((b, e))
        free = nxt
    return free


def _pack_with_obstacles(items, lo, hi, gap, obstacles) -> list[float] | None:
    """Pack a column whose free range is [lo, hi] minus the ``obstacles`` intervals."""
    free = _free_segments(lo, hi, obstacles)
    if not free:
        return None
    desired = [o.anchor[1] for _, o, _, _ in items]
    heights = [h for *_, h in items]
    seg_of = _segments_of(desired, heights, free, gap)
    if seg_of is None:
        return None
    tops = [0.0] * len(items)
    for k, (s, e) in enumerate(free):
        members = [i for i in range(len(items)) if seg_of[i] == k]
        t = pack_column([desired[i] for i in members], [heights[i] for i in members], s, e, gap)
        if t is None:
            return None
        for i, top in zip(members, t):
            tops[i] = top
    return tops


def _segments_of(desired, heights, free, gap) -> list[int] | None:
    """Each label's free segment: the one nearest its zone, then labels move out of overfull
    segments, from the end nearest a segment with room. None when they cannot."""
    def nearest(y):
        return min(range(len(free)), key=lambda k: 0 if free[k][0] <= y <= free[k][1]
                   else min(abs(y - free[k][0]), abs(y - free[k][1])))
    seg_of = [nearest(y) for y in desired]
    n = len(desired)
    for _ in range(n * max(1, len(free))):
        over = None
        for k, (s, e) in enumerate(free):
            members = [i for i in range(n) if seg_of[i] == k]
            need = sum(heights[i] for i in members) + gap * max(0, len(members) - 1)
            if need > e - s:
                over = (k, members)
                break
        if over is None:
            break
        k, members = over
        if k - 1 >= 0:
            seg_of[members[0]] = k - 1
        elif k + 1 < len(free):
            seg_of[members[-1]] = k + 1
        else:
            return None
    return seg_of


def _uncross(placed: list[PlacedLabel], side: str) -> None:
    """Swap neighbouring labels of a column whose leaders cross, within the pair's span."""
    col = [p for p in placed if p.side == side]
    col.sort(key=lambda p: p.box[1])
    for _ in range(len(col)):
        swapped = False
        for a, b in zip(col, col[1:]):
            if not segments_cross(a.start, a.anchor, b.start, b.anchor):
                continue
            # give b the upper slot and a the lower one, within the pair's extent
            top, hb, gap = a.box[1], b.box[3] - b.box[1], b.box[1] - a.box[3]
            _move(b, top)
            _move(a, top + hb + gap)
            swapped = True
        col.sort(key=lambda p: p.box[1])
        if not swapped:
            break


def _move(label: PlacedLabel, top: float) -> None:
    x0, y0, x1, y1 = label.box
    label.box = (x0, top, x1, top + (y1 - y0))
    label.start = (label.start[0], top + (y1 - y0) / 2)


# --------------------------------------------------------------------------- the zones' labels
@dataclass
class LabelChoice:
    """Which zones to label, and in what colours."""

    which: str                    # "all", "highlighted" or "none"
    mode: str                     # the colour mode
    palette: object               # the colour theme
    highlight: set[int]           # the highlighted zones' indices
    selected: Zone | None         # named by its callout, so not labelled
    #: each zone's rule after a screening (issue 14), by index; None: the zones' own
    rules: list | None = None


def label_zones(scene, page: Page, view: ZoneView, choice: LabelChoice,
                callout: PlacedCallout | None) -> list[PlacedLabel]:
    """Labels for the visible zones (or only the highlighted ones) beside the body, clear of
    the callout's leader and a legend in the figure's corner."""
    if choice.which not in ("all", "highlighted"):
        return []
    body = view.framing.body_box
    columns = label_columns(page.figure, body, page.style.gap)
    only = choice.highlight if choice.which == "highlighted" else None
    requests = label_requests(scene.rmap, view, (body[0] + body[2]) / 2, choice, only)
    return place_labels(requests, columns, (page.figure[1], page.figure[3]), page.style,
                        obstacles=column_obstacles(page, columns, callout),
                        leader_cost=LeaderCost(scene, view, choice))


def label_requests(rmap, view: ZoneView, body_mid: float, choice: LabelChoice,
                   only: set[int] | None = None) -> list[LabelRequest]:
    """One label request per zone, or per pair of zones (left and right share a name);
    ``only``: these zones' labels alone."""
    groups: dict[str, list[Zone]] = {}
    for z in rmap.zones:
        groups.setdefault(z.spec.id, []).append(z)
    selected = choice.selected
    requests = []
    for key, zones in groups.items():
        # the selected zone is named by its callout; its partner on the other side keeps a label
        members = [z for z in zones if z.index in view.anchors and view.shown(z.index)
                   and (selected is None or z.index != selected.index)
                   and (only is None or z.index in only)]
        if not members:
            continue
        options = []
        for z in members:
            ax, ay = view.anchors[z.index]
            if len(zones) == 1:  # a midline zone may go either way
                options += [LabelOption("left", (ax, ay), z.id), LabelOption("right", (ax, ay), z.id)]
            else:
                options.append(LabelOption("left" if ax < body_mid else "right", (ax, ay), z.id))
        z0 = members[0]
        area = sum(view.visible_area[z.index] for z in members)
        rule = choice.rules[z0.index] if choice.rules is not None else z0
        requests.append(LabelRequest(key, z0.spec.name, zone_colour(rule, choice.mode, choice.palette),
                                     zone_hatched(rule, choice.mode), options, area))
    return requests


def column_obstacles(page: Page, columns, callout: PlacedCallout | None) -> dict[str, list]:
    """The y-ranges of each column kept free: where the callout's leader crosses it, and beside
    a legend in the figure's corner."""
    obstacles: dict[str, list[tuple[float, float]]] = {}
    style = page.style
    if callout is not None and callout.leader is not None:
        start, anchor = callout.leader
        margin = style.px(14)
        for side, (c0, c1) in columns.items():
            span = y_span_in_band(start, anchor, c0, c1)
            if span is not None:
                obstacles.setdefault(side, []).append((span[0] - margin, span[1] + margin))
    if page.legend_in_figure:
        lx0, ly0, lx1, ly1 = page.legend.box
        for side, (c0, c1) in columns.items():
            if c1 > lx0 and c0 < lx1:
                obstacles.setdefault(side, []).append((ly0 - style.gap, ly1 + style.gap))
    return obstacles


class LeaderCost:
    """What a leader from a label's column to its zone costs: the share of the body it crosses,
    much more for crossing the selected zone or a step's arrows, and each other highlighted
    zone it passes over."""

    def __init__(self, scene, view: ZoneView, choice: LabelChoice):
        framing: Framing = view.framing
        rendered: Rendered = view.rendered
        self.unit = scene.body.unit
        self.k = framing.px_per_unit
        self.body = Mask(body_mask(rendered), 4)
        self.body_w = max(1.0, framing.body_box[2] - framing.body_box[0])
        self.selected = self.zone_mask(scene, view, choice.selected)
        self.extra = view.extra_mask
        self.marked = choice.highlight
        seen = view.seen
        self.zones = (zone_image(view.xyz[seen, :2], scene.zone_of_cell[seen], rendered.size)
                      if self.marked else None)

    def zone_mask(self, scene, view: ZoneView, zone: Zone | None) -> Mask | None:
        if zone is None:
            return None
        cells = (scene.zone_of_cell == zone.index) & view.seen
        return mask_of(view.xyz[cells, :2], view.rendered.size, self.k, self.unit)

    def __call__(self, side: str, anchor, start_x: float) -> float:
        start = (start_x, anchor[1])
        cost = 4.0 * length_over(self.body, start, anchor, self.k, self.unit) / self.body_w
        if length_over(self.selected, start, anchor, self.k, self.unit) > 0:
            cost += 100.0
        if length_over(self.extra, start, anchor, self.k, self.unit) > 0:
            cost += 10.0
        if self.zones is not None:
            cost += 2.0 * len(zones_crossed(self.zones, start, anchor) & self.marked)
        return cost
