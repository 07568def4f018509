"""The test bodies of the landmark fit (tests/data/bodies, tests/bodies.py) are what they claim.

They are the yardstick of ``benchmarks/bench_landmarks.py`` and of the fit's tests: full adult
bodies of the torso's source topology, differing in build, whose carried-over landmarks a massage
teacher would accept, and variants in the promised units, axes and topologies.
"""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
import trimesh

import bodies
from viewer.core.landmark_checks import check_landmarks

#: the base mesh's ``body`` face group (meshes/ATTRIBUTION.md): vertices, quads
HM08_BODY_VERTICES, HM08_BODY_QUADS = 13_380, 13_378
NAMES = bodies.names()
UNIT = {"m": 1.0, "mm": 0.001}


def spinous(truth: dict) -> np.ndarray:
    return np.array([v for k, v in truth.items() if k.startswith("spinous_")])


def off_skin(mesh: trimesh.Trimesh, truth: dict) -> np.ndarray:
    return np.abs(mesh.nearest.signed_distance(np.array(list(truth.values()))))


def test_the_source_topology_is_the_one_the_attribution_names(repo):
    text = (repo / "meshes" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert f"{HM08_BODY_VERTICES:,} vertices, {HM08_BODY_QUADS:,} quads" in text


def test_seven_adults_of_both_sexes_and_of_different_builds():
    params = [bodies.parameters(n) for n in NAMES]
    assert len(NAMES) == 7
    assert {p["gender"] for p in params} >= {0.0, 1.0}
    assert all(18 <= p["age_years"] <= 90 for p in params)
    assert max(p["age_years"] for p in params) >= 65
    # anny's height parameter spans children to giants: adults lie within 0.2-0.6
    for key, spread in (("weight", 0.8), ("muscle", 0.7), ("height", 0.25)):
        values = [p[key] for p in params]
        assert max(values) - min(values) >= spread, key
    statures = [p["stature_m"] for p in params]
    assert min(statures) < 1.55 and max(statures) > 1.9


def test_the_stored_parameters_are_the_build_scripts(repo):
    spec = importlib.util.spec_from_file_location("build_test_bodies",
                                                  repo / "tools" / "build_test_bodies.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)  # imports no torch: the anny part runs in another interpreter
    assert list(tool.BODIES) == NAMES
    for name, params in tool.BODIES.items():
        assert bodies.truth_document()["bodies"][name]["anny"] == {
            k: round(v, 4) for k, v in params.items()}


@pytest.mark.parametrize("name", NAMES)
def test_a_body_is_a_closed_full_body_of_the_hm08_topology_in_metres_y_up(name):
    mesh, truth = bodies.load_test_body(name)
    assert len(mesh.vertices) == HM08_BODY_VERTICES
    assert len(mesh.faces) == 2 * HM08_BODY_QUADS
    assert mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0
    assert len(trimesh.graph.connected_components(mesh.edges)) == 1
    extents = mesh.extents
    assert np.argmax(extents) == 1  # Y up, the tallest extent
    assert extents[1] == pytest.approx(bodies.parameters(name)["stature_m"], abs=1e-3)
    # +Z anterior: the spine lies behind the body's middle
    assert spinous(truth)[:, 2].mean() < mesh.bounds.mean(axis=0)[2]


def test_the_bodies_share_one_topology_and_differ_in_shape():
    first, _ = bodies.load_test_body(NAMES[0])
    for name in NAMES[1:]:
        mesh, _ = bodies.load_test_body(name)
        assert np.array_equal(mesh.faces, first.faces)
        assert np.linalg.norm(mesh.vertices - first.vertices, axis=1).max() > 0.05


def test_a_loaded_body_is_a_fresh_copy():
    mesh, truth = bodies.load_test_body(NAMES[0])
    mesh.vertices[:] = 0.0
    truth["spinous_C7"][:] = 0.0
    again, truth_again = bodies.load_test_body(NAMES[0])
    assert np.ptp(again.vertices[:, 1]) > 1.0 and truth_again["spinous_C7"][1] != 0.0


@pytest.mark.parametrize("name", NAMES)
def test_the_truth_is_every_shipped_landmark_and_passes_the_anatomy_checks(
        name, shipped_landmarks_doc):
    mesh, truth = bodies.load_test_body(name)
    assert list(truth) == list(shipped_landmarks_doc["landmarks"])
    check_landmarks(mesh, truth, 1.0, f"{name} truth")  # raises LandmarkError if not
    assert off_skin(mesh, truth).max() < 1e-4


def test_the_truth_is_carried_by_topology():
    """Each landmark sits on the same part of the mesh on every body: the triangles it lies on
    share a vertex index from body to body."""
    anchors = []
    for name in NAMES:
        mesh, truth = bodies.load_test_body(name)
        _, _, tri = trimesh.proximity.closest_point(mesh, np.array(list(truth.values())))
        anchors.append(mesh.faces[tri])
    for other in anchors[1:]:
        for a, b in zip(anchors[0], other):
            assert set(a) & set(b)


def test_the_truth_differs_from_body_to_body():
    c7 = np.array([bodies.load_test_body(n)[1]["spinous_C7"] for n in NAMES])
    assert np.ptp(c7[:, 1]) > 0.15  # statures 1.52-1.95 m


def test_the_readme_table_lists_every_body():
    readme = (bodies.DATA / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"| {name} |" in readme


@pytest.mark.parametrize("name", ["average_woman", "heavy_man"])
def test_the_remeshed_variant_is_another_topology_in_millimetres_z_up(name):
    body, body_truth = bodies.load_test_body(name)
    mesh, truth = bodies.remeshed_mm_zup(name)
    assert bodies.VARIANTS["remeshed_mm_zup"] == ("mm", "+z")
    assert abs(len(mesh.faces) - bodies.REMESHED_FACES) <= 100
    assert len(mesh.vertices) != len(body.vertices)
    assert mesh.is_watertight and mesh.volume > 0
    # millimetres: the stature in mm along Z, the tallest extent
    assert np.argmax(mesh.extents) == 2
    assert mesh.extents[2] == pytest.approx(1000 * body.extents[1], rel=0.01)
    # the front towards -Y: the spine on the +Y side
    assert spinous(truth)[:, 1].mean() > mesh.bounds.mean(axis=0)[1]
    assert truth["spinous_C7"][2] > truth["spinous_S2"][2]
    # the truth moved with the body and was snapped to the new surface by at most a few mm
    moved = np.array([np.linalg.norm(truth[k] - bodies.Y_UP_TO_Z_UP @ body_truth[k] * 1000)
                      for k in truth])
    assert moved.max() < 5.0
    assert off_skin(mesh, truth).max() < 0.01
    check_landmarks(mesh, truth, UNIT["mm"], f"{name} remeshed")


def test_the_remeshed_variant_is_the_same_on_every_load():
    first = bodies._remeshed.__wrapped__(NAMES[0])
    second = bodies._remeshed.__wrapped__(NAMES[0])
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


@pytest.mark.parametrize("degrees", [90, 180, -135])
def test_a_turned_body_faces_another_way(degrees):
    body, body_truth = bodies.load_test_body("average_man")
    mesh, truth = bodies.turned("average_man", degrees)
    assert len(mesh.faces) == len(body.faces)
    assert np.ptp(mesh.vertices[:, 1]) == pytest.approx(np.ptp(body.vertices[:, 1]))
    # the back faced -Z; turned right-handedly about +Y by the angle, it faces this way
    back = np.array([-np.sin(np.radians(degrees)), 0.0, -np.cos(np.radians(degrees))])
    centre = mesh.vertices.mean(axis=0)
    assert np.mean((spinous(truth) - centre) @ back) > 0.05
    assert off_skin(mesh, truth).max() < 1e-4
    check_landmarks(mesh, truth, 1.0, f"turned {degrees}")
    assert np.allclose(bodies.variant("average_man", f"turned_{degrees}")[0].vertices,
                       mesh.vertices)


@pytest.mark.parametrize("name", NAMES)
def test_the_torso_cut_is_an_open_scan_without_legs(name):
    body, _ = bodies.load_test_body(name)
    mesh, truth = bodies.torso_cut(name)
    assert not mesh.is_watertight
    lowest, s2 = mesh.vertices[:, 1].min(), truth["spinous_S2"][1]
    assert s2 - 0.35 < lowest < s2 - 0.1  # the buttocks kept, the legs gone
    assert np.ptp(mesh.vertices[:, 1]) < 0.6 * np.ptp(body.vertices[:, 1])
    assert len(trimesh.graph.connected_components(mesh.edges)) == 1
    assert off_skin(mesh, truth).max() < 1e-4
    check_landmarks(mesh, truth, 1.0, f"{name} torso cut")


def test_an_unknown_body_or_variant_is_named():
    with pytest.raises(KeyError, match="no test body 'nobody'"):
        bodies.load_test_body("nobody")
    with pytest.raises(KeyError, match="no variant 'upside_down'"):
        bodies.variant(NAMES[0], "upside_down")


def test_the_truth_file_is_small_and_in_metres():
    doc = json.loads((bodies.DATA / "truth.json").read_text(encoding="utf-8"))
    assert doc["units"] == "m" and doc["quantum_m"] == 1e-4
    total = sum(p.stat().st_size for p in bodies.DATA.iterdir())
    assert total < 1_500_000
