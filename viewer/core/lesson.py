"""The guided lesson: steps that follow the guide's own order, as validated data.

A lesson file (``region_maps/lesson.toml``, JSON Schema ``lesson.schema.json``) lists steps;
each sets the camera view, the colour mode, the highlighted zones, a caption with the guide
sentences it comes from, the global rules to show, stroke-direction arrows drawn on the
skin, and what lies under the skin (``layers``, ``skin_opacity``: the bones and kidneys seen
through a translucent skin). Arrows are described in the same anatomical terms as zone shapes (anchors on landmarks
and vertebral levels), so they fit any body that carries the landmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import ConfigDict, Field, ValidationError, model_validator

from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.options import (
    DEFAULT_LAYERS,
    BodyId,
    ColourMode,
    LayerList,
    SkinOpacity,
    ViewName,
)
from viewer.core.regionmap import (
    Anchor,
    RegionMap,
    Side,
    Stroke,
    _item,
    _problem,
    _shown_id,
    citation_problems,
    load_region_map,
    read_toml,
)
from viewer.core.schema import (
    Citation,
    Identifier,
    Line,
    Strict,
    Text,
    Version,
    bounded,
    field_path,
    problem_message,
)

CM = 0.01
#: a circle's radius or a wave's amplitude: a fingertip's circle to a palm's
Radius = bounded(0.1, 5, "cm")


class ArrowSpec(Strict):
    """A stroke drawn on the skin.

    ``path``: a polyline through anchors with an arrowhead at its end; ``wave``: the same
    path drawn as a kneading wave; ``circles``: a small circular arrow at each anchor.
    With ``sides`` the arrow is drawn once per side, bilateral landmarks resolving to that side.
    """

    id: Identifier
    stroke: Stroke
    kind: Literal["path", "wave", "circles"] = "path"
    sides: list[Side] | None = Field(None, description="['left', 'right'] draws a mirrored pair")
    points: list[Anchor] = Field(min_length=1)
    radius_cm: Radius = Field(1.2, description="circle radius or wave amplitude, "
                                                               "in cm (0.1 to 5)")
    light: bool = Field(False, description="a lighter stroke (e.g. effleurage's return)")

    @model_validator(mode="after")
    def _enough_points(self):
        if self.kind in ("path", "wave") and len(self.points) < 2:
            raise ValueError(f"a {self.kind} arrow needs at least two points")
        return self


class Step(Strict):
    id: Identifier
    title: Line = Field(min_length=1)
    caption: Text = Field(min_length=1, description="one or two short sentences for the screen")
    citations: list[Citation] = Field(min_length=1)
    view: ViewName = "back"
    colour_by: ColourMode = "pressure"
    highlight: list[str] = Field([], description="zone ids to highlight")
    rules: list[str] = Field([], description="ids of the map's global rules to show")
    arrows: list[str] = Field([], description="ids of arrows to draw")
    layers: LayerList = Field(default_factory=lambda: list(DEFAULT_LAYERS),
                              description="what to draw: skin, bones, kidneys (default: the skin "
                                          "alone); bones and kidneys need skin_opacity below 1")
    skin_opacity: SkinOpacity = 1.0
    body: BodyId | None = Field(None, description="a body of `backview bodies` this step is shown "
                                                  "on instead of the lesson's (e.g. prone-table: "
                                                  "the recipient on the table, seen from the "
                                                  "table camera)")

    @model_validator(mode="after")
    def _visible_layers(self):
        under = [layer for layer in self.layers if layer != "skin"]
        if under and "skin" in self.layers and self.skin_opacity >= 1.0:
            raise ValueError(f"{' and '.join(under)} would be hidden under an opaque skin: set "
                             "skin_opacity below 1 (e.g. 0.35)")
        return self


class LessonInfo(Strict):
    id: Identifier
    title: Line
    version: Version
    map: Line = Field(description="the region map the lesson uses, relative to this file")


class LessonFile(Strict):
    """The lesson file format (``lesson.schema.json`` is generated from this)."""

    model_config = ConfigDict(json_schema_extra={"title": "BackView lesson"})
    lesson: LessonInfo
    steps: list[Step] = Field(min_length=1)
    arrows: list[ArrowSpec] = []


@dataclass(frozen=True)
class Lesson:
    data: LessonFile
    path: Path
    rmap: RegionMap

    @property
    def steps(self) -> list[Step]:
        return list(self.data.steps)

    @property
    def title(self) -> str:
        return self.data.lesson.title

    def arrows_of(self, step: Step) -> list[ArrowSpec]:
        by_id = {a.id: a for a in self.data.arrows}
        return [by_id[a] for a in step.arrows]


def default_lesson_path() -> Path:
    from viewer.core.paths import data_dir

    return data_dir("region_maps") / "lesson.toml"


def load_lesson(path: str | Path | None = None, rmap: RegionMap | None = None) -> Lesson:
    """Read and check a lesson: schema, its map, zone/rule/arrow references, citations."""
    path = Path(path) if path else default_lesson_path()
    raw = read_toml(path, "lesson file", "lessons")
    try:
        data = LessonFile.model_validate(raw)
    except ValidationError as exc:
        raise RegionMapError([_lesson_problem(path, raw, e) for e in exc.errors()]) from None
    if rmap is None:
        rmap = load_region_map(path.parent / data.lesson.map)
    lesson = Lesson(data, path, rmap)
    problems = check_lesson(lesson)
    if problems:
        raise RegionMapError(problems)
    return lesson


def check_lesson(lesson: Lesson) -> list[BackViewError]:
    path = lesson.path
    zone_ids = set(lesson.rmap.by_id)
    rule_ids = {r.id for r in lesson.rmap.rules}
    arrow_ids = [a.id for a in lesson.data.arrows]
    problems: list[BackViewError] = []
    seen: set[str] = set()
    for step in lesson.data.steps:
        where = f"steps:{step.id}"
        if step.id in seen:
            problems.append(BackViewError(f"duplicate step id '{step.id}'", path, f"{where}:id"))
        seen.add(step.id)
        for zid in step.highlight:
            if zid not in zone_ids:
                problems.append(BackViewError(f"unknown zone '{zid}'", path, f"{where}:highlight"))
        for rid in step.rules:
            if rid not in rule_ids:
                problems.append(BackViewError(f"unknown rule '{rid}'", path, f"{where}:rules"))
        for aid in step.arrows:
            if aid not in arrow_ids:
                problems.append(BackViewError(f"unknown arrow '{aid}'", path, f"{where}:arrows"))
        problems += citation_problems(lesson.rmap.guide_text,
                                      [(f"{where}:citations", c) for c in step.citations], path)
    if len(set(arrow_ids)) != len(arrow_ids):
        problems.append(BackViewError("duplicate arrow id", path, "arrows:id"))
    return problems


def _lesson_problem(path: Path, raw: dict, err: dict) -> BackViewError:
    loc = list(err["loc"])
    if loc and loc[0] in ("steps", "arrows") and len(loc) > 1 and isinstance(loc[1], int):
        item = _item(raw, loc[0], loc[1])
        where = [f"{loc[0]}:{_shown_id(item.get('id')) or loc[1]}", field_path(loc[2:])]
        return BackViewError(problem_message(err), path, ":".join(w for w in where if w))
    return _problem(path, raw, err)


# --------------------------------------------------------------------------- arrow geometry
@dataclass(frozen=True)
class ArrowPath:
    """One arrow in the body's coronal plane: (u, v) points in metres, ``u`` signed (+ left)."""

    arrow_id: str
    stroke: Stroke
    uv: np.ndarray          # (n, 2)
    head: bool              # draw an arrowhead at the end
    light: bool


def arrow_paths(arrow: ArrowSpec, anchor) -> list[ArrowPath]:
    """The drawable paths of one arrow. ``anchor(a, side)`` returns (u_side, v) in metres, as
    :meth:`viewer.core.zones.ZoneGeometry.anchor` does."""
    out: list[ArrowPath] = []
    for side in arrow.sides or [None]:
        sign = -1.0 if side == "right" else 1.0
        pts = np.array([anchor(a, side) for a in arrow.points])
        pts[:, 0] *= sign  # back to signed u
        r = arrow.radius_cm * CM
        if arrow.kind == "path":
            out.append(ArrowPath(arrow.id, arrow.stroke, _smooth(pts), True, arrow.light))
        elif arrow.kind == "wave":
            out.append(ArrowPath(arrow.id, arrow.stroke, _wave(_smooth(pts), r), True, arrow.light))
        else:
            for centre in pts:
                t = np.linspace(0.15, 2 * np.pi * 0.92, 40)
                circle = centre + r * np.stack([np.cos(t), np.sin(t)], axis=1)
                out.append(ArrowPath(arrow.id, arrow.stroke, circle, True, arrow.light))
    return out


def _smooth(points: np.ndarray, per_segment: int = 16) -> np.ndarray:
    """A Catmull-Rom curve through the points (straight for two points)."""
    if len(points) == 2:
        t = np.linspace(0, 1, per_segment * 2)[:, None]
        return points[0] * (1 - t) + points[1] * t
    p = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(points[-1][None])
    return np.vstack(out)


def _wave(path: np.ndarray, amplitude: float, wavelength: float = 0.04) -> np.ndarray:
    seg = np.diff(path, axis=0)
    length = np.concatenate([[0], np.cumsum(np.linalg.norm(seg, axis=1))])
    fine = np.linspace(0, length[-1], max(40, int(length[-1] / wavelength * 24)))
    xy = np.stack([np.interp(fine, length, path[:, 0]), np.interp(fine, length, path[:, 1])], 1)
    tangent = np.gradient(xy, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    fade = np.minimum(1.0, np.minimum(fine, fine[-1] - fine) / wavelength)
    return xy + normal * (amplitude * np.sin(2 * np.pi * fine / wavelength) * fade)[:, None]


def write_json_schema(path: str | Path) -> None:
    import json

    Path(path).write_text(json.dumps(LessonFile.model_json_schema(), indent=2) + "\n",
                          encoding="utf-8")


def step_bodies(lesson) -> dict[str, "object"]:
    """``{step id: BodyEntry}`` of the steps that name a body, each checked against the
    catalogue: an unknown body is one line naming the lesson file and the step's field."""
    from viewer.core.bodies import body_entry
    from viewer.core.errors import BackViewError

    out = {}
    for step in lesson.steps:
        if step.body is None:
            continue
        try:
            out[step.id] = body_entry(step.body)
        except BackViewError as exc:
            raise BackViewError(exc.message, lesson.path, f"steps:{step.id}:body") from None
    return out
