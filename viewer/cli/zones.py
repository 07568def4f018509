"""``backview zones``: the zone table of a region map fitted to a body."""

from __future__ import annotations

import json

from viewer.cli._common import (
    add_body_options,
    add_screening_options,
    conditions_from_args,
    screening_from_args,
)
from viewer.core.body import Body
from viewer.core.regionmap import Rule, Stroke, load_region_map
from viewer.core.screening import (
    POSTPONE_TITLE,
    MARK_MARGIN_CM,
    apply_screening,
    mark_rows,
    screening_summary,
)
from viewer.core.zones import assign_zones


def add_parser(sub) -> None:
    p = sub.add_parser("zones", help="list the zones: pressure, strokes, size and where they lie")
    add_body_options(p)
    add_screening_options(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)


def zone_rows(rmap, assignment, screened=None) -> list[dict]:
    """One row per zone: its rules, size and place on this body; ``also_inside``: the other
    zones that cover some of its faces (face counts), and ``stricter``: the fields whose value
    on some of its faces is stricter than the zone's own, because such a zone asks for less.

    With a screening (``screened``), each row also has ``screened``: None, or where a limit
    (DVT, ...) caps the zone, its reduced pressure and strokes and ``why``; and each mark
    follows as a zone of its own (``mark-1``, ...; :func:`viewer.core.screening.mark_rows`)."""
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
        if screened is not None:
            rows[-1]["screened"] = screened_zone(screened, z)
    if screened is not None:
        rows += mark_rows(screened)
    return rows


def screened_zone(screened, zone) -> dict | None:
    """A zone's own rule capped by the screening's limits that name it, and why; None when no
    limit lowers anything there."""
    caps = [c for c in screened.zone_limits(zone.id)
            if Rule.most_cautious([zone.rule, c.cap]) != zone.rule]
    if not caps:
        return None
    rule = Rule.most_cautious([zone.rule] + [c.cap for c in caps])
    fields = rule.fields()
    return {"pressure": fields.pop("pressure"), "strokes": fields,
            "why": [f"Reduced: {c.reason}" for c in caps]}


def run(args) -> int:
    rmap = load_region_map(getattr(args, "region_map", None))
    conditions_from_args(args, rmap)  # a typo in a condition costs no mesh loading
    body = Body.load(args.mesh, args.landmarks)
    screening = screening_from_args(args, body, rmap)
    assignment = assign_zones(body, rmap)
    screened = apply_screening(assignment, screening) if not screening.empty else None
    rows = zone_rows(rmap, assignment, screened)
    if args.json:
        summary = (screening_summary(screened) if screened is not None
                   else {"conditions": [], "postpone": False, "reasons": []})
        print(json.dumps({"map": {"file": str(rmap.path), "name": rmap.info.name,
                                  "version": rmap.info.version},
                          "mesh": str(body.mesh_path), "screening": summary, "zones": rows},
                         indent=2))
        return 0
    n_marks = len(screening.marks)
    marks = f", {n_marks} marked area{'s' if n_marks != 1 else ''}" if n_marks else ""
    print(f"{rmap.label} ({rmap.path.name}) on {body.mesh_path.name}: "
          f"{len(rows) - n_marks} zones{marks}")
    head = f"{'id':24s} {'pressure':9s} {'effl.':12s} {'petr.':12s} {'frict.':12s} " \
           f"{'faces':>6s} {'cm²':>7s}  {'levels':9s} {'lateral cm':>11s}"
    print(head)
    print("-" * len(head))
    for r in rows:
        shown = r.get("screened") or r
        st = shown["strokes"]
        levels = "–".join(r["levels"]) if r["levels"] else "-"
        lat = "{:.1f}–{:.1f}".format(*r["lateral_cm"]) if r["lateral_cm"] else "-"
        line = (f"{r['id']:24s} {shown['pressure']:9s} {st['effleurage']:12s} "
                f"{st['petrissage']:12s} {st['friction']:12s} {r['faces']:6d} "
                f"{r['area_cm2']:7.1f}  {levels:9s} {lat:>11s}")
        if r.get("screened"):
            line += f"  {'; '.join(r['screened']['why'])} (own: {_own(r)})"
        print(line)
    notes = [stricter_note(r) for r in rows if r["stricter"]]
    if notes:
        print("\nwhere zones overlap on this body, the most cautious value of each field applies:")
        for note in notes:
            print(f"  {note}")
    if screened is not None:
        _print_screening(screened, rows)
    return 0


def _own(row: dict) -> str:
    """``moderate; petrissage allowed, friction allowed``: a reduced zone's own values."""
    changed = [f"{k} {v}" for k, v in row["strokes"].items()
               if v != row["screened"]["strokes"][k]]
    return "; ".join([f"pressure {row['pressure']}"] + ([", ".join(changed)] if changed else []))


def _print_screening(screened, rows) -> None:
    print("\nbefore you start: " + (", ".join(c.id for c in screened.conditions) or "no conditions")
          + (f"; {len(screened.screening.marks)} marked" if screened.screening.marks else ""))
    for reason in screened.reasons:
        print(f"  {POSTPONE_TITLE}: {reason}")
    for r in rows:
        if "mark" in r:
            m = r["mark"]
            print(f"  {r['id']}: {r['name']}: avoid the skin within {m['radius_cm']:g} cm "
                  f"(+ {MARK_MARGIN_CM:g} cm margin), {r['area_cm2']:.0f} cm²")
    marked = any(c.effect == "avoid-area" for c in screened.conditions)
    if marked and not screened.screening.marks:
        print("  mark where with --mark AT:RADIUS_CM[:NOTE]: no area is marked yet")


def stricter_note(row: dict) -> str:
    """``upper-trapezius-right: also inside scapular-edges-right (26 faces): petrissage
    light-only on 26 faces``."""
    also = ", ".join(f"{a['zone']} ({a['faces']} faces)" for a in row["also_inside"])
    values = ", ".join(f"{s['field']} {s['value']} on {s['faces']} faces" for s in row["stricter"])
    return f"{row['id']}: also inside {also}: {values}"
