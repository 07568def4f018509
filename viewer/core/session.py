"""A saved session: what the learner was looking at, as a small JSON file.

A session records the view (a preset name, and optionally the exact camera), the colour mode and
palette, the selected zone, the user's pins and a title, so an exported picture can be made again
later or on another machine (``backview export --session S.json``) and the window can reopen the
same view. It is plain data, validated with pydantic, and free of Qt and of the renderer.

Example::

    {
      "format": "backview-session",
      "version": 1,
      "title": "Week 3: the shoulders",
      "view": "back",
      "colour_mode": "stroke:petrissage",
      "selected_zone": "upper-trapezius-left",
      "pins": [
        {"landmark": "spinous_T7", "note": "Start here"},
        {"point": [0.08, 0.50, -0.06], "note": "Knot felt here"}
      ],
      "layers": ["skin", "bones", "kidneys"],
      "skin_opacity": 0.3,
      "conditions": ["dvt", "bruising"],
      "marks": [{"point": [0.05, 0.95, -0.12], "radius_cm": 4.0, "note": "Bruise",
                 "condition": "bruising"}]
    }

``camera`` (optional, a :class:`viewer.core.camera.Camera`) holds ``position``, ``focal_point``,
``view_up`` (mesh units) and ``parallel_scale`` (half the visible height, mesh units); when
present it wins over ``view``.
``layers`` (default ``["skin"]``) names what is drawn: the skin and the structures under it
(``bones``, ``kidneys``); ``skin_opacity`` is a fraction from 0 to 1 (default 1, opaque; not a
percentage).
Pins are a ``landmark`` name of the body or a ``point`` on the skin in mesh units, each with a
short ``note``. ``conditions`` are the "Before you start" answers that apply (condition ids of the
region map's ``[[conditions]]``), ``marks`` the areas marked on the skin to avoid: a ``point`` in
mesh units, a ``radius_cm`` (over 0, at most 30), an optional ``note`` and the ``condition`` it
marks (:mod:`viewer.core.screening`). A bad file is reported as one line, ``FILE:field: problem``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from viewer.core.atomic import atomic_write_bytes
from viewer.core.camera import Camera, Vec3, check_fits, plausible
from viewer.core.errors import BackViewError
from viewer.core.options import (
    DEFAULT_LAYERS,
    ColourMode,
    LayerList,
    Labels,
    PaletteName,
    SkinToneName,
    BodyId,
    SkinOpacity,
    ViewName,
    text_problem,
)
from viewer.core.schema import Strict
from viewer.core.screening import MARK_RADIUS_CM, Mark, Screening, conditions
from viewer.core.views import VIEWS

#: the camera presets a session may name
VIEW_NAMES = VIEWS
#: the longest pin note and title that still fit an exported picture
MAX_NOTE = 80
MAX_TITLE = 90
MAX_PINS = 9
#: the most marks (areas to avoid) a session may hold
MAX_MARKS = 20
#: the longest landmark or zone name a session may hold
MAX_NAME = 200
FORMAT = "backview-session"


def _plain(value: str | None, limit: int) -> str | None:
    """A pydantic check of a title, note or name: no control characters, at most ``limit``."""
    if value is not None:
        problem = text_problem(value, limit)
        if problem is not None:
            raise ValueError(problem)
    return value


class SessionError(BackViewError):
    """A session file is missing, malformed, or names something the body or map lacks."""


class Pin(Strict):
    """A point on the skin with a short note: a landmark's name, or a point in mesh units."""

    landmark: str | None = Field(None, min_length=1)
    point: Vec3 | None = None
    note: str = Field(min_length=1, description=f"at most {MAX_NOTE} characters")

    @field_validator("landmark")
    @classmethod
    def _landmark(cls, value: str | None) -> str | None:
        return _plain(value, MAX_NAME)

    @field_validator("point")
    @classmethod
    def _point(cls, value):
        return None if value is None else plausible(value)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        value = " ".join(_plain(value, MAX_NOTE).split())
        if not value:
            raise ValueError("a pin needs a note")
        return value

    @model_validator(mode="after")
    def _one_place(self):
        if (self.landmark is None) == (self.point is None):
            raise ValueError("a pin has either a 'landmark' or a 'point', not both or neither")
        return self


class SessionMark(Strict):
    """A marked area of the skin to avoid (a bruise, a rash, broken skin)."""

    point: Vec3
    radius_cm: float = Field(gt=MARK_RADIUS_CM[0], le=MARK_RADIUS_CM[1],
                             description="the mark's radius on the skin, cm")
    note: str = Field("", description=f"at most {MAX_NOTE} characters")
    condition: str | None = Field(None, min_length=1)

    @field_validator("point")
    @classmethod
    def _point(cls, value):
        return plausible(value)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return " ".join(_plain(value, MAX_NOTE).split())

    @field_validator("condition")
    @classmethod
    def _condition(cls, value: str | None) -> str | None:
        return _plain(value, MAX_NAME)

    def mark(self) -> Mark:
        return Mark(np.array(self.point, float), float(self.radius_cm), self.note, self.condition)

    @classmethod
    def of(cls, mark: Mark) -> "SessionMark":
        return cls(point=tuple(float(v) for v in np.asarray(mark.at, float)),
                   radius_cm=float(mark.radius_cm), note=mark.note, condition=mark.condition)


class Session(Strict):
    """Everything needed to show (and export) the same picture again."""

    format: Literal["backview-session"] = FORMAT
    version: Literal[1] = 1
    title: str | None = Field(None, description=f"at most {MAX_TITLE} characters")
    view: ViewName = "back"
    camera: Camera | None = None
    colour_mode: ColourMode = "pressure"
    palette: PaletteName = "default"
    #: the body (an id of ``backview bodies``; None: the one given on the command line or the
    #: shipped torso) and the skin tone it is drawn in
    body: BodyId | None = None
    skin_tone: SkinToneName = "default"
    selected_zone: str | None = None
    labels: Labels = "all"
    pins: list[Pin] = Field(default_factory=list, max_length=MAX_PINS)
    #: what is drawn: the skin and the layers under it (x-ray), and the skin's opacity
    layers: LayerList = Field(default_factory=lambda: list(DEFAULT_LAYERS))
    skin_opacity: SkinOpacity = 1.0
    #: "Before you start": the conditions that apply (ids) and the areas marked to avoid
    conditions: list[str] = Field(default_factory=list)
    marks: list[SessionMark] = Field(default_factory=list, max_length=MAX_MARKS)

    @field_validator("conditions")
    @classmethod
    def _conditions(cls, value: list[str]) -> list[str]:
        for item in value:
            if not item:
                raise ValueError("a condition id cannot be empty")
            _plain(item, MAX_NAME)
        return list(dict.fromkeys(value))

    def screening(self) -> Screening:
        """The answers and marks as the core's :class:`~viewer.core.screening.Screening`."""
        return Screening(tuple(self.conditions), tuple(m.mark() for m in self.marks))

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(_plain(value, MAX_TITLE).split())
        return value or None

    @field_validator("selected_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _plain(value, MAX_NAME)

    def check_against(self, rmap, landmarks=None, path=None, bounds=None) -> None:
        """Raise :class:`SessionError` when the zone or a pin's landmark is not in the map or body;
        with the body's ``bounds`` (mesh units), a :class:`~viewer.core.camera.CameraError` when
        the camera cannot show it."""
        if bounds is not None and self.camera is not None:
            check_fits(self.camera, bounds, path)
        if self.selected_zone is not None and self.selected_zone not in rmap.by_id:
            raise SessionError(f"unknown zone '{self.selected_zone}' (this map has: "
                               f"{', '.join(rmap.by_id)})", path, "selected_zone")
        known = [c.id for c in conditions(rmap)]
        if known:
            for i, cid in enumerate(self.conditions):
                if cid not in known:
                    raise SessionError(f"unknown condition '{cid}' (this map has: "
                                       f"{', '.join(known)})", path, f"conditions.{i}")
            for i, mark in enumerate(self.marks):
                if mark.condition is not None and mark.condition not in known:
                    raise SessionError(f"unknown condition '{mark.condition}' (this map has: "
                                       f"{', '.join(known)})", path, f"marks.{i}.condition")
        if landmarks is not None:
            for i, pin in enumerate(self.pins):
                if pin.landmark is not None and pin.landmark not in landmarks:
                    raise SessionError(f"unknown landmark '{pin.landmark}'", path,
                                       f"pins.{i}.landmark")


def _field(loc) -> str:
    return ".".join(str(p) for p in loc) or None


def parse_session(raw, path=None) -> Session:
    """Validate a decoded JSON document; raise :class:`SessionError` naming the first bad field."""
    if not isinstance(raw, dict):
        raise SessionError("a session is a JSON object ({...})", path)
    try:
        return Session.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "literal_error" and "format" in err["loc"]:
            msg = f"not a BackView session (format must be '{FORMAT}')"
        raise SessionError(msg, path, _field(err["loc"])) from None


def load_session(path: str | os.PathLike) -> Session:
    path = Path(path)
    if not path.exists():
        raise SessionError("no such session file", path)
    if path.is_dir():
        raise SessionError("is a folder, not a session file", path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"cannot be read: {exc}", path) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                           path) from None
    return parse_session(raw, path)


def save_session(session: Session, path: str | os.PathLike) -> Path:
    """Write ``session`` as indented JSON, atomically (a temporary file, then a rename)."""
    path = Path(path)
    text = session.model_dump_json(indent=2, exclude_none=True) + "\n"
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise SessionError(f"cannot be written: {exc.strerror or exc}", path) from None
    return path
