"""The printable handout (issue 17): one PDF with real text, made from the map and the lesson.

A4 or US letter, portrait. Pages, in order:

1. the cover: the back coloured by safe pressure, its legend, the map's description;
2. one section per stroke (effleurage, petrissage, friction): its map with the lesson's arrows,
   where it belongs (the zones by status), how (the lesson step's caption and the guide's
   sentences), then the zone table: status, pressure, technique and cautions of every zone;
3. the safety rules the guide gives (avoid, postpone, limit) with its sentences, and the
   screening questions of the map's ``[[conditions]]``;
4. the lesson's steps, each with its picture, caption, the rules it recalls and its quotes.

Every sentence comes from the region map or the lesson; the handout adds headings only. The
text is vector text in DejaVu Sans (embedded, subset), so it can be selected, searched and
read aloud; the pictures are rendered off-screen through the picture stages of
:mod:`viewer.render.picture` (the back framed large) at 300 dpi at their printed size. A
screening ("Before you start") is applied to every picture and summed up in a banner on every
page. The file is written atomically::

    scene = BodyScene(body, lesson.rmap)
    export_handout(scene, lesson, "handout.pdf", page="a4")
"""

from __future__ import annotations

import datetime as _dt
import io
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image

from viewer.core.atomic import atomic_write_bytes
from viewer.core.camera import preset_camera
from viewer.core.errors import BackViewError
from viewer.core.lesson import Lesson, Step
from viewer.core.palette import legend, mode_title, skin_palette, zone_colour
from viewer.core.regionmap import RegionMap, Rule, Stroke, StrokeStatus, Zone
from viewer.core.wording import (
    CAUTIONS_HEADING,
    QUOTES_HEADING,
    RULES_HEADING,
    TECHNIQUE_HEADING,
    step_text,
)
from viewer.render.picture.canvas import FONT_DIR
from viewer.render.picture.draw import compose_base
from viewer.render.picture.framing import fit_camera
from viewer.render.picture.lesson import _body_steps, _step_scenes, step_options
from viewer.render.picture.options import ExportOptions, check_output
from viewer.render.picture.pipeline import screened_of
from viewer.render.picture.render import render_view
from viewer.render.picture.style import Style
from viewer.render.scene import BodyScene
from viewer.render.screened import postpone_banner

#: page sizes: id -> (fpdf's name, width and height in mm)
PAGE_SIZES = {"a4": ("A4", (210.0, 297.0)), "letter": ("Letter", (215.9, 279.4))}
#: pictures are rendered at this resolution at their printed size
DPI = 300
#: the JPEG quality of the embedded pictures (flat colours and thin lines stay clean)
JPEG_QUALITY = 85
#: the pictures' zone borders and hatching: this many times a 1080p screen's line width
PRINT_LINE_SCALE = 2.0

# layout, mm and points
MARGIN = 16.0
FOOTER_H = 10.0
TEXT = (26, 24, 22)
MUTED = (92, 88, 82)
ACCENT = (31, 95, 139)          # the pictures' step accent (render.picture.style.STEP_ACCENT)
RULE_LINE = (217, 211, 203)
BANNER_FILL = (238, 244, 249)
POSTPONE_FILL = (150, 20, 20)
HATCH = (40, 40, 40)

#: the screening questions grouped by what a yes does (the window's dock says the same)
EFFECT_HEADINGS = {"postpone": "Postpone the massage", "avoid-area": "Avoid an area",
                   "limit": "Limit the pressure"}
#: the global rules of the safety section, by kind, in this order
SAFETY_KINDS = (("avoid", "Avoid"), ("postpone", "Postpone"), ("limit", "Limit"))


def check_page_size(size: str | None) -> str:
    """``a4`` (the default) or ``letter``; anything else is one line naming ``size``."""
    key = (size or "a4").strip().lower()
    if key not in PAGE_SIZES:
        raise BackViewError(f"'{size}' is not a page size: give a4 or letter", field="size")
    return key


def check_handout_output(out: str | Path) -> Path:
    """The PDF to write: a ``.pdf`` name in a folder that exists and can be written."""
    path = Path(out)
    if path.suffix.lower() != ".pdf" and not path.is_dir():
        what = f"'{path.suffix}'" if path.suffix else "a name without an extension"
        raise BackViewError(f"a handout is a PDF: name the file .pdf, not {what}", path, "out")
    path, _ = check_output(path)
    try:    # the surest check that the folder takes a new file, before anything is rendered
        with tempfile.TemporaryFile(dir=path.parent if str(path.parent) else "."):
            pass
    except OSError as exc:
        raise BackViewError(f"cannot write in '{path.parent}': {exc.strerror or exc}", path,
                            "out") from None
    return path


@dataclass
class HandoutResult:
    path: Path
    pages: int
    pictures: int
    page_size: str
    #: seconds spent rendering pictures, and in all
    render_seconds: float = 0.0
    seconds: float = 0.0
    #: the sections' titles, in order, with their first page
    sections: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- pictures
def figure_image(scene: BodyScene, opts: ExportOptions, size_px: tuple[int, int]) -> Image.Image:
    """The body framed large (the back itself, neck to sacrum, unless the body lies across the
    picture) in a ``size_px`` render, cut to the body's box, on white paper: no text in it
    (the handout sets its words as text). The options' screening is shown for this picture
    only."""
    W, H = (max(64, int(v)) for v in size_px)
    opts = replace(opts, size=(W, H), transparent=True, labels="none", frame="back",
                   title=None, pins=[])
    opts.validate(scene)
    screened = screened_of(scene, opts)
    before = scene.screened
    scene.apply_screening(screened)
    try:
        custom = opts.camera is not None
        pose = opts.camera if custom else preset_camera(scene.body, opts.view, W / H)
        framing = fit_camera(scene, pose, (0, 0, W, H), (W, H), 0.0, custom, back=True)
        anatomy = None
        if opts.xray:
            from viewer.core.structures import fit_structures

            anatomy = opts.anatomy if opts.anatomy is not None else fit_structures(scene.body)
        marked = [scene.rmap.zone(z).index for z in opts.highlight] or None
        # zone borders and hatching as thick on paper as on a screen (1 px of a 1080-line
        # screen is about 2 px of a 300 dpi page seen at reading distance)
        style = Style(W, H, PRINT_LINE_SCALE, W >= 1.15 * H)
        rendered = render_view(scene, opts, framing, style, marked, anatomy)
        pal = skin_palette(opts.palette, opts.skin_tone)
        canvas = compose_base(rendered, framing, True, pal)
    finally:
        scene.apply_screening(before)
    x0, y0, x1, y1 = framing.body_box
    box = (max(0, int(x0)), max(0, int(y0)), min(W, int(np.ceil(x1))), min(H, int(np.ceil(y1))))
    crop = canvas.image.crop(box)
    paper = Image.new("RGBA", crop.size, (255, 255, 255, 255))
    paper.alpha_composite(crop)
    return paper.convert("RGB")


def _jpeg(image: Image.Image) -> io.BytesIO:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, subsampling=2, dpi=(DPI, DPI))
    buf.seek(0)
    return buf


def _px(mm: float) -> int:
    return int(round(mm / 25.4 * DPI))


# --------------------------------------------------------------------------- the document
def _pdf_class():
    from fpdf import FPDF

    class HandoutPDF(FPDF):
        """Every page: the screening banner at the top (when given), the footer at the foot."""

        banner: tuple[str, str, bool] | None = None     # (heading, text, postponed)
        footer_left = ""
        footer_right = ""

        def header(self):
            if self.banner is None:
                return
            heading, text, postponed = self.banner
            w = self.w - 2 * MARGIN
            self.set_xy(MARGIN, 8)
            fill = POSTPONE_FILL if postponed else BANNER_FILL
            colour = (255, 255, 255) if postponed else TEXT
            self.set_font("DejaVu", "", 9.5)
            text_md = f"**{_md(heading)}:** {_md(text)}"
            h = self.multi_cell(w - 6, 4.4, text_md, dry_run=True, output="HEIGHT",
                                markdown=True) + 4
            self.set_fill_color(*fill)
            self.set_draw_color(*(fill if postponed else ACCENT))
            self.rect(MARGIN, 8, w, h, style="DF", round_corners=True, corner_radius=1.5)
            self.set_text_color(*colour)
            self.set_xy(MARGIN + 3, 10)
            self.multi_cell(w - 6, 4.4, text_md, markdown=True, align="L")
            self.set_y(8 + h + 5)
            self.set_text_color(*TEXT)

        def footer(self):
            self.set_y(-MARGIN + 2)
            self.set_draw_color(*RULE_LINE)
            self.line(MARGIN, self.get_y() - 2, self.w - MARGIN, self.get_y() - 2)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 4, self.footer_left, align="L")
            self.set_x(MARGIN)
            self.cell(0, 4, f"{self.footer_right} · page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(*TEXT)

    return HandoutPDF


class _Writer:
    """The handout laid out page by page in an fpdf2 document."""

    def __init__(self, page: str, rmap: RegionMap, lesson: Lesson | None, palette: str,
                 banner, date: _dt.date):
        fmt, (self.page_w, self.page_h) = PAGE_SIZES[page]
        self.pdf = pdf = _pdf_class()(orientation="P", unit="mm", format=fmt)
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, MARGIN + FOOTER_H - 4)
        pdf.set_lang("en")
        pdf.set_creator("BackView")
        info = rmap.info
        title = f"{info.name}: handout"
        pdf.set_title(title)
        pdf.set_subject(info.description or info.name)
        pdf.set_keywords("back massage, effleurage, petrissage, friction, safety")
        pdf.set_creation_date(_dt.datetime.combine(date, _dt.time(12, 0),
                                                   tzinfo=_dt.timezone.utc))
        pdf.banner = banner
        pdf.footer_left = f"{info.name}, version {info.version}" + (
            f" · {lesson.title}, version {lesson.data.lesson.version}" if lesson else "")
        pdf.footer_right = date.isoformat()
        self.rmap, self.lesson, self.palette = rmap, lesson, palette
        self.content_w = self.page_w - 2 * MARGIN
        self.sections: list[tuple[str, int]] = []

    # ------------------------------------------------------------------ text helpers
    @property
    def bottom(self) -> float:
        return self.page_h - MARGIN - FOOTER_H + 4

    def font(self, size: float, bold: bool = False, colour=TEXT) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        self.pdf.set_text_color(*colour)

    def section(self, title: str, kicker: str | None = None, new_page: bool = True) -> None:
        pdf = self.pdf
        if new_page:
            pdf.add_page()
        pdf.start_section(title, level=0)
        self.sections.append((title, pdf.page_no()))
        if kicker:
            self.font(9.5, True, ACCENT)
            pdf.cell(0, 5, kicker.upper(), new_x="LMARGIN", new_y="NEXT")
        self.font(22, True)
        pdf.multi_cell(0, 9.5, title, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2.5)

    def heading(self, text: str, size: float = 10, colour=ACCENT, x: float | None = None,
                w: float = 0) -> None:
        pdf = self.pdf
        if x is not None:
            pdf.set_x(x)
        self.font(size, True, colour)
        pdf.multi_cell(w, size * 0.5, text.upper() if size <= 10.5 else text,
                       new_x="LEFT", new_y="NEXT", align="L")
        pdf.ln(1.2)
        self.font(10)

    def para(self, text: str, size: float = 10, *, bold: bool = False, colour=TEXT,
             x: float | None = None, w: float = 0, lh: float | None = None,
             after: float = 1.8) -> None:
        pdf = self.pdf
        if x is not None:
            pdf.set_x(x)
        self.font(size, bold, colour)
        pdf.multi_cell(w, lh or size * 0.47, text, new_x="LEFT", new_y="NEXT", align="L")
        pdf.ln(after)

    def quote(self, text: str, size: float = 9, x: float | None = None, w: float = 0) -> None:
        """A guide sentence, with a bar beside it."""
        pdf = self.pdf
        x = pdf.l_margin if x is None else x
        w = w or (self.page_w - MARGIN - x)
        self.font(size, False, MUTED)
        lh = size * 0.46
        h = pdf.multi_cell(w - 3.5, lh, f"\u201c{text}\u201d", dry_run=True, output="HEIGHT")
        if pdf.get_y() + h > self.bottom:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_fill_color(*ACCENT)
        pdf.rect(x, y + 0.6, 0.8, h - 1.0, style="F")
        pdf.set_xy(x + 3.5, y)
        pdf.multi_cell(w - 3.5, lh, f"\u201c{text}\u201d", new_x="LEFT", new_y="NEXT",
                       align="L")
        pdf.set_x(x)
        pdf.ln(1.6)
        self.font(10)

    def swatch(self, x: float, y: float, s: float, colour: str, hatched: bool) -> None:
        pdf = self.pdf
        pdf.set_fill_color(*_rgb(colour))
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.2)
        pdf.rect(x, y, s, s, style="DF")
        if hatched:
            pdf.set_draw_color(*HATCH)
            pdf.set_line_width(0.25)
            step = s / 4
            c = step
            while c < 2 * s - 1e-6:
                # the 45-degree line x + y = c inside the square
                a = (x + max(0.0, c - s), y + min(c, s))
                b = (x + min(c, s), y + max(0.0, c - s))
                pdf.line(*a, *b)
                c += step
            pdf.set_draw_color(*MUTED)
            pdf.set_line_width(0.2)
            pdf.rect(x, y, s, s, style="D")

    def legend(self, heading: str, entries, x: float, w: float, size: float = 9.5) -> None:
        pdf = self.pdf
        self.heading(heading, 10.5, TEXT, x=x, w=w)
        s = 4.6
        for e in entries:
            self.font(size)
            y = pdf.get_y()
            h = pdf.multi_cell(w - s - 2.5, size * 0.45, e.label, dry_run=True, output="HEIGHT")
            self.swatch(x, y + max(0.0, (h - s) / 2), s, e.colour, e.hatched)
            pdf.set_xy(x + s + 2.5, y + max(0.0, (s - h) / 2))
            pdf.multi_cell(w - s - 2.5, size * 0.45, e.label, new_x="LEFT", new_y="NEXT",
                           align="L")
            pdf.set_xy(x, max(pdf.get_y(), y + s) + 1.6)

    def image(self, image: Image.Image, x: float, y: float, w: float, h: float,
              alt: str, align: str = "C") -> tuple[float, float, float, float]:
        """``image`` fitted into the box (w, h) at (x, y), keeping its aspect: (x, y, w, h)."""
        iw, ih = image.size
        k = min(w / iw, h / ih)
        dw, dh = iw * k, ih * k
        dx = x + (w - dw) / 2 if align == "C" else x
        self.pdf.image(_jpeg(image), x=dx, y=y, w=dw, h=dh, alt_text=alt)
        return dx, y, dw, dh


def _md(text: str) -> str:
    """``text`` safe inside fpdf2's markdown (its markers doubled are literal there)."""
    for mark in ("**", "__", "--", "~~"):
        text = text.replace(mark, mark[0] + "\u200b" + mark[1])
    return text


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def _zone_groups(rmap: RegionMap) -> list[tuple[str, list[Zone]]]:
    """The map's zones by their spec: a paired zone once, as "Name (left and right)"."""
    out: dict[str, list[Zone]] = {}
    for z in rmap.zones:
        out.setdefault(z.spec.id, []).append(z)
    return [(zs[0].spec.name + (" (left and right)" if len(zs) > 1 else ""), zs)
            for zs in out.values()]


# --------------------------------------------------------------------------- export
def export_handout(scene: BodyScene, lesson: Lesson | None, out: str | Path, *,
                   page: str = "a4", palette: str = "default", skin_tone: str = "default",
                   screening=None, date: _dt.date | None = None,
                   progress=None) -> HandoutResult:
    """Write the handout of ``scene``'s map (and ``lesson``'s steps) to ``out`` (.pdf),
    atomically: on any error nothing is written and an existing file is left as it was.
    ``progress(done, total, what)`` is called after each picture."""
    start = time.perf_counter()
    page = check_page_size(page)
    path = check_handout_output(out)
    rmap = scene.rmap
    date = date or _dt.date.today()
    pictures = _Pictures(scene, lesson, palette, skin_tone, screening)
    writer = _Writer(page, rmap, lesson, palette, pictures.banner(), date)
    total = 1 + len(Stroke) + (len(lesson.steps) if lesson is not None else 0)
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, what)

    _cover(writer, pictures)
    tick("cover")
    for stroke in Stroke:
        _stroke_pages(writer, pictures, stroke)
        tick(stroke.value)
    _safety_pages(writer, pictures)
    if lesson is not None:
        _lesson_pages(writer, pictures, tick)
    data = bytes(writer.pdf.output())
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise BackViewError(f"cannot be written: {exc.strerror or exc}", path, "out") from None
    return HandoutResult(path, writer.pdf.page_no(), pictures.count, page,
                         pictures.seconds, time.perf_counter() - start, writer.sections,
                         pictures.warnings)


class _Pictures:
    """The handout's pictures: one scene per body, the screening applied once per body."""

    def __init__(self, scene: BodyScene, lesson: Lesson | None, palette: str, skin_tone: str,
                 screening):
        self.scene, self.lesson, self.palette, self.skin_tone = scene, lesson, palette, skin_tone
        self.screening = screening if screening is not None and not screening.empty else None
        self.count = 0
        self.seconds = 0.0
        self.warnings: list[str] = []
        self._screened: dict[int, tuple] = {}
        self.step_scenes = _step_scenes(lesson, scene) if lesson is not None else []
        self._anatomy: dict[int, object] = {}
        self.screened = self._screened_for(scene)[1]

    def _screened_for(self, s: BodyScene):
        if id(s) not in self._screened:
            if self.screening is None:
                self._screened[id(s)] = (None, None)
            else:
                from viewer.core.screening import Screening, apply_screening

                # a step on another body keeps the answers but not the marks (they lie on
                # this body)
                mine = self.screening if s is self.scene else Screening(
                    self.screening.conditions, ())
                self._screened[id(s)] = (mine, None if mine.empty
                                         else apply_screening(s.assignment, mine))
        return self._screened[id(s)]

    def banner(self):
        """The banner on every page: (heading, text, postponed), or None without screening."""
        screened = self.screened
        if screened is None:
            return None
        b = postpone_banner(screened)
        if b is not None:
            return (b.heading, " ".join(b.sentences), True)
        parts = [c.reason for c in screened.conditions if c.effect != "avoid-area"
                 or not screened.screening.marks]
        marks = [screened.mark_reason(i) + f", {m.radius_cm:g} cm"
                 for i, m in enumerate(screened.screening.marks)]
        text = "; ".join(parts + marks) or "nothing applies"
        return ("Before you start", text + ".", False)

    def render(self, opts: ExportOptions, scene: BodyScene, box_mm: tuple[float, float]):
        t = time.perf_counter()
        opts.palette, opts.skin_tone = self.palette, self.skin_tone
        opts.screening, opts.screened = self._screened_for(scene)
        if opts.xray and opts.anatomy is None:
            from viewer.core.structures import fit_structures

            if id(scene) not in self._anatomy:
                self._anatomy[id(scene)] = fit_structures(scene.body)
                self.warnings += list(self._anatomy[id(scene)].missing)
            opts.anatomy = self._anatomy[id(scene)]
        image = figure_image(scene, opts, (_px(box_mm[0]), _px(box_mm[1])))
        self.count += 1
        self.seconds += time.perf_counter() - t
        return image

    def stroke_step(self, stroke: Stroke) -> tuple[int, Step] | None:
        if self.lesson is None:
            return None
        return next(((k, s) for k, s in enumerate(self.lesson.steps, start=1)
                     if s.colour_by == f"stroke:{stroke.value}" and s.arrows), None)

    def step_options(self, k: int, step: Step) -> tuple[ExportOptions, BodyScene]:
        scene = self.step_scenes[k - 1]
        opts = step_options(self.lesson, step, k, scene)
        _body_steps(_OneStep(self.lesson, step), [opts])
        return opts, scene


class _OneStep:
    """A lesson seen through one of its steps (for ``_body_steps``)."""

    def __init__(self, lesson: Lesson, step: Step):
        self._lesson, self.steps = lesson, [step]

    def __getattr__(self, name):
        return getattr(self._lesson, name)


# --------------------------------------------------------------------------- pages
def _cover(w: _Writer, pictures: _Pictures) -> None:
    pdf, rmap = w.pdf, w.rmap
    info = rmap.info
    pdf.add_page()
    pdf.start_section(info.name, level=0)
    w.sections.append((info.name, pdf.page_no()))
    w.font(9.5, True, ACCENT)
    pdf.cell(0, 5, (w.lesson.title if w.lesson else "Handout").upper(), new_x="LMARGIN",
             new_y="NEXT")
    w.font(28, True)
    pdf.multi_cell(0, 12, info.name, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1)
    if info.description:
        w.para(info.description, 11.5, colour=MUTED, lh=5.6, after=4)
    top = pdf.get_y()
    pic_w = w.content_w * 0.6
    pic_h = w.bottom - top - 4
    opts = ExportOptions(mode="pressure", view="back")
    image = pictures.render(opts, pictures.scene, (pic_w, pic_h))
    x, y, dw, dh = w.image(image, MARGIN, top, pic_w, pic_h,
                           f"The back seen from behind, coloured by {mode_title('pressure')}")
    lx = MARGIN + pic_w + 6
    lw = w.page_w - MARGIN - lx
    pdf.set_xy(lx, top + 2)
    pal = skin_palette(w.palette, pictures.skin_tone)
    entries = legend("pressure", rmap, pal)
    if pictures.screened is not None:
        from viewer.render.screened import ScreenedLook, screening_legend

        look = ScreenedLook.of(pictures.screened, rmap)
        entries = entries + screening_legend(pictures.screened, look, "pressure", pal)
    w.legend(mode_title("pressure"), entries, lx, lw)
    pdf.ln(4)
    pressure = next((r for r in rmap.rules if r.id == "pressure"), None)
    if pressure is not None:
        pdf.set_x(lx)
        w.heading(pressure.title, 10.5, TEXT, x=lx, w=lw)
        w.para(pressure.text, 9.5, x=lx, w=lw, lh=4.5)
    pdf.ln(3)
    pdf.set_x(lx)
    w.heading("In this handout", 10, ACCENT, x=lx, w=lw)
    contents = [s.label for s in Stroke] + ["Safety rules"] + (
        [f"The lesson, step by step ({len(w.lesson.steps)} steps)"] if w.lesson else [])
    for line in contents:
        w.para(f"\u2022 {line}", 9.5, x=lx, w=lw, lh=4.6, after=0.6)


def _stroke_pages(w: _Writer, pictures: _Pictures, stroke: Stroke) -> None:
    pdf, rmap = w.pdf, w.rmap
    mode = f"stroke:{stroke.value}"
    found = pictures.stroke_step(stroke)
    title = found[1].title if found else stroke.label
    w.section(title, kicker=stroke.label)
    top = pdf.get_y()
    pic_w, pic_h = w.content_w * 0.58, min(165.0, w.bottom - top - 70)
    if found:
        opts, scene = pictures.step_options(*found)
        opts = replace(opts, highlight=[], layers=("skin",), skin_opacity=1.0, step=None)
        opts.mode = mode
    else:
        opts, scene = ExportOptions(mode=mode, view="back"), pictures.scene
    image = pictures.render(opts, scene, (pic_w, pic_h))
    alt = f"The back seen from behind, coloured by where {stroke.value} belongs" + (
        ", with the lesson's stroke arrows" if found else "")
    _, _, _, dh = w.image(image, MARGIN, top, pic_w, pic_h, alt)
    after_pic = top + dh
    rx = MARGIN + pic_w + 6
    rw = w.page_w - MARGIN - rx
    pdf.set_xy(rx, top)
    pal = skin_palette(w.palette, pictures.skin_tone)
    entries = {e.key: e for e in legend(mode, rmap, pal)}
    w.heading(mode_title(mode), 10.5, TEXT, x=rx, w=rw)
    groups = _zone_groups(rmap)
    s = 4.6
    for status in StrokeStatus:
        names = [name for name, zs in groups if zs[0].spec.strokes[stroke] == status]
        entry = entries.get(status.value)
        if not names or entry is None:
            continue
        y = pdf.get_y()
        w.swatch(rx, y, s, entry.colour, entry.hatched)
        pdf.set_xy(rx + s + 2.5, y + 0.2)
        w.font(9.5, True)
        pdf.multi_cell(rw - s - 2.5, 4.4, entry.label, new_x="LEFT", new_y="NEXT", align="L")
        w.para(", ".join(names), 9, x=rx + s + 2.5, w=rw - s - 2.5, lh=4.2, after=2.2)
        pdf.set_x(rx)
    other = [e for k, e in entries.items() if k not in {v.value for v in StrokeStatus}]
    if other:
        pdf.ln(1)
        for e in other:
            y = pdf.get_y()
            w.swatch(rx, y, s, e.colour, e.hatched)
            pdf.set_xy(rx + s + 2.5, y + 0.2)
            w.para(e.label, 9, x=rx + s + 2.5, w=rw - s - 2.5, lh=4.2, after=2)
            pdf.set_x(rx)
    y_right = pdf.get_y()
    pdf.set_xy(MARGIN, max(after_pic, y_right) + 4)
    if found:
        k, step = found
        text = step_text(pictures.lesson, step, k)
        w.heading("How", 10, ACCENT)
        w.para(text.caption, 11.5, lh=5.6, after=2.5)
        for q in text.quotes:
            w.quote(q, 9.5)
    pdf.add_page()
    _zone_table(w, pictures, stroke)


def _zone_table(w: _Writer, pictures: _Pictures, stroke: Stroke) -> None:
    """Every zone, by its status for ``stroke`` (most recommended first): status, pressure,
    technique and cautions; a status the screening reduces says so."""
    pdf, rmap = w.pdf, w.rmap
    screened = pictures.screened
    rows = []
    for name, zs in _zone_groups(rmap):
        z = zs[0]
        status, pressure = z.spec.strokes[stroke], z.pressure
        note_s = note_p = ""
        if screened is not None:
            caps = [c for c in screened.limits if any(
                zid in rmap.limit_zone_ids(c.limit.zones) for zid in (x.id for x in zs))]
            if caps:
                rule = Rule.most_cautious([z.rule] + [c.cap for c in caps])
                why = "; ".join(c.reason for c in caps)
                if rule.strokes[stroke] != status:
                    note_s = f" (reduced: {why}; the zone's own: {status.label})"
                    status = rule.strokes[stroke]
                if rule.pressure != pressure:
                    note_p = f" (reduced: {why}; the zone's own: {pressure.label})"
                    pressure = rule.pressure
        rows.append((status, pressure, name, note_s, note_p, z))
    rows.sort(key=lambda r: (-r[0].rank, r[5].index))
    w.font(9.5, True, ACCENT)
    pdf.cell(0, 5, stroke.label.upper(), new_x="LMARGIN", new_y="NEXT")
    w.font(15, True)
    pdf.multi_cell(0, 7, "Zone by zone", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    pal = skin_palette(w.palette, pictures.skin_tone)
    # the largest type (down to TABLE_MIN_SCALE) at which the table fits the page; past that
    # it flows on to the next one
    for scale in TABLE_SCALES:
        with pdf.offset_rendering() as trial:
            _draw_zone_table(trial, w, rows, stroke, pal, scale)
        if not trial.page_break_triggered:
            break
    _draw_zone_table(pdf, w, rows, stroke, pal, scale)
    w.font(10)


#: the zone table's type sizes, tried in turn until the table fits its page
TABLE_SCALES = (1.0, 0.95, 0.9, 0.86)


def _draw_zone_table(pdf, w: _Writer, rows, stroke: Stroke, pal, scale: float) -> None:
    from fpdf.fonts import FontFace

    mode = f"stroke:{stroke.value}"
    pdf.set_font("DejaVu", "", 7.4 * scale)
    pdf.set_text_color(*TEXT)
    head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
    cw = w.content_w
    widths = (0.14 * cw, 0.13 * cw, 0.10 * cw, 0.335 * cw, 0.295 * cw)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(*RULE_LINE)
    with pdf.table(col_widths=widths, headings_style=head, line_height=3.35 * scale,
                   text_align="LEFT", borders_layout="HORIZONTAL_LINES",
                   padding=(1.0, 1.2, 0.6, 1.2), cell_fill_color=(247, 245, 241),
                   cell_fill_mode="ROWS", v_align="TOP", first_row_as_headings=True,
                   repeat_headings=1) as table:
        r = table.row()
        for t in ("Zone", stroke.label, "Pressure", TECHNIQUE_HEADING, CAUTIONS_HEADING):
            r.cell(t)
        for status, pressure, name, note_s, note_p, z in rows:
            r = table.row()
            r.cell(name, style=FontFace(emphasis="BOLD"))
            fill = _rgb(zone_colour(Rule(pressure, tuple(
                status if s == stroke else StrokeStatus.RECOMMENDED for s in Stroke)), mode, pal))
            light = _luminance(fill) > 0.35
            r.cell(status.label + note_s, style=FontFace(
                fill_color=fill, color=TEXT if light else (255, 255, 255)))
            r.cell(pressure.label + note_p)
            r.cell(z.spec.technique)
            r.cell("\n".join(f"\u2022 {c}" for c in z.spec.cautions))


def _luminance(rgb) -> float:
    from viewer.core.palette import relative_luminance

    return relative_luminance("#%02x%02x%02x" % tuple(rgb))


def _safety_pages(w: _Writer, pictures: _Pictures) -> None:
    pdf, rmap = w.pdf, w.rmap
    w.section("Safety rules", kicker="Before you start")
    for kind, word in SAFETY_KINDS:
        rules = [r for r in rmap.rules if r.kind == kind]
        for rule in rules:
            if pdf.get_y() + 25 > w.bottom:
                pdf.add_page()
            w.font(9.5, True, ACCENT)
            pdf.cell(0, 5, word.upper(), new_x="LMARGIN", new_y="NEXT")
            w.para(rule.title, 13.5, bold=True, lh=6.2, after=1)
            w.para(rule.text, 10.5, lh=5.0, after=1.5)
            for c in rule.citations:
                w.quote(c, 9)
            pdf.ln(3)
    conds = rmap.conditions
    if not conds:
        return
    if pdf.get_y() + 40 > w.bottom:
        pdf.add_page()
    pdf.set_draw_color(*RULE_LINE)
    pdf.line(MARGIN, pdf.get_y(), w.page_w - MARGIN, pdf.get_y())
    pdf.ln(3)
    w.font(15, True)
    pdf.multi_cell(0, 7, "Ask before you start", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    answered = set(pictures.screening.conditions) if pictures.screening else set()
    for effect, heading in EFFECT_HEADINGS.items():
        group = [c for c in conds if c.effect == effect]
        if not group:
            continue
        if pdf.get_y() + 15 > w.bottom:
            pdf.add_page()
        w.heading(heading, 10, ACCENT)
        for c in group:
            mark = "\u2611" if c.id in answered else "\u2610"
            yes = " \u2014 yes" if c.id in answered else ""
            w.para(f"{mark}  {c.question}{yes}", 10, bold=c.id in answered, lh=4.9, after=0.8)
        pdf.ln(2)


def _lesson_pages(w: _Writer, pictures: _Pictures, tick) -> None:
    pdf, lesson = w.pdf, pictures.lesson
    w.section(lesson.title, kicker=f"The lesson, {len(lesson.steps)} steps")
    pic_w = w.content_w * 0.40
    text_x = MARGIN + pic_w + 6
    text_w = w.page_w - MARGIN - text_x
    for k, step in enumerate(lesson.steps, start=1):
        text = step_text(lesson, step, k)
        opts, scene = pictures.step_options(k, step)
        opts.step = None
        lying = opts.view == "table"
        # a body lying on its table is wide: the picture across the page, the text under it
        box = (w.content_w, w.content_w * 0.38) if lying else (pic_w, pic_w * 1.4)
        image = pictures.render(opts, scene, box)
        tick(step.id)
        iw, ih = image.size
        k_fit = min(box[0] / iw, box[1] / ih)
        img_h = ih * k_fit
        if lying:
            need = 13 + img_h + 4 + _step_text_height(w, text, w.content_w)
        else:
            need = 13 + max(img_h, _step_text_height(w, text, text_w))
        if pdf.get_y() + need > w.bottom:
            pdf.add_page()
        pdf.start_section(f"Step {k}: {step.title}", level=1)
        w.font(9, True, ACCENT)
        pdf.cell(0, 4.5, text.heading.upper(), new_x="LMARGIN", new_y="NEXT")
        w.para(step.title, 14, bold=True, lh=6.4, after=1.5)
        top = pdf.get_y()
        w.image(image, MARGIN, top, box[0], box[1], f"{text.heading}: {step.title}", align="L")
        if lying:
            pdf.set_xy(MARGIN, top + img_h + 4)
            _step_text(w, text, MARGIN, w.content_w)
            pdf.set_xy(MARGIN, pdf.get_y() + 5)
        else:
            pdf.set_xy(text_x, top)
            _step_text(w, text, text_x, text_w)
            pdf.set_xy(MARGIN, max(pdf.get_y(), top + img_h) + 5)
        if k < len(lesson.steps) and pdf.get_y() < w.bottom - 20:
            pdf.set_draw_color(*RULE_LINE)
            pdf.line(MARGIN, pdf.get_y() - 2.5, w.page_w - MARGIN, pdf.get_y() - 2.5)


def _step_text(w: _Writer, text, x: float, width: float) -> None:
    pdf = w.pdf
    w.para(text.caption, 10.5, x=x, w=width, lh=5.0, after=2.5)
    if text.rules:
        w.heading(RULES_HEADING, 9, ACCENT, x=x, w=width)
        for title, body in text.rules:
            w.para(title, 9.5, bold=True, x=x, w=width, lh=4.5, after=0.4)
            if body:
                w.para(body, 9.5, x=x, w=width, lh=4.5, after=1.5)
    if text.quotes:
        pdf.set_x(x)
        w.heading(QUOTES_HEADING, 9, ACCENT, x=x, w=width)
        for q in text.quotes:
            pdf.set_x(x)
            w.quote(q, 8.5, x=x, w=width)


def _step_text_height(w: _Writer, text, width: float) -> float:
    pdf = w.pdf
    w.font(10.5)
    h = pdf.multi_cell(width, 5.0, text.caption, dry_run=True, output="HEIGHT") + 2.5
    if text.rules:
        h += 6
        for title, body in text.rules:
            w.font(9.5, True)
            h += pdf.multi_cell(width, 4.5, title, dry_run=True, output="HEIGHT") + 0.4
            w.font(9.5)
            h += pdf.multi_cell(width, 4.5, body, dry_run=True, output="HEIGHT") + 1.5
    if text.quotes:
        h += 6
        w.font(8.5)
        for q in text.quotes:
            h += pdf.multi_cell(width - 3.5, 8.5 * 0.46, q, dry_run=True, output="HEIGHT") + 1.6
    w.font(10)
    return h


__all__ = ["DPI", "PAGE_SIZES", "HandoutResult", "check_handout_output", "check_page_size",
           "export_handout", "figure_image"]
