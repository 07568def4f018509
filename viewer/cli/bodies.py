"""``backview bodies``: the bodies BackView ships and the skin tones it draws them in."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    p = sub.add_parser("bodies", help="list the shipped bodies (for --body) and skin tones "
                                      "(for --skin-tone)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def listing() -> dict:
    from viewer.core.bodies import catalogue
    from viewer.core.palette import SKIN_TONES

    return {
        "bodies": [{"id": e.id, "name": e.name, "pose": e.pose, "description": e.description}
                   for e in catalogue()],
        "skin_tones": [{"id": t.id, "name": t.name} for t in SKIN_TONES.values()],
    }


def run(args) -> int:
    data = listing()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print("Bodies (--body ID):")
    for b in data["bodies"]:
        print(f"  {b['id']:<14} {b['name']} ({b['pose']}): {b['description']}")
    print("Skin tones (--skin-tone ID), from the Monk Skin Tone scale (Google, CC BY 4.0):")
    for t in data["skin_tones"]:
        print(f"  {t['id']:<14} {t['name']}")
    return 0
