"""What anatomy guarantees about a body's landmarks, checked before any zone is fitted.

A landmarks file can be well-formed and still wrong: in millimetres on a mesh in metres, with
the spine upside down, left and right swapped, or a point off the body. Fitting a map to such
landmarks gives zones on the wrong side, or a cascade of errors blaming the map. These checks run
when a body is loaded and report the first problem as one line naming the landmarks file and the
landmark. They run in this order, so the root cause is what the user reads:

1. **units**: the landmarks span about half the mesh's bounding box (a factor 10, 100 or 1000 off
   means the units differ), and the spine from C7 to S2 is 20–100 cm long in the declared units;
2. **the spine**: C7 lies above S2 as the shoulders (acromions) lie above the pelvis (iliac
   crests), each spinous process lies below the one before it from C7 to S2, the external
   occipital protuberance above C7;
3. **on the skin**: every point within :data:`SKIN_TOLERANCE_CM` of the mesh's surface;
4. **left and right**: each ``_left`` point on the body's left of the spine, each ``_right`` on
   its right, at least :data:`MIDLINE_CM` from the midline, a pair mirrored about the spine within
   :data:`SYMMETRY_CM`. The body's left is worked out from the mesh, independently of the
   landmark pairs: the back is the side of the body the spinous processes lie on, and left is
   ``back × up``, so swapped landmarks are reported instead of defining a mirrored frame.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

from viewer.core import anatomy
from viewer.core.errors import LandmarkError

#: a landmark may lie at most this far from the mesh's surface, cm
SKIN_TOLERANCE_CM = 2.0
#: a bilateral landmark lies at least this far to its side of the spine's midline, cm
MIDLINE_CM = 1.0
#: the two points of a pair differ by at most this much in height and in distance from the
#: midline, cm (a mirrored pair on an upright adult differs by well under 2 cm)
SYMMETRY_CM = 5.0
#: the spine from C7 to S2, in metres: a small child's to a very tall adult's
SPINE_LENGTH_M = (0.2, 1.0)
#: landmarks span about this fraction of the mesh's bounding-box diagonal (0.47 on the torso)
_SPAN_FRACTION = 0.5
_UNIT_NAMES = {1.0: "metres", 0.01: "centimetres", 0.001: "millimetres"}
_UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001}


def check_landmarks(mesh: trimesh.Trimesh, points: dict[str, np.ndarray], unit: float,
                    path: Path | str | None) -> None:
    """Raise :class:`LandmarkError` (one line: ``file:landmarks:name: problem``) at the first
    thing anatomy rules out. ``points`` are in mesh units, ``unit`` metres per mesh unit."""
    _check_units(mesh, points, unit, path)
    up = _check_spine(points, unit, path)
    _check_on_skin(mesh, points, unit, path)
    _check_sides(mesh, points, unit, up, path)


# --------------------------------------------------------------------------- units
def _check_units(mesh, points, unit, path) -> None:
    vertices = np.asarray(mesh.vertices, float)
    mesh_span = float(np.linalg.norm(np.ptp(vertices, axis=0)))
    cloud = np.array(list(points.values()))
    span = float(np.linalg.norm(np.ptp(cloud, axis=0)))
    if mesh_span > 0 and span > 0:
        factor = span / (mesh_span * _SPAN_FRACTION)
        power = round(float(np.log10(factor)))
        if abs(power) >= 1:
            raise LandmarkError(_unit_message(power, unit, span, mesh_span), path, "units")
    c7, s2 = points[anatomy.spinous("C7")], points[anatomy.spinous("S2")]
    length = float(np.linalg.norm(c7 - s2)) * unit
    if length == 0:
        raise LandmarkError("coincides with spinous_C7", path, f"landmarks:{anatomy.spinous('S2')}")
    lo, hi = SPINE_LENGTH_M
    if not lo <= length <= hi:
        better = [u for u, s in _UNITS.items() if lo <= length / unit * s <= hi]
        hint = f": are they '{better[0]}'?" if better else ""
        raise LandmarkError(
            f"the spine from spinous_C7 to spinous_S2 is {length:.3g} m long in the declared "
            f"units ({_UNIT_NAMES.get(unit, unit)}), not {lo * 100:g}–{hi * 100:g} cm{hint}",
            path, "units")


def _unit_message(power: int, unit: float, span: float, mesh_span: float) -> str:
    landmark_unit = unit / 10.0 ** power
    mesh_name = _UNIT_NAMES.get(unit)
    lm_name = next((n for s, n in _UNIT_NAMES.items() if np.isclose(s, landmark_unit)), None)
    if mesh_name and lm_name:
        head = f"the landmarks look like {lm_name} on a mesh in {mesh_name}"
    else:
        head = f"the landmarks are about {10.0 ** abs(power):g} times too " + (
            "large" if power > 0 else "small") + " for the mesh"
    return (f"{head} (they span {span:.4g} units, the mesh {mesh_span:.4g}): write them in the "
            "mesh's units")


# --------------------------------------------------------------------------- the spine
def _check_spine(points, unit, path) -> np.ndarray:
    """The unit vector up the spine (S2 -> C7), once the spine is known to run top to bottom."""
    c7, s2 = points[anatomy.spinous("C7")], points[anatomy.spinous("S2")]
    up = (c7 - s2) / np.linalg.norm(c7 - s2)
    shoulders = 0.5 * (points["acromion_left"] + points["acromion_right"])
    pelvis = 0.5 * (points["iliac_crest_top_left"] + points["iliac_crest_top_right"])
    if (shoulders - pelvis) @ up <= 0:
        raise LandmarkError("the spine runs upside down: spinous_C7 lies towards the pelvis and "
                            "spinous_S2 towards the shoulders (acromions above iliac crests)",
                            path, f"landmarks:{anatomy.spinous('C7')}")
    previous = None
    for level in anatomy.VERTEBRAL_LEVELS:
        name = anatomy.spinous(level)
        if name not in points:
            continue
        if previous is not None and (points[name] - points[previous]) @ up >= 0:
            raise LandmarkError(f"is not below {previous}: the spine descends from C7 to S2",
                                path, f"landmarks:{name}")
        previous = name
    if (points[anatomy.EOP] - c7) @ up <= 0:
        raise LandmarkError("is not above spinous_C7: the base of the skull lies above the neck",
                            path, f"landmarks:{anatomy.EOP}")
    return up


# --------------------------------------------------------------------------- the skin
def _check_on_skin(mesh, points, unit, path) -> None:
    tolerance = SKIN_TOLERANCE_CM / 100.0 / unit  # mesh units
    vertices = np.asarray(mesh.vertices, float)
    names = list(points)
    cloud = np.array([points[n] for n in names])
    # nearest vertex: an upper bound of the distance to the surface, exact where it matters
    nearest = np.full(len(cloud), np.inf)
    for start in range(0, len(vertices), 50_000):  # bounded memory on a large mesh
        chunk = vertices[start:start + 50_000]
        squared = np.einsum("ij,ij->i", chunk, chunk)[:, None] - 2.0 * chunk @ cloud.T
        np.minimum(nearest, squared.min(axis=0), out=nearest)
    nearest = np.sqrt(np.maximum(nearest + np.einsum("ij,ij->i", cloud, cloud), 0))
    triangles = None
    for name, point, upper in zip(names, cloud, nearest):
        if upper <= tolerance:
            continue
        if triangles is None:
            triangles = np.asarray(mesh.triangles, float)
        closest = trimesh.triangles.closest_point(triangles, np.repeat(point[None], len(triangles), 0))
        distance = float(np.linalg.norm(closest - point, axis=1).min())
        if distance > tolerance:
            raise LandmarkError(f"lies {distance * unit * 100:.3g} cm from the skin (at most "
                                f"{SKIN_TOLERANCE_CM:g} cm): is it for this mesh?",
                                path, f"landmarks:{name}")


# --------------------------------------------------------------------------- left and right
def body_left(mesh: trimesh.Trimesh, points: dict[str, np.ndarray], up: np.ndarray) -> np.ndarray | None:
    """The body's left, from the mesh: ``back × up``, the back being the side of the body the
    spinous processes lie on (from the middle of the body at their heights). None when the mesh
    cannot tell (the spine at the body's middle)."""
    spine = np.array([points[anatomy.spinous(v)] for v in anatomy.VERTEBRAL_LEVELS
                      if anatomy.spinous(v) in points])
    vertices = np.asarray(mesh.vertices, float)
    # the middle of the body's surface at the spine's heights, weighted by area: vertices alone
    # would lean towards wherever a remeshed or scanned surface happens to be denser
    centres = np.asarray(mesh.triangles_center, float)
    heights = centres @ up
    band = (heights >= (spine @ up).min()) & (heights <= (spine @ up).max())
    if not band.any():
        return None
    area = np.asarray(mesh.area_faces, float)[band]
    if area.sum() <= 0:
        return None
    back = spine.mean(axis=0) - (centres[band] * area[:, None]).sum(axis=0) / area.sum()
    back -= (back @ up) * up
    norm = np.linalg.norm(back)
    if norm == 0 or norm < 1e-3 * np.linalg.norm(np.ptp(vertices, axis=0)):
        return None
    return np.cross(back / norm, up)


def _check_sides(mesh, points, unit, up, path) -> None:
    left = body_left(mesh, points, up)
    if left is None:
        return
    origin = points[anatomy.spinous("S2")]
    cm = unit * 100.0
    for base in anatomy.BILATERAL:
        names = (f"{base}_left", f"{base}_right")
        lateral = [float((points[n] - origin) @ left) * cm for n in names]
        height = [float((points[n] - origin) @ up) * cm for n in names]
        if lateral[0] < 0 and lateral[1] > 0:
            raise LandmarkError(
                f"lies on the body's right and {names[1]} on its left: left and right are "
                "swapped (the body's left is worked out from the mesh: the back is where the "
                "spinous processes lie)", path, f"landmarks:{names[0]}")
        for name, x, sign in zip(names, lateral, (1, -1)):
            if x * sign < MIDLINE_CM:
                side = "right" if sign > 0 else "left"
                where = "on the spine's midline" if abs(x) < MIDLINE_CM else f"on the body's {side}"
                raise LandmarkError(f"lies {where} ({abs(x):.1f} cm from the midline)", path,
                                    f"landmarks:{name}")
        if abs(abs(lateral[0]) - abs(lateral[1])) > SYMMETRY_CM or abs(height[0] - height[1]) > SYMMETRY_CM:
            raise LandmarkError(
                f"is not the mirror image of {names[1]} about the spine ({abs(lateral[0]):.1f} and "
                f"{abs(lateral[1]):.1f} cm from the midline, {height[0] - height[1]:+.1f} cm apart "
                f"in height; at most {SYMMETRY_CM:g} cm)", path, f"landmarks:{names[0]}")
