"""A mesh without landmarks opens in the window: plain skin, framed on the mesh, a bar saying
zones need landmarks (with the ways to get them), and nothing that needs zones (list, legend,
lessons, export). Fitting and loading landmarks from that bar: tests/ui/test_window_fitting.py."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from viewer.core.palette import get_palette, hex_to_rgb

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def bare(backview_app, tmp_path_factory, shipped_mesh_path):
    """The window on the shipped torso copied to a folder without its landmarks file."""
    from tests.ui.conftest import make_window

    folder = tmp_path_factory.mktemp("bare")
    body = folder / "body.ply"
    shutil.copy(shipped_mesh_path, body)
    win = make_window(backview_app, folder / "settings.ini", mesh=body)
    yield win
    win.close()
    backview_app.processEvents()


def centre_pos(win) -> QPoint:
    return QPoint(win.plotter.width() // 2, win.plotter.height() // 2)


NO_ZONES = ("No landmarks for body.ply: zones need them — fit them automatically or load a "
            "landmarks file (File menu)")


def test_the_bar_says_zones_need_landmarks_and_offers_both_ways(bare):
    assert not bare.model.zoned
    bar = bare.fitting.bar
    assert bar.isVisible() and not bare.view.banner.isVisible()
    assert bar.text.text() == "No landmarks for body.ply: zones need them."
    for button, words in ((bar.fit_button, "Fit automatically"),
                          (bar.load_button, "Load a landmarks file…")):
        assert button.isVisible() and button.isEnabled()
        assert button.text().replace("&", "") == words
    # above the 3D view, not over it: the body is not hidden behind the bar
    assert bar.geometry().bottom() < bare.plotter.geometry().top()
    assert bare.fitting.act_fit.isEnabled() and bare.fitting.act_load.isEnabled()
    assert "body.ply" in bare.windowTitle()


def test_the_body_shows_in_plain_skin_colour_in_the_middle(bare, grab):
    image = grab(bare)
    h, w, _ = image.shape
    skin = np.array(hex_to_rgb(get_palette("default").no_zone))
    middle = image[h // 3: 2 * h // 3, w // 3: 2 * w // 3].reshape(-1, 3)
    # lit skin: its hue stays that of the skin colour (r >= g >= b, little saturation)
    near = np.abs(middle - skin).max(axis=1) < 60
    assert near.mean() > 0.3, "the body, framed on its bounds, fills the middle of the view"
    assert not bare.plotter.renderer.actors.get("borders")


def test_nothing_that_needs_zones_is_offered(bare):
    assert bare.zone_list.visible_ids() == []
    assert not bare.zone_list.isEnabled() and not bare.legend.isEnabled()
    for act in (bare.act_lesson, bare.act_present, *bare.mode_actions.values()):
        assert not act.isEnabled(), act.text()
    assert bare.start_lesson() is False


def test_a_click_on_the_body_says_there_are_no_zones(bare, qtbot):
    qtbot.mouseClick(bare.plotter, Qt.MouseButton.LeftButton, pos=centre_pos(bare))
    assert bare.state.zone_id is None
    assert "No zones" in bare.statusBar().currentMessage()
    assert "fit them automatically" in bare.statusBar().currentMessage()


def test_colour_keys_views_and_zoom_do_not_break_it(bare, qtbot, backview_app, grab):
    bare.plotter.setFocus()
    for key in (Qt.Key.Key_P, Qt.Key.Key_1, Qt.Key.Key_B, Qt.Key.Key_Left, Qt.Key.Key_Plus):
        qtbot.keyClick(bare, key)
    backview_app.processEvents()
    assert bare.state.mode == "pressure" and bare.fitting.bar.isVisible()
    assert grab(bare).std() > 5  # still a picture, not a blank view


def test_export_refuses_in_one_line_naming_the_file(bare, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda parent, title, text, *a, **k: shown.append(text)))
    assert bare.export_image() is None
    assert shown == [NO_ZONES]
