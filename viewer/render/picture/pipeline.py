"""An annotated picture, stage by stage: plan the page → frame the camera → render → find the
visible anchors → place the callout and the labels → draw → write.

Each stage is a module of this package and returns new data for the next::

    scene = BodyScene(body, rmap)
    export_image(scene, ExportOptions(size=(3840, 2160), mode="stroke:friction"), "back.png")
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image

from viewer.core.palette import skin_palette
from viewer.core.regionmap import Pressure, Zone
from viewer.core.camera import Camera, preset_camera
from viewer.core.structures import Anatomy, fit_structures
from viewer.render.picture.anchors import find_anchors, pin_tips
from viewer.render.picture.callout import place_callout
from viewer.render.picture.draw import PlacedPin, Swatch, compose_base, draw_page
from viewer.render.picture.framing import Framing, fit_camera, label_room, panel_side
from viewer.render.picture.labels import LabelChoice, PlacedLabel, label_zones
from viewer.render.picture.options import ExportOptions, ResolvedPin, check_output, resolve_pins
from viewer.render.picture.page import Page, panel_raised, plan_page
from viewer.render.picture.render import render_view
from viewer.render.picture.screening import (
    BannerPlan,
    MarkNote,
    draw_banner,
    draw_mark_notes,
    mark_notes,
    plan_banner,
)
from viewer.render.picture.step_page import StepPlan, plan_step_page
from viewer.render.picture.style import Style
from viewer.render.picture.wording import page_text
from viewer.render.picture.write import encode, export_metadata, write_file
from viewer.render.scene import BodyScene
from viewer.render.xray import UNDER_SKIN


@dataclass
class ExportResult:
    """The picture and where everything went (image pixels), for tests and callers."""

    image: Image.Image
    camera: Camera              # what the picture shows of the body, to save in a session
    render_camera: Camera       # the renderer's camera of the whole picture
    body_box: tuple[float, float, float, float]
    labels: list[PlacedLabel]
    pins: list[PlacedPin]
    legend_swatches: list[Swatch]
    callout_box: tuple[float, float, float, float] | None
    callout_leader: tuple[tuple[float, float], tuple[float, float]] | None
    metadata: dict[str, str]
    path: Path | None = None
    step: StepPlan | None = None    # a lesson step's panel: its box, lines and fonts
    #: the layers under the skin the picture shows (and its legend lists): "bones", "kidneys"
    layers_shown: tuple[str, ...] = ()
    #: one line per structure left out (a landmark it needs is missing); the picture is made
    warnings: list[str] | None = None
    #: a screened picture (issue 14): the postpone banner as drawn (None: not postponed) and
    #: the marks' notes with where they went
    banner: BannerPlan | None = None
    mark_notes: list[MarkNote] = field(default_factory=list)


@dataclass
class _Job:
    """One picture's inputs, checked and resolved."""

    scene: BodyScene
    opts: ExportOptions
    style: Style
    selected: Zone | None
    highlighted: list[int]      # the highlighted zones' indices
    pins: list[ResolvedPin]
    pose: Camera                # the camera asked for: the options' own, or the view's preset
    anatomy: Anatomy | None = None      # the structures under the skin, when a layer shows them
    layers_shown: tuple[str, ...] = ()  # the layers under the skin with something to draw


def _job(scene: BodyScene, opts: ExportOptions) -> _Job:
    """The options resolved against the scene: zones by index, pins on the skin, the camera."""
    rmap = scene.rmap
    W, H = opts.size
    anatomy, shown = None, ()
    if opts.xray:
        anatomy = opts.anatomy if opts.anatomy is not None else fit_structures(scene.body)
        shown = tuple(layer for layer in UNDER_SKIN
                      if layer in opts.layers and anatomy.of_layer(layer))
    return _Job(scene, opts, Style.for_size(W, H), rmap.zone(opts.zone) if opts.zone else None,
                [rmap.zone(z).index for z in opts.highlight], resolve_pins(scene, opts.pins),
                opts.camera if opts.camera is not None else preset_camera(scene.body, opts.view, W / H),
                anatomy, shown)


def annotated_image(scene: BodyScene, opts: ExportOptions) -> ExportResult:
    """Render and annotate; nothing is written. With a screening in the options, the scene
    shows it for this picture only (what it showed before comes back)."""
    opts.validate(scene)
    screened = screened_of(scene, opts)
    if screened is None and scene.screened is None:
        return _annotated(scene, opts)
    before = scene.screened
    scene.apply_screening(screened)
    try:
        return _annotated(scene, opts)
    finally:
        scene.apply_screening(before)


def screened_of(scene: BodyScene, opts: ExportOptions):
    """The options' screening applied to the scene's assignment (None: no screening)."""
    if opts.screened is not None:
        return opts.screened
    if opts.screening is None or opts.screening.empty:
        return None
    from viewer.core.screening import apply_screening

    return apply_screening(scene.assignment, opts.screening)


def _annotated(scene: BodyScene, opts: ExportOptions) -> ExportResult:
    job, pal = _job(scene, opts), skin_palette(opts.palette, opts.skin_tone)
    page, framing = _frame(job, _plan(job, pal))                      # plan, then frame
    rendered = render_view(scene, opts, framing, job.style, _marked(job), job.anatomy)
    view = find_anchors(scene, rendered, framing, opts.extra_meshes)  # what shows where
    callout = None
    if job.selected is not None:
        callout = place_callout(page, job.selected, view, job.style, framing.body_box)
        page = replace(page, callout=callout.plan)
    look = scene.look
    # a postponed massage: no zone labels over the greyed body, the banner speaks
    which = "none" if scene.postponed else opts.labels
    choice = LabelChoice(which, opts.mode, pal, set(job.highlighted), job.selected,
                         look.zone_rules if look is not None else None)
    labels = label_zones(scene, page, view, choice, callout)
    tips = pin_tips(rendered, framing, [p.point for p in job.pins], scene.body.unit)
    canvas = compose_base(rendered, framing, opts.transparent, pal)
    notes = mark_notes(scene, rendered, framing)
    swatches, pins = draw_page(canvas, page, labels, callout, list(zip(job.pins, tips)), pal)
    banner = None
    if scene.banner() is not None:
        banner = plan_banner(scene.banner(), job.style, page.figure, framing.body_box)
        draw_banner(canvas, banner, job.style, pal, pal.pressure[Pressure.AVOID])
    clear = [lab.box for lab in labels] + ([banner.box] if banner else []) + \
        ([page.legend.box] if page.legend is not None else [])
    draw_mark_notes(canvas, notes, job.style, pal, page.figure, clear)
    metadata = export_metadata(scene, opts, framing)
    if scene.screened is not None:
        metadata["backview:screening"] = screening_metadata(scene)
    return ExportResult(canvas.image, framing.camera, framing.render_camera,
                        framing.body_box, labels, pins, swatches,
                        callout.box if callout else None, callout.leader if callout else None,
                        metadata, step=page.step,
                        layers_shown=job.layers_shown,
                        warnings=list(job.anatomy.missing) if job.anatomy is not None else [],
                        banner=banner, mark_notes=notes)


def screening_metadata(scene: BodyScene) -> str:
    """The file's record of the screening: the conditions, the marks, postponed or not."""
    screening = scene.screened.screening
    marks = "; ".join(f"{m.radius_cm:g} cm" + (f" ({m.note})" if m.note else "")
                      for m in screening.marks)
    return (f"conditions: {', '.join(screening.conditions) or 'none'}; "
            f"marks: {len(screening.marks)}{' - ' + marks if marks else ''}; "
            f"postpone: {'yes' if scene.postponed else 'no'}")


def export_image(scene: BodyScene, opts: ExportOptions, out: str | Path) -> ExportResult:
    """Render, annotate and write ``out`` (.png or .pdf) atomically. On any error nothing is
    written and an existing file is left as it was."""
    path, fmt = check_output(out)
    opts.validate(scene)
    result = annotated_image(scene, opts)
    write_file(path, encode(result.image, fmt, result.metadata, opts.dpi, opts.transparent))
    result.path = path
    return result


def _plan(job: _Job, pal) -> Page:
    """The page: a lesson step's, or a zone page with its panel on the selected zone's side."""
    text = page_text(job.scene.rmap, job.opts, pal, job.selected, job.pins, job.layers_shown,
                     job.scene)
    if job.opts.step is not None:
        return plan_step_page(job.style, text, job.opts.step)
    index = job.selected.index if job.selected is not None else None
    return plan_page(job.style, text, panel_side(job.scene, job.pose, index, job.style,
                                                 job.opts.camera is not None))


def _frame(job: _Job, page: Page) -> tuple[Page, Framing]:
    """The camera that frames the body in the page's figure; a portrait page whose body is
    narrower than the figure gives the height left over to the page's foot."""
    opts, style = job.opts, job.style
    min_column = label_room(opts.labels, bool(job.highlighted), opts.step is not None, style)
    avoid = page.legend.box if page.legend_in_figure else None
    custom = opts.camera is not None

    def fit(page: Page) -> Framing:
        return fit_camera(job.scene, job.pose, page.figure, opts.size, min_column, custom, avoid,
                          style.gap, back=opts.frame == "back")

    framing = fit(page)
    slack = (page.figure[3] - page.figure[1]) - (framing.body_box[3] - framing.body_box[1])
    if not style.landscape and slack > 1 and page.step is None:
        page = panel_raised(page, slack)
        framing = fit(page)
    return page, framing


def _marked(job: _Job) -> int | list[int] | None:
    """What the render marks: the highlighted zones (and the selected one), or the selected."""
    index = [job.selected.index] if job.selected is not None else []
    if job.highlighted:
        return list(dict.fromkeys(job.highlighted + index))
    return index[0] if index else None
