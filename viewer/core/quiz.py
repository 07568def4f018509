"""Practice: quiz questions generated from the region map and the landmarks, and their grading.

A quiz set (``region_maps/quiz.toml``, JSON Schema ``quiz.schema.json``) chooses the kinds of
question, the zones and landmarks they may ask about, how many, in which order (a seed makes a
shuffle repeatable) and how close a click must land on a landmark. The questions themselves are
*generated* from the map (each zone's pressure and strokes, the sequence rule, the screening
conditions) and the landmarks the body carries, so an answer can never drift from what the map
teaches. Every question carries the guide's sentences that answer it, verbatim (the map's own
citations, which :func:`viewer.core.regionmap.load_region_map` checks word for word).

Kinds:

``where``
    "Click where friction is recommended": a click is right where the rule that applies on the
    skin (the most cautious of the zones covering it, as the map's colours show) meets the
    question; the feedback shows all of that skin.
``what``
    A zone is outlined: "How much pressure is safe here?", "Petrissage here?": a choice from the
    map's vocabulary; the answer is the zone's own rule.
``landmark``
    A palpation drill: "Find T7: count down from C7": a click within ``radius_cm`` of the
    landmark is right; the feedback gives the distance and the count from C7.
``rules``
    "Which stroke begins the session?", "Acute fever: massage or postpone?": from the map's
    sequence rule and screening conditions.

Grading (:func:`grade_where`, :func:`grade_choice`, :func:`grade_landmark`) returns a
:class:`Feedback`; :class:`QuizRun` keeps the score, the streak and the mistakes. Nothing here
imports Qt or VTK: the window, the command line and the tests share it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import ConfigDict, Field, ValidationError, field_validator

from viewer.core import anatomy
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.regionmap import (
    Pressure,
    RegionMap,
    Stroke,
    StrokeStatus,
    Zone,
    _problem,
    load_region_map,
    read_toml,
)
from viewer.core.schema import Identifier, Line, Strict, Version, bounded

if TYPE_CHECKING:
    from viewer.core.body import Body
    from viewer.core.zones import ZoneAssignment

QuizKind = Literal["where", "what", "landmark", "rules"]
KINDS: tuple[str, ...] = ("where", "what", "landmark", "rules")
KIND_LABELS = {"where": "Where", "what": "What", "landmark": "Find the landmark",
               "rules": "Order and rules"}
#: how close to the landmark a click counts as found
Radius = bounded(0.5, 5, "cm", "a click within this distance of the landmark is right, in cm "
                                "(0.5 to 5)")
CM = 0.01


# --------------------------------------------------------------------------- the file
class QuizInfo(Strict):
    id: Identifier
    title: Line = Field(min_length=1)
    version: Version
    map: Line = Field("back-massage.toml", description="the region map the questions come "
                                                       "from, relative to this file")
    kinds: list[QuizKind] = Field(list(KINDS), min_length=1,
                                  description="which kinds of question: where, what, landmark, "
                                              "rules")
    zones: list[str] = Field([], description="zone ids the where/what questions may ask about "
                                             "(a paired zone's id without its side means both "
                                             "sides); empty: every zone")
    landmarks: list[str] = Field([], description="landmarks of the palpation drills: a vertebral "
                                                 "level (T7), EOP, or a landmark name (a "
                                                 "bilateral one without its side means both); "
                                                 "empty: every landmark the body has")
    count: int | None = Field(None, ge=1, le=200, description="how many questions (1 to 200); "
                                                              "none: all of them")
    order: Literal["as-written", "shuffled"] = Field(
        "shuffled", description="'shuffled' (repeatable with a seed) or 'as-written' (kinds in "
                                "the order listed)")
    seed: int | None = Field(None, ge=0, le=2**31 - 1,
                             description="the same seed gives the same questions in the same "
                                         "order; none: a new draw every time")
    radius_cm: Radius = 2.0

    @field_validator("kinds")
    @classmethod
    def _once(cls, value):
        if len(set(value)) != len(value):
            raise ValueError("each kind once")
        return value


class QuizFile(Strict):
    """The quiz-set file format (``quiz.schema.json`` is generated from this)."""

    model_config = ConfigDict(json_schema_extra={"title": "BackView quiz set"})
    quiz: QuizInfo


# --------------------------------------------------------------------------- questions
@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question. ``answer`` is ``{"zones": [...]}``, ``{"landmark": name}`` or
    ``{"choice": value}``."""

    id: str
    kind: str
    prompt: str
    answer: dict
    citations: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    #: the zone a ``what`` question outlines
    zone: str | None = None
    #: ``what`` and ``where``: the field asked about ("pressure" or a stroke's name)
    field: str | None = None
    #: a ``rules`` question on a screening condition: the condition's id
    condition: str | None = None
    #: ``landmark``: what the landmark is called in the prompt ("T7", "inferior angle of the
    #: left shoulder blade")
    target: str = ""
    #: ``where``: the field asked about ("pressure" or a stroke) and the values that answer it
    criterion: tuple[str, tuple[str, ...]] | None = None
    #: ``landmark``: the landmarks counted from C7 down to the answer (empty: not a count)
    count_from: tuple[str, ...] = ()
    #: ``landmark``: how close counts as found, in metres
    radius: float = 0.02
    #: one or two sentences of the answer, said with the feedback
    explanation: str = ""
    #: where the explanation comes from when it is not the guide (surface anatomy)
    source: str = ""

    @property
    def answer_label(self) -> str:
        """The right answer in words."""
        if "choice" in self.answer:
            return next(c.label for c in self.choices if c.value == self.answer["choice"])
        return self.explanation

    def to_json(self) -> dict:
        out = {"id": self.id, "kind": self.kind, "prompt": self.prompt}
        if self.choices:
            out["choices"] = [{"value": c.value, "label": c.label} for c in self.choices]
        if self.zone:
            out["zone"] = self.zone
        out["answer"] = self.answer
        if self.kind == "landmark":
            out["radius_cm"] = round(self.radius / CM, 2)
            if self.count_from:
                out["count_from"] = list(self.count_from)
        out["explanation"] = self.explanation
        out["citations"] = list(self.citations)
        if self.source:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class Quiz:
    data: QuizFile
    path: Path | None
    rmap: RegionMap

    @property
    def info(self) -> QuizInfo:
        return self.data.quiz

    @property
    def title(self) -> str:
        return self.info.title

    def questions(self, landmarks=None, *, seed: int | None = None) -> list[Question]:
        """The questions of this set. ``landmarks``: the names the body carries (the drills
        ask only about those; None: all BackView knows). ``seed`` overrides the file's."""
        return draw_questions(self, landmarks, seed=seed)


def default_quiz_path() -> Path:
    from viewer.core.paths import data_dir

    return data_dir("region_maps") / "quiz.toml"


def load_quiz(path: str | Path | None = None, rmap: RegionMap | None = None) -> Quiz:
    """Read and check a quiz set: schema, its map, the zones and landmarks it names, and that
    it makes at least one question. Problems raise :class:`RegionMapError` (one line each)."""
    path = Path(path) if path else default_quiz_path()
    raw = read_toml(path, "quiz set", "quiz sets")
    try:
        data = QuizFile.model_validate(raw)
    except ValidationError as exc:
        raise RegionMapError([_problem(path, raw, e) for e in exc.errors()]) from None
    if rmap is None:
        rmap = load_region_map(path.parent / data.quiz.map)
    quiz = Quiz(data, path, rmap)
    problems = check_quiz(quiz)
    if problems:
        raise RegionMapError(problems)
    return quiz


def check_quiz(quiz: Quiz) -> list[BackViewError]:
    info, path = quiz.info, quiz.path
    problems: list[BackViewError] = []
    families = {z.spec.id for z in quiz.rmap.zones}
    for zid in info.zones:
        if zid not in quiz.rmap.by_id and zid not in families:
            problems.append(BackViewError(
                f"unknown zone '{zid}' (this map has: {', '.join(quiz.rmap.by_id)})", path,
                "quiz:zones"))
    for token in info.landmarks:
        if not _landmark_names(token):
            problems.append(BackViewError(
                f"unknown landmark '{token}' (a vertebral level such as T7, EOP, or one of: "
                f"{', '.join(anatomy.BILATERAL)} with or without _left/_right)", path,
                "quiz:landmarks"))
    if len(set(info.landmarks)) != len(info.landmarks):
        problems.append(BackViewError("a landmark is listed twice", path, "quiz:landmarks"))
    if problems:
        return problems
    if not generate_questions(quiz):
        problems.append(BackViewError(
            f"makes no questions: the kinds {', '.join(info.kinds)} find nothing to ask about "
            "the zones and landmarks listed", path, "quiz:kinds"))
    return problems


def write_json_schema(path: str | Path) -> None:
    import json

    Path(path).write_text(json.dumps(QuizFile.model_json_schema(), indent=2) + "\n",
                          encoding="utf-8")


# --------------------------------------------------------------------------- generation
def draw_questions(quiz: Quiz, landmarks=None, *, seed: int | None = None) -> list[Question]:
    """The set's questions, shuffled or as written, cut to ``count``."""
    questions = generate_questions(quiz, landmarks)
    info = quiz.info
    seed = info.seed if seed is None else seed
    rng = random.Random(seed)
    if info.count is not None and info.count < len(questions):
        questions = _balanced(questions, info.count, rng)
    if info.order == "shuffled":
        rng.shuffle(questions)
    return questions


def _balanced(questions: list[Question], count: int, rng: random.Random) -> list[Question]:
    """``count`` of ``questions`` drawn kind by kind in turn (so 44 ``what`` questions do not
    crowd out the 11 ``rules`` ones), kept in their generated order."""
    by_kind: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        by_kind.setdefault(q.kind, []).append(i)
    pools = [rng.sample(ids, len(ids)) for ids in by_kind.values()]
    keep: list[int] = []
    while len(keep) < count:
        for pool in pools:
            if pool and len(keep) < count:
                keep.append(pool.pop())
    return [questions[i] for i in sorted(keep)]


def generate_questions(quiz: Quiz, landmarks=None) -> list[Question]:
    """Every question the set allows, in the order of its kinds (no shuffle, no count)."""
    out: list[Question] = []
    for kind in quiz.info.kinds:
        out += _GENERATORS[kind](quiz, landmarks)
    return out


def _zones_of_set(quiz: Quiz) -> list[Zone]:
    wanted = set(quiz.info.zones)
    if not wanted:
        return list(quiz.rmap.zones)
    return [z for z in quiz.rmap.zones if z.id in wanted or z.spec.id in wanted]


def _zone_names(zones: list[Zone]) -> str:
    """'Paraspinal muscles (both sides), Lower back (lumbar)': a paired zone named once."""
    names: list[str] = []
    seen: dict[str, set] = {}
    for z in zones:
        seen.setdefault(z.spec.id, set()).add(z.side)
    for z in zones:
        if z.spec.id in [n[0] for n in names]:
            continue
        sides = seen[z.spec.id]
        if z.side is None:
            label = z.spec.name
        elif len(sides) == 2:
            label = f"{z.spec.name} (both sides)"
        else:
            label = z.name
        names.append((z.spec.id, label))
    return ", ".join(label for _, label in names)


def _pressure_phrase(p: Pressure) -> str:
    return "no pressure is allowed" if p is Pressure.AVOID else f"{p.value} pressure is safe"


def _status_phrase(stroke: Stroke, status: StrokeStatus) -> str:
    return {StrokeStatus.RECOMMENDED: f"{stroke.value} is recommended",
            StrokeStatus.ALLOWED: f"{stroke.value} is allowed",
            StrokeStatus.LIGHT_ONLY: f"{stroke.value} is light only",
            StrokeStatus.AVOID: f"{stroke.value} must be avoided"}[status]


#: words that show a guide sentence speaks of a field or a region (to pick which of the zones'
#: citations answer a question first)
FIELD_WORDS = {"pressure": ("pressure", "touch"),
               "effleurage": ("effleurage", "glid", "palm"),
               "petrissage": ("petrissage", "kneading", "lifting"),
               "friction": ("friction", "circular", "sides of the spine")}
LANDMARK_WORDS = {"spinous": ("vertebral", "spine"), "external_occipital_protuberance": ("neck",),
                  "acromion": ("shoulder",), "superior_angle": ("scapulae",),
                  "scapular_spine_root": ("scapulae",), "medial_border_mid": ("scapulae",),
                  "inferior_angle": ("scapulae",), "rib11_tip": ("floating ribs",),
                  "rib12_tip": ("floating ribs",), "iliac_crest_top": ("lower back", "lumbar"),
                  "psis": ("lower back", "lumbar")}


def _citations(zones: list[Zone], words: tuple[str, ...] = (), limit: int = 2,
               rmap: RegionMap | None = None) -> tuple[str, ...]:
    """The zones' guide sentences that answer best: those that speak of ``words`` first, then
    those most of the zones share, then map order. With ``rmap``, when none of the zones'
    sentences speaks of ``words``, the map's first sentence that does (a global rule's, e.g.
    the one that says what effleurage is) comes first."""
    counts: dict[str, int] = {}
    for z in zones:
        for c in z.spec.citations:
            counts[c] = counts.get(c, 0) + 1
    order = list(counts)

    def hit(c: str) -> bool:
        return any(w in c.lower() for w in words)

    def rank(c: str):
        return (not hit(c), -counts[c], order.index(c))

    ranked = sorted(counts, key=rank)
    if rmap is not None and words and not any(hit(c) for c in ranked):
        # the sequence rule's sentences say what each stroke is: they come first
        rules = sorted(rmap.rules, key=lambda r: r.kind != "sequence")
        every = [c for r in rules for c in r.citations] + [
            c for z in rmap.zones for c in z.spec.citations]
        # the field's own name first ("friction"), then any of its words
        about = next((c for c in every if words[0] in c.lower()),
                     next((c for c in every if hit(c)), None))
        if about is not None:
            ranked.insert(0, about)
    return tuple(ranked[:limit])


def _where_questions(quiz: Quiz, landmarks=None) -> list[Question]:
    rmap, allowed = quiz.rmap, _zones_of_set(quiz)
    allowed_ids = {z.id for z in allowed}
    criteria: list[tuple[str, str, str]] = []  # (field, value, phrase)
    for p in Pressure:
        criteria.append(("pressure", p.value, _pressure_phrase(p)))
    for s in Stroke:
        for status in (StrokeStatus.RECOMMENDED, StrokeStatus.AVOID):
            criteria.append((s.value, status.value, _status_phrase(s, status)))
    out = []
    for fld, value, phrase in criteria:
        zones = [z for z in rmap.zones if z.rule.fields()[fld] == value]
        if not zones or len(zones) == len(rmap.zones) or not allowed_ids & {z.id for z in zones}:
            continue
        out.append(Question(
            id=f"where-{fld}-{value}", kind="where",
            prompt=f"Click where {phrase}.",
            answer={"zones": [z.id for z in zones]},
            citations=_citations(zones, FIELD_WORDS[fld]),
            criterion=(fld, (value,)), field=fld,
            explanation=f"{phrase[0].upper()}{phrase[1:]} on: {_zone_names(zones)}."))
    return out


PRESSURE_CHOICES = tuple(Choice(p.value, p.label) for p in Pressure)
STATUS_CHOICES = tuple(Choice(s.value, s.label) for s in StrokeStatus)


def _what_questions(quiz: Quiz, landmarks=None) -> list[Question]:
    out = []
    done: set[str] = set()
    for z in _zones_of_set(quiz):
        # a paired zone is asked once per side only when the set names that side
        if z.side and z.spec.id in done and z.id not in quiz.info.zones:
            continue
        done.add(z.spec.id)
        out.append(Question(
            id=f"what-pressure-{z.id}", kind="what",
            prompt=f"{z.name}: how much pressure is safe here?",
            answer={"choice": z.pressure.value},
            citations=_citations([z], FIELD_WORDS["pressure"], rmap=quiz.rmap),
            choices=PRESSURE_CHOICES,
            zone=z.id, field="pressure",
            explanation=f"{z.pressure.label} on the {z.name[0].lower()}{z.name[1:]}. "
                        f"{z.spec.technique}"))
        for s in Stroke:
            status = z.spec.strokes[s]
            out.append(Question(
                id=f"what-{s.value}-{z.id}", kind="what",
                prompt=f"{z.name}: {s.value} here?",
                answer={"choice": status.value},
                citations=_citations([z], FIELD_WORDS[s.value], rmap=quiz.rmap),
                choices=STATUS_CHOICES,
                zone=z.id, field=s.value,
                explanation=f"{s.label}: {status.label.lower()} on the "
                            f"{z.name[0].lower()}{z.name[1:]}. {z.spec.technique}"))
    return out


def _landmark_names(token: str) -> list[str]:
    """The landmark names a set's ``landmarks`` entry stands for ([] when unknown)."""
    if token == "EOP" or token == anatomy.EOP:
        return [anatomy.EOP]
    if anatomy.is_level(token):
        return [anatomy.spinous(token)]
    if token in anatomy.BILATERAL:
        return [f"{token}_{s}" for s in anatomy.SIDES]
    if token in anatomy.known_landmarks():
        return [token]
    return []


def _drill_landmarks(quiz: Quiz, landmarks) -> list[str]:
    from viewer.core.landmark_guide import landmark_order

    if quiz.info.landmarks:
        names = [n for t in quiz.info.landmarks for n in _landmark_names(t)]
    else:
        names = list(landmark_order())
    if landmarks is not None:
        have = set(landmarks)
        names = [n for n in names if n in have]
    return names


def _landmark_citations(rmap: RegionMap, name: str) -> tuple[str, ...]:
    """The guide's sentences about the region of this landmark: why finding it matters."""
    base = "spinous" if name.startswith("spinous_") else name
    for side in anatomy.SIDES:
        base = base.removesuffix(f"_{side}")
    words = LANDMARK_WORDS.get(base, ())
    cites = _citations(list(rmap.zones), words, limit=1)
    return cites if cites and any(w in cites[0].lower() for w in words) else ()


def _landmark_prompt(name: str, entry) -> str:
    """'Find T7: count down from C7.', 'Find the inferior angle of the left shoulder blade.'"""
    if name == anatomy.spinous("C7"):
        return "Find C7, the vertebra prominens."
    if name.startswith("spinous_T"):
        return f"Find {name.removeprefix('spinous_')}: count down from C7."
    if name.startswith("spinous_"):  # lumbar and sacral: the where text says how
        return f"Find {name.removeprefix('spinous_')}."
    what = entry.name[0].lower() + entry.name[1:]
    for side in anatomy.SIDES:
        if what.endswith(f" ({side})"):
            what = what.removesuffix(f" ({side})")
            if " of the " in what:
                what = what.replace(" of the ", f" of the {side} ", 1)
            elif " of rib " in what:
                what = what.replace(" of rib ", f" of the {side} rib ", 1)
            else:
                what = f"{side} {what}"
    what = re.sub(r"\bscapula\b", "shoulder blade", what)
    return f"Find the {what}."


def _landmark_questions(quiz: Quiz, landmarks=None) -> list[Question]:
    from viewer.core.landmark_guide import landmark_guide

    guide = landmark_guide()
    c7 = anatomy.spinous("C7")
    out = []
    for name in _drill_landmarks(quiz, landmarks):
        entry = guide.entry(name)
        count: tuple[str, ...] = ()
        if name.startswith("spinous_") and name != c7:
            level = name.removeprefix("spinous_")
            levels = anatomy.VERTEBRAL_LEVELS
            count = tuple(anatomy.spinous(v) for v in levels[:levels.index(level) + 1])
            if landmarks is not None:
                count = tuple(n for n in count if n in set(landmarks))
        prompt = _landmark_prompt(name, entry)
        target = prompt.removeprefix("Find ").removeprefix("the ").rstrip(".").split(":")[0]
        target = target.split(",")[0]
        out.append(Question(
            id=f"landmark-{name}", kind="landmark", prompt=prompt, answer={"landmark": name},
            citations=_landmark_citations(quiz.rmap, name), count_from=count,
            radius=quiz.info.radius_cm * CM, explanation=entry.where, target=target,
            source="standard surface anatomy (meshes/landmarks-guide.toml)"))
    return out


CONDITION_CHOICES = (
    Choice("go-ahead", "Massage as usual"),
    Choice("postpone", "Postpone the massage"),
    Choice("avoid-area", "Massage, but avoid the affected area"),
    Choice("limit", "Massage, with no deep work on some zones"),
)
_ORDER_WORDS = ("begins the session", "comes second", "comes third", "comes fourth")


def _rules_questions(quiz: Quiz, landmarks=None) -> list[Question]:
    rmap = quiz.rmap
    out = []
    stroke_choices = tuple(Choice(s.value, s.label) for s in Stroke)
    for rule in rmap.rules:
        if rule.kind != "sequence" or not rule.order:
            continue
        order = list(rule.order)
        for i, stroke in enumerate(order):
            cite = ((rule.citations[i],) if len(rule.citations) == len(order)
                    else tuple(rule.citations))
            if i == 0:
                prompt = "Which stroke begins the session?"
            elif i == len(order) - 1:
                prompt = (f"After {order[i - 1].value}, which stroke finishes the basic "
                          "strokes?")
            else:
                prompt = f"Which stroke follows {order[i - 1].value}?"
            out.append(Question(
                id=f"rules-{rule.id}-{i + 1}", kind="rules", prompt=prompt,
                answer={"choice": stroke.value}, citations=cite, choices=stroke_choices,
                explanation=rule.text))
    for cond in rmap.data.conditions:
        effect = next(c for c in CONDITION_CHOICES if c.value == cond.effect)
        out.append(Question(
            id=f"rules-condition-{cond.id}", kind="rules",
            prompt=f"{cond.question} What does the guide say?",
            answer={"choice": cond.effect}, citations=tuple(cond.citations),
            choices=CONDITION_CHOICES, condition=cond.id,
            explanation=f"{cond.reason[0].upper()}{cond.reason[1:]}: {effect.label.lower()}."))
    return out


_GENERATORS = {"where": _where_questions, "what": _what_questions,
               "landmark": _landmark_questions, "rules": _rules_questions}


# --------------------------------------------------------------------------- grading
@dataclass(frozen=True)
class Feedback:
    """What a learner is told after answering."""

    question: Question
    right: bool
    #: what the learner answered, in words ("Light", "Paraspinal muscles (left)", "3.4 cm away")
    given: str
    #: the right answer in words
    answer: str
    #: landmark drills: the distance from the click to the landmark, in metres
    distance: float | None = None
    #: the learner moved on without answering (neither right nor a mistake)
    skipped: bool = False
    #: answered aloud by a class (presentation mode): not counted either way
    aloud: bool = False

    @property
    def headline(self) -> str:
        return "Right!" if self.right else "Not quite."


def answer_faces(question: Question, assignment: "ZoneAssignment") -> np.ndarray:
    """``where``: the faces whose rule (the most cautious of the zones covering them) answers
    the question (a boolean mask over the body's faces)."""
    fld, values = question.criterion
    zone_ok = np.array([z.rule.fields()[fld] in values for z in assignment.rmap.zones], bool)
    face_zone = np.asarray(assignment.face_zone)
    mask = np.zeros(len(face_zone), bool)
    inside = face_zone >= 0
    mask[inside] = zone_ok[face_zone[inside]]
    covers, faces, row = assignment.face_covers()  # skin inside several zones: their rule
    if len(faces):
        cover_ok = np.array([c.rule.fields()[fld] in values for c in covers], bool)
        mask[faces] = cover_ok[row]
    return mask


def grade_where(question: Question, assignment: "ZoneAssignment", face: int | None) -> Feedback:
    """A click on ``face`` (None: off the body) for a ``where`` question."""
    if face is None or face < 0:
        return Feedback(question, False, "off the body", question.explanation)
    rule = assignment.effective_rule(int(face))
    zone = assignment.zone_of_face(int(face))
    fld, values = question.criterion
    right = rule is not None and rule.fields()[fld] in values
    if zone is None:
        given = "skin outside every zone"
    else:
        also = [z for z in assignment.also_inside(int(face)) if z.id != zone.id]
        given = zone.name + (f" (also inside {', '.join(z.name for z in also)})" if also else "")
        if rule is not None:
            val = rule.fields()[fld]
            given += (f": {Pressure(val).label.lower()} pressure" if fld == "pressure"
                      else f": {fld} {StrokeStatus(val).label.lower()}")
    return Feedback(question, right, given, question.explanation)


def grade_choice(question: Question, value: str) -> Feedback:
    labels = {c.value: c.label for c in question.choices}
    if value not in labels:
        raise BackViewError(f"'{value}' is not one of the choices ({', '.join(labels)})",
                            field="answer")
    return Feedback(question, value == question.answer["choice"], labels[value],
                    question.answer_label)


def grade_landmark(question: Question, body: "Body", point) -> Feedback:
    """A click at ``point`` (in the body's units; None: off the body) for a drill."""
    name = question.answer["landmark"]
    if point is None:
        return Feedback(question, False, "off the body", question.explanation)
    distance = float(np.linalg.norm(np.asarray(point, float) - body.landmark(name))) * body.unit
    right = distance <= question.radius + 1e-9
    return Feedback(question, right, f"{distance / CM:.1f} cm from it", question.explanation,
                    distance)


# --------------------------------------------------------------------------- a run
@dataclass
class QuizRun:
    """A learner going through questions: the current one, the score, the streak, the
    mistakes (each one's feedback, to review)."""

    questions: list[Question]
    index: int = 0
    score: int = 0
    streak: int = 0
    best_streak: int = 0
    answered: list[Feedback] = field(default_factory=list)

    @property
    def current(self) -> Question | None:
        return self.questions[self.index] if self.index < len(self.questions) else None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.questions)

    @property
    def mistakes(self) -> list[Feedback]:
        """The wrong answers, to review (a skipped question is not one)."""
        return [f for f in self.answered if not f.right and not f.skipped and not f.aloud]

    @property
    def skipped(self) -> list[Question]:
        """The questions moved on from without an answer."""
        return [f.question for f in self.answered if f.skipped]

    @property
    def waiting(self) -> bool:
        """The current question has been answered and not moved on from."""
        return len(self.answered) > self.index

    def record(self, feedback: Feedback) -> Feedback:
        """Count an answer to the current question (a second answer to it is ignored)."""
        if self.finished or self.waiting or feedback.question is not self.current:
            return feedback
        self.answered.append(feedback)
        if feedback.right:
            self.score += 1
            self.streak += 1
            self.best_streak = max(self.best_streak, self.streak)
        else:
            self.streak = 0
        return feedback

    def next(self) -> Question | None:
        """Move on (an unanswered question counts as skipped: neither right nor a mistake)."""
        if self.finished:
            return None
        if not self.waiting:
            self.answered.append(Feedback(self.current, False, "skipped", self.current.explanation,
                                          skipped=True))
            self.streak = 0
        self.index += 1
        return self.current

    def pass_on(self) -> Question | None:
        """Move on from a question a class answered aloud (presentation mode): it counts
        neither for the score nor as a mistake or a skip."""
        if self.finished:
            return None
        if not self.waiting:
            self.answered.append(Feedback(self.current, True, "answered aloud", "",
                                          aloud=True))
        self.index += 1
        return self.current

    def summary(self) -> str:
        n = len(self.questions)
        skipped = len(self.skipped)
        return (f"{self.score} of {n} right, best streak {self.best_streak}, "
                f"{len(self.mistakes)} to review"
                + (f", {skipped} skipped" if skipped else ""))
