"""The real window on the shipped mesh and map, driven the way a learner drives it: clicks at
the screen position of known zones, hovers, keys, the zone list, the colour-mode buttons."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from viewer.core.camera import preset_camera
from viewer.core.palette import COLOUR_MODES, hex_to_rgb, legend, zone_category, zone_colour
from viewer.core.regionmap import Stroke
from viewer.core.zones import NO_ZONE

pytestmark = pytest.mark.gui

#: zones clicked in the tests: the spine, both sides of a pair (a mirrored pick would swap
#: them), the kidney area and the neck
CLICKED = ("spine", "paraspinal-left", "paraspinal-right", "kidney-left", "kidney-right", "neck")


def anchor_pos(window, to_widget, zone_id: str) -> QPoint:
    scene = window.view.scene
    return to_widget(window, scene.label_anchor(window.state.rmap.zone(zone_id).index))


def panel_row(text: str, key: str) -> str:
    """The words after ``key`` in the panel's table (the colour chip between is skipped)."""
    lines = [line for line in text.splitlines() if line.strip("\ufffc ")]
    return lines[lines.index(key) + 1]


def click(window, pos: QPoint) -> None:
    QTest.mouseClick(window.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


# --------------------------------------------------------------------------- clicking
@pytest.mark.parametrize("zone_id", CLICKED)
def test_click_on_a_zone_selects_it_and_fills_the_panel(win, to_widget, wait, zone_id):
    zone = win.state.rmap.zone(zone_id)
    click(win, anchor_pos(win, to_widget, zone_id))

    assert win.state.zone_id == zone_id
    text = win.zone_panel.text()
    assert text.startswith(zone.name)
    assert panel_row(text, "Pressure") == zone.pressure.label
    for stroke in Stroke:
        assert panel_row(text, stroke.label) == zone.strokes[stroke].label
    assert zone.spec.technique in text
    for caution in zone.spec.cautions:
        assert caution in text
    for citation in zone.spec.citations:
        assert citation in text.replace("\u2029", " ")
    assert win.zone_list.selected_id() == zone_id
    # the 3D view follows with one render: the zone is highlighted
    wait(lambda: win.view.actors.selected == zone.index, message="the highlight")


def test_panel_shows_notes_where_the_guide_is_silent(win):
    zone = next(z for z in win.state.rmap.zones if z.spec.notes)
    win.state.select(zone.id)
    text = win.zone_panel.text()
    assert "Where the guide is silent" in text
    assert zone.spec.notes[0] in text


def test_clicking_the_background_clears_the_selection(win, to_widget, wait):
    click(win, anchor_pos(win, to_widget, "paraspinal-left"))
    assert win.state.zone_id == "paraspinal-left"
    click(win, QPoint(8, 8))  # the corner of the 3D view: background
    assert win.state.zone_id is None
    assert win.zone_list.selected_id() is None
    assert "Click a zone" in win.zone_panel.text()
    wait(lambda: win.view.actors.selected is None, message="the highlight to go")


def test_clicking_skin_outside_every_zone_clears_the_selection(win, to_widget):
    scene = win.view.scene
    frame = scene.geometry.frame
    # the buttock, below S2 and to the left: skin without a zone, facing the camera
    target = scene.landmark_point("spinous_S2") + (-0.08 * frame.up + 0.07 * frame.left) / scene.geometry.scale
    facing = (scene.cell_normals @ frame.back) > 0.9
    candidates = np.flatnonzero(facing)
    cell = candidates[np.argmin(np.linalg.norm(scene.cell_centres[candidates] - target, axis=1))]
    assert scene.zone_of_cell[cell] == NO_ZONE  # precondition of the test itself
    win.state.select("spine")
    click(win, to_widget(win, scene.cell_centres[cell]))
    assert win.state.zone_id is None


def test_a_drag_turns_the_body_and_does_not_select(win, to_widget):
    start = anchor_pos(win, to_widget, "paraspinal-left")
    before = np.array(win.plotter.camera.position)
    QTest.mousePress(win.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(win.plotter, start + QPoint(20 * step, 0))
    QTest.mouseRelease(win.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(100, 0))
    assert win.state.zone_id is None
    assert not np.allclose(before, win.plotter.camera.position)
    assert win.view.caption.text().startswith("Turned by hand")


def test_escape_clears_the_selection(win, qtbot):
    win.state.select("neck")
    win.activateWindow()
    qtbot.waitActive(win)
    QTest.keyClick(win.plotter, Qt.Key.Key_Escape)
    assert win.state.zone_id is None


# --------------------------------------------------------------------------- hovering
def test_hover_names_the_zone_in_the_status_bar(win, to_widget, wait):
    zone = win.state.rmap.zone("kidney-left")
    QTest.mouseMove(win.plotter, anchor_pos(win, to_widget, "kidney-left"))
    wait(lambda: zone.name in win.hover_label.text(), timeout=5, message="the hover text")
    assert win.state.zone_id is None  # hovering does not select
    QTest.mouseMove(win.plotter, QPoint(8, 8))
    wait(lambda: win.hover_label.text() == "", timeout=5, message="the hover text to clear")


def test_hover_is_throttled(win, to_widget, wait, monkeypatch):
    """A burst of mouse moves costs a few picks, not one per move."""
    calls = []
    real = win.view.zone_at
    monkeypatch.setattr(win.view, "zone_at", lambda pos: calls.append(pos) or real(pos))
    start = anchor_pos(win, to_widget, "paraspinal-right")
    for i in range(60):
        QTest.mouseMove(win.plotter, start + QPoint(i % 7, i % 5))
    QTest.qWait(250)
    assert 1 <= len(calls) <= 6, len(calls)


# --------------------------------------------------------------------------- zone list
def test_list_selection_selects_on_the_model(win, wait):
    zone = win.state.rmap.zone("lower-back")
    row = next(r for r in range(win.zone_list.proxy.rowCount())
               if win.zone_list.visible_ids()[r] == zone.id)
    index = win.zone_list.proxy.index(row, 0)
    view = win.zone_list.view
    view.scrollTo(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.visualRect(index).center())
    assert win.state.zone_id == zone.id
    assert zone.name in win.zone_panel.text()
    wait(lambda: win.view.actors.selected == zone.index, message="the highlight")


def test_model_selection_selects_in_the_list(win):
    win.state.select("neck")
    assert win.zone_list.selected_id() == "neck"
    win.state.select("side-right")
    assert win.zone_list.selected_id() == "side-right"
    win.state.select(None)
    assert win.zone_list.selected_id() is None


def test_search_filters_the_list_and_keeps_the_selection(win):
    win.state.select("kidney-left")
    QTest.keyClicks(win.zone_list.search, "kidney")
    assert win.zone_list.visible_ids() == ["kidney-left", "kidney-right"]
    assert win.zone_list.selected_id() == "kidney-left"
    win.zone_list.search.setText("trapez")
    assert all("trapezius" in z for z in win.zone_list.visible_ids())
    assert win.state.zone_id == "kidney-left"  # filtered out of the list, still selected
    win.zone_list.search.clear()
    assert win.zone_list.selected_id() == "kidney-left"
    assert len(win.zone_list.visible_ids()) == len(win.state.rmap.zones)


def test_enter_in_the_search_box_selects_the_first_match(win):
    win.zone_list.search.setText("neck")
    QTest.keyClick(win.zone_list.search, Qt.Key.Key_Return)
    assert win.state.zone_id == "neck"


# --------------------------------------------------------------------------- colour modes
def pixel(image, pos: QPoint, ratio: float) -> np.ndarray:
    x, y = round(pos.x() * ratio), round(pos.y() * ratio)
    return image[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3).mean(axis=0)


def test_colour_mode_keys_change_the_pixels_and_the_legend(win, qtbot, grab):
    win.activateWindow()
    qtbot.waitActive(win)
    before = grab(win)
    legend_before = win.legend.texts()
    QTest.keyClick(win, Qt.Key.Key_2)
    assert win.state.mode == "stroke:petrissage"
    assert win.mode_actions["stroke:petrissage"].isChecked()
    after = grab(win)
    changed = (np.abs(after - before).sum(axis=-1) > 40).mean()
    assert changed > 0.01, f"only {changed:.2%} of the pixels changed"
    assert win.legend.texts() != legend_before
    assert win.legend.title.text() == "Petrissage: where and how"
    QTest.keyClick(win, Qt.Key.Key_P)
    assert win.state.mode == "pressure"
    assert np.abs(grab(win) - before).sum(axis=-1).max() < 40  # back to the same picture


@pytest.mark.parametrize("mode", COLOUR_MODES)
def test_every_zone_shows_its_legend_colour(win, to_widget, grab, mode):
    """The legend matches the screen: at each zone's label anchor the rendered colour is the
    legend colour of that zone's category (the nearest legend colour, shading aside)."""
    win.mode_actions[mode].trigger()
    image = grab(win)
    entries = win.legend.entries
    assert entries == legend(mode, win.state.rmap)
    palette = np.array([hex_to_rgb(e.colour) for e in entries], float)
    ratio = win.plotter.devicePixelRatioF()
    checked = 0
    for zone in win.state.rmap.zones:
        colour = pixel(image, anchor_pos(win, to_widget, zone.id), ratio)
        if zone.id.startswith("side"):
            continue  # seen edge-on from behind: shading darkens it too much to judge
        expected = [e.key for e in entries].index(zone_category(zone, mode))
        # compare chromaticity: light and shade scale the colour, the hue stays
        chroma = palette / palette.sum(axis=1, keepdims=True)
        got = colour / max(colour.sum(), 1)
        nearest = int(np.argmin(np.linalg.norm(chroma - got, axis=1)))
        assert nearest == expected, (zone.id, colour, entries[nearest].label, zone_colour(zone, mode))
        checked += 1
    assert checked >= 15


def test_toolbar_has_every_colour_mode_and_view(win):
    texts = [a.iconText() for a in win.toolbar.actions()]
    for label in ("Pressure", "Effleurage", "Petrissage", "Friction", "Back", "Top", "Reset"):
        assert label in texts


def qimage_rgb(image) -> np.ndarray:
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    return data[:, :w * 3].reshape(h, w, 3).astype(int)


def test_legend_hatches_the_avoid_swatch(win):
    """In the legend as drawn, the "avoid" chip is striped with the skin's hatch colour and its
    row says so; the other chips are plain."""
    from viewer.core.palette import get_palette

    win.state.set_mode("pressure")
    win.legend.repaint()
    shown = win.legend.grab()
    ratio = shown.devicePixelRatio()
    picture = qimage_rgb(shown.toImage())
    hatch = np.array(hex_to_rgb(get_palette("default").hatch))
    keys = [e.key for e in win.legend.entries]
    assert "avoid" in keys
    for row, entry in enumerate(win.legend.entries):
        chip = win.legend.rows.itemAtPosition(row, 0).widget().geometry()
        text = win.legend.rows.itemAtPosition(row, 1).widget().text()
        x0, y0 = round(chip.x() * ratio), round(chip.y() * ratio)
        x1, y1 = round((chip.x() + chip.width()) * ratio), round((chip.y() + chip.height()) * ratio)
        inside = picture[y0 + 4:y1 - 4, x0 + 4:x1 - 4].reshape(-1, 3)
        striped = (np.abs(inside - hatch).sum(axis=1) < 90).mean()
        fill = (np.abs(inside - np.array(hex_to_rgb(entry.colour))).sum(axis=1) < 30).mean()
        if entry.key == "avoid":
            assert striped > 0.08 and fill > 0.15, (striped, fill)
            assert "striped" in text
        else:
            assert striped == 0 and fill > 0.6, (entry.key, striped, fill)
            assert "striped" not in text


# --------------------------------------------------------------------------- camera, help
@pytest.mark.parametrize("key, view", [(Qt.Key.Key_L, "left"), (Qt.Key.Key_BracketRight, "oblique-right"),
                                       (Qt.Key.Key_T, "top")])
def test_camera_preset_keys(win, qtbot, key, view):
    win.activateWindow()
    qtbot.waitActive(win)
    QTest.keyClick(win, key)
    aspect = win.plotter.window_size[0] / win.plotter.window_size[1]
    pose = preset_camera(win.view.scene.body, view, aspect)
    assert np.allclose(win.plotter.camera.position, pose.position)
    from viewer.ui.view3d import VIEW_CAPTIONS

    assert win.view.caption.text() == VIEW_CAPTIONS[view] and win.view.caption.isVisible()
    QTest.keyClick(win, Qt.Key.Key_Home)
    back = preset_camera(win.view.scene.body, "back", aspect)
    assert np.allclose(win.plotter.camera.position, back.position)


def test_zoom_is_smooth_and_bounded(win, wait):
    start = win.plotter.camera.parallel_scale
    end = start / 1.25
    seen = set()

    def done() -> bool:
        scale = win.plotter.camera.parallel_scale
        seen.add(round(scale, 12))
        return abs(scale - end) < 1e-9

    win.act_zoom_in.trigger()
    wait(done, timeout=5, message="the zoom to end")
    steps = [s for s in seen if end + 1e-9 < s < start - 1e-9]
    assert len(steps) >= 1, sorted(seen)  # animated: the camera passed between, not one jump
    for _ in range(30):
        win.view.zoom(2.0, animated=False)
    assert win.plotter.camera.parallel_scale == pytest.approx(start * 0.2)


def test_shortcuts_dialog_lists_every_shortcut(win):
    dialog = win.shortcuts_dialog()
    table = dialog.table
    cells = [table.item(r, c).text() for r in range(table.rowCount()) for c in range(2)
             if table.item(r, c)]
    shortcuts = [a for a in list(win.actions()) + win.orbit_actions if a.shortcuts()]
    assert len(shortcuts) >= 20
    for action in shortcuts:
        name = action.text().replace("&", "").replace("…", "")
        assert name in cells, name
        assert action.shortcut().toString() in " ".join(cells) or \
            action.shortcut().toString(action.shortcut().SequenceFormat.NativeText) in " ".join(cells)
    for key in ("P", "1", "2", "3", "Esc", "B", "Home"):
        assert any(key in c.split(", ") for c in cells), key
    assert "Click a zone" in cells
    dialog.deleteLater()


def test_vtk_keys_do_not_reach_the_3d_view(win):
    """'w' would switch VTK to wireframe, 'e'/'q' would quit: the 3D view ignores them."""
    style = win.view.actors.body_actor.GetProperty().GetRepresentation()
    for key in (Qt.Key.Key_W, Qt.Key.Key_S, Qt.Key.Key_E, Qt.Key.Key_Q):
        QTest.keyClick(win.plotter, key)
    assert win.view.actors.body_actor.GetProperty().GetRepresentation() == style
    assert win.isVisible()


def test_a_click_costs_one_render(win, to_widget, wait):
    """Picking renders nothing; the highlight is drawn with a single render()."""
    QTest.qWait(300)  # let repaints left over from earlier tests happen first
    frames = []
    observer = win.plotter.render_window.AddObserver("EndEvent", lambda *a: frames.append(1))
    try:
        click(win, anchor_pos(win, to_widget, "lower-back"))
        assert win.state.zone_id == "lower-back"
        assert not frames  # the panel is filled before any frame is drawn
        drawn = []
        win.view.updated.connect(lambda: drawn.append(1))
        wait(lambda: drawn, message="the highlight frame")
        QTest.qWait(150)
        assert len(frames) == 1
        assert win.view.actors.selected == win.state.rmap.zone("lower-back").index
    finally:
        win.plotter.render_window.RemoveObserver(observer)


def test_arrow_keys_turn_the_body_when_the_3d_view_has_the_focus(win, qtbot):
    win.activateWindow()
    qtbot.waitActive(win)
    win.plotter.setFocus()
    before = np.array(win.plotter.camera.position)
    QTest.keyClick(win.plotter, Qt.Key.Key_Right)
    assert not np.allclose(before, win.plotter.camera.position)
    # in the zone list the arrows move through the list, not the camera
    win.zone_list.view.setFocus()
    win.state.select("neck")
    moved = np.array(win.plotter.camera.position)
    QTest.keyClick(win.zone_list.view, Qt.Key.Key_Down)
    assert np.allclose(moved, win.plotter.camera.position)
    assert win.state.zone_id == win.zone_list.visible_ids()[2]


def test_high_contrast_colours_for_projectors(win, qtbot, grab):
    from viewer.core.palette import get_palette

    win.activateWindow()
    qtbot.waitActive(win)
    before = grab(win)
    QTest.keyClick(win, Qt.Key.Key_H)
    try:
        assert win.state.palette == "high-contrast" and win.act_contrast.isChecked()
        assert win.legend.entries == legend("pressure", win.state.rmap, "high-contrast")
        after = grab(win)
        assert win.view.actors.palette.name == "high-contrast"
        assert (np.abs(after - before).sum(axis=-1) > 40).mean() > 0.05
        assert tuple(after[3, 3]) == hex_to_rgb(get_palette("high-contrast").background)
        assert win.settings.palette() == "high-contrast"
    finally:
        QTest.keyClick(win, Qt.Key.Key_H)
    assert win.state.palette == "default"


def test_no_two_actions_share_a_shortcut(win):
    """Qt silently ignores an ambiguous shortcut: every key must do exactly one thing."""
    seen = {}
    for action in list(win.actions()) + win.orbit_actions:
        for key in action.shortcuts():
            name = key.toString()
            assert name not in seen, f"{name}: {seen.get(name)} and {action.text()}"
            seen[name] = action.text()
