"""``backview anatomy``: the bones and kidneys under the skin, fitted to a body (issue 13)."""

from __future__ import annotations

import json

from viewer.cli._common import add_body_options
from viewer.core.body import Body

#: the landmarks the body's frame needs before anything can be fitted
FRAME_LANDMARKS = ("spinous_C7", "spinous_S2", "acromion_left", "acromion_right")


def add_parser(sub) -> None:
    p = sub.add_parser("anatomy", help="list the bones and kidneys fitted under the skin")
    add_body_options(p, map_option=False)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)


def run(args) -> int:
    from viewer.core.structures import describe, fit_structures

    body = Body.load(args.mesh, args.landmarks)
    body.require_landmarks(list(FRAME_LANDMARKS))
    fitted = fit_structures(body)
    rows = describe(body, fitted)
    if args.json:
        print(json.dumps({"structures": rows, "missing": fitted.missing}, indent=2))
        return 0
    print(f"{'id':16s} {'name':30s} {'kind':5s} {'levels':9s} {'lateral cm':>11s} "
          f"{'depth cm':>10s} {'inside':>6s}")
    for r in rows:
        levels = "-".join(r["levels"]) if r["levels"] else "?"
        lat = "{:.1f}-{:.1f}".format(*r["lateral_cm"])
        dep = "{:.1f}-{:.1f}".format(*r["depth_cm"]) if r["depth_cm"] else "?"
        print(f"{r['id']:16s} {r['name']:30s} {r['kind']:5s} {levels:9s} {lat:>11s} {dep:>10s} "
              f"{r['inside_skin'] * 100:5.1f}%")
    for line in fitted.missing:
        print(f"left out: {line}")
    return 0
