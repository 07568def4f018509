"""Fitting a region map to a body: every face to exactly one zone, or to none.

Each zone shape becomes a continuous *inside field* over the surface (metres; positive inside,
zero on the border), evaluated with vectorised numpy in the body's anatomical frame:
``u`` lateral (towards the zone's side), ``v`` up, and the face normal against the back
direction. A face belongs to the most cautious zone whose field is positive at its centroid.
The fields are evaluated once per body and map, at the vertices (:class:`ZoneFields`); a point
of a face has the value linear over the triangle. :meth:`ZoneFields.zone_at` is the one rule
that names the zone of any surface point: the face counts of ``backview zones`` use it at face
centres, and the renderer cuts the surface along the same fields' zero lines and labels every
cut cell with it, so the zone under a click is the zone the table counts.

Where several zones cover the same skin, the most cautious zone *names* the place (its name,
its outline, its selection), and the place's *rule* is the most cautious value of each field
(pressure and every stroke) over all the zones that cover it (:class:`Cover`). So an overlap
never refuses a body: a user's body may bring two zones together that never meet on the shipped
torso, and the skin there simply takes the stricter rule of each. ``backview validate`` reports
such overlaps as warnings on a user's body, and as errors only on the shipped torso, where they
mean the map contradicts itself (:func:`overlap_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from viewer.core import anatomy
from viewer.core.body import UNIT_SCALE, Body, landmarks_path_for, load_landmarks
from viewer.core.cache import cache_file, cache_key, read_cached, write_cached
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.paths import default_mesh
from viewer.core.regionmap import Anchor, RegionMap, Rule, Shape, Zone

CM = 0.01
#: how far past the midline a mirrored (side-less) shape's midline points reach, metres
_MIDLINE_REACH = 0.01
#: metres of field per unit of cosine, so the facing constraint is commensurate with distances
_FACING_SCALE = 0.05
NO_ZONE = -1


# --------------------------------------------------------------------------- geometry
@dataclass
class _Frame2D:
    """Points of the surface in the body frame, in metres."""

    u: np.ndarray       # signed lateral: + towards the body's left
    v: np.ndarray       # up, from S2
    w: np.ndarray       # forward of the coronal plane through the acromions (+ = anterior)
    facing: np.ndarray  # cosine between the normal and the back direction


class ZoneGeometry:
    """The inside fields of every zone of ``rmap`` on ``body``."""

    def __init__(self, body: Body, rmap: RegionMap):
        self.body = body
        self.rmap = rmap
        body.require_landmarks(required_landmarks(rmap))
        self.frame = body.frame
        self.scale = body.unit  # metres per mesh unit
        lm = {k: self.frame.to_local(v) * self.scale for k, v in body.landmarks.items()}
        self._uv = {k: np.array([p[0], p[1]]) for k, p in lm.items()}
        # depth of the coronal plane through the acromions, along the back axis
        self._coronal = 0.5 * (lm["acromion_left"][2] + lm["acromion_right"][2])

    # ------------------------------------------------------------------ frame
    def project(self, points: np.ndarray, normals: np.ndarray) -> _Frame2D:
        f = self.frame
        d = (np.asarray(points, np.float64) - f.origin) * self.scale
        n = np.asarray(normals, np.float64)
        return _Frame2D(
            u=(d @ f.left).astype(np.float32),
            v=(d @ f.up).astype(np.float32),
            w=(self._coronal - d @ f.back).astype(np.float32),
            facing=(n @ f.back).astype(np.float32),
        )

    # ------------------------------------------------------------------ anchors
    def level_height(self, token: str) -> float:
        return float(self._uv[anatomy.landmark_name(token)][1])

    def anchor(self, a: Anchor, side: str | None) -> np.ndarray:
        """An anchor in (u_side, v): u measured towards the zone's side."""
        sign = -1.0 if side == "right" else 1.0
        u, v = self._uv[anatomy.landmark_name(a.at, side)]
        if a.level is not None:
            v = self.level_height(a.level)
        u_side = sign * u + a.lateral_cm * CM
        if side is None and u_side <= 1e-9:
            # a zone without sides is mirrored about the midline (it sees |u|): a point on the
            # midline stands for the midline itself, so reach past it and keep it inside
            u_side = -_MIDLINE_REACH
        return np.array([u_side, v + a.up_cm * CM])

    # ------------------------------------------------------------------ fields
    def zone_field(self, zone: Zone, pts: _Frame2D, near_out: list | None = None) -> np.ndarray:
        """Inside field of one zone (union of its shapes), metres, float32.

        Shapes are evaluated only near the zone's bounding box; farther points get minus their
        (chessboard) distance to the box, a lower bound of the true distance: negative wherever
        the true field is, so which points are inside, and the border, are exact.
        """
        box = self.zone_box(zone)
        u = _side_u(pts.u, zone.side)
        du = np.maximum(np.maximum(box[0] - u, u - box[1]), np.float32(0))
        dv = np.maximum(np.maximum(box[2] - pts.v, pts.v - box[3]), np.float32(0))
        out = -np.maximum(du, dv)
        near_mask = (du <= _PREFILTER_MARGIN) & (dv <= _PREFILTER_MARGIN)
        if near_out is not None:
            near_out.append(near_mask)
        near = np.flatnonzero(near_mask)
        if len(near) == 0:
            return out
        sub = _Frame2D(pts.u[near], pts.v[near], pts.w[near], pts.facing[near])
        field = None
        for shape in zone.spec.shapes:
            f = self.shape_field(shape, zone.side, sub)
            field = f if field is None else np.maximum(field, f)
        out[near] = field
        return out

    def zone_box(self, zone: Zone) -> np.ndarray:
        """``(u_min, u_max, v_min, v_max)`` bounding the zone, ``u`` towards its side (float32)."""
        boxes = []
        for shape in zone.spec.shapes:
            box = [-np.inf, np.inf, -np.inf, np.inf]

            def clip(lo_u, hi_u, lo_v, hi_v):
                box[0], box[1] = max(box[0], lo_u), min(box[1], hi_u)
                box[2], box[3] = max(box[2], lo_v), min(box[3], hi_v)

            if shape.levels is not None:
                clip(-np.inf, np.inf,
                     self.level_height(shape.levels[1]) - shape.extend_cm[1] * CM,
                     self.level_height(shape.levels[0]) + shape.extend_cm[0] * CM)
            if shape.lateral_cm is not None:
                clip(shape.lateral_cm[0] * CM, shape.lateral_cm[1] * CM, -np.inf, np.inf)
            for anchors, grow in ((shape.polygon, 0.0),
                                  (shape.band, (shape.width_cm or 0.0) * CM / 2)):
                if anchors:
                    pts = np.array([self.anchor(a, zone.side) for a in anchors])
                    lo, hi = pts.min(axis=0) - grow, pts.max(axis=0) + grow
                    clip(lo[0], hi[0], lo[1], hi[1])
            boxes.append(box)
        b = np.array(boxes)
        return np.array([b[:, 0].min(), b[:, 1].max(), b[:, 2].min(), b[:, 3].max()], np.float32)

    def shape_field(self, shape: Shape, side: str | None, pts: _Frame2D) -> np.ndarray:
        u = _side_u(pts.u, side)
        parts: list[np.ndarray] = []
        if shape.levels is not None:
            top = self.level_height(shape.levels[0]) + shape.extend_cm[0] * CM
            bottom = self.level_height(shape.levels[1]) - shape.extend_cm[1] * CM
            parts.append(np.minimum(pts.v - bottom, top - pts.v))
        if shape.lateral_cm is not None:
            lo, hi = (c * CM for c in shape.lateral_cm)
            # a range from the midline (min 0) has no inner edge: the midline itself is inside
            parts.append(hi - u if lo <= 0 else np.minimum(u - lo, hi - u))
        if shape.polygon is not None:
            poly = np.array([self.anchor(a, side) for a in shape.polygon])
            parts.append(polygon_field(u, pts.v, poly))
        if shape.band is not None:
            line = np.array([self.anchor(a, side) for a in shape.band])
            parts.append(band_field(u, pts.v, line, shape.width_cm * CM, shape.round_ends,
                                    reach=shape.width_cm * CM / 2))
        if shape.facing_deg < 180:
            parts.append((pts.facing - np.cos(np.radians(shape.facing_deg))) * _FACING_SCALE)
        if shape.front_limit_cm is not None:
            parts.append(shape.front_limit_cm * CM - pts.w)
        out = parts[0]
        for p in parts[1:]:
            out = np.minimum(out, p)
        return out.astype(np.float32, copy=False)

    def outward_sign(self, vertices: np.ndarray, vertex_normals: np.ndarray) -> float:
        """+1 when the mesh's normals point out of the body, -1 when they point in.

        Judged where it cannot be mistaken: the skin over the spinous processes faces back.
        """
        spine = np.array([self.body.landmarks[anatomy.spinous(lvl)]
                          for lvl in anatomy.VERTEBRAL_LEVELS
                          if anatomy.spinous(lvl) in self.body.landmarks])
        # nearest vertex to each landmark, among at most ~20k evenly spread vertices (the skin
        # near a spinous process faces back on any of them): |v|^2 - 2 v.p ranks like |v - p|^2
        step = max(1, len(vertices) // 20_000)
        sample = vertices[::step]
        score = np.einsum("ij,ij->i", sample, sample)[:, None] - 2.0 * sample @ spine.T
        nearest = score.argmin(axis=0) * step
        facing = vertex_normals[nearest] @ self.frame.back
        return 1.0 if facing.mean() >= 0 else -1.0

    def vertex_fields(self, vertices: np.ndarray, faces: np.ndarray):
        """``(fields (n_zones, n_vertices), outward vertex normals)`` on a triangle mesh."""
        fields, normals, _, _ = self._surface_fields(vertices, faces)
        return fields, normals

    def zone_fields(self, near: list | None = None) -> tuple["ZoneFields", "_Frame2D", np.ndarray]:
        """The body's :class:`ZoneFields`, the vertices in the body frame, twice the face areas."""
        vertices = np.asarray(self.body.mesh.vertices, np.float64)
        faces = np.asarray(self.body.mesh.faces)
        values, normals, pts, double_area = self._surface_fields(vertices, faces, near)
        order = tuple(self.rmap.caution_order)
        return ZoneFields(values, normals, vertices, faces, order), pts, double_area

    def _surface_fields(self, vertices: np.ndarray, faces: np.ndarray, near: list | None = None):
        """Fields at the vertices; ``near`` collects, per zone, the vertices evaluated exactly
        (all others are clearly outside the zone)."""
        double_area, normals = surface_normals(vertices, faces)
        if self.outward_sign(vertices, normals) < 0:
            normals = -normals
        pts = self.project(vertices, normals)
        fields = np.stack([self.zone_field(z, pts, near) for z in self.rmap.zones])
        return fields, normals, pts, double_area

    def fields(self, points: np.ndarray, normals: np.ndarray) -> np.ndarray:
        """``(n_zones, n_points)`` inside fields at arbitrary surface points."""
        pts = self.project(points, normals)
        return np.stack([self.zone_field(z, pts) for z in self.rmap.zones])


def _side_u(u: np.ndarray, side: str | None) -> np.ndarray:
    """u measured towards the zone's side; a zone with no side is symmetric about the midline."""
    return u if side == "left" else -u if side == "right" else np.abs(u)


#: points farther than this (m) outside a shape's bounding box get the box distance instead
#: of the exact one: a lower bound, so the sign and the border are exact
_PREFILTER_MARGIN = 0.05


def _prefiltered(exact):
    """Evaluate ``exact(x, y, shape, ...)`` only near the shape's bounding box.

    Elsewhere the field is minus the distance to the box, which never exceeds the true
    distance, so it is negative wherever the shape's field is and the zero line is untouched.
    """

    def field(x, y, points, *args, reach: float = 0.0):
        lo = points.min(axis=0) - reach
        hi = points.max(axis=0) + reach
        dx = np.maximum(np.maximum(lo[0] - x, x - hi[0]), 0.0)
        dy = np.maximum(np.maximum(lo[1] - y, y - hi[1]), 0.0)
        out = -np.hypot(dx, dy).astype(np.float32)
        near = np.flatnonzero((dx < _PREFILTER_MARGIN) & (dy < _PREFILTER_MARGIN))
        if len(near):
            out[near] = exact(x[near], y[near], points, *args)
        return out

    field.__doc__ = exact.__doc__
    field.exact = exact
    return field


@_prefiltered
def polygon_field(x: np.ndarray, y: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Signed distance to a simple polygon: positive inside, vectorised over points."""
    a = poly
    b = np.roll(poly, -1, axis=0)
    dist = np.full(x.shape, np.inf, np.float32)
    inside = np.zeros(x.shape, bool)
    for (ax, ay), (bx, by) in zip(a, b):
        ex, ey = bx - ax, by - ay
        length2 = ex * ex + ey * ey
        t = np.clip(((x - ax) * ex + (y - ay) * ey) / length2, 0.0, 1.0)
        dx, dy = x - (ax + t * ex), y - (ay + t * ey)
        np.minimum(dist, np.sqrt(dx * dx + dy * dy), out=dist)
        # even-odd rule: does a ray to +x cross this edge?
        crosses = (ay > y) != (by > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = ax + (y - ay) * ex / (ey if ey != 0 else np.inf)
        inside ^= crosses & (x < x_cross)
    return np.where(inside, dist, -dist)


def _band_field(x: np.ndarray, y: np.ndarray, line: np.ndarray, width: float,
                round_ends: bool = False) -> np.ndarray:
    """Inside field of a strip of ``width`` along a polyline, with flat (or round) ends."""
    out = np.full(x.shape, -np.inf, np.float32)
    half = width / 2.0
    for (ax, ay), (bx, by) in zip(line[:-1], line[1:]):
        ex, ey = bx - ax, by - ay
        length = float(np.hypot(ex, ey))
        tx, ty = ex / length, ey / length
        along = (x - ax) * tx + (y - ay) * ty
        across = (x - ax) * -ty + (y - ay) * tx
        if round_ends:
            t = np.clip(along, 0.0, length)
            f = half - np.hypot(along - t, across)
        else:
            f = np.minimum(np.minimum(half - np.abs(across), along), length - along)
        np.maximum(out, f, out=out)
    return out


band_field = _prefiltered(_band_field)


def required_landmarks(rmap: RegionMap) -> list[str]:
    """The landmarks a map's shapes refer to, plus the four that define the body frame."""
    names = {anatomy.spinous("C7"), anatomy.spinous("S2"), "acromion_left", "acromion_right"}
    for zone in rmap.zones:
        sides = (zone.side,) if zone.side else anatomy.SIDES  # a zone without sides is mirrored
        for shape in zone.spec.shapes:
            names.update(anatomy.landmark_name(token) for token in shape.levels or ())
            for a in (shape.polygon or []) + (shape.band or []):
                if a.level is not None:
                    names.add(anatomy.landmark_name(a.level))
                names.update(anatomy.landmark_name(a.at, side) for side in sides)
    return sorted(names)


# --------------------------------------------------------------------------- the zone of a point
@dataclass(frozen=True, eq=False)
class ZoneFields:
    """Every zone's inside field at every vertex of a body, evaluated once per body and map.

    Over a face the field is linear from its three vertices: the renderer cuts the surface
    along its zero lines with these very arrays, and :meth:`zone_at` names the zone of any
    point of a face with them.
    """

    values: np.ndarray      # (n_zones, n_vertices) float32, metres, positive inside
    normals: np.ndarray     # (n_vertices, 3) outward unit vertex normals
    vertices: np.ndarray    # (n_vertices, 3) mesh units
    faces: np.ndarray       # (n_faces, 3)
    caution_order: tuple[int, ...]  # zone indices, most cautious first

    def zone_at(self, face: np.ndarray, points: np.ndarray) -> np.ndarray:
        """The zone index (``NO_ZONE`` for none) of each point, given the face it lies on:
        the most cautious zone whose field is positive there."""
        return most_cautious(self.inside_at(face, points), self.caution_order)

    def inside_at(self, face: np.ndarray, points: np.ndarray) -> np.ndarray:
        """``(n_zones, n_points)`` booleans: is each point inside each zone (the zone's field,
        linear over the point's face, positive there)?"""
        tri = self.faces[np.atleast_1d(np.asarray(face, np.int64))]
        points = np.asarray(points, np.float64).reshape(-1, 3)
        out = np.zeros((len(self.values), len(tri)), bool)
        # a linear field is positive somewhere on a face only if it is at one of its corners
        todo = np.flatnonzero(self._in_some_zone[tri].any(axis=1))
        corners = tri[todo]
        for idx, values in enumerate(self.values):
            corner = values[corners]
            inside = corner.min(axis=1) > 0
            crossed = np.flatnonzero(~inside & (corner.max(axis=1) > 0))
            if len(crossed):
                sub = todo[crossed]
                bary = _barycentric(self.vertices[tri[sub]], points[sub])
                inside[crossed] = np.einsum("pk,pk->p", corner[crossed], bary) > 0
            out[idx, todo] = inside
        return out

    @cached_property
    def _in_some_zone(self) -> np.ndarray:
        """Vertices where some zone's field is positive."""
        return (self.values > 0).any(axis=0)


def _barycentric(triangles: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Barycentric coordinates of points projected on their triangles (trimesh's routine)."""
    import trimesh

    return trimesh.triangles.points_to_barycentric(triangles, points)


def most_cautious(inside: np.ndarray, caution_order) -> np.ndarray:
    """``inside`` (n_zones, n) booleans -> the most cautious zone containing each item (int16)."""
    zone = np.full(inside.shape[1], NO_ZONE, np.int16)
    for idx in reversed(caution_order):  # most cautious written last, so it wins
        zone[inside[idx]] = idx
    return zone


# --------------------------------------------------------------------------- assignment
@dataclass(frozen=True)
class Overlap:
    """Faces inside two zones: ``winner`` names them, ``other`` covers them too."""

    winner: str
    other: str
    faces: int
    #: what the winner allows that the other forbids (empty: the winner's own rule is already
    #: the most cautious there); on those faces the other's stricter values apply
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cover:
    """A place of the skin and the zones covering it: ``zone``, the most cautious one, names it
    (its name, outline and selection); ``also`` are the others, most cautious first. Its
    :attr:`rule` is the most cautious value of each field over all of them."""

    zone: Zone
    also: tuple[Zone, ...] = ()

    def __repr__(self) -> str:
        return f"Cover({self.zone.id!r}, also={[z.id for z in self.also]!r})"

    @cached_property
    def rule(self) -> Rule:
        return Rule.most_cautious([self.zone.rule] + [z.rule for z in self.also])

    @property
    def stricter(self) -> list[str]:
        """The fields ("pressure" or a stroke's name) where the rule here is stricter than the
        zone's own, because another zone covering the place asks for less."""
        return self.rule.stricter_fields(self.zone.rule)

    @classmethod
    def of(cls, rmap: RegionMap, zone: int, inside) -> "Cover | None":
        """The cover of a place named by ``zone`` (an index, or ``NO_ZONE``) and inside the
        zones whose indices are true in ``inside`` (booleans, one per zone)."""
        if zone == NO_ZONE:
            return None
        position = {idx: k for k, idx in enumerate(rmap.caution_order)}
        also = sorted((int(i) for i in np.flatnonzero(inside) if i != zone), key=position.get)
        return cls(rmap.zones[int(zone)], tuple(rmap.zones[i] for i in also))


@dataclass(frozen=True)
class ZoneStats:
    id: str
    name: str
    faces: int
    area_cm2: float
    levels: tuple[str, str] | None
    lateral_cm: tuple[float, float] | None


@dataclass
class ZoneAssignment:
    """Which zone each face of a body belongs to (``NO_ZONE`` = -1 for none)."""

    rmap: RegionMap
    face_zone: np.ndarray
    face_area_cm2: np.ndarray
    overlaps: list[Overlap] = field(default_factory=list)
    face_centroid_uv: np.ndarray | None = None
    #: height (m, body frame) of each vertebral level (and EOP) on this body, top first
    level_heights: dict[str, float] | None = None
    from_cache: bool = False
    #: content hash of the body and map (``cache_key``), when it was computed
    key: str | None = None
    #: the faces inside more than one zone (sorted), and for each the zones it is inside
    #: ``(n, n_zones)``: what :meth:`cover` and :meth:`effective_rule` read
    multi_faces: np.ndarray | None = field(default=None, repr=False)
    multi_inside: np.ndarray | None = field(default=None, repr=False)
    body: Body | None = field(default=None, repr=False, compare=False)
    _fields: ZoneFields | None = field(default=None, repr=False, compare=False)
    _geometry: ZoneGeometry | None = field(default=None, repr=False, compare=False)

    @property
    def geometry(self) -> ZoneGeometry:
        if self._geometry is None:
            self._geometry = ZoneGeometry(self.body, self.rmap)
        return self._geometry

    @property
    def fields(self) -> ZoneFields:
        """The zone fields this assignment was made from (evaluated now if it came from the
        cache, which keeps only its results)."""
        if self._fields is None:
            self._fields = self.geometry.zone_fields()[0]
        return self._fields

    def zone_at(self, face: np.ndarray, points: np.ndarray) -> np.ndarray:
        """The zone index of each surface point (see :meth:`ZoneFields.zone_at`)."""
        return self.fields.zone_at(face, points)

    def zone_of_face(self, face: int) -> Zone | None:
        idx = int(self.face_zone[face])
        return None if idx == NO_ZONE else self.rmap.zones[idx]

    def faces_of(self, zone_id: str) -> np.ndarray:
        return np.flatnonzero(self.face_zone == self.rmap.zone(zone_id).index)

    @property
    def counts(self) -> np.ndarray:
        return np.bincount(self.face_zone[self.face_zone >= 0], minlength=len(self.rmap.zones))

    def empty_zones(self) -> list[str]:
        return [z.id for z, n in zip(self.rmap.zones, self.counts) if n == 0]

    def stats(self) -> list[ZoneStats]:
        counts = self.counts
        areas = np.bincount(self.face_zone[self.face_zone >= 0],
                            weights=self.face_area_cm2[self.face_zone >= 0],
                            minlength=len(self.rmap.zones))
        out = []
        for z, n, a in zip(self.rmap.zones, counts, areas):
            lat = None
            levels = None
            if n and self.face_centroid_uv is not None:
                uv = self.face_centroid_uv[self.face_zone == z.index]
                lat_vals = np.abs(uv[:, 0]) / CM
                lat = (round(float(lat_vals.min()), 1), round(float(lat_vals.max()), 1))
                levels = self._levels_of(uv[:, 1])
            out.append(ZoneStats(z.id, z.name, int(n), round(float(a), 1), levels, lat))
        return out

    def _levels_of(self, v: np.ndarray) -> tuple[str, str] | None:
        heights = self.level_heights
        if heights is None:
            return None
        names = list(heights)
        h = np.array(list(heights.values()))

        def nearest(y):
            return names[int(np.argmin(np.abs(h - y)))]

        return (nearest(float(v.max())), nearest(float(v.min())))

    def conflicts(self) -> list[Overlap]:
        """Overlaps where the winner allows something the other zone forbids (there the
        other's stricter value applies)."""
        return [o for o in self.overlaps if o.conflicts]

    # ------------------------------------------------------------------ several zones
    def _multi_row(self, face: int) -> int | None:
        if self.multi_faces is None or len(self.multi_faces) == 0:
            return None
        row = int(np.searchsorted(self.multi_faces, face))
        return row if row < len(self.multi_faces) and self.multi_faces[row] == face else None

    def cover(self, face: int) -> Cover | None:
        """The zone of ``face`` and the other zones it is also inside (None: no zone)."""
        zone = int(self.face_zone[face])
        if zone == NO_ZONE:
            return None
        row = self._multi_row(face)
        if row is None:
            return Cover(self.rmap.zones[zone])
        return Cover.of(self.rmap, zone, self.multi_inside[row])

    def also_inside(self, face: int) -> tuple[Zone, ...]:
        """The zones other than its own that cover ``face``, most cautious first."""
        cover = self.cover(face)
        return cover.also if cover is not None else ()

    def effective_rule(self, face: int) -> Rule | None:
        """The rule on ``face``: the most cautious value of each field (pressure and every
        stroke) over every zone covering it; None outside every zone."""
        cover = self.cover(face)
        return cover.rule if cover is not None else None

    def face_covers(self) -> tuple[list[Cover], np.ndarray, np.ndarray]:
        """The combinations of zones that occur on faces inside several zones: ``(covers,
        faces, row)``, ``faces`` those faces and ``row`` the index in ``covers`` of each."""
        if self.multi_faces is None or len(self.multi_faces) == 0:
            return [], np.zeros(0, np.int64), np.zeros(0, np.int64)
        combos, inverse = np.unique(
            np.column_stack([self.face_zone[self.multi_faces], self.multi_inside]), axis=0,
            return_inverse=True)
        covers = [Cover.of(self.rmap, int(row[0]), row[1:].astype(bool)) for row in combos]
        return covers, self.multi_faces, inverse.ravel()

    def overlap_summary(self) -> dict[str, dict]:
        """Per zone id, for ``zones --json``: ``also_inside`` (the other zones covering some of
        its faces, with the face counts) and ``stricter`` (where the effective value of a field
        differs from the zone's own: the field, the value that applies, the faces)."""
        out = {z.id: {"also_inside": [], "stricter": []} for z in self.rmap.zones}
        for o in sorted(self.overlaps, key=lambda o: (o.winner, -o.faces, o.other)):
            out[o.winner]["also_inside"].append({"zone": o.other, "faces": o.faces})
        covers, _, which = self.face_covers()
        counts = np.bincount(which, minlength=len(covers))
        tally: dict[tuple[str, str, str], int] = {}
        for cover, n in zip(covers, counts):
            if cover is None:
                continue
            values = cover.rule.fields()
            for name in cover.stricter:
                key = (cover.zone.id, name, values[name])
                tally[key] = tally.get(key, 0) + int(n)
        for (zid, name, value), n in sorted(tally.items()):
            out[zid]["stricter"].append({"field": name, "value": value, "faces": n})
        return out


def assign_zones(body: Body, rmap: RegionMap, *, cache: bool = True,
                 cache_dir: Path | None = None) -> ZoneAssignment:
    """Fit ``rmap`` to ``body``: one zone (or none) per face, most cautious zone winning; a
    face inside several zones keeps the most cautious value of each field (:meth:`cover`).

    Overlaps never refuse a body (:func:`overlap_problems` reports them). Raises
    :class:`RegionMapError` when a zone matches no face.
    """
    key = cache_key(body, rmap) if cache else None
    result = _load_cached(key, rmap, cache_dir) if key else None
    if result is None:
        result = _compute(body, rmap)
        if key:
            _store_cached(key, result, cache_dir)
    result.key = key
    result.body = body
    problems = []
    path = rmap.path
    landmarks = f" in {body.landmarks_path.name}" if body.landmarks_path else ""
    for zid in result.empty_zones():
        problems.append(BackViewError("matches no face of the mesh (check its shape against the "
                                      f"landmarks{landmarks})", path, f"{zid}:shapes"))
    if problems:
        err = RegionMapError(problems)
        err.assignment = result
        raise err
    return result


def overlap_problems(assignment: ZoneAssignment, *, shipped: bool) -> list[BackViewError]:
    """One line per overlap whose winner allows something the other zone forbids.

    On the shipped torso (``shipped``) it is the map contradicting itself: its author must make
    the winner at least as cautious or separate the shapes (``validate`` fails). On any other
    body it is only the body bringing two zones together: the most cautious value of each field
    applies there, and the line is a warning with the face count.
    """
    out = []
    for o in assignment.conflicts():
        allows = ", ".join(o.conflicts)
        if shipped:
            text = (f"overlaps '{o.other}' on {o.faces} faces and wins as the more cautious, yet "
                    f"allows {allows}: make it at least as cautious or separate the shapes")
        else:
            text = (f"overlaps '{o.other}' on {o.faces} faces of this body, where it allows "
                    f"{allows}: there the most cautious value of each applies")
        out.append(BackViewError(text, assignment.rmap.path, f"{o.winner}:shapes"))
    return out


def is_shipped_torso(body: Body) -> bool:
    """Is ``body`` the shipped torso with its shipped landmarks (by content, wherever the files
    lie)? Its mesh file has the shipped file's bytes and its landmarks the shipped values."""
    shipped = default_mesh()
    if body.mesh_path is None or not body.landmarks:
        return False
    try:
        same_file = Path(body.mesh_path).resolve() == shipped.resolve() or (
            Path(body.mesh_path).stat().st_size == shipped.stat().st_size
            and Path(body.mesh_path).read_bytes() == shipped.read_bytes())
        if not same_file:
            return False
        doc = load_landmarks(landmarks_path_for(shipped))
    except (OSError, BackViewError):
        return False
    if body.unit != UNIT_SCALE[doc.units]:
        return False
    if set(doc.landmarks) != set(body.landmarks):
        return False
    return all(np.array_equal(np.asarray(doc.landmarks[k], float), body.landmarks[k])
               for k in doc.landmarks)


def _compute(body: Body, rmap: RegionMap) -> ZoneAssignment:
    """Zone fields are evaluated at the vertices (with smooth vertex normals) and a face takes
    the mean of its three vertices: the value at its centre of the linear field the renderer
    cuts along, so the table's faces and areas agree with what is drawn."""
    geom = ZoneGeometry(body, rmap)
    near: list[np.ndarray] = []
    zone_fields, pts, double_area = geom.zone_fields(near)
    fields, faces = zone_fields.values, zone_fields.faces
    a, b, c = faces[:, 0], faces[:, 1], faces[:, 2]

    n_zones = len(rmap.zones)
    inside = np.zeros((n_zones, len(faces)), bool)
    for z in range(n_zones):
        # a face whose first vertex lies far outside the zone's box is outside the zone
        # (triangles are far smaller than the 5 cm margin): only gather the others
        cand = np.flatnonzero(near[z][a])
        f = fields[z]
        inside[z, cand] = (f[a[cand]] + f[b[cand]] + f[c[cand]]) > 0

    face_zone = most_cautious(inside, zone_fields.caution_order)
    overlaps = _overlaps(rmap, inside, face_zone)
    multi = np.flatnonzero(inside.sum(axis=0) > 1)
    area_cm2 = 0.5 * double_area * (body.unit / CM) ** 2
    uv = np.stack([(pts.u[a] + pts.u[b] + pts.u[c]) / 3, (pts.v[a] + pts.v[b] + pts.v[c]) / 3], 1)
    tokens = (["EOP"] if anatomy.EOP in body.landmarks else []) + [
        lvl for lvl in anatomy.VERTEBRAL_LEVELS if anatomy.spinous(lvl) in body.landmarks]
    heights = {t: geom.level_height(t) for t in tokens}
    return ZoneAssignment(rmap, face_zone, area_cm2.astype(np.float32), overlaps, uv, heights,
                          multi_faces=multi, multi_inside=np.ascontiguousarray(inside[:, multi].T),
                          body=body, _fields=zone_fields, _geometry=geom)


def surface_normals(vertices: np.ndarray, faces: np.ndarray):
    """(twice the face areas, area-weighted unit vertex normals)."""
    v32 = np.asarray(vertices, np.float32)  # float32 halves the memory traffic; ample for mm
    v0 = v32[faces[:, 0]]
    e1, e2 = v32[faces[:, 1]] - v0, v32[faces[:, 2]] - v0
    cross = np.empty_like(e1)  # e1 x e2, written out: np.cross is slower on large arrays
    cross[:, 0] = e1[:, 1] * e2[:, 2] - e1[:, 2] * e2[:, 1]
    cross[:, 1] = e1[:, 2] * e2[:, 0] - e1[:, 0] * e2[:, 2]
    cross[:, 2] = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    double_area = np.sqrt(np.einsum("ij,ij->i", cross, cross))
    # sum the (area-weighted) face normals around each vertex
    corners = faces.ravel()
    vertex_normals = np.stack([np.bincount(corners, weights=np.repeat(cross[:, c], 3),
                                           minlength=len(vertices)) for c in range(3)], axis=1)
    length = np.sqrt(np.einsum("ij,ij->i", vertex_normals, vertex_normals))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        vertex_normals = np.where(length > 0, vertex_normals / length, 0.0)
    return double_area, vertex_normals


def _overlaps(rmap: RegionMap, inside: np.ndarray, face_zone: np.ndarray) -> list[Overlap]:
    multi = np.flatnonzero(inside.sum(axis=0) > 1)
    if len(multi) == 0:
        return []
    sub = inside[:, multi]
    winners = face_zone[multi]
    out = []
    zones = rmap.zones
    for w in np.unique(winners):
        mask = winners == w
        for other in range(len(zones)):
            if other == w:
                continue
            n = int((sub[other] & mask).sum())
            if n:
                wz, oz = zones[int(w)], zones[other]
                out.append(Overlap(wz.id, oz.id, n, tuple(wz.less_cautious_points(oz))))
    return sorted(out, key=lambda o: (-o.faces, o.winner, o.other))


# --------------------------------------------------------------------------- cache
def _load_cached(key: str, rmap: RegionMap, cache_dir: Path | None) -> ZoneAssignment | None:
    def read(path: Path) -> ZoneAssignment:
        with np.load(path, allow_pickle=False) as data:
            overlaps = [Overlap(w, o, int(n), tuple(c.split("|")) if c else ())
                        for w, o, n, c in data["overlaps"].tolist()]
            heights = dict(zip(data["level_names"].tolist(), data["level_heights"].tolist()))
            multi = data["multi_faces"].astype(np.int64)
            multi_inside = np.unpackbits(data["multi_inside"], axis=1,
                                         count=len(rmap.zones)).astype(bool)
            if len(multi_inside) != len(multi):
                raise ValueError("damaged cache: faces in several zones")
            return ZoneAssignment(rmap, data["face_zone"], data["area"], overlaps, data["uv"],
                                  heights, from_cache=True, multi_faces=multi,
                                  multi_inside=multi_inside)

    return read_cached(cache_file(key, ".npz", cache_dir), read)


def _store_cached(key: str, result: ZoneAssignment, cache_dir: Path | None) -> None:
    overlaps = np.array([(o.winner, o.other, str(o.faces), "|".join(o.conflicts))
                         for o in result.overlaps], dtype=str).reshape(-1, 4)
    heights = result.level_heights or {}

    def write(tmp: Path) -> None:
        np.savez(tmp, face_zone=result.face_zone, area=result.face_area_cm2,
                 uv=result.face_centroid_uv, overlaps=overlaps,
                 multi_faces=np.asarray(result.multi_faces, np.int64),
                 multi_inside=np.packbits(result.multi_inside.reshape(len(result.multi_faces), -1),
                                          axis=1),
                 level_names=np.array(list(heights), dtype=str),
                 level_heights=np.array(list(heights.values()), dtype=np.float64))

    write_cached(cache_file(key, ".npz", cache_dir), write)
