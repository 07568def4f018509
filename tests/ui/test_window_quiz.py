"""View → Quiz (issue 16) in the real window: questions answered right and wrong by clicking the
body and by the buttons, score, streak, feedback with the guide's sentences, the review of the
mistakes, what is hidden while a question is open and given back by Esc, presentation mode's
R and PageDown, and landmark drills on a body that is not the shipped torso.

The questions come from a seeded quiz set written for these tests (as-written order), through
the real core (viewer.core.quiz)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from conftest import make_window
from viewer.core.palette import get_palette, hex_to_rgb
from viewer.core.quiz import answer_faces, load_quiz
from viewer.ui.quiz import answer_cells

pytestmark = pytest.mark.gui

QUIZ = """\
[quiz]
id = "test-quiz"
title = "A test of the quiz"
version = "1.0.0"
map = "back-massage.toml"  # the window passes the open map
kinds = ["where", "what", "landmark", "rules"]
zones = ["paraspinal-left", "spine"]
landmarks = ["T7"]
order = "as-written"
seed = 7
radius_cm = 2.0
"""
#: the questions the main test answers, in this order
ASKED = ("where-pressure-firm", "where-friction-recommended", "what-pressure-paraspinal-left",
         "rules-sequence-1", "landmark-spinous_T7")


@pytest.fixture(scope="module")
def quiz_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("quiz") / "test.quiz.toml"
    path.write_text(QUIZ, encoding="utf-8")
    return path


@pytest.fixture
def qwin(win, quiz_file, backview_app):
    """The shared window, the quiz off, its set the test one."""
    win.leave_presentation()
    win.quiz.stop()
    win.quiz.quiz_path = quiz_file
    win.activateWindow()
    backview_app.processEvents()
    yield win
    win.leave_presentation()
    win.quiz.stop()
    win.quiz.quiz_path = None


def questions(win, quiz_file, ids=ASKED):
    drawn = {q.id: q for q in load_quiz(quiz_file, rmap=win.model.rmap).questions(
        win.model.body.landmarks.keys())}
    return [drawn[i] for i in ids]


def click(win, pos: QPoint) -> None:
    QTest.mouseClick(win.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    QApplication.processEvents()


def key(win, k) -> None:
    QTest.keyClick(QApplication.focusWidget() or win, k)
    QApplication.processEvents()


def zone_point(win, zone_id):
    from viewer.ui.screening import zone_point as middle

    return middle(win.model, zone_id)


def body_rgb(win) -> np.ndarray:
    return np.asarray(win.view.actors.surface.cell_data["rgb"])


def test_answering_by_clicks_and_buttons_scores_and_reviews(qwin, quiz_file, to_widget):
    win = qwin
    quiz = win.quiz
    assert quiz.start(questions=questions(win, quiz_file))
    panel = quiz.panel
    assert quiz.question.id == "where-pressure-firm"
    assert panel.prompt.text() == "Click where firm pressure is safe."
    assert not panel.feedback.isVisible() and not panel.choices_box.isVisible()

    # 1. where, right: a click in the middle of the paraspinal muscles
    click(win, to_widget(win, zone_point(win, "paraspinal-left")))
    assert quiz.shown.feedback is not None and quiz.shown.feedback.right
    text = panel.feedback_text()
    assert "Right!" in text and "Paraspinal muscles (left)" in text
    for sentence in quiz.question.citations:
        assert sentence in text  # the guide's words, verbatim
    assert quiz.run.score == 1 and quiz.run.streak == 1
    assert "Score 1" in panel.score.text() and "Streak 1" in panel.score.text()
    assert win.state.zone_id is None  # the click answered: it selected nothing
    # on the model: the answer in the pressure colour for "firm", the click marked
    firm = hex_to_rgb(get_palette("default").pressure[win.model.rmap.zone("paraspinal-left").pressure])
    scene = win.view.scene
    answer = answer_cells(quiz.question, scene)  # the cut surface's cells answering it
    # the same skin the core grades by (its faces), but for the faces a border crosses
    assert (answer == answer_faces(quiz.question, scene.assignment)[scene.face_of_cell]).mean() > 0.97
    para = scene.zone_of_cell == win.model.rmap.zone("paraspinal-left").index
    assert (answer & para).sum() > 0.5 * para.sum()
    skin = hex_to_rgb(win.view.actors.palette.no_zone)
    assert (body_rgb(win)[answer] == firm).all() and (body_rgb(win)[~answer] == skin).all()
    assert "quiz-click" in quiz.quiz_actor_names()
    # a second click does not answer again
    click(win, to_widget(win, zone_point(win, "spine")))
    assert quiz.run.score == 1 and len(quiz.run.answered) == 1

    # 2. where, wrong: the spine is no place for friction
    key(win, Qt.Key.Key_Return)
    assert quiz.question.id == "where-friction-recommended"
    click(win, to_widget(win, zone_point(win, "spine")))
    fb = quiz.shown.feedback
    assert fb is not None and not fb.right
    text = panel.feedback_text()
    assert "Not quite." in text and "Spine" in text and "friction avoid" in text
    assert quiz.question.citations[0] in text
    assert quiz.run.score == 1 and quiz.run.streak == 0 and quiz.run.best_streak == 1

    # 3. what, right, by the key "4" (Firm)
    key(win, Qt.Key.Key_PageDown)
    q = quiz.question
    assert q.id == "what-pressure-paraspinal-left"
    assert [b.text() for b in panel.buttons] == ["1   No pressure", "2   Light", "3   Moderate",
                                                 "4   Firm"]
    asked = scene.zone_of_cell == win.model.rmap.zone("paraspinal-left").index
    rgb = body_rgb(win)
    assert not (rgb[asked] == skin).all(axis=1).any()  # the asked zone tinted
    assert (rgb[~asked] == skin).all()  # every other cell plain skin
    assert "quiz-outline" in quiz.quiz_actor_names()
    key(win, Qt.Key.Key_4)
    assert quiz.shown.feedback.right and quiz.run.score == 2 and quiz.run.streak == 1
    assert "Right!" in panel.feedback_text() and "Firm" in panel.feedback_text()

    # 4. rules, wrong, by the button "Petrissage"
    QTest.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert quiz.question.id == "rules-sequence-1"
    QTest.mouseClick(panel.buttons[1], Qt.MouseButton.LeftButton)
    fb = quiz.shown.feedback
    assert not fb.right and fb.given == "Petrissage" and fb.answer == "Effleurage"
    text = panel.feedback_text()
    assert "You answered: Petrissage" in text and "The answer: Effleurage" in text
    assert "The session should always begin with effleurage" in text
    assert quiz.run.streak == 0

    # 5. landmark, right: a click on T7 where it shows on the screen
    key(win, Qt.Key.Key_Space)
    q = quiz.question
    assert q.kind == "landmark" and q.prompt == "Find T7: count down from C7."
    click(win, to_widget(win, win.model.body.landmark("spinous_T7")))
    fb = quiz.shown.feedback
    assert fb.right and fb.distance < 0.01
    text = panel.feedback_text()
    assert "Count down from C7: C7, T1, T2, T3, T4, T5, T6, T7" in text
    assert q.explanation in text and "standard surface anatomy" in text
    names = quiz.quiz_actor_names()
    assert "quiz-target" in names and "quiz-count-labels-labels" in names or \
        "quiz-count-labels" in names
    assert sum(n.startswith("quiz-count-") and n[-1].isdigit() for n in names) == 7  # C7..T6
    assert quiz.run.score == 3 and quiz.run.streak == 1

    # the end: the score and the review of the two mistakes
    key(win, Qt.Key.Key_Return)
    assert quiz.run.finished
    assert panel.prompt.text() == "3 of 5 right. Best streak 1."
    items = quiz.review_items()
    assert len(items) == 2
    assert items[0].startswith("2. Click where friction is recommended.")
    assert items[1].startswith("4. Which stroke begins the session?") and "Petrissage" in items[1]
    # a mistake clicked: that question and its feedback again, the answer on the model
    rect = panel.review.visualItemRect(panel.review.item(0))
    QTest.mouseClick(panel.review.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert quiz.question.id == "where-friction-recommended"
    assert "Not quite." in panel.feedback_text() and "quiz-click" in quiz.quiz_actor_names()
    assert panel.next_button.text().startswith("Back to the review")
    key(win, Qt.Key.Key_Return)
    assert panel.review_box.isVisible() and len(quiz.review_items()) == 2
    # try again: from the first question, a clean score
    QTest.mouseClick(panel.again_button, Qt.MouseButton.LeftButton)
    assert quiz.question.id == "where-pressure-firm" and quiz.run.score == 0
    assert not panel.review_box.isVisible()


def test_a_question_hides_the_zones_and_esc_gives_the_window_back(qwin, to_widget, grab,
                                                                  backview_app):
    win = qwin
    win.state.set_mode("stroke:petrissage")
    win.state.select("kidney-left")
    win.view.flush()
    backview_app.processEvents()
    before_rgb = body_rgb(win).copy()
    before_docks = {d.objectName(): d.isVisible() for d in win.quiz._docks()}
    assert win.left_dock.isVisible()
    camera = tuple(win.plotter.camera.position)

    win.quiz.act_quiz.trigger()  # View > Quiz (Ctrl+Q)
    assert win.quiz.active and win.quiz.dock.isVisible()
    assert win.quiz.question is not None
    # hidden while the question is open: the legend and zone list, the zone panel, the colours,
    # the borders and hatching, the selection
    assert not win.left_dock.isVisible() and not win.legend.isVisible()
    assert not win.zone_list.isVisible() and not win.zone_dock.isVisible()
    skin = hex_to_rgb(win.view.actors.palette.no_zone)
    if win.quiz.question.kind != "what":
        assert (body_rgb(win) == skin).all()
    actors = win.view.actors
    assert not actors.border_actor.GetVisibility()
    assert actors.hatch_actor is None or not actors.hatch_actor.GetVisibility()
    assert win.state.zone_id is None
    assert "selection" not in win.plotter.actors or \
        not win.plotter.actors["selection"].GetVisibility()
    # high contrast for a projector, or a drag turning the body: still plain skin, no lines
    if win.quiz.question.kind != "what":
        win.state.set_palette("high-contrast")
        win.view.flush()
        backview_app.processEvents()
        assert win.view.actors.palette.name == "high-contrast"
        assert (body_rgb(win) == hex_to_rgb(win.view.actors.palette.no_zone)).all()
        assert not actors.border_actor.GetVisibility()
        win.state.set_palette("default")
        win.view.flush()
        assert (body_rgb(win) == skin).all()
    actors.set_moving(True)
    actors.set_moving(False)
    assert not actors.border_actor.GetVisibility()
    # the colour-mode keys do nothing meanwhile
    assert not win.mode_actions["pressure"].isEnabled()
    # nor does the toolbar show the colour modes (a checked mode would hint at the answer)
    assert not any(a.isVisible() for a in win.mode_actions.values())
    assert not win.act_colour_label.isVisible()
    # the pixels: no zone colour on the back (the spine's vermillion, the firm green)
    flat = grab(win).reshape(-1, 3)
    for status, colour in get_palette("default").strokes.items():  # petrissage's colours
        near = (np.abs(flat - np.array(hex_to_rgb(colour))).sum(axis=1) < 24).mean()
        assert near < 0.002, status
    # no names on hover (they would give the zones away)
    QTest.mouseMove(win.plotter, to_widget(win, zone_point(win, "spine")))
    QTest.mouseMove(win.plotter, to_widget(win, zone_point(win, "lower-back")))
    QTest.qWait(200)
    assert win.hover_label.text() == ""
    # a click on the body answers, never selects
    if not win.quiz.question.choices:
        click(win, to_widget(win, zone_point(win, "lower-back")))
        assert win.state.zone_id is None and win.quiz.shown.feedback is not None

    key(win, Qt.Key.Key_Escape)
    assert not win.quiz.active and not win.quiz.act_quiz.isChecked()
    assert not win.quiz.dock.isVisible()
    assert {d.objectName(): d.isVisible() for d in win.quiz._docks()} == before_docks
    assert win.state.zone_id == "kidney-left" and win.state.mode == "stroke:petrissage"
    win.view.flush()
    assert (body_rgb(win) == before_rgb).all()
    assert actors.border_actor.GetVisibility()
    assert win.mode_actions["pressure"].isEnabled()
    assert all(a.isVisible() for a in win.mode_actions.values())
    assert win.act_colour_label.isVisible()
    assert np.allclose(win.plotter.camera.position, camera)
    assert win.quiz.quiz_actor_names() == []
    QTest.mouseMove(win.plotter, to_widget(win, zone_point(win, "spine")))
    QTest.mouseMove(win.plotter, to_widget(win, zone_point(win, "lower-back")))
    QTest.qWait(200)
    assert win.hover_label.text().startswith("Lower back")  # hover names are back
    # Ctrl+Q twice: the same
    win.quiz.act_quiz.trigger()
    assert win.quiz.active
    win.quiz.act_quiz.trigger()
    assert not win.quiz.active and win.state.zone_id == "kidney-left"
    assert (body_rgb(win) == before_rgb).all()


def test_presentation_mode_reveals_with_r_and_moves_on_with_pagedown(qwin, quiz_file,
                                                                     to_widget, wait):
    win = qwin
    quiz = win.quiz
    assert quiz.start(questions=questions(win, quiz_file, ("what-pressure-spine",
                                                           "where-pressure-firm")))
    win.enter_presentation()
    wait(lambda: QApplication.activeWindow() is win, message="the window")
    assert win.presenting and not win.lesson.running  # the quiz, not the lesson
    assert quiz.dock.isVisible() and not win.lesson_dock.isVisible()
    assert quiz.panel.sizes["prompt"] >= 30  # large type for the projector
    assert quiz.panel.prompt.text() == "Spine (vertebral column): how much pressure is safe here?"
    # the class answers aloud: neither a button nor a key answers
    QTest.mouseClick(quiz.panel.buttons[3], Qt.MouseButton.LeftButton)
    key(win, Qt.Key.Key_1)
    assert quiz.shown.feedback is None
    key(win, Qt.Key.Key_R)
    assert quiz.shown.revealed
    text = quiz.panel.feedback_text()
    assert "The answer: No pressure" in text
    assert quiz.question.citations[0] in text
    spine = win.view.scene.zone_of_cell == win.model.rmap.zone("spine").index
    avoid = hex_to_rgb(get_palette("default").pressure["avoid"])
    assert (body_rgb(win)[spine] == avoid).all(axis=1).mean() > 0.9
    key(win, Qt.Key.Key_PageDown)
    assert quiz.question.id == "where-pressure-firm"
    click(win, to_widget(win, zone_point(win, "paraspinal-left")))  # clicks do not answer
    assert quiz.shown.feedback is None and win.state.zone_id is None
    key(win, Qt.Key.Key_R)
    assert "quiz-answer-outline" in quiz.quiz_actor_names()
    key(win, Qt.Key.Key_PageDown)
    assert quiz.run.finished and quiz.panel.prompt.text() == "End of the quiz: 2 questions."
    key(win, Qt.Key.Key_Escape)  # leaves presentation mode; the quiz stays in the window
    assert not win.presenting and quiz.active and quiz.dock.isVisible()
    assert quiz.panel.sizes["prompt"] < 30
    # presenting the quiz alone (no lesson): Ctrl+Q ends the quiz and the presentation
    win.enter_presentation()
    assert win.presenting and not win.lesson.running and quiz.dock.isVisible()
    quiz.act_quiz.trigger()
    assert not quiz.active and not win.presenting and win.left_dock.isVisible()
    assert quiz.start(questions=questions(win, quiz_file, ("rules-sequence-1",)))
    win.enter_presentation()
    key(win, Qt.Key.Key_Escape)
    assert not win.presenting and quiz.active and quiz.dock.isVisible()
    assert not win.left_dock.isVisible()
    key(win, Qt.Key.Key_Escape)
    assert not quiz.active and win.left_dock.isVisible()


def test_shortcuts_list_the_quiz(qwin):
    rows = qwin.shortcut_rows()
    assert ("Lesson and presentation", "Ctrl+Q", "Quiz") in rows
    assert any(sec == "In the quiz (Ctrl+Q)" and "R" in keys for sec, keys, _ in rows)
    assert qwin.quiz.act_quiz in qwin.view_menu.actions()


# ---------------------------------------------------------------------------- another body
@pytest.fixture(scope="module")
def other_body(tmp_path_factory):
    """A test body of another generator (tests/data/bodies), with its own landmarks."""
    import bodies

    from viewer.core.body import save_landmarks

    folder = tmp_path_factory.mktemp("quizbody")
    mesh, truth = bodies.load_test_body("average_woman")
    mesh.export(folder / "woman.ply")
    save_landmarks(folder / "woman.landmarks.json", truth, mesh_name="woman.ply")
    return folder / "woman.ply", truth


@pytest.fixture(scope="module")
def bwin(backview_app, tmp_path_factory, other_body):
    mesh, _ = other_body
    win = make_window(backview_app, tmp_path_factory.mktemp("quizwin") / "settings.ini",
                      mesh=mesh, kind="mesh")
    yield win
    win.close()
    backview_app.processEvents()


def test_landmark_drills_on_another_body(bwin, other_body, quiz_file, to_widget, backview_app):
    win = bwin
    _, truth = other_body
    assert win.model.body.mesh_path.name == "woman.ply"
    win.view.flush()
    backview_app.processEvents()
    drawn = load_quiz(quiz_file, rmap=win.model.rmap).questions(win.model.body.landmarks.keys())
    t7 = next(q for q in drawn if q.id == "landmark-spinous_T7")
    drill = [t7, t7.__class__(**{**t7.__dict__, "id": "again"})]
    assert win.quiz.start(questions=drill)
    # right: a click where this body's T7 shows
    click(win, to_widget(win, truth["spinous_T7"]))
    fb = win.quiz.shown.feedback
    assert fb.right and fb.distance < 0.01
    # the target marker sits on this body's T7, not the torso's
    target = win.plotter.actors["quiz-target"].GetCenter()
    assert np.linalg.norm(np.array(target) - truth["spinous_T7"]) < 0.01
    key(win, Qt.Key.Key_Return)
    # wrong: 5 cm to the body's left of it
    left = win.view.scene.geometry.frame.left
    click(win, to_widget(win, truth["spinous_T7"] + 0.05 * left))
    fb = win.quiz.shown.feedback
    assert not fb.right and 0.04 < fb.distance < 0.065
    text = win.quiz.panel.feedback_text()
    assert "Not quite." in text and f"{fb.distance * 100:.1f} cm" in text
    assert "quiz-line" in win.quiz.quiz_actor_names()
    win.quiz.stop()


def test_the_quiz_needs_a_body_with_zones(qwin, monkeypatch):
    shown = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda parent, title, text, *a, **k: shown.append((title, text))))
    bad = qwin.quiz.quiz_path.parent / "bad.quiz.toml"
    bad.write_text(qwin.quiz.quiz_path.read_text().replace('"spine"]', '"nowhere"]'))
    assert not qwin.quiz.start(bad)
    assert shown and "nowhere" in shown[0][1] and "bad.quiz.toml" in shown[0][1]
    assert not qwin.quiz.active and qwin.left_dock.isVisible()
