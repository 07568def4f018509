"""Presentation mode and the guided lesson in the real window, driven by the keys a
presentation clicker sends (PageDown/PageUp, B or ".", Esc) and by the keyboard (F5, Right,
Space, Left): per step the camera, the colours on screen, the caption, the arrows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from viewer.core.camera import preset_camera
from viewer.core.palette import get_palette, hex_to_rgb

pytestmark = pytest.mark.gui


@pytest.fixture
def win(window, backview_app, wait):
    """The module's window in its normal state: not presenting, no lesson, pressure colours."""
    window.leave_presentation()
    window.stop_lesson()
    window.state.set_palette("default")
    window.state.select(None)
    window.state.set_mode("pressure")
    window.view.reset()
    window.view.flush()
    window.activateWindow()
    wait(lambda: QApplication.activeWindow() is window, message="the window to be active")
    backview_app.processEvents()
    yield window
    window.leave_presentation()
    window.stop_lesson()


def press(window, key, target=None) -> None:
    """A key press where a real one would go: the focused widget (the 3D view, usually)."""
    QTest.keyClick(target or QApplication.focusWidget() or window, key)
    QApplication.processEvents()


def settle(window, wait) -> None:
    """Let a change of size (full screen and back) reach the 3D view and its framing."""
    for _ in range(5):
        QApplication.processEvents()
    wait(lambda: not window.view._reframe.isActive(), message="the framing")
    window.view.flush()


def font_px(panel, text: str) -> float:
    """The pixel height of the font of the block that starts with ``text`` in ``panel``."""
    block = panel.document().begin()
    while block.isValid():
        if block.text().startswith(text[:40]):
            font = block.begin().fragment().charFormat().font()
            if font.pixelSize() > 0:
                return float(font.pixelSize())
            return font.pointSizeF() * panel.logicalDpiY() / 72
        block = block.next()
    raise AssertionError(f"no block starting with {text[:40]!r}")


def arrow_actors(window) -> list[str]:
    return [name for name in window.plotter.actors if name.startswith("lesson-arrow-")]


def check_camera(window, view: str) -> None:
    width, height = window.plotter.window_size
    pose = preset_camera(window.view.scene.body, view, width / height)
    cam = window.plotter.camera
    got = np.subtract(cam.focal_point, cam.position)
    want = np.subtract(pose.focal_point, pose.position)
    cos = got @ want / np.linalg.norm(got) / np.linalg.norm(want)
    assert cos > 0.9999, (view, got, want)
    assert np.allclose(cam.focal_point, pose.focal_point, atol=1e-6 * np.linalg.norm(want) + 1e-9)
    assert np.dot(cam.up, pose.view_up) > 0.999
    assert cam.parallel_scale == pytest.approx(pose.parallel_scale, rel=1e-3)


def check_step(window, k: int) -> None:
    lesson = window.lesson.lesson
    step = lesson.steps[k]
    assert window.lesson.index == k
    assert window.state.mode == step.colour_by
    check_camera(window, step.view)
    text = window.lesson_panel.text().replace("\u2029", " ")
    assert f"Step {k + 1} of {len(lesson.steps)}" in text
    assert step.title in text
    assert step.caption in text
    for quote in step.citations:
        assert quote in text
    expected = {window.state.rmap.zone(z).index for z in step.highlight}
    assert set(window.view.actors.highlighted) == expected
    if step.arrows:
        assert window.view.arrow_count >= len(step.arrows)
        assert len(arrow_actors(window)) == window.view.arrow_count
    else:
        assert arrow_actors(window) == []


def spine_colour(window, grab, to_widget) -> np.ndarray:
    """The rendered colour at the spine's label anchor (a median: hatching stripes it)."""
    scene = window.view.scene
    pos = to_widget(window, scene.label_anchor(window.state.rmap.zone("spine").index))
    ratio = window.plotter.devicePixelRatioF()
    x, y = round(pos.x() * ratio), round(pos.y() * ratio)
    image = grab(window)
    return np.median(image[y - 6:y + 7, x - 6:x + 7].reshape(-1, 3), axis=0)


def expected_spine(window, step) -> np.ndarray:
    scene = window.view.scene
    highlighted = [window.state.rmap.zone(z).index for z in step.highlight]
    cell = int(np.flatnonzero(scene.zone_of_cell == window.state.rmap.zone("spine").index)[0])
    rgb = np.asarray(scene.cell_colours(step.colour_by, highlighted, "default"))[cell]
    return rgb * (255.0 if rgb.max() <= 1.0 else 1.0)


def chroma(rgb) -> np.ndarray:
    rgb = np.asarray(rgb, float)
    return rgb / max(rgb.sum(), 1.0)


# --------------------------------------------------------------------------- presentation
def test_f5_presents_full_screen_with_large_text_and_esc_restores_the_window(win, wait):
    size_before, pos_before = win.size(), win.pos()
    win.act_lesson.trigger()  # the lesson in the window first: normal text sizes
    assert win.lesson.index == 0
    caption = win.lesson.step.caption
    normal_px = font_px(win.lesson_panel, caption)
    win.stop_lesson()

    press(win, Qt.Key.Key_F5, win)
    settle(win, wait)
    screen = win.screen().geometry()
    assert win.presenting and win.isFullScreen()
    assert win.geometry().size() == screen.size()
    for chrome in (win.menuBar(), win.toolbar, win.statusBar(), win.left_dock, win.zone_dock,
                   win.safety_dock, win.zone_list):
        assert not chrome.isVisible(), chrome.objectName()
    for shown in (win.plotter, win.lesson_dock, win.lesson_panel, win.present_legend):
        assert shown.isVisible(), shown.objectName()
    assert win.lesson.index == 0  # the lesson starts at step 1
    # the caption reads at 6 m: 3-4 % of the screen's height, far larger than in the window
    big_px = font_px(win.lesson_panel, caption)
    assert 0.03 * screen.height() <= big_px <= 0.045 * screen.height()
    assert big_px > 1.8 * normal_px
    assert win.present_legend.title.font().pixelSize() >= 0.025 * screen.height()
    assert win.lesson_dock.width() >= 0.3 * screen.width()

    press(win, Qt.Key.Key_Escape)
    settle(win, wait)
    assert not win.presenting and not win.isFullScreen()
    assert win.size() == size_before
    for chrome in (win.menuBar(), win.toolbar, win.statusBar(), win.left_dock, win.zone_list):
        assert chrome.isVisible(), chrome.objectName()
    # the lesson presentation mode started ends with it: no arrows, no highlight
    assert not win.lesson.running and not win.lesson_dock.isVisible()
    assert arrow_actors(win) == [] and win.view.actors.highlighted == ()
    check_camera(win, "back")  # framed for the window's size again
    assert win.pos() == pos_before or abs(win.pos().x() - pos_before.x()) < 40


def test_clicker_keys_walk_the_lesson_camera_colours_caption_arrows(win, wait, grab, to_widget):
    win.view.orbit(40, 10)  # turned by hand: each step must set its own camera
    press(win, Qt.Key.Key_F5, win)
    settle(win, wait)
    check_step(win, 0)
    assert win.lesson.step.id == "prepare" and arrow_actors(win) == []
    # the 3D view has the focus and swallows keys: the clicker's must reach the lesson anyway
    assert QApplication.focusWidget() is win.plotter
    seen = {}
    for key, k in ((Qt.Key.Key_PageDown, 1), (Qt.Key.Key_Right, 2), (Qt.Key.Key_Space, 3),
                   (Qt.Key.Key_PageUp, 2), (Qt.Key.Key_Left, 1), (Qt.Key.Key_PageDown, 2),
                   (Qt.Key.Key_PageDown, 3)):
        win.view.orbit(-30, 8)
        press(win, key)
        check_step(win, k)
        step = win.lesson.step
        if step.id in ("effleurage", "friction"):
            seen[step.id] = (grab(win), spine_colour(win, grab, to_widget), expected_spine(win, step))
        # the friction step shows the bones to work around through a see-through skin (the
        # lesson's layers); effleurage the skin alone
        assert win.layers.drawn_layers() == tuple(step.layers), step.id
        assert win.layers.drawn_opacity() == pytest.approx(step.skin_opacity, abs=0.01)
    # the picture changes between effleurage and friction, and the spine shows each step's
    # colour (light only: yellow; avoid: vermillion)
    (eff_img, eff_px, eff_want), (fri_img, fri_px, fri_want) = seen["effleurage"], seen["friction"]
    changed = (np.abs(fri_img - eff_img).sum(axis=-1) > 40).mean()
    assert changed > 0.03, f"only {changed:.2%} of the pixels changed"
    wants = np.array([chroma(eff_want), chroma(fri_want)])
    assert np.linalg.norm(wants[0] - wants[1]) > 0.05
    assert np.argmin(np.linalg.norm(wants - chroma(eff_px), axis=1)) == 0, eff_px
    # through the friction step's see-through skin the spine's vermillion is mixed with the
    # bone behind it: nearer vermillion than the effleurage step's spine is, all the same
    assert (np.linalg.norm(wants[1] - chroma(fri_px)) < np.linalg.norm(wants[1] - chroma(eff_px))
            ), (eff_px, fri_px)
    # the last step stays the last, the first the first
    for _ in range(len(win.lesson.lesson.steps) + 1):
        press(win, Qt.Key.Key_PageDown)
    check_step(win, len(win.lesson.lesson.steps) - 1)


def test_b_and_period_black_out_the_screen_and_back(win, wait):
    press(win, Qt.Key.Key_F5, win)
    settle(win, wait)
    press(win, Qt.Key.Key_PageDown)
    view_before = win.plotter.camera.position

    def picture():
        image = win.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        w, h, stride = image.width(), image.height(), image.bytesPerLine()
        data = np.frombuffer(image.constBits(), np.uint8, count=stride * h).reshape(h, stride)
        return data[:, :w * 3].reshape(h, w, 3).astype(int)

    assert picture().mean() > 100  # a light screen
    press(win, Qt.Key.Key_B)
    assert win.blackout.isVisible()
    black = picture()
    assert black.max() < 10 and black.shape[0] >= win.height() - 2
    assert win.lesson.index == 1 and win.plotter.camera.position == view_before  # B is not "Back"
    press(win, Qt.Key.Key_Period)
    assert not win.blackout.isVisible()
    assert picture().mean() > 100
    press(win, Qt.Key.Key_Period)
    assert win.blackout.isVisible()
    press(win, Qt.Key.Key_Escape)  # leaving also lifts the blackout
    assert not win.presenting and not win.blackout.isVisible()


def test_presenting_keeps_a_running_lesson_and_follows_the_high_contrast_theme(win, wait, grab):
    win.act_lesson.trigger()
    press(win, Qt.Key.Key_PageDown, win)  # the window's own Next step
    assert win.lesson.index == 1
    press(win, Qt.Key.Key_F5, win)
    settle(win, wait)
    assert win.lesson.index == 1  # not back to step 1
    check_step(win, 1)

    for name in ("default", "high-contrast"):
        press(win, Qt.Key.Key_H) if name != win.state.palette else None
        assert win.state.palette == name
        QApplication.processEvents()
        colours = get_palette(name)
        panel = win.lesson_panel.viewport().grab().toImage()
        corner = panel.pixelColor(4, panel.height() - 4)
        assert (corner.red(), corner.green(), corner.blue()) == hex_to_rgb(colours.background)
        assert f"color:{colours.text}" in win.lesson_panel.toHtml().replace(" ", "") or \
            colours.text.lstrip("#").lower() in win.lesson_panel.toHtml().lower()
        check_step(win, 1)  # the theme changes no step, camera or arrows
        assert grab(win).shape[0] > 0.9 * win.height()
    press(win, Qt.Key.Key_Escape)
    # the lesson ran before presenting: it still runs, in the window
    assert win.lesson.index == 1 and win.lesson_dock.isVisible() and arrow_actors(win)
    win.act_lesson.trigger()
    assert not win.lesson.running and arrow_actors(win) == []


def test_lesson_and_presentation_are_in_the_view_menu_and_help(win):
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    assert {win.act_lesson, win.act_present, win.act_next, win.act_previous} <= set(view_menu.actions())
    rows = win.shortcut_rows()
    keys = {k for _, k, _ in rows}
    assert {"F5", "PgDown", "PgUp"} <= {k.replace("Page Down", "PgDown") for k in keys} | keys
    assert any("Black screen" in what for _, _, what in rows)
