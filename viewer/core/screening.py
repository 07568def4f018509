"""Before you start: the guide's safety screening applied to the map (issue 14).

The region map lists the guide's conditions (``[[conditions]]``: id, question, effect,
citations, and for ``limit`` the zones and the caps). A :class:`Screening` is the answers (the
conditions that apply) and the marks placed on the body. :func:`apply_screening` turns them and a
body's zone assignment into a :class:`Screened` map:

- **postpone** (fever, trauma, inflammation): ``Screened.postpone`` is True and ``reasons``
  carries the guide's sentences; every picture and view says "Postpone the massage";
- **avoid-area** (broken skin, rash, bruising): each :class:`Mark` covers the skin within its
  radius measured on the surface, plus a margin; the faces it covers are "avoid" for every
  stroke and pressure;
- **limit** (DVT, severe varicose veins): the listed zones' pressure drops to at most the cap
  and the listed strokes are reduced, by the same most-cautious rule as overlaps; the panel
  says why (``Screened.why(face)`` -> ["Reduced: history of DVT"]).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from viewer.core.errors import BackViewError
from viewer.core.regionmap import Pressure, Rule, Stroke, StrokeStatus

if TYPE_CHECKING:
    from viewer.core.body import Body
    from viewer.core.regionmap import ConditionSpec, Limit, RegionMap
    from viewer.core.zones import ZoneAssignment

Effect = Literal["postpone", "avoid-area", "limit"]
#: a mark's radius, cm (exclusive of 0)
MARK_RADIUS_CM = (0.0, 30.0)
#: the skin a mark covers beyond its radius, cm
MARK_MARGIN_CM = 2.0
#: how far from the skin a mark's point may be given, cm (it is moved onto the skin)
MARK_SNAP_CM = 2.0
#: what the window and the pictures say when a postpone condition applies
POSTPONE_TITLE = "Postpone the massage"
#: the rule on a marked area: no pressure, every stroke avoided
AVOID_RULE = Rule(Pressure.AVOID, tuple(StrokeStatus.AVOID for _ in Stroke))


@dataclass(frozen=True)
class Condition:
    id: str                      #: "fever", "trauma", "inflammation", "broken-skin", "rash", ...
    question: str                #: "Does the recipient have a fever?"
    effect: Effect
    citations: tuple[str, ...]   #: verbatim guide sentences
    reason: str = ""             #: the panel's short reason, e.g. "history of DVT"
    #: for ``limit``: the zones (as written: a paired zone's bare id means both sides) and caps
    limit: Limit | None = None

    @classmethod
    def from_spec(cls, spec: ConditionSpec) -> Condition:
        return cls(spec.id, spec.question, spec.effect, tuple(spec.citations), spec.reason,
                   spec.limit)

    @property
    def cap(self) -> Rule | None:
        """The most a ``limit`` allows, as a rule (fields it does not cap: the least cautious
        value), to combine with :meth:`Rule.most_cautious`; None for other effects."""
        if self.limit is None:
            return None
        return Rule(self.limit.pressure or Pressure.FIRM,
                    tuple(self.limit.strokes.get(s, StrokeStatus.RECOMMENDED) for s in Stroke))


@dataclass(frozen=True)
class Mark:
    at: np.ndarray               #: a point on the skin, mesh units
    radius_cm: float
    note: str = ""
    condition: str | None = None  #: the avoid-area condition it marks ("bruising", ...)


@dataclass(frozen=True)
class Screening:
    conditions: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.conditions and not self.marks


@dataclass
class Screened:
    """A zone assignment with the screening applied."""

    assignment: ZoneAssignment
    screening: Screening
    postpone: bool = False
    reasons: list[str] = field(default_factory=list)   #: the guide's sentences that apply
    #: (n_faces,) int16: the mark covering each face (index into screening.marks), -1 none
    #: (where marks overlap, the first one)
    face_mark: np.ndarray | None = None
    #: the conditions of the screening (map order), and those of them that limit zones
    conditions: list[Condition] = field(default_factory=list)
    limits: list[Condition] = field(default_factory=list)
    #: per limit: the sorted faces it covers (named by, or also inside, one of its zones)
    limit_faces: list[np.ndarray] = field(default_factory=list, repr=False)
    #: per mark: the sorted faces it covers (its own, overlapping marks each keep theirs)
    marks_faces: list[np.ndarray] = field(default_factory=list, repr=False)

    # ------------------------------------------------------------------ per face
    def rule(self, face: int) -> Rule | None:
        """The rule on ``face`` after the screening (marks: avoid; limits: capped)."""
        if self.face_mark is not None and self.face_mark[face] >= 0:
            return AVOID_RULE
        base = self.assignment.effective_rule(face)
        if base is None:
            return None
        caps = [c.cap for c in self._limits_on(face)]
        return Rule.most_cautious([base] + caps) if caps else base

    def why(self, face: int) -> list[str]:
        """Why the rule on ``face`` differs from its zone's own: ["Reduced: history of DVT"]."""
        marks = self.marks_on(face)
        if marks:
            return [self.mark_reason(i) for i in marks]
        base = self.assignment.effective_rule(face)
        if base is None:
            return []
        return [f"Reduced: {c.reason}" for c in self._limits_on(face)
                if c.cap is not None and Rule.most_cautious([base, c.cap]) != base]

    def marks_on(self, face: int) -> list[int]:
        """The indices of the marks covering ``face``."""
        if self.face_mark is None or self.face_mark[face] < 0:
            return []
        return [i for i, f in enumerate(self.marks_faces) if _has(f, face)]

    def _limits_on(self, face: int) -> list[Condition]:
        return [c for c, faces in zip(self.limits, self.limit_faces) if _has(faces, face)]

    # ------------------------------------------------------------------ marks
    def mark_faces(self, index: int) -> np.ndarray:
        """The faces mark ``index`` covers (its radius on the surface plus the margin)."""
        return self.marks_faces[index]

    def mark_area_cm2(self, index: int) -> float:
        return float(self.assignment.face_area_cm2[self.marks_faces[index]].sum())

    def mark_reason(self, index: int) -> str:
        """``"Avoid: unexplained bruising (left of T8)"``."""
        mark = self.screening.marks[index]
        by_id = {c.id: c for c in conditions(self.assignment.rmap)}
        cond = by_id.get(mark.condition) if mark.condition else None
        what = cond.reason if cond is not None else "marked area"
        return f"Avoid: {what}" + (f" ({mark.note})" if mark.note else "")

    # ------------------------------------------------------------------ all faces
    def changed_faces(self) -> np.ndarray:
        """The faces whose rule the screening changes (marked, or capped to less), sorted."""
        parts = [f for f in self.marks_faces]
        zoned = self.assignment.face_zone >= 0
        for cond, faces in zip(self.limits, self.limit_faces):
            faces = faces[zoned[faces]]
            changed = [f for f in faces.tolist()
                       if Rule.most_cautious([self.assignment.effective_rule(f), cond.cap])
                       != self.assignment.effective_rule(f)]
            parts.append(np.asarray(changed, np.int64))
        if not parts:
            return np.zeros(0, np.int64)
        return np.unique(np.concatenate(parts)).astype(np.int64)

    def zone_limits(self, zone_id: str) -> list[Condition]:
        """The limits that name zone ``zone_id``."""
        rmap = self.assignment.rmap
        return [c for c in self.limits if zone_id in rmap.limit_zone_ids(c.limit.zones)]


def _has(sorted_faces: np.ndarray, face: int) -> bool:
    i = int(np.searchsorted(sorted_faces, face))
    return i < len(sorted_faces) and int(sorted_faces[i]) == face


def conditions(rmap: RegionMap) -> list[Condition]:
    """The map's conditions (empty until the map lists them)."""
    return list(getattr(rmap, "conditions", []) or [])


def parse_condition(text: str, rmap: RegionMap) -> str:
    """``--condition ID``: the id, or one line naming it and listing the valid ids."""
    ids = [c.id for c in conditions(rmap)]
    value = str(text).strip()
    if value in ids:
        return value
    if not ids:
        raise BackViewError(f"unknown condition '{value}': this map lists no conditions",
                            rmap.path, "condition")
    raise BackViewError(f"unknown condition '{value}' (choose from {', '.join(ids)})",
                        field="condition")


def parse_mark(text: str, body: Body, condition: str | None = None) -> Mark:
    """``--mark AT:RADIUS_CM[:NOTE]`` (AT a landmark name or ``X,Y,Z`` in mesh units, as for
    pins). The point is moved onto the skin; more than :data:`MARK_SNAP_CM` from it, an unknown
    landmark, or a radius outside (0, 30] cm is one line."""
    import math

    from viewer.core.options import parse_place, text_problem

    where, sep, rest = str(text).partition(":")
    radius_text, _, note = rest.partition(":")
    if not sep or not where.strip() or not radius_text.strip():
        raise BackViewError(f"'{text}' is not a mark: give AT:RADIUS_CM[:NOTE] (e.g. "
                            "'spinous_T8:5:bruise' or 'X,Y,Z:3')", field="mark")
    place = parse_place(where, "mark")
    try:
        radius = float(radius_text)
        if not math.isfinite(radius):
            raise ValueError
    except ValueError:
        raise BackViewError(f"the radius '{radius_text.strip()}' is not a number of cm",
                            field="mark") from None
    lo, hi = MARK_RADIUS_CM
    if not lo < radius <= hi:
        raise BackViewError(f"a mark's radius is more than {lo:g} and at most {hi:g} cm, not "
                            f"{radius:g}", field="mark")
    note = " ".join(note.split())
    problem = text_problem(note, 80) if note else None
    if problem:
        raise BackViewError(f"the note {problem}", field="mark")
    if "landmark" in place:
        name = place["landmark"]
        if name not in body.landmarks:
            some = ", ".join(list(body.landmarks)[:4])
            raise BackViewError(f"unknown landmark '{name}' (this body has "
                                f"{len(body.landmarks)}, e.g. {some}; `backview info` lists "
                                "them)", field="mark")
        point = np.asarray(body.landmarks[name], float)
    else:
        point = np.asarray(place["point"], float)
    on_skin, _, off = closest_on_skin(body, point)
    off_cm = off * body.unit * 100
    if off_cm > MARK_SNAP_CM:
        raise BackViewError(f"the point is {off_cm:.0f} cm away from the skin (at most "
                            f"{MARK_SNAP_CM:g} cm)", field="mark")
    return Mark(on_skin, radius, note, condition)


def closest_on_skin(body: Body, point: np.ndarray) -> tuple[np.ndarray, int, float]:
    """The point of the skin nearest ``point``: ``(point, face, distance in mesh units)``."""
    import trimesh

    closest, distance, face = trimesh.proximity.closest_point(
        body.mesh, np.asarray(point, float).reshape(1, 3))
    return np.asarray(closest[0], float), int(face[0]), float(distance[0])


def apply_screening(assignment: ZoneAssignment, screening: Screening) -> Screened:
    """The screening applied to ``assignment`` (see the module docstring)."""
    rmap = assignment.rmap
    by_id = {c.id: c for c in conditions(rmap)}
    for cid in screening.conditions:
        if cid not in by_id:
            parse_condition(cid, rmap)  # raises the one line
    chosen = [c for c in conditions(rmap) if c.id in set(screening.conditions)]
    reasons: list[str] = []
    for c in chosen:
        if c.effect == "postpone":
            reasons += [q for q in c.citations if q not in reasons]
    limits = [c for c in chosen if c.effect == "limit"]
    n_faces = len(assignment.face_zone)
    limit_faces = [_zone_faces(assignment, rmap.limit_zone_ids(c.limit.zones)) for c in limits]
    marks_faces: list[np.ndarray] = []
    face_mark = np.full(n_faces, -1, np.int16)
    if screening.marks:
        body = assignment.body
        if body is None:
            raise ValueError("apply_screening needs the assignment's body to place marks")
        surface = SkinDistances(body)
        for mark in screening.marks:
            marks_faces.append(surface.faces_within(mark.at, mark.radius_cm + MARK_MARGIN_CM))
        for i in reversed(range(len(marks_faces))):  # the first mark wins where they overlap
            face_mark[marks_faces[i]] = i
    return Screened(assignment, screening, postpone=bool(reasons), reasons=reasons,
                    face_mark=face_mark, conditions=chosen, limits=limits,
                    limit_faces=limit_faces, marks_faces=marks_faces)


def _zone_faces(assignment: ZoneAssignment, zone_ids: list[str]) -> np.ndarray:
    """The faces named by, or also inside, any of ``zone_ids`` (sorted)."""
    rmap = assignment.rmap
    idx = np.array([rmap.by_id[z].index for z in zone_ids], np.int64)
    mask = np.isin(assignment.face_zone, idx)
    if assignment.multi_faces is not None and len(assignment.multi_faces):
        also = assignment.multi_inside[:, idx].any(axis=1)
        mask[assignment.multi_faces[also]] = True
    return np.flatnonzero(mask)


class SkinDistances:
    """Distances measured on the skin, not through the body.

    Two steps, both over the mesh's own triangles, so a distance only ever runs over the
    surface and a mark on the back near the flank never reaches the front or the other side
    through the torso, as a straight (Euclidean) radius would:

    1. Dijkstra's shortest paths over the edge graph (``scipy.sparse.csgraph.dijkstra``, stopped
       just past the radius, so it only visits the skin near the mark). Edge paths zig-zag: on
       the shipped torso they run ~9 % longer than the straight way (median), and a mark's area
       came out ~20 % short of pi r^2.
    2. So the edge distances are then relaxed through the triangles (the update of the fast
       marching and fast iterative methods, Kimmel & Sethian 1998, Jeong & Whitaker 2008): a
       corner's distance may come straight across its triangle from a source unfolded into the
       plane of the opposite edge. Repeated until nothing changes, it gives the straight distance
       on a flat patch, and a mark's area within a few per cent of pi r^2 on the flat of the back
       (tests/test_screening.py measures it).

    Exact geodesic libraries (potpourri3d, pygeodesic) would add a compiled dependency for the
    last per cent. The search starts from the exact point: its face's three corners are seeded
    with their straight distance to it (exact within a flat triangle).
    """

    def __init__(self, body: Body):
        from scipy.sparse import coo_matrix

        mesh = body.mesh
        self.body = body
        self.vertices = np.asarray(mesh.vertices, np.float64)
        self.faces = np.asarray(mesh.faces, np.int64)
        self.cm = body.unit * 100.0  # cm per mesh unit
        edges = np.asarray(mesh.edges_unique, np.int64)
        length = np.linalg.norm(self.vertices[edges[:, 0]] - self.vertices[edges[:, 1]],
                                axis=1) * self.cm
        length = np.maximum(length, 1e-9)  # a zero entry would be no edge at all
        n = len(self.vertices)
        self.n = n
        rows = np.concatenate([edges[:, 0], edges[:, 1]])
        cols = np.concatenate([edges[:, 1], edges[:, 0]])
        self._edges = (rows, cols, np.concatenate([length, length]))
        self._coo = coo_matrix
        self.max_edge_cm = float(length.max()) if len(length) else 0.0

    def _relax(self, dist: np.ndarray, limit_cm: float, sweeps: int = 100) -> np.ndarray:
        """Lower the edge-path distances through the triangles (see the class docstring)."""
        near = np.flatnonzero(np.isfinite(dist[self.faces]).all(axis=1))
        tri = self.faces[near]
        if len(tri) == 0:
            return dist
        pts = self.vertices[tri] * self.cm  # (m, 3, 3) in cm
        dist = dist.copy()
        for _ in range(sweeps):
            before = dist[tri].copy()
            for k in range(3):  # the corner updated: C = k, across the edge A = k+1, B = k+2
                ia, ib, ic = (k + 1) % 3, (k + 2) % 3, k
                a, b, c = pts[:, ia], pts[:, ib], pts[:, ic]
                da, db = dist[tri[:, ia]], dist[tri[:, ib]]
                ab = b - a
                e = np.linalg.norm(ab, axis=1)
                ok = e > 1e-9
                ex = ab / np.where(ok, e, 1)[:, None]
                ac = c - a
                cx = np.einsum("ij,ij->i", ac, ex)
                cy = np.sqrt(np.maximum(np.einsum("ij,ij->i", ac, ac) - cx * cx, 0))
                # the source, unfolded on the other side of AB from C
                with np.errstate(invalid="ignore", divide="ignore"):
                    sx = (da * da - db * db + e * e) / (2 * e)
                    h2 = da * da - sx * sx
                    sy = -np.sqrt(np.maximum(h2, 0))
                    t = -sy / (cy - sy)
                    cross = sx + (cx - sx) * t  # where the way from the source crosses AB
                    cand = np.hypot(cx - sx, cy - sy)
                valid = ok & (h2 >= 0) & (cross >= 0) & (cross <= e) & (cy > 1e-9)
                if valid.any():
                    np.minimum.at(dist, tri[valid, ic], cand[valid])
            if np.abs(dist[tri] - before).max() < 1e-6:
                break
        return dist

    def vertex_distances(self, at: np.ndarray, limit_cm: float) -> tuple[np.ndarray, int]:
        """``(distance in cm on the skin from the skin point nearest ``at`` to each vertex (inf
        beyond ``limit_cm``), the face ``at`` lies on)``."""
        from scipy.sparse.csgraph import dijkstra

        point, face, _ = closest_on_skin(self.body, at)
        corners = self.faces[face]
        seed = np.maximum(np.linalg.norm(self.vertices[corners] - point, axis=1) * self.cm, 1e-9)
        rows, cols, weights = self._edges
        source = self.n  # a virtual vertex joined to the three corners by their distances
        graph = self._coo((np.concatenate([weights, seed]),
                           (np.concatenate([rows, np.full(3, source)]),
                            np.concatenate([cols, corners]))), shape=(self.n + 1, self.n + 1))
        dist = dijkstra(graph.tocsr(), directed=True, indices=source, limit=limit_cm)[: self.n]
        dist[corners] = np.minimum(dist[corners], seed)
        return self._relax(dist, limit_cm), face

    def faces_within(self, at: np.ndarray, radius_cm: float) -> np.ndarray:
        """The faces whose centre lies within ``radius_cm`` of ``at`` on the skin (the distance
        at a face's centre: the mean of its corners', linear over the face), sorted."""
        dist, face = self.vertex_distances(at, radius_cm + self.max_edge_cm)
        centre = dist[self.faces].mean(axis=1)
        inside = centre <= radius_cm
        inside[face] = True
        return np.flatnonzero(inside)


# --------------------------------------------------------------------------- zone rows
def mark_rows(screened: Screened) -> list[dict]:
    """Each mark as a zone row of ``zones --json``: id ``mark-1``, ``mark-2``, ..., pressure and
    every stroke ``avoid``, its faces, area, levels and lateral extent like a zone's; and
    ``also_inside``: the zones it lies on (face counts); ``mark``: where and how big."""
    a = screened.assignment
    rows = []
    for i, mark in enumerate(screened.screening.marks):
        faces = screened.mark_faces(i)
        levels = lateral = None
        if len(faces) and a.face_centroid_uv is not None:
            uv = a.face_centroid_uv[faces]
            lat = np.abs(uv[:, 0]) / 0.01
            lateral = [round(float(lat.min()), 1), round(float(lat.max()), 1)]
            lv = a._levels_of(uv[:, 1])
            levels = list(lv) if lv else None
        zones = a.face_zone[faces]
        counts = np.bincount(zones[zones >= 0], minlength=len(a.rmap.zones))
        also = [{"zone": z.id, "faces": int(n)} for z, n in zip(a.rmap.zones, counts) if n]
        rows.append({
            "id": f"mark-{i + 1}",
            "name": _sentence_case(screened.mark_reason(i).removeprefix("Avoid: ")),
            "pressure": "avoid",
            "strokes": {s.value: "avoid" for s in Stroke},
            "faces": len(faces),
            "area_cm2": round(screened.mark_area_cm2(i), 1),
            "levels": levels,
            "lateral_cm": lateral,
            "also_inside": sorted(also, key=lambda r: -r["faces"]),
            "stricter": [],
            "mark": {"at": [round(float(x), 6) for x in mark.at], "radius_cm": mark.radius_cm,
                     "margin_cm": MARK_MARGIN_CM, "note": mark.note,
                     "condition": mark.condition},
        })
    return rows


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def screening_summary(screened: Screened) -> dict:
    """``{"conditions": [...], "postpone": bool, "reasons": [...]}`` for ``zones --json``."""
    return {"conditions": [c.id for c in screened.conditions], "postpone": screened.postpone,
            "reasons": list(screened.reasons)}
