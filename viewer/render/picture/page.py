"""The page plan of an exported picture: title, legend, the selected zone's callout, the pins'
footnote and the footer around the figure (the body and its label columns).

Pure geometry in image pixels (x right, y down): no rendering here, so the rules are easy to
test. The page is planned first; the 3D view is then framed into the figure's middle
(:mod:`viewer.render.picture.framing`) and the labels go into the columns beside the body
(:mod:`viewer.render.picture.labels`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

from PIL import ImageFont

from viewer.render.picture.canvas import line_height, wrap
from viewer.render.picture.geometry import Box, shifted
from viewer.render.picture.style import Style

@dataclass
class TextBlock:
    lines: list[str]
    font: ImageFont.FreeTypeFont
    line_h: int

    @property
    def height(self) -> int:
        return self.line_h * len(self.lines)


@dataclass
class LegendRow:
    key: str
    lines: list[str]
    colour: str
    hatched: bool


@dataclass
class LegendPlan:
    box: Box
    heading: str
    rows: list[LegendRow]
    swatch: float
    row_h: list[float]
    pad: float


@dataclass
class CalloutSection:
    heading: str | None
    paragraphs: list[list[str]]  # wrapped lines of each paragraph
    bullet: bool = False


@dataclass
class CalloutSpec:
    """The text of the selected zone's callout, before wrapping."""

    heading: str
    colour: str
    hatched: bool
    facts: list[tuple[str, str, str, bool]]      # (what, value, its colour, hatched)
    sections: list[tuple[str, list[str], bool]]  # (heading, paragraphs, bulleted)


@dataclass
class CalloutPlan:
    spec: CalloutSpec
    width: float
    height: float
    head_lines: list[str]
    facts: list[tuple[str, str, str, bool]]
    key_width: float
    sections: list[CalloutSection]
    pad: float
    region: Box      # where the box may go (it slides within to face its zone)
    box: Box | None = None


@dataclass
class PinNote:
    number: int
    text: str


@dataclass
class Page:
    style: Style
    title: TextBlock
    title_box: Box
    subtitle: TextBlock | None
    figure: Box                   # the body and its label columns
    panel: Box | None
    panel_side: str               # "left", "right" or "bottom"
    legend: LegendPlan | None
    callout: CalloutPlan | None
    footnote_box: Box | None
    footnote_items: list[tuple[int, str, float, float]] = field(default_factory=list)  # n, text, x, y
    #: the legend stands in the figure's top corner (labels and the body keep clear of it)
    legend_in_figure: bool = False
    footer_left: str = ""
    footer_right: str = ""
    footer_y: float = 0.0
    #: a lesson step's page: a kicker over the title ("Step 2 of 7"), the legend as a strip over
    #: the figure, and the step's panel where a zone's callout would go
    kicker: TextBlock | None = None
    kicker_box: Box | None = None
    strip: "LegendStrip | None" = None
    step: "StepPlan | None" = None


def _legend_size(style: Style, heading: str, entries, width: float) -> tuple[LegendPlan, float]:
    pad = style.px(18)
    swatch = style.px(30)
    head_f, row_f = style.legend_head_font, style.legend_font
    text_w = width - 2 * pad - swatch - style.px(12)
    rows, heights = [], []
    lh = line_height(row_f, 1.18)
    for e in entries:
        lines = wrap(e.label, row_f, text_w)
        rows.append(LegendRow(e.key, lines, e.colour, e.hatched))
        heights.append(max(swatch + style.px(10), lh * len(lines) + style.px(10)))
    head_lines = wrap(heading, head_f, width - 2 * pad)
    head_h = line_height(head_f, 1.2) * len(head_lines)
    total = pad + head_h + style.px(8) + sum(heights) + pad - style.px(4)
    plan = LegendPlan((0, 0, width, total), "\n".join(head_lines), rows, swatch, heights, pad)
    return plan, total


def _callout_plan(style: Style, spec: CalloutSpec, width: float, region: Box) -> CalloutPlan:
    pad = style.px(18)
    inner = width - 2 * pad
    head_f, sub_f, body_f = style.callout_head_font, style.callout_sub_font, style.callout_font
    head_lines = wrap(spec.heading, head_f, inner - style.px(4))
    key_width = max((sub_f.getlength(k) for k, *_ in spec.facts), default=0) + style.px(14)
    sections = []
    bullet_indent = body_f.getlength("• ")
    for heading, paragraphs, bulleted in spec.sections:
        wrapped = [wrap(p, body_f, inner - (bullet_indent if bulleted else 0)) for p in paragraphs]
        sections.append(CalloutSection(heading, wrapped, bulleted))
    plan = CalloutPlan(spec, width, 0.0, head_lines, list(spec.facts), key_width, sections, pad,
                       region)
    plan.height = callout_height(style, plan)
    return plan


def callout_height(style: Style, plan: CalloutPlan) -> float:
    head_h = line_height(style.callout_head_font, 1.2) * len(plan.head_lines)
    body_lh = line_height(style.callout_font, 1.25)
    sub_lh = line_height(style.callout_sub_font, 1.3)
    h = plan.pad * 0.7 + head_h + plan.pad * 0.7      # the coloured heading band
    h += plan.pad * 0.7 + body_lh * len(plan.facts)
    for sec in plan.sections:
        h += style.px(10) + (sub_lh if sec.heading else 0)
        h += sum(body_lh * len(p) for p in sec.paragraphs) + style.px(4) * max(0, len(sec.paragraphs) - 1)
    return h + plan.pad


def shrink_callout(style: Style, plan: CalloutPlan, max_h: float) -> None:
    """Drop trailing lines (ending in an ellipsis) until the callout fits ``max_h``."""
    while plan.height > max_h:
        sec = next((s for s in reversed(plan.sections) if s.paragraphs), None)
        if sec is None:
            break
        last = sec.paragraphs[-1]
        if len(last) > 1:
            last.pop()
            last[-1] = last[-1].rstrip(" .,;:") + " …"
        else:
            sec.paragraphs.pop()
            if not sec.paragraphs:
                plan.sections.remove(sec)
        plan.height = callout_height(style, plan)



@dataclass
class PageText:
    """What the page says, before it is wrapped and placed."""

    title: str
    subtitle: str | None
    legend_heading: str | None
    legend_entries: list | None
    callout: CalloutSpec | None
    pin_notes: list[PinNote]
    footer_left: str
    footer_right: str


@dataclass
class _Columns:
    """The page split into the content column and the side panel (if any)."""

    panel: Box | None
    side: str                     # "left", "right" or "bottom"
    x0: float
    x1: float


def footer_line(style: Style) -> float:
    """The top of the footer line."""
    return style.height - style.margin * 0.55 - line_height(style.footer_font, 1.1)


def plan_page(style: Style, text: PageText, panel_side: str = "right") -> Page:
    """Lay out everything but the labels. ``panel_side`` ("left"/"right") is where the legend
    and callout go on a landscape page; a portrait page puts them under the figure."""
    # On a landscape page without a callout the legend takes the top right corner and the body
    # the middle of the page; with a callout, both stack in a side panel facing the zone.
    corner = style.landscape and text.callout is None and text.legend_entries is not None
    has_panel = (text.legend_entries is not None or text.callout is not None) and not corner
    footer_y = footer_line(style)
    bottom = footer_y - style.gap * 0.6
    cols = _columns(style, has_panel, panel_side, bottom)
    legend_plan = callout_plan = None
    title_x1 = cols.x1
    if corner:
        legend_plan = _corner_legend(style, text)
        title_x1 = legend_plan.box[0] - style.gap * 2
    title, title_box, subtitle, figure_top = _title_blocks(style, text, cols.x0, title_x1)
    items, footnote_box, bottom = _footnote(style, text.pin_notes, cols, bottom)
    panel = cols.panel
    if has_panel and style.landscape:
        legend_plan, callout_plan = _side_panel(style, text, panel)
    elif has_panel:
        panel, legend_plan, callout_plan = _bottom_panel(style, text, cols, bottom)
        bottom = panel[1] - style.gap * 1.5
    figure = (cols.x0, figure_top, cols.x1, bottom)
    return Page(style, title, title_box, subtitle, figure, panel, cols.side, legend_plan,
                callout_plan, footnote_box, footnote_items=items, footer_left=text.footer_left,
                footer_right=text.footer_right, footer_y=footer_y, legend_in_figure=corner)


def _columns(style: Style, has_panel: bool, panel_side: str, bottom: float) -> _Columns:
    W, m = style.width, style.margin
    if not style.landscape:
        return _Columns(None, "bottom", m, W - m)
    if not has_panel:
        return _Columns(None, "left" if panel_side == "left" else "right", m, W - m)
    panel_w = max(style.px(300), 0.25 * W)
    if panel_side == "left":
        return _Columns((m, m, m + panel_w, bottom), "left", m + panel_w + m, W - m)
    return _Columns((W - m - panel_w, m, W - m, bottom), "right", m, W - m - panel_w - m)


def _corner_legend(style: Style, text: PageText) -> LegendPlan:
    """The legend in the top right corner, as wide as its longest line needs (at most 30 %)."""
    W, m = style.width, style.margin
    heading = text.legend_heading or ""
    want = max(style.legend_font.getlength(e.label) for e in text.legend_entries)
    want = max(want, style.legend_head_font.getlength(heading))
    lw = min(0.3 * W, want + style.px(18) * 2 + style.px(30) + style.px(12) + style.px(4))
    plan, lh = _legend_size(style, heading, text.legend_entries, lw)
    plan.box = (W - m - lw, m, W - m, m + lh)
    return plan


def _title_blocks(style: Style, text: PageText, x0: float, x1: float):
    """The title and subtitle at the top of the content column, and the figure's top."""
    title_f = style.title_font
    title = TextBlock(wrap(text.title, title_f, x1 - x0)[:2], title_f, line_height(title_f, 1.12))
    y = style.margin
    title_box = (x0, y, x1, y + title.height)
    y += title.height
    subtitle = None
    if text.subtitle:
        sub_f = style.subtitle_font
        subtitle = TextBlock(wrap(text.subtitle, sub_f, x1 - x0)[:2], sub_f,
                             line_height(sub_f, 1.25))
        y += style.px(4) + subtitle.height
    return title, title_box, subtitle, y + style.gap * 1.4


def _footnote(style: Style, notes: list[PinNote], cols: _Columns, bottom: float):
    """The pins' notes, numbered, flowing across the content column over ``bottom``:
    (items as (number, text, x, top), their box, the new bottom)."""
    if not notes:
        return [], None, bottom
    foot_f = style.footnote_font
    foot_lh = line_height(foot_f, 1.35)
    marker_w = style.pin_radius * 2 + style.px(8)
    avail = cols.x1 - cols.x0 - marker_w
    items = []
    x, row = cols.x0, 0
    for note in notes:
        text = note.text
        if foot_f.getlength(text) > avail:
            text = wrap(text, foot_f, avail)[0] + " …"
        w = marker_w + foot_f.getlength(text)
        if x > cols.x0 and x + w > cols.x1:
            x, row = cols.x0, row + 1
        items.append((note.number, text, x, row))
        x += w + style.px(34)
    foot_top = bottom - (items[-1][3] + 1) * foot_lh
    items = [(n, t, x, foot_top + r * foot_lh) for n, t, x, r in items]
    return items, (cols.x0, foot_top, cols.x1, bottom), foot_top - style.gap


def _side_panel(style: Style, text: PageText, panel: Box):
    """A landscape page's panel: the legend on top, the callout's region under it."""
    px0, py0, px1, py1 = panel
    legend_plan = callout_plan = None
    y = py0
    if text.legend_entries is not None:
        legend_plan, lh = _legend_size(style, text.legend_heading or "", text.legend_entries,
                                       px1 - px0)
        legend_plan.box = (px0, y, px1, y + lh)
        y += lh + style.gap * 1.5
    if text.callout is not None:
        callout_plan = _callout_plan(style, text.callout, px1 - px0, (px0, y, px1, py1))
        shrink_callout(style, callout_plan, py1 - y)
    return legend_plan, callout_plan


def _bottom_panel(style: Style, text: PageText, cols: _Columns, bottom: float):
    """A portrait page's panel under the figure: legend and callout side by side."""
    x0, x1 = cols.x0, cols.x1
    width = x1 - x0
    has_legend, has_callout = text.legend_entries is not None, text.callout is not None
    legend_w = width * (0.42 if has_callout else 1.0)
    legend_plan = callout_plan = None
    heights = []
    if has_legend:
        legend_plan, lh = _legend_size(style, text.legend_heading or "", text.legend_entries,
                                       legend_w if has_callout else min(width, style.px(640)))
        heights.append(lh)
    if has_callout:
        cw = width - legend_w - style.gap * 1.5 if has_legend else width
        callout_plan = _callout_plan(style, text.callout, cw, (0, 0, 0, 0))
        shrink_callout(style, callout_plan, 0.42 * style.height)
        heights.append(callout_plan.height)
    py0 = bottom - max(heights)
    if legend_plan is not None:
        legend_plan.box = (x0, py0, x0 + (legend_plan.box[2] - legend_plan.box[0]),
                           py0 + legend_plan.box[3])
    if callout_plan is not None:
        callout_plan.region = (x1 - callout_plan.width, py0, x1, bottom)
    return (x0, py0, x1, bottom), legend_plan, callout_plan


def panel_raised(page: Page, dy: float) -> Page:
    """The page with what sits under the figure (portrait panel, footnote) moved up by ``dy``
    pixels, so the space a width-limited body leaves over goes to the foot of the page."""
    x0, y0, x1, y1 = page.figure
    legend = page.legend and replace(page.legend, box=shifted(page.legend.box, dy))
    callout = page.callout and replace(page.callout, region=shifted(page.callout.region, dy))
    return replace(page, figure=(x0, y0, x1, y1 - dy), panel=shifted(page.panel, dy),
                   legend=legend, callout=callout, footnote_box=shifted(page.footnote_box, dy),
                   footnote_items=[(n, t, x, y - dy) for n, t, x, y in page.footnote_items])


def callout_position(plan: CalloutPlan, anchor_y: float) -> Box:
    """Slide the callout within its region so it faces its zone as far as it can."""
    x0, y0, x1, y1 = plan.region
    h = plan.height
    top = min(max(anchor_y - h / 2, y0), max(y0, y1 - h))
    return (x0, top, x0 + plan.width, top + h)


def callout_unseen(style: Style, plan: CalloutPlan, name: str) -> CalloutPlan:
    """A new callout plan for a zone hidden from this view: its heading says so (the text may
    lose trailing lines to fit its region on a landscape page)."""
    plan = copy.deepcopy(plan)
    plan.head_lines = wrap(f"{name} (not seen from this view)", style.callout_head_font,
                           plan.width - 2 * plan.pad - style.px(4))
    plan.height = callout_height(style, plan)
    region_h = plan.region[3] - plan.region[1]
    if style.landscape and plan.height > region_h:
        shrink_callout(style, plan, region_h)
    return plan
