"""A quiz as pictures for slides: a question picture and an answer picture per question, written
all together (all or nothing, like the lesson's pictures).

Each picture is an ordinary annotated export (:func:`viewer.render.picture.pipeline.
annotated_image`) with a lesson step's page: the question's prompt as the title, its choices in
the panel, and on the answer picture the answer and the guide's sentences, verbatim::

    scene = BodyScene(body, quiz.rmap)
    export_quiz(scene, quiz.questions(body.landmarks), "slides/", size=(1920, 1080))
    # slides/01-where-friction-recommended-question.png, ...-answer.png, ...

A question picture gives nothing away: the body in plain skin (no zone colours, borders,
hatching, labels or legend); a ``what`` question outlines only its zone. The answer picture
shows the answer: the skin that answers a ``where`` question coloured (the rule that applies
there, as the window colours it), the outlined zone of a ``what`` question in its value's
colour, the landmark of a drill marked (and, for a count from C7, every spinous process counted,
numbered), the stroke of an order question coloured, the screened map of a condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer.core.anatomy import EOP
from viewer.core.palette import LegendEntry, hex_to_rgb, legend, skin_palette, zone_colour
from viewer.core.quiz import KIND_LABELS, Question
from viewer.core.regionmap import Pressure, StrokeStatus
from viewer.core.zones import NO_ZONE
from viewer.render.picture.canvas import Canvas, check_glyphs
from viewer.render.picture.lesson import _Staging, check_export_dir
from viewer.render.picture.options import CellPaint, ExportOptions
from viewer.render.picture.pipeline import ExportResult, annotated_image
from viewer.render.picture.step_page import StepSpec
from viewer.render.picture.style import Style
from viewer.render.picture.write import encode
from viewer.render.scene import BodyScene

#: the landmark's marker and the counted spinous processes' dots
TARGET_COLOUR = "#c2185b"
COUNT_COLOUR = "#1b1b1b"
RIGHT_MARK = "\u2713"          # ✓ beside the right choice
PICTURES = ("question", "answer")


def picture_name(number: int, question: Question, which: str) -> str:
    """``03-what-pressure-neck-question.png``: numbered so a folder lists them in order."""
    return f"{number:02d}-{question.id}-{which}.png"


@dataclass
class QuizPicture:
    question: Question
    which: str                  # "question" or "answer"
    path: Path
    result: ExportResult


# --------------------------------------------------------------------------- colours
def answer_cells(scene: BodyScene, question: Question) -> np.ndarray:
    """``where``: the cut surface's cells whose rule answers the question (the cells'
    version of :func:`viewer.core.quiz.answer_faces`)."""
    fld, values = question.criterion
    n_zones = len(scene.rmap.zones)
    ok_zone = np.array([z.rule.fields()[fld] in values for z in scene.rmap.zones] + [False])
    row = np.where(scene.zone_of_cell == NO_ZONE, n_zones, scene.zone_of_cell).astype(int)
    mask = ok_zone[row]
    multi = np.flatnonzero(scene.cover_of_cell >= 0)
    if len(multi):
        ok_cover = np.array([c.rule.fields()[fld] in values for c in scene.covers])
        mask[multi] = ok_cover[scene.cover_of_cell[multi]]
    return mask


def _mode_of(fld: str) -> str:
    return "pressure" if fld == "pressure" else f"stroke:{fld}"


def _value_colour(fld: str, value: str, pal) -> str:
    return pal.pressure[Pressure(value)] if fld == "pressure" else pal.strokes[StrokeStatus(value)]


def plain_paint(scene: BodyScene, pal) -> CellPaint:
    """The body in plain skin: no zone colours, borders, hatching or legend."""
    rgb = np.tile(np.array(hex_to_rgb(pal.no_zone), np.uint8), (scene.surface.n_cells, 1))
    return CellPaint(rgb)


def _where_paint(scene: BodyScene, question: Question, pal) -> CellPaint:
    fld, values = question.criterion
    paint = plain_paint(scene, pal)
    mask = answer_cells(scene, question)
    colour = _value_colour(fld, values[0], pal)
    paint.rgb[mask] = hex_to_rgb(colour)
    rows = [e for e in legend(_mode_of(fld), scene.rmap, pal) if e.key in values]
    paint.hatched = mask if "avoid" in values else None
    paint.legend_heading = "The answer"
    paint.legend = rows + [LegendEntry("other", "Anywhere else: not the answer", pal.no_zone,
                                       False)]
    return paint


def _what_paint(scene: BodyScene, question: Question, pal) -> CellPaint:
    zone = scene.rmap.zone(question.zone)
    mode = _mode_of(question.field)
    paint = plain_paint(scene, pal)
    mask = scene.zone_of_cell == zone.index
    paint.rgb[mask] = hex_to_rgb(zone_colour(zone, mode, pal))
    value = question.answer["choice"]
    paint.hatched = mask if value == "avoid" else None
    paint.legend_heading = f"{zone.name}"
    paint.legend = [e for e in legend(mode, scene.rmap, pal) if e.key == value]
    return paint


# --------------------------------------------------------------------------- text
def _choice_rows(question: Question, answer: bool) -> list[tuple[str, str]]:
    rows = []
    for k, c in enumerate(question.choices):
        letter = chr(ord("A") + k)
        right = answer and c.value == question.answer.get("choice")
        rows.append((f"{letter}.  {c.label}" + (f"  {RIGHT_MARK}" if right else ""), ""))
    return rows


def _instruction(question: Question) -> str:
    if question.kind == "where":
        return "Point to the skin on the body."
    if question.kind == "what":
        return "The outlined zone: choose one answer."
    if question.kind == "landmark":
        return (f"Point to it on the body: within {question.radius * 100:g} cm counts as "
                "found.")
    if question.prompt.endswith(ASK_GUIDE):
        return f"{ASK_GUIDE} Choose one answer."
    return "Choose one answer."


#: the end of a screening question's prompt, said in the panel (the title keeps the question)
ASK_GUIDE = "What does the guide say?"


def picture_title(question: Question) -> str:
    """The prompt as the picture's title (a screening question's "What does the guide say?"
    goes to the panel: the title has two lines)."""
    return question.prompt.removesuffix(ASK_GUIDE).strip()


def question_spec(question: Question, number: int, total: int, answer: bool) -> StepSpec:
    """The panel: the instruction and the choices; on the answer, the answer in words, the
    explanation and the guide's sentences."""
    kind = KIND_LABELS[question.kind]
    kicker = f"{'Answer' if answer else 'Question'} {number} of {total} \u00b7 {kind}"
    rows = _choice_rows(question, answer)
    if not answer:
        return StepSpec(kicker=kicker, caption=_instruction(question), rules=rows, quotes=[],
                        rules_heading="Choices")
    if question.kind == "what" or question.condition:
        caption = f"Answer: {question.explanation}"     # it begins with the answer
    elif "choice" in question.answer:
        caption = f"Answer: {question.answer_label}. {question.explanation}"
    elif question.kind == "landmark":
        caption = question.explanation
        if question.count_from:
            caption = (f"Count the spinous processes down from C7: {len(question.count_from)} "
                       f"in all (numbered). {caption}")
        if question.source:
            caption += f" (Source: {question.source.split(' (')[0]}.)"
    else:
        caption = question.explanation
    return StepSpec(kicker=kicker, caption=caption, rules=rows, quotes=list(question.citations),
                    rules_heading="Choices")


# --------------------------------------------------------------------------- options
def question_options(scene: BodyScene, question: Question, number: int, total: int, *,
                     answer: bool, size=(1920, 1080), palette: str = "default",
                     dpi: int | None = None, skin_tone: str = "default",
                     footer: str = "", view: str = "back", props=None) -> ExportOptions:
    """The export options of a question's picture (``answer``: its answer picture)."""
    pal = skin_palette(palette, skin_tone)
    # the back large (neck to sacrum), as in the lesson's pictures; a drill on the skull's
    # landmark keeps the head in frame
    frame = "body" if question.answer.get("landmark") == EOP else "back"
    opts = ExportOptions(size=size, palette=palette, skin_tone=skin_tone, dpi=dpi, view=view,
                         title=picture_title(question), labels="none", frame=frame,
                         step=question_spec(question, number, total, answer), footer=footer,
                         metadata={"backview:quiz-question": question.id,
                                   "backview:quiz-picture": "answer" if answer else "question",
                                   "backview:quiz-number": f"{number}/{total}"})
    kind = question.kind
    if kind == "what":
        opts.highlight = [question.zone]
    if not answer:
        opts.paint = plain_paint(scene, pal)
    elif kind == "where":
        opts.paint = _where_paint(scene, question, pal)
    elif kind == "what":
        opts.paint = _what_paint(scene, question, pal)
    elif kind == "landmark":
        opts.paint = plain_paint(scene, pal)
        opts.extra_meshes = _landmark_meshes(scene, question)
    elif kind == "rules":
        _rules_answer(scene, question, opts, pal)
    if props is not None:      # a body on the massage table: its table, cradle, bolster, towel
        from viewer.render.props import PROPS_COLOUR

        opts.extra_meshes = [*opts.extra_meshes, (props, PROPS_COLOUR)]
    return opts


def _rules_answer(scene: BodyScene, question: Question, opts: ExportOptions, pal) -> None:
    """An order question: the body coloured by the answer's stroke; a screening condition: the
    map as that condition leaves it (postponed, or the limited zones), else plain."""
    value = question.answer["choice"]
    if question.condition:
        cid = question.condition
        if value in ("postpone", "limit"):
            from viewer.core.screening import Screening

            opts.screening = Screening((cid,), ())
            opts.mode = "pressure"
        else:
            opts.paint = plain_paint(scene, pal)
        return
    opts.mode = f"stroke:{value}"


def _landmark_meshes(scene: BodyScene, question: Question) -> list:
    """A ball on the landmark and a small one on each spinous process counted."""
    unit = scene.body.unit
    name = question.answer["landmark"]
    out = [(pv.Sphere(radius=0.009 / unit, center=scene.body.landmark(name),
                      theta_resolution=24, phi_resolution=24), TARGET_COLOUR)]
    for counted in question.count_from:
        if counted != name:
            out.append((pv.Sphere(radius=0.0055 / unit, center=scene.body.landmark(counted),
                                  theta_resolution=16, phi_resolution=16), COUNT_COLOUR))
    return out


def _to_image(result: ExportResult, points: np.ndarray, size) -> np.ndarray:
    """World points -> image pixels through the picture's parallel camera."""
    cam = result.render_camera
    W, H = size
    pos, focal = np.asarray(cam.position, float), np.asarray(cam.focal_point, float)
    back = (pos - focal) / np.linalg.norm(pos - focal)
    up = np.asarray(cam.view_up, float)
    up = up - back * (up @ back)
    up /= np.linalg.norm(up)
    right = np.cross(up, back)
    k = (H / 2) / cam.parallel_scale
    d = np.atleast_2d(points) - focal
    return np.c_[W / 2 + (d @ right) * k, H / 2 - (d @ up) * k]


def _draw_landmark_answer(result: ExportResult, scene: BodyScene, question: Question,
                          size) -> None:
    """Over the picture: a ring of the drill's radius around the landmark, its name, and the
    numbers of the spinous processes counted from C7 (alternately left and right)."""
    style = Style.for_size(*size)
    canvas = Canvas(result.image.convert("RGBA"))
    name = question.answer["landmark"]
    unit = scene.body.unit
    target = scene.body.landmark(name)
    xy = _to_image(result, target, size)[0]
    # the radius in pixels: a point that far to the side of the landmark
    edge = _to_image(result, target + scene.body.frame.left * (question.radius / unit),
                     size)[0]
    r = float(np.hypot(*(edge - xy)))
    canvas.ring(xy, r, style.px(5), "#ffffff", 0.9)
    canvas.ring(xy, r, style.px(2.5), TARGET_COLOUR)
    fnt = style.f(17, True)
    points = [_to_image(result, scene.body.landmark(n), size)[0] for n in question.count_from]
    # the labels go beside the spine, alternately on either side of it: left and right when it
    # runs down the picture, above and below when it runs across (a body on the table)
    upright = len(points) < 2 or abs(points[-1][1] - points[0][1]) >= abs(
        points[-1][0] - points[0][0])
    # too close together for a label each (a small body, seen from beside the table): the dots
    # all, and the labels that find room, the landmark's, C7's and every fifth first
    gaps = np.linalg.norm(np.diff(np.asarray(points), axis=0), axis=1) if len(points) > 1 else []
    crowded = len(gaps) > 0 and 2 * float(np.median(gaps)) < style.px(34)
    labels = []
    for k, (counted, p) in enumerate(zip(question.count_from, points), start=1):
        side = (-1 if k % 2 else 1) if not crowded else -1
        level = counted.removeprefix("spinous_")
        if upright:
            at = (p[0] + side * style.px(16), p[1])
            label = f"{k} {level}" if side > 0 else f"{level} {k}"
            anchor = "lm" if side > 0 else "rm"
        else:
            at = (p[0], p[1] + side * style.px(18))
            label = str(k) if counted not in (question.count_from[0], name) else f"{level} {k}"
            anchor = "mm"
        x0, _, x1, _ = fnt.getbbox(label, anchor=anchor)
        box = (at[0] + x0 - style.px(4), at[1] - style.px(11), at[0] + x1 + style.px(4),
               at[1] + style.px(11))
        rank = 0 if counted == name else 1 if k == 1 else 2 if k % 5 == 0 else 3
        labels.append((rank, k, at, label, anchor, box, counted))
    placed = []
    for rank, k, at, label, anchor, box, counted in sorted(labels, key=lambda t: t[:2]):
        if (crowded and rank == 3) or any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                for b in placed):
            continue
        placed.append(box)
        canvas.rounded_rect(box, style.px(5), fill="#ffffff", opacity=0.85)
        canvas.text(at, label, fnt, COUNT_COLOUR if counted != name else TARGET_COLOUR,
                    anchor=anchor)
    if not question.count_from:
        big = style.f(22, True)
        label = question.target
        at = (xy[0] + r + style.px(10), xy[1])
        box = big.getbbox(label, anchor="lm")
        canvas.rounded_rect((at[0] - style.px(6), at[1] - style.px(16),
                             at[0] + box[2] - box[0] + style.px(6), at[1] + style.px(16)),
                            style.px(6), fill="#ffffff", opacity=0.9)
        canvas.text(at, label, big, TARGET_COLOUR, anchor="lm")
    result.image = canvas.image.convert(result.image.mode)


# --------------------------------------------------------------------------- export
def export_quiz(scene: BodyScene, questions: list[Question], folder: str | Path, *,
                title: str = "", size: tuple[int, int] = (1920, 1080), palette: str = "default",
                dpi: int | None = None, skin_tone: str = "default", optimize: bool = False,
                progress=None, body_entry=None) -> list[QuizPicture]:
    """Render a question picture and an answer picture per question and write
    ``folder/NN-<id>-question.png`` and ``...-answer.png``, all or nothing (every picture is
    staged in a hidden folder inside ``folder`` and renamed into place once all are made).
    ``body_entry``: the shipped body drawn (a prone one is seen from the table camera, with its
    props)."""
    folder = check_export_dir(folder)
    view, props = "back", None
    if body_entry is not None:
        from viewer.render.props import read_props

        props = read_props(body_entry)
        if body_entry.pose == "prone":
            view = "table"
    total = len(questions)
    footer = f"{title} \u00b7 made with BackView" if title else "made with BackView"
    jobs = []
    for k, q in enumerate(questions, start=1):
        for which in PICTURES:
            opts = question_options(scene, q, k, total, answer=which == "answer", size=size,
                                    palette=palette, dpi=dpi, skin_tone=skin_tone, footer=footer,
                                    view=view, props=props)
            for text in (opts.step.caption, *(t for t, _ in opts.step.rules),
                         *opts.step.quotes):
                check_glyphs(text, f"question {q.id}")
            opts.validate(scene)
            jobs.append((q, which, opts))
    pictures = []
    with _Staging(folder) as staging:
        for n, (q, which, opts) in enumerate(jobs, start=1):
            result = annotated_image(scene, opts)
            if q.kind == "landmark" and which == "answer":
                _draw_landmark_answer(result, scene, q, opts.size)
            data = encode(result.image, "PNG", result.metadata, dpi, False, optimize=optimize)
            number = (n + 1) // 2
            path = folder / picture_name(number, q, which)
            staging.write(path.name, data)
            pictures.append(QuizPicture(q, which, path, result))
            if progress is not None:
                progress(n, len(jobs))
        staging.commit()
    return pictures


__all__ = ["QuizPicture", "answer_cells", "export_quiz", "picture_name", "plain_paint",
           "question_options", "question_spec"]
