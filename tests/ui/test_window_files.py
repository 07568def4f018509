"""File > Open in the real window, what the window remembers (QSettings), and closing it."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog

from viewer.ui.settings import Settings

pytestmark = pytest.mark.gui



def choose_file(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def wait_loaded(win, wait):
    wait(lambda: not win.loader.busy, timeout=120, message="loading to finish")
    QApplication.processEvents()


def test_a_bad_mesh_shows_a_dialog_naming_the_file_and_keeps_the_model(
        win, tmp_path, monkeypatch, dialogs, wait, to_widget):
    bad = tmp_path / "empty-body.obj"
    bad.write_text("")
    before = win.model
    win.state.select("neck")
    choose_file(monkeypatch, bad)
    win.act_open_mesh.trigger()  # File > Open mesh…, the file dialog answering ``bad``
    assert QApplication.overrideCursor() is not None  # busy while it loads
    wait_loaded(win, wait)
    assert QApplication.overrideCursor() is None
    assert len(dialogs) == 1
    title, text = dialogs[0]
    assert "empty-body.obj" in title
    assert str(bad) in text and "is empty" in text
    assert "stays open" in text
    assert win.model is before
    assert win.view.scene is before.scene
    assert win.state.zone_id == "neck"  # nothing changed, not even the selection
    assert str(bad) not in [str(p) for p in win.settings.recent("mesh")]


def test_opening_a_mesh_without_landmarks_shows_it_bare_and_back(win, tmp_path, dialogs, wait,
                                                                  shipped_mesh_path):
    lonely = tmp_path / "lonely.ply"
    shutil.copy(shipped_mesh_path, lonely)
    before = win.model
    win.open_mesh(lonely)
    wait_loaded(win, wait)
    assert dialogs == []
    assert win.model is not before and not win.model.zoned
    assert win.fitting.bar.isVisible()
    assert win.fitting.bar.text.text() == "No landmarks for lonely.ply: zones need them."
    win.open_files(body=before.body, rmap=before.rmap)  # a body with landmarks: zones again
    wait_loaded(win, wait)
    assert win.model.zoned and win.view.scene is win.model.scene
    assert not win.fitting.bar.isVisible()
    assert win.zone_list.visible_ids() and win.act_lesson.isEnabled()


def test_a_bad_region_map_lists_its_problems_and_keeps_the_model(win, tmp_path, dialogs, wait, repo):
    broken = tmp_path / "broken.toml"
    text = (repo / "region_maps" / "back-massage.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace('pressure = "firm"', 'pressure = "crushing"', 1), encoding="utf-8")
    shutil.copy(repo / "region_maps" / "back-massage-guide.txt", tmp_path)
    before = win.model
    win.open_region_map(broken)
    wait_loaded(win, wait)
    assert len(dialogs) == 1
    title, message = dialogs[0]
    assert "broken.toml" in title
    assert "crushing" in message and str(broken) in message
    assert win.model is before


def test_swapped_landmarks_show_one_line_naming_them_and_keep_the_model(
        win, tmp_path, dialogs, wait, shipped_mesh_path, shipped_landmarks_doc):
    import json

    mesh = tmp_path / "mirror.ply"
    shutil.copy(shipped_mesh_path, mesh)
    doc = json.loads(json.dumps(shipped_landmarks_doc))
    lm = doc["landmarks"]
    for name in [n for n in lm if n.endswith("_left")]:
        right = name.removesuffix("_left") + "_right"
        lm[name], lm[right] = lm[right], lm[name]
    points = tmp_path / "mirror.landmarks.json"
    points.write_text(json.dumps(doc), encoding="utf-8")
    before = win.model
    win.open_mesh(mesh)
    wait_loaded(win, wait)
    assert len(dialogs) == 1
    title, message = dialogs[0]
    assert "mirror.ply" in title
    assert f"{points}:landmarks:acromion_left: lies on the body's right" in message
    assert "left and right are swapped" in message
    assert "back-massage.toml" not in message  # the user's file is blamed, not the shipped map
    assert win.model is before


def test_opening_a_good_mesh_shows_it_and_remembers_it(win, tmp_path, monkeypatch, dialogs, wait,
                                                       shipped_mesh_path, shipped_landmarks_path):
    copy = tmp_path / "copy.ply"
    shutil.copy(shipped_mesh_path, copy)
    shutil.copy(shipped_landmarks_path, tmp_path / "copy.landmarks.json")
    loaded = []
    win.modelLoaded.connect(loaded.append)
    choose_file(monkeypatch, copy)
    win.act_open_mesh.trigger()
    wait_loaded(win, wait)
    win.modelLoaded.disconnect(loaded.append)
    assert not dialogs
    assert len(loaded) == 1 and win.model is loaded[0]
    assert win.model.body.mesh_path == copy
    assert win.view.scene is win.model.scene
    assert "copy.ply" in win.windowTitle() and "copy.ply" in win.file_label.text()
    assert win.settings.recent("mesh")[0] == copy.resolve()
    assert win.settings.last_dir() == str(tmp_path.resolve())
    # a fresh Settings on the same file reads the same
    again = Settings(QSettings(win.settings.q.fileName(), QSettings.Format.IniFormat))
    assert again.recent("mesh")[0] == copy.resolve()


def test_settings_round_trip(tmp_path):
    path = str(tmp_path / "s.ini")
    first = Settings(QSettings(path, QSettings.Format.IniFormat))
    first.set_colour_mode("stroke:friction")
    for name in ("a.ply", "b.ply", "a.ply"):
        first.add_recent("mesh", tmp_path / name)
    first.add_recent("map", tmp_path / "m.toml")
    first.sync()
    second = Settings(QSettings(path, QSettings.Format.IniFormat))
    assert second.colour_mode() == "stroke:friction"
    assert second.recent("mesh") == [tmp_path / "a.ply", tmp_path / "b.ply"]
    assert second.recent("map") == [tmp_path / "m.toml"]
    second.q.setValue("view/colour_mode", "stroke:tickling")
    assert second.colour_mode() == "pressure"  # a stale or foreign value is not trusted


def test_default_settings_stay_out_of_the_users_home(isolated_settings):
    assert Settings().q.fileName().startswith(str(isolated_settings))


def test_window_remembers_mode_and_geometry_and_closes_its_plotter(backview_app, tmp_path, wait):
    from viewer.ui.main_window import MainWindow

    path = str(tmp_path / "window.ini")
    first = MainWindow(settings=Settings(QSettings(path, QSettings.Format.IniFormat)))
    first.show()
    first.resize(1234, 876)
    first.state.set_mode("stroke:effleurage")
    first.close()
    assert first.plotter._closed  # pyvistaqt #846: an unclosed QtInteractor can crash at exit

    second = MainWindow(settings=Settings(QSettings(path, QSettings.Format.IniFormat)))
    try:
        assert second.state.mode == "stroke:effleurage"
        assert second.mode_actions["stroke:effleurage"].isChecked()
        assert second.legend.title.text().startswith("Effleurage")
        assert (second.width(), second.height()) == (1234, 876)
    finally:
        second.close()


def test_file_export_image_writes_this_view(win, tmp_path, monkeypatch, wait):
    from PIL import Image

    from viewer.ui import export_dialog

    real = export_dialog.export_from_window
    calls = []

    def answer_the_dialog(parent, scene, state, **kwargs):
        dialog = export_dialog.ExportDialog(default_path=tmp_path / "handout.png")
        dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)  # custom size: small
        dialog.width_box.setValue(480)
        dialog.height_box.setValue(360)
        calls.append(kwargs)
        return real(parent, scene, state, dialog=dialog, **kwargs)

    monkeypatch.setattr(export_dialog, "export_from_window", answer_the_dialog)
    win.state.set_mode("stroke:friction")
    win.state.select("kidney-right")
    win.act_export.trigger()
    assert calls and calls[0]["plotter"] is win.plotter and calls[0]["palette"] == "default"
    image = Image.open(tmp_path / "handout.png")
    assert image.size == (480, 360)
    assert image.text["backview:colour-mode"] == "stroke:friction"
    assert image.text["backview:zone"] == "kidney-right"


def test_save_and_load_a_session(win, tmp_path, monkeypatch):
    path = tmp_path / "lesson.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    win.state.set_mode("stroke:petrissage")
    win.state.select("upper-trapezius-left")
    win.act_save_session.trigger()
    assert path.is_file()
    win.state.set_mode("pressure")
    win.state.select(None)
    win.load_session(path)
    assert (win.state.mode, win.state.zone_id) == ("stroke:petrissage", "upper-trapezius-left")
    assert win.mode_actions["stroke:petrissage"].isChecked()
