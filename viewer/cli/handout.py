"""``backview handout``: the printable handout, one PDF with real text (issue 17).

    backview handout --out FILE.pdf [--size a4|letter] [--lesson FILE] [--body ID]
                     [--condition ID ...] [--mark AT:RADIUS_CM[:NOTE] ...] [--palette NAME]

A cover with the back coloured by pressure, a section per stroke, the safety rules and the
lesson's steps, every sentence from the region map and the lesson. A mistake prints one line
naming the file or the option and exits with status 2; nothing is written then.
"""

from __future__ import annotations

import sys

from viewer.cli._common import (
    add_body_options,
    add_screening_options,
    add_skin_tone_option,
    conditions_from_args,
    screening_or_none,
)
from viewer.core.palette import PALETTES


def add_parser(sub) -> None:
    p = sub.add_parser(
        "handout", help="write a printable handout (PDF): the map, the strokes, the safety "
                        "rules and the lesson's steps",
        description="Write a printable handout as one PDF with real, selectable text: a cover "
                    "with the back coloured by pressure, a section per stroke (its map, where it "
                    "belongs, how, the zone table), the safety rules with the guide's sentences "
                    "and the lesson's steps with their pictures.")
    p.add_argument("--out", "-o", metavar="FILE.pdf", required=True, help="the PDF to write")
    p.add_argument("--size", metavar="PAGE", help="page size: a4 (default) or letter")
    p.add_argument("--lesson", metavar="FILE",
                   help="lesson file (TOML) whose steps the handout shows; default: the shipped "
                        "lesson")
    p.add_argument("--palette", metavar="NAME",
                   help=f"colour theme: {', '.join(PALETTES)} (default: default)")
    add_body_options(p, map_help="region map (default: the one the lesson names)")
    add_skin_tone_option(p)
    add_screening_options(p)
    p.set_defaults(run=run)


def run(args) -> int:
    # everything that can be checked without rendering comes first: a typo costs nothing and
    # leaves no file behind
    from viewer.core.lesson import load_lesson, step_bodies
    from viewer.core.options import check_palette
    from viewer.core.regionmap import load_region_map

    from viewer.render.handout import check_handout_output, check_page_size

    page = check_page_size(args.size)
    out = check_handout_output(args.out)
    if args.palette is not None:
        check_palette(args.palette)
    map_path = getattr(args, "region_map", None)
    rmap = load_region_map(map_path) if map_path else None
    lesson = load_lesson(args.lesson, rmap=rmap)
    step_bodies(lesson)
    conditions_from_args(args, lesson.rmap)  # a typo in a condition costs no mesh loading

    from viewer.core.body import Body
    from viewer.render.handout import export_handout
    from viewer.render.picture import quiet_vtk
    from viewer.render.scene import BodyScene

    body = Body.load(getattr(args, "mesh", None), getattr(args, "landmarks", None))
    screening = screening_or_none(args, body, lesson.rmap)
    quiet_vtk()
    scene = BodyScene(body, lesson.rmap)
    result = export_handout(scene, lesson, out, page=page, palette=args.palette or "default",
                            skin_tone=getattr(args, "skin_tone", None) or "default",
                            screening=screening, progress=_progress)
    for line in result.warnings:
        print(f"backview: warning: {line}", file=sys.stderr)
    screened = ""
    if screening is not None:
        screened = (f"; screened: {', '.join(screening.conditions) or 'no condition'}, "
                    f"{len(screening.marks)} mark{'' if len(screening.marks) == 1 else 's'}")
    print(f"wrote {result.path} ({result.pages} pages, {page.upper() if page == 'a4' else page}, "
          f"{result.pictures} pictures at 300 dpi, {result.seconds:.1f} s{screened})")
    return 0


def _progress(done: int, total: int, what: str) -> None:
    """One line per picture on a terminal (a redirected stderr stays quiet)."""
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rhandout: picture {done} of {total} ({what})\033[K", end=end, file=sys.stderr,
              flush=True)
