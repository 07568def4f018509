"""What to export, checked before anything is rendered: size, options, output file and pins."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv
from pydantic import ValidationError

from viewer.core.errors import BackViewError
from viewer.core.palette import check_skin_tone
from viewer.core.camera import Camera, check_fits
from viewer.core.options import (
    DEFAULT_LAYERS,
    EXPORT_LABELS,
    check_layers,
    check_skin_opacity,
    check_colour_mode,
    check_labels,
    check_palette,
    check_size,
    check_view,
    parse_place,
)
from viewer.core.screening import Screening
from viewer.core.session import Pin, Session
from viewer.core.structures import Anatomy
from viewer.render.picture.canvas import check_glyphs
from viewer.render.picture.step_page import StepSpec
from viewer.render.scene import BodyScene

FORMATS = {".png": "PNG", ".pdf": "PDF"}
#: what ``backview export`` also writes: one self-contained web page (``picture/html.py``)
PAGE_FORMATS = {".html": "HTML"}
#: how far (metres) a pin given as a point may be from the skin before it is refused
PIN_SNAP_LIMIT = 0.05


@dataclass
class CellPaint:
    """The body's colours chosen by the caller instead of the zones' (a quiz's pictures: plain
    skin on a question, only the answer's skin coloured on its answer)."""

    #: ``(n_cells, 3)`` uint8: one colour per cell of the scene's cut surface
    rgb: np.ndarray
    #: cells drawn with the "avoid" hatching (None: none)
    hatched: np.ndarray | None = None
    #: draw the zones' borders (False: they would give the zones away)
    borders: bool = False
    #: the legend's heading and rows (no rows: no legend)
    legend_heading: str = ""
    legend: list = field(default_factory=list)


@dataclass
class ExportOptions:
    """What to export. ``camera`` (mesh units, parallel projection) wins over ``view``."""

    size: tuple[int, int] = (1920, 1080)
    mode: str = "pressure"
    palette: str = "default"
    #: the skin's colour outside the zones: an id of viewer.core.palette.SKIN_TONES
    skin_tone: str = "default"
    view: str = "back"
    camera: Camera | None = None
    zone: str | None = None
    labels: str = "all"
    title: str | None = None
    pins: list[Pin] = field(default_factory=list)
    transparent: bool = False
    dpi: int | None = None
    #: zones emphasised together (a lesson step's): each outlined, the others faded
    highlight: list[str] = field(default_factory=list)
    #: more meshes drawn with the body in the same render, e.g. stroke arrows: (mesh, colour)
    extra_meshes: list[tuple[pv.PolyData, str]] = field(default_factory=list)
    #: a lesson step's panel (caption, rules, quotes) where a zone's callout would go
    step: StepSpec | None = None
    #: the footer's left text (default: the region map's name and version)
    footer: str | None = None
    #: more text entries for the file's metadata
    metadata: dict[str, str] = field(default_factory=dict)
    #: what is drawn: the skin and the layers under it ("bones", "kidneys"), and the opacity
    #: of the skin's surface, a fraction from 0 to 1 (borders and hatching keep theirs)
    layers: tuple[str, ...] = DEFAULT_LAYERS
    skin_opacity: float = 1.0
    #: the structures under the skin, already fitted (default: fitted when a layer needs them)
    anatomy: Anatomy | None = None
    #: "Before you start" (issue 14): the conditions that apply and the marks on the body
    #: (:class:`viewer.core.screening.Screening`); the picture shows the screened map
    screening: Screening | None = None
    #: the screening already applied to the scene's assignment (default: applied from
    #: ``screening``), a :class:`viewer.core.screening.Screened`
    screened: object | None = None
    #: what a preset view frames: "body" (the body down to the sacrum, the whole head) or
    #: "back" (the back itself, neck to sacrum, large: the lesson's and the handout's pictures)
    frame: str = "body"
    #: the body's colours, hatching, borders and legend chosen by the caller (a
    #: :class:`CellPaint`; None: the zones' in ``mode``)
    paint: CellPaint | None = None

    @property
    def xray(self) -> bool:
        """True when the skin is see-through and a layer under it is asked for: only then
        are the structures fitted and drawn."""
        return (self.skin_opacity < 1.0 or "skin" not in self.layers) and any(
            layer != "skin" for layer in self.layers)

    @classmethod
    def from_session(cls, session: Session, **overrides) -> "ExportOptions":
        opts = cls(mode=session.colour_mode, palette=session.palette, view=session.view,
                   camera=session.camera, zone=session.selected_zone, labels=session.labels,
                   title=session.title, pins=list(session.pins), layers=tuple(session.layers),
                   skin_opacity=session.skin_opacity, skin_tone=session.skin_tone)
        for key, value in overrides.items():
            setattr(opts, key, value)
        return opts

    def to_session(self) -> Session:
        return Session(title=self.title, view=self.view, camera=self.camera, colour_mode=self.mode,
                       palette=self.palette, selected_zone=self.zone, labels=self.labels,
                       pins=list(self.pins), layers=list(self.layers),
                       skin_opacity=self.skin_opacity, skin_tone=self.skin_tone)

    def texts(self) -> list[tuple[str, str]]:
        """The user's text drawn on the picture, as (field, text): the title and the pins' notes."""
        pins = [(f"pin {i}", pin.note) for i, pin in enumerate(self.pins, start=1)]
        return ([("title", self.title)] if self.title else []) + pins

    def validate(self, scene: BodyScene | None = None) -> None:
        """Raise :class:`BackViewError` (one line) for anything wrong, before any rendering."""
        check_size(*self.size)
        check_colour_mode(self.mode)
        check_palette(self.palette)
        check_skin_tone(self.skin_tone)
        if self.camera is None:
            check_view(self.view)
        check_labels(self.labels, EXPORT_LABELS)
        if self.frame not in ("body", "back"):
            raise BackViewError(f"'{self.frame}' is not a framing (body or back)", field="frame")
        self.layers = check_layers(self.layers)
        self.skin_opacity = check_skin_opacity(self.skin_opacity)
        if self.step is not None and self.zone is not None:
            raise BackViewError("a step panel and a selected zone's callout cannot share a picture",
                                field="zone")
        if self.step is not None and self.pins:
            raise BackViewError("a step panel has no room for the pins' notes", field="pin")
        if self.dpi is not None and not (10 <= self.dpi <= 2400):
            raise BackViewError(f"{self.dpi} dpi is not a print resolution", field="dpi")
        for i, mark in enumerate(self.screening.marks if self.screening else (), start=1):
            if mark.note:
                check_glyphs(mark.note, f"mark {i}")
        for field_name, text in self.texts():
            check_glyphs(text, field_name)
        if scene is not None:
            if self.camera is not None:
                check_fits(self.camera, scene.body.mesh.bounds)
            if self.zone is not None:
                scene.rmap.zone(self.zone)  # raises for an unknown zone, listing the known ones
            for zid in self.highlight:
                scene.rmap.zone(zid)
            resolve_pins(scene, self.pins)
            if self.paint is not None and len(self.paint.rgb) != scene.surface.n_cells:
                raise BackViewError(f"{len(self.paint.rgb)} cell colours for a surface of "
                                    f"{scene.surface.n_cells} cells", field="paint")


def check_output(path: str | Path, formats: dict[str, str] | None = None) -> tuple[Path, str]:
    """The output path and format, checked before anything is rendered. ``formats``: the
    extensions accepted (default: the pictures', :data:`FORMATS`)."""
    formats = FORMATS if formats is None else formats
    path = Path(path)
    if path.is_dir():
        raise BackViewError("is a folder: give a file name", path, "out")
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        what = f"'{path.suffix}'" if path.suffix else "a name without an extension"
        names = list(formats)
        choice = names[0] + (f" (or {', '.join(names[1:])})" if len(names) > 1 else "")
        raise BackViewError(f"cannot write {what}: name the file {choice}", path, "out")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.exists():
        raise BackViewError(f"the folder '{folder}' does not exist", path, "out")
    if not folder.is_dir():
        raise BackViewError(f"'{folder}' is not a folder", path, "out")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackViewError(f"cannot write in '{folder}' (permission denied)", path, "out")
    if path.exists() and not os.access(path, os.W_OK):
        raise BackViewError("the file exists and is read-only", path, "out")
    return path, fmt


@dataclass
class ResolvedPin:
    number: int
    note: str
    point: np.ndarray


def resolve_pins(scene: BodyScene, pins) -> list[ResolvedPin]:
    """Pins as points on the skin (a landmark's, or the surface point nearest the given one)."""
    out = []
    landmarks = scene.body.landmarks
    unit = scene.body.unit
    for i, pin in enumerate(pins, start=1):
        if pin.landmark is not None:
            if pin.landmark not in landmarks:
                some = ", ".join(list(landmarks)[:4])
                raise BackViewError(f"unknown landmark '{pin.landmark}' (this body has {len(landmarks)}, "
                                    f"e.g. {some}; `backview info` lists them)", field=f"pin {i}")
            point = np.asarray(landmarks[pin.landmark], float)
        else:
            point = np.asarray(pin.point, float)
        idx = scene.surface.find_closest_point(point)
        nearest = np.asarray(scene.surface.points[idx], float)
        off = float(np.linalg.norm(nearest - point)) * unit
        if off > PIN_SNAP_LIMIT:
            raise BackViewError(f"the point is {off * 100:.0f} cm away from the skin "
                                f"(at most {PIN_SNAP_LIMIT * 100:.0f} cm)", field=f"pin {i}")
        out.append(ResolvedPin(i, pin.note, point if pin.landmark is not None else nearest))
    return out


def parse_pin(text: str) -> Pin:
    """``"LANDMARK:note"`` or ``"X,Y,Z:note"`` (mesh units) -> :class:`Pin`."""
    where, sep, note = str(text).partition(":")
    where, note = where.strip(), note.strip()
    if not sep or not where or not note:
        raise BackViewError(f"'{text}' is not a pin: give LANDMARK:NOTE (e.g. 'spinous_T7:Start "
                            "here') or X,Y,Z:NOTE", field="pin")
    place = parse_place(where, "pin")
    try:
        return Pin(note=note, **place)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["loc"] == ("note",):
            msg = f"the note {msg}"
        raise BackViewError(msg, field="pin") from None
