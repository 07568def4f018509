"""View → Quiz (Ctrl+Q): practice in the window (issue 16).

The questions, their answers and the grading are the core's (:mod:`viewer.core.quiz`); this
module shows them. While a question is open the window shows only what it needs: the body in
plain skin (no zone colours, borders, hatching or marks: :meth:`SceneActors.set_paint`), no
legend, zone list or zone panel, no hover names; a ``what`` question tints and outlines its
zone. A click on the body answers ``where`` and ``landmark`` questions (it selects nothing);
``what`` and ``rules`` questions are big buttons (keys 1-4). The feedback follows at once:
right or not, what was given, the answer, the guide's own sentences, and the answer on the
model (the skin that answers a ``where`` question in the map's colour, the click marked; the
zone in its colour; the landmark, a line from the click, the distance and the spinous
processes counted from C7). Next: Enter, Space or PageDown. At the end, the mistakes to review
(each clickable to see it again) and "Try again". Esc (or Ctrl+Q) leaves and restores the
window exactly as it was.

In presentation mode (F5) the question shows in large type, clicks do not answer, **R**
reveals the answer on the model and PageDown moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np
import pyvista as pv
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.palette import hex_to_rgb
from viewer.core.quiz import (
    Feedback,
    Question,
    QuizRun,
    answer_faces,
    grade_choice,
    grade_landmark,
    grade_where,
    load_quiz,
)
from viewer.core.regionmap import Pressure, StrokeStatus
from viewer.core.wording import QUOTES_HEADING
from viewer.ui.picking import widget_display
from viewer.ui.presentation import (
    BLACKOUT_KEYS,
    LEAVE_KEYS,
    NEXT_KEYS,
    PREVIOUS_KEYS,
    present_font_px,
)

#: right and wrong, in words and colours (Okabe-Ito bluish green and vermillion, darkened for
#: text on the light panel)
RIGHT_COLOUR = "#007a5a"
WRONG_COLOUR = "#c0392b"
#: on the model: the learner's click, the landmark sought, the zone a ``what`` question asks about
CLICK_RIGHT = "#009e73"
CLICK_WRONG = "#d55e00"
TARGET_COLOUR = "#0072b2"
ASKED_TINT = "#cc79a7"
#: the dock's width (logical pixels)
DOCK_WIDTH = 470
#: presentation mode: the quiz panel's share of the screen's width
PRESENT_WIDTH = 0.40
#: the window's actions that would show what the quiz hides, or change the colours under it
_ACTIONS_OFF = ("act_lesson", "act_find", "act_export", "act_save_session", "act_load_session",
                "act_next", "act_previous", "act_clear")
#: the actors a question hides (besides the zone colours): the scene's lines, marks, a lesson's
#: arrows, the landmark editor's markers, the structures under the skin
_HIDDEN_PREFIXES = ("mark-", "lesson-arrow-", "landmark-", "xray", "selection")
#: what the presentation clicker's keys do while presenting (presentation.ClickerKeys)
_CLICKER_KEYS = set(NEXT_KEYS) | set(PREVIOUS_KEYS) | set(BLACKOUT_KEYS) | set(LEAVE_KEYS)
_CHOICE_KEYS = {Qt.Key.Key_1: 0, Qt.Key.Key_2: 1, Qt.Key.Key_3: 2, Qt.Key.Key_4: 3,
                Qt.Key.Key_5: 4, Qt.Key.Key_6: 5}
_NEXT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space, Qt.Key.Key_PageDown)

#: Help > Shortcuts rows for the quiz (keys of the quiz's own event filter, not actions)
QUIZ_HELP = (
    ("Click the body", "Answer a 'where' or 'find the landmark' question"),
    ("1, 2, 3, 4", "Choose an answer"),
    ("Enter, Space, PageDown", "Next question"),
    ("R (presentation mode)", "Reveal the answer; the class answered aloud"),
    ("Esc, Ctrl+Q", "Leave the quiz: the window as it was"),
)


@dataclass
class Shown:
    """What the panel and the model show: a question, and its feedback once answered (or
    revealed)."""

    question: Question
    feedback: Feedback | None = None
    #: where the learner clicked (a point on the skin), for ``where`` and ``landmark``
    point: np.ndarray | None = None
    #: presentation mode: the answer revealed (R), nobody's answer graded
    revealed: bool = False


# ---------------------------------------------------------------------------- the panel
class QuizPanel(QWidget):
    """The quiz dock: score and streak, the question, its choices, the feedback, Next; at the
    end the review of the mistakes and "Try again"."""

    choiceClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="quizPanel")
        self.present_height: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(10)
        self.title = QLabel("Quiz", objectName="quizTitle", wordWrap=True)
        self.score = QLabel("", objectName="quizScore", wordWrap=True)
        self.prompt = QLabel("", objectName="quizPrompt", wordWrap=True)
        self.hint = QLabel("", objectName="quizHint", wordWrap=True)
        for w in (self.title, self.score, self.prompt, self.hint):
            layout.addWidget(w)
        self.choices_box = QWidget(objectName="quizChoices")
        self.choices_layout = QVBoxLayout(self.choices_box)
        self.choices_layout.setContentsMargins(0, 0, 0, 0)
        self.choices_layout.setSpacing(8)
        layout.addWidget(self.choices_box)
        self.buttons: list[QPushButton] = []
        self.feedback = QTextBrowser(objectName="quizFeedback")
        self.feedback.setOpenLinks(False)
        self.feedback.setFrameShape(QTextBrowser.Shape.NoFrame)
        layout.addWidget(self.feedback, 100)
        row = QHBoxLayout()
        self.reveal_button = QPushButton("Reveal (R)", objectName="quizReveal")
        self.next_button = QPushButton("Next question  ▶", objectName="quizNext")
        self.leave_button = QPushButton("Leave the quiz (Esc)", objectName="quizLeave")
        row.addWidget(self.leave_button)
        row.addStretch(1)
        row.addWidget(self.reveal_button)
        row.addWidget(self.next_button)
        layout.addLayout(row)
        self.review_box = QWidget(objectName="quizReview")
        review = QVBoxLayout(self.review_box)
        review.setContentsMargins(0, 0, 0, 0)
        self.review_title = QLabel("Review your mistakes", objectName="quizReviewTitle")
        review.addWidget(self.review_title)
        self.review = QListWidget(objectName="quizReviewList")
        self.review.setWordWrap(True)
        review.addWidget(self.review, 1)
        self.again_button = QPushButton("Try again", objectName="quizAgain")
        review.addWidget(self.again_button)
        layout.addWidget(self.review_box, 100)
        layout.addStretch(1)  # while neither the feedback nor the review shows
        self.review_box.hide()
        self.reveal_button.hide()
        self.set_presenting(None)

    def set_presenting(self, screen_height: int | None) -> None:
        """Large type for a projector (``screen_height``), or the window's sizes (None)."""
        self.present_height = screen_height

        def px(fraction: float, window: int) -> int:
            return present_font_px(screen_height, fraction) if screen_height else window

        self.sizes = {"title": px(0.022, 15), "score": px(0.024, 15), "prompt": px(0.040, 22),
                      "hint": px(0.022, 14), "button": px(0.030, 17), "headline": px(0.046, 26),
                      "text": px(0.026, 15), "quote": px(0.024, 14)}
        s = self.sizes
        self.setStyleSheet(
            f"QWidget#quizPanel {{ background: #fbfaf8; }}"
            f"QLabel#quizTitle {{ font-size: {s['title']}px; color: #2f4f5f; font-weight: 600; }}"
            f"QLabel#quizScore {{ font-size: {s['score']}px; color: #1a1a1a; "
            f"background: #eef2f4; border-radius: 6px; padding: 6px 10px; }}"
            f"QLabel#quizPrompt {{ font-size: {s['prompt']}px; font-weight: 800; color: #111; }}"
            f"QLabel#quizHint {{ font-size: {s['hint']}px; color: #444; }}"
            f"QPushButton {{ font-size: {s['button']}px; padding: 8px 14px; text-align: left; }}"
            f"QPushButton#quizNext {{ font-weight: 700; }}"
            f"QLabel#quizReviewTitle {{ font-size: {s['score']}px; font-weight: 700; "
            f"color: {WRONG_COLOUR}; }}"
            f"QListWidget#quizReviewList {{ font-size: {s['text']}px; }}"
            f"QTextBrowser#quizFeedback {{ background: transparent; }}")

    def set_choices(self, labels: list[str], enabled: bool = True) -> None:
        for b in self.buttons:
            self.choices_layout.removeWidget(b)
            b.setParent(None)
            b.deleteLater()
        self.buttons = []
        for i, label in enumerate(labels):
            button = QPushButton(f"{i + 1}   {label}", objectName=f"quizChoice{i + 1}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setEnabled(enabled)
            button.clicked.connect(lambda _=False, i=i: self.choiceClicked.emit(i))
            self.choices_layout.addWidget(button)
            self.buttons.append(button)
        self.choices_box.setVisible(bool(labels))

    def feedback_text(self) -> str:
        return self.feedback.toPlainText()


# ---------------------------------------------------------------------------- the controller
class QuizController(QObject):
    """The quiz of one :class:`~viewer.ui.main_window.MainWindow`."""

    #: the quiz started (True) or ended (False)
    activeChanged = Signal(bool)
    #: a question was answered (its Feedback)
    answered = Signal(object)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view = window.view
        self.plotter = window.plotter
        self.active = False
        self.presenting = False
        #: the quiz set to ask from (None: the shipped region_maps/quiz.toml)
        self.quiz_path: Path | None = None
        #: a seed for the draw (None: the set's own)
        self.seed: int | None = None
        self.quiz = None
        self.run: QuizRun | None = None
        self.shown: Shown | None = None
        #: each answered question's point clicked, to show a reviewed one again
        self._points: dict[int, np.ndarray | None] = {}
        self._before: dict | None = None
        self._chrome: dict | None = None
        self._hidden_actors: dict[str, bool] = {}
        self._questions: list[Question] | None = None
        self._picker_cache = None

        self.panel = QuizPanel()
        self.dock = window._dock("Quiz", "quizDock", self.panel,
                                 Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock.hide()
        # Ctrl+Q is the quiz's (issue 16): File > Quit, Qt's standard Ctrl+Q on Linux, moves to
        # Ctrl+Shift+Q so that no key does two things
        window.act_quit.setShortcuts([QKeySequence("Ctrl+Shift+Q")])
        window.act_quit.setToolTip("Quit (Ctrl+Shift+Q)")
        self.act_quiz = window._action("&Quiz", "Ctrl+Q", None, section="Lesson and presentation",
                                       checkable=True,
                                       tip="Practise: where, how hard, what to feel for")
        self.act_quiz.toggled.connect(self._toggled)
        menu = window.view_menu
        anchor = window.act_present
        menu.insertAction(anchor, self.act_quiz)
        p = self.panel
        p.choiceClicked.connect(self.choose)
        p.next_button.clicked.connect(self.next)
        p.reveal_button.clicked.connect(self.reveal)
        p.leave_button.clicked.connect(self.stop)
        p.again_button.clicked.connect(lambda: self.restart())
        p.review.itemActivated.connect(self._review_item)
        p.review.itemClicked.connect(self._review_item)
        self._previous_hook = self.view.click_hook
        self.view.click_hook = self._click
        self.plotter.installEventFilter(self)  # after the others': sees the 3D view's events first
        window.state.paletteChanged.connect(self._on_palette)
        self.view.sceneChanged.connect(self._on_scene)
        window.modelLoaded.connect(self._on_model)

    # ------------------------------------------------------------------ on and off
    @property
    def model(self):
        return self.window.model

    def _toggled(self, on: bool) -> None:
        if on and not self.active:
            if not self.start():
                self.act_quiz.setChecked(False)
        elif not on and self.active:
            self.stop()

    def start(self, path: str | Path | None = None, *, questions: list[Question] | None = None,
              seed: int | None = None) -> bool:
        """Quiz mode on: the window hidden down to the question, the first question asked.
        ``path``: a quiz set (default :attr:`quiz_path`, else the shipped one); ``questions``:
        ask these instead of drawing from a set. False without a zoned body, or when the set
        does not fit the open map (a dialog says why)."""
        from PySide6.QtWidgets import QMessageBox

        w = self.window
        if self.model is None or not self.model.zoned:
            w.statusBar().showMessage("The quiz needs a body with zones: "
                                      + (self.model.no_zones_line() if self.model else
                                         "no body is open"), 6000)
            return False
        if questions is None:
            path = Path(path) if path else self.quiz_path
            try:
                self.quiz = load_quiz(path, rmap=self.model.rmap)
            except BackViewError as error:
                lines = error.lines() if isinstance(error, RegionMapError) else [error.line()]
                QMessageBox.warning(w, "No quiz for this map",
                                    "The quiz set does not fit the open region map:\n\n"
                                    + "\n".join(lines))
                return False
        self._questions = list(questions) if questions is not None else None
        if not self.active:
            self._take_over()
        self.active = True
        self.act_quiz.blockSignals(True)
        self.act_quiz.setChecked(True)
        self.act_quiz.blockSignals(False)
        self.restart(seed)
        self.activeChanged.emit(True)
        return True

    def _draw(self, seed: int | None = None) -> list[Question]:
        """The questions for the body shown: those its landmarks and zones can answer."""
        if self._questions is not None:
            questions = self._questions
        else:
            seed = self.seed if seed is None else seed
            questions = self.quiz.questions(self.model.body.landmarks.keys(), seed=seed)
        scene = self.model.scene
        cells = np.bincount(scene.zone_of_cell[scene.zone_of_cell >= 0],
                            minlength=len(self.model.rmap.zones))
        out = []
        for q in questions:
            if q.kind == "what" and (q.zone not in self.model.rmap.by_id
                                     or cells[self.model.rmap.zone(q.zone).index] == 0):
                continue
            if q.kind == "where" and not answer_faces(q, scene.assignment).any():
                continue
            if q.kind == "landmark" and q.answer["landmark"] not in self.model.body.landmarks:
                continue
            out.append(q)
        return out

    def restart(self, seed: int | None = None) -> None:
        """From the first question again (a new draw when the set has no seed)."""
        self.run = QuizRun(self._draw(seed))
        self._points = {}
        self.panel.review_box.hide()
        self.ask()

    def stop(self) -> None:
        """Quiz mode off: the window exactly as before."""
        if not self.active:
            return
        self.active = False
        self.act_quiz.blockSignals(True)
        self.act_quiz.setChecked(False)
        self.act_quiz.blockSignals(False)
        self._give_back()
        self.shown = None
        self.activeChanged.emit(False)

    # ------------------------------------------------------------------ hiding and restoring
    def _take_over(self) -> None:
        w = self.window
        w.landmark_editor.set_active(False)
        w.screening.set_placing(False)
        from viewer.render.camera import camera_from_plotter

        self._before = {
            "zone": w.state.zone_id, "cover": w.state.cover, "structure": w.state.structure,
            "highlight": self.view.highlighted, "xray": w.layers.on,
            "camera": camera_from_plotter(self.plotter), "view_name": self.view.view_name,
            "home": self.view._home_scale,
            "actions": {name: getattr(w, name).isEnabled() for name in _ACTIONS_OFF},
            "modes": {m: a.isEnabled() for m, a in w.mode_actions.items()},
            "others": {a: a.isEnabled() for a in (w.landmark_editor.act_edit,
                                                  w.screening.act_dock, w.layers.act_xray)},
        }
        self._disable_actions()
        self.presenting = w.presenting
        if w.layers.on:
            w.layers.set_xray(False, remember=False)
        w.state.select(None)
        self.view.set_highlight(())
        self.view.flush()
        w._show_hover(None)
        self._hide_actors()
        if self.window.presenting:
            self._present_layout()
        else:
            self._hide_chrome()
        QApplication.instance().installEventFilter(self)

    def _disable_actions(self) -> None:
        w = self.window
        for name in _ACTIONS_OFF:
            getattr(w, name).setEnabled(False)
        for act in (*w.mode_actions.values(), w.landmark_editor.act_edit, w.screening.act_dock,
                    w.layers.act_xray):
            act.setEnabled(False)
        # the colour modes leave the toolbar too: a checked "Pressure" over plain skin would
        # say which field a question is about
        for act in (w.act_colour_label, *w.mode_actions.values()):
            act.setVisible(False)

    def _hide_chrome(self) -> None:
        """Out of presentation mode: only the 3D view and the quiz dock."""
        w = self.window
        docks = self._docks()
        if self._chrome is None:
            self._chrome = {d: d.isVisible() for d in docks}
        for d in docks:
            d.hide()
        self.dock.show()
        self.dock.raise_()
        if self.dock.width() < DOCK_WIDTH:
            w.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    def _docks(self) -> list[QDockWidget]:
        w = self.window
        return [w.left_dock, w.zone_dock, w.safety_dock, w.lesson_dock, w.screening.dock,
                w.landmark_editor.dock]

    def _present_layout(self) -> None:
        """In presentation mode: the quiz panel in large type where the lesson's was."""
        w = self.window
        w.lesson_dock.hide()
        w.present_legend.hide()
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.dock.show()
        self.panel.set_presenting(w._screen_height())
        QTimer.singleShot(0, self._size_present)
        self._size_present()
        if self.run is not None:
            self.show()

    def _size_present(self) -> None:
        if self.active and self.window.presenting:
            self.window.resizeDocks([self.dock], [round(self.window.width() * PRESENT_WIDTH)],
                                    Qt.Orientation.Horizontal)

    def on_presentation(self, on: bool) -> None:
        """The window entered (True) or left (False) presentation mode."""
        self.presenting = on
        if not self.active:
            self.dock.hide()
            return
        if on:
            self._present_layout()
        else:
            self.panel.set_presenting(None)
            self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                  | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                                  | QDockWidget.DockWidgetFeature.DockWidgetClosable)
            self._hide_chrome()
            self.show()

    def _hide_actors(self) -> None:
        if self.view.actors is not None:
            self.view.actors.set_paint(self._paint, render=False)
        for name, actor in list(self.plotter.actors.items()):
            if name.startswith(_HIDDEN_PREFIXES) and name not in self._hidden_actors:
                self._hidden_actors[name] = bool(actor.GetVisibility())
                actor.SetVisibility(False)

    def _give_back(self) -> None:
        w = self.window
        QApplication.instance().removeEventFilter(self)
        self._clear_marks()
        before, self._before = self._before, None
        if self.view.actors is not None:
            self.view.actors.set_paint(None, render=False)
        for name, visible in self._hidden_actors.items():
            actor = self.plotter.actors.get(name)
            if actor is not None:
                actor.SetVisibility(visible)
        self._hidden_actors = {}
        self.panel.set_presenting(None)
        if w.presenting and w.lesson.running:  # back to the lesson on stage
            w.lesson_dock.show()
            w.present_legend.show()
        elif w.presenting:  # presenting the quiz only: the presentation ends with it
            w.leave_presentation()
        self.dock.hide()
        if not w.presenting and self._chrome is not None:
            for dock, visible in self._chrome.items():
                dock.setVisible(visible)
        self._chrome = None
        if before is None:
            return
        for name, on in before["actions"].items():
            getattr(w, name).setEnabled(on)
        for mode, on in before["modes"].items():
            w.mode_actions[mode].setEnabled(on)
        for act in (w.act_colour_label, *w.mode_actions.values()):
            act.setVisible(True)
        for act, on in before["others"].items():
            act.setEnabled(on)
        from viewer.render.camera import apply_camera

        apply_camera(self.plotter, before["camera"])
        self.view.view_name, self.view._home_scale = before["view_name"], before["home"]
        self.view._set_caption(before["view_name"])
        self.view.set_highlight(before["highlight"])
        rmap = w.state.rmap
        zone = before["zone"] if rmap is not None and before["zone"] in rmap.by_id else None
        cover = before["cover"] if zone is not None else None
        try:
            w.state.select(zone, cover)
        except ValueError:
            w.state.select(zone)
        if before["xray"]:
            w.layers.set_xray(True, remember=False)
        if before["structure"] is not None and w.layers.on:
            w.state.select_structure(before["structure"])
        self.view._dirty_selection = True
        self.view.flush()
        self.view.redraw()

    # ------------------------------------------------------------------ the model's changes
    def _on_palette(self, _palette) -> None:
        if self.active and self.view.actors is not None:
            self.view.flush()  # the palette first (the view's slot ran before this one)
            self.view.actors.set_paint(self._paint, render=False)
            self._draw_marks()
            self.view.redraw()

    def _on_scene(self) -> None:
        if self.active:
            self._picker_cache = None
            self._hide_actors()
            self.view.redraw()

    def _on_model(self, _model) -> None:
        """Another body (or map): the questions for it, from the first."""
        if self.active and self.model is not None:
            if not self.model.zoned:
                self.stop()
                return
            if self._questions is None and self.quiz is not None and \
                    self.quiz.rmap is not self.model.rmap:
                try:
                    self.quiz = load_quiz(self.quiz.path, rmap=self.model.rmap)
                except BackViewError:
                    self.stop()
                    return
            self._disable_actions()  # the window enabled them for the new body
            self.restart()

    # ------------------------------------------------------------------ asking
    @property
    def question(self) -> Question | None:
        return self.shown.question if self.shown is not None else None

    def ask(self) -> None:
        """Show the run's current question (or the end of the run)."""
        run = self.run
        self._clear_marks()
        if run is None or run.finished:
            self.shown = None
            self._show_end()
            return
        self.shown = Shown(run.current)
        self._show()

    def _show(self) -> None:
        """The panel and the model for :attr:`shown`."""
        shown, p = self.shown, self.panel
        q, fb = shown.question, shown.feedback
        run = self.run
        p.title.setText(f"Quiz: {self.quiz.title}" if self.quiz is not None else "Quiz")
        p.score.setText(self.score_text())
        p.prompt.setText(q.prompt)
        answered = fb is not None or shown.revealed
        if q.choices:
            p.set_choices([c.label for c in q.choices], enabled=not answered)  # legible on stage
            keys = f"1–{len(q.choices)}" if len(q.choices) > 1 else "1"
            hint = ("The class answers aloud; R reveals the answer." if self.presenting
                    else f"Choose an answer (or press {keys}).")
            if answered:
                right = q.answer.get("choice")
                for c, b in zip(q.choices, p.buttons):
                    mark = ("background: #d8efe6; border: 3px solid #007a5a; font-weight: 700;"
                            if c.value == right else
                            "background: #f8dcd7; border: 3px solid #c0392b;"
                            if fb is not None and not fb.right and c.label == fb.given else "")
                    if mark:
                        b.setStyleSheet(f"QPushButton {{ {mark} color: #111; }}")
        else:
            p.set_choices([])
            hint = ("The class answers aloud; R reveals the answer." if self.presenting
                    else "Click the place on the body." if q.kind == "where"
                    else "Click the landmark on the body (drag to turn it).")
        p.hint.setText("" if answered else hint)
        p.hint.setVisible(not answered)
        p.feedback.setHtml(self.feedback_html() if answered else "")
        p.feedback.setVisible(answered)
        last = run is not None and run.index >= len(run.questions) - 1
        reviewing = run is not None and shown.question is not run.current
        p.next_button.setText("Back to the review  ▶" if reviewing else
                              "See the results  ▶" if last else "Next question  ▶")
        p.next_button.setVisible(answered or self.presenting)
        p.reveal_button.setVisible(self.presenting and not answered)
        p.review_box.setVisible(False)
        p.prompt.setVisible(True)
        self._draw_marks()
        self.view.redraw()

    def score_text(self) -> str:
        run = self.run
        if run is None:
            return ""
        n = len(run.questions)
        number = min(run.index + 1, n)
        return (f"Question {number} of {n}   ·   Score {run.score}   ·   "
                f"Streak {run.streak} (best {run.best_streak})")

    def _show_end(self) -> None:
        p, run = self.panel, self.run
        self._clear_marks()
        if self.view.actors is not None:
            self.view.actors.set_paint(self._paint, render=False)
        p.set_choices([])
        p.title.setText("Quiz finished")
        p.score.setText(self.score_text())
        n = len(run.questions) if run else 0
        if self.presenting:
            p.prompt.setText(f"End of the quiz: {n} questions.")
        else:
            p.prompt.setText(f"{run.score} of {n} right. Best streak {run.best_streak}."
                             if run else "")
        p.hint.setVisible(False)
        p.feedback.setVisible(False)
        p.next_button.setVisible(False)
        p.reveal_button.setVisible(False)
        p.review.clear()
        mistakes = [] if run is None or self.presenting else run.mistakes
        for fb in mistakes:
            i = run.questions.index(fb.question)
            item = QListWidgetItem(f"{i + 1}. {fb.question.prompt}\n    You: {fb.given}")
            item.setData(Qt.ItemDataRole.UserRole, i)
            p.review.addItem(item)
        p.review_title.setText("Review your mistakes (click one to see it again)" if mistakes
                               else "No mistakes: well done!" if not self.presenting else "")
        p.review.setVisible(bool(mistakes))
        p.review_box.setVisible(True)
        self.view.redraw()

    def review_items(self) -> list[str]:
        p = self.panel
        return [p.review.item(i).text() for i in range(p.review.count())]

    def show_review(self, row: int) -> None:
        """Show mistake ``row`` of the review again: the question, its feedback, the model."""
        item = self.panel.review.item(row)
        if item is not None:
            self._review_item(item)

    def _review_item(self, item) -> None:
        i = int(item.data(Qt.ItemDataRole.UserRole))
        fb = next((f for f in self.run.answered if f.question is self.run.questions[i]), None)
        self._clear_marks()
        self.shown = Shown(self.run.questions[i], fb, self._points.get(i))
        self._show()

    # ------------------------------------------------------------------ answering
    def choose(self, index: int) -> Feedback | None:
        """Answer the open question with its choice ``index`` (0-based)."""
        shown = self.shown
        if shown is None or not shown.question.choices or shown.feedback is not None \
                or shown.revealed or self.presenting or shown.question is not self.run.current:
            return None
        if not 0 <= index < len(shown.question.choices):
            return None
        return self._record(grade_choice(shown.question, shown.question.choices[index].value))

    def answer_at(self, pos: QPointF) -> Feedback | None:
        """A click at widget position ``pos`` answers a ``where`` or ``landmark`` question."""
        shown = self.shown
        if shown is None or shown.question.choices or shown.feedback is not None \
                or shown.revealed or shown.question is not self.run.current:
            return None
        q = shown.question
        scene = self.model.scene
        cell, point = self.view.picker.point_at(*widget_display(self.plotter, pos))
        face = int(scene.face_of_cell[cell]) if cell >= 0 else None
        if q.kind == "where":
            fb = grade_where(q, scene.assignment, face)
        else:
            fb = grade_landmark(q, self.model.body, point)
        shown.point = point
        return self._record(fb)

    def _record(self, fb: Feedback) -> Feedback:
        self.run.record(fb)
        self.shown.feedback = fb
        self._points[self.run.index] = self.shown.point
        self._show()
        self.answered.emit(fb)
        return fb

    def reveal(self) -> None:
        """Presentation mode's R: the answer on the model and the feedback, nobody graded."""
        shown = self.shown
        if shown is None or shown.feedback is not None or shown.revealed:
            return
        shown.revealed = True
        self._show()

    def next(self) -> None:
        """On to the next question (an unanswered one counts as skipped), or back to the
        review when a mistake was being reviewed."""
        if not self.active or self.run is None:
            return
        if self.shown is not None and self.shown.question is not self.run.current:
            self._show_end()  # a reviewed mistake: back to the list
            self.shown = None
            return
        if self.run.finished:
            return
        if self.presenting and not self.run.waiting:
            self.run.pass_on()  # the class answered aloud: nobody's score, no mistake
        else:
            self.run.next()
        self.ask()

    # ------------------------------------------------------------------ the feedback's words
    def feedback_html(self) -> str:
        shown = self.shown
        q, fb = shown.question, shown.feedback
        s = self.panel.sizes
        parts = []
        if fb is not None:
            colour = RIGHT_COLOUR if fb.right else WRONG_COLOUR
            mark = "✓" if fb.right else "✗"
            parts.append(f'<p style="font-size:{s["headline"]}px; font-weight:800; '
                         f'color:{colour}; margin:0 0 6px 0">{mark} {escape(fb.headline)}</p>')
            given = fb.given
            if shown.point is not None:
                given += " (the green marker)" if fb.right else " (the orange marker)"
            parts.append(f'<p style="font-size:{s["text"]}px; margin:0 0 4px 0">'
                         f'<b>You answered:</b> {escape(given)}</p>')
        else:
            parts.append(f'<p style="font-size:{s["headline"]}px; font-weight:800; '
                         f'color:{TARGET_COLOUR}; margin:0 0 6px 0">The answer</p>')
        answer = q.answer_label if q.choices else self._answer_words(q)
        parts.append(f'<p style="font-size:{s["text"]}px; margin:0 0 4px 0">'
                     f'<b>The answer:</b> {escape(answer)}</p>')
        if q.choices or q.kind == "where":
            if q.explanation and q.explanation != answer:
                parts.append(f'<p style="font-size:{s["text"]}px; margin:0 0 4px 0">'
                             f'{escape(q.explanation)}</p>')
        if q.kind == "landmark":
            if q.count_from:
                levels = [n.removeprefix("spinous_") for n in q.count_from]
                parts.append(f'<p style="font-size:{s["text"]}px; margin:0 0 4px 0">'
                             f'<b>Count down from C7:</b> {escape(", ".join(levels))} '
                             f'({len(levels)} spinous processes, numbered on the model)</p>')
            parts.append(f'<p style="font-size:{s["text"]}px; margin:6px 0 2px 0">'
                         f'<b>How to find it:</b> {escape(q.explanation)}</p>')
            if q.source:
                parts.append(f'<p style="font-size:{s["quote"]}px; color:#555; margin:0 0 4px 0">'
                             f'Source: {escape(q.source)}</p>')
        if q.citations:
            parts.append(f'<p style="font-size:{s["text"]}px; font-weight:700; color:#2f4f5f; '
                         f'margin:10px 0 4px 0">{QUOTES_HEADING}</p>')
            for c in q.citations:
                parts.append(f'<p style="font-size:{s["quote"]}px; font-style:italic; '
                             f'color:#3d3d3d; margin:0 0 6px 0">“{escape(c)}”</p>')
        return "".join(parts)

    def _answer_words(self, q: Question) -> str:
        if q.kind == "landmark":
            return f"{q.target}, the blue marker (a click within {q.radius * 100:g} cm finds it)"
        return "all the skin coloured on the model, outlined in black"

    # ------------------------------------------------------------------ the model
    def _paint(self, palette) -> np.ndarray:
        """The body's colours while quizzing: plain skin; the asked zone tinted; after the
        answer the answer in the map's colours."""
        scene = self.view.scene
        n = scene.surface.n_cells
        rgb = np.empty((n, 3), np.uint8)
        rgb[:] = hex_to_rgb(palette.no_zone)
        shown = self.shown
        if shown is None:
            return rgb
        q = shown.question
        done = shown.feedback is not None or shown.revealed
        if q.kind == "what" and q.zone in scene.rmap.by_id:
            cells = scene.zone_of_cell == scene.rmap.zone(q.zone).index
            if done:
                mode = "pressure" if q.field == "pressure" else f"stroke:{q.field}"
                rgb[cells] = scene.cell_colours(mode, palette=palette)[cells]
            else:
                tint = np.array(hex_to_rgb(ASKED_TINT), float)
                rgb[cells] = (rgb[cells] * 0.35 + tint * 0.65).astype(np.uint8)
        elif q.kind == "where" and done:
            mask = answer_cells(q, scene)
            rgb[mask] = hex_to_rgb(answer_colour(q, palette))
        return rgb

    def _clear_marks(self) -> None:
        for name in [n for n in self.plotter.actors if n.startswith("quiz-")]:
            self.plotter.remove_actor(name, render=False)

    def _normal_at(self, point) -> np.ndarray:
        scene = self.view.scene
        cell = int(np.argmin(np.linalg.norm(scene.cell_centres - np.asarray(point), axis=1)))
        return scene.cell_normals[cell]

    def _draw_marks(self) -> None:
        """The quiz's own actors ("quiz-*"): the asked zone's outline, the click, the landmark,
        the line between them and its distance, the counted spinous processes."""
        self._clear_marks()
        if self.view.actors is not None:
            self.view.actors.set_paint(self._paint, render=False)
        shown = self.shown
        if shown is None or self.view.scene is None:
            return
        scene, body = self.view.scene, self.model.body
        unit = body.unit
        q = shown.question
        done = shown.feedback is not None or shown.revealed
        if q.kind == "what" and q.zone in scene.rmap.by_id:
            outline = scene.zone_outline(scene.rmap.zone(q.zone).index)
            if outline.n_points:
                self.plotter.add_mesh(_lift(outline, 0.0006 / unit), color="#ffffff",
                                      line_width=8, name="quiz-outline-halo", pickable=False,
                                      render=False)
                self.plotter.add_mesh(_lift(outline, 0.0013 / unit), color="#111111",
                                      line_width=3.5, name="quiz-outline", pickable=False,
                                      render=False)
        if not done:
            return
        fb = shown.feedback
        right = fb is not None and fb.right
        radius = 0.009 / unit
        if q.kind == "where":
            mask = answer_cells(q, scene)
            edges = scene.zone_part(mask)
            if edges.n_cells:
                edges = edges.clean(tolerance=0.0, absolute=True).extract_feature_edges(
                    boundary_edges=True, feature_edges=False, manifold_edges=False,
                    non_manifold_edges=False)
                self.plotter.add_mesh(_lift(edges, 0.0012 / unit), color="#111111",
                                      line_width=3, name="quiz-answer-outline", pickable=False,
                                      render=False)
            if shown.point is not None:
                point = np.asarray(shown.point, float)
                self._sphere("quiz-click", point + self._normal_at(point) * 0.004 / unit,
                             radius, CLICK_RIGHT if right else CLICK_WRONG)
        if q.kind == "landmark":
            target = body.landmark(q.answer["landmark"])
            lift = self._normal_at(target) * 0.004 / unit
            for i, name in enumerate(q.count_from[:-1]):
                if name in body.landmarks:
                    p = body.landmark(name)
                    self._sphere(f"quiz-count-{i}", p + self._normal_at(p) * 0.003 / unit,
                                 0.0055 / unit, "#ffffff")
            if q.count_from:
                pts = [body.landmark(n) for n in q.count_from if n in body.landmarks]
                labels = [f"{i + 1} {n.removeprefix('spinous_')}"
                          for i, n in enumerate(q.count_from) if n in body.landmarks]
                side = scene.geometry.frame.left * 0.035 / unit
                self.plotter.add_point_labels(
                    np.array(pts) + side, labels, name="quiz-count-labels", font_size=15,
                    bold=True, text_color="#111111", shape_color="#ffffff", shape_opacity=0.85,
                    show_points=False, always_visible=True, render=False, pickable=False)
            self._sphere("quiz-target", target + lift, radius * 1.1, TARGET_COLOUR)
            if shown.point is not None:
                point = np.asarray(shown.point, float)
                plift = self._normal_at(point) * 0.004 / unit
                self._sphere("quiz-click", point + plift, radius,
                             CLICK_RIGHT if right else CLICK_WRONG)
                if fb is not None and fb.distance is not None and fb.distance > 0.003:
                    line = pv.Line(point + plift, target + lift)
                    self.plotter.add_mesh(line, color="#111111", line_width=4,
                                          name="quiz-line", pickable=False, render=False)
                    mid = (point + plift + target + lift) / 2
                    self.plotter.add_point_labels(
                        mid[None] - scene.geometry.frame.left * 0.03 / unit,
                        [f"{fb.distance * 100:.1f} cm"], name="quiz-distance", font_size=18,
                        bold=True, text_color="#111111", shape_color="#ffffff",
                        shape_opacity=0.9, show_points=False, always_visible=True,
                        render=False, pickable=False)

    def _sphere(self, name: str, centre, radius: float, colour: str) -> None:
        self.plotter.add_mesh(pv.Sphere(radius=radius, center=np.asarray(centre, float),
                                        theta_resolution=20, phi_resolution=20),
                              color=colour, smooth_shading=True, ambient=0.35, diffuse=0.7,
                              specular=0.3, name=name, pickable=False, render=False)

    def quiz_actor_names(self) -> list[str]:
        return sorted(n for n in self.plotter.actors if n.startswith("quiz-"))

    # ------------------------------------------------------------------ mouse and keys
    def _click(self, pos: QPointF) -> bool:
        """The view's click hook: while quizzing a click answers (or, presenting, does
        nothing); it never selects a zone."""
        if not self.active:
            return bool(self._previous_hook(pos)) if self._previous_hook is not None else False
        if not self.presenting:
            self.answer_at(pos)
        return True

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if not self.active:
            return False
        kind = event.type()
        if obj is self.plotter and kind == QEvent.Type.MouseMove \
                and event.buttons() == Qt.MouseButton.NoButton:
            return True  # no hover names while quizzing
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress,
                        QEvent.Type.KeyRelease):
            return False
        if QApplication.activeModalWidget() is not None:
            return False
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods != Qt.KeyboardModifier.NoModifier:
            return False
        key = event.key()
        if self.window.presenting and key in _CLICKER_KEYS:
            return False  # the clicker's (presentation.ClickerKeys)
        call = self._key_call(key)
        if call is None:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        if kind == QEvent.Type.KeyPress:
            call()
        return True

    def _key_call(self, key):
        shown = self.shown
        if key in _CHOICE_KEYS and shown is not None and shown.question.choices \
                and not self.presenting and _CHOICE_KEYS[key] < len(shown.question.choices):
            return lambda: self.choose(_CHOICE_KEYS[key])
        if key in _NEXT_KEYS:
            if key == Qt.Key.Key_PageDown or shown is None or shown.feedback is not None \
                    or shown.revealed:
                return self.next
            return None
        if key == Qt.Key.Key_Escape:
            return self.stop
        if key == Qt.Key.Key_R and self.presenting:
            return self.reveal
        return None

    def show(self) -> None:
        """Show the current state again (after a change of layout)."""
        if self.shown is not None:
            self._show()
        elif self.run is not None:
            self._show_end()


def answer_cells(question: Question, scene) -> np.ndarray:
    """``where``: the cells of the scene's cut surface whose rule answers the question (the
    cut follows the zones' borders exactly; :func:`viewer.core.quiz.answer_faces` grades by
    the body's faces, which the borders cross)."""
    fld, values = question.criterion
    rules = [z.rule for z in scene.rmap.zones]
    zone_ok = np.array([r.fields()[fld] in values for r in rules] + [False], bool)
    zones = np.where(scene.zone_of_cell >= 0, scene.zone_of_cell, len(rules))
    mask = zone_ok[zones]
    if scene.covers:
        cover_ok = np.array([c.rule.fields()[fld] in values for c in scene.covers], bool)
        multi = scene.cover_of_cell >= 0
        mask[multi] = cover_ok[scene.cover_of_cell[multi]]
    return mask


def answer_colour(question: Question, palette) -> str:
    """The map's colour of the value a ``where`` question asks about (firm pressure's
    green, friction avoided's vermillion...)."""
    fld, values = question.criterion
    if fld == "pressure":
        return palette.pressure[Pressure(values[0])]
    return palette.strokes[StrokeStatus(values[0])]


def _lift(lines: pv.PolyData, distance: float) -> pv.PolyData:
    out = lines.copy(deep=True)
    if "Normals" in out.point_data:
        out.points = out.points + out.point_data["Normals"] * distance
    return out


__all__ = ["QUIZ_HELP", "QuizController", "QuizPanel", "Shown"]
