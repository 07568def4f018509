"""Build BackView's bone set (the x-ray layer, issue 13) from the MyoSuite ``myo-sim`` meshes.

Reproducible: the source is the ``myo-sim`` wheel (pinned version; its SHA-256 is printed and
written to the index) fetched from the package registry with ``pip download --no-deps``; nothing
else touches the network. Running the script twice writes the same bytes.

    python tools/build_bones.py            # fetch myo-sim, write meshes/bones.npz + bones.json
    python tools/build_bones.py --wheel myo_sim-0.2.4-py3-none-any.whl

Transformation (also written to meshes/ATTRIBUTION.md):

1. Read the STL meshes of the spine, sacrum, hip bones and thorax from ``myo_sim/models/meshes``
   and place them as ``myo_sim/models/scene/myobody_skeleton_decor.xml`` assembles them: the
   body ``pos``/``quat``/``euler`` of each nested ``<body>`` and ``<geom>`` composed down the tree
   (parsed with xml.etree; angles in radians as the scene's compiler declares). The root's own
   rotation (OpenSim Y-up to MuJoCo Z-up) is left out: the meshes stay in OpenSim's axes
   (+X anterior, +Y up, +Z right), which become BackView's by (x, y, z) -> (-z, y, x).
2. The rib cage (``thorax.stl``) is split into connected pieces: the 24 ribs (numbered 1-12 on
   each side, top to bottom by their highest point), the sternum with the costal cartilages, and
   the other inner pieces (dropped: they are not bone of the cage). Ribs 11 and 12 of each side
   become their own structures; ribs 1-10 and the sternum stay together as the rib cage.
3. The right scapula (``scapula.stl``, MyoArm) is kept in its own frame; the left one is its
   mirror image. Both are placed on the body by their five landmarks when fitted.
4. Each piece is cleaned (duplicate vertices merged, degenerate faces and unused vertices dropped) and stored in metres (float32) with the reference points fitting needs: the
   spinous-process tip of each vertebra, the scapula's five landmark points, the iliac crest top
   and PSIS of each hip bone, S1/S2 on the sacrum, the free tip of ribs 11 and 12.
   The source meshes are already light (about 9,000 vertices in all); nothing is decimated.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import trimesh
from scipy.sparse.csgraph import connected_components

import wheels  # tools/wheels.py (this script's folder is on sys.path)

MYO_SIM_VERSION = "0.2.4"
MESHES = "myo_sim/models/meshes/"
SCENE = "myo_sim/models/scene/myobody_skeleton_decor.xml"
LICENSE = "myo_sim-0.2.4.dist-info/licenses/LICENSE"
TORSO_README = "myo_sim/models/torso/README.md"
REPO = Path(__file__).resolve().parents[1]

THORACIC = [f"T{i}" for i in range(1, 13)]
LUMBAR = [f"L{i}" for i in range(1, 6)]


# ----------------------------------------------------------------------------- source
def fetch_wheel(dest: Path) -> Path:
    return wheels.fetch_wheel(f"myo-sim=={MYO_SIM_VERSION}", dest)


def read_stl(zf: zipfile.ZipFile, name: str) -> trimesh.Trimesh:
    data = zf.read(MESHES + name + ".stl")
    return trimesh.load(io.BytesIO(data), file_type="stl", process=False)


# ----------------------------------------------------------------------------- XML placement
def _quat_matrix(q) -> np.ndarray:
    w, x, y, z = np.asarray(q, float) / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def _euler_matrix(e) -> np.ndarray:
    """MuJoCo's default ``eulerseq="xyz"``: intrinsic rotations about x, then y', then z''."""
    out = np.eye(3)
    for axis, angle in zip(range(3), np.asarray(e, float)):
        c, s = np.cos(angle), np.sin(angle)
        r = np.eye(3)
        i, j = [k for k in range(3) if k != axis]
        r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
        out = out @ r
    return out


def _local(el: ET.Element) -> np.ndarray:
    t = np.eye(4)
    if "quat" in el.attrib:
        t[:3, :3] = _quat_matrix([float(v) for v in el.attrib["quat"].split()])
    elif "euler" in el.attrib:
        t[:3, :3] = _euler_matrix([float(v) for v in el.attrib["euler"].split()])
    if "pos" in el.attrib:
        t[:3, 3] = [float(v) for v in el.attrib["pos"].split()]
    return t


def mesh_placements(scene_xml: bytes) -> dict[str, np.ndarray]:
    """mesh name -> 4x4 transform into the root body's frame (the root's rotation left out)."""
    root = ET.fromstring(scene_xml).find("body")
    out: dict[str, np.ndarray] = {}

    def walk(body: ET.Element, parent: np.ndarray) -> None:
        here = parent @ _local(body)
        for child in body:
            if child.tag == "geom" and "mesh" in child.attrib:
                out[child.attrib["mesh"]] = here @ _local(child)
            elif child.tag == "body":
                walk(child, here)

    assert root.tag == "body" and root.attrib["name"] == "skeleton_decor_root"
    start = np.eye(4)
    start[:3, 3] = [float(v) for v in root.attrib.get("pos", "0 0 0").split()]
    for child in root:  # the root's children, without the root's rotation
        if child.tag == "geom" and "mesh" in child.attrib:
            out[child.attrib["mesh"]] = start @ _local(child)
        elif child.tag == "body":
            walk(child, start)
    return out


def to_backview(points: np.ndarray) -> np.ndarray:
    """OpenSim axes (+X anterior, +Y up, +Z right) -> BackView's (+X left, +Y up, +Z anterior)."""
    p = np.asarray(points, float)
    return np.stack([-p[:, 2], p[:, 1], p[:, 0]], axis=1)


def placed(mesh: trimesh.Trimesh, transform: np.ndarray | None) -> trimesh.Trimesh:
    v = np.asarray(mesh.vertices, float)
    if transform is not None:
        v = v @ transform[:3, :3].T + transform[:3, 3]
    # the axis swap is a proper rotation (det +1): faces keep their orientation
    return trimesh.Trimesh(to_backview(v), np.asarray(mesh.faces), process=False)


def clean(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    m = trimesh.Trimesh(np.round(np.asarray(mesh.vertices, float), 6), mesh.faces, process=True)
    m.update_faces(m.nondegenerate_faces())
    m.remove_unreferenced_vertices()
    return m


def components(mesh: trimesh.Trimesh) -> list[trimesh.Trimesh]:
    n, label = connected_components(mesh.edges_sparse, directed=False)
    face_label = label[mesh.faces[:, 0]]
    out = []
    for c in range(n):
        sub = trimesh.Trimesh(mesh.vertices, mesh.faces[face_label == c], process=False)
        sub.remove_unreferenced_vertices()
        out.append(sub)
    return out


def mirror_x(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    v = np.asarray(mesh.vertices, float) * [-1.0, 1.0, 1.0]
    return trimesh.Trimesh(v, np.asarray(mesh.faces)[:, ::-1], process=False)


# ----------------------------------------------------------------------------- reference points
def spinous_tip(v: np.ndarray) -> np.ndarray:
    """The tip of the spinous process: the most posterior point (least z) near the midline."""
    near = v[np.abs(v[:, 0]) < 0.01]
    return near[np.argmin(near[:, 2])]


def scapula_points(v: np.ndarray) -> dict[str, np.ndarray]:
    """The five landmark points on a RIGHT scapula in BackView axes (medial is +X)."""
    top, bottom = v[:, 1].max(), v[:, 1].min()
    upper = v[v[:, 1] > top - 0.04]
    acromion = upper[np.argmin(upper[:, 0])]                 # lateral end of the spine
    inferior = v[np.argmin(v[:, 1])]                          # lowest point
    medial_x = v[:, 0].max()
    medial = v[v[:, 0] > medial_x - 0.035]
    superior = medial[np.argmax(medial[:, 1])]                # top of the medial border
    mid_y = 0.5 * (superior[1] + inferior[1])
    band = v[np.abs(v[:, 1] - mid_y) < 0.01]
    border_mid = band[np.argmax(band[:, 0])]                  # medial border, half-way down
    # root of the spine: where the spine's posterior ridge reaches the medial border, in the
    # border's upper half: the most posterior point there
    edge = v[(v[:, 0] > medial_x - 0.025) & (v[:, 1] > mid_y) & (v[:, 1] < superior[1] - 0.01)]
    root = edge[np.argmin(edge[:, 2])]
    del top, bottom
    return {"acromion": acromion, "superior_angle": superior, "scapular_spine_root": root,
            "medial_border_mid": border_mid, "inferior_angle": inferior}


def hip_points(v: np.ndarray, side_sign: float) -> dict[str, np.ndarray]:
    # the top of the crest where the landmark is taken: its lateral part (the crest's most
    # lateral point within 2 cm of its highest point)
    high = v[v[:, 1] > v[:, 1].max() - 0.02]
    crest = high[np.argmax(side_sign * high[:, 0])]
    posterior = v[v[:, 1] > crest[1] - 0.08]
    psis = posterior[np.argmin(posterior[:, 2])]
    return {"iliac_crest_top": crest, "psis": psis}


def sacrum_points(v: np.ndarray) -> dict[str, np.ndarray]:
    near = v[np.abs(v[:, 0]) < 0.012]
    top = near[:, 1].max()
    s1 = near[near[:, 1] > top - 0.03]
    s2 = near[(near[:, 1] <= top - 0.03) & (near[:, 1] > top - 0.06)]
    return {"s1": s1[np.argmin(s1[:, 2])], "s2": s2[np.argmin(s2[:, 2])]}


def rib_tip(v: np.ndarray) -> np.ndarray:
    """The free end of a floating rib: the point farthest from its head (the most medial end)."""
    head = v[np.argmin(np.abs(v[:, 0]))]
    return v[np.argmax(np.linalg.norm(v - head, axis=1))]


# ----------------------------------------------------------------------------- build
def build(wheel: Path) -> tuple[dict, dict[str, np.ndarray]]:
    with zipfile.ZipFile(wheel) as zf:
        where = mesh_placements(zf.read(SCENE))
        bones: list[dict] = []
        arrays: dict[str, np.ndarray] = {}

        def add(bid, name, kind, side, source, mesh, points):
            mesh = clean(mesh)
            arrays[f"{bid}/vertices"] = np.asarray(mesh.vertices, np.float32)
            arrays[f"{bid}/faces"] = np.asarray(mesh.faces, np.uint16)
            bones.append({
                "id": bid, "name": name, "kind": kind, "side": side, "source": source,
                "vertices": len(mesh.vertices), "faces": len(mesh.faces),
                "points": {k: [round(float(c), 5) for c in p] for k, p in points.items()},
            })

        for level, src in [(t, f"thoracic{t[1:]}_s") for t in THORACIC] + \
                          [(lv, f"lumbar{lv[1:]}") for lv in LUMBAR]:
            m = placed(read_stl(zf, src), where[src])
            v = np.asarray(m.vertices)
            add(f"vertebra-{level}", f"{level} vertebra", "vertebra", None, f"{src}.stl", m,
                {"spinous_tip": spinous_tip(v), "body_centre": v[v[:, 2] > np.median(v[:, 2])].mean(0)})

        m = placed(read_stl(zf, "hat_cervical"), where["hat_cervical"])
        v = np.asarray(m.vertices)
        low = v[v[:, 1] < v[:, 1].min() + 0.035]
        add("cervical-spine", "Cervical spine (C1-C7)", "cervical", None, "hat_cervical.stl", m,
            {"c7_spinous_tip": spinous_tip(low), "top": v[np.argmax(v[:, 1])]})

        m = placed(read_stl(zf, "sacrum"), where["sacrum"])
        add("sacrum", "Sacrum", "sacrum", None, "sacrum.stl", m, sacrum_points(np.asarray(m.vertices)))

        for side, src, sign in (("left", "l_pelvis", 1.0), ("right", "r_pelvis", -1.0)):
            m = placed(read_stl(zf, src), where[src])
            add(f"hip-{side}", f"{side.capitalize()} hip bone", "pelvis", side, f"{src}.stl", m,
                hip_points(np.asarray(m.vertices), sign))

        right = placed(read_stl(zf, "scapula"), None)
        pts_r = scapula_points(np.asarray(right.vertices))
        add("scapula-right", "Right scapula", "scapula", "right", "scapula.stl", right, pts_r)
        add("scapula-left", "Left scapula", "scapula", "left", "scapula.stl (mirrored)",
            mirror_x(right), {k: p * [-1, 1, 1] for k, p in pts_r.items()})

        thorax = clean(placed(read_stl(zf, "thorax"), where["thorax"]))
        parts = components(thorax)
        sizes = np.array([len(p.vertices) for p in parts])
        sternum = parts[int(np.argmax([np.ptp(p.vertices[:, 0])
                                       if s < 2000 else -1 for p, s in zip(parts, sizes)]))]
        ribs = {"left": [], "right": []}
        for p, s in zip(parts, sizes):
            v = np.asarray(p.vertices)
            c = v.mean(0)
            if p is sternum or not 40 <= s <= 120 or abs(c[0]) < 0.03:
                continue  # the sternum, the inner pieces, the small bits near the midline
            ribs["left" if c[0] > 0 else "right"].append(p)
        for side in ribs:
            if len(ribs[side]) != 12:
                raise RuntimeError(f"expected 12 ribs on the {side}, found {len(ribs[side])}")
            ribs[side].sort(key=lambda p: -p.vertices[:, 1].max())
        cage = trimesh.util.concatenate([sternum] + ribs["left"][:10] + ribs["right"][:10])
        cv = np.asarray(cage.vertices)
        add("rib-cage", "Rib cage (ribs 1-10, sternum)", "ribcage", None, "thorax.stl", cage,
            {"top": cv[np.argmax(cv[:, 1])], "sternum_bottom": sternum.vertices[np.argmin(sternum.vertices[:, 1])]})
        for n in (11, 12):
            for side in ("left", "right"):
                m = ribs[side][n - 1]
                add(f"rib-{n}-{side}", f"{side.capitalize()} rib {n} (floating)", "floating-rib",
                    side, "thorax.stl", m, {"tip": rib_tip(np.asarray(m.vertices))})
        license_text = zf.read(LICENSE).decode()
    doc = {
        "source": f"myo-sim {MYO_SIM_VERSION} (MyoSuite), Apache-2.0",
        "units": "m",
        "axes": {"x": "body's left", "y": "up", "z": "anterior (the back faces -z)"},
        "made_by": "tools/build_bones.py",
        "bones": bones,
    }
    assert "Apache License" in license_text
    return doc, arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (readable by numpy.load) with fixed timestamps, so the bytes are reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue())
    data = buf.getvalue()
    path.write_bytes(data)
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help="use this myo-sim wheel instead of fetching it")
    ap.add_argument("--out", type=Path, default=REPO / "meshes")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        wheel_sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        doc, arrays = build(wheel)
    doc["source_sha256"] = wheel_sha
    args.out.mkdir(parents=True, exist_ok=True)
    data = write_npz(args.out / "bones.npz", arrays)
    (args.out / "bones.json").write_text(json.dumps(doc, indent=1) + "\n")
    n_v = sum(b["vertices"] for b in doc["bones"])
    print(f"bones.npz: {len(doc['bones'])} bones, {n_v} vertices, {len(data) // 1024} KiB, "
          f"sha256 {hashlib.sha256(data).hexdigest()[:16]}…  source wheel sha256 {wheel_sha[:16]}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
