"""Under the skin: the bones and kidneys that explain the map's rules, fitted to a body by its
landmarks (issue 13).

- :func:`fit_structures` ``(body, *, cache=True) -> Anatomy``
- :class:`Structure`: one bone or organ, in the body's mesh units and frame.
- ``Anatomy.missing``: one line per structure left out because a landmark it needs is missing.

The bones are MyoSuite's (``meshes/bones.npz``, built by ``tools/build_bones.py``); the kidneys
are modelled here. Everything is placed in the body's anatomical frame (left, up, anterior), in
metres, and written back in the body's own units and axes:

- each vertebra T1-L5 with its spinous-process tip ``SPINOUS_DEPTH_CM`` under its landmark (along
  the skin's inward normal), turned to the local direction of the spine (the line through its
  neighbours' landmarks), scaled by the length of the landmarked spine against the source's;
- the cervical spine from C7 towards the external occipital protuberance;
- each scapula by a least-squares similarity from its five reference points to its five
  landmarks pushed in by the soft-tissue depth;
- the hip bones and the sacrum by one similarity from the iliac crest tops, the PSIS, S2 (and
  S1 when present);
- the rib cage by the fitted thoracic spine (vertical scale and offset) and the spine's scale;
  ribs 11 and 12 from their head on the fitted T11/T12 to their tip landmark, pushed in;
- the kidneys (see :func:`kidney_mesh`).

Soft-tissue depths are teaching approximations of a lean adult. A bone part that would come
closer than ``SKIN_MARGIN_CM`` to the skin is pushed in to that margin (the fit is an
approximation; a bone seen through the skin is not).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from viewer.core import anatomy
from viewer.core.paths import data_dir

if TYPE_CHECKING:
    from viewer.core.body import Body

#: the layers a view or a picture can show
LAYERS = ("skin", "bones", "kidneys")

CM = 0.01
#: depth of a spinous-process tip under the skin (thin soft tissue over the tips)
SPINOUS_DEPTH_CM = {"C": 1.0, "T": 0.8, "L": 1.2}
#: depth of the other bony landmarks under the skin
LANDMARK_DEPTH_CM = {"acromion": 0.7, "superior_angle": 1.5, "scapular_spine_root": 1.0,
                     "medial_border_mid": 1.2, "inferior_angle": 1.2, "iliac_crest_top": 1.8,
                     "psis": 1.0, "S1": 1.0, "S2": 1.0, "rib11_tip": 1.8, "rib12_tip": 1.8}
#: no bone comes closer than this to the skin
SKIN_MARGIN_CM = 0.3
#: bump when the fit changes, so every cached anatomy is rebuilt
FIT_VERSION = 1

SPINE = tuple(f"T{i}" for i in range(1, 13)) + tuple(f"L{i}" for i in range(1, 6))
SCAPULA_POINTS = ("acromion", "superior_angle", "scapular_spine_root", "medial_border_mid",
                  "inferior_angle")


@dataclass(frozen=True, eq=False)
class Structure:
    id: str                         #: "vertebra-T7", "scapula-left", "kidney-right", "rib-12-left", ...
    name: str                       #: "T7 vertebra", "Left kidney", ...
    kind: Literal["bone", "organ"]
    side: Literal["left", "right"] | None
    layer: Literal["bones", "kidneys"]
    vertices: np.ndarray            #: (n, 3) mesh units, the body's own frame
    faces: np.ndarray               #: (m, 3)
    note: str = ""                  #: the teaching note (from the guide) shown when it is clicked
    citations: tuple[str, ...] = () #: verbatim guide sentences behind the note
    group: str = ""                 #: "vertebra", "scapula", "floating-rib", "kidney", ... (the notes' kinds)


@dataclass
class Anatomy:
    structures: list[Structure]
    missing: list[str] = field(default_factory=list)

    def of_layer(self, layer: str) -> list[Structure]:
        return [s for s in self.structures if s.layer == layer]

    def get(self, structure_id: str) -> Structure:
        for s in self.structures:
            if s.id == structure_id:
                return s
        raise KeyError(structure_id)


# ============================================================================ data
@dataclass(frozen=True)
class Bone:
    id: str
    name: str
    kind: str
    side: str | None
    vertices: np.ndarray  #: metres, (left, up, anterior)
    faces: np.ndarray
    points: dict[str, np.ndarray]


@lru_cache(maxsize=1)
def bone_set() -> dict[str, Bone]:
    """The shipped bones (``meshes/bones.json`` + ``bones.npz``), by id."""
    folder = data_dir("meshes")
    index = json.loads((folder / "bones.json").read_text(encoding="utf-8"))
    with np.load(folder / "bones.npz") as z:
        arrays = {k: z[k] for k in z.files}
    out = {}
    for b in index["bones"]:
        out[b["id"]] = Bone(b["id"], b["name"], b["kind"], b["side"],
                            arrays[f"{b['id']}/vertices"].astype(np.float64),
                            arrays[f"{b['id']}/faces"].astype(np.int64),
                            {k: np.asarray(v, float) for k, v in b["points"].items()})
    return out


def notes_path() -> Path:
    return data_dir("region_maps") / "structures.toml"


@lru_cache(maxsize=1)
def read_notes(path: Path | None = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """kind -> (note, citations) from ``region_maps/structures.toml``; every citation checked
    against the guide (a :class:`RegionMapError` naming the file and field otherwise)."""
    from viewer.core.errors import RegionMapError
    from viewer.core.regionmap import citation_problems, read_guide

    path = path or notes_path()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RegionMapError(f"cannot be read: {exc}", path) from None
    guide = read_guide(path, str(doc.get("guide", "")))
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    cited = []
    for i, topic in enumerate(doc.get("topics", [])):
        note, cits, kinds = topic.get("note"), topic.get("citations"), topic.get("kinds")
        for name, value, typ in (("note", note, str), ("citations", cits, list), ("kinds", kinds, list)):
            if not isinstance(value, typ) or not value:
                raise RegionMapError(f"'{name}' is missing or empty", path, f"topics[{i}]:{name}")
        cited += [(f"topics[{i}]:citations", c) for c in cits]
        for k in kinds:
            out[k] = (note, tuple(cits))
    problems = citation_problems(guide, cited, path)
    if problems:
        raise RegionMapError(problems)
    return out


# ============================================================================ geometry helpers
def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _basis(up: np.ndarray) -> np.ndarray:
    """Columns (left, up, anterior) of a right-handed frame whose up is ``up``."""
    up = _unit(up)
    left = np.array([1.0, 0.0, 0.0])
    left = _unit(left - (left @ up) * up)
    return np.stack([left, up, np.cross(left, up)], axis=1)


def _align(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction ``a`` to direction ``b``."""
    a, b = _unit(a), _unit(b)
    v, c = np.cross(a, b), float(a @ b)
    if np.linalg.norm(v) < 1e-12:
        return np.eye(3)
    k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + k + k @ k / (1.0 + c)


def similarity(src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None
               ) -> tuple[float, np.ndarray, np.ndarray]:
    """Least-squares ``dst ~ s * R @ src + t`` with a proper rotation (trimesh's procrustes),
    optionally weighted per point."""
    from trimesh.registration import procrustes

    matrix = procrustes(np.asarray(src, float), np.asarray(dst, float), weights=weights,
                        reflection=False, translation=True, scale=True, return_cost=False)
    linear = matrix[:3, :3]
    scale = float(np.cbrt(np.linalg.det(linear)))
    return scale, linear / scale, matrix[:3, 3]


class _Skin:
    """The skin in the body's local metres: nearest-vertex signed distance (positive outside)."""

    def __init__(self, vertices: np.ndarray, normals: np.ndarray):
        from scipy.spatial import cKDTree

        self.v, self.n = vertices, normals
        self.tree = cKDTree(vertices)

    def signed(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        _, i = self.tree.query(p)
        n = self.n[i]
        return ((p - self.v[i]) * n).sum(-1), n

    def under(self, p: np.ndarray, depth_m: float) -> np.ndarray:
        """The point ``depth_m`` under the skin point ``p`` (along the inward normal)."""
        _, n = self.signed(p[None])
        return p - depth_m * n[0]

    def keep_inside(self, p: np.ndarray, margin_m: float) -> np.ndarray:
        p = p.copy()
        for _ in range(4):
            s, n = self.signed(p)
            bad = s > -margin_m
            if not bad.any():
                break
            p[bad] -= (s[bad] + margin_m)[:, None] * n[bad]
        return p


# ============================================================================ kidneys
#: Standard anatomy (e.g. Gray's Anatomy; Moore, Clinically Oriented Anatomy): each kidney is about
#: 11 cm long, 6 cm wide and 3 cm thick, bean-shaped with the hilum on its medial border facing
#: the spine (and a little forwards); it lies retroperitoneally beside the vertebral column from
#: about T12 to L3, its long axis tilted so the upper pole is nearer the midline and its upper
#: pole under ribs 11-12; the right kidney lies a little (1-2 cm) lower than the left, below the
#: liver. The hilum is about 5 cm from the midline.
KIDNEY_SIZE_CM = (6.0, 11.0, 3.0)  # width (lateral), length, thickness
KIDNEY_TILT_DEG = 15.0             # upper pole towards the midline (coronal plane)
KIDNEY_TURN_DEG = 30.0             # hilum turned forwards from facing straight medially
KIDNEY_CENTRE_LATERAL_CM = 6.5     # centre from the midline (hilum ~4.5-5 cm)
KIDNEY_CENTRE_DEPTH_CM = 6.0       # centre in front of the skin over the spinous processes
RIGHT_KIDNEY_LOWER_CM = 1.5


def kidney_mesh(scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A left kidney in metres around its centre, axes (lateral, up, anterior) before placing:
    an ellipsoid with the hilum's notch pressed into its medial border."""
    import trimesh

    s = trimesh.creation.icosphere(3, 1.0)
    u = np.asarray(s.vertices, float)
    w, h, t = (np.array(KIDNEY_SIZE_CM) / 2.0) * CM * scale
    a, b, c = u[:, 0], u[:, 1], u[:, 2]
    x = w * a
    medial = np.clip(-a, 0.0, 1.0)
    x += 0.4 * w * np.exp(-(b / 0.35) ** 2) * medial ** 2       # the hilum's notch
    x += 0.12 * w * (b ** 2)                                     # concave medial border
    v = np.stack([x, h * b, t * c], axis=1)
    # tilt (upper pole medial: the left kidney's medial side is -x) and turn (hilum forwards)
    tilt = np.radians(KIDNEY_TILT_DEG)
    rz = np.array([[np.cos(tilt), np.sin(tilt), 0], [-np.sin(tilt), np.cos(tilt), 0], [0, 0, 1]])
    turn = np.radians(KIDNEY_TURN_DEG)
    ry = np.array([[np.cos(turn), 0, np.sin(turn)], [0, 1, 0], [-np.sin(turn), 0, np.cos(turn)]])
    return v @ ry.T @ rz.T, np.asarray(s.faces, np.int64)


# ============================================================================ fitting
def _cache_key(body: Body) -> str:
    h = hashlib.sha256()
    h.update(f"anatomy-v{FIT_VERSION}".encode())
    h.update(np.ascontiguousarray(body.mesh.vertices, np.float64).tobytes())
    h.update(np.ascontiguousarray(body.mesh.faces, np.int64).tobytes())
    h.update(json.dumps({k: np.asarray(v).tolist() for k, v in sorted(body.landmarks.items())}).encode())
    h.update(str(body.unit).encode())
    folder = data_dir("meshes")
    h.update((folder / "bones.npz").read_bytes())
    h.update(notes_path().read_bytes())
    return h.hexdigest()


def fit_structures(body: Body, *, cache: bool = True) -> Anatomy:
    """Every structure fitted to ``body`` (cached by the body's content when ``cache``)."""
    if not cache:
        return _fit(body)
    from viewer.core.cache import cache_file, read_cached, write_cached

    path = cache_file(_cache_key(body), ".anatomy.npz")
    found = read_cached(path, _read_anatomy)
    if found is not None:
        return found
    result = _fit(body)
    write_cached(path, lambda tmp: _write_anatomy(tmp, result))
    return result


def _write_anatomy(path: Path, a: Anatomy) -> None:
    meta = {"missing": a.missing, "structures": [
        {"id": s.id, "name": s.name, "kind": s.kind, "side": s.side, "layer": s.layer,
         "note": s.note, "citations": list(s.citations), "group": s.group} for s in a.structures]}
    arrays = {"meta": np.array(json.dumps(meta))}
    for i, s in enumerate(a.structures):
        arrays[f"v{i}"], arrays[f"f{i}"] = s.vertices, s.faces
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def _read_anatomy(path: Path) -> Anatomy:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        out = [Structure(m["id"], m["name"], m["kind"], m["side"], m["layer"], z[f"v{i}"],
                         z[f"f{i}"], m["note"], tuple(m["citations"]), m["group"])
               for i, m in enumerate(meta["structures"])]
    return Anatomy(out, list(meta["missing"]))


def _fit(body: Body) -> Anatomy:
    frame = body.frame
    unit = body.unit
    basis = np.stack([frame.left, frame.up, -frame.back])  # rows: local axes in mesh coords

    def local(p):
        return (np.asarray(p, float) - frame.origin) @ basis.T * unit

    def world(q):
        return q / unit @ basis + frame.origin

    mesh = body.mesh
    skin = _Skin(local(mesh.vertices), np.asarray(mesh.vertex_normals, float) @ basis.T)
    lm = {k: local(v) for k, v in body.landmarks.items()}
    bones = bone_set()
    notes = read_notes()
    margin = SKIN_MARGIN_CM * CM
    out: list[Structure] = []
    missing: list[str] = []

    def need(what: str, names) -> bool:
        absent = [n for n in names if n not in lm]
        if absent:
            missing.append(f"{what}: no landmark {absent[0]} "
                           f"({anatomy.describe(absent[0])})")
        return not absent

    def emit(sid, name, kind, side, layer, group, verts, faces):
        verts = skin.keep_inside(verts, margin)
        note, cits = notes.get(group, ("", ()))
        out.append(Structure(sid, name, kind, side, layer, world(verts), faces, note, cits, group))

    def largest_inside(make, limit: float = 0.02):
        """``make(k)`` for the largest k in 1, 0.97, ... 0.7 that leaves at most ``limit`` of
        the vertices outside the skin's margin (a bone wider than this body's trunk shrinks
        towards its anchor on the spine until it fits)."""
        for k in np.arange(1.0, 0.69, -0.03):
            v = make(k)
            if np.mean(skin.signed(v)[0] > -margin) <= limit:
                return v
        return v

    def depth(name: str) -> float:
        key = name[len("spinous_"):] if name.startswith("spinous_") else name.rsplit("_", 1)[0]
        if key in LANDMARK_DEPTH_CM:
            return LANDMARK_DEPTH_CM[key] * CM
        return SPINOUS_DEPTH_CM.get(key[0], 1.0) * CM

    def under(name: str) -> np.ndarray:
        return skin.under(lm[name], depth(name))

    # ---------------------------------------------------------------- spine
    src_tip = {lv: bones[f"vertebra-{lv}"].points["spinous_tip"] for lv in SPINE}
    src_tip["C7"] = bones["cervical-spine"].points["c7_spinous_tip"]
    src_tip["S1"] = bones["sacrum"].points["s1"]
    src_tip["S2"] = bones["sacrum"].points["s2"]
    order = [lv for lv in anatomy.VERTEBRAL_LEVELS if lv in src_tip]
    have = [lv for lv in order if anatomy.spinous(lv) in lm]
    spine_scale = 1.0
    if len(have) >= 2:
        t = np.array([lm[anatomy.spinous(lv)] for lv in have])
        s = np.array([src_tip[lv] for lv in have])
        spine_scale = float(np.linalg.norm(np.diff(t, axis=0), axis=1).sum()
                            / np.linalg.norm(np.diff(s, axis=0), axis=1).sum())
    vert_fit: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # R, src tip, dst tip

    def spine_direction(level: str):
        i = have.index(level)
        a, b = have[max(i - 1, 0)], have[min(i + 1, len(have) - 1)]
        if a == b:
            return None
        return (lm[anatomy.spinous(a)] - lm[anatomy.spinous(b)], src_tip[a] - src_tip[b])

    for lv in SPINE:
        bone = bones[f"vertebra-{lv}"]
        if not need(bone.name, [anatomy.spinous(lv)]):
            continue
        dirs = spine_direction(lv)
        r = np.eye(3) if dirs is None else _basis(dirs[0]) @ _basis(dirs[1]).T
        dst = under(anatomy.spinous(lv))
        vert_fit[lv] = (r, src_tip[lv], dst)
        v = dst + spine_scale * (bone.vertices - src_tip[lv]) @ r.T
        emit(bone.id, bone.name, "bone", None, "bones", "vertebra", v, bone.faces)

    bone = bones["cervical-spine"]
    if need(bone.name, [anatomy.spinous("C7"), anatomy.EOP]):
        r = _basis(lm[anatomy.EOP] - lm["spinous_C7"]) @ _basis(bone.points["top"] - src_tip["C7"]).T
        c7 = under("spinous_C7")
        v = largest_inside(lambda k: c7 + k * spine_scale * (bone.vertices - src_tip["C7"]) @ r.T)
        emit(bone.id, bone.name, "bone", None, "bones", "cervical", v, bone.faces)

    # ---------------------------------------------------------------- pelvis and sacrum
    pairs = [("psis_left", bones["hip-left"].points["psis"]),
             ("psis_right", bones["hip-right"].points["psis"]),
             ("spinous_S2", src_tip["S2"])]
    crests = [("iliac_crest_top_left", bones["hip-left"].points["iliac_crest_top"]),
              ("iliac_crest_top_right", bones["hip-right"].points["iliac_crest_top"])]
    hips_ok = need("hip bones", [n for n, _ in pairs + crests])
    sacrum_ok = hips_ok or need("sacrum", [n for n, _ in pairs])
    if sacrum_ok:
        use = pairs + (crests if hips_ok else [])
        if "spinous_S1" in lm:
            use.append(("spinous_S1", src_tip["S1"]))
        sc, r, t = similarity(np.array([p for _, p in use]), np.array([under(n) for n, _ in use]))
        ids = ["sacrum"] + (["hip-left", "hip-right"] if hips_ok else [])
        for bid in ids:
            b = bones[bid]
            emit(b.id, b.name, "bone", b.side, "bones", b.kind, sc * b.vertices @ r.T + t, b.faces)

    # ---------------------------------------------------------------- scapulae
    for side in anatomy.SIDES:
        b = bones[f"scapula-{side}"]
        names = [f"{p}_{side}" for p in SCAPULA_POINTS]
        if not need(b.name, names):
            continue
        sc, r, t = similarity(np.array([b.points[p] for p in SCAPULA_POINTS]),
                              np.array([under(n) for n in names]))
        emit(b.id, b.name, "bone", side, "bones", "scapula", sc * b.vertices @ r.T + t, b.faces)

    # ---------------------------------------------------------------- rib cage
    thoracic = [lv for lv in SPINE[:12] if lv in vert_fit]
    cage_map = None
    if len(thoracic) >= 2:
        src = np.array([vert_fit[lv][1] for lv in thoracic])
        dst = np.array([vert_fit[lv][2] for lv in thoracic])
        sy = float(np.polyfit(src[:, 1], dst[:, 1], 1)[0])
        sx = spine_scale

        def cage_map(p, k=1.0):
            return (p - src.mean(0)) * np.array([k * sx, sy, k * sx]) + dst.mean(0)

        b = bones["rib-cage"]
        emit(b.id, b.name, "bone", None, "bones", "ribcage",
             largest_inside(lambda k: cage_map(b.vertices, k)), b.faces)
    else:
        missing.append("rib cage: needs at least two thoracic spinous landmarks (T1-T12)")

    for n, level in ((11, "T11"), (12, "T12")):
        for side in anatomy.SIDES:
            b = bones[f"rib-{n}-{side}"]
            tip_name = f"rib{n}_tip_{side}"
            if not need(b.name, [tip_name]):
                continue
            v = b.vertices
            head_s = v[np.argmin(np.abs(v[:, 0]))]
            tip_s = b.points["tip"]
            if level in vert_fit:
                r0, s0, d0 = vert_fit[level]
                head_t = d0 + spine_scale * r0 @ (head_s - s0)
            elif cage_map is not None:
                r0, head_t = np.eye(3), cage_map(head_s)
            else:
                missing.append(f"{b.name}: no landmark spinous_{level} to hang it from")
                continue
            tip_t = under(tip_name)
            d_s = r0 @ (tip_s - head_s)
            r = _align(d_s, tip_t - head_t) @ r0
            sc = np.linalg.norm(tip_t - head_t) / np.linalg.norm(tip_s - head_s)
            emit(b.id, b.name, "bone", side, "bones", "floating-rib",
                 head_t + sc * (v - head_s) @ r.T, b.faces)

    # ---------------------------------------------------------------- kidneys
    need_k = ["spinous_T12", "spinous_L3"]
    if need("kidneys", need_k):
        ks = float(np.clip(spine_scale, 0.8, 1.25))
        kv, kf = kidney_mesh(ks)
        t12, l3 = lm["spinous_T12"], lm["spinous_L3"]
        mid = 0.5 * (t12 + l3)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            centre = mid + np.array([sign * KIDNEY_CENTRE_LATERAL_CM * ks * CM, 0.0,
                                     KIDNEY_CENTRE_DEPTH_CM * ks * CM])
            if side == "right":
                centre[1] -= RIGHT_KIDNEY_LOWER_CM * ks * CM
            v = kv * np.array([sign, 1.0, 1.0]) + centre
            f = kf if sign > 0 else kf[:, ::-1]
            emit(f"kidney-{side}", f"{side.capitalize()} kidney", "organ", side, "kidneys",
                 "kidney", v, f)
    return Anatomy(out, missing)


# ============================================================================ reports
def level_heights(body: Body) -> dict[str, float]:
    """Vertebral level name -> height (metres along the body's up) of its spinous landmark."""
    f = body.frame
    return {lv: float((body.landmarks[anatomy.spinous(lv)] - f.origin) @ f.up * body.unit)
            for lv in anatomy.VERTEBRAL_LEVELS if anatomy.spinous(lv) in body.landmarks}


def describe(body: Body, anatomy_: Anatomy) -> list[dict]:
    """One row per structure: levels, lateral and depth ranges (cm), the fraction of its vertices
    inside the skin (signed distance to the nearest skin vertex along its normal)."""
    f = body.frame
    heights = level_heights(body)
    names, h = list(heights), np.array(list(heights.values()))
    rows = []
    from scipy.spatial import cKDTree

    skin_local = (np.asarray(body.mesh.vertices) - f.origin) * body.unit
    su, sv, sb = skin_local @ f.left, skin_local @ f.up, skin_local @ f.back
    tree = cKDTree(np.stack([su, sv], axis=1))
    skin = _Skin(skin_local, np.asarray(body.mesh.vertex_normals, float))
    for s in anatomy_.structures:
        d = (np.asarray(s.vertices) - f.origin) * body.unit
        u, v, b = d @ f.left, d @ f.up, d @ f.back
        levels = None
        if len(names):
            levels = [names[int(np.argmin(np.abs(h - v.max())))],
                      names[int(np.argmin(np.abs(h - v.min())))]]
        # depth under the skin seen from behind: the back-most skin near the same (u, v)
        near = tree.query_ball_point(np.stack([u, v], axis=1), r=0.01)
        depth = np.array([sb[i].max() - bb if i else np.nan for i, bb in zip(near, b)])
        inside = float(np.mean(skin.signed(d)[0] < 0))
        rows.append({
            "id": s.id, "name": s.name, "kind": s.kind, "side": s.side, "levels": levels,
            "lateral_cm": [0.0 if u.min() < 0 < u.max() else round(float(np.abs(u).min() / CM), 1),
                           round(float(np.abs(u).max() / CM), 1)],
            "depth_cm": [round(float(np.nanmin(depth) / CM), 1), round(float(np.nanmax(depth) / CM), 1)]
            if np.isfinite(depth).any() else None,
            "inside_skin": round(inside, 3),
        })
    return rows
