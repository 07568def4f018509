"""``backview info``: what mesh BackView is showing, its size, and its landmarks."""

from __future__ import annotations

import json

from viewer.cli._common import add_body_options
from viewer.core import anatomy
from viewer.core.body import Body


def add_parser(sub) -> None:
    p = sub.add_parser("info", help="describe the body mesh and its landmarks")
    add_body_options(p, map_option=False)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)


def run(args) -> int:
    body = Body.load(args.mesh, args.landmarks)
    lo, hi = body.bounds_cm
    report = {
        "mesh": str(body.mesh_path),
        "vertices": int(len(body.mesh.vertices)),
        "faces": int(len(body.mesh.faces)),
        "bounds_cm": {"min": [round(float(v), 1) for v in lo], "max": [round(float(v), 1) for v in hi],
                      "size": [round(float(v), 1) for v in hi - lo]},
        "landmarks_file": str(body.landmarks_path) if body.landmarks_path else None,
        "landmarks": {k: [round(float(c), 5) for c in v] for k, v in body.landmarks.items()},
        "missing_landmarks": body.missing_landmarks() if body.landmarks else None,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    size = report["bounds_cm"]["size"]
    print(f"mesh       {report['mesh']}")
    print(f"vertices   {report['vertices']:,}")
    print(f"faces      {report['faces']:,}")
    print("bounds     x {:.1f} .. {:.1f} cm, y {:.1f} .. {:.1f} cm, z {:.1f} .. {:.1f} cm".format(
        lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]))
    print(f"size       {size[0]:.1f} x {size[1]:.1f} x {size[2]:.1f} cm")
    if not body.landmarks:
        print("landmarks  none (zones need <mesh>.landmarks.json beside the mesh or --landmarks)")
        return 0
    print(f"landmarks  {len(body.landmarks)} from {report['landmarks_file']}")
    scale = body.unit * 100.0
    for name, p in body.landmarks.items():
        x, y, z = (p * scale)
        print(f"  {name:34s} {anatomy.describe(name):48s} ({x:6.1f}, {y:6.1f}, {z:6.1f}) cm")
    if report["missing_landmarks"]:
        print("missing    " + ", ".join(report["missing_landmarks"]))
    return 0
