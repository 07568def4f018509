"""The shipped landmarks, checked the way a massage teacher would check them on a person.

Coordinates are the shipped model's (README "Coordinates"): metres, +X the body's left, +Y up,
+Z anterior, so the back faces -Z. Tolerances are stated where they are used.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import pyvista as pv
import trimesh

from viewer.core import anatomy
from viewer.core.body import Body, landmarks_path_for

MM = 0.001
LEFT, UP, ANTERIOR = 0, 1, 2  # axis indices in the shipped model
SCAPULAR = ("superior_angle", "scapular_spine_root", "medial_border_mid", "inferior_angle")


@pytest.fixture(scope="module")
def lm(body) -> dict[str, np.ndarray]:
    return body.landmarks


@pytest.fixture(scope="module")
def surface(body) -> pv.PolyData:
    return pv.PolyData.from_regular_faces(np.asarray(body.mesh.vertices), np.asarray(body.mesh.faces))


def y(lm, name: str) -> float:
    return float(lm[name][UP])


def spinous_y(lm, level: str) -> float:
    return y(lm, anatomy.spinous(level))


def half_interval(lm, level: str) -> float:
    """Half the local spacing of the spinous processes at ``level`` (the "level with" tolerance)."""
    levels = [v for v in anatomy.VERTEBRAL_LEVELS if anatomy.spinous(v) in lm]
    i = levels.index(level)
    above, below = levels[max(i - 1, 0)], levels[min(i + 1, len(levels) - 1)]
    steps = min(i + 1, len(levels) - 1) - max(i - 1, 0)
    return abs(spinous_y(lm, above) - spinous_y(lm, below)) / steps / 2


# --------------------------------------------------------------------------- the file
def test_file_names_the_mesh_and_its_units(shipped_landmarks_doc, shipped_mesh_path):
    assert shipped_landmarks_doc["mesh"] == shipped_mesh_path.name == "torso.ply"
    assert shipped_landmarks_doc["units"] == "m"
    assert landmarks_path_for(shipped_mesh_path).name == "torso.landmarks.json"
    assert shipped_landmarks_doc["axes"]["y"] == "up"
    assert "left" in shipped_landmarks_doc["axes"]["x"]


def test_every_required_landmark_is_present(body, lm):
    required = anatomy.required_landmarks()
    assert len(required) == 1 + 19 + 2 * len(anatomy.BILATERAL)  # EOP, C7..S2 but S1, pairs
    assert [n for n in required if n not in lm] == []
    assert body.missing_landmarks() == []
    body.require_landmarks()
    # the same check on a body without T7 and an acromion names what is missing
    from viewer.core.errors import LandmarkError

    gone = ("spinous_T7", "acromion_left")
    partial = Body(body.mesh, {k: v for k, v in lm.items() if k not in gone}, unit=body.unit)
    assert partial.missing_landmarks() == [n for n in required if n in gone]
    with pytest.raises(LandmarkError) as err:
        partial.require_landmarks()
    assert "missing" in err.value.line() and all(n in err.value.line() for n in gone)


def test_landmarks_lie_on_the_skin(lm, surface):
    names = sorted(lm)
    points = np.array([lm[n] for n in names])
    _, closest = surface.find_closest_cell(points, return_closest_point=True)
    distance = np.linalg.norm(closest - points, axis=1)
    off = {n: round(d / MM, 2) for n, d in zip(names, distance) if d > 2 * MM}
    assert off == {}, f"landmarks more than 2 mm off the skin (mm): {off}"


# --------------------------------------------------------------------------- the spine
def test_spinous_processes_run_top_to_bottom(lm):
    levels = [v for v in anatomy.VERTEBRAL_LEVELS if anatomy.spinous(v) in lm]
    heights = [spinous_y(lm, v) for v in levels]
    for (a, ya), (b, yb) in zip(zip(levels, heights), zip(levels[1:], heights[1:])):
        assert ya > yb, f"{a} ({ya:.4f} m) is not above {b} ({yb:.4f} m)"
    # intervals a palpating hand would find: 1.5-5 cm between neighbours
    gaps = -np.diff(heights)
    assert gaps.min() > 15 * MM and gaps.max() < 50 * MM, gaps


def test_spinous_processes_are_on_the_midline(lm):
    for v in anatomy.VERTEBRAL_LEVELS:
        if anatomy.spinous(v) in lm:
            assert abs(lm[anatomy.spinous(v)][LEFT]) <= 5 * MM, v
    assert abs(lm[anatomy.EOP][LEFT]) <= 5 * MM


def test_eop_is_above_c7(lm):
    assert y(lm, anatomy.EOP) > spinous_y(lm, "C7") + 50 * MM


def posterior_skin(surface: pv.PolyData, height: float, x: float = 0.0) -> float:
    """z of the skin seen from behind at (x, height): the hit nearest the viewer at z = -1 m."""
    points, _ = surface.ray_trace([x, height, -1.0], [x, height, 1.0])
    assert len(points), f"no skin at x={x}, y={height}"
    return float(points[:, ANTERIOR].min())


def test_c7_is_the_most_prominent_spinous_process_of_the_neck(lm, surface):
    """C7 ("vertebra prominens") sticks out further back than the neck above it.

    The neck is taken as the lower two thirds of the way from C7 to the external occipital
    protuberance (where C6..C2 lie); the upper third is the skull base, which in an upright
    posture lies behind C7 (stand against a wall: the back of the head touches, C7 does not).
    """
    c7 = lm[anatomy.spinous("C7")]
    eop_y = y(lm, anatomy.EOP)
    assert posterior_skin(surface, c7[UP]) == pytest.approx(c7[ANTERIOR], abs=2 * MM)
    top = c7[UP] + (eop_y - c7[UP]) * 2 / 3
    heights = np.arange(c7[UP] + 5 * MM, top, 5 * MM)
    assert len(heights) >= 10
    neck = np.array([posterior_skin(surface, h) for h in heights])
    in_front = neck - c7[ANTERIOR]  # > 0: the skin there is anterior to C7
    worst = int(np.argmin(in_front))
    assert in_front.min() > 0, (
        f"the midline skin {100 * (heights[worst] - c7[UP]):.1f} cm above C7 is "
        f"{-1000 * in_front[worst]:.1f} mm behind it")


# --------------------------------------------------------------------------- left and right
@pytest.mark.parametrize("base", sorted(anatomy.BILATERAL))
def test_left_right_symmetry(lm, base):
    left, right = lm[f"{base}_left"], lm[f"{base}_right"]
    assert left[LEFT] > 0 > right[LEFT], "left landmarks are at +x, right ones at -x"
    mirrored = right * np.array([-1.0, 1.0, 1.0])
    assert np.linalg.norm(left - mirrored) <= 5 * MM, (left, right)
    assert abs(left[UP] - right[UP]) <= 5 * MM


# --------------------------------------------------------------------------- levels
@pytest.mark.parametrize("base, level", [
    ("superior_angle", "T2"),
    ("scapular_spine_root", "T3"),
    ("inferior_angle", "T7"),
    ("iliac_crest_top", "L4"),
    ("psis", "S2"),
])
def test_bony_landmark_levels(lm, base, level):
    tolerance = half_interval(lm, level)
    assert 5 * MM < tolerance < 25 * MM
    for side in anatomy.SIDES:
        off = y(lm, f"{base}_{side}") - spinous_y(lm, level)
        assert abs(off) <= tolerance, (
            f"{base}_{side} is {100 * off:+.1f} cm from the {level} level "
            f"(allowed ±{100 * tolerance:.1f} cm)")


def test_scapular_landmarks_in_anatomical_order(lm):
    for side in anatomy.SIDES:
        heights = [y(lm, f"{b}_{side}") for b in SCAPULAR]
        assert heights == sorted(heights, reverse=True), heights


def test_rib12_tip_between_t12_and_l3(lm):
    for side in anatomy.SIDES:
        assert spinous_y(lm, "T12") > y(lm, f"rib12_tip_{side}") > spinous_y(lm, "L3")
        assert y(lm, f"rib11_tip_{side}") < spinous_y(lm, "T12")


def test_iliac_crest_above_psis(lm):
    for side in anatomy.SIDES:
        assert y(lm, f"iliac_crest_top_{side}") > y(lm, f"psis_{side}") + 30 * MM


# --------------------------------------------------------------------------- distances
def test_acromion_is_the_most_lateral_shoulder_landmark(lm):
    for side in anatomy.SIDES:
        acromion = abs(lm[f"acromion_{side}"][LEFT])
        others = {b: abs(lm[f"{b}_{side}"][LEFT]) for b in SCAPULAR}
        assert all(acromion > d for d in others.values()), (acromion, others)
        assert acromion > max(others.values()) + 50 * MM


@pytest.mark.parametrize("base", SCAPULAR)
def test_scapula_is_5_to_10_cm_from_the_midline(lm, base):
    for side in anatomy.SIDES:
        distance = abs(lm[f"{base}_{side}"][LEFT])
        assert 50 * MM <= distance <= 100 * MM, f"{base}_{side}: {100 * distance:.1f} cm"


def test_psis_dimples_close_to_the_midline(lm):
    for side in anatomy.SIDES:
        assert 25 * MM <= abs(lm[f"psis_{side}"][LEFT]) <= 70 * MM


# --------------------------------------------------------------------------- the frame
def angle_deg(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b),
                                              -1, 1))))


def test_frame_of_the_shipped_body(body):
    frame = body.frame
    assert angle_deg(frame.up, [0, 1, 0]) < 10
    assert angle_deg(frame.left, [1, 0, 0]) < 1
    assert angle_deg(frame.back, [0, 0, -1]) < 10
    # orthonormal and right-handed as (left, up, back)
    m = np.stack([frame.left, frame.up, frame.back])
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-9)
    np.testing.assert_allclose(frame.origin, body.landmarks[anatomy.spinous("S2")])
    # every spinous process is behind the acromions, and C7 is up from S2
    local = frame.to_local(np.array([body.landmarks[anatomy.spinous("C7")],
                                     body.landmarks["acromion_left"]]))
    assert local[0, 1] > 0.3 and local[0, 2] > local[1, 2]


def test_frame_follows_a_rotated_body(tmp_path, body):
    """Turn mesh and landmarks 90° about X (lying down): the frame turns with them."""
    rotation = trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0])
    turned = body.mesh.copy()
    turned.apply_transform(rotation)
    mesh_path = tmp_path / "lying.ply"
    turned.export(mesh_path)
    r = rotation[:3, :3]
    doc = {
        "mesh": mesh_path.name,
        "units": "m",
        "landmarks": {k: (r @ v).tolist() for k, v in body.landmarks.items()},
    }
    landmarks_path_for(mesh_path).write_text(json.dumps(doc))

    lying = Body.load(mesh_path)  # finds lying.landmarks.json beside the mesh
    assert lying.landmarks_path == tmp_path / "lying.landmarks.json"
    f0, f1 = body.frame, lying.frame
    np.testing.assert_allclose(f1.up, r @ f0.up, atol=1e-6)
    np.testing.assert_allclose(f1.left, r @ f0.left, atol=1e-6)
    np.testing.assert_allclose(f1.back, r @ f0.back, atol=1e-6)
    np.testing.assert_allclose(f1.origin, r @ f0.origin, atol=1e-6)
    # +Y (up) became +Z and -Z (back) became +Y: lying face down, head towards +Z, back upwards
    assert angle_deg(f1.up, [0, 0, 1]) < 10
    assert angle_deg(f1.back, [0, 1, 0]) < 10
    # and landmarks in body coordinates are unchanged
    names = sorted(body.landmarks)
    np.testing.assert_allclose(
        f1.to_local(np.array([lying.landmarks[n] for n in names])),
        f0.to_local(np.array([body.landmarks[n] for n in names])), atol=1e-6)


@pytest.mark.parametrize("token,side,name", [
    ("EOP", None, "external_occipital_protuberance"),
    ("T7", "right", "spinous_T7"),
    ("inferior_angle", "right", "inferior_angle_right"),
    ("inferior_angle", None, "inferior_angle_left"),
    ("psis_left", "right", "psis_left"),
])
def test_a_map_token_names_one_landmark(token, side, name):
    from viewer.core.anatomy import landmark_name

    assert landmark_name(token, side) == name
