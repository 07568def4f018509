"""``backview validate``: check a region map against its schema and guide, and fit it to a mesh."""

from __future__ import annotations

import json
import sys

from viewer.cli._common import add_body_options
from viewer.cli.zones import zone_rows
from viewer.core.body import Body
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.regionmap import load_region_map
from viewer.core.zones import assign_zones, is_shipped_torso, overlap_problems


def add_parser(sub) -> None:
    p = sub.add_parser("validate", help="check a region map (schema, guide citations, fit to a mesh)")
    p.add_argument("map", nargs="?", metavar="MAP", help="region map (default: the shipped map)")
    add_body_options(p, map_option=False)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    report: dict = {"map": args.map, "mesh": args.mesh, "ok": False, "errors": [],
                    "warnings": [], "zones": [], "overlaps": [], "empty_zones": []}
    try:
        rmap = load_region_map(args.map)
        report["map"] = str(rmap.path)
        body = Body.load(args.mesh, args.landmarks)
        report["mesh"] = str(body.mesh_path)
        try:
            assignment = assign_zones(body, rmap)
        except RegionMapError as exc:
            assignment = getattr(exc, "assignment", None)
            report["errors"] = exc.lines()
        if assignment is not None:
            # an overlap where the winner allows what the other forbids: on the shipped torso
            # the map contradicts itself (an error); on another body it only meets differently
            # there, and the most cautious value of each field applies (a warning)
            shipped = is_shipped_torso(body)
            lines = [p.line() for p in overlap_problems(assignment, shipped=shipped)]
            report["errors" if shipped else "warnings"] += lines
            report["zones"] = zone_rows(rmap, assignment)
            report["empty_zones"] = assignment.empty_zones()
            report["overlaps"] = [
                {"winner": o.winner, "other": o.other, "faces": o.faces,
                 "conflicts": list(o.conflicts)} for o in assignment.overlaps]
    except RegionMapError as exc:
        report["errors"] = exc.lines()
    except BackViewError as exc:
        report["errors"] = [exc.line()]
    report["ok"] = not report["errors"]

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_text(report)
    for line in report["warnings"]:
        print(f"backview: warning: {line}", file=sys.stderr)
    if report["errors"]:
        for line in report["errors"]:
            print(f"backview: error: {line}", file=sys.stderr)
        return 2
    return 0


def _print_text(report: dict) -> None:
    if not report["zones"]:
        return
    print(f"map   {report['map']}")
    print(f"mesh  {report['mesh']}")
    print(f"zones {len(report['zones'])}")
    for r in report["zones"]:
        levels = "–".join(r["levels"]) if r["levels"] else "-"
        print(f"  {r['id']:24s} {r['faces']:6d} faces {r['area_cm2']:7.1f} cm²  {levels}")
    if report["overlaps"]:
        print("overlaps (the more cautious zone wins):")
        conflict = ("CONFLICT: winner allows " if report["errors"]
                    else "stricter values of the other apply: winner allows ")
        for o in report["overlaps"]:
            flag = "  " + conflict + ", ".join(o["conflicts"]) if o["conflicts"] else ""
            print(f"  {o['winner']:24s} over {o['other']:24s} {o['faces']:6d} faces{flag}")
    if report["empty_zones"]:
        print("empty zones: " + ", ".join(report["empty_zones"]))
    if report["ok"]:
        warned = f" ({len(report['warnings'])} warning(s) on stderr)" if report["warnings"] else ""
        print(f"ok: schema, guide citations and fit all check out{warned}")
