"""Annotated pictures for handouts and slides, rendered off-screen (no display needed).

The 3D view is rendered by the same :class:`~viewer.render.actors.SceneActors` as the window (so
the colours are the window's) in an off-screen plotter at the full target size, never scaled
(pyvista #5748). A 2D layer is then composed with Pillow and the shipped DejaVu Sans font: a
title, the legend of the colour mode, zone labels with leader lines to the zones (placed by
:mod:`viewer.render.layout`), a callout for the selected zone, numbered pins and a footer. A
lesson step (:mod:`viewer.render.lesson_export`) highlights several zones and labels only those,
draws its stroke arrows in the same render (``extra_meshes``) and has its panel (caption, rules,
the guide's sentences) where the callout would go.
Labels and pins are tied to the 3D scene through the renderer's own world-to-display transform,
and a zone is only labelled where it can be seen: its surface must pass the z-buffer test.

The file is written atomically with its metadata (PNG text chunks, or PDF info)::

    scene = BodyScene(body, rmap)
    export_image(scene, ExportOptions(size=(3840, 2160), mode="stroke:friction"), "back.png")
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pydantic import ValidationError

from viewer import __version__
from viewer.core.atomic import atomic_write_bytes
from viewer.core.camera import Camera, preset_camera
from viewer.core.errors import BackViewError
from viewer.core.palette import (
    get_palette,
    legend,
    mode_title,
    parse_colour_mode,
    zone_colour,
    zone_hatched,
)
from viewer.core.regionmap import Zone
from viewer.core.options import (
    EXPORT_LABELS,
    SIZE_PRESETS,
    check_colour_mode,
    check_labels,
    check_palette,
    check_size,
    check_view,
    parse_size,
)
from viewer.core.session import MAX_NOTE, Pin, Session
from viewer.core.views import view_phrase
from viewer.core.wording import zone_facts, zone_sections
from viewer.render.actors import SceneActors
from viewer.render.annotate import Canvas, contrasting_text, ellipsize, line_height, rgb, wrap
from viewer.render.camera import apply_camera
from viewer.render.layout import (
    CalloutSpec,
    LabelOption,
    LabelRequest,
    Page,
    PinNote,
    PlacedLabel,
    StepPlan,
    StepSpec,
    Style,
    callout_position,
    label_columns,
    place_labels,
    plan_page,
    plan_step_page,
    callout_height,
    shift_panel_up,
    shrink_callout,
)
from viewer.render.scene import BodyScene

FORMATS = {".png": "PNG", ".pdf": "PDF"}
MUTED = "#5c5852"
#: a lesson step's kicker and quote bars
STEP_ACCENT = "#1f5f8b"
RULE = "#d9d3cb"
PANEL_FILL = "#ffffff"
PIN_COLOUR = "#1b1b1b"
#: how far (metres) a pin given as a point may be from the skin before it is refused
PIN_SNAP_LIMIT = 0.05
#: a point passes the z-buffer test when it is at most this far (metres) behind the surface
DEPTH_TOLERANCE = 0.012


# --------------------------------------------------------------------------- options
@dataclass
class ExportOptions:
    """What to export. ``camera`` (mesh units, parallel projection) wins over ``view``."""

    size: tuple[int, int] = (1920, 1080)
    mode: str = "pressure"
    palette: str = "default"
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

    @classmethod
    def from_session(cls, session: Session, **overrides) -> "ExportOptions":
        opts = cls(mode=session.colour_mode, palette=session.palette, view=session.view,
                   camera=session.camera, zone=session.selected_zone, labels=session.labels,
                   title=session.title, pins=list(session.pins))
        for key, value in overrides.items():
            setattr(opts, key, value)
        return opts

    def to_session(self) -> Session:
        return Session(title=self.title, view=self.view, camera=self.camera, colour_mode=self.mode,
                       palette=self.palette, selected_zone=self.zone, labels=self.labels,
                       pins=list(self.pins))

    def validate(self, scene: BodyScene | None = None) -> None:
        """Raise :class:`BackViewError` (one line) for anything wrong, before any rendering."""
        check_size(*self.size)
        check_colour_mode(self.mode)
        check_palette(self.palette)
        if self.camera is None:
            check_view(self.view)
        check_labels(self.labels, EXPORT_LABELS)
        if self.step is not None and self.zone is not None:
            raise BackViewError("a step panel and a selected zone's callout cannot share a picture",
                                field="zone")
        if self.step is not None and self.pins:
            raise BackViewError("a step panel has no room for the pins' notes", field="pin")
        if self.dpi is not None and not (10 <= self.dpi <= 2400):
            raise BackViewError(f"{self.dpi} dpi is not a print resolution", field="dpi")
        if scene is not None:
            if self.zone is not None:
                scene.rmap.zone(self.zone)  # raises for an unknown zone, listing the known ones
            for zid in self.highlight:
                scene.rmap.zone(zid)
            resolve_pins(scene, self.pins)


def check_output(path: str | Path) -> tuple[Path, str]:
    """The output path and format, checked before anything is rendered."""
    path = Path(path)
    if path.is_dir():
        raise BackViewError("is a folder: give a file name", path, "out")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        what = f"'{path.suffix}'" if path.suffix else "a name without an extension"
        raise BackViewError(f"cannot write {what}: name the file .png (or .pdf)", path, "out")
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


# --------------------------------------------------------------------------- pins
@dataclass
class ResolvedPin:
    number: int
    note: str
    point: np.ndarray


@dataclass
class PlacedPin:
    number: int
    note: str
    point: tuple[float, float, float]
    tip: tuple[float, float] | None     # image pixels of the point on the skin; None if hidden
    radius: float
    head: tuple[float, float] | None = None  # the centre of the marker's numbered head


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
    parts = [p.strip() for p in where.split(",")]
    place: dict = {}
    try:
        if len(parts) == 3:
            coords = tuple(float(p) for p in parts)
            if not all(math.isfinite(c) for c in coords):
                raise ValueError
            place["point"] = coords
        elif re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", where):
            place["landmark"] = where
        else:
            raise ValueError
    except ValueError:
        raise BackViewError(f"'{where}' is neither a landmark name nor three numbers X,Y,Z",
                            field="pin") from None
    try:
        return Pin(note=note, **place)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_too_long":
            msg = f"the note has {len(note)} characters: at most {MAX_NOTE}"
        raise BackViewError(msg, field="pin") from None


# --------------------------------------------------------------------------- camera framing
@dataclass
class Framing:
    """Where the body lands in the picture, and the cameras that put it there."""

    render_camera: Camera       # the renderer's camera of the whole picture (world to image pixels)
    camera: Camera              # what the picture shows of the body (its box), as a session keeps
                                # it: exporting with it again frames the body the same way
    body_box: tuple[float, float, float, float]   # image pixels
    cut_bottom: bool
    cut_top: bool
    px_per_unit: float


def body_extent(scene: BodyScene, camera: Camera, custom: bool, aspect: float = 16 / 9):
    """The body's extent in the view plane around the camera's focal point:
    (r0, r1, v0, v1, cut_bottom, cut_top).

    A preset view keeps the scene's own framing at the bottom (the sacrum) and shows the whole
    head at the top; a saved camera keeps exactly what it showed.
    """
    d, up_v, right = camera.basis()
    scale = camera.parallel_scale
    pts = np.asarray(scene.surface.points, float) - np.asarray(camera.focal_point, float)
    pu, pr = pts @ up_v, pts @ right
    v0 = -scale
    v1 = scale if custom else float(pu.max()) + 0.03 * scale
    sel = (pu >= v0) & (pu <= v1)
    if custom:
        sel &= np.abs(pr) <= scale * aspect
    if not sel.any():
        raise BackViewError("the camera does not show the body", field="camera")
    r0, r1 = float(pr[sel].min()), float(pr[sel].max())
    pad = 0.015 * (v1 - v0)
    return r0 - pad, r1 + pad, v0, v1, bool(pu.min() < v0), bool(pu.max() > v1)


def fit_camera(scene: BodyScene, pose: Camera, figure, size, min_column: float, custom: bool,
               avoid=None, gap: float = 0.0) -> Framing:
    """Frame the body in the middle of ``figure``, leaving ``min_column`` pixels each side and
    keeping clear of the ``avoid`` box (a legend in the corner)."""
    framing = _fit(scene, pose, figure, size, min_column, custom)
    if avoid is not None and _overlaps(framing.body_box, avoid, gap):
        lowered = (figure[0], max(figure[1], avoid[3] + gap), figure[2], figure[3])
        framing = _fit(scene, pose, lowered, size, min_column, custom)
    return framing


def _overlaps(a, b, gap=0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _fit(scene: BodyScene, pose: Camera, figure, size, min_column: float, custom: bool) -> Framing:
    W, H = size
    focal = np.asarray(pose.focal_point, float)
    d, up_v, right = pose.basis()
    r0, r1, v0, v1, cut_bottom, cut_top = body_extent(scene, pose, custom)
    fx0, fy0, fx1, fy1 = figure
    fig_w, fig_h = fx1 - fx0, fy1 - fy0
    k = min(fig_h / (v1 - v0), max(fig_w * 0.3, fig_w - 2 * min_column) / (r1 - r0))
    bw, bh = (r1 - r0) * k, (v1 - v0) * k
    bx0 = fx0 + (fig_w - bw) / 2
    by0 = fy0 + (fig_h - bh) / 2 if not cut_bottom else fy1 - bh
    body_box = (bx0, by0, bx0 + bw, by0 + bh)
    # the world point at the box centre, and the focal point that puts it there
    centre_world = focal + right * (r0 + r1) / 2 + up_v * (v0 + v1) / 2
    cx, cy = bx0 + bw / 2, by0 + bh / 2
    new_focal = centre_world - right * (cx - W / 2) / k + up_v * (cy - H / 2) / k
    render_camera = Camera.looking(new_focal - d * pose.distance, new_focal, up_v, H / (2 * k))
    return Framing(render_camera, render_camera.centred_on(centre_world, (v1 - v0) / 2), body_box,
                   cut_bottom, cut_top, k)


# --------------------------------------------------------------------------- per-scene caches
_CELL_AREAS: "weakref.WeakKeyDictionary[BodyScene, np.ndarray]" = weakref.WeakKeyDictionary()


def _cell_areas(scene: BodyScene) -> np.ndarray:
    areas = _CELL_AREAS.get(scene)
    if areas is None:
        sized = scene.surface.compute_cell_sizes(length=False, area=True, volume=False)
        areas = np.asarray(sized.cell_data["Area"], float)
        _CELL_AREAS[scene] = areas
    return areas


# --------------------------------------------------------------------------- rendering
@dataclass
class Rendered:
    rgba: np.ndarray            # H x W x 4 uint8, image rows top to bottom
    zbuffer: np.ndarray         # H x W float (0 near .. 1 background), rows top to bottom
    matrix: np.ndarray          # world -> clip, 4x4
    clipping_range: tuple[float, float]


def render_view(scene: BodyScene, opts: ExportOptions, framing: Framing, style: Style,
                selected: int | list[int] | None) -> Rendered:
    """The 3D view at the full target size in its own off-screen plotter (never ``show()``).
    ``selected``: the selected zone's index, or the highlighted zones' indices; the options'
    ``extra_meshes`` are drawn in the same render (they hide, and are hidden by, the body)."""
    W, H = opts.size
    plotter = pv.Plotter(off_screen=True, window_size=(W, H))
    try:
        actors = SceneActors(plotter, scene, opts.mode, line_scale=style.line_scale,
                             background=True, palette=opts.palette)
        if isinstance(selected, list):
            actors.highlight(selected, render=False)
        elif selected is not None:
            actors.select(selected, render=False)
        for i, (mesh, colour) in enumerate(opts.extra_meshes):
            plotter.add_mesh(mesh, color=colour, smooth_shading=True, ambient=0.35, diffuse=0.7,
                             specular=0.25, specular_power=30, name=f"extra-{i}", pickable=False,
                             render=False)
        apply_camera(plotter, framing.render_camera)
        img = plotter.screenshot(return_img=True, transparent_background=opts.transparent)
        zbuf = _zbuffer(plotter, W, H)
        cam = plotter.renderer.GetActiveCamera()
        m = cam.GetCompositeProjectionTransformMatrix(W / H, -1, 1)
        matrix = np.array([[m.GetElement(i, j) for j in range(4)] for i in range(4)])
        near, far = cam.GetClippingRange()
    finally:
        plotter.close()
    rgba = np.asarray(img)
    if rgba.shape[2] == 3:
        rgba = np.dstack([rgba, np.full(rgba.shape[:2], 255, np.uint8)])
    return Rendered(rgba, zbuf, matrix, (near, far))


def _zbuffer(plotter: pv.Plotter, W: int, H: int) -> np.ndarray:
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkCommonCore import vtkFloatArray

    arr = vtkFloatArray()
    plotter.render_window.GetZbufferData(0, 0, W - 1, H - 1, arr)
    return vtk_to_numpy(arr).reshape(H, W)[::-1]


def project(rendered: Rendered, points: np.ndarray, size) -> np.ndarray:
    """World points -> (x, y, depth) with x, y image pixels (y down) and depth as the z-buffer
    stores it."""
    W, H = size
    pts = np.atleast_2d(np.asarray(points, float))
    hom = np.c_[pts, np.ones(len(pts))] @ rendered.matrix.T
    ndc = hom[:, :3] / hom[:, 3:4]
    x = (ndc[:, 0] + 1) / 2 * W
    y = H - (ndc[:, 1] + 1) / 2 * H
    z = (ndc[:, 2] + 1) / 2
    return np.c_[x, y, z]


def visible(rendered: Rendered, xyz: np.ndarray, unit: float, box=None) -> np.ndarray:
    """Which projected points are the nearest surface at their pixel (not hidden)."""
    H, W = rendered.zbuffer.shape
    near, far = rendered.clipping_range
    tol = DEPTH_TOLERANCE / unit / max(far - near, 1e-9)
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    ok = (x >= 0) & (x < W) & (y >= 0) & (y < H) & (z >= 0) & (z <= 1)
    if box is not None:
        ok &= (x >= box[0]) & (x < box[2]) & (y >= box[1]) & (y < box[3])
    ix = np.clip(x.astype(int), 0, W - 1)
    iy = np.clip(y.astype(int), 0, H - 1)
    return ok & (rendered.zbuffer[iy, ix] >= z - tol)


# --------------------------------------------------------------------------- the export
@dataclass
class ExportResult:
    """The picture and where everything went (image pixels), for tests and callers."""

    image: Image.Image
    camera: Camera              # what the picture shows of the body, to save in a session
    render_camera: Camera       # the renderer's camera of the whole picture
    body_box: tuple[float, float, float, float]
    labels: list[PlacedLabel]
    pins: list[PlacedPin]
    legend_swatches: list[tuple[str, tuple[int, int, int, int], str, bool]]
    callout_box: tuple[float, float, float, float] | None
    callout_leader: tuple[tuple[float, float], tuple[float, float]] | None
    metadata: dict[str, str]
    path: Path | None = None
    step: StepPlan | None = None    # a lesson step's panel: its box, lines and fonts


def view_subtitle(opts: ExportOptions) -> str:
    where = view_phrase(None if opts.camera is not None else opts.view)
    kind, stroke = parse_colour_mode(opts.mode)
    what = ("coloured by how firmly to press" if kind == "pressure"
            else f"coloured by where {stroke.value} belongs")
    return f"{where}, {what}"


#: the parts of a zone's text a callout has room for (the window shows them all)
CALLOUT_SECTIONS = ("technique", "cautions")


def callout_spec(zone: Zone, mode: str, palette: str) -> CalloutSpec:
    """The selected zone's callout: the window's zone facts and its technique and cautions."""
    facts = [(f.label, f.value, zone_colour(zone, f.mode, palette), zone_hatched(zone, f.mode))
             for f in zone_facts(zone)]
    sections = [(s.heading, list(s.paragraphs), s.bulleted) for s in zone_sections(zone)
                if s.kind in CALLOUT_SECTIONS]
    return CalloutSpec(zone.name, zone_colour(zone, mode, palette), zone_hatched(zone, mode), facts,
                       sections)


def annotated_image(scene: BodyScene, opts: ExportOptions) -> ExportResult:
    """Render and annotate; nothing is written."""
    opts.validate(scene)
    W, H = opts.size
    style = Style.for_size(W, H)
    pal = get_palette(opts.palette)
    rmap = scene.rmap
    selected = rmap.zone(opts.zone) if opts.zone else None
    pins = resolve_pins(scene, opts.pins)
    custom = opts.camera is not None
    pose = opts.camera if custom else preset_camera(scene.body, opts.view, W / H)

    # which side the panel goes: the selected zone's, so its callout faces it
    panel_side = "right"
    if selected is not None and style.landscape:
        d, up_v, right = pose.basis()
        r0, r1, *_ = body_extent(scene, pose, custom)
        a = (scene.label_anchor(selected.index) - np.asarray(pose.focal_point)) @ right
        if a < (r0 + r1) / 2 - 0.04 * (r1 - r0):
            panel_side = "left"

    title = opts.title or rmap.info.name
    pin_notes = [PinNote(p.number, p.note) for p in pins]
    footer_left = opts.footer or (f"Region map: {rmap.info.name}, version {rmap.info.version} "
                                  "· made with BackView")
    highlighted = [rmap.zone(z).index for z in opts.highlight]
    if opts.step is not None:
        page = plan_step_page(style, title=title, step=opts.step,
                              legend_heading=mode_title(opts.mode),
                              legend_entries=legend(opts.mode, rmap, pal), footer_left=footer_left,
                              footer_right=_reminder(rmap))
    else:
        page = plan_page(
            style, title=title, subtitle=view_subtitle(opts), legend_heading=mode_title(opts.mode),
            legend_entries=legend(opts.mode, rmap, pal),
            callout=callout_spec(selected, opts.mode, pal) if selected is not None else None,
            pin_notes=pin_notes, footer_left=footer_left, footer_right=_reminder(rmap),
            panel_side=panel_side)
    # a few highlighted zones' labels may wrap to narrower columns, leaving the body more room;
    # every step of a lesson frames the body alike, labels or not
    if opts.labels == "all":
        min_column = style.px(235)
    elif (opts.labels == "highlighted" and highlighted) or opts.step is not None:
        min_column = style.px(205)
    else:
        min_column = style.px(20)
    avoid = page.legend.box if page.legend_in_figure else None
    framing = fit_camera(scene, pose, page.figure, (W, H), min_column, custom, avoid, style.gap)
    slack = (page.figure[3] - page.figure[1]) - (framing.body_box[3] - framing.body_box[1])
    if not style.landscape and slack > 1 and page.step is None:
        shift_panel_up(page, slack)
        framing = fit_camera(scene, pose, page.figure, (W, H), min_column, custom, avoid, style.gap)
    if highlighted:
        marked = list(dict.fromkeys(highlighted + ([selected.index] if selected else [])))
    else:
        marked = selected.index if selected else None
    rendered = render_view(scene, opts, framing, style, marked)
    canvas = _compose_base(rendered, framing, style, pal, opts.transparent)
    result = _annotate(canvas, page, scene, opts, rendered, framing, style, pal, selected, pins)
    return result


def _reminder(rmap) -> str:
    """The map's own rule about pressure, as a one-line reminder in the footer."""
    rule = next((r for r in rmap.rules if r.id == "pressure"), None)
    return rule.title if rule is not None else ""


def _compose_base(rendered: Rendered, framing: Framing, style: Style, pal, transparent: bool) -> Canvas:
    """The page background with the 3D view's body box on it, faded out where the body is cut."""
    H, W = rendered.rgba.shape[:2]
    if transparent:
        base = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    else:
        base = Image.new("RGBA", (W, H), rgb(pal.background) + (255,))
    x0, y0, x1, y1 = (int(round(v)) for v in framing.body_box)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    crop = rendered.rgba[y0:y1, x0:x1].copy()
    fade = int(0.07 * (y1 - y0))
    if fade > 1:
        ramp = np.linspace(1.0, 0.0, fade) ** 1.5
        if framing.cut_bottom:
            crop[-fade:, :, 3] = (crop[-fade:, :, 3] * ramp[:, None]).astype(np.uint8)
        if framing.cut_top:
            crop[:fade, :, 3] = (crop[:fade, :, 3] * ramp[::-1, None]).astype(np.uint8)
    base.alpha_composite(Image.fromarray(crop, "RGBA"), dest=(x0, y0))
    return Canvas(base)


def _annotate(canvas: Canvas, page: Page, scene: BodyScene, opts: ExportOptions, rendered: Rendered,
              framing: Framing, style: Style, pal, selected: Zone | None,
              pins: list[ResolvedPin]) -> ExportResult:
    W, H = opts.size
    rmap = scene.rmap
    unit = scene.body.unit
    bx0, by0, bx1, by1 = framing.body_box
    # the faded strip at a cut edge is no place for a label's anchor
    fade = 0.07 * (by1 - by0)
    usable_box = (bx0, by0 + (fade if framing.cut_top else 0), bx1,
                  by1 - (fade * 0.8 if framing.cut_bottom else 0))

    # --- what of each zone can be seen
    centres = scene.cell_centres
    xyz = project(rendered, centres, (W, H))
    seen = visible(rendered, xyz, unit, usable_box)
    d, _, _ = framing.render_camera.basis()
    facing = scene.cell_normals @ (-d)
    seen &= facing > 0.05
    areas = _cell_areas(scene) * np.clip(facing, 0, 1) * framing.px_per_unit ** 2
    zone_of = scene.zone_of_cell
    min_area = (0.022 * (by1 - by0)) ** 2

    # --- meshes drawn with the body (a lesson step's arrows): label anchors and leaders keep
    # off them, or a leader's halo would cover an arrowhead
    extra_mask = None
    if opts.extra_meshes:
        pts = np.vstack([np.vstack([np.asarray(m.points), np.asarray(m.cell_centers().points)])
                         for m, _ in opts.extra_meshes])
        extra_mask = _mask_of(project(rendered, pts, (W, H))[:, :2], (W, H),
                              framing.px_per_unit, unit)

    anchors: dict[int, tuple[float, float]] = {}
    visible_area: dict[int, float] = {}
    for z in rmap.zones:
        cells = np.flatnonzero((zone_of == z.index) & seen)
        if len(cells) == 0:
            continue
        area = float(areas[cells].sum())
        visible_area[z.index] = area
        good = cells[facing[cells] >= 0.35]
        pick = good if len(good) else cells
        if extra_mask is not None and z.side is not None:
            # a point whose leader, level to the body's edge on the zone's side, meets no arrow
            edge = bx0 if xyz[pick, 0].mean() < (bx0 + bx1) / 2 else bx1
            clear = pick[~_ray_hits(extra_mask, xyz[pick, 0], xyz[pick, 1], edge)]
            pick = clear if len(clear) else pick
        fields = scene.geometry.zone_field(z, scene.geometry.project(centres[pick],
                                                                      scene.cell_normals[pick]))
        best = pick[int(np.argmax(fields))]
        anchors[z.index] = (float(xyz[best, 0]), float(xyz[best, 1]))

    body_mid = (bx0 + bx1) / 2
    columns = label_columns(page.figure, framing.body_box, style.gap)
    y_range = (page.figure[1], page.figure[3])

    # --- the selected zone: a mask of where it shows, and its callout
    sel_mask = None
    callout_box = callout_leader = None
    obstacles: dict[str, list[tuple[float, float]]] = {}
    if selected is not None:
        cells = np.flatnonzero((zone_of == selected.index) & seen)
        sel_mask = _mask_of(xyz[cells, :2], (W, H), framing.px_per_unit, unit)
        plan = page.callout
        shown = visible_area.get(selected.index, 0.0) >= min_area
        if not shown:
            # hidden from this view: say so, and point nowhere
            plan.head_lines = wrap(f"{selected.name} (not seen from this view)",
                                   style.callout_head_font, plan.width - 2 * plan.pad - style.px(4))
            plan.height = callout_height(style, plan)
            region_h = plan.region[3] - plan.region[1]
            if style.landscape and plan.height > region_h:
                shrink_callout(style, plan, region_h)
            callout_box = callout_position(plan, (by0 + by1) / 2)
        else:
            ax, ay = anchors[selected.index]
            callout_box = callout_position(plan, ay)
        plan.box = callout_box
        if shown:
            cx0, cy0, cx1, cy1 = callout_box
            inset = min(style.px(40), (cy1 - cy0) / 2)
            if page.panel_side == "right":
                start = (cx0, float(np.clip(ay, cy0 + inset, cy1 - inset)))
            elif page.panel_side == "left":
                start = (cx1, float(np.clip(ay, cy0 + inset, cy1 - inset)))
            else:
                start = (float(np.clip(ax, cx0 + inset, cx1 - inset)), cy0)
            callout_leader = (start, (ax, ay))
            margin = style.px(14)
            for side, (c0, c1) in columns.items():
                span = _y_span_in_band(start, (ax, ay), c0, c1)
                if span is not None:
                    obstacles.setdefault(side, []).append((span[0] - margin, span[1] + margin))

    if page.legend_in_figure:
        lx0, ly0, lx1, ly1 = page.legend.box
        for side, (c0, c1) in columns.items():
            if c1 > lx0 and c0 < lx1:
                obstacles.setdefault(side, []).append((ly0 - style.gap, ly1 + style.gap))

    # --- labels: one per zone, or per pair of zones (left and right share a name)
    placed: list[PlacedLabel] = []
    if opts.labels in ("all", "highlighted"):
        only = {rmap.zone(z).index for z in opts.highlight} if opts.labels == "highlighted" else None
        requests = _label_requests(rmap, anchors, visible_area, min_area, body_mid, opts, pal,
                                   selected, only)

        body_mask = _Mask(rendered.zbuffer[::4, ::4] < 1.0, 4)
        body_w = max(1.0, bx1 - bx0)
        # highlighted zones: a leader should not cross one to reach another
        marked = {rmap.zone(z).index for z in opts.highlight}
        zone_img = _zone_image(xyz[seen, :2], zone_of[seen], (W, H)) if marked else None

        def leader_cost(side, anchor, start_x):
            start = (start_x, anchor[1])
            cost = 4.0 * _length_over(body_mask, start, anchor, framing.px_per_unit, unit) / body_w
            if _length_over(sel_mask, start, anchor, framing.px_per_unit, unit) > 0:
                cost += 100.0
            if _length_over(extra_mask, start, anchor, framing.px_per_unit, unit) > 0:
                cost += 10.0
            if zone_img is not None:
                cost += 2.0 * len(_zones_crossed(zone_img, start, anchor) & marked)
            return cost

        placed = place_labels(requests, columns, y_range, style, obstacles=obstacles,
                              leader_cost=leader_cost)

    # --- draw, back to front
    text_c = pal.text
    for lab in placed:
        _leader(canvas, lab.start, lab.anchor, style, text_c)
    if callout_leader is not None:
        _leader(canvas, callout_leader[0], callout_leader[1], style, text_c, strong=True)
    for lab in placed:
        _label(canvas, lab, style, text_c, pal)
    swatches = _legend(canvas, page, style, pal) if page.legend is not None else []
    if page.strip is not None:
        swatches = _legend_strip(canvas, page.strip, style, pal)
    if page.step is not None:
        _step_panel(canvas, page.step, style, pal)
    if page.callout is not None and callout_box is not None:
        _callout(canvas, page, style, pal)
    segments = [(lab.start, lab.anchor, style.halo_width / 2) for lab in placed]
    dots = [(lab.anchor, style.dot_radius + style.px(2.2)) for lab in placed]
    if callout_leader is not None:
        segments.append((callout_leader[0], callout_leader[1], style.halo_width * 0.65))
        dots.append((callout_leader[1], style.dot_radius * 1.35 + style.px(2.2)))
    placed_pins = _pins(canvas, pins, rendered, framing, style, unit, (W, H), segments, dots)
    _titles(canvas, page, style, pal, placed_pins)

    metadata = export_metadata(scene, opts, framing)
    return ExportResult(canvas.image, framing.camera, framing.render_camera,
                        framing.body_box, placed, placed_pins,
                        swatches, callout_box, callout_leader, metadata, step=page.step)


def _label_requests(rmap, anchors, visible_area, min_area, body_mid, opts, pal, selected,
                    only: set[int] | None = None):
    """One label request per zone, or per pair of zones; ``only``: these zones' labels alone."""
    groups: dict[str, list[Zone]] = {}
    for z in rmap.zones:
        groups.setdefault(z.spec.id, []).append(z)
    requests = []
    for key, zones in groups.items():
        # the selected zone is named by its callout; its partner on the other side keeps a label
        members = [z for z in zones if z.index in anchors and visible_area.get(z.index, 0) >= min_area
                   and (selected is None or z.index != selected.index)
                   and (only is None or z.index in only)]
        if not members:
            continue
        options = []
        for z in members:
            ax, ay = anchors[z.index]
            if len(zones) == 1:  # a midline zone may go either way
                options += [LabelOption("left", (ax, ay), z.id), LabelOption("right", (ax, ay), z.id)]
            else:
                options.append(LabelOption("left" if ax < body_mid else "right", (ax, ay), z.id))
        z0 = members[0]
        area = sum(visible_area[z.index] for z in members)
        requests.append(LabelRequest(key, z0.spec.name, zone_colour(z0, opts.mode, pal),
                                     zone_hatched(z0, opts.mode), options, area))
    return requests


def _mask_of(points_xy: np.ndarray, size, px_per_unit: float, unit: float, cell: int = 4):
    """A coarse (1/``cell`` scale) boolean image of where the given surface points show."""
    W, H = size
    mask = np.zeros((H // cell + 2, W // cell + 2), bool)
    if len(points_xy) == 0:
        return _Mask(mask, cell)
    ix = np.clip((points_xy[:, 0] / cell).astype(int), 0, mask.shape[1] - 1)
    iy = np.clip((points_xy[:, 1] / cell).astype(int), 0, mask.shape[0] - 1)
    mask[iy, ix] = True
    # close the gaps between cell centres (about 1 cm apart on the skin)
    reach = max(1, int(math.ceil(0.008 / unit * px_per_unit / cell)))
    grown = mask.copy()
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            if dx * dx + dy * dy <= reach * reach:
                grown |= np.roll(np.roll(mask, dy, 0), dx, 1)
    return _Mask(grown, cell)


class _Mask:
    def __init__(self, data: np.ndarray, cell: int):
        self.data, self.cell = data, cell

    def hit(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ix = np.clip((x / self.cell).astype(int), 0, self.data.shape[1] - 1)
        iy = np.clip((y / self.cell).astype(int), 0, self.data.shape[0] - 1)
        return self.data[iy, ix]


def _zone_image(points_xy: np.ndarray, zones: np.ndarray, size, cell: int = 4) -> np.ndarray:
    """A coarse (1/``cell`` scale) image of which zone shows where (-1: none), from the
    projected centres of the visible cells."""
    W, H = size
    img = np.full((H // cell + 2, W // cell + 2), -1, np.int32)
    ix = np.clip((points_xy[:, 0] / cell).astype(int), 0, img.shape[1] - 1)
    iy = np.clip((points_xy[:, 1] / cell).astype(int), 0, img.shape[0] - 1)
    img[iy, ix] = zones
    return img


def _zones_crossed(zone_img: np.ndarray, p, q, cell: int = 4) -> set[int]:
    """The zones a leader from ``p`` to ``q`` passes over, but for the one it points at."""
    n = max(2, int(math.hypot(q[0] - p[0], q[1] - p[1]) / cell) + 1)
    t = np.linspace(0.0, 1.0, n)
    ix = np.clip(((p[0] + (q[0] - p[0]) * t) / cell).astype(int), 0, zone_img.shape[1] - 1)
    iy = np.clip(((p[1] + (q[1] - p[1]) * t) / cell).astype(int), 0, zone_img.shape[0] - 1)
    ids = zone_img[iy, ix]
    own = ids[-3:]  # the zone at the anchor, and its border
    return set(int(i) for i in ids[:-3] if i >= 0) - set(int(i) for i in own)


def _ray_hits(mask, x: np.ndarray, y: np.ndarray, edge: float, step: float = 3.0) -> np.ndarray:
    """Which level segments from (x, y) to x = ``edge`` cross ``mask``."""
    n = max(2, int(np.abs(edge - x).max() / step) + 1)
    t = np.linspace(0.0, 1.0, n)[None, :]
    xs = x[:, None] + (edge - x[:, None]) * t
    ys = np.broadcast_to(y[:, None], xs.shape)
    return mask.hit(xs.ravel(), ys.ravel()).reshape(xs.shape).any(axis=1)


def _length_over(mask, p, q, px_per_unit, unit) -> float:
    """Pixels of the segment p-q over ``mask``, leaving out its last centimetre (the zone the
    leader points at, next to which the mask's zone may lie)."""
    if mask is None:
        return 0.0
    length = math.hypot(q[0] - p[0], q[1] - p[1])
    n = max(2, int(length / 3))
    t = np.linspace(0.0, 1.0, n)
    keep = t * length <= length - 0.01 / unit * px_per_unit
    if not keep.any():
        return 0.0
    x = p[0] + (q[0] - p[0]) * t[keep]
    y = p[1] + (q[1] - p[1]) * t[keep]
    return float(mask.hit(x, y).sum()) * length / n


def _y_span_in_band(p, q, x0, x1):
    """The y-range of segment p-q over the x-band [x0, x1], or None if it does not cross it."""
    (px, py), (qx, qy) = p, q
    lo, hi = max(min(px, qx), x0), min(max(px, qx), x1)
    if lo > hi:
        return None
    if abs(qx - px) < 1e-9:
        return (min(py, qy), max(py, qy))
    ys = [py + (qy - py) * (x - px) / (qx - px) for x in (lo, hi)]
    return (min(ys), max(ys))


# --------------------------------------------------------------------------- drawing
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
        bw = max(1.0, style.px(1.5))
        canvas.rounded_rect(box, 0, outline=pal.border, width=bw)
        swatches.append((row.key, box, row.colour, row.hatched))
        ty = y + (h - lh * len(row.lines)) / 2
        for line in row.lines:
            canvas.text((x0 + pad + s + style.px(12), ty), line, row_f, pal.text)
            ty += lh
        y += h
    return swatches


def _callout(canvas: Canvas, page: Page, style: Style, pal) -> None:
    plan = page.callout
    x0, y0, x1, y1 = plan.box
    spec = plan.spec
    pad = plan.pad
    radius = style.px(10)
    border = max(1.5, style.px(2.5))
    head_f, sub_f, body_f = style.callout_head_font, style.callout_sub_font, style.callout_font
    head_lh = line_height(head_f, 1.2)
    head_h = pad * 0.7 + head_lh * len(plan.head_lines) + pad * 0.7
    canvas.rounded_rect((x0, y0, x1, y1), radius, fill=PANEL_FILL)
    # the heading band in the zone's colour ties the box to the zone
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
    canvas.rounded_rect((x0, y0, x1, y1), radius, outline=pal.text, width=border)
    y = y0 + head_h + pad * 0.7
    body_lh = line_height(body_f, 1.25)
    sub_lh = line_height(sub_f, 1.3)
    chip = style.px(15)
    for key, value, colour, hatched in plan.facts:
        cy = y + body_lh / 2
        canvas.text((x0 + pad, cy), key, sub_f, pal.text, anchor="lm")
        vx = x0 + pad + plan.key_width
        box = (vx, cy - chip / 2, vx + chip, cy + chip / 2)
        if hatched:
            canvas.hatched_rect(box, colour, pal.hatch, spacing=style.px(5), width=style.px(1.6))
        else:
            canvas.fill_rect(box, colour)
        canvas.rounded_rect(box, 0, outline=pal.border, width=max(1.0, style.px(1.2)))
        canvas.text((vx + chip + style.px(9), cy), value, body_f, pal.text, anchor="lm")
        y += body_lh
    bullet = "• "
    indent = body_f.getlength(bullet)
    for sec in plan.sections:
        y += style.px(10)
        if sec.heading:
            canvas.text((x0 + pad, y), sec.heading, sub_f, pal.text)
            y += sub_lh
        for k, para in enumerate(sec.paragraphs):
            for i, line in enumerate(para):
                if sec.bullet and i == 0:
                    canvas.text((x0 + pad, y), bullet.strip(), body_f, pal.text)
                canvas.text((x0 + pad + (indent if sec.bullet else 0), y), line, body_f, pal.text)
                y += body_lh
            if k < len(sec.paragraphs) - 1:
                y += style.px(4)


def _legend_strip(canvas: Canvas, strip, style: Style, pal) -> list:
    canvas.text(strip.heading_at, strip.heading, strip.heading_font, pal.text, anchor="lm")
    swatches = []
    for item in strip.items:
        box = tuple(round(v) for v in item.swatch)
        if item.hatched:
            canvas.hatched_rect(box, item.colour, pal.hatch, spacing=style.px(8), width=style.px(2.2))
        else:
            canvas.fill_rect(box, item.colour)
        canvas.rounded_rect(box, 0, outline=pal.border, width=max(1.0, style.px(1.5)))
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


#: the pin head's centre is this many radii from its point
PIN_REACH = 2.2
#: head directions tried, best first (degrees clockwise from up)
PIN_ANGLES = (0, -35, 35, -70, 70, -110, 110, 180)


def _pin_angle(tip, r: float, segments, dots, heads, bounds) -> float:
    """The head direction that covers the fewest leaders, anchor dots and other pins."""
    best, best_cost = 0.0, None
    for deg in PIN_ANGLES:
        a = math.radians(deg)
        cx, cy = tip[0] + PIN_REACH * r * math.sin(a), tip[1] - PIN_REACH * r * math.cos(a)
        cost = abs(deg) / 180 * 0.05 * r
        for p, q, w in segments:
            cost += max(0.0, r + w - _point_segment_distance((cx, cy), p, q))
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


def _point_segment_distance(c, p, q) -> float:
    (cx, cy), (px, py), (qx, qy) = c, p, q
    dx, dy = qx - px, qy - py
    den = dx * dx + dy * dy
    t = 0.0 if den == 0 else max(0.0, min(1.0, ((cx - px) * dx + (cy - py) * dy) / den))
    return math.hypot(cx - (px + t * dx), cy - (py + t * dy))


def _pins(canvas: Canvas, pins: list[ResolvedPin], rendered: Rendered, framing: Framing,
          style: Style, unit: float, size, segments, dots) -> list[PlacedPin]:
    """Draw the visible pins, each head turned away from leaders, anchors and other pins."""
    out: list[PlacedPin] = []
    if not pins:
        return out
    r = style.pin_radius
    xyz = project(rendered, np.array([p.point for p in pins]), size)
    seen = visible(rendered, xyz, unit, framing.body_box)
    fnt = style.pin_font
    heads: list[tuple[float, float]] = []
    bounds = (0, 0, size[0], size[1])
    for pin, (x, y, _), ok in zip(pins, xyz, seen):
        point = tuple(map(float, pin.point))
        if not ok:
            out.append(PlacedPin(pin.number, pin.note, point, None, r))
            continue
        angle = _pin_angle((x, y), r, segments, dots, heads, bounds)
        head = draw_pin(canvas, (x, y), pin.number, r, fnt, style, angle)
        heads.append(head)
        out.append(PlacedPin(pin.number, pin.note, point, (float(x), float(y)), r, head))
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


def _titles(canvas: Canvas, page: Page, style: Style, pal, pins: list[PlacedPin]) -> None:
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
    # pins footnote
    if page.footnote_items:
        fnt = style.footnote_font
        r = style.pin_radius * 0.78
        hidden = {p.number for p in pins if p.tip is None}
        lh = line_height(fnt, 1.35)
        for number, text, x, top in page.footnote_items:
            cy = top + lh / 2
            canvas.disc((x + r, cy), r, PIN_COLOUR)
            canvas.text((x + r, cy), str(number), style.f(14, True), "#ffffff", anchor="mm")
            note = text + (" (hidden in this view)" if number in hidden else "")
            canvas.text((x + 2 * r + style.px(8), cy), note, fnt, pal.text, anchor="lm")
    # footer
    fnt = style.footer_font
    room = style.width - 2 * style.margin
    left = ellipsize(page.footer_left, fnt, room)
    canvas.text((style.margin, page.footer_y), left, fnt, MUTED)
    room -= fnt.getlength(left) + style.px(30)
    if page.footer_right and room > style.px(120):
        right = ellipsize(page.footer_right, fnt, room)
        canvas.text((style.width - style.margin, page.footer_y), right, fnt, MUTED, anchor="ra")


# --------------------------------------------------------------------------- metadata and files
def export_metadata(scene: BodyScene, opts: ExportOptions, framing: Framing) -> dict[str, str]:
    info = scene.rmap.info
    cam = framing.camera
    return {
        "Title": opts.title or info.name,
        "Software": f"BackView {__version__}",
        "Description": f"{view_subtitle(opts)}; {info.name} v{info.version}",
        "backview:map": info.name,
        "backview:map-id": info.id,
        "backview:map-version": info.version,
        "backview:view": "camera" if opts.camera is not None else opts.view,
        "backview:colour-mode": opts.mode,
        "backview:palette": opts.palette,
        "backview:zone": opts.zone or "none",
        "backview:highlight": ",".join(opts.highlight) or "none",
        "backview:labels": opts.labels,
        "backview:pins": json.dumps([p.model_dump(exclude_none=True) for p in opts.pins]),
        "backview:camera": cam.model_dump_json(),
        **opts.metadata,
    }


def encode(image: Image.Image, fmt: str, metadata: dict[str, str], dpi: int | None,
           transparent: bool, optimize: bool = False) -> bytes:
    """The file's bytes; ``optimize`` makes a PNG smaller (and slower to write)."""
    buf = io.BytesIO()
    if fmt == "PNG":
        info = PngInfo()
        for key, value in metadata.items():
            info.add_text(key, value)
        img = image if transparent else image.convert("RGB")
        kwargs = {"pnginfo": info, "optimize": optimize}
        if dpi:
            kwargs["dpi"] = (dpi, dpi)
        img.save(buf, "PNG", **kwargs)
    else:  # PDF: no alpha; flatten on white
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        flat.save(buf, "PDF", resolution=float(dpi or 150), title=metadata["Title"],
                  subject=metadata["Description"], creator=metadata["Software"],
                  keywords=", ".join(f"{k}={v}" for k, v in metadata.items()
                                     if k.startswith("backview:") and k != "backview:camera"))
    return buf.getvalue()


def export_image(scene: BodyScene, opts: ExportOptions, out: str | Path) -> ExportResult:
    """Render, annotate and write ``out`` (.png or .pdf) atomically. On any error nothing is
    written and an existing file is left as it was."""
    path, fmt = check_output(out)
    opts.validate(scene)
    result = annotated_image(scene, opts)
    data = encode(result.image, fmt, result.metadata, opts.dpi, opts.transparent)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise BackViewError(f"cannot be written: {exc.strerror or exc}", path, "out") from None
    result.path = path
    return result


def quiet_vtk() -> None:
    """Keep VTK's warnings off stderr (e.g. "bad X server connection" on a machine without a
    display, where it falls back to off-screen rendering by itself); errors still show."""
    from vtkmodules.vtkCommonCore import vtkLogger

    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)


__all__ = [
    "ExportOptions", "ExportResult", "SIZE_PRESETS", "annotated_image",
    "check_output", "export_image", "parse_pin", "parse_size",
]
