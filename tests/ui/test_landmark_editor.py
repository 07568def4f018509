"""View → Edit landmarks: markers on the skin, a drag that slides a landmark on the skin and
refits the zones, undo/redo, Save landmarks, the question before unsaved edits are dropped,
and the guided walk that places a missing landmark by a click."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import trimesh
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

pytestmark = pytest.mark.gui

MOVED = "inferior_angle_left"


@pytest.fixture(scope="module")
def folder(tmp_path_factory, shipped_mesh_path, shipped_landmarks_path):
    """The shipped torso and its landmarks, copied where saving may write."""
    out = tmp_path_factory.mktemp("edit")
    shutil.copy(shipped_mesh_path, out / "body.ply")
    doc = json.loads(shipped_landmarks_path.read_text())
    doc["fit"] = {"method": "a test fit", "residual_cm": 0.4,
                  "confidence": {"psis_left": 0.3, "rib11_tip_right": 0.9, MOVED: 0.8}}
    (out / "body.landmarks.json").write_text(json.dumps(doc))
    return out


@pytest.fixture(scope="module")
def edit_window(backview_app, folder):
    from tests.ui.conftest import make_window

    win = make_window(backview_app, folder / "settings.ini", mesh=folder / "body.ply")
    yield win
    win.landmark_editor.stack.setClean()  # never ask at the end of the tests
    win.close()
    backview_app.processEvents()


@pytest.fixture
def editor(edit_window, backview_app, wait):
    """Edit mode on, no edits pending, the view from behind."""
    ed = edit_window.landmark_editor
    wait(lambda: not edit_window.loader.busy)
    ed.stack.setClean()
    ed.act_edit.setChecked(True)
    edit_window.view.reset()
    edit_window.view.flush()
    backview_app.processEvents()
    return ed


def distance_to_skin(mesh: trimesh.Trimesh, point) -> float:
    closest, distance, _ = trimesh.proximity.closest_point(mesh, np.asarray(point)[None])
    return float(distance[0])


def drag(win, start: QPoint, end: QPoint, steps: int = 6) -> None:
    plotter = win.plotter
    QTest.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(plotter, start + (end - start) * (i / steps))
        QTest.qWait(30)
    QTest.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_edit_mode_shows_every_landmark_as_a_marker(editor, edit_window):
    assert editor.dock.isVisible()
    assert edit_window.plotter.actors.get("landmark-markers") is not None
    assert len(editor.marker_names()) == 39
    assert editor.panel.list.count() == 39
    assert editor.panel.list.item(0).text().startswith("External occipital")
    # selecting in the list highlights the marker and labels it
    editor.panel.list.setCurrentRow(editor.panel.list.count() - 1)
    assert editor.selected == "psis_right"
    assert edit_window.plotter.actors.get("landmark-selected") is not None
    assert editor.label.isVisible() and "Posterior superior iliac spine (right)" in editor.label.text()


def test_landmarks_the_fit_was_unsure_of_are_marked_and_walked_through(editor):
    assert editor.unsure() == {"psis_left": 0.3}
    assert editor.walk_names() == ["psis_left"]
    row = editor.panel.list.item(list(editor.marker_names()).index("psis_left")).text()
    assert row.endswith("(unsure: 0.30)")
    assert "unsure" in editor.panel.status.text()
    editor.start_walk()
    try:
        assert editor.panel.walk_name.text() == "Posterior superior iliac spine (left)"
        assert "dimples" in editor.panel.walk_where.text()
        assert "unsure" in editor.panel.walk_hint.text()
    finally:
        editor.end_walk()
    assert not editor.panel.walk.isVisible()


def test_dragging_a_landmark_slides_it_on_the_skin_and_refits_the_zones(
        editor, edit_window, to_widget, wait):
    win = edit_window
    before_point = editor.points[MOVED].copy()
    zone = win.state.rmap.zone("scapular-edges-left").index
    before_faces = int(win.model.scene.assignment.counts[zone])
    camera = np.array(win.plotter.camera.position)
    start = to_widget(win, before_point)
    assert editor.marker_at(start) == MOVED
    refits = []
    editor.refitted.connect(lambda: refits.append(1))
    drag(win, start, start + QPoint(0, 45))
    wait(lambda: refits, message="the zones refitted")
    moved = editor.points[MOVED]
    assert np.linalg.norm(moved - before_point) > 0.02  # it moved (metres)
    assert moved[1] < before_point[1]  # down the back
    assert distance_to_skin(win.model.body.mesh, moved) < 0.001  # on the skin (< 1 mm)
    assert np.allclose(np.array(win.plotter.camera.position), camera)  # the body did not turn
    assert np.array_equal(win.model.body.landmarks[MOVED], moved)  # the zones fit the new point
    assert int(win.model.scene.assignment.counts[zone]) != before_faces
    assert editor.dirty and win.isWindowModified()
    assert editor.stack.count() == 1  # the whole drag is one undo step

    # undo puts it back exactly, redo moves it again
    refits.clear()
    editor.act_undo.trigger()
    assert np.array_equal(editor.points[MOVED], before_point)
    wait(lambda: refits, message="the zones refitted after undo")
    assert int(win.model.scene.assignment.counts[zone]) == before_faces
    assert not editor.dirty and not win.isWindowModified()
    refits.clear()
    editor.act_redo.trigger()
    assert np.array_equal(editor.points[MOVED], moved)
    wait(lambda: refits, message="the zones refitted after redo")
    assert int(win.model.scene.assignment.counts[zone]) != before_faces
    editor.stack.undo()
    wait(lambda: not editor.dirty)


def test_the_preview_while_dragging_recolours_faces_without_the_cut(editor, edit_window):
    win = edit_window
    point = editor.points[MOVED]
    editor.points[MOVED] = point + np.array([0.0, -0.04, 0.0])
    try:
        assignment = editor.preview()
        assert assignment is not None
        drawn = win.view.actors.body_actor.mapper.GetInput()
        assert drawn.GetNumberOfCells() == len(win.model.body.mesh.faces)  # the uncut mesh
        assert not win.view.actors.border_actor.GetVisibility()
    finally:
        editor.points[MOVED] = point
        editor.end_preview()
    assert win.view.actors.body_actor.mapper.GetInput().GetNumberOfCells() == \
        win.model.scene.surface.n_cells
    assert win.view.actors.border_actor.GetVisibility()


def test_a_left_landmark_dragged_to_the_right_says_why_and_keeps_the_zones(
        editor, edit_window, wait):
    win = edit_window
    scene = win.model.scene
    left = editor.points["acromion_left"].copy()
    right = editor.points["acromion_right"]
    editor.move("acromion_left", right + np.array([-0.02, 0, 0]))
    backview_app_wait = 0.3
    QTest.qWait(int(backview_app_wait * 1000))
    assert editor.problem is not None and "acromion_left" in editor.problem
    assert "body.landmarks.json" in editor.problem
    assert editor.panel.status.text().startswith(editor.problem)
    assert win.statusBar().currentMessage() == editor.problem
    assert win.model.scene is scene  # the last valid fit stays
    editor.stack.undo()
    assert np.array_equal(editor.points["acromion_left"], left)
    wait(lambda: editor.problem is None)


def test_save_writes_the_edited_points_beside_the_mesh(editor, edit_window, folder, wait):
    from viewer.core.body import Body

    point = editor.points[MOVED]
    refits = []
    editor.refitted.connect(lambda: refits.append(1))
    target = editor.points["inferior_angle_left"] + np.array([0, -0.02, 0])
    target = edit_window.model.body.mesh.nearest.on_surface(target[None])[0][0]
    editor.move(MOVED, target)
    wait(lambda: refits)
    assert edit_window.windowTitle().endswith("[*]") and edit_window.isWindowModified()
    assert editor.save()
    assert not editor.dirty and not edit_window.isWindowModified()
    saved = folder / "body.landmarks.json"
    doc = json.loads(saved.read_text())
    assert doc["units"] == "m" and "edited in BackView" in doc["method"]
    assert doc["fit"]["method"] == "a test fit"  # the fit block kept ...
    assert doc["fit"]["confidence"][MOVED] == 1.0  # ... a landmark moved by hand: sure
    assert doc["fit"]["confidence"]["psis_left"] == 0.3
    loaded = Body.load(folder / "body.ply")
    assert set(loaded.landmarks) == set(editor.points)
    for name, p in editor.points.items():
        assert np.allclose(loaded.landmarks[name], p, atol=1e-5), name
    assert not np.allclose(loaded.landmarks[MOVED], point)
    editor.move(MOVED, point)  # back as it was, for the other tests
    assert editor.save()


def test_unsaved_edits_ask_before_closing(editor, edit_window, monkeypatch, backview_app):
    import viewer.ui.landmark_editor as module

    questions = []

    def answer(button):
        def ask(parent, text):
            questions.append(text)
            return button
        return ask

    editor.move(MOVED, editor.points[MOVED] + np.array([0, -0.01, 0]))
    monkeypatch.setattr(module, "ask_unsaved", answer(QMessageBox.StandardButton.Cancel))
    edit_window.close()
    backview_app.processEvents()
    assert questions and "unsaved changes" in questions[0]
    assert edit_window.isVisible() and editor.dirty  # cancelled: still open, still edited
    # opening another mesh asks too; Cancel keeps everything
    assert not edit_window.open_mesh(edit_window.model.body.mesh_path)
    assert len(questions) == 2 and "opening another mesh" in questions[1]
    editor.stack.undo()
    assert not editor.dirty


@pytest.fixture(scope="module")
def bare_window(backview_app, tmp_path_factory, shipped_mesh_path):
    from tests.ui.conftest import make_window

    out = tmp_path_factory.mktemp("walk")
    shutil.copy(shipped_mesh_path, out / "body.ply")
    win = make_window(backview_app, out / "settings.ini", mesh=out / "body.ply")
    yield win
    win.landmark_editor.stack.setClean()
    win.close()
    backview_app.processEvents()


def test_the_walk_places_a_missing_landmark_by_a_click(bare_window, body, to_widget, wait):
    win = bare_window
    editor = win.landmark_editor
    assert not win.model.zoned
    editor.start_walk()
    assert editor.active and editor.panel.walk.isVisible()
    assert len(editor.walk) == 39  # from scratch: every landmark
    first = editor.walk[0]
    assert first == "external_occipital_protuberance"
    assert editor.panel.walk_name.text() == "External occipital protuberance"
    assert "skull" in editor.panel.walk_where.text()
    # click the skin where the shipped torso has it (the same mesh)
    pos = to_widget(win, body.landmarks[first])
    QTest.mouseClick(win.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    assert first in editor.points
    assert distance_to_skin(body.mesh, editor.points[first]) < 0.001
    assert np.linalg.norm(editor.points[first] - body.landmarks[first]) < 0.01
    assert editor.walk_index == 1 and editor.panel.walk_name.text() == "Spinous process of C7"
    assert editor.marker_names() == [first]
    assert editor.check(editor._body()).startswith("37 landmarks still to place")


def test_the_walk_with_every_landmark_placed_shows_the_zones(bare_window, body, wait):
    win = bare_window
    editor = win.landmark_editor
    refits = []
    editor.refitted.connect(lambda: refits.append(1))
    for name in list(editor.walk[editor.walk_index:]):
        editor.move(name, body.landmarks[name])
    wait(lambda: refits and win.model.zoned, timeout=60, message="the zones to appear")
    assert editor.problem is None
    assert win.model.scene.assignment.counts.sum() > 1000
    assert set(win.model.body.landmarks) == set(body.landmarks)
