"""``backview export``: an annotated picture of the back, made without a display.

    backview export --out back.png [--size 3840x2160] [--colour-by stroke:friction]
                    [--zone ID] [--labels all|none] [--view back|...] [--session S.json]
                    [--title TEXT] [--pin LANDMARK:NOTE ...] [--transparent]
                    [--layers skin,bones,kidneys] [--skin-opacity 0.3]
                    [--condition ID ...] [--mark AT:RADIUS_CM[:NOTE] ...]

Options given on the command line win over the session file's. A mistake (an unknown zone,
view or colour mode, a bad size, a file that cannot be written) prints one line and exits with
status 2; nothing is written and an existing file is left as it was.
"""

from __future__ import annotations

import sys

from viewer.cli._common import (
    add_body_options,
    add_skin_tone_option,
    add_screening_options,
    conditions_from_args,
    screening_or_none,
)
from viewer.core.options import LABEL_CHOICES
from viewer.core.palette import COLOUR_MODES, PALETTES
from viewer.core.structures import LAYERS
from viewer.core.views import VIEWS


def add_parser(sub) -> None:
    p = sub.add_parser(
        "export",
        help="write an annotated picture (PNG or PDF) or a one-file 3D web page (HTML), no window",
        description="Render the back off-screen with a title, the legend, zone labels, the "
                    "selected zone's callout and pins, and write it as a PNG (or PDF); or write "
                    "FILE.html: one self-contained 3D page (zones, legend, click a zone) that "
                    "opens offline in a browser.")
    p.add_argument("--out", "-o", required=True, metavar="FILE",
                   help="the picture to write: .png (or .pdf), or .html for one self-contained "
                        "web page (3D view, legend, click a zone)")
    p.add_argument("--size", metavar="WxH",
                   help="pixels, e.g. 1920x1080 (default), 3840x2160, or a4 / a4-landscape "
                        "(300 dpi); at most 8192 a side")
    p.add_argument("--colour-by", dest="colour_by", metavar="MODE",
                   help=f"colour mode: {', '.join(COLOUR_MODES)} (default: pressure)")
    p.add_argument("--palette", metavar="NAME",
                   help=f"colour theme: {', '.join(PALETTES)} (default: default)")
    p.add_argument("--view", metavar="VIEW", help=f"camera preset: {', '.join(VIEWS)} "
                   "(default: back)")
    p.add_argument("--zone", metavar="ID", help="select a zone: outline it and add a callout with "
                   "its technique and cautions (`backview zones` lists the ids)")
    p.add_argument("--labels", metavar="|".join(LABEL_CHOICES),
                   help="label every visible zone (default) or none")
    p.add_argument("--title", metavar="TEXT", help="the picture's title (default: the map's name)")
    p.add_argument("--pin", action="append", metavar="WHERE:NOTE", default=None,
                   help="a numbered pin with a note, at a landmark (spinous_T7:Start here) or a "
                        "point X,Y,Z in mesh units; repeat for more (up to 9)")
    p.add_argument("--transparent", action="store_true", default=None,
                   help="transparent background (PNG with alpha)")
    p.add_argument("--layers", metavar="LIST",
                   help=f"what to draw, comma-separated: {', '.join(LAYERS)} (default: skin); the "
                        "bones and kidneys show through a translucent skin (--skin-opacity)")
    p.add_argument("--skin-opacity", dest="skin_opacity", metavar="0..1",
                   help="the skin's opacity as a fraction from 0 (invisible) to 1 (opaque, the "
                        "default), e.g. 0.3; not a percentage")
    p.add_argument("--session", metavar="FILE", help="a saved session (JSON): view or camera, "
                   "colour mode, selected zone, pins, title")
    add_body_options(p)
    add_skin_tone_option(p)
    add_screening_options(p)
    p.set_defaults(run=run)


def _session_screening(session, body, rmap, path):
    """A session's answers and marks (None when it has none), checked like the command line's:
    a condition the map does not list, or a mark off the body, is one line naming the session."""
    from viewer.core.errors import BackViewError
    from viewer.core.screening import MARK_SNAP_CM, closest_on_skin, parse_condition

    screening = session.screening()
    if screening.empty:
        return None
    for i, cid in enumerate(screening.conditions):
        try:
            parse_condition(cid, rmap)
        except BackViewError as err:
            raise BackViewError(err.message, path, f"conditions[{i}]") from None
    for i, mark in enumerate(screening.marks):
        off_cm = closest_on_skin(body, mark.at)[2] * body.unit * 100
        if off_cm > MARK_SNAP_CM:
            raise BackViewError(f"lies {off_cm:.1f} cm off the body's skin (at most "
                                f"{MARK_SNAP_CM:g} cm)", path, f"marks[{i}]:point")
    return screening


def unknown_zone(zone: str, rmap, map_path=None):
    """The one line for an unknown ``--zone``: the known ids, and the user's map if they gave one."""
    from viewer.core.errors import BackViewError

    return BackViewError(f"unknown zone '{zone}' (choose from {', '.join(rmap.by_id)}; "
                         "`backview zones` describes them)", map_path, "zone")


def _check_session_pins(scene, pins, path) -> None:
    """A session's pins on this body's skin, or the one line naming the session file and pin."""
    from viewer.core.errors import BackViewError
    from viewer.render.picture.options import resolve_pins

    for i, pin in enumerate(pins):
        try:
            resolve_pins(scene, [pin])
        except BackViewError as exc:
            where = "landmark" if pin.landmark is not None else "point"
            raise BackViewError(exc.message, path, f"pins.{i}.{where}") from None


def _write_page(scene, opts, out) -> int:
    """``--out back.html``: the scene as one self-contained web page."""
    from viewer.render.picture.html import export_html

    result = export_html(scene, opts, out)
    extras = [opts.mode, opts.view if opts.camera is None else "camera"]
    if opts.zone:
        extras.append(f"zone {opts.zone}")
    if opts.screening is not None:
        screening = opts.screening
        extras.append(f"screened: {', '.join(screening.conditions) or 'no condition'}, "
                      f"{len(screening.marks)} mark{'' if len(screening.marks) == 1 else 's'}"
                      + (", POSTPONE the massage" if result.postponed else ""))
    print(f"wrote {out} (web page, {result.size / 1e6:.1f} MB, {result.cells} triangles; "
          f"{', '.join(extras)})")
    return 0


def run(args) -> int:
    # Everything that can be checked without the body is checked first, so a typo costs
    # nothing and leaves no file behind.
    from viewer.core.errors import BackViewError
    from viewer.core.options import (
        check_colour_mode,
        check_labels,
        check_layers,
        check_palette,
        check_skin_opacity,
        check_text,
        check_view,
        parse_size,
    )
    from viewer.core.session import MAX_PINS, MAX_TITLE, Session, load_session

    session = load_session(args.session) if args.session else Session()
    overrides = {}
    if args.colour_by is not None:
        overrides["colour_mode"] = check_colour_mode(args.colour_by)
    if args.palette is not None:
        overrides["palette"] = check_palette(args.palette)
    if args.view is not None:
        overrides["view"] = check_view(args.view)
        overrides["camera"] = None  # a named view replaces the session's exact camera
    if args.zone is not None:
        overrides["selected_zone"] = args.zone
    if args.labels is not None:
        overrides["labels"] = check_labels(args.labels, LABEL_CHOICES)
    if args.title is not None:
        overrides["title"] = check_text(args.title, MAX_TITLE, "title")
    if args.layers is not None:
        overrides["layers"] = list(check_layers(args.layers))
    if args.skin_opacity is not None:
        overrides["skin_opacity"] = check_skin_opacity(args.skin_opacity)
    if getattr(args, "skin_tone", None) is not None:
        overrides["skin_tone"] = args.skin_tone  # checked with the other options (resolve_body)
    if getattr(args, "body", None) is not None:
        overrides["body"] = args.body
    elif (args.session and session.body is not None and not getattr(args, "mesh", None)
          and not getattr(args, "landmarks", None)):
        # the session's body, unless the command line names a mesh
        from viewer.core.bodies import body_entry

        try:
            entry = body_entry(session.body)
        except BackViewError as exc:
            raise BackViewError(exc.message, args.session, "body") from None
        args.mesh, args.landmarks = str(entry.mesh_path), str(entry.landmarks_path)
        args.body_entry = entry

    from viewer.render import picture as ex  # pyvista and Pillow: only now
    from viewer.render.picture.options import FORMATS, PAGE_FORMATS

    out, fmt = ex.check_output(args.out, {**FORMATS, **PAGE_FORMATS})
    page = fmt == "HTML"
    if page:  # a web page (issue 18): what only a picture has is refused before any work
        from viewer.render.picture.html import not_on_a_page

        for option, given in (("size", args.size), ("transparent", args.transparent),
                              ("labels", args.labels), ("pin", args.pin),
                              ("layers", args.layers), ("skin-opacity", args.skin_opacity)):
            if given is not None:
                raise not_on_a_page(option)
        if args.session:  # a session's pins, labels and layers are a picture's: left out
            overrides.update(pins=[], labels="all", layers=["skin"], skin_opacity=1.0)
    size = parse_size(args.size) if args.size else (1920, 1080, None)
    pins = [] if page else list(session.pins)
    if args.pin:
        pins = [ex.parse_pin(text) for text in args.pin]
    if len(pins) > MAX_PINS:
        raise BackViewError(f"{len(pins)} pins: at most {MAX_PINS}", field="pin")
    merged = session.model_copy(update=overrides)
    opts = ex.ExportOptions.from_session(merged, size=size[:2], dpi=size[2], pins=pins,
                                         transparent=bool(args.transparent))
    # the session's own title and notes are named by the session's fields
    if args.session and args.title is None and merged.title:
        ex.check_glyphs(merged.title, "title", args.session)
    if args.session and not args.pin and not page:
        for i, pin in enumerate(pins):
            ex.check_glyphs(pin.note, f"pins.{i}.note", args.session)
    opts.validate()
    # a body on a massage table is drawn on it (the table, face cradle, bolster and towel)
    from viewer.render.props import PROPS_COLOUR, read_props

    props = read_props(getattr(args, "body_entry", None))
    if props is not None:
        opts.extra_meshes = [*opts.extra_meshes, (props, PROPS_COLOUR)]

    from viewer.core.body import Body
    from viewer.core.regionmap import load_region_map
    from viewer.render.scene import BodyScene

    map_path = getattr(args, "region_map", None)
    rmap = load_region_map(map_path)
    conditions_from_args(args, rmap)  # a typo in a condition costs no mesh loading
    if merged.selected_zone is not None and merged.selected_zone not in rmap.by_id:
        # name the option or the session field the unknown zone came from
        if args.zone is None and args.session:
            merged.check_against(rmap, path=args.session)
        raise unknown_zone(merged.selected_zone, rmap, map_path)
    body = Body.load(getattr(args, "mesh", None), getattr(args, "landmarks", None))
    if args.session:
        merged.check_against(rmap, None if args.pin else body.landmarks, path=args.session,
                             bounds=body.mesh.bounds)
    # the guide's screening (--condition, --mark, else the session's answers and marks),
    # checked before anything is rendered
    opts.screening = screening_or_none(args, body, rmap)
    if opts.screening is None and args.session:
        opts.screening = _session_screening(merged, body, rmap, args.session)
    scene = BodyScene(body, rmap)
    if args.session and not args.pin and not page:
        _check_session_pins(scene, pins, args.session)
    ex.quiet_vtk()
    if page:
        return _write_page(scene, opts, out)
    result = ex.export_image(scene, opts, out)
    for line in result.warnings or []:
        print(f"backview: warning: {line}", file=sys.stderr)
    w, h = result.image.size
    extras = []
    if opts.zone:
        extras.append(f"zone {opts.zone}")
    if result.pins:
        hidden = sum(1 for p in result.pins if p.tip is None)
        extras.append(f"{len(result.pins)} pin{'s' if len(result.pins) > 1 else ''}"
                      + (f" ({hidden} hidden in this view)" if hidden else ""))
    extras.append(f"{len(result.labels)} labels")
    if opts.screening is not None:
        screening = opts.screening
        extras.append(f"screened: {', '.join(screening.conditions) or 'no condition'}, "
                      f"{len(screening.marks)} mark{'' if len(screening.marks) == 1 else 's'}"
                      + (", POSTPONE the massage" if result.banner is not None else ""))
    if opts.xray:
        extras.append(f"{' and '.join(result.layers_shown) or 'nothing'} under the skin at "
                      f"{opts.skin_opacity:g} opacity")
    print(f"wrote {out} ({w}x{h}, {opts.mode}, {opts.view if opts.camera is None else 'camera'}; "
          f"{', '.join(extras)})")
    return 0
