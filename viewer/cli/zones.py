"""``backview zones``: the zone table of a region map fitted to a body."""

from __future__ import annotations

import json

from viewer.cli._common import add_body_options, load_inputs
from viewer.core.regionmap import Stroke
from viewer.core.zones import assign_zones


def add_parser(sub) -> None:
    p = sub.add_parser("zones", help="list the zones: pressure, strokes, size and where they lie")
    add_body_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)


def zone_rows(rmap, assignment) -> list[dict]:
    """One row per zone: its rules, size and place on this body; ``also_inside``: the other
    zones that cover some of its faces (face counts), and ``stricter``: the fields whose value
    on some of its faces is stricter than the zone's own, because such a zone asks for less."""
    stats = {s.id: s for s in assignment.stats()}
    overlaps = assignment.overlap_summary()
    rows = []
    for z in rmap.zones:
        s = stats[z.id]
        rows.append({
            "id": z.id,
            "name": z.name,
            "pressure": z.pressure.value,
            "strokes": {st.value: z.strokes[st].value for st in Stroke},
            "faces": s.faces,
            "area_cm2": s.area_cm2,
            "levels": list(s.levels) if s.levels else None,
            "lateral_cm": list(s.lateral_cm) if s.lateral_cm else None,
            "also_inside": overlaps[z.id]["also_inside"],
            "stricter": overlaps[z.id]["stricter"],
        })
    return rows


def run(args) -> int:
    body, rmap = load_inputs(args)
    assignment = assign_zones(body, rmap)
    rows = zone_rows(rmap, assignment)
    if args.json:
        print(json.dumps({"map": {"file": str(rmap.path), "name": rmap.info.name,
                                  "version": rmap.info.version},
                          "mesh": str(body.mesh_path), "zones": rows}, indent=2))
        return 0
    print(f"{rmap.label} ({rmap.path.name}) on {body.mesh_path.name}: {len(rows)} zones")
    head = f"{'id':24s} {'pressure':9s} {'effl.':12s} {'petr.':12s} {'frict.':12s} " \
           f"{'faces':>6s} {'cm²':>7s}  {'levels':9s} {'lateral cm':>11s}"
    print(head)
    print("-" * len(head))
    for r in rows:
        st = r["strokes"]
        levels = "–".join(r["levels"]) if r["levels"] else "-"
        lat = "{:.1f}–{:.1f}".format(*r["lateral_cm"]) if r["lateral_cm"] else "-"
        print(f"{r['id']:24s} {r['pressure']:9s} {st['effleurage']:12s} {st['petrissage']:12s} "
              f"{st['friction']:12s} {r['faces']:6d} {r['area_cm2']:7.1f}  {levels:9s} {lat:>11s}")
    notes = [stricter_note(r) for r in rows if r["stricter"]]
    if notes:
        print("\nwhere zones overlap on this body, the most cautious value of each field applies:")
        for note in notes:
            print(f"  {note}")
    return 0


def stricter_note(row: dict) -> str:
    """``upper-trapezius-right: also inside scapular-edges-right (26 faces): petrissage
    light-only on 26 faces``."""
    also = ", ".join(f"{a['zone']} ({a['faces']} faces)" for a in row["also_inside"])
    values = ", ".join(f"{s['field']} {s['value']} on {s['faces']} faces" for s in row["stricter"])
    return f"{row['id']}: also inside {also}: {values}"
