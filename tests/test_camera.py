"""The one camera: its validation, the presets framed from the landmarks, sessions and the plotter."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from viewer.core.body import Body
from viewer.core.camera import Camera, CameraError, parse_camera, preset_camera
from viewer.core.errors import BackViewError
from viewer.core.session import Session, load_session, save_session
from viewer.core.views import VIEWS


@pytest.fixture(scope="module")
def body():
    return Body.load()


def spine(body) -> list[str]:
    names = [n for n in body.landmarks if n.startswith("spinous_")]
    assert len(names) >= 10  # C7 down to S2 on the shipped torso
    return names


def picture_xy(camera: Camera, point) -> tuple[float, float]:
    """(right, up) of a world point in the picture, in half visible heights from the centre."""
    _, up, right = camera.basis()
    rel = np.asarray(point, float) - np.asarray(camera.focal_point)
    return float(rel @ right) / camera.parallel_scale, float(rel @ up) / camera.parallel_scale


# --------------------------------------------------------------------------- presets
def test_back_preset_looks_at_the_back_from_minus_z(body):
    camera = preset_camera(body, "back", 16 / 9)
    direction = np.subtract(camera.focal_point, camera.position)
    # the shipped torso faces +Z: its back is seen from -Z, looking along +Z
    assert camera.position[2] < camera.focal_point[2]
    assert direction[2] / np.linalg.norm(direction) > 0.98
    for name in spine(body):
        x, _ = picture_xy(camera, body.landmarks[name])
        assert abs(x) < 0.01, f"{name} is off the picture's vertical midline ({x:+.3f})"


@pytest.mark.parametrize("view", [v for v in VIEWS if v != "table"])
def test_every_preset_shows_the_spine_upright_and_in_the_picture(body, view):
    camera = preset_camera(body, view, 16 / 9)
    (_, y_c7), (_, y_s2) = (picture_xy(camera, body.landmarks[n]) for n in ("spinous_C7", "spinous_S2"))
    assert y_c7 > y_s2 + 0.2, (view, y_c7, y_s2)
    for name in spine(body):
        x, y = picture_xy(camera, body.landmarks[name])
        assert abs(x) < 16 / 9 and abs(y) < 1, (view, name, x, y)


def _lying_prone(body):
    """``body`` turned face down, as on a massage table: its back towards world +Y (up), its head
    towards +Z."""
    from viewer.core.body import Body

    turn = np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]])  # -Z (back) -> +Y, +Y (up) -> +Z
    mesh = body.mesh.copy()
    matrix = np.eye(4)
    matrix[:3, :3] = turn
    mesh.apply_transform(matrix)
    return Body(mesh, {k: turn @ v for k, v in body.landmarks.items()}, unit=body.unit)


@pytest.mark.parametrize("lying", [False, True])
def test_the_table_view_shows_the_spine_across_the_picture_from_beside_and_above(body, lying):
    if lying:
        body = _lying_prone(body)
        assert body.frame.back[1] > 0.99  # the back faces the ceiling
    camera = preset_camera(body, "table", 16 / 9)
    (x_c7, y_c7), (x_s2, y_s2) = (picture_xy(camera, body.landmarks[n])
                                  for n in ("spinous_C7", "spinous_S2"))
    # the spine runs across the picture, nearly level
    assert abs(x_c7 - x_s2) > 0.6 and abs(y_c7 - y_s2) < 0.15 * abs(x_c7 - x_s2)
    for name in spine(body):
        x, y = picture_xy(camera, body.landmarks[name])
        assert abs(x) < 16 / 9 and abs(y) < 1, (name, x, y)
    # from the body's left side and above its back, between 25 and 50 degrees from vertical
    look = np.subtract(camera.position, camera.focal_point)
    look /= np.linalg.norm(look)
    assert look @ body.frame.left > 0.3
    tilt = np.degrees(np.arccos(look @ body.frame.back))
    assert 25 < tilt < 50, tilt
    if lying:
        assert camera.position[1] > camera.focal_point[1]  # the therapist looks down
        _, up, _ = camera.basis()
        assert up[1] > 0.3  # the table stands upright in the picture, not on its head


def test_a_narrow_picture_widens_the_framing_to_keep_the_shoulders(body):
    wide, narrow = preset_camera(body, "back", 16 / 9), preset_camera(body, "back", 0.4)
    assert narrow.parallel_scale > wide.parallel_scale
    for side in ("acromion_left", "acromion_right"):
        x, _ = picture_xy(narrow, body.landmarks[side])
        assert abs(x) < 0.4


def test_an_unknown_view_is_one_line(body):
    with pytest.raises(BackViewError) as err:
        preset_camera(body, "sideways")
    assert err.value.line() == ("view: unknown view 'sideways' (choose from "
                                "back, oblique-left, oblique-right, left, right, top, table)")


# --------------------------------------------------------------------------- sessions
def test_a_preset_round_trips_through_a_session_file(tmp_path, body):
    camera = preset_camera(body, "oblique-left", 4 / 3)
    path = save_session(Session(camera=camera), tmp_path / "s.json")
    assert load_session(path).camera == camera
    raw = json.loads(path.read_text(encoding="utf-8"))["camera"]
    assert sorted(raw) == ["focal_point", "parallel_scale", "position", "view_up"]


def test_a_session_written_before_still_loads(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "backview-session", "version": 1, "camera": {
        "position": [0, 0.67, -2.25], "focal_point": [0, 0.46, -0.05], "view_up": [0, 1, 0.1],
        "parallel_scale": 0.41}}), encoding="utf-8")
    camera = load_session(path).camera
    assert camera == Camera(position=(0, 0.67, -2.25), focal_point=(0, 0.46, -0.05),
                            view_up=(0, 1, 0.1), parallel_scale=0.41)


# --------------------------------------------------------------------------- validation
GOOD = {"position": [0, 0, -1], "focal_point": [0, 0, 0], "view_up": [0, 1, 0], "parallel_scale": 1}


@pytest.mark.parametrize("change,field,words", [
    ({"focal_point": [0, 0, -1]}, "camera", "position and focal_point coincide"),
    ({"view_up": [0, 0, 0]}, "camera", "view_up is a zero vector"),
    ({"view_up": [0, 0, 3]}, "camera", "view_up is parallel to the viewing direction"),
    ({"position": [0, math.nan, -1]}, "camera.position", "finite"),
    ({"view_up": [0, math.inf, 0]}, "camera.view_up", "finite"),
    ({"parallel_scale": 0}, "camera.parallel_scale", "greater than 0"),
    ({"parallel_scale": math.inf}, "camera.parallel_scale", "finite"),
    ({"position": [0, 0]}, "camera.position", "needs three numbers (x, y, z)"),
    ({"position": [0, "a", 0]}, "camera.position", "needs three numbers (x, y, z)"),
    ({"focal_point": None}, "camera.focal_point", "needs three numbers (x, y, z)"),
    ({"parallel_scale": "wide"}, "camera.parallel_scale", "number"),
    ({"zoom": 2}, "camera.zoom", "unknown field"),
])
def test_a_bad_camera_is_one_line(change, field, words):
    with pytest.raises(CameraError) as err:
        parse_camera({**GOOD, **change}, "view.json")
    line = err.value.line()
    assert "\n" not in line
    assert line.startswith(f"view.json:{field}: "), line
    assert words in line


def test_a_camera_is_frozen_and_moves_by_copies():
    camera = parse_camera(GOOD)
    with pytest.raises(Exception):
        camera.parallel_scale = 2
    moved = camera.centred_on((1, 2, 3), 0.5)
    assert moved.position == (1, 2, 2) and moved.view_up == camera.view_up
    assert moved.parallel_scale == 0.5 and camera.with_scale(3).position == camera.position


# --------------------------------------------------------------------------- the plotter
def test_the_plotter_shows_the_back_preset_as_the_model_says(body):
    """Through VTK's own transform: the spine on the picture's vertical midline, C7 above S2."""
    import pyvista as pv
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    from viewer.render.camera import apply_camera, camera_from_plotter

    W, H = 320, 180
    camera = preset_camera(body, "back", W / H)
    plotter = pv.Plotter(off_screen=True, window_size=(W, H))
    try:
        plotter.add_mesh(pv.Sphere(radius=0.01, center=camera.focal_point))
        apply_camera(plotter, camera)
        plotter.render()
        back = camera_from_plotter(plotter)
        where = {}
        for name in spine(body):
            c = vtkCoordinate()
            c.SetCoordinateSystemToWorld()
            c.SetValue(*map(float, body.landmarks[name]))
            where[name] = c.GetComputedDoubleDisplayValue(plotter.renderer)
    finally:
        plotter.close()
    assert np.allclose(back.position, camera.position) and np.allclose(back.focal_point, camera.focal_point)
    assert back.parallel_scale == pytest.approx(camera.parallel_scale)
    for name, (x, _) in where.items():
        assert abs(x - W / 2) < 1.5, (name, x)
    assert where["spinous_C7"][1] > where["spinous_S2"][1] + H / 5  # display y grows upwards


def test_a_body_without_landmarks_is_seen_upright_from_behind_whole(body):
    """No anatomy known: the file's own +Y is up on the screen, the view is from -Z (where the
    back of a body in BackView's and glTF's axes is), and every vertex is in the picture."""
    from viewer.core.camera import bounds_camera

    camera = bounds_camera(body.mesh.bounds, aspect=4 / 3)
    d, up, right = camera.basis()
    assert d @ np.array([0, 0, 1.0]) > 0.999 and up @ np.array([0, 1.0, 0]) > 0.999
    rel = np.asarray(body.mesh.vertices) - np.asarray(camera.focal_point)
    assert np.abs(rel @ up).max() <= camera.parallel_scale
    assert np.abs(rel @ right).max() <= camera.parallel_scale * 4 / 3
    # the spine's landmarks (on the back) are nearer the camera than the mesh's middle
    assert (body.landmarks["spinous_T7"] - camera.focal_point) @ d < 0
