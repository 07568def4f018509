"""``backview export --out back.html``: one self-contained web page of the scene.

The page is vtk.js's offline viewer (the ``static_viewer.html`` that ships in the ``trame-vtk``
wheel, the one pyvista's ``export_html`` uses) with the scene embedded as vtk.js data (the same
:class:`~viewer.render.actors.SceneActors` as the window and the pictures, serialised by
trame-vtk's serialisers: the zone colours, the borders, the hatching, the selected zone's
outline), and BackView's own overlay around it: the title, the legend of the colour mode (the
picture's rows and colours, the "avoid" swatch hatched), and a zone panel that a click on the
body fills with the zone's name, the rule that applies there (pressure and strokes) and its
technique, cautions and the guide's sentences, in the window's words (:mod:`viewer.core.wording`).

Nothing is fetched: the page carries a Content-Security-Policy that forbids every request but
``data:`` and ``blob:`` ones, and the one URL the viewer would load (vtk.js's favicons) is
taken out. The click is a ray cast in the page's own script against the embedded surface (the
triangle under the mouse, then its place: zone, the zones it overlaps and the screening's marks).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer import __version__
from viewer.core.camera import Camera, preset_camera
from viewer.core.errors import BackViewError
from viewer.core.palette import mode_title, skin_palette, zone_colour, zone_hatched
from viewer.core.regionmap import Zone
from viewer.core.wording import Section, also_inside_text, zone_facts, zone_sections
from viewer.core.zones import NO_ZONE
from viewer.render.camera import apply_camera
from viewer.render.picture.options import PAGE_FORMATS, ExportOptions, check_output
from viewer.render.picture.pipeline import screened_of
from viewer.render.picture.render import _add_scene
from viewer.render.picture.style import Style
from viewer.render.picture.wording import footer_text, reminder, screened_legend, view_subtitle
from viewer.render.picture.write import write_file
from viewer.render.scene import BodyScene
from viewer.render.screened import AVOID_RULE, POSTPONE_HEADING

#: the size the scene is laid out for (the camera's aspect, the lines' width); the page fills
#: whatever window it is opened in
PAGE_VIEW = (1280, 860)
#: the one network URL in vtk.js's offline viewer: its favicons (taken out; the page's policy
#: would block them anyway)
_FAVICON = re.compile(r"https://kitware\.github\.io/vtk-js/icon/favicon-\$\{\w+\}x\$\{\w+\}\.png")
#: every request the page may make: its own inline code and data, nothing from a network
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:; connect-src data: blob:; worker-src blob:")
#: what a click on the skin outside every zone says (the legend's words)
NO_ZONE_NAME = "No specific rule here"
NO_ZONE_TEXT = ("The guide gives no rule specific to this place; its general rules still "
                "apply.")
MARK_HEADING = "Marked area: avoid"
MARK_TEXT = "Avoid this area: no pressure and no stroke here."


@dataclass
class HtmlResult:
    path: Path
    size: int            # bytes written
    cells: int           # triangles of the embedded surface
    places: int          # distinct places a click can name
    camera: Camera
    postponed: bool = False   # the screening postpones the massage (the page says so)


@dataclass(frozen=True)
class _Place:
    """A place whose rule "Before you start" changed, shaped like a zone's Cover for
    :func:`zone_facts` (``reduced_by`` says why)."""

    zone: Zone
    also: tuple
    rule: object
    stricter: list
    reduced_by: str


#: what a picture has and the web page has not, as (option, why): the page fills the browser's
#: window, its legend and zone panel say what labels and pins would
NOT_ON_A_PAGE = {
    "size": "the page fills the browser's window",
    "transparent": "the page has its own background",
    "labels": "the page names a zone when it is clicked",
    "pin": "pins are drawn on pictures only",
    "layers": "the page shows the skin only",
    "skin-opacity": "the page shows the skin only",
}


def not_on_a_page(option: str) -> BackViewError:
    """The one line for an option a web page cannot honour (``--size`` with ``back.html``)."""
    return BackViewError(f"--{option} does not apply to a web page (.html): "
                         f"{NOT_ON_A_PAGE[option]}", field=option)


def check_page_options(opts: ExportOptions) -> None:
    """Refuse what the page cannot show (the command line names its own options first)."""
    if opts.pins:
        raise not_on_a_page("pin")
    if opts.transparent:
        raise not_on_a_page("transparent")
    if tuple(opts.layers) != ("skin",):
        raise not_on_a_page("layers")
    if opts.skin_opacity < 1.0:
        raise not_on_a_page("skin-opacity")


def viewer_template() -> str:
    """vtk.js's offline viewer page, from the trame-vtk package (no network needed)."""
    try:
        from trame_vtk.tools.vtksz2html import HTML_VIEWER_PATH
    except ImportError:  # pragma: no cover - a dependency of the package
        raise BackViewError("the HTML export needs the trame-vtk package "
                            "(pip install trame-vtk)", field="out") from None
    return Path(HTML_VIEWER_PATH).read_text(encoding="utf-8")


def export_html(scene: BodyScene, opts: ExportOptions, out: str | Path) -> HtmlResult:
    """Write the scene as one web page (atomically: on any error nothing is written)."""
    path, _ = check_output(out, PAGE_FORMATS)
    check_page_options(opts)
    opts.validate(scene)
    screened = screened_of(scene, opts)
    before = scene.screened
    scene.apply_screening(screened)
    try:
        page, cells, places, camera = build_page(scene, opts)
        postponed = scene.postponed
    finally:
        scene.apply_screening(before)
    data = page.encode("utf-8")
    write_file(path, data)
    return HtmlResult(path, len(data), cells, places, camera, postponed)


def build_page(scene: BodyScene, opts: ExportOptions) -> tuple[str, int, int, Camera]:
    """The page's text, the number of cells and of places, and the camera it opens with."""
    W, H = PAGE_VIEW
    camera = opts.camera if opts.camera is not None else preset_camera(scene.body, opts.view, W / H)
    selected = scene.rmap.zone(opts.zone).index if opts.zone else None
    # the selection is the page's own (it fades the other zones, as the window does, for the
    # --zone and for every click): the scene goes in unselected
    vtksz = _scene_zip(scene, opts, camera, None)
    data, places = page_data(scene, opts, selected)
    template = viewer_template()
    template = _FAVICON.sub("data:,", template)
    if "</head>" not in template or "</body>" not in template:  # pragma: no cover
        raise BackViewError("trame-vtk's offline viewer has an unknown layout", field="out")
    head, body = _overlay()
    title = html.escape(data["title"])
    template = re.sub(r"<title>.*?</title>", lambda _m: f"<title>{title}</title>", template,
                      count=1, flags=re.S)
    template = template.replace(
        "<head>", "<head>\n<meta http-equiv=\"Content-Security-Policy\" content=\"" + CSP + "\">",
        1)
    template = template.replace("</head>", head + "\n</head>", 1)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    scene_b64 = base64.b64encode(vtksz).decode("ascii")
    script = (f'<script type="application/json" id="bv-data">{payload}</script>\n'
              + body + "\n"
              + "<script>\nfunction loadDataSet() {\n"
              + "  OfflineLocalView.load(document.getElementById('bv-view'), "
              + f'{{ base64Str: "{scene_b64}" }});\n}}\n</script>\n')
    idx = template.rindex("</body>")
    # the overlay and the data go before vtk.js's module script runs (it is deferred)
    template = template[:idx] + script + template[idx:]
    return template, scene.surface.n_cells, places, camera


def _scene_zip(scene: BodyScene, opts: ExportOptions, camera: Camera, selected) -> bytes:
    """The scene as vtk.js data: the actors of an off-screen plotter (never rendered),
    serialised by trame-vtk, zipped as the offline viewer reads it."""
    from trame_vtk.modules.vtk.serializers import (
        SynchronizationContext,
        extract_array_hash,
        initialize_serializers,
        serialize,
    )

    W, H = PAGE_VIEW
    plotter = pv.Plotter(off_screen=True, window_size=(W, H))
    try:
        _add_scene(plotter, scene, opts, Style.for_size(W, H), selected)
        apply_camera(plotter, camera)
        initialize_serializers()
        context = SynchronizationContext()
        # the whole scene, never a difference from an earlier export in this process
        context.set_ignore_last_dependencies(True)
        window = plotter.render_window
        try:
            view = serialize(None, window, "backview-view", context, 1)
        finally:
            _forget_observers(window)
        cam = plotter.renderer.GetActiveCamera()
        _set_camera(view, camera)
        view["extra"] = {"vtkRefId": "backview-view", "centerOfRotation": cam.GetFocalPoint(),
                         "camera": None}
        hashes = {}
        for entry in extract_array_hash(view):
            key = entry["hash"]
            hashes[key] = dict(**entry, content=context.get_cached_data_array(key, False))
    finally:
        plotter.close()
    _single_precision(view, hashes)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zfile:
        zfile.writestr("index.json", json.dumps({"hashes": hashes, "scene": view}))
    return buf.getvalue()


def _single_precision(view: dict, hashes: dict) -> None:
    """Points and normals as 32-bit floats (what the browser draws with anyway): a third less
    to carry. ``hashes``' contents are base64 strings, as the serialiser gives them."""
    converted = set()
    for key, entry in hashes.items():
        if entry.get("type") == "Float64Array" and isinstance(entry.get("content"), str):
            values = np.frombuffer(base64.b64decode(entry["content"]), "<f8")
            entry["content"] = base64.b64encode(values.astype("<f4").tobytes()).decode("ascii")
            entry["type"] = "Float32Array"
            converted.add(key)

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("hash") in converted and "dataType" in node:
                node["dataType"] = "Float32Array"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(view)


def _forget_observers(window) -> None:
    """Take off the delete observers the serialisers put on every object they saw: closing the
    plotter would call them while VTK tears the objects down (a crash)."""
    from vtkmodules.vtkCommonCore import vtkCommand

    seen = []

    def drop(obj) -> None:
        if obj is None or any(obj is o for o in seen):
            return
        seen.append(obj)
        obj.RemoveObservers(vtkCommand.DeleteEvent)

    drop(window)
    renderers = window.GetRenderers()
    for i in range(renderers.GetNumberOfItems()):
        renderer = renderers.GetItemAsObject(i)
        drop(renderer)
        drop(renderer.GetActiveCamera())
        props = renderer.GetViewProps()
        for j in range(props.GetNumberOfItems()):
            prop = props.GetItemAsObject(j)
            drop(prop)
            for getter in ("GetMapper", "GetProperty", "GetTexture", "GetBackfaceProperty"):
                part = getattr(prop, getter, lambda: None)()
                drop(part)
                if getter == "GetMapper" and part is not None:
                    drop(part.GetLookupTable())
                    drop(part.GetInputDataObject(0, 0))
                    drop(part.GetInputAlgorithm())


def _set_camera(view: dict, camera: Camera) -> None:
    """The serialised camera made parallel, as BackView's cameras are (the serialiser keeps only
    its position, focal point and view-up)."""
    for renderer in view.get("dependencies", []):
        for dep in renderer.get("dependencies", []):
            if dep.get("type", "").endswith("Camera"):
                dep["properties"].update(parallelProjection=1,
                                         parallelScale=float(camera.parallel_scale))


# ---------------------------------------------------------------------------- the page's data
def page_data(scene: BodyScene, opts: ExportOptions, selected: int | None) -> tuple[dict, int]:
    """What the overlay shows: title, legend, footer, banner, and for each triangle of the
    surface the place a click there names (its zone, overlaps and marks) with its words."""
    rmap = scene.rmap
    pal = skin_palette(opts.palette, opts.skin_tone)
    mode = opts.mode
    look = scene.look
    zone = scene.zone_of_cell
    cover = scene.cover_of_cell
    mark = scene.mark_of_cell if look is not None else np.full(len(zone), -1)
    keys = np.column_stack([zone, cover, mark]).astype(np.int64)
    combos, cell_place = np.unique(keys, axis=0, return_inverse=True)
    cell_place = cell_place.ravel()
    places = [_place_data(scene, int(z), int(c), int(m), mode, pal) for z, c, m in combos]
    dtype = np.uint8 if len(places) <= 256 else np.uint16
    legend_rows = [_legend_row(e, pal) for e in
                   _legend_entries(scene, mode, pal)]
    banner = scene.banner()
    selected_place = None
    if selected is not None:
        # the zone's own place (inside no other zone, under no mark) where it has one: the
        # panel then says the zone's own rule, as a picture's callout does
        cells = np.flatnonzero(zone == selected)
        alone = cells[(cover[cells] < 0) & (mark[cells] < 0)]
        cells = alone if len(alone) else cells
        if len(cells):
            selected_place = int(cell_place[scene.deepest_cell(selected, cells)])
    data = {
        "title": opts.title or rmap.info.name,
        "subtitle": view_subtitle(opts),
        "legend_heading": mode_title(mode),
        "legend": legend_rows,
        "hatch": pal.hatch,
        "footer": footer_text(rmap, opts),
        "reminder": reminder(rmap),
        "banner": ({"heading": banner.heading, "sentences": list(banner.sentences)}
                   if banner is not None else None),
        "places": places,
        "cells": int(len(cell_place)),
        "cell_place": base64.b64encode(cell_place.astype(dtype).tobytes()).decode("ascii"),
        "cell_place_bytes": int(np.dtype(dtype).itemsize),
        "selected": selected_place,
        "generator": f"BackView {__version__}",
        "map": {"id": rmap.info.id, "name": rmap.info.name, "version": rmap.info.version},
        "mode": mode,
    }
    return data, len(places)


def _legend_entries(scene: BodyScene, mode: str, pal):
    from viewer.core.palette import legend

    return legend(mode, scene.rmap, pal) + screened_legend(scene, mode, pal)


def _legend_row(entry, pal) -> dict:
    return {"key": entry.key, "label": entry.label, "colour": entry.colour,
            "hatched": bool(entry.hatched)}


def _place_data(scene: BodyScene, zone_index: int, cover_index: int, mark: int, mode: str,
                pal) -> dict:
    """The zone panel's words for one place, as the window's panel says them."""
    if zone_index == NO_ZONE:
        colour = pal.no_zone if mark < 0 else zone_colour(AVOID_RULE, mode, pal)
        sections = [_section(Section("notes", "", (NO_ZONE_TEXT,)))]
        if mark >= 0:
            sections.insert(0, _section(_mark_section(scene, mark)))
        return {"zone": None, "name": NO_ZONE_NAME, "colour": colour, "hatched": mark >= 0,
                "facts": [], "also": "", "sections": sections}
    zone = scene.rmap.zones[zone_index]
    cover = scene.covers[cover_index] if cover_index >= 0 else None
    place = _screened_place(scene, zone, cover, mark)
    rule = place.rule if place is not None else zone.rule
    facts = [{"label": f.label, "value": f.value, "note": f.note,
              "colour": zone_colour(rule, f.mode, pal), "hatched": zone_hatched(rule, f.mode)}
             for f in zone_facts(zone, place)]
    notes = []
    look = scene.look
    if look is not None:
        if look.postpone:
            sentences = list(scene.banner().sentences) if scene.banner() else []
            notes.append(Section("cautions", POSTPONE_HEADING, tuple(sentences), warning=True))
        if mark >= 0:
            notes.append(_mark_section(scene, mark))
        why = _why(look, zone, cover)
        if why:
            notes.append(Section("cautions", "Before you start", tuple(why), warning=True))
    return {"zone": zone.id, "name": zone.name, "colour": zone_colour(rule, mode, pal),
            "hatched": zone_hatched(rule, mode), "facts": facts,
            "also": also_inside_text(place),
            "sections": [_section(s) for s in [*notes, *zone_sections(zone)]]}


def _why(look, zone: Zone, cover) -> list[str]:
    zones = [zone] + list(cover.also if cover is not None else ())
    return list(dict.fromkeys(r for z in zones for r in look.limited.get(z.index, [])))


def _screened_place(scene: BodyScene, zone: Zone, cover, mark: int):
    """``cover`` (None: the zone alone), or where the screening makes the rule stricter a
    place whose rule is the screened one, noted with why."""
    look = scene.look
    if look is None:
        return cover
    own = cover if cover is not None else None
    own_rule = cover.rule if cover is not None else zone.rule
    rule = AVOID_RULE if mark >= 0 else look.rule_of(
        [zone.index] + [z.index for z in (cover.also if cover is not None else ())])
    if rule.fields() == own_rule.fields():
        return own
    why = [MARK_HEADING] if mark >= 0 else _why(look, zone, cover)
    reduced = "; ".join(w[:1].lower() + w[1:] for w in why) or "before you start"
    return _Place(zone, cover.also if cover is not None else (), rule,
                  rule.stricter_fields(zone.rule), reduced)


def _mark_section(scene: BodyScene, mark: int) -> Section:
    marks = scene.screened.screening.marks
    note = marks[mark].note if 0 <= mark < len(marks) else None
    return Section("cautions", MARK_HEADING,
                   (f"Mark {mark + 1}" + (f": {note}" if note else ""), MARK_TEXT), warning=True)


def _section(section: Section) -> dict:
    return {"kind": section.kind, "heading": section.heading,
            "paragraphs": list(section.paragraphs), "bulleted": section.bulleted,
            "warning": section.warning}


def _overlay() -> tuple[str, str]:
    """The overlay's style (for the head) and markup and script (for the body)."""
    text = resources.files("viewer.render.picture").joinpath("html_page.html").read_text(
        encoding="utf-8")
    head, _, body = text.partition("<!-- body -->")
    return head.strip(), body.strip()


__all__ = ["CSP", "HtmlResult", "NOT_ON_A_PAGE", "build_page", "check_page_options", "export_html",
           "not_on_a_page", "page_data", "viewer_template"]
