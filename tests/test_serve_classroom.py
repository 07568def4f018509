"""The shared scene of ``backview serve`` without a browser: what a step, a colour mode and the
instructor's camera change, what a click answers, and what the server refuses to apply."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.core.errors import BackViewError


@pytest.fixture(scope="module")
def room(body):
    from viewer.core.lesson import load_lesson
    from viewer.web.classroom import Classroom

    lesson = load_lesson()
    classroom = Classroom(body, lesson.rmap, lesson)
    yield classroom
    classroom.plotter.close()


def _shown(room):
    """The actors a browser draws: visible and not parked."""
    from viewer.web.classroom import PARKED

    return [a for a in room.plotter.renderer.GetActors()
            if a.GetVisibility() and a.GetScale()[0] > PARKED]


def test_a_step_sets_colours_text_legend_and_camera(room):
    from viewer.core.camera import preset_camera
    from viewer.web.classroom import PANE_ASPECT

    room.go(3)
    step = room.lesson.steps[3]
    assert room.mode == step.colour_by == "stroke:friction"
    panel = room.step_panel()
    assert panel["heading"] == "Step 4 of 7" and panel["title"] == step.title
    assert room.legend_panel()["title"].startswith("Friction")
    assert any("Bones" in r["label"] for r in room.legend_panel()["rows"])  # its x-ray layer
    assert room.camera == preset_camera(room.body, step.view, PANE_ASPECT)
    # the body's colours are the step's: friction's, its zones highlighted and the others faded
    highlighted = [room.rmap.zone(z).index for z in step.highlight]
    expected = room.scene.cell_colours("stroke:friction", highlighted, room.palette)
    assert np.array_equal(room.actors.surface.cell_data["rgb"], expected)
    assert not np.array_equal(expected, room.scene.cell_colours("pressure", highlighted,
                                                                room.palette))


def test_hidden_actors_are_parked_and_come_back(room):
    room.go(3)  # friction: its arrows and the bones
    friction = len(_shown(room))
    room.go(0)  # preparation: no arrows, no x-ray
    # nothing is switched off (a browser would drop its geometry): hidden means parked
    assert all(a.GetVisibility() for a in room.plotter.renderer.GetActors())
    assert len(_shown(room)) < friction - 10
    room.go(3)
    assert len(_shown(room)) == friction
    room.set_mode("pressure")
    assert len(_shown(room)) == friction  # a colour mode change keeps the step's layers
    assert room.legend_panel()["title"] == "Safe pressure"


def test_a_click_names_the_zone_under_it(room):
    room.go(0)
    c = room.camera
    direction = np.subtract(c.focal_point, c.position)
    direction /= np.linalg.norm(direction)
    for zone_id in ("spine", "paraspinal-left", "kidney-right"):
        point = room.scene.label_anchor(room.rmap.zone(zone_id).index)
        panel = room.pick([(point - direction).tolist(), (point + direction).tolist()])
        assert panel["id"] == zone_id and panel["name"] == room.rmap.zone(zone_id).name
        labels = [f["label"] for f in panel["facts"]]
        assert labels == ["Pressure", "Effleurage", "Petrissage", "Friction"]
    # beside the body, or not a ray at all: no panel
    far = np.asarray(c.focal_point) + np.array([5.0, 0, 0])
    assert room.pick([(far - direction).tolist(), (far + direction).tolist()]) is None
    for junk in (None, "x", [[0, 0]], [[float("nan")] * 3, [0, 0, 1]], [[1, 2, 3]]):
        assert room.pick(junk) is None


@pytest.mark.parametrize("bad", [{}, {"position": [0, 0, 0]}, {
    "position": [0, 0, -2], "focalPoint": [0, 0, -2], "viewUp": [0, 1, 0], "parallelScale": 1}, {
    "position": [0, 0, -2], "focalPoint": [0, 0, 0], "viewUp": [0, 1, 0],
    "parallelScale": float("inf")}, {
    "position": [0, 0, -1e6], "focalPoint": [0, 0, 0], "viewUp": [0, 1, 0],
    "parallelScale": 0.4}, {
    "position": ["a", 0, 0], "focalPoint": [0, 0, 0], "viewUp": [0, 1, 0], "parallelScale": 1}])
def test_a_bad_camera_is_refused_and_the_camera_stays(room, bad):
    before = room.camera
    with pytest.raises(BackViewError):
        room.set_camera(bad)
    assert room.camera == before


def test_the_instructors_camera_is_kept(room):
    room.go(0)
    c = room.camera
    turned = {"position": [c.position[0] + 0.5, c.position[1], c.position[2]],
              "focalPoint": list(c.focal_point), "viewUp": list(c.view_up),
              "parallelScale": c.parallel_scale * 1.2}
    room.set_camera(turned)
    params = room.camera_params()
    assert np.allclose(params["position"], turned["position"])
    assert params["parallelProjection"] is True
    assert np.isclose(room.plotter.camera.parallel_scale, turned["parallelScale"])


@pytest.mark.parametrize("index", [-1, 7, 1.5, "2", True, None])
def test_a_step_outside_the_lesson_is_refused(room, index):
    room.go(1)
    with pytest.raises(BackViewError):
        room.go(index)
    assert room.step_index == 1


def test_a_bad_colour_mode_is_refused(room):
    room.go(1)
    with pytest.raises(BackViewError):
        room.set_mode("stroke:tickle")
    assert room.mode == "stroke:effleurage"
