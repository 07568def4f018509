"""Options and loading shared by the headless sub-commands."""

from __future__ import annotations

import argparse

from viewer.core.body import Body
from viewer.core.regionmap import RegionMap, load_region_map


def add_body_options(p, *, map_option: bool = True,
                     map_help: str = "region map (TOML); default: the shipped back-massage map"
                     ) -> None:
    """``--mesh``, ``--landmarks`` (and ``--map``), accepted after the command as well as
    before it: the command's own copies default to *nothing* (SUPPRESS), so a value given
    before the command is kept; the top-level parser supplies the None defaults."""
    p.add_argument("--mesh", metavar="FILE", default=argparse.SUPPRESS,
                   help="body mesh (OBJ, PLY, STL, GLB/GLTF, OFF); default: the shipped torso")
    p.add_argument("--landmarks", metavar="FILE", default=argparse.SUPPRESS,
                   help="landmarks of --mesh (default: <mesh>.landmarks.json beside it)")
    p.add_argument("--body", metavar="ID", default=argparse.SUPPRESS,
                   help="a shipped body instead of --mesh (`backview bodies` lists them; "
                        "default: torso)")
    if map_option:
        p.add_argument("--map", dest="region_map", metavar="FILE", default=argparse.SUPPRESS,
                       help=map_help)


def add_skin_tone_option(p, *, top_level: bool = False) -> None:
    """``--skin-tone ID``: the colour of the skin outside the zones (``backview bodies``)."""
    from viewer.core.palette import SKIN_TONES

    p.add_argument("--skin-tone", dest="skin_tone", metavar="ID",
                   default=None if top_level else argparse.SUPPRESS,
                   help=f"skin tone (Monk Skin Tone scale): {', '.join(SKIN_TONES)} "
                        "(default: default)")


def resolve_body(args) -> None:
    """``--body ID`` -> ``args.mesh`` and ``args.landmarks`` of that catalogue entry (and
    ``args.body_entry``). ``--body`` with ``--mesh`` or ``--landmarks`` is one line; an unknown
    id is one line listing the valid ones. Checks ``--skin-tone`` too (cheap, before loading)."""
    from viewer.core.errors import BackViewError
    from viewer.core.palette import check_skin_tone

    if getattr(args, "skin_tone", None) is not None:
        check_skin_tone(args.skin_tone)
    body_id = getattr(args, "body", None)
    args.body_entry = None
    if body_id is None:
        return
    if getattr(args, "mesh", None) or getattr(args, "landmarks", None):
        raise BackViewError("give either --body or --mesh/--landmarks, not both", field="body")
    from viewer.core.bodies import body_entry

    entry = body_entry(body_id)
    args.mesh, args.landmarks = str(entry.mesh_path), str(entry.landmarks_path)
    args.body_entry = entry


def load_inputs(args, map_path=None) -> tuple[Body, RegionMap]:
    """Map first (cheap, most likely to hold a typo), then the body."""
    rmap = load_region_map(map_path if map_path is not None else getattr(args, "region_map", None))
    body = Body.load(args.mesh, args.landmarks)
    return body, rmap


def add_screening_options(p, *, top_level: bool = False) -> None:
    """``--condition ID`` and ``--mark AT:RADIUS_CM[:NOTE]`` (both repeatable): the guide's
    safety screening (issue 14). Like the body options, a sub-command's copies default to
    nothing (SUPPRESS) and the top-level parser supplies the None defaults."""
    default = None if top_level else argparse.SUPPRESS
    p.add_argument("--condition", action="append", metavar="ID", default=default,
                   help="a condition of the guide's screening that applies (repeatable): fever, "
                        "trauma, inflammation (postpone the massage); broken-skin, rash, "
                        "bruising (avoid the areas given with --mark); dvt, varicose-veins (no "
                        "deep work on the lower back)")
    p.add_argument("--mark", action="append", metavar="AT:RADIUS_CM[:NOTE]", default=default,
                   help="an area to avoid (repeatable): the skin within RADIUS_CM (0-30, measured "
                        "on the surface, plus a 2 cm margin) of AT, a landmark (spinous_T8) or "
                        "a point X,Y,Z in mesh units, e.g. spinous_T8:5:bruise")


def conditions_from_args(args, rmap: RegionMap) -> tuple[str, ...]:
    """The ``--condition`` ids, checked against the map (unknown: one line listing the valid
    ids), each once, in the order given. Needs no body: check it before loading one."""
    from viewer.core.screening import parse_condition

    out: list[str] = []
    for text in getattr(args, "condition", None) or []:
        cid = parse_condition(text, rmap)
        if cid not in out:
            out.append(cid)
    return tuple(out)


def screening_from_args(args, body: Body, rmap: RegionMap):
    """The :class:`viewer.core.screening.Screening` of ``--condition`` and ``--mark`` (empty
    when neither is given). With exactly one avoid-area condition (``--condition bruising``),
    the marks are that condition's; otherwise they are marked areas of no named condition.
    A mistake is one line (a :class:`BackViewError`)."""
    from viewer.core.errors import BackViewError
    from viewer.core.screening import Screening, conditions, parse_mark

    ids = conditions_from_args(args, rmap)
    areas = [c.id for c in conditions(rmap) if c.id in ids and c.effect == "avoid-area"]
    condition = areas[0] if len(areas) == 1 else None
    texts = getattr(args, "mark", None) or []
    marks = []
    for i, text in enumerate(texts, start=1):
        try:
            marks.append(parse_mark(text, body, condition))
        except BackViewError as exc:
            field = f"mark {i}" if len(texts) > 1 else "mark"
            raise BackViewError(exc.message, exc.path, field) from None
    return Screening(ids, tuple(marks))


def screening_or_none(args, body, rmap):
    """:func:`screening_from_args`, or None when the command line asks for no screening (the
    picture is then exactly the plain one)."""
    screening = screening_from_args(args, body, rmap)
    return None if screening.empty else screening
