"""``backview lesson``: the guided lesson's steps, checked; or one annotated picture per step.

    backview lesson [--lesson FILE] [--map FILE] [--mesh FILE] [--landmarks FILE]
    backview lesson --export DIR [--size WxH] [--palette NAME] [--lesson FILE] ...

Without ``--export`` it checks the lesson (schema, its map, the zones, rules and arrows it names,
its guide citations) and lists the steps. With ``--export`` it writes ``DIR/01-prepare.png``,
``DIR/02-effleurage.png``, ... A mistake prints one line per problem (``file:steps:<id>:<field>:
message``) and exits with status 2; nothing is written then.
"""

from __future__ import annotations


from viewer.cli._common import (
    add_body_options,
    add_skin_tone_option,
    add_screening_options,
    conditions_from_args,
    screening_or_none,
)
from viewer.core.options import check_palette, parse_size
from viewer.core.palette import PALETTES


def add_parser(sub) -> None:
    p = sub.add_parser(
        "lesson", help="check and list the guided lesson, or write one picture per step",
        description="Check the guided lesson (the steps of the guide, in its order) and list its "
                    "steps; with --export, write one annotated picture per step, rendered "
                    "off-screen: the step's colours, highlighted zones, stroke arrows, caption, "
                    "rules and the guide's sentences.")
    p.add_argument("--lesson", metavar="FILE",
                   help="lesson file (TOML); default: the shipped lesson")
    p.add_argument("--export", metavar="DIR",
                   help="write DIR/01-<step>.png, DIR/02-<step>.png, ... (DIR is created if missing)")
    p.add_argument("--size", metavar="WxH",
                   help="pixels of each picture, e.g. 1920x1080 (default), 3840x2160, or a4 / "
                        "a4-landscape (300 dpi)")
    p.add_argument("--palette", metavar="NAME",
                   help=f"colour theme: {', '.join(PALETTES)} (default: default)")
    add_body_options(p, map_help="region map (default: the one the lesson names)")
    add_skin_tone_option(p)
    add_screening_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    # Everything that can be checked without the body comes first: a typo costs nothing and
    # leaves no file behind.
    from viewer.core.errors import BackViewError
    from viewer.core.lesson import load_lesson
    from viewer.core.regionmap import load_region_map

    map_path = getattr(args, "region_map", None)
    rmap = load_region_map(map_path) if map_path else None
    lesson = load_lesson(args.lesson, rmap=rmap)
    from viewer.core.lesson import step_bodies

    step_bodies(lesson)  # a step's body must be one `backview bodies` lists
    conditions_from_args(args, lesson.rmap)  # a typo in a condition costs no mesh loading
    if args.export is None:
        if (args.size is not None or args.palette is not None
                or getattr(args, "skin_tone", None) is not None):
            raise BackViewError("--size, --palette and --skin-tone go with --export DIR",
                                field="export")
        if getattr(args, "condition", None) or getattr(args, "mark", None):
            raise BackViewError("--condition and --mark go with --export DIR", field="export")
        body = None
        if getattr(args, "mesh", None) or getattr(args, "landmarks", None):
            from viewer.core.body import Body

            body = Body.load(getattr(args, "mesh", None), getattr(args, "landmarks", None))
            check_arrows_fit(lesson, body)
        _print_steps(lesson, body)
        return 0
    if args.palette is not None:
        check_palette(args.palette)

    from viewer.render import picture as ex  # pyvista and Pillow: only now
    from viewer.render.picture import check_export_dir, export_lesson

    width, height, dpi = parse_size(args.size) if args.size else (1920, 1080, None)
    folder = check_export_dir(args.export)

    from viewer.core.body import Body
    from viewer.render.scene import BodyScene

    body = Body.load(getattr(args, "mesh", None), getattr(args, "landmarks", None))
    # the guide's screening (--condition, --mark), checked before anything is rendered
    screening = screening_or_none(args, body, lesson.rmap)
    scene = BodyScene(body, lesson.rmap)
    ex.quiet_vtk()
    pictures = export_lesson(scene, lesson, folder, size=(width, height),
                             palette=args.palette or "default", dpi=dpi, screening=screening,
                             skin_tone=getattr(args, "skin_tone", None) or "default")
    for pic in pictures:
        print(f"wrote {pic.path} ({width}x{height}, {pic.step.colour_by}; "
              f"{len(pic.step.highlight)} highlighted, {_count(len(pic.step.arrows), 'arrow')}, "
              f"{_count(len(pic.result.labels), 'label')})")
    return 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def check_arrows_fit(lesson, body) -> None:
    """Every arrow's anchors resolve on ``body`` (its landmarks), or RegionMapError."""
    from viewer.core.errors import BackViewError, RegionMapError
    from viewer.core.lesson import arrow_paths
    from viewer.core.zones import ZoneGeometry

    geometry = ZoneGeometry(body, lesson.rmap)
    problems = []
    for arrow in lesson.data.arrows:
        try:
            arrow_paths(arrow, geometry.anchor)
        except KeyError as exc:
            problems.append(BackViewError(f"the body has no landmark {exc}", lesson.path,
                                          f"arrows:{arrow.id}:points"))
    if problems:
        raise RegionMapError(problems)


def _print_steps(lesson, body=None) -> None:
    info, rmap = lesson.data.lesson, lesson.rmap
    steps = lesson.steps
    on = f" and {body.mesh_path.name}" if body is not None and body.mesh_path else ""
    print(f"{info.title} (lesson {info.id} v{info.version}, {lesson.path.name}) on "
          f"{rmap.label}{on}: {len(steps)} steps")
    for k, step in enumerate(steps, start=1):
        print(f"{k:2d}. {step.title}  [{step.id}]")
        print(f"    view {step.view}, colour {step.colour_by}")
        print(f"    highlight: {', '.join(step.highlight) or 'none'}")
        print(f"    arrows: {', '.join(step.arrows) or 'none'}")
    fit = ", arrows on this body" if body is not None else ""
    print(f"ok: schema, map, zones, rules, arrows and guide citations{fit} all check out")
