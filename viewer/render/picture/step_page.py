"""A lesson step's page: the kicker and title, the legend as a strip over the figure, and the
step's panel (caption, the rules it recalls, the guide's sentences) where a zone's callout would
go. Pure geometry in image pixels, like :mod:`viewer.render.picture.page`.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import ImageFont

from viewer.core.wording import QUOTES_HEADING, RULES_HEADING
from viewer.render.picture.canvas import ellipsize, line_height, wrap
from viewer.render.picture.geometry import Box
from viewer.render.picture.page import Page, PageText, TextBlock, footer_line
from viewer.render.picture.style import Style

@dataclass
class StepSpec:
    """The text of a lesson step's panel, before wrapping."""

    kicker: str                        # over the title, e.g. "Step 2 of 7"
    caption: str
    rules: list[tuple[str, str]]       # the global rules it recalls: (title, text)
    quotes: list[str]                  # the guide sentences it cites
    #: the headings over the rules and the quotes (None: "Keep in mind", "From the guide")
    rules_heading: str | None = None
    quotes_heading: str | None = None


#: panel text roles: (points at full size, bold, line spacing)
STEP_FONTS = {
    "caption": (29, False, 1.27),
    "heading": (17, True, 1.45),
    "rule-title": (22, True, 1.22),
    "rule-text": (21, False, 1.26),
    "quote": (19, False, 1.27),
}
#: the panel's fonts shrink at most to this share of their size before lines are left out
STEP_MIN_SCALE = 0.82
STEP_HEADINGS = {"rules": RULES_HEADING.upper(), "quotes": QUOTES_HEADING.upper()}


@dataclass
class PanelLine:
    x: float
    y: float                 # top of the line
    text: str
    role: str                # a key of STEP_FONTS
    font: ImageFont.FreeTypeFont


@dataclass
class StepPlan:
    spec: StepSpec
    box: Box
    lines: list[PanelLine]
    bars: list[Box]          # the accent bar beside each quote
    scale: float             # the fonts' scale after fitting (1: full size)
    dropped: int = 0         # lines left out to fit (the last kept one ends in "…")

    def text(self, role: str | None = None) -> str:
        return "\n".join(ln.text for ln in self.lines if role is None or ln.role == role)


@dataclass
class StripItem:
    key: str
    label: str
    colour: str
    hatched: bool
    swatch: Box
    text_at: tuple[float, float]   # the label's left end, vertically centred ("lm")


@dataclass
class LegendStrip:
    """The legend as one or two rows of swatches (a step page keeps the side for its panel)."""

    box: Box
    heading: str
    heading_at: tuple[float, float]
    heading_font: ImageFont.FreeTypeFont
    font: ImageFont.FreeTypeFont
    items: list[StripItem]


def _step_font(style: Style, role: str, scale: float) -> tuple[ImageFont.FreeTypeFont, int]:
    pts, bold, spacing = STEP_FONTS[role]
    fnt = style.f(pts * scale, bold)
    return fnt, line_height(fnt, spacing)


def _step_blocks(style: Style, spec: StepSpec, width: float, scale: float):
    """The panel's text wrapped at ``scale``: a list of (section, role, lines, indent)."""
    pad = style.px(26)
    inner = width - 2 * pad
    bar = style.px(18) * scale
    blocks = [("caption", "caption", wrap(spec.caption, _step_font(style, "caption", scale)[0], inner), 0.0)]
    if spec.rules:
        blocks.append(("rules", "heading",
                       [(spec.rules_heading or STEP_HEADINGS["rules"]).upper()], 0.0))
        for title, text in spec.rules:
            blocks.append(("rules", "rule-title",
                           wrap(title, _step_font(style, "rule-title", scale)[0], inner), 0.0))
            if text:
                blocks.append(("rules", "rule-text",
                               wrap(text, _step_font(style, "rule-text", scale)[0], inner), 0.0))
    if spec.quotes:
        blocks.append(("quotes", "heading",
                       [(spec.quotes_heading or STEP_HEADINGS["quotes"]).upper()], 0.0))
        for q in spec.quotes:
            blocks.append(("quotes", "quote",
                           wrap(f"\u201c{q}\u201d", _step_font(style, "quote", scale)[0], inner - bar),
                           bar))
    return blocks


def _step_layout(style: Style, spec: StepSpec, box: Box, scale: float, blocks) -> StepPlan:
    """Positions of the wrapped ``blocks`` in a panel whose top-left is ``box``'s."""
    x0, y0, x1, _ = box
    pad = style.px(26)
    lines: list[PanelLine] = []
    bars: list[Box] = []
    y = y0 + pad
    prev = None
    for section, role, text_lines, indent in blocks:
        fnt, lh = _step_font(style, role, scale)
        if prev is not None:
            if section != prev[0]:
                y += style.px(24) * scale          # between caption, rules and quotes
            elif role == "rule-title" or (role == "quote" and prev[1] == "quote"):
                y += style.px(12) * scale          # between two rules or two quotes
            elif role == "rule-text":
                y += style.px(2) * scale
        top = y
        for t in text_lines:
            lines.append(PanelLine(x0 + pad + indent, y, t, role, fnt))
            y += lh
        if role == "quote" and text_lines:
            w = max(2.0, style.px(4) * scale)
            bars.append((x0 + pad, top + style.px(3) * scale, x0 + pad + w, y - style.px(5) * scale))
        prev = (section, role)
    return StepPlan(spec, (x0, y0, x1, y - style.px(6) * scale + pad), lines, bars, scale)


def plan_step_panel(style: Style, spec: StepSpec, region: Box) -> StepPlan:
    """The step panel at the largest font scale (down to STEP_MIN_SCALE) at which it fits
    ``region``; if it still does not, the last quotes (then the last rule texts) lose lines."""
    x0, y0, x1, y1 = region
    avail = y1 - y0
    scale = 1.0
    while True:
        blocks = _step_blocks(style, spec, x1 - x0, scale)
        plan = _step_layout(style, spec, region, scale, blocks)
        if plan.box[3] - y0 <= avail + 1e-6 or scale <= STEP_MIN_SCALE + 1e-9:
            break
        scale = max(STEP_MIN_SCALE, scale - 0.03)
    dropped = 0
    while plan.box[3] - y0 > avail + 1e-6:
        k = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i][1] == "quote"), None)
        if k is None:
            k = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i][1] == "rule-text"), None)
        if k is None:
            break
        section, role, text_lines, indent = blocks[k]
        dropped += 1
        if len(text_lines) > 1:
            kept = text_lines[:-1]
            kept[-1] = kept[-1].rstrip(" .,;:\u201d") + " \u2026"
            blocks[k] = (section, role, kept, indent)
        else:
            del blocks[k]
            # a heading left with nothing under it goes too
            blocks = [b for b in blocks if b[1] != "heading"
                      or any(o[0] == b[0] and o[1] != "heading" for o in blocks)]
        plan = _step_layout(style, spec, region, scale, blocks)
    plan.dropped = dropped
    return plan


def plan_legend_strip(style: Style, heading: str, entries, x0: float, x1: float,
                      y0: float) -> LegendStrip:
    """The heading, then swatch-and-label items flowing left to right, wrapping to new rows."""
    head_f, fnt = style.legend_head_font, style.legend_font
    swatch = style.px(26)
    row_h = max(swatch, line_height(fnt, 1.1)) + style.px(10)
    spacing = style.px(30)
    text_gap = style.px(10)
    heading_text = f"{heading}:"
    x = x0 + head_f.getlength(heading_text) + spacing * 0.8
    y = y0
    items: list[StripItem] = []
    for e in entries:
        label = e.label
        w = swatch + text_gap + fnt.getlength(label)
        if x + w > x1 and x > x0:
            x, y = x0, y + row_h
        if x + w > x1:  # a label longer than the whole row
            label = ellipsize(label, fnt, x1 - x - swatch - text_gap)
            w = swatch + text_gap + fnt.getlength(label)
        cy = y + row_h / 2
        sw = (x, cy - swatch / 2, x + swatch, cy + swatch / 2)
        items.append(StripItem(e.key, label, e.colour, e.hatched, sw, (x + swatch + text_gap, cy)))
        x += w + spacing
    return LegendStrip((x0, y0, x1, y + row_h), heading_text, (x0, y0 + row_h / 2), head_f, fnt,
                       items)


def plan_step_page(style: Style, text: PageText, step: StepSpec) -> Page:
    """A lesson step: the kicker and title across the top, the legend as a strip over the
    figure, the step panel on the right (under the figure on a portrait page), the footer."""
    W = style.width
    m, gap = style.margin, style.gap
    footer_y = footer_line(style)
    bottom = footer_y - gap * 0.8

    if style.landscape:
        # the panel takes the right side from the top: the most room for the step's text
        panel_w = max(style.px(420), 0.40 * W)
        panel_region = (W - m - panel_w, m, W - m, bottom)
        content_x0, content_x1 = m, panel_region[0] - gap * 2.2
    else:
        content_x0, content_x1 = m, W - m

    kick_f = style.f(22, True)
    kicker = TextBlock([step.kicker.upper()], kick_f, line_height(kick_f, 1.15))
    y = m * 0.8
    kicker_box = (content_x0, y, content_x1, y + kicker.height)
    y += kicker.height + style.px(2)
    title_f = style.f(42, True)
    title_block = TextBlock(wrap(text.title, title_f, content_x1 - content_x0)[:2], title_f,
                            line_height(title_f, 1.12))
    title_box = (content_x0, y, content_x1, y + title_block.height)
    y += title_block.height + gap * 1.1
    strip = None
    if text.legend_entries is not None:  # no legend rows (a quiz question's plain body): none
        strip = plan_legend_strip(style, text.legend_heading, text.legend_entries, content_x0,
                                  content_x1, y)
        y = strip.box[3] + gap

    if style.landscape:
        step_plan = plan_step_panel(style, step, panel_region)
        panel = panel_region
        figure = (content_x0, y, content_x1, bottom)
    else:
        # portrait: the panel under the figure, at most 55 % of the height left (a page's
        # figure is as wide as the page allows long before it is as tall)
        step_plan = plan_step_panel(style, step, (m, bottom - 0.55 * (bottom - y), W - m, bottom))
        h = step_plan.box[3] - step_plan.box[1]
        step_plan = plan_step_panel(style, step, (m, bottom - h, W - m, bottom))
        panel = step_plan.box
        figure = (content_x0, y, content_x1, panel[1] - gap * 1.5)
    return Page(style, title_block, title_box, None, figure, panel,
                "right" if style.landscape else "bottom", None, None, None,
                footer_left=text.footer_left, footer_right=text.footer_right, footer_y=footer_y,
                kicker=kicker, kicker_box=kicker_box, strip=strip, step=step_plan)
