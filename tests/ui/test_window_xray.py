"""Under the skin in the real window (issue 13): View → X-ray (key X), the layers panel, picking
a bone or kidney through the translucent skin, presentation mode, remembered settings."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from viewer.core.palette import get_palette, hex_to_rgb

pytestmark = pytest.mark.gui

#: a lumbar vertebra: its spinous process points straight back, no neighbour in front of it
VERTEBRA = "vertebra-L3"


def click(window, pos: QPoint) -> None:
    QTest.mouseClick(window.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def press_x(window) -> None:
    """The X key where a real one goes: the focused widget (the 3D view, usually)."""
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_X)
    QApplication.processEvents()


@pytest.fixture
def xwin(window, backview_app, wait):
    """The module's window, x-ray off, every layer shown, the skin at 35 %, nothing selected."""
    window.leave_presentation()
    window.stop_lesson()
    layers = window.layers
    layers.set_xray(False)
    layers.set_opacity(35)
    for layer in ("bones", "kidneys"):
        layers.set_layer(layer, True)
    window.state.select(None)
    window.state.set_mode("pressure")
    window.view.reset()
    window.view.flush()
    window.activateWindow()
    window.plotter.setFocus()
    wait(lambda: QApplication.activeWindow() is window, message="the window to be active")
    backview_app.processEvents()
    yield window
    window.leave_presentation()
    window.layers.set_xray(False)


def xray_on(window, wait) -> None:
    press_x(window)
    wait(lambda: window.layers.anatomy is not None, timeout=60,
         message="the bones and kidneys to be fitted")
    window.view.flush()


def centre(structure) -> np.ndarray:
    return np.asarray(structure.vertices, float).mean(axis=0)


def visible(window, layer) -> bool:
    actor = window.view.actors.xray.layer_actors.get(layer, (None,))[0]
    return actor is not None and bool(actor.GetVisibility())


def skin(window):
    return window.view.actors.body_actor.GetProperty()


def hits_a_structure(window, point) -> bool:
    """Whether the line of sight through ``point`` (along the camera's direction) meets any
    triangle of a structure: Möller–Trumbore in numpy, independent of the window's picking."""
    direction = np.asarray(window.plotter.camera.GetDirectionOfProjection(), float)
    origin = np.asarray(point, float) - direction * 10.0
    for s in window.layers.anatomy.structures:
        tri = np.asarray(s.vertices, float)[np.asarray(s.faces)]
        e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
        p = np.cross(direction, e2)
        det = np.einsum("ij,ij->i", e1, p)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        t = origin - tri[:, 0]
        u = np.einsum("ij,ij->i", t, p) * inv
        q = np.cross(t, e1)
        v = (q @ direction) * inv
        if np.any(ok & (u >= 0) & (v >= 0) & (u + v <= 1)):
            return True
    return False


# --------------------------------------------------------------------------- x-ray on and off
def test_x_makes_the_skin_translucent_and_shows_bones_and_kidneys(xwin, wait, grab, to_widget):
    assert skin(xwin).GetOpacity() == 1.0
    kidney_pos = None
    xray_on(xwin, wait)
    assert xwin.layers.on and xwin.layers.act_xray.isChecked()
    assert xwin.layers.panel.xray.isChecked()
    assert skin(xwin).GetOpacity() == pytest.approx(0.35)
    assert visible(xwin, "bones") and visible(xwin, "kidneys")
    # what the learner sees: the kidney's red through the skin at its place
    kidney = xwin.layers.anatomy.get("kidney-left")
    kidney_pos = to_widget(xwin, centre(kidney))
    image = grab(xwin)
    ratio = xwin.plotter.devicePixelRatioF()
    pixel = image[round(kidney_pos.y() * ratio), round(kidney_pos.x() * ratio)]
    red = np.array(hex_to_rgb(get_palette("default").kidneys))
    assert pixel[0] > pixel[1] + 40, f"no kidney red at the kidney: {pixel}"

    press_x(xwin)  # X again: back to the opaque skin, nothing under it
    assert not xwin.layers.on and not xwin.layers.act_xray.isChecked()
    assert skin(xwin).GetOpacity() == 1.0
    assert not visible(xwin, "bones") and not visible(xwin, "kidneys")
    image = grab(xwin)
    pixel = image[round(kidney_pos.y() * ratio), round(kidney_pos.x() * ratio)]
    assert np.abs(pixel - red).sum() > 120, "the kidney still shows with x-ray off"


def test_the_slider_sets_the_skin_opacity(xwin, wait):
    xray_on(xwin, wait)
    panel = xwin.layers.panel
    assert panel.slider.isEnabled()
    panel.slider.setValue(70)
    assert skin(xwin).GetOpacity() == pytest.approx(0.70)
    assert panel.value.text() == "70 %"
    panel.slider.setValue(0)
    assert skin(xwin).GetOpacity() == 0.0
    # the zone borders keep their opacity on a translucent skin: the zones stay readable
    assert xwin.view.actors.border_actor.GetProperty().GetOpacity() >= 0.85
    xwin.state.set_mode("stroke:friction")  # lines added anew for another colour mode
    xwin.view.flush()
    assert xwin.view.actors.hatch_actor.GetProperty().GetOpacity() >= 0.8
    assert skin(xwin).GetOpacity() == 0.0


def test_the_controls_need_x_ray_on(xwin):
    panel = xwin.layers.panel
    assert not panel.slider.isEnabled()
    assert not any(check.isEnabled() for check in panel.checks.values())
    assert panel.xray.isEnabled() and xwin.layers.act_xray.isEnabled()


# --------------------------------------------------------------------------- picking
def pixel_at(window, grab, to_widget, point) -> np.ndarray:
    pos = to_widget(window, point)
    ratio = window.plotter.devicePixelRatioF()
    return grab(window)[round(pos.y() * ratio), round(pos.x() * ratio)]


def test_a_click_on_a_vertebra_names_it_and_shows_its_note(xwin, wait, to_widget, grab):
    xray_on(xwin, wait)
    xwin.safety_dock.raise_()
    vertebra = xwin.layers.anatomy.get(VERTEBRA)
    before = grab(xwin)
    click(xwin, to_widget(xwin, centre(vertebra)))
    assert xwin.state.structure is vertebra
    assert xwin.state.zone_id is None
    text = xwin.zone_panel.text()
    assert text.startswith(vertebra.name)
    assert vertebra.note and vertebra.note in text
    for citation in vertebra.citations:
        assert f"“{citation}”" in text.replace("\u2029", " ")
    assert xwin.zone_dock.widget().isVisible()
    assert vertebra.name in xwin.statusBar().currentMessage()
    # highlighted: drawn over in reddish purple, where the learner looks
    from viewer.ui.layers import HIGHLIGHT_COLOUR

    highlight = xwin.plotter.actors.get("xray-highlight")
    assert highlight is not None and highlight.GetVisibility()
    assert np.allclose(np.array(highlight.prop.color.int_rgb), hex_to_rgb(HIGHLIGHT_COLOUR), atol=1)
    # what the learner sees: around the vertebra, nowhere else, pixels lose green (bone ivory
    # to reddish purple, through the skin)
    after = grab(xwin)
    changed = np.abs(after - before).sum(axis=2) > 30
    assert changed.sum() > 20, "the highlight does not show"
    assert (after[changed][:, 1] < before[changed][:, 1] - 10).mean() > 0.8
    rows, cols = np.nonzero(changed)
    pos, ratio = to_widget(xwin, centre(vertebra)), xwin.plotter.devicePixelRatioF()
    assert abs(np.median(cols) - pos.x() * ratio) < 30 and abs(np.median(rows) - pos.y() * ratio) < 30
    # Esc clears it, and the panel says how to pick
    xwin.act_clear.trigger()
    assert xwin.state.structure is None
    assert "Click a zone" in xwin.zone_panel.text()
    assert "xray-highlight" not in xwin.plotter.actors


def test_hover_names_the_structure_a_click_would_pick(xwin, wait, to_widget):
    kidney_zone = xwin.state.rmap.zone("kidney-left")
    xray_on(xwin, wait)
    kidney = xwin.layers.anatomy.get("kidney-left")
    QTest.mouseMove(xwin.plotter, to_widget(xwin, centre(kidney)))
    wait(lambda: kidney.name in xwin.hover_label.text(), timeout=5, message="the hover text")
    assert kidney_zone.name not in xwin.hover_label.text()
    assert xwin.state.structure is None  # hovering does not select
    press_x(xwin)  # without x-ray the skin's zone is named there
    QTest.mouseMove(xwin.plotter, QPoint(8, 8))
    wait(lambda: xwin.hover_label.text() == "", timeout=5, message="the hover text to clear")
    QTest.mouseMove(xwin.plotter, to_widget(xwin, centre(kidney)))
    wait(lambda: xwin.hover_label.text() != "", timeout=5, message="the hover text")
    assert kidney.name not in xwin.hover_label.text()


def test_a_click_on_a_kidney_names_it(xwin, wait, to_widget):
    xray_on(xwin, wait)
    kidney = xwin.layers.anatomy.get("kidney-right")
    click(xwin, to_widget(xwin, centre(kidney)))
    assert xwin.state.structure is kidney
    assert xwin.zone_panel.text().startswith(kidney.name)
    assert kidney.note in xwin.zone_panel.text()


def test_a_click_on_skin_with_nothing_behind_still_selects_the_zone(xwin, wait, to_widget):
    xray_on(xwin, wait)
    body = xwin.model.body
    frame = body.frame
    cm = 0.01 / body.unit
    candidates = [body.landmarks[f"spinous_{level}"] + frame.left * side * lateral * cm
                  for level in ("L4", "L5", "L3", "T2", "T4") for lateral in (3, 4, 6)
                  for side in (1, -1)]
    point = next((p for p in candidates if not hits_a_structure(xwin, p)), None)
    assert point is not None, "every place beside the spine has a structure behind it"
    click(xwin, to_widget(xwin, point))
    assert xwin.state.structure is None
    assert xwin.state.zone_id is not None
    assert xwin.zone_panel.text().startswith(xwin.state.zone.name)


def test_a_structure_click_replaces_the_zone_and_a_zone_click_the_structure(xwin, wait, to_widget):
    xray_on(xwin, wait)
    xwin.state.select("neck")
    vertebra = xwin.layers.anatomy.get(VERTEBRA)
    click(xwin, to_widget(xwin, centre(vertebra)))
    assert xwin.state.zone_id is None and xwin.state.structure is vertebra
    assert xwin.zone_list.selected_id() is None
    xwin.state.select("neck")
    assert xwin.state.structure is None
    assert xwin.zone_panel.text().startswith("Neck")


def test_bones_off_hides_them_and_a_click_there_selects_the_zone(xwin, wait, to_widget):
    xray_on(xwin, wait)
    vertebra = xwin.layers.anatomy.get(VERTEBRA)
    xwin.layers.panel.checks["bones"].setChecked(False)
    assert not visible(xwin, "bones") and visible(xwin, "kidneys")
    assert not xwin.layers.layer_actions["bones"].isChecked()
    click(xwin, to_widget(xwin, centre(vertebra)))
    assert xwin.state.structure is None
    assert xwin.state.zone_id == "spine"


def test_x_ray_off_a_click_on_the_spine_selects_the_spine(xwin, wait, to_widget):
    xray_on(xwin, wait)
    vertebra = xwin.layers.anatomy.get(VERTEBRA)
    press_x(xwin)
    click(xwin, to_widget(xwin, centre(vertebra)))
    assert xwin.state.structure is None and xwin.state.zone_id == "spine"


# --------------------------------------------------------------------------- presentation
def test_x_works_in_presentation_mode_and_the_caption_names_the_structure(xwin, wait, to_widget):
    assert xwin.start_lesson(0)
    xwin.enter_presentation()
    for _ in range(5):
        QApplication.processEvents()
    wait(lambda: not xwin.view._reframe.isActive(), message="the framing")
    xwin.plotter.setFocus()
    xray_on(xwin, wait)
    assert xwin.presenting and xwin.layers.on
    assert skin(xwin).GetOpacity() < 1.0
    vertebra = xwin.layers.anatomy.get(VERTEBRA)
    click(xwin, to_widget(xwin, centre(vertebra)))
    caption = xwin.layers.caption
    assert xwin.state.structure is vertebra
    assert caption.isVisible()
    assert vertebra.name in caption.text() and vertebra.note in caption.text()
    # legible at classroom distance: type 2.6 % of the screen's height, as the lesson's
    caption.ensurePolished()
    assert caption.font().pixelSize() == round(xwin._screen_height() * 0.026)
    press_x(xwin)  # X again, still presenting
    assert xwin.presenting and not xwin.layers.on
    assert not caption.isVisible()
    xwin.leave_presentation()
    assert not caption.isVisible()


# --------------------------------------------------------------------------- settings
def test_the_choices_are_remembered(xwin, wait, backview_app, tmp_path):
    from tests.ui.conftest import make_window

    xray_on(xwin, wait)
    xwin.layers.panel.slider.setValue(55)
    xwin.layers.panel.checks["kidneys"].setChecked(False)
    xwin.settings.sync()
    settings_file = xwin.settings.q.fileName()
    copy = tmp_path / "settings.ini"
    shutil.copy(settings_file, copy)
    other = make_window(backview_app, copy)
    try:
        layers = other.layers
        assert layers.on and layers.opacity == 55
        assert layers.shown == {"bones": True, "kidneys": False}
        assert layers.panel.slider.value() == 55 and not layers.panel.checks["kidneys"].isChecked()
        wait(lambda: layers.anatomy is not None, timeout=60, message="the fit")
        assert other.view.actors.body_actor.GetProperty().GetOpacity() == pytest.approx(0.55)
        assert visible(other, "bones") and not visible(other, "kidneys")
    finally:
        other.close()
        backview_app.processEvents()


def test_a_fresh_window_starts_without_x_ray_and_fits_nothing(backview_app, tmp_path):
    from tests.ui.conftest import make_window

    fresh = make_window(backview_app, tmp_path / "settings.ini")
    try:
        assert not fresh.layers.on and fresh.layers.act_xray.isEnabled()
        assert fresh.layers.anatomy is None and not fresh.view.actors.xray.layer_actors
        assert fresh.layers.opacity == 35
    finally:
        fresh.close()
        backview_app.processEvents()


# --------------------------------------------------------------------------- other bodies
def test_structures_left_out_are_named_in_the_status_bar(xwin, wait, monkeypatch, tmp_path,
                                                         shipped_mesh_path, shipped_landmarks_path):
    import viewer.core.structures as structures

    real = structures.fit_structures
    line = "kidney-left: left out, 'rib12_tip_left' is missing from this body's landmarks"

    def fit(body, **kwargs):
        anatomy = real(body, **kwargs)
        return structures.Anatomy([s for s in anatomy.structures if s.id != "kidney-left"], [line])

    monkeypatch.setattr(structures, "fit_structures", fit)
    mesh = tmp_path / "other.ply"
    shutil.copy(shipped_mesh_path, mesh)
    shutil.copy(shipped_landmarks_path, tmp_path / "other.landmarks.json")
    xwin.layers.set_xray(True)
    assert xwin.open_mesh(mesh)
    wait(lambda: not xwin.loader.busy and xwin.model.body.mesh_path == mesh, timeout=120,
         message="the other body")
    wait(lambda: xwin.layers.anatomy is not None, timeout=60, message="the fit")
    assert line in xwin.statusBar().currentMessage()
    assert "kidney-left" not in [s.id for s in xwin.view.actors.xray.layer_actors["kidneys"][1]]


def test_a_body_without_landmarks_has_no_x_ray_and_says_why(backview_app, tmp_path,
                                                            shipped_mesh_path):
    from tests.ui.conftest import make_window

    folder = tmp_path / "bare"
    folder.mkdir()
    shutil.copy(shipped_mesh_path, folder / "body.ply")
    bare = make_window(backview_app, tmp_path / "settings.ini", mesh=folder / "body.ply")
    try:
        act = bare.layers.act_xray
        assert not act.isEnabled()
        assert "landmarks" in act.toolTip()
        assert not bare.layers.panel.xray.isEnabled()
        assert "landmarks" in bare.layers.panel.xray.toolTip()
        bare.plotter.setFocus()
        QTest.keyClick(bare.plotter, Qt.Key.Key_X)
        assert not bare.layers.on and bare.layers.anatomy is None
    finally:
        bare.close()
        backview_app.processEvents()


def test_a_session_with_layers_turns_x_ray_on_as_saved(xwin, wait):
    xwin.layers.apply_session(["skin", "kidneys"], 0.5)
    wait(lambda: xwin.layers.anatomy is not None, timeout=60, message="the fit")
    assert xwin.layers.on and xwin.layers.opacity == 50
    assert xwin.layers.shown == {"bones": False, "kidneys": True}
    assert skin(xwin).GetOpacity() == pytest.approx(0.5)
    assert visible(xwin, "kidneys") and not visible(xwin, "bones")
    assert xwin.layers.drawn_layers() == ("skin", "kidneys")
    xwin.layers.apply_session(["skin"], 1.0)
    assert not xwin.layers.on and skin(xwin).GetOpacity() == 1.0


def test_a_lesson_step_shows_its_layers_and_the_users_come_back_after(xwin, wait):
    """The friction step shows the bones through a see-through skin, the pressure step the
    kidneys too; the user's own choice (x-ray off, 60 %) is kept in the settings and comes back
    when the lesson stops."""
    layers = xwin.layers
    layers.set_opacity(60)
    assert xwin.start_lesson()
    ids = [s.id for s in xwin.lesson.lesson.steps]
    xwin.lesson.go(ids.index("friction"))
    wait(lambda: layers.anatomy is not None, timeout=60, message="the structures to be fitted")
    step = xwin.lesson.step
    assert layers.on and layers.drawn_layers() == tuple(step.layers) == ("skin", "bones")
    assert layers.drawn_opacity() == pytest.approx(step.skin_opacity)
    assert visible(xwin, "bones") and not visible(xwin, "kidneys")
    xwin.lesson.go(ids.index("pressure"))
    assert visible(xwin, "bones") and visible(xwin, "kidneys")
    # the step's choice is not the user's: the settings still say off, 60 %
    assert not xwin.settings.xray() and xwin.settings.skin_opacity(35) == 60
    xwin.stop_lesson()
    assert not layers.on and layers.drawn_opacity() == 1.0
    assert not visible(xwin, "bones") and skin(xwin).GetOpacity() == 1.0
    assert layers.opacity == 60
