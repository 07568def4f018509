"""A mesh without landmarks, in the real window: the bar's "Fit automatically" (a fit in the
background with a progress dialog and Cancel) and "Load a landmarks file…".

Most tests replace ``viewer.core.fitting.fit_landmarks`` with a stand-in: it reports progress,
waits until the test opens its gate (or the window cancels), and returns the shipped torso's own
landmarks, which fit the copy of the shipped mesh each test opens as "the user's mesh without
landmarks". The last two run the real fitter (a box it refuses; a body in centimetres, slow).
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from viewer.core import fitting
from viewer.core.body import Body, landmarks_path_for, save_landmarks
from viewer.core.fitting import FitCancelled, LandmarkFit, NotABodyError

pytestmark = pytest.mark.gui

GATE_TIMEOUT = 60  # s: the stand-in never waits longer for its gate than this


class FakeFitter:
    """Stands in for ``fit_landmarks``: progress, a gate, cancel honoured, a fit or an error."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.gate = threading.Event()
        self.error: Exception | None = None
        self.warnings: tuple[str, ...] = ()
        self.calls: list[dict] = []
        self.returned = False

    def __call__(self, mesh, *, source=None, progress=None, cancel=None):
        self.calls.append({"mesh": mesh, "source": source})
        progress(0.1, "Aligning the template to the body")
        if not self.gate.wait(GATE_TIMEOUT):
            raise AssertionError("the test never opened the gate")
        if cancel():
            raise FitCancelled("the fit was cancelled")
        progress(0.6, "Registering the template")
        if self.error is not None:
            raise self.error
        progress(1.0, "Done")
        self.returned = True
        return shipped_fit(self.doc, self.warnings)


def shipped_fit(doc: dict, warnings=()) -> LandmarkFit:
    points = {name: np.asarray(p, float) for name, p in doc["landmarks"].items()}
    return LandmarkFit(landmarks=points, units=doc.get("units", "m"), axes=doc.get("axes") or {},
                       method="test stand-in", residual_cm=0.4, residual_p90_cm=0.9,
                       confidence={name: 0.9 for name in points}, seconds=0.2,
                       warnings=tuple(warnings))


@pytest.fixture
def fake(monkeypatch, shipped_landmarks_doc, tmp_path_factory):
    """The stand-in fitter; ``write_landmarks`` and ``summary`` too while core.fitting has only
    their stubs (the real ones are used once they exist)."""
    fitter = FakeFitter(shipped_landmarks_doc)
    monkeypatch.setattr(fitting, "fit_landmarks", fitter)
    probe = shipped_fit(shipped_landmarks_doc)
    try:
        probe.summary()
    except NotImplementedError:
        monkeypatch.setattr(LandmarkFit, "summary",
                            lambda self: f"median residual {self.residual_cm:.1f} cm")
    try:
        fitting.write_landmarks(probe, tmp_path_factory.mktemp("probe") / "probe.ply")
    except NotImplementedError:
        def write(fit, mesh_path, out=None):
            out = Path(out) if out is not None else landmarks_path_for(mesh_path)
            return save_landmarks(out, fit.landmarks, units=fit.units,
                                  mesh_name=Path(mesh_path).name, axes=fit.axes or None,
                                  method=fit.method)
        monkeypatch.setattr(fitting, "write_landmarks", write)
    yield fitter
    fitter.gate.set()  # never leave a worker thread waiting



@pytest.fixture
def bare(window, tmp_path, shipped_mesh_path, wait):
    """The shared window showing a copy of the shipped mesh without its landmarks."""
    mesh = tmp_path / "body.ply"
    shutil.copy(shipped_mesh_path, mesh)
    assert window.open_mesh(mesh)
    wait(lambda: not window.loader.busy and window.model.body.mesh_path == mesh,
         timeout=120, message="the bare mesh to load")
    QApplication.processEvents()
    assert not window.model.zoned and window.fitting.bar.isVisible()
    window.mesh_path = mesh  # for the tests' convenience
    yield window
    if window.fitting.running:
        window.fitting.cancel()
        wait(lambda: not window.fitting.running, message="the fit to stop")


def progress_dialog(win):
    dialog = win.fitting.dialog
    return dialog if dialog is not None and dialog.isVisible() else None


def anchor_pos(win, to_widget, zone_id: str) -> QPoint:
    return to_widget(win, win.view.scene.label_anchor(win.state.rmap.zone(zone_id).index))


def test_the_bar_and_the_file_menu_offer_both_ways(bare):
    bar = bare.fitting.bar
    assert bar.level == "missing"
    assert [b.text().replace("&", "") for b in (bar.fit_button, bar.load_button)] == [
        "Fit automatically", "Load a landmarks file…"]
    file_menu = bare.menuBar().actions()[0].menu()
    texts = [a.text().replace("&", "") for a in file_menu.actions()]
    assert "Fit landmarks automatically…" in texts and "Load landmarks…" in texts
    for button in (bar.fit_button, bar.load_button):  # reachable with Tab
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_fit_automatically_shows_progress_then_the_zones_and_writes_the_file(
        bare, fake, qtbot, dialogs, to_widget, shipped_landmarks_doc):
    bar, before = bare.fitting.bar, bare.model
    target = bare.mesh_path.with_name("body.landmarks.json")
    qtbot.mouseClick(bar.fit_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: progress_dialog(bare) is not None
                    and "Aligning" in progress_dialog(bare).labelText())
    dialog = progress_dialog(bare)
    assert dialog.value() == 10
    assert not bare.fitting.act_fit.isEnabled() and not bar.fit_button.isEnabled()
    # the window stays live while the fit runs: a drag turns the body
    camera = np.array(bare.plotter.camera.position)
    centre = QPoint(bare.plotter.width() // 2, bare.plotter.height() // 2)
    QTest.mousePress(bare.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(bare.plotter, centre + QPoint(60, 0))
    QTest.mouseRelease(bare.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       centre + QPoint(60, 0))
    assert np.linalg.norm(np.array(bare.plotter.camera.position) - camera) > 0
    assert not target.exists()

    fake.gate.set()
    qtbot.waitUntil(lambda: bare.model.zoned and not bare.loader.busy, timeout=120_000)
    assert dialogs == []
    assert progress_dialog(bare) is None
    assert fake.calls[0]["source"] == bare.mesh_path
    assert len(fake.calls[0]["mesh"].vertices) == len(before.body.mesh.vertices)
    # written beside the mesh, where File > Open mesh finds it next time
    assert target.exists()
    reopened = Body.load(bare.mesh_path)
    assert reopened.landmarks_path == target
    for name, point in shipped_landmarks_doc["landmarks"].items():
        assert np.allclose(reopened.landmarks[name], point, atol=1e-4), name
    # the zones, as when a mesh opens with its landmarks
    assert bare.model.body.landmarks_path == target
    assert not bar.isVisible()
    assert all(act.isEnabled() for act in bare.mode_actions.values())
    assert bare.zone_list.visible_ids()
    QTest.mouseClick(bare.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     anchor_pos(bare, to_widget, "kidney-left"))
    assert bare.state.zone_id == "kidney-left"
    summary = fake_summary(fake)
    qtbot.waitUntil(lambda: bare.statusBar().currentMessage().lower() == summary.lower())
    assert not bare.fitting.act_fit.isEnabled()  # it has landmarks now


def fake_summary(fake) -> str:
    return shipped_fit(fake.doc).summary()


def test_cancel_leaves_the_window_as_it_was_and_writes_nothing(bare, fake, qtbot, dialogs):
    before = bare.model
    qtbot.mouseClick(bare.fitting.bar.fit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: progress_dialog(bare) is not None)
    cancel = next(b for b in progress_dialog(bare).findChildren(QPushButton)
                  if b.text().replace("&", "") == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert progress_dialog(bare) is None  # at once, even before the fit notices
    fake.gate.set()
    qtbot.waitUntil(lambda: not bare.fitting.running)
    assert not fake.returned  # the fit saw the cancel and stopped
    assert dialogs == []
    assert bare.model is before and not bare.model.zoned
    assert bare.fitting.bar.isVisible() and bare.fitting.bar.level == "missing"
    assert not landmarks_path_for(bare.mesh_path).exists()
    assert list(bare.mesh_path.parent.iterdir()) == [bare.mesh_path]  # no temporary file either
    assert bare.statusBar().currentMessage() == "Fit cancelled: nothing was saved"
    assert bare.fitting.act_fit.isEnabled()  # and it can be tried again


def test_not_a_body_says_so_in_one_line_and_writes_nothing(bare, fake, qtbot, dialogs):
    before = bare.model
    error = NotABodyError("is not a human body with a back (no spine found)", bare.mesh_path)
    fake.error = error
    fake.gate.set()
    bare.fitting.act_fit.trigger()  # File > Fit landmarks automatically…
    qtbot.waitUntil(lambda: not bare.fitting.running)
    assert len(dialogs) == 1
    title, text = dialogs[0]
    assert title == "Cannot fit landmarks"
    assert error.line() in text.splitlines()
    assert "Traceback" not in text
    assert bare.model is before and bare.fitting.bar.level == "missing"
    assert not landmarks_path_for(bare.mesh_path).exists()


def test_an_approximate_fit_turns_the_bar_yellow(bare, fake, qtbot, dialogs):
    fake.warnings = ("the left shoulder blade is uncertain (confidence 0.3)",)
    fake.gate.set()
    bare.activateWindow()
    qtbot.waitUntil(bare.isActiveWindow)
    QTest.keyClick(bare, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # the bar's Fit &automatically
    qtbot.waitUntil(lambda: bare.model.zoned and not bare.loader.busy, timeout=120_000)
    bar = bare.fitting.bar
    assert bar.isVisible() and bar.level == "warning"
    assert bar.text.text() == ("Fit is approximate: the left shoulder blade is uncertain "
                               "(confidence 0.3) — Edit landmarks to check.")
    assert not bar.fit_button.isVisible() and not bar.load_button.isVisible()
    assert dialogs == []  # a warning, not a dialog to click away
    # the bar's button opens Edit landmarks on the fitted body
    assert bar.edit_button.isVisible()
    qtbot.mouseClick(bar.edit_button, Qt.MouseButton.LeftButton)
    assert bare.landmark_editor.active
    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()


def test_an_unwritable_folder_asks_where_to_save(bare, fake, qtbot, dialogs, monkeypatch, tmp_path):
    real_write = fitting.write_landmarks

    def write(fit, mesh_path, out=None):
        if out is None:
            raise PermissionError(13, "Permission denied", str(landmarks_path_for(mesh_path)))
        return real_write(fit, mesh_path, out)

    monkeypatch.setattr(fitting, "write_landmarks", write)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    chosen = elsewhere / "mine.landmarks.json"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda parent, caption, *a, **k: (asked.append(caption), (str(chosen), ""))[1]))
    fake.gate.set()
    bare.fitting.fit()
    qtbot.waitUntil(lambda: bare.model.zoned and not bare.loader.busy, timeout=120_000)
    assert dialogs == []
    assert len(asked) == 1 and "Permission denied" in asked[0]
    assert chosen.exists() and not landmarks_path_for(bare.mesh_path).exists()
    assert bare.model.body.landmarks_path == chosen


def test_declining_the_save_as_dialog_changes_nothing(bare, fake, qtbot, dialogs, monkeypatch):
    def write(fit, mesh_path, out=None):
        raise PermissionError(13, "Permission denied", str(mesh_path.parent))

    monkeypatch.setattr(fitting, "write_landmarks", write)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    before = bare.model
    ended = []
    bare.fitting.fitEnded.connect(ended.append)
    fake.gate.set()
    bare.fitting.fit()
    qtbot.waitUntil(lambda: bool(ended))
    bare.fitting.fitEnded.disconnect(ended.append)
    assert ended == ["unsaved"]
    assert bare.model is before and bare.fitting.bar.level == "missing"
    assert not landmarks_path_for(bare.mesh_path).exists()


def choose_file(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def test_load_a_bad_landmarks_file_shows_a_dialog_and_keeps_the_bare_mesh(
        bare, qtbot, dialogs, monkeypatch, tmp_path):
    bad = tmp_path / "points.json"
    bad.write_text('{"landmarks": {', encoding="utf-8")
    choose_file(monkeypatch, bad)
    before = bare.model
    qtbot.mouseClick(bare.fitting.bar.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not bare.loader.busy)
    assert len(dialogs) == 1
    assert f"{bad}: is not valid JSON" in dialogs[0][1]
    assert bare.model is before
    assert bare.fitting.bar.isVisible() and bare.fitting.bar.level == "missing"


def test_load_a_good_landmarks_file_shows_the_zones(bare, qtbot, dialogs, monkeypatch, tmp_path,
                                                    shipped_landmarks_doc, to_widget):
    good = tmp_path / "measured.json"
    good.write_text(json.dumps(shipped_landmarks_doc), encoding="utf-8")
    choose_file(monkeypatch, good)
    bare.fitting.bar.load_button.setFocus()
    QTest.keyClick(bare.fitting.bar.load_button, Qt.Key.Key_Space)  # from the keyboard
    qtbot.waitUntil(lambda: bare.model.zoned and not bare.loader.busy, timeout=120_000)
    assert dialogs == []
    assert bare.model.body.landmarks_path == good
    assert not bare.fitting.bar.isVisible()
    QTest.mouseClick(bare.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     anchor_pos(bare, to_widget, "neck"))
    assert bare.state.zone_id == "neck"


def test_opening_another_mesh_while_fitting_drops_the_fit(bare, fake, qtbot, dialogs, body):
    qtbot.mouseClick(bare.fitting.bar.fit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: progress_dialog(bare) is not None)
    bare.open_files(body=body, rmap=bare.model.rmap)  # e.g. File > Recent meshes, meanwhile
    qtbot.waitUntil(lambda: bare.model.zoned and not bare.loader.busy, timeout=120_000)
    assert progress_dialog(bare) is None  # the fit was for a mesh no longer shown
    fake.gate.set()
    qtbot.waitUntil(lambda: not bare.fitting.running)
    assert not fake.returned and dialogs == []
    assert bare.model.body is body
    assert not landmarks_path_for(bare.mesh_path).exists()


def test_the_yellow_bar_says_every_warning_once(bare):
    bar = bare.fitting.bar
    bar.show_warning(("approximate fit: the template lies 2.1 cm from the skin (median; 90 % "
                      "within 4.0 cm): check the landmarks",
                      "2 landmark(s) uncertain (rib11 tip left, rib12 tip left): check them"))
    assert bar.text.text() == (
        "Fit is approximate: the template lies 2.1 cm from the skin (median; 90 % within 4.0 cm): "
        "check the landmarks; 2 landmark(s) uncertain (rib11 tip left, rib12 tip left): check "
        "them.")
    bar.dismiss()


# --------------------------------------------------------------------------- the real fitter
def open_bare(win, path, wait):
    assert win.open_mesh(path)
    wait(lambda: not win.loader.busy and win.model.body.mesh_path == path, timeout=120,
         message="the mesh to load")


def test_a_box_is_refused_by_the_real_fitter_in_one_line(window, tmp_path, qtbot, dialogs, wait):
    import trimesh

    box = tmp_path / "box.ply"
    trimesh.creation.box(extents=(0.4, 1.7, 0.3)).export(box)
    open_bare(window, box, wait)
    assert window.fitting.fit()
    qtbot.waitUntil(lambda: not window.fitting.running, timeout=60_000)
    assert len(dialogs) == 1
    line = dialogs[0][1].splitlines()[-1]
    assert line.startswith(f"{box}: ") and "human body" in line
    assert not window.model.zoned and not landmarks_path_for(box).exists()


@pytest.mark.slow
def test_the_real_fitter_gives_a_body_in_centimetres_its_zones(window, tmp_path, qtbot, dialogs,
                                                              wait, shipped_mesh_path):
    """End to end (about 10 s): the shipped torso in centimetres with Z up, fitted in the window."""
    import trimesh

    mesh = trimesh.load(shipped_mesh_path, process=False)
    mesh.apply_scale(100.0)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    path = tmp_path / "visitor.ply"
    mesh.export(path)
    open_bare(window, path, wait)
    assert window.fitting.fit()
    qtbot.waitUntil(lambda: window.model.zoned and not window.loader.busy, timeout=180_000)
    assert dialogs == []
    assert window.model.body.landmarks_path == landmarks_path_for(path)
    assert json.loads(landmarks_path_for(path).read_text())["units"] == "cm"
    assert window.zone_list.visible_ids()
