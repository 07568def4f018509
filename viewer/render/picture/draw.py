"""Drawing the planned page over the rendered view: leaders, labels, the legend (or a step's
legend strip and panel), the callout, the pins, the titles, the footnote and the footer,
back to front, with the antialiased :class:`~viewer.render.picture.canvas.Canvas`."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from viewer.render.picture.callout import PlacedCallout
from viewer.render.picture.canvas import Canvas, contrasting_text, ellipsize, line_height, rgb
from viewer.render.picture.framing import Framing
from viewer.render.picture.geometry import point_segment_distance
from viewer.render.picture.labels import PlacedLabel
from viewer.render.picture.options import ResolvedPin
from viewer.render.picture.page import Page
from viewer.render.picture.render import Rendered
from viewer.render.picture.step_page import LegendStrip, StepPlan
from viewer.render.screened import MARK_COLOUR
from viewer.render.picture.style import MUTED, PANEL_FILL, PIN_COLOUR, RULE, STEP_ACCENT, Style

#: the pin head's centre is this many radii from its point
PIN_REACH = 2.2
#: head directions tried, best first (degrees clockwise from up)
PIN_ANGLES = (0, -35, 35, -70, 70, -110, 110, 180)

Swatch = tuple[str, tuple[int, int, int, int], str, bool]   # key, box, colour, hatched


@dataclass
class PlacedPin:
    number: int
    note: str
    point: tuple[float, float, float]
    tip: tuple[float, float] | None     # image pixels of the point on the skin; None if hidden
    radius: float
    head: tuple[float, float] | None = None  # the centre of the marker's numbered head


def draw_page(canvas: Canvas, page: Page, labels: list[PlacedLabel],
              callout: PlacedCallout | None, pins: list[tuple[ResolvedPin, tuple | None]],
              pal) -> tuple[list[Swatch], list[PlacedPin]]:
    """Draw everything over the view; ``pins`` with their tips (None: hidden). Returns the
    legend's swatches and the pins as drawn."""
    style = page.style
    leader = callout.leader if callout is not None else None
    for lab in labels:
        _leader(canvas, lab.start, lab.anchor, style, pal.text)
    if leader is not None:
        _leader(canvas, leader[0], leader[1], style, pal.text, strong=True)
    for lab in labels:
        _label(canvas, lab, style, pal.text, pal)
    swatches = _legend(canvas, page, style, pal) if page.legend is not None else []
    if page.strip is not None:
        swatches = _legend_strip(canvas, page.strip, style, pal)
    if page.step is not None:
        _step_panel(canvas, page.step, style, pal)
    if callout is not None:
        _callout(canvas, callout.plan, style, pal)
    placed_pins = _pins(canvas, pins, style, _keep_clear(labels, leader, style))
    _titles(canvas, page, style, pal)
    _footnote(canvas, page, style, pal, {p.number for p in placed_pins if p.tip is None})
    _footer(canvas, page, style)
    return swatches, placed_pins


def compose_base(rendered: Rendered, framing: Framing, transparent: bool, pal) -> Canvas:
    """The page background with the 3D view's body box on it, faded out where the body is cut."""
    W, H = rendered.size
    if transparent:
        base = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    else:
        base = Image.new("RGBA", (W, H), rgb(pal.background) + (255,))
    x0, y0, x1, y1 = (int(round(v)) for v in framing.body_box)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    crop = _with_alpha(rendered.pixels[y0:y1, x0:x1])
    fade = int(0.07 * (y1 - y0))
    if fade > 1:
        ramp = np.linspace(1.0, 0.0, fade) ** 1.5
        if framing.cut_bottom:
            crop[-fade:, :, 3] = (crop[-fade:, :, 3] * ramp[:, None]).astype(np.uint8)
        if framing.cut_top:
            crop[:fade, :, 3] = (crop[:fade, :, 3] * ramp[::-1, None]).astype(np.uint8)
    side = int(0.07 * (x1 - x0))
    if framing.cut_sides and side > 1:
        ramp = np.linspace(1.0, 0.0, side) ** 1.5
        crop[:, -side:, 3] = (crop[:, -side:, 3] * ramp[None, :]).astype(np.uint8)
        crop[:, :side, 3] = (crop[:, :side, 3] * ramp[None, ::-1]).astype(np.uint8)
    base.alpha_composite(Image.fromarray(crop, "RGBA"), dest=(x0, y0))
    return Canvas(base)


def _with_alpha(pixels: np.ndarray) -> np.ndarray:
    """A copy of ``pixels`` with an alpha channel (opaque where the render had none)."""
    if pixels.shape[2] == 4:
        return pixels.copy()
    return np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])


def _leader(canvas: Canvas, start, anchor, style: Style, colour, strong: bool = False) -> None:
    w = style.leader_width * (1.5 if strong else 1.0)
    halo = style.halo_width * (1.3 if strong else 1.0)
    canvas.line(start, anchor, halo, "#ffffff", 0.85)
    canvas.line(start, anchor, w, colour)
    r = style.dot_radius * (1.35 if strong else 1.0)
    canvas.disc(anchor, r + style.px(2.2), "#ffffff")
    canvas.disc(anchor, r, colour)


def _label(canvas: Canvas, lab: PlacedLabel, style: Style, text_c, pal) -> None:
    fnt = style.label_font
    lh = line_height(fnt, 1.15)
    x0, y0, x1, y1 = lab.box
    bar = style.px(7)
    inner_gap = style.px(9)
    pad_y = style.px(5)
    # a soft paper backing keeps labels legible on a transparent export
    canvas.rounded_rect((x0 - style.px(6), y0, x1 + style.px(6), y1), style.px(6),
                        fill=pal.background, opacity=0.85)
    if lab.side == "left":
        bar_box = (x1 - bar, y0 + pad_y * 0.6, x1, y1 - pad_y * 0.6)
        text_x, anchor = x1 - bar - inner_gap, "ra"
    else:
        bar_box = (x0, y0 + pad_y * 0.6, x0 + bar, y1 - pad_y * 0.6)
        text_x, anchor = x0 + bar + inner_gap, "la"
    if lab.hatched:
        canvas.hatched_rect(bar_box, lab.colour, pal.hatch, spacing=style.px(7), width=style.px(2))
    else:
        canvas.fill_rect(bar_box, lab.colour)
    y = y0 + pad_y
    for line in lab.lines:
        canvas.text((text_x, y), line, fnt, text_c, anchor=anchor)
        y += lh


def _legend(canvas: Canvas, page: Page, style: Style, pal) -> list:
    plan = page.legend
    x0, y0, x1, y1 = plan.box
    canvas.rounded_rect((x0, y0, x1, y1), style.px(10), fill=PANEL_FILL, outline=RULE,
                        width=max(1.0, style.px(1.5)))
    pad = plan.pad
    head_f, row_f = style.legend_head_font, style.legend_font
    y = y0 + pad
    for line in plan.heading.split("\n"):
        canvas.text((x0 + pad, y), line, head_f, pal.text)
        y += line_height(head_f, 1.2)
    y += style.px(8)
    swatches = []
    lh = line_height(row_f, 1.18)
    for row, h in zip(plan.rows, plan.row_h):
        s = plan.swatch
        sy = y + (h - s) / 2
        box = (round(x0 + pad), round(sy), round(x0 + pad + s), round(sy + s))
        if row.hatched:
            canvas.hatched_rect(box, row.colour, pal.hatch, spacing=style.px(8), width=style.px(2.2))
        else:
            canvas.fill_rect(box, row.colour)
        _swatch_outline(canvas, box, row.key, style, pal)
        swatches.append((row.key, box, row.colour, row.hatched))
        ty = y + (h - lh * len(row.lines)) / 2
        for line in row.lines:
            canvas.text((x0 + pad + s + style.px(12), ty), line, row_f, pal.text)
            ty += lh
        y += h
    return swatches


def _swatch_outline(canvas: Canvas, box, key: str, style: Style, pal) -> None:
    """A legend swatch's outline; the marks' swatch has the marks' own outline on the skin."""
    if key == "mark":
        canvas.rounded_rect(box, 0, outline=MARK_COLOUR, width=max(2.0, style.px(3.5)))
    else:
        canvas.rounded_rect(box, 0, outline=pal.border, width=max(1.0, style.px(1.5)))


def _callout(canvas: Canvas, plan, style: Style, pal) -> None:
    """The selected zone's callout: a heading band in its colour, its facts, its sections."""
    x0, y0, x1, y1 = plan.box
    radius = style.px(10)
    canvas.rounded_rect((x0, y0, x1, y1), radius, fill=PANEL_FILL)
    head_h = _callout_heading(canvas, plan, style, pal)
    canvas.rounded_rect((x0, y0, x1, y1), radius, outline=pal.text,
                        width=max(1.5, style.px(2.5)))
    y = _callout_facts(canvas, plan, style, pal, y0 + head_h + plan.pad * 0.7)
    _callout_sections(canvas, plan, style, pal, y)


def _callout_heading(canvas: Canvas, plan, style: Style, pal) -> float:
    """The heading band in the zone's colour, which ties the box to the zone; its height."""
    x0, y0, x1, _ = plan.box
    spec, pad = plan.spec, plan.pad
    radius = style.px(10)
    border = max(1.5, style.px(2.5))
    head_f = style.callout_head_font
    head_lh = line_height(head_f, 1.2)
    head_h = pad * 0.7 + head_lh * len(plan.head_lines) + pad * 0.7
    canvas.rounded_rect((x0, y0, x1, y0 + head_h), radius, fill=spec.colour)
    canvas.fill_rect((x0, y0 + head_h - radius, x1, y0 + head_h), spec.colour)
    if spec.hatched:
        strip = (x1 - style.px(34), y0 + border, x1 - border, y0 + head_h)
        canvas.hatched_rect(strip, spec.colour, pal.hatch, spacing=style.px(8), width=style.px(2.2))
    ink = contrasting_text(spec.colour)
    y = y0 + pad * 0.7
    for line in plan.head_lines:
        canvas.text((x0 + pad, y), line, head_f, ink)
        y += head_lh
    return head_h


def _callout_facts(canvas: Canvas, plan, style: Style, pal, y: float) -> float:
    """One line per fact (pressure, each stroke) with a colour chip; returns the y under them."""
    x0 = plan.box[0]
    sub_f, body_f = style.callout_sub_font, style.callout_font
    body_lh = line_height(body_f, 1.25)
    chip = style.px(15)
    for key, value, colour, hatched in plan.facts:
        cy = y + body_lh / 2
        canvas.text((x0 + plan.pad, cy), key, sub_f, pal.text, anchor="lm")
        vx = x0 + plan.pad + plan.key_width
        box = (vx, cy - chip / 2, vx + chip, cy + chip / 2)
        if hatched:
            canvas.hatched_rect(box, colour, pal.hatch, spacing=style.px(5), width=style.px(1.6))
        else:
            canvas.fill_rect(box, colour)
        canvas.rounded_rect(box, 0, outline=pal.border, width=max(1.0, style.px(1.2)))
        canvas.text((vx + chip + style.px(9), cy), value, body_f, pal.text, anchor="lm")
        y += body_lh
    return y


def _callout_sections(canvas: Canvas, plan, style: Style, pal, y: float) -> None:
    """The technique and the cautions (bulleted), as wrapped when planned."""
    x = plan.box[0] + plan.pad
    sub_f, body_f = style.callout_sub_font, style.callout_font
    body_lh = line_height(body_f, 1.25)
    sub_lh = line_height(sub_f, 1.3)
    bullet = "• "
    indent = body_f.getlength(bullet)
    for sec in plan.sections:
        y += style.px(10)
        if sec.heading:
            canvas.text((x, y), sec.heading, sub_f, pal.text)
            y += sub_lh
        for k, para in enumerate(sec.paragraphs):
            for i, line in enumerate(para):
                if sec.bullet and i == 0:
                    canvas.text((x, y), bullet.strip(), body_f, pal.text)
                canvas.text((x + (indent if sec.bullet else 0), y), line, body_f, pal.text)
                y += body_lh
            if k < len(sec.paragraphs) - 1:
                y += style.px(4)


def _legend_strip(canvas: Canvas, strip: LegendStrip, style: Style, pal) -> list:
    canvas.text(strip.heading_at, strip.heading, strip.heading_font, pal.text, anchor="lm")
    swatches = []
    for item in strip.items:
        box = tuple(round(v) for v in item.swatch)
        if item.hatched:
            canvas.hatched_rect(box, item.colour, pal.hatch, spacing=style.px(8), width=style.px(2.2))
        else:
            canvas.fill_rect(box, item.colour)
        _swatch_outline(canvas, box, item.key, style, pal)
        canvas.text(item.text_at, item.label, strip.font, pal.text, anchor="lm")
        swatches.append((item.key, box, item.colour, item.hatched))
    return swatches


def _step_panel(canvas: Canvas, plan: StepPlan, style: Style, pal) -> None:
    """The step's caption, the rules it recalls and the guide's sentences, in a white panel."""
    canvas.rounded_rect(plan.box, style.px(12), fill=PANEL_FILL, outline=RULE,
                        width=max(1.0, style.px(1.5)))
    ink = {"caption": pal.text, "heading": STEP_ACCENT, "rule-title": pal.text,
           "rule-text": pal.text, "quote": MUTED}
    for bar in plan.bars:
        canvas.fill_rect(bar, STEP_ACCENT, 0.55)
    for line in plan.lines:
        canvas.text((line.x, line.y), line.text, line.font, ink[line.role])


def _pin_shape(tip, r: float, angle: float = 0.0, n: int = 48):
    """A map pin: a disc of radius ``r`` whose point touches ``tip``, its head ``angle`` radians
    clockwise from straight up. Returns the outline and the disc's centre (image pixels)."""
    tx, ty = tip
    dist = PIN_REACH * r
    alpha = math.acos(r / dist)            # between the centre-to-tip line and a tangent point
    a0 = math.pi / 2 - alpha               # right tangent point (90 degrees points down)
    a1 = math.pi / 2 + alpha - 2 * math.pi  # left tangent point, going round over the top
    local = [(0.0, 0.0)]
    for k in range(n + 1):
        a = a0 + (a1 - a0) * k / n
        local.append((r * math.cos(a), -dist + r * math.sin(a)))
    c, s = math.cos(angle), math.sin(angle)
    pts = [(tx + x * c - y * s, ty + x * s + y * c) for x, y in local]
    return pts, (tx + dist * s, ty - dist * c)


def _pin_angle(tip, r: float, segments, dots, heads, bounds) -> float:
    """The head direction that covers the fewest leaders, anchor dots and other pins."""
    best, best_cost = 0.0, None
    for deg in PIN_ANGLES:
        a = math.radians(deg)
        cx, cy = tip[0] + PIN_REACH * r * math.sin(a), tip[1] - PIN_REACH * r * math.cos(a)
        cost = abs(deg) / 180 * 0.05 * r
        for p, q, w in segments:
            cost += max(0.0, r + w - point_segment_distance((cx, cy), p, q))
        for d, rd in dots:
            cost += 2 * max(0.0, r + rd - math.hypot(cx - d[0], cy - d[1]))
        for h in heads:
            cost += 3 * max(0.0, 2.2 * r - math.hypot(cx - h[0], cy - h[1]))
        x0, y0, x1, y1 = bounds
        cost += 10 * (max(0.0, x0 - (cx - r)) + max(0.0, (cx + r) - x1) +
                      max(0.0, y0 - (cy - r)) + max(0.0, (cy + r) - y1))
        if best_cost is None or cost < best_cost - 1e-9:
            best, best_cost = a, cost
    return best


def _keep_clear(labels: list[PlacedLabel], leader, style: Style):
    """The leaders (segments with their half widths) and anchor dots a pin's head keeps off."""
    segments = [(lab.start, lab.anchor, style.halo_width / 2) for lab in labels]
    dots = [(lab.anchor, style.dot_radius + style.px(2.2)) for lab in labels]
    if leader is not None:
        segments.append((leader[0], leader[1], style.halo_width * 0.65))
        dots.append((leader[1], style.dot_radius * 1.35 + style.px(2.2)))
    return segments, dots


def _pins(canvas: Canvas, pins, style: Style, clear) -> list[PlacedPin]:
    """Draw the visible pins, each head turned away from leaders, anchors and other pins."""
    out: list[PlacedPin] = []
    r = style.pin_radius
    segments, dots = clear
    heads: list[tuple[float, float]] = []
    bounds = (0, 0, style.width, style.height)
    for pin, tip in pins:
        point = tuple(map(float, pin.point))
        if tip is None:
            out.append(PlacedPin(pin.number, pin.note, point, None, r))
            continue
        angle = _pin_angle(tip, r, segments, dots, heads, bounds)
        head = draw_pin(canvas, tip, pin.number, r, style.pin_font, style, angle)
        heads.append(head)
        out.append(PlacedPin(pin.number, pin.note, point, tip, r, head))
    return out


def draw_pin(canvas: Canvas, tip, number: int, r: float, fnt, style: Style,
             angle: float = 0.0) -> tuple[float, float]:
    """A numbered pin whose point is ``tip``; returns the centre of its head."""
    outline, _ = _pin_shape(tip, r + style.px(2.5), angle)
    canvas.polygon(outline, "#ffffff")
    inset = style.px(1.5)
    inner_tip = (tip[0] + inset * math.sin(angle), tip[1] - inset * math.cos(angle))
    inner, centre = _pin_shape(inner_tip, r, angle)
    canvas.polygon(inner, PIN_COLOUR)
    canvas.text(centre, str(number), fnt, "#ffffff", anchor="mm")
    return centre


def _titles(canvas: Canvas, page: Page, style: Style, pal) -> None:
    """The kicker (a lesson step's), the title and the subtitle."""
    if page.kicker is not None:
        canvas.text(page.kicker_box[:2], page.kicker.lines[0], page.kicker.font, STEP_ACCENT)
    x0, y = page.title_box[0], page.title_box[1]
    for line in page.title.lines:
        canvas.text((x0, y), line, page.title.font, pal.text)
        y += page.title.line_h
    if page.subtitle is not None:
        y += style.px(4)
        for line in page.subtitle.lines:
            canvas.text((x0, y), line, page.subtitle.font, MUTED)
            y += page.subtitle.line_h


def _footnote(canvas: Canvas, page: Page, style: Style, pal, hidden: set[int]) -> None:
    """The pins' notes, each after a small numbered disc; a hidden pin's note says so."""
    fnt = style.footnote_font
    r = style.pin_radius * 0.78
    lh = line_height(fnt, 1.35)
    for number, text, x, top in page.footnote_items:
        cy = top + lh / 2
        canvas.disc((x + r, cy), r, PIN_COLOUR)
        canvas.text((x + r, cy), str(number), style.f(14, True), "#ffffff", anchor="mm")
        note = text + (" (hidden in this view)" if number in hidden else "")
        canvas.text((x + 2 * r + style.px(8), cy), note, fnt, pal.text, anchor="lm")


def _footer(canvas: Canvas, page: Page, style: Style) -> None:
    """The footer: where the picture comes from on the left, the map's reminder on the right."""
    fnt = style.footer_font
    room = style.width - 2 * style.margin
    left = ellipsize(page.footer_left, fnt, room)
    canvas.text((style.margin, page.footer_y), left, fnt, MUTED)
    room -= fnt.getlength(left) + style.px(30)
    if page.footer_right and room > style.px(120):
        right = ellipsize(page.footer_right, fnt, room)
        canvas.text((style.width - style.margin, page.footer_y), right, fnt, MUTED, anchor="ra")
