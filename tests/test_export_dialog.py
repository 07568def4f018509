"""File → Export image: the dialog's presets and an export made from a live Qt window's camera.

Marked ``gui``: it needs an X server (pytest-xvfb starts one for the test run).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.gui
pytest.importorskip("pytestqt")


@pytest.fixture(scope="module")
def scene(body):
    from viewer.core.regionmap import load_region_map
    from viewer.render.scene import BodyScene

    return BodyScene(body, load_region_map())


def test_size_presets_and_custom_size(qtbot, tmp_path):
    from viewer.ui.export_dialog import SIZE_CHOICES, ExportDialog

    dialog = ExportDialog(default_path=tmp_path / "x.png")
    qtbot.addWidget(dialog)
    labels = [dialog.size_box.itemText(i) for i in range(dialog.size_box.count())]
    assert any("1920 × 1080" in t for t in labels) and any("3840 × 2160" in t for t in labels)
    assert any("A4" in t and "300 dpi" in t for t in labels) and labels[-1] == "Custom size"
    assert dialog.chosen_size() == (1920, 1080, None)
    assert not dialog.width_box.isEnabled()
    dialog.size_box.setCurrentIndex(2)
    assert dialog.chosen_size() == (2480, 3508, 300)
    dialog.size_box.setCurrentIndex(len(SIZE_CHOICES) - 1)
    assert dialog.width_box.isEnabled()
    dialog.width_box.setValue(1200)
    dialog.height_box.setValue(900)
    assert dialog.chosen_size() == (1200, 900, None)
    dialog.width_box.setValue(99999)  # the spin box stops at the largest size an export allows
    assert dialog.chosen_size()[0] == 8192


def test_pdf_has_no_transparency_and_a_bad_path_is_refused(qtbot, tmp_path):
    from viewer.ui.export_dialog import ExportDialog

    dialog = ExportDialog(default_path=tmp_path / "x.png")
    qtbot.addWidget(dialog)
    dialog.transparent_check.setChecked(True)
    dialog.path_edit.setText(str(tmp_path / "handout.pdf"))
    assert not dialog.transparent_check.isEnabled() and not dialog.transparent_check.isChecked()
    dialog.path_edit.setText(str(tmp_path / "missing" / "x.png"))
    dialog.export_button.click()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "does not exist" in dialog.error_label.text()


def test_export_from_a_window_camera(qtbot, scene, tmp_path):
    from pyvistaqt import QtInteractor

    from viewer.core.session import Pin
    from viewer.render.actors import SceneActors
    from viewer.ui.export_dialog import ExportDialog, export_from_window

    plotter = QtInteractor(off_screen=False)
    qtbot.addWidget(plotter)
    try:
        actors = SceneActors(plotter, scene, "stroke:petrissage")
        plotter.resize(800, 600)
        plotter.show()
        qtbot.waitExposed(plotter)
        actors.set_view("oblique-left")
        plotter.camera.parallel_scale *= 0.8  # the user zoomed in
        plotter.render()
        camera_before = plotter.camera_position
        shown_before = np.asarray(plotter.screenshot(return_img=True), int)
        state = SimpleNamespace(mode="stroke:petrissage", zone_id="paraspinal-left")
        dialog = ExportDialog(default_path=tmp_path / "from-window.png")
        qtbot.addWidget(dialog)
        dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)
        dialog.width_box.setValue(960)
        dialog.height_box.setValue(540)
        dialog.title_edit.setText("Kneading beside the spine")
        out = export_from_window(None, scene, state, plotter=plotter, dialog=dialog,
                                 pins=[Pin(landmark="spinous_T10", note="Here")])
        assert out == tmp_path / "from-window.png"
        img = Image.open(out)
        assert img.size == (960, 540)
        assert img.text["backview:view"] == "camera"
        assert img.text["backview:zone"] == "paraspinal-left"
        assert img.text["backview:colour-mode"] == "stroke:petrissage"
        assert img.text["Title"] == "Kneading beside the spine"
        # the window shows what it showed before the off-screen export: same camera, same body
        plotter.render()
        assert plotter.camera_position == camera_before
        shown = np.asarray(plotter.screenshot(return_img=True), int)
        assert shown.shape == shown_before.shape
        assert (np.abs(shown - shown[0, 0]).sum(axis=2) > 30).mean() > 0.05  # the body is drawn
        assert np.abs(shown - shown_before).sum(axis=2).max() <= 6
    finally:
        plotter.close()


def test_session_save_and_load_from_the_window(qtbot, scene, tmp_path):
    from viewer.core.session import Pin
    from viewer.ui.export_dialog import apply_session, load_session_dialog, save_session_from_window
    from viewer.ui.state import ViewerState

    state = ViewerState()
    state.set_map(scene.rmap)
    state.set_mode("stroke:friction")
    state.select("kidney-right")
    path = save_session_from_window(None, state, pins=[Pin(landmark="spinous_L1", note="x")],
                                    path=tmp_path / "s.json")
    other = ViewerState()
    other.set_map(scene.rmap)
    session = load_session_dialog(None, path)
    apply_session(session, other)
    assert (other.mode, other.zone_id) == ("stroke:friction", "kidney-right")
    assert session.pins[0].landmark == "spinous_L1"


def test_the_dialog_exports_the_layers_it_shows(qtbot, scene, tmp_path):
    from viewer.ui.export_dialog import ExportDialog, export_from_window

    dialog = ExportDialog(default_path=tmp_path / "xray.png", has_window_camera=False,
                          layers=("skin", "kidneys"), skin_opacity=0.3)
    qtbot.addWidget(dialog)
    assert dialog.opacity_box.value() == 30 and dialog.chosen_layers() == ("skin", "kidneys")
    dialog.layer_checks["bones"].setChecked(True)
    dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)   # custom size
    dialog.width_box.setValue(960)
    dialog.height_box.setValue(540)
    state = SimpleNamespace(mode="pressure", zone_id=None)
    out = export_from_window(None, scene, state, dialog=dialog)
    assert out == tmp_path / "xray.png"
    meta = Image.open(out).text
    assert meta["backview:layers"] == "skin,bones,kidneys"
    assert meta["backview:skin-opacity"] == "0.3"
    # no layer at all is refused in the dialog, nothing written
    for check in dialog.layer_checks.values():
        check.setChecked(False)
    dialog.path_edit.setText(str(tmp_path / "none.png"))
    dialog.export_button.click()
    assert "at least one layer" in dialog.error_label.text()
    assert not (tmp_path / "none.png").exists()
