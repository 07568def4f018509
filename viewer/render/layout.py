"""Where everything goes on an exported picture: the page plan and the zone labels.

Pure geometry in image pixels (x right, y down): no rendering here, so the rules are easy to
test. The page is planned first (title, side panel with legend and callout, figure area,
footnote, footer), the 3D view is then framed into the figure's middle, and the labels go into
the two columns left and right of the body, each label as close to the height of its zone as the
others allow, never overlapping, never outside the image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import ImageFont

from viewer.core.wording import QUOTES_HEADING, RULES_HEADING
from viewer.render.annotate import ellipsize, font, line_height, wrap

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


# --------------------------------------------------------------------------- style
@dataclass(frozen=True)
class Style:
    """Sizes for one image size: everything scales with ``u``, pixels per "point".

    ``u`` is 1 for a 1920x1080 slide and 2 for 3840x2160, so text keeps its share of the picture
    (a 23 px label on a 1080-line projector is about 2 % of the screen height, readable from the
    back of a classroom) and a 4K export is as crisp as the screen allows, never upscaled.
    """

    width: int
    height: int
    u: float
    landscape: bool

    @classmethod
    def for_size(cls, width: int, height: int) -> "Style":
        landscape = width >= 1.15 * height
        if landscape:
            u = min(width / 1920, height / 1080)
        else:  # a printed page or a portrait screen: text sized for reading at arm's length
            u = min(width / 1080, height / 1600)
        return cls(width, height, max(0.3, u), landscape)

    def px(self, points: float) -> float:
        return points * self.u

    def f(self, points: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        return font(points * self.u, bold)

    @property
    def margin(self) -> float:
        return 40 * self.u

    @property
    def gap(self) -> float:
        return 18 * self.u

    # fonts ------------------------------------------------------------------------
    @property
    def title_font(self):
        return self.f(46, True)

    @property
    def subtitle_font(self):
        return self.f(25)

    @property
    def label_font(self):
        return self.f(23)

    @property
    def legend_head_font(self):
        return self.f(24, True)

    @property
    def legend_font(self):
        return self.f(21)

    @property
    def callout_head_font(self):
        return self.f(24, True)

    @property
    def callout_sub_font(self):
        return self.f(20, True)

    @property
    def callout_font(self):
        return self.f(20)

    @property
    def footnote_font(self):
        return self.f(20)

    @property
    def footer_font(self):
        return self.f(16)

    @property
    def pin_font(self):
        return self.f(17, True)

    # strokes ----------------------------------------------------------------------
    @property
    def leader_width(self) -> float:
        return max(1.0, 2.2 * self.u)

    @property
    def halo_width(self) -> float:
        return max(2.5, 6.0 * self.u)

    @property
    def dot_radius(self) -> float:
        return max(2.0, 5.0 * self.u)

    @property
    def pin_radius(self) -> float:
        return max(6.0, 15.0 * self.u)

    @property
    def line_scale(self) -> float:
        """For :class:`~viewer.render.actors.SceneActors`: lines as thick, in proportion, as on a
        1080-line screen."""
        return max(1.0, self.u)


# --------------------------------------------------------------------------- page plan
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


def plan_page(style: Style, *, title: str, subtitle: str | None, legend_heading: str | None,
              legend_entries, callout: CalloutSpec | None, pin_notes: list[PinNote],
              footer_left: str, footer_right: str, panel_side: str = "right") -> Page:
    """Lay out everything but the labels. ``panel_side`` ("left"/"right") is where the legend
    and callout go on a landscape page; a portrait page puts them under the figure."""
    W, H = style.width, style.height
    m, gap = style.margin, style.gap
    # On a landscape page without a callout the legend takes the top right corner and the body
    # the middle of the page; with a callout, both stack in a side panel facing the zone.
    corner_legend = style.landscape and callout is None and legend_entries is not None
    has_panel = (legend_entries is not None or callout is not None) and not corner_legend

    # footer (bottom line) and pin footnote above it
    footer_f = style.footer_font
    footer_h = line_height(footer_f, 1.1)
    footer_y = H - m * 0.55 - footer_h
    bottom = footer_y - gap * 0.6

    if style.landscape:
        panel_w = max(style.px(300), 0.25 * W) if has_panel else 0.0
        if panel_side == "left":
            panel = (m, m, m + panel_w, bottom) if has_panel else None
            content_x0, content_x1 = (m + panel_w + m) if has_panel else m, W - m
        else:
            panel_side = "right"
            panel = (W - m - panel_w, m, W - m, bottom) if has_panel else None
            content_x0, content_x1 = m, (W - m - panel_w - m) if has_panel else W - m
    else:
        panel_side = "bottom"
        panel = None
        content_x0, content_x1 = m, W - m

    legend_plan = callout_plan = None
    title_x1 = content_x1
    if corner_legend:
        want = max(style.legend_font.getlength(e.label) for e in legend_entries)
        want = max(want, style.legend_head_font.getlength(legend_heading or ""))
        lw = min(0.3 * W, want + style.px(18) * 2 + style.px(30) + style.px(12) + style.px(4))
        legend_plan, lh = _legend_size(style, legend_heading or "", legend_entries, lw)
        legend_plan.box = (W - m - lw, m, W - m, m + lh)
        title_x1 = W - m - lw - gap * 2

    # title and subtitle, top of the content column
    title_f = style.title_font
    title_lines = wrap(title, title_f, title_x1 - content_x0)[:2]
    title_block = TextBlock(title_lines, title_f, line_height(title_f, 1.12))
    y = m
    title_box = (content_x0, y, title_x1, y + title_block.height)
    y += title_block.height
    sub_block = None
    if subtitle:
        sub_f = style.subtitle_font
        sub_block = TextBlock(wrap(subtitle, sub_f, title_x1 - content_x0)[:2], sub_f,
                              line_height(sub_f, 1.25))
        y += style.px(4) + sub_block.height
    figure_top = y + gap * 1.4

    # pins footnote: numbered items flowing across the content column
    items: list[tuple[int, str, float, float]] = []
    foot_f = style.footnote_font
    foot_lh = line_height(foot_f, 1.35)
    marker_w = style.pin_radius * 2 + style.px(8)
    if pin_notes:
        x, row = content_x0, 0
        spacing = style.px(34)
        for note in pin_notes:
            avail = content_x1 - content_x0 - marker_w
            text = note.text if foot_f.getlength(note.text) <= avail else wrap(note.text, foot_f, avail)[0] + " …"
            w = marker_w + foot_f.getlength(text)
            if x > content_x0 and x + w > content_x1:
                x, row = content_x0, row + 1
            items.append((note.number, text, x, row))
            x += w + spacing
        rows = items[-1][3] + 1
        foot_h = rows * foot_lh
        foot_top = bottom - foot_h
        footnote_box = (content_x0, foot_top, content_x1, bottom)
        items = [(n, t, x, foot_top + r * foot_lh) for n, t, x, r in items]
        bottom = foot_top - gap
    else:
        footnote_box = None

    if style.landscape:
        if has_panel:
            px0, py0, px1, py1 = panel
            pw = px1 - px0
            y = py0
            if legend_entries is not None:
                legend_plan, lh = _legend_size(style, legend_heading or "", legend_entries, pw)
                legend_plan.box = (px0, y, px1, y + lh)
                y += lh + gap * 1.5
            if callout is not None:
                region = (px0, y, px1, py1)
                callout_plan = _callout_plan(style, callout, pw, region)
                shrink_callout(style, callout_plan, py1 - y)
        figure = (content_x0, figure_top, content_x1, bottom)
    else:
        # portrait: legend and callout side by side under the figure
        if has_panel:
            width = content_x1 - content_x0
            legend_w = width * (0.42 if callout is not None else 1.0)
            heights = []
            if legend_entries is not None:
                legend_plan, lh = _legend_size(style, legend_heading or "", legend_entries,
                                               legend_w if callout is not None else min(width, style.px(640)))
                heights.append(lh)
            if callout is not None:
                cw = width - legend_w - gap * 1.5 if legend_entries is not None else width
                callout_plan = _callout_plan(style, callout, cw, (0, 0, 0, 0))
                shrink_callout(style, callout_plan, 0.42 * H)
                heights.append(callout_plan.height)
            panel_h = max(heights)
            py1 = bottom
            py0 = py1 - panel_h
            panel = (content_x0, py0, content_x1, py1)
            if legend_plan is not None:
                lx1 = content_x0 + (legend_plan.box[2] - legend_plan.box[0])
                legend_plan.box = (content_x0, py0, lx1, py0 + legend_plan.box[3])
            if callout_plan is not None:
                cx0 = content_x1 - callout_plan.width
                callout_plan.region = (cx0, py0, content_x1, py1)
            bottom = py0 - gap * 1.5
        figure = (content_x0, figure_top, content_x1, bottom)

    return Page(style, title_block, title_box, sub_block, figure, panel, panel_side, legend_plan,
                callout_plan, footnote_box, footnote_items=items, footer_left=footer_left,
                footer_right=footer_right, footer_y=footer_y, legend_in_figure=corner_legend)


# --------------------------------------------------------------------------- lesson step pages
@dataclass
class StepSpec:
    """The text of a lesson step's panel, before wrapping."""

    kicker: str                        # over the title, e.g. "Step 2 of 7"
    caption: str
    rules: list[tuple[str, str]]       # the global rules it recalls: (title, text)
    quotes: list[str]                  # the guide sentences it cites


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
        blocks.append(("rules", "heading", [STEP_HEADINGS["rules"]], 0.0))
        for title, text in spec.rules:
            blocks.append(("rules", "rule-title",
                           wrap(title, _step_font(style, "rule-title", scale)[0], inner), 0.0))
            if text:
                blocks.append(("rules", "rule-text",
                               wrap(text, _step_font(style, "rule-text", scale)[0], inner), 0.0))
    if spec.quotes:
        blocks.append(("quotes", "heading", [STEP_HEADINGS["quotes"]], 0.0))
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


def plan_step_page(style: Style, *, title: str, step: StepSpec, legend_heading: str,
                   legend_entries, footer_left: str, footer_right: str) -> Page:
    """A lesson step: the kicker and title across the top, the legend as a strip over the
    figure, the step panel on the right (under the figure on a portrait page), the footer."""
    W, H = style.width, style.height
    m, gap = style.margin, style.gap
    footer_h = line_height(style.footer_font, 1.1)
    footer_y = H - m * 0.55 - footer_h
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
    title_block = TextBlock(wrap(title, title_f, content_x1 - content_x0)[:2], title_f,
                            line_height(title_f, 1.12))
    title_box = (content_x0, y, content_x1, y + title_block.height)
    y += title_block.height + gap * 1.1
    strip = plan_legend_strip(style, legend_heading, legend_entries, content_x0, content_x1, y)
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
                footer_left=footer_left, footer_right=footer_right, footer_y=footer_y,
                kicker=kicker, kicker_box=kicker_box, strip=strip, step=step_plan)


# --------------------------------------------------------------------------- labels
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


def _segments_cross(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return (d1 * d2 < 0) and (d3 * d4 < 0)


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
    obstacles = obstacles or {}
    fnt = style.label_font
    lh = line_height(fnt, 1.15)
    pad_y = style.px(5)
    bar = style.px(7)
    inner_gap = style.px(9)
    gap = style.px(8)
    lo, hi = y_range

    def layout_text(text: str, side: str) -> list[str]:
        c0, c1 = columns[side]
        width = max(style.px(60), (c1 - c0) - bar - inner_gap - style.px(6))
        lines = wrap(text, fnt, width)
        if len(lines) > 3:
            lines = lines[:3]
            lines[-1] = lines[-1].rstrip(" .,;:") + "…"
        return lines

    reqs = sorted(requests, key=lambda r: -r.area)
    while True:
        placed = _try_place(reqs, columns, lo, hi, gap, obstacles, leader_cost,
                            layout_text, lh, pad_y, bar, inner_gap, style)
        if placed is not None or not reqs:
            return placed or []
        reqs = reqs[:-1]  # drop the smallest zone's label and try again


def _try_place(reqs, columns, lo, hi, gap, obstacles, leader_cost, layout_text, lh, pad_y,
               bar, inner_gap, style):
    chosen: dict[str, list[tuple[LabelRequest, LabelOption, list[str], float]]] = {"left": [], "right": []}

    def inner_x(side):
        return columns[side][1] if side == "left" else columns[side][0]

    def crowd(side, y, h):
        return sum(1 for _, o, _, hh in chosen[side] if abs(o.anchor[1] - y) < (h + hh) * 1.1)

    def usable(side):
        c0, c1 = columns[side]
        return c1 - c0 >= style.px(60)

    fixed = [r for r in reqs if len({o.side for o in r.options}) == 1]
    flexible = [r for r in reqs if len({o.side for o in r.options}) > 1]
    for r in sorted(fixed, key=lambda r: r.options[0].anchor[1]) + sorted(flexible, key=lambda r: r.options[0].anchor[1]):
        best = None
        for o in r.options:
            if not usable(o.side):
                continue
            lines = layout_text(r.text, o.side)
            h = lh * len(lines) + 2 * pad_y
            cost = crowd(o.side, o.anchor[1], h) * 1.0
            if leader_cost is not None:
                cost += leader_cost(o.side, o.anchor, inner_x(o.side))
            cost += abs(o.anchor[0] - inner_x(o.side)) / max(1.0, style.width) * 0.5
            if best is None or cost < best[0]:
                best = (cost, o, lines, h)
        if best is None:
            continue
        _, o, lines, h = best
        chosen[o.side].append((r, o, lines, h))

    placed: list[PlacedLabel] = []
    for side, items in chosen.items():
        if not items:
            continue
        items.sort(key=lambda t: t[1].anchor[1])
        tops = _pack_with_obstacles(items, lo, hi, gap, obstacles.get(side, []))
        if tops is None:
            return None
        c0, c1 = columns[side]
        for (r, o, lines, h), top in zip(items, tops):
            text_w = max(style.label_font.getlength(line) for line in lines)
            w = text_w + bar + inner_gap
            if side == "left":
                box = (c1 - w, top, c1, top + h)
                start = (c1, top + h / 2)
            else:
                box = (c0, top, c0 + w, top + h)
                start = (c0, top + h / 2)
            placed.append(PlacedLabel(r.key, o.zone_id, r.text, lines, r.colour, r.hatched, side,
                                      box, o.anchor, start))
        _uncross(placed, side)
    return placed


def _pack_with_obstacles(items, lo, hi, gap, obstacles) -> list[float] | None:
    """Pack a column whose free range is [lo, hi] minus the ``obstacles`` intervals."""
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
    if not free:
        return None
    desired = [o.anchor[1] for _, o, _, _ in items]
    heights = [h for *_, h in items]
    # each label to the free segment nearest its zone
    def nearest(y):
        return min(range(len(free)), key=lambda k: 0 if free[k][0] <= y <= free[k][1]
                   else min(abs(y - free[k][0]), abs(y - free[k][1])))
    seg_of = [nearest(y) for y in desired]
    # move labels out of overfull segments, from the end nearest a segment with room
    for _ in range(len(items) * max(1, len(free))):
        over = None
        for k, (s, e) in enumerate(free):
            members = [i for i in range(len(items)) if seg_of[i] == k]
            need = sum(heights[i] for i in members) + gap * max(0, len(members) - 1)
            if need > e - s:
                over = (k, members)
                break
        if over is None:
            break
        k, members = over
        moved = False
        for direction in (-1, 1):
            j = k + direction
            if 0 <= j < len(free):
                i = members[0] if direction < 0 else members[-1]
                seg_of[i] = j
                moved = True
                break
        if not moved:
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


def _uncross(placed: list[PlacedLabel], side: str) -> None:
    """Swap neighbouring labels of a column whose leaders cross, within the pair's span."""
    col = [p for p in placed if p.side == side]
    col.sort(key=lambda p: p.box[1])
    for _ in range(len(col)):
        swapped = False
        for a, b in zip(col, col[1:]):
            if not _segments_cross(a.start, a.anchor, b.start, b.anchor):
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


def boxes_overlap(a: Box, b: Box, tol: float = 0.0) -> bool:
    return a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol


def callout_position(plan: CalloutPlan, anchor_y: float) -> Box:
    """Slide the callout within its region so it faces its zone as far as it can."""
    x0, y0, x1, y1 = plan.region
    h = plan.height
    top = min(max(anchor_y - h / 2, y0), max(y0, y1 - h))
    return (x0, top, x0 + plan.width, top + h)


def shift_panel_up(page: Page, dy: float) -> None:
    """Move what sits under the figure (portrait panel, footnote) up by ``dy`` pixels, so the
    space a width-limited body leaves over goes to the foot of the page."""
    def up(box):
        return None if box is None else (box[0], box[1] - dy, box[2], box[3] - dy)

    x0, y0, x1, y1 = page.figure
    page.figure = (x0, y0, x1, y1 - dy)
    page.panel = up(page.panel)
    if page.legend is not None:
        page.legend.box = up(page.legend.box)
    if page.callout is not None:
        page.callout.region = up(page.callout.region)
    page.footnote_box = up(page.footnote_box)
    page.footnote_items = [(n, t, x, y - dy) for n, t, x, y in page.footnote_items]
