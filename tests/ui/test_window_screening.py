"""View → Before you start, in the real window: the questions, the postpone banner, the reason a
limited zone's panel gives, marks placed, dragged, resized, deleted and undone on the skin, and
sessions and exports that keep them.

They run against the shipped map's conditions and the real core (viewer.core.screening).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from viewer.core import screening as core
from viewer.core.screening import Screening

FEVER = ("Individuals experiencing an acute fever, recent severe trauma, or active inflammation "
         "should postpone the massage until symptoms resolve.")
SKIN = ("Never perform a massage over areas with broken skin, active rashes, or unexplained "
        "bruising, as this risks infection or further tissue damage.")


@pytest.fixture
def scr(win, monkeypatch, backview_app):
    """The window's screening, reset: no answers, no marks, the dock shown."""
    model = win.model
    assert {"fever", "bruising", "dvt"} <= {c.id for c in core.conditions(model.rmap)}
    controller = win.screening
    controller.set_placing(False)
    controller._mesh = None  # start afresh: no marks, no undo
    controller.answers = set()
    controller._on_model(model)
    if controller.dock.isHidden():
        controller.act_dock.trigger()  # View > Before you start
    controller.dock.raise_()
    win.view.flush()
    backview_app.processEvents()
    yield controller
    controller.set_placing(False)
    controller.set_answers([])
    controller.marks = []
    controller.stack.clear()
    controller.apply()
    controller.dock.hide()


def zone_point(win, zone_id: str) -> np.ndarray:
    from viewer.ui.screening import zone_point as middle

    return middle(win.model, zone_id)


def click(win, pos: QPoint) -> None:
    QTest.mouseClick(win.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def drag(win, start: QPoint, end: QPoint, steps: int = 6, during=None) -> None:
    plotter = win.plotter
    QTest.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(plotter, start + (end - start) * (i / steps))
        QTest.qWait(20)
    if during is not None:
        during()
    QTest.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_the_dock_asks_the_maps_questions_grouped_by_what_they_do(scr, win):
    assert scr.dock.isVisible()
    assert scr.act_dock in win.view_menu.actions()
    boxes = scr.panel.boxes
    assert {"fever", "bruising", "dvt"} <= set(boxes)
    assert scr.panel.labels["dvt"].text() == scr.condition("dvt").question
    # a click on the question ticks its box, and unticks it
    QTest.mouseClick(scr.panel.labels["dvt"], Qt.MouseButton.LeftButton)
    assert boxes["dvt"].isChecked() and "dvt" in scr.answers
    QTest.mouseClick(scr.panel.labels["dvt"], Qt.MouseButton.LeftButton)
    assert not boxes["dvt"].isChecked() and "dvt" not in scr.answers
    texts = [w.text() for w in scr.panel.findChildren(type(scr.panel.hint))
             if w.objectName() == "screeningGroup"]
    assert texts == ["Postpone the massage", "Avoid an area", "Limit the pressure"]
    # the marks' part only once an area condition applies
    assert not scr.panel.marks_box.isVisible()
    boxes["bruising"].click()
    assert scr.panel.marks_box.isVisible() and scr.panel.place_button.isEnabled()


def test_ticking_dvt_says_why_the_lower_back_is_reduced(scr, win, to_widget, backview_app):
    scr.panel.boxes["dvt"].click()
    assert "dvt" in scr.screening().conditions
    win.view.flush()
    click(win, to_widget(win, zone_point(win, "lower-back")))
    backview_app.processEvents()
    assert win.state.zone_id == "lower-back"
    text = win.zone_panel.text()
    assert "Reduced: history of DVT" in text
    assert "dislodge a blood clot" in text  # the guide's sentence behind it
    # the table gives the values that apply now, not the zone's own (moderate, allowed)
    assert "Light (reduced: history of DVT; the zone's own: Moderate)" in text
    assert "Light only (reduced: history of DVT; the zone's own: Allowed)" in text
    # picked from the list, the same
    win.state.select(None)
    win.state.select("lower-back")
    assert "Reduced: history of DVT" in win.zone_panel.text()
    assert "Light (reduced: history of DVT" in win.zone_panel.text()
    # elsewhere, nothing is reduced
    win.state.select("upper-trapezius-left")
    assert "Reduced" not in win.zone_panel.text()
    # unticked: the lower back is itself again
    scr.panel.boxes["dvt"].click()
    win.state.select("lower-back")
    text = win.zone_panel.text()
    assert "Reduced" not in text and "reduced" not in text and "Moderate" in text


def test_fever_shows_the_postpone_banner_with_the_guides_sentence(scr, win):
    assert not scr.banner.isVisible()
    scr.panel.boxes["fever"].click()
    assert scr.banner.isVisible()
    text = scr.banner_text()
    assert text.startswith("Postpone the massage")
    assert FEVER in text  # the guide's sentence, whole
    # over the 3D view, inside it, and wide enough to read
    geo = scr.banner.geometry()
    assert scr.banner.parent() is win.plotter
    assert win.plotter.rect().contains(geo) and geo.width() >= 300
    scr.panel.boxes["fever"].click()
    assert not scr.banner.isVisible()


def test_a_mark_is_placed_by_a_click_and_sized_by_a_drag_then_undone(scr, win, to_widget,
                                                                    backview_app):
    scr.panel.boxes["bruising"].click()
    scr.panel.place_button.click()
    assert scr.placing
    camera = np.array(win.plotter.camera.position)
    point = zone_point(win, "middle-trapezius-left")
    start = to_widget(win, point)
    seen = []
    drag(win, start, start + QPoint(40, 0),
         during=lambda: seen.append((scr.radius_label.isVisible(), scr.radius_label.text())))
    backview_app.processEvents()
    assert seen[0][0] and seen[0][1].startswith("Radius ") and seen[0][1].endswith(" cm")
    assert not scr.radius_label.isVisible()
    assert len(scr.marks) == 1
    mark = scr.marks[0]
    assert mark.condition == "bruising"
    assert np.linalg.norm(mark.at - point) * win.model.body.unit < 0.01  # where clicked (< 1 cm)
    assert 2.0 < mark.radius_cm < 30.0
    assert seen[-1][1] == f"Radius {mark.radius_cm:.1f} cm"  # what the drag showed last
    assert np.allclose(np.array(win.plotter.camera.position), camera)  # the body did not turn
    assert {"mark-0", "mark-outline-0", "mark-label-0-labels"} <= set(scr.mark_actor_names())
    assert scr.panel.list.count() == 1 and "Unexplained bruising" in scr.panel.list.item(0).text()
    # the core saw it: the faces under it are marked
    assert (scr.screened.face_mark >= 0).any()
    assert scr.stack.count() == 1

    # undo removes it, redo puts it back exactly
    win.landmark_editor.act_undo.trigger()
    assert scr.marks == [] and "mark-0" not in scr.mark_actor_names()
    assert scr.panel.list.count() == 0
    win.landmark_editor.act_redo.trigger()
    assert len(scr.marks) == 1 and np.array_equal(scr.marks[0].at, mark.at)
    assert scr.marks[0].radius_cm == mark.radius_cm

    # a drag of its rim resizes it; of its middle moves it
    rim = scr.marks[0].at + np.array([1.0, 0, 0]) * mark.radius_cm / 100 / win.model.body.unit
    rim_pos = to_widget(win, rim)
    out = rim_pos - to_widget(win, scr.marks[0].at)  # away from the centre, on screen
    assert out.manhattanLength() > 5
    drag(win, rim_pos, rim_pos + out * (25 / max(abs(out.x()), abs(out.y()))))
    assert scr.marks[0].radius_cm > mark.radius_cm + 1.0
    assert np.array_equal(scr.marks[0].at, mark.at)
    drag(win, start, start + QPoint(0, 40))
    assert np.linalg.norm(scr.marks[0].at - mark.at) * win.model.body.unit > 0.02
    assert scr.marks[0].at[1] < mark.at[1]  # down the back
    assert scr.stack.count() == 3

    # labelled, then deleted with Del and undone
    scr.select_mark(0)
    scr.panel.note_edit.setText("Bruise, left shoulder blade")
    scr.panel.note_edit.editingFinished.emit()
    assert scr.marks[0].note == "Bruise, left shoulder blade"
    assert "Bruise, left shoulder blade" in scr.panel.list.item(0).text()
    scr.act_delete.trigger()
    assert scr.marks == []
    win.landmark_editor.act_undo.trigger()
    assert scr.marks[0].note == "Bruise, left shoulder blade"


def test_a_click_on_a_marked_area_names_the_condition_and_the_guide(scr, win, to_widget,
                                                                   backview_app):
    scr.panel.boxes["bruising"].click()
    point = zone_point(win, "middle-trapezius-left")
    scr.add_mark(point, 4.0, "Bruise")
    scr.set_placing(False)
    click(win, to_widget(win, point))
    backview_app.processEvents()
    backview_app.processEvents()
    text = win.zone_panel.text()
    assert "Marked area: avoid" in text
    assert "Mark 1: Bruise" in text
    assert "unexplained bruising" in text.lower() and SKIN in text
    assert scr.selected == 0


def test_a_session_keeps_the_answers_and_the_marks(scr, win, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from viewer.core.session import load_session

    scr.panel.boxes["dvt"].click()
    scr.panel.boxes["bruising"].click()
    point = zone_point(win, "middle-trapezius-left")
    scr.add_mark(point, 4.5, "Bruise")
    path = tmp_path / "screened.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    assert win.save_session() == path
    saved = load_session(path)
    assert saved.conditions == ["bruising", "dvt"]
    assert saved.marks[0].radius_cm == 4.5 and saved.marks[0].note == "Bruise"
    assert saved.marks[0].condition == "bruising"

    scr.set_answers([])
    scr.marks = []
    scr.apply()
    assert scr.screening().empty
    win.load_session(path)
    assert set(scr.answers) == {"bruising", "dvt"}
    assert scr.panel.boxes["dvt"].isChecked() and scr.panel.boxes["bruising"].isChecked()
    assert len(scr.marks) == 1 and np.allclose(scr.marks[0].at, point)
    assert scr.marks[0].radius_cm == 4.5 and scr.marks[0].note == "Bruise"
    assert "mark-0" in scr.mark_actor_names()


def test_export_receives_the_screening(scr, win, monkeypatch):
    from viewer.ui import export_dialog

    calls = []
    monkeypatch.setattr(export_dialog, "export_from_window",
                        lambda *a, **k: calls.append(k) or None)
    scr.panel.boxes["dvt"].click()
    scr.panel.boxes["bruising"].click()
    scr.add_mark(zone_point(win, "middle-trapezius-left"), 4.0, "Bruise")
    win.export_image()
    screening = calls[0]["screening"]
    assert screening.conditions == ("bruising", "dvt")
    assert len(screening.marks) == 1 and screening.marks[0].note == "Bruise"
    # a mark whose condition is unticked does not apply
    scr.panel.boxes["bruising"].click()
    win.export_image()
    assert calls[1]["screening"].marks == () and calls[1]["screening"].conditions == ("dvt",)


def test_the_command_lines_screening_is_answered_and_marked_in_the_window(scr, win):
    """`backview --condition dvt --condition bruising --mark ...` opens the window with those
    answers ticked, the mark placed, and the body coloured by the screened rules."""
    from viewer.core.screening import parse_mark

    mark = parse_mark("inferior_angle_left:5:Bruise", win.model.body)
    scr.start_with(Screening(("dvt", "bruising"), (mark,)))
    assert scr.answers == {"dvt", "bruising"}
    assert scr.panel.boxes["dvt"].isChecked() and scr.panel.boxes["bruising"].isChecked()
    assert len(scr.marks) == 1 and scr.marks[0].note == "Bruise"
    screened = win.view.scene.screened
    assert screened is not None and len(screened.mark_faces(0)) > 0
    assert "dvt" in screened.screening.conditions
