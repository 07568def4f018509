"""A screened picture's own overlays (issue 14): the postpone banner across the figure and a
small callout with each mark's note.

The banner ("Postpone the massage" and the guide's sentence) is sized for a projector: its
heading is twice a zone label's size, its sentences a subtitle's. A mark's note sits in a small
box beside the mark, joined to its centre by a leader, in the mark's outline colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.render.picture.anchors import pin_tips
from viewer.render.picture.canvas import Canvas, line_height, wrap
from viewer.render.picture.framing import Framing
from viewer.render.picture.geometry import Box
from viewer.render.picture.render import Rendered
from viewer.render.picture.style import PANEL_FILL, Style
from viewer.render.screened import MARK_COLOUR, Banner


@dataclass
class BannerPlan:
    banner: Banner
    box: Box
    heading_lines: list[str]
    sentence_lines: list[str]
    heading_font: object
    sentence_font: object
    pad: float

    @property
    def text(self) -> str:
        """Every line the banner shows, top to bottom."""
        return "\n".join(self.heading_lines + self.sentence_lines)


@dataclass
class MarkNote:
    index: int              # the mark's index in the screening
    note: str
    tip: tuple[float, float] | None     # the mark's centre in the picture; None if hidden
    box: Box | None = None


def plan_banner(banner: Banner, style: Style, figure: Box, body_box: Box) -> BannerPlan:
    """The banner across the body's upper part, as wide as the figure allows (at most 80 % of
    the picture), centred on the body."""
    head_f, sent_f = style.f(56, True), style.f(30)
    pad = style.px(28)
    width = min(figure[2] - figure[0], 0.8 * style.width)
    inner = width - 2 * pad
    heading = wrap(banner.heading, head_f, inner)
    sentences = [line for s in banner.sentences for line in wrap(s, sent_f, inner)][:6]
    height = (pad + line_height(head_f, 1.15) * len(heading)
              + (style.px(10) + line_height(sent_f, 1.3) * len(sentences) if sentences else 0)
              + pad)
    cx = (body_box[0] + body_box[2]) / 2
    x0 = min(max(cx - width / 2, figure[0]), figure[2] - width)
    top = body_box[1] + 0.22 * (body_box[3] - body_box[1])
    top = min(max(top, figure[1]), max(figure[1], figure[3] - height))
    return BannerPlan(banner, (x0, top, x0 + width, top + height), heading, sentences, head_f,
                      sent_f, pad)


def draw_banner(canvas: Canvas, plan: BannerPlan, style: Style, pal, accent: str) -> None:
    """A white panel with a thick border in the "avoid" colour, the heading and the sentences."""
    x0, y0, x1, y1 = plan.box
    canvas.rounded_rect(plan.box, style.px(14), fill=PANEL_FILL, opacity=0.95)
    canvas.rounded_rect(plan.box, style.px(14), outline=accent, width=max(3.0, style.px(6)))
    y = y0 + plan.pad
    for line in plan.heading_lines:
        canvas.text(((x0 + x1) / 2, y), line, plan.heading_font, pal.text, anchor="ma")
        y += line_height(plan.heading_font, 1.15)
    y += style.px(10)
    for line in plan.sentence_lines:
        canvas.text(((x0 + x1) / 2, y), line, plan.sentence_font, pal.text, anchor="ma")
        y += line_height(plan.sentence_font, 1.3)


def mark_notes(scene, rendered: Rendered, framing: Framing) -> list[MarkNote]:
    """The marks with a note, each with where its centre shows (None: hidden or covers no
    skin)."""
    screened = scene.screened
    if screened is None:
        return []
    notes = [(i, m.note) for i, m in enumerate(screened.screening.marks) if m.note]
    centres = [scene.mark_centre(i) for i, _ in notes]
    shown = [c for c in centres if c is not None]
    tips = iter(pin_tips(rendered, framing, shown, scene.body.unit))
    return [MarkNote(i, note, next(tips) if c is not None else None)
            for (i, note), c in zip(notes, centres)]


def draw_mark_notes(canvas: Canvas, notes: list[MarkNote], style: Style, pal,
                    figure: Box, keep_clear: list[Box]) -> None:
    """Each visible mark's note in a small box beside it (right of it, or left where the
    figure or an earlier box is in the way), with a leader to the mark's centre."""
    fnt = style.label_font
    lh = line_height(fnt, 1.15)
    pad = style.px(8)
    taken = list(keep_clear)
    for note in notes:
        if note.tip is None:
            continue
        lines = wrap(note.note, fnt, style.px(300))[:3]
        w = max(fnt.getlength(line) for line in lines) + 2 * pad
        h = lh * len(lines) + 2 * pad
        tx, ty = note.tip
        off = style.px(70)
        box = None
        for dx, dy in ((off, -off), (-off - w, -off), (off, off - h), (-off - w, off - h)):
            cand = (tx + dx, ty + dy, tx + dx + w, ty + dy + h)
            inside = cand[0] >= figure[0] and cand[2] <= figure[2] and cand[1] >= figure[1] \
                and cand[3] <= figure[3]
            if inside and not any(_overlap(cand, t) for t in taken):
                box = cand
                break
        if box is None:
            box = (tx + off, ty - off, tx + off + w, ty - off + h)
        note.box = box
        taken.append(box)
        near = (min(max(tx, box[0]), box[2]), min(max(ty, box[1]), box[3]))
        canvas.line(near, note.tip, style.halo_width, "#ffffff", 0.85)
        canvas.line(near, note.tip, style.leader_width * 1.3, MARK_COLOUR)
        canvas.disc(note.tip, style.dot_radius + style.px(2), "#ffffff")
        canvas.disc(note.tip, style.dot_radius, MARK_COLOUR)
        canvas.rounded_rect(box, style.px(6), fill=PANEL_FILL, outline=MARK_COLOUR,
                            width=max(1.5, style.px(2.5)), opacity=0.95)
        y = box[1] + pad
        for line in lines:
            canvas.text((box[0] + pad, y), line, fnt, pal.text)
            y += lh


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
