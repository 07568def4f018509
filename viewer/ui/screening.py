"""View → Before you start: the guide's safety screening in the window (issue 14).

A dock lists the region map's questions (``[[conditions]]``) as check boxes, grouped by what
they do: **postpone** the massage, **avoid an area** (marked by hand on the body) or **limit**
the pressure on the lower back. Every answer is applied at once through the core
(:func:`viewer.core.screening.apply_screening`) and shown:

- postpone: a banner over the 3D view, "Postpone the massage" and the guide's sentence;
- avoid an area: with such a condition ticked, "Place a mark": click the skin to put a mark
  there and drag to set its radius (shown in cm while dragging); drag a mark's middle to move
  it, its rim to resize it; Del deletes the selected mark; Edit → Undo and Redo undo each edit.
  Each mark is a translucent disc on the skin with its number and note; the dock lists them;
- limit: the zone panel of a limited zone says why ("Reduced: history of DVT").

Clicking a marked area names the mark's condition and the guide's sentence in the zone panel.
Sessions keep the answers and the marks; File → Export passes them to the picture.

How the screened map is coloured is the renderer's (:meth:`ScreeningController.show_screened`
is the one place the window hands it over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pyvista as pv
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QMouseEvent, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from viewer.core import screening as core
from viewer.core.screening import MARK_RADIUS_CM, Condition, Mark, Screening
from viewer.core.wording import QUOTES_HEADING, Section
from viewer.ui.picking import mesh_picker, widget_display, world_to_display

#: the groups of the dock, in this order: (effect, heading, what ticking one does)
EFFECT_GROUPS = (
    ("postpone", "Postpone the massage",
     "Any of these: do not massage today; wait until it has passed."),
    ("avoid-area", "Avoid an area",
     "Tick, then click the skin to mark where: every stroke avoids the marked area."),
    ("limit", "Limit the pressure",
     "No deep work on the lower back: at most light pressure there, deep strokes reduced."),
)
POSTPONE_HEADING = "Postpone the massage"
#: the dock's width when shown (logical pixels): the questions wrap in a few lines
DOCK_WIDTH = 360
#: a new mark's radius when the skin is clicked without dragging, cm
DEFAULT_RADIUS_CM = 3.0
#: the smallest radius a drag gives, cm
MIN_RADIUS_CM = 0.5
#: a press this close (logical pixels) to a mark's centre grabs it to move it
GRAB_PX = 12
#: a press on the skin between these fractions of a mark's radius from its centre resizes it
#: (nearer the centre moves it)
RIM = (0.7, 1.25)
#: the marks' colour on the skin (a disc at MARK_OPACITY, its outline opaque)
MARK_COLOUR = "#cc79a7"
MARK_OUTLINE = "#5b1140"
MARK_OPACITY = 0.45
#: the discs are lifted off the skin by this much (metres), so the skin never hides them
LIFT_M = 0.002


def conditions_of(rmap) -> list[Condition]:
    """The map's conditions (tests replace this before the map lists any)."""
    return core.conditions(rmap)


def _cm(mark_or_radius, unit: float) -> float:
    """Mesh units -> cm."""
    return float(mark_or_radius) * unit * 100.0


# ---------------------------------------------------------------------------- undo
class EditMark(QUndoCommand):
    """One edit of the marks: added (``old`` None), deleted (``new`` None), moved, resized or
    relabelled."""

    def __init__(self, controller: "ScreeningController", index: int, old: Mark | None,
                 new: Mark | None, text: str):
        super().__init__(text)
        self.controller, self.index, self.old, self.new = controller, index, old, new

    def redo(self) -> None:
        self.controller._put(self.index, self.old, self.new)

    def undo(self) -> None:
        self.controller._put(self.index, self.new, self.old)


# ---------------------------------------------------------------------------- the dock
class _ClickLabel(QLabel):
    """A wrapped question beside its check box; a click on it ticks the box."""

    def __init__(self, text: str, box: QCheckBox):
        super().__init__(text, wordWrap=True)
        self.box = box
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton and self.box.isEnabled():
            self.box.click()


class ScreeningPanel(QWidget):
    """The "Before you start" dock: the questions by effect, then the marks."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="screeningPanel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.layout_ = QVBoxLayout(body)
        self.layout_.setContentsMargins(10, 8, 10, 10)
        self.layout_.setSpacing(6)
        self.layout_.addWidget(QLabel("Before you start", objectName="sectionTitle"))
        self.layout_.addWidget(QLabel("Ask the recipient; tick what applies. The map changes "
                                      "at once.", wordWrap=True, objectName="screeningIntro"))
        self.questions = QVBoxLayout()
        self.questions.setSpacing(4)
        self.layout_.addLayout(self.questions)
        #: condition id -> its check box, and the question beside it
        self.boxes: dict[str, QCheckBox] = {}
        self.labels: dict[str, QLabel] = {}

        self.marks_box = QWidget(objectName="marksBox")
        marks = QVBoxLayout(self.marks_box)
        marks.setContentsMargins(0, 8, 0, 0)
        marks.addWidget(QLabel("Marks on the body", objectName="sectionTitle"))
        row = QHBoxLayout()
        self.place_button = QPushButton("Place a mark", checkable=True, objectName="placeMark")
        self.place_button.setToolTip("Click the skin to place a mark, drag to set its size; "
                                     "drag a mark's middle to move it, its rim to resize it")
        self.condition_box = QComboBox(objectName="markCondition")
        self.condition_box.setToolTip("What the next mark is for")
        row.addWidget(self.place_button)
        row.addWidget(self.condition_box, 1)
        marks.addLayout(row)
        self.hint = QLabel("", wordWrap=True, objectName="markHint")
        marks.addWidget(self.hint)
        self.list = QListWidget(objectName="markList")
        self.list.setMinimumHeight(90)
        marks.addWidget(self.list, 1)
        edit = QHBoxLayout()
        self.note_edit = QLineEdit(placeholderText="Label the selected mark…", objectName="markNote")
        self.delete_button = QPushButton("Delete", objectName="deleteMark")
        edit.addWidget(self.note_edit, 1)
        edit.addWidget(self.delete_button)
        marks.addLayout(edit)
        self.layout_.addWidget(self.marks_box)
        self.layout_.addStretch(1)

    def set_conditions(self, conditions: list[Condition]) -> None:
        while self.questions.count():
            widget = self.questions.takeAt(0).widget()
            if widget is not None:  # out of the dock now, deleted when Qt is idle
                widget.setParent(None)
                widget.deleteLater()
        self.boxes, self.labels = {}, {}
        for effect, heading, explain in EFFECT_GROUPS:
            group = [c for c in conditions if c.effect == effect]
            if not group:
                continue
            title = QLabel(heading, objectName="screeningGroup")
            title.setStyleSheet("font-weight: bold; margin-top: 6px;"
                                + (" color: #a33c00;" if effect != "limit" else " color: #2f4f5f;"))
            self.questions.addWidget(title)
            line = QLabel(explain, wordWrap=True, objectName="screeningExplain")
            line.setStyleSheet("color: #555;")
            self.questions.addWidget(line)
            for c in group:
                # a check box does not wrap its text: the question is a label beside it,
                # which ticks the box when clicked
                row = QWidget()
                line = QHBoxLayout(row)
                line.setContentsMargins(0, 0, 0, 0)
                box = QCheckBox(objectName=f"condition-{c.id}")
                box.setAccessibleName(c.question)
                box.setProperty("condition", c.id)
                label = _ClickLabel(c.question, box)
                tip = "\n".join(f"“{t}”" for t in c.citations)
                for w in (box, label):
                    w.setToolTip(tip)
                line.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
                line.addWidget(label, 1)
                self.boxes[c.id] = box
                self.labels[c.id] = label
                self.questions.addWidget(row)
        if not conditions:
            self.questions.addWidget(QLabel("This region map lists no conditions to ask about.",
                                            wordWrap=True))


class ScreeningController(QObject):
    """The "Before you start" screening of one :class:`~viewer.ui.main_window.MainWindow`."""

    #: the screening was applied anew (a :class:`~viewer.core.screening.Screened`, or None
    #: while no zoned model is shown)
    screenedChanged = Signal(object)
    #: the marks changed (an edit, an undo or a redo)
    marksChanged = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.plotter = window.plotter
        self.view = window.view
        self.conditions: list[Condition] = []
        self.answers: set[str] = set()
        self.marks: list[Mark] = []
        self.selected: int | None = None
        self.screened = None
        self.placing = False
        self._picker = None
        self._normals = None
        self._centres = None
        self._mesh = None
        #: a screening from the command line, applied once its body is shown
        self._pending = None
        self._drag: tuple[str, int | None, Mark | None] | None = None  # kind, index, mark before
        self._live: Mark | None = None  # the mark being dragged, as it is now
        self._clicked: tuple[str, int] | None = None  # (zone id, body face) of the last click
        self.stack = QUndoStack(self)
        window.undo_group.addStack(self.stack)
        self.stack.indexChanged.connect(lambda _i: self._show_marks_list())

        self.panel = ScreeningPanel()
        self.dock = window._dock("Before you start", "screeningDock", self.panel,
                                 Qt.DockWidgetArea.LeftDockWidgetArea)
        # beside "Colours and zones", as a tab: the questions and the marks need the height
        window.tabifyDockWidget(window.left_dock, self.dock)
        self.dock.hide()
        self.dock.visibilityChanged.connect(lambda on: on and self.dock.width() < DOCK_WIDTH
                                            and self.window.resizeDocks(
                                                [self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal))
        self.act_dock = self.dock.toggleViewAction()
        self.act_dock.setText("&Before you start")
        self.act_dock.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.act_dock.setProperty("section", "Zones")
        self.act_dock.setToolTip("The guide's safety questions: postpone, avoid an area, limit "
                                 "(Ctrl+Shift+B)")
        window.addAction(self.act_dock)
        window.view_menu.insertAction(window.view_menu.actions()[0], self.act_dock)
        self.act_delete = window._action("Delete mark", QKeySequence.StandardKey.Delete,
                                         self.delete_selected, section="Zones",
                                         tip="Delete the selected mark on the body")
        self.act_delete.setEnabled(False)

        self.banner = QLabel(self.plotter, objectName="postponeBanner", wordWrap=True)
        self.banner.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setStyleSheet(
            "QLabel#postponeBanner { background: rgba(150, 20, 20, 235); color: white; "
            "border: 2px solid #ffffff; border-radius: 8px; padding: 12px 18px; "
            "font-size: 15pt; }")
        self.banner.hide()
        self.radius_label = QLabel(self.plotter, objectName="markRadius")
        self.radius_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.radius_label.setStyleSheet(
            "QLabel#markRadius { background: rgba(255,255,255,235); color: #111; "
            "border: 1px solid #5b1140; border-radius: 3px; padding: 2px 6px; "
            "font-weight: bold; }")
        self.radius_label.hide()

        p = self.panel
        p.place_button.toggled.connect(self.set_placing)
        p.list.currentRowChanged.connect(self._list_selected)
        p.note_edit.editingFinished.connect(self._note_edited)
        p.delete_button.clicked.connect(self.delete_selected)
        window.modelLoaded.connect(self._on_model)
        window.lesson.stepChanged.connect(self._on_step)
        window.zone_panel.notes = self.zone_notes
        window.zone_panel.place = self.screened_place
        self._previous_hook = self.view.click_hook
        self.view.click_hook = self._click
        self.plotter.installEventFilter(self)  # after the editor's: this filter sees events first
        self._update_enabled()

    def show_dock(self) -> None:
        """Show the dock in front of its tab (and wide enough to read its questions)."""
        self.dock.show()
        self.dock.raise_()
        if self.dock.width() < DOCK_WIDTH:
            self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    # ------------------------------------------------------------------ model, answers
    def _on_model(self, model) -> None:
        """A model is shown: the map's questions; the answers stay where the map still has
        them; the marks stay on the same mesh, and go with another one."""
        self.conditions = conditions_of(model.rmap)
        known = {c.id for c in self.conditions}
        self.answers &= known
        if model.body.mesh is not self._mesh:
            self._mesh = model.body.mesh
            self._picker = self._normals = self._centres = None
            self.marks = []
            self.selected = None
            self.stack.clear()
        self.panel.set_conditions(self.conditions)
        for cid, box in self.panel.boxes.items():
            box.setChecked(cid in self.answers)
            box.toggled.connect(lambda on, cid=cid: self.set_answer(cid, on))
        self.apply()
        self._take_pending()

    @property
    def model(self):
        return self.window.model

    @property
    def unit(self) -> float:
        return self.model.body.unit if self.model is not None else 1.0

    def condition(self, cid: str | None) -> Condition | None:
        return next((c for c in self.conditions if c.id == cid), None)

    def set_answer(self, cid: str, on: bool) -> None:
        """Tick (or untick) a condition and apply the screening at once."""
        if (cid in self.answers) == on:
            return
        if on:
            self.answers.add(cid)
        else:
            self.answers.discard(cid)
        box = self.panel.boxes.get(cid)
        if box is not None and box.isChecked() != on:
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)
        self.apply()

    def set_answers(self, cids) -> None:
        for c in self.conditions:
            self.set_answer(c.id, c.id in set(cids))

    def area_conditions(self) -> list[Condition]:
        """The ticked conditions whose area is marked by hand (broken skin, rash, bruising)."""
        return [c for c in self.conditions if c.effect == "avoid-area" and c.id in self.answers]

    def active_marks(self) -> list[int]:
        """The marks that apply: their condition is ticked (or they name none)."""
        return [i for i, m in enumerate(self.marks)
                if m.condition is None or m.condition in self.answers]

    def screening(self) -> Screening:
        """The answers and the marks that apply, for the core, sessions and exports."""
        ordered = tuple(c.id for c in self.conditions if c.id in self.answers)
        return Screening(ordered, tuple(self.marks[i] for i in self.active_marks()))

    def apply(self) -> None:
        """Apply the screening to the map shown and show the result."""
        model = self.model
        if model is None or not model.zoned:
            self.screened = None
        else:
            self.screened = core.apply_screening(model.scene.assignment, self.screening())
        self._update_enabled()
        self.show_screened(self.screened)
        self.window.zone_panel.refresh()
        self.screenedChanged.emit(self.screened)

    # ------------------------------------------------------------------ what the view shows
    def show_screened(self, screened) -> None:
        """The screened map in the 3D view: the one place the window hands it to the renderer
        (``SceneActors.set_screening``: marked areas, capped zones, a postponed body), then the
        banner and the marks' handles, which are the window's."""
        if self.view.actors is not None:
            self.view.actors.set_screening(screened, render=False)
        self._set_banner(screened)
        self._draw_marks()
        self.view.redraw()

    def banner_sentences(self, screened) -> list[str]:
        if screened is None or not screened.postpone:
            return []
        sentences = [s for s in screened.reasons if s]
        if not sentences:  # the core gave no sentence: the conditions' own
            sentences = [t for c in self.conditions if c.effect == "postpone"
                         and c.id in self.answers for t in c.citations]
        return list(dict.fromkeys(sentences))

    def _set_banner(self, screened) -> None:
        from html import escape

        if screened is None or not screened.postpone:
            self.banner.hide()
            return
        sentences = self.banner_sentences(screened)
        self.banner.setText(f'<div style="font-size: 22pt; font-weight: 700;">{POSTPONE_HEADING}'
                            "</div>" + "".join(f"<p>“{escape(s)}”</p>" for s in sentences))
        self.banner.show()
        self.banner.raise_()
        self._place_banner()

    def _place_banner(self) -> None:
        margin = 16
        width = min(self.plotter.width() - 2 * margin, 900)
        self.banner.setFixedWidth(max(width, 120))
        self.banner.adjustSize()
        self.banner.move((self.plotter.width() - self.banner.width()) // 2, margin + 28)

    def banner_text(self) -> str:
        """What the banner says (empty while hidden)."""
        if not self.banner.isVisible():
            return ""
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(self.banner.text())
        return doc.toPlainText()

    # ------------------------------------------------------------------ marks on the skin
    def _ensure_picker(self) -> None:
        if self._picker is None and self.model is not None:
            mesh = self.model.body.mesh
            self._picker, self._normals = mesh_picker(self.plotter.renderer, mesh)
            self._centres = np.asarray(mesh.triangles_center, float)

    def surface_hit(self, pos: QPointF) -> tuple[int, np.ndarray | None]:
        """(face of the body, point on the skin) under a widget position, or (-1, None)."""
        if self.model is None:
            return -1, None
        self._ensure_picker()
        return self._picker.point_at(*widget_display(self.plotter, pos))

    def mark_faces(self, mark: Mark) -> np.ndarray:
        """The body's faces of a mark's disc: those whose centre lies within its radius."""
        self._ensure_picker()
        r = mark.radius_cm / 100.0 / self.unit
        d = np.linalg.norm(self._centres - np.asarray(mark.at, float), axis=1)
        return np.flatnonzero(d <= r)

    def mark_at_face(self, face: int) -> int | None:
        """The (applying) mark covering a face of the body, latest on top, or None."""
        if face < 0:
            return None
        fm = getattr(self.screened, "face_mark", None)
        if fm is not None and len(fm) > face and fm[face] >= 0:
            applying = self.active_marks()
            k = int(fm[face])
            return applying[k] if k < len(applying) else None
        self._ensure_picker()
        for i in reversed(self.active_marks()):
            m = self.marks[i]
            if np.linalg.norm(self._centres[face] - m.at) <= m.radius_cm / 100.0 / self.unit:
                return i
        return None

    def _disc(self, mark: Mark) -> pv.PolyData:
        """The mark's disc on the skin: the faces near it, cut round at its radius, lifted."""
        mesh = self.model.body.mesh
        r = mark.radius_cm / 100.0 / self.unit
        self._ensure_picker()
        near = np.linalg.norm(self._centres - np.asarray(mark.at, float), axis=1)
        faces = np.flatnonzero(near <= r * 1.3 + 0.02 / self.unit)
        if len(faces) == 0:
            return pv.PolyData()
        tri = np.asarray(mesh.faces)[faces]
        used, inverse = np.unique(tri, return_inverse=True)
        normals = np.zeros((len(used), 3))
        np.add.at(normals, inverse.reshape(-1, 3), self._normals[faces][:, None, :])
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
        skin = np.asarray(mesh.vertices, float)[used]
        disc = pv.PolyData.from_regular_faces(skin + normals * LIFT_M / self.unit,
                                              inverse.reshape(-1, 3))
        disc.point_data["d"] = np.linalg.norm(skin - np.asarray(mark.at, float), axis=1)
        disc = disc.clip_scalar(scalars="d", value=r, invert=True)
        return disc.extract_surface(algorithm="dataset_surface") if disc.n_cells else pv.PolyData()

    def _draw_mark(self, i: int, mark: Mark) -> None:
        disc = self._disc(mark)
        selected = i == self.selected
        if disc.n_cells == 0:
            self._remove_mark_actors(i)
            return
        self.plotter.add_mesh(disc, color=MARK_COLOUR, opacity=MARK_OPACITY, name=f"mark-{i}",
                              pickable=False, render=False, smooth_shading=True, ambient=0.5)
        edges = disc.extract_feature_edges(boundary_edges=True, feature_edges=False,
                                           manifold_edges=False, non_manifold_edges=False)
        self.plotter.add_mesh(edges, color="#ffffff" if selected else MARK_OUTLINE,
                              line_width=5 if selected else 3, name=f"mark-outline-{i}",
                              pickable=False, render=False)
        label = f"{i + 1}" + (f" {mark.note}" if mark.note else "")
        self.plotter.add_point_labels(
            np.asarray(mark.at, float)[None] + self._normal_at(mark.at) * 3 * LIFT_M / self.unit,
            [label], name=f"mark-label-{i}", font_size=16, bold=True, text_color="#111111",
            shape_color="#ffffff", shape_opacity=0.85, point_size=8, point_color=MARK_OUTLINE,
            always_visible=True, render=False, pickable=False, show_points=True)

    def _normal_at(self, point) -> np.ndarray:
        self._ensure_picker()
        face = int(np.argmin(np.linalg.norm(self._centres - np.asarray(point, float), axis=1)))
        return self._normals[face]

    def _remove_mark_actors(self, i: int) -> None:
        for name in (f"mark-{i}", f"mark-outline-{i}", f"mark-label-{i}-points",
                     f"mark-label-{i}-labels"):
            self.plotter.remove_actor(name, render=False)

    def _draw_marks(self) -> None:
        shown = set()
        if self.model is not None and self.model.zoned:
            for i in self.active_marks():
                mark = self._live if self._live is not None and self._drag and \
                    self._drag[1] == i else self.marks[i]
                self._draw_mark(i, mark)
                shown.add(i)
        for name in [n for n in self.plotter.actors if n.startswith("mark-")]:
            found = _MARK_ACTOR.match(name)
            if found is None or int(found.group(1)) not in shown:
                self.plotter.remove_actor(name, render=False)

    def mark_actor_names(self) -> list[str]:
        return sorted(n for n in self.plotter.actors if n.startswith("mark-"))

    # ------------------------------------------------------------------ editing marks
    def _put(self, index: int, old: Mark | None, new: Mark | None) -> None:
        """From an undo command: the mark at ``index`` goes from ``old`` to ``new``."""
        if old is None:
            self.marks.insert(index, new)
            self.selected = index
        elif new is None:
            del self.marks[index]
            self.selected = None
        else:
            self.marks[index] = new
            self.selected = index
        self.marksChanged.emit()
        self._show_marks_list()
        self.apply()

    def _push(self, index: int, old: Mark | None, new: Mark | None, text: str) -> None:
        self.window.undo_group.setActiveStack(self.stack)
        self.stack.push(EditMark(self, index, old, new, text))

    def add_mark(self, at, radius_cm: float, note: str = "", condition: str | None = None) -> int:
        """One undoable edit: a new mark (its condition the dock's choice by default)."""
        if condition is None:
            condition = self.panel.condition_box.currentData()
        mark = Mark(np.asarray(at, float), _clamp(radius_cm), " ".join(note.split()), condition)
        self._push(len(self.marks), None, mark, "Place a mark")
        return len(self.marks) - 1

    def change_mark(self, index: int, mark: Mark, text: str = "Change the mark") -> None:
        old = self.marks[index]
        if (np.array_equal(old.at, mark.at) and old.radius_cm == mark.radius_cm
                and old.note == mark.note and old.condition == mark.condition):
            return
        self._push(index, old, mark, text)

    def delete_mark(self, index: int) -> None:
        self._push(index, self.marks[index], None, "Delete the mark")

    def delete_selected(self) -> None:
        if self.selected is not None and self.selected < len(self.marks):
            self.delete_mark(self.selected)

    def select_mark(self, index: int | None) -> None:
        self.selected = index
        self._show_marks_list()
        self._draw_marks()
        self.view.redraw()

    def _show_marks_list(self) -> None:
        lst = self.panel.list
        lst.blockSignals(True)
        lst.clear()
        applying = set(self.active_marks())
        for i, m in enumerate(self.marks):
            what = condition_label(self.condition(m.condition), m.condition)
            text = f"{i + 1}. {what}, {m.radius_cm:.1f} cm" + (f": {m.note}" if m.note else "")
            if i not in applying:
                text += "  (condition not ticked)"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, i)
            lst.addItem(item)
        if self.selected is not None and self.selected < len(self.marks):
            lst.setCurrentRow(self.selected)
        lst.blockSignals(False)
        note = self.marks[self.selected].note if self.selected is not None and \
            self.selected < len(self.marks) else ""
        if not self.panel.note_edit.hasFocus():
            self.panel.note_edit.setText(note)
        self._update_enabled()

    def _list_selected(self, row: int) -> None:
        self.select_mark(row if row >= 0 else None)

    def _note_edited(self) -> None:
        if self.selected is None or self.selected >= len(self.marks):
            return
        note = " ".join(self.panel.note_edit.text().split())
        mark = self.marks[self.selected]
        if note != mark.note:
            self.change_mark(self.selected, replace(mark, note=note), "Label the mark")

    def _update_enabled(self) -> None:
        p = self.panel
        areas = self.area_conditions()
        p.marks_box.setVisible(bool(areas) or bool(self.marks))
        p.place_button.setEnabled(bool(areas) and self.model is not None and self.model.zoned)
        current = p.condition_box.currentData()
        p.condition_box.blockSignals(True)
        p.condition_box.clear()
        for c in areas:
            p.condition_box.addItem(condition_label(c), c.id)
        if current is not None and p.condition_box.findData(current) >= 0:
            p.condition_box.setCurrentIndex(p.condition_box.findData(current))
        p.condition_box.blockSignals(False)
        has = self.selected is not None and self.selected < len(self.marks)
        p.note_edit.setEnabled(has)
        p.delete_button.setEnabled(has)
        self.act_delete.setEnabled(has)
        if not areas and self.placing:
            p.place_button.setChecked(False)
        p.hint.setText("Click the skin to place a mark and drag to set its size. Drag a mark's "
                       "middle to move it, its rim to resize it; Del deletes, Ctrl+Z undoes."
                       if self.placing else
                       "Tick broken skin, a rash or bruising, then “Place a mark”." if not areas
                       else "Press “Place a mark”, then click the skin where to avoid.")

    def set_placing(self, on: bool) -> None:
        """The "Place a mark" mode: clicks on the skin place and edit marks."""
        on = bool(on) and bool(self.area_conditions())
        self.placing = on
        if self.panel.place_button.isChecked() != on:
            self.panel.place_button.setChecked(on)
        if on:
            self.window.landmark_editor.set_active(False)
            self.window.undo_group.setActiveStack(self.stack)
            self.show_dock()
        self.plotter.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)
        self._update_enabled()

    # ------------------------------------------------------------------ mouse
    def _grab(self, pos: QPointF, face: int, point) -> tuple[str, int] | None:
        """What a press at ``pos`` grabs: ("move", i) near a mark's centre or inside it,
        ("resize", i) on its rim, or None."""
        applying = self.active_marks()
        if not applying:
            return None
        ratio = self.plotter.devicePixelRatioF()
        x, y = widget_display(self.plotter, pos)
        centres = np.array([self.marks[i].at for i in applying], float)
        disp = world_to_display(self.plotter.renderer, centres)
        near = np.hypot(disp[:, 0] - x, disp[:, 1] - y)
        best = int(np.argmin(near))
        if near[best] <= GRAB_PX * ratio:
            return "move", applying[best]
        if point is None:
            return None
        for i in reversed(applying):
            m = self.marks[i]
            frac = np.linalg.norm(point - m.at) * self.unit * 100.0 / m.radius_cm
            if frac < RIM[0]:
                return "move", i
            if frac <= RIM[1]:
                return "resize", i
        return None

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.Resize and self.banner.isVisible():
            self._place_banner()
        if not self.placing or self.model is None or not self.model.zoned:
            return False
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            pos = QPointF(event.position())
            face, point = self.surface_hit(pos)
            grab = self._grab(pos, face, point)
            if grab is not None:
                what, i = grab
                self._drag = (what, i, self.marks[i])
                self._live = self.marks[i]
                self._offset = (point - self.marks[i].at) if (what == "move" and point is not None) \
                    else np.zeros(3)
                self.select_mark(i)
                self.plotter.setCursor(Qt.CursorShape.ClosedHandCursor if what == "move"
                                       else Qt.CursorShape.SizeFDiagCursor)
                return True
            if point is None:
                return False  # the background: the view turns the body
            condition = self.panel.condition_box.currentData()
            self._drag = ("new", None, None)
            self._live = Mark(np.asarray(point, float), DEFAULT_RADIUS_CM, "", condition)
            self._press_point = np.asarray(point, float)
            self._dragged = False
            self._show_live(pos)
            return True
        if kind == QEvent.Type.MouseMove and self._drag is not None:
            assert isinstance(event, QMouseEvent)
            self.drag_to(QPointF(event.position()))
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._drag is not None:
            self.drag_to(QPointF(event.position()))
            self.end_drag()
            return True
        return False

    def drag_to(self, pos: QPointF) -> None:
        if self._drag is None:
            return
        what, i, before = self._drag
        _, point = self.surface_hit(pos)
        if point is None:
            return  # off the body: the mark waits where it was
        live = self._live
        if what == "move":
            live = replace(live, at=np.asarray(point - self._offset, float))
            snapped = self.surface_hit_point(live.at)
            if snapped is not None:
                live = replace(live, at=snapped)
        else:  # "new" or "resize": the radius is the distance from the centre
            radius = float(np.linalg.norm(point - live.at)) * self.unit * 100.0
            if what == "new":
                self._dragged = self._dragged or radius >= MIN_RADIUS_CM
                if not self._dragged:
                    return
            live = replace(live, radius_cm=_clamp(radius))
        self._live = live
        self._show_live(pos)

    def surface_hit_point(self, point) -> np.ndarray | None:
        """The closest point of the skin to ``point`` (a moved centre stays on the skin)."""
        from vtkmodules.vtkCommonCore import mutable

        self._ensure_picker()
        closest = [0.0, 0.0, 0.0]
        cell, sub, dist2 = mutable(-1), mutable(0), mutable(0.0)
        self._picker.locator.FindClosestPoint(list(map(float, point)), closest, cell, sub, dist2)
        return np.array(closest) if int(cell) >= 0 else None

    def _show_live(self, pos: QPointF) -> None:
        live = self._live
        index = self._drag[1] if self._drag[1] is not None else len(self.marks)
        self._draw_mark(index, live)
        self.radius_label.setText(f"Radius {live.radius_cm:.1f} cm")
        self.radius_label.adjustSize()
        self.radius_label.move(round(pos.x() + 18), round(pos.y() + 14))
        self.radius_label.show()
        self.view.request_render()

    def end_drag(self) -> None:
        what, i, before = self._drag
        live = self._live
        self._drag = self._live = None
        self.radius_label.hide()
        self.plotter.setCursor(Qt.CursorShape.CrossCursor)
        if what == "new":
            self._remove_mark_actors(len(self.marks))
            self.add_mark(live.at, live.radius_cm, condition=live.condition)
        else:
            self.change_mark(i, live, "Move the mark" if what == "move" else "Resize the mark")
            self._draw_marks()
            self.view.request_render()

    # ------------------------------------------------------------------ clicks, zone panel
    def _click(self, pos: QPointF) -> bool:
        """The view's click hook: remember the body's face clicked (for the zone panel), then
        the landmark editor's hook."""
        face, _ = self.surface_hit(pos) if self.model is not None and self.model.zoned else (-1, None)
        self._clicked_face = face
        mark = self.mark_at_face(face)
        if mark is not None:
            self.select_mark(mark)
        # the same zone clicked elsewhere may not change the selection: the panel follows
        QTimer.singleShot(0, self.window.zone_panel.refresh)
        if self._previous_hook is not None:
            return bool(self._previous_hook(pos))
        return False

    _clicked_face = -1

    def _face_for(self, zone, cover) -> int:
        """The body's face the zone panel speaks of: the one clicked when it was clicked, else
        a face of the zone under no mark."""
        face = self._clicked_face
        assignment = self.model.scene.assignment
        if cover is not None and 0 <= face < len(assignment.face_zone):
            return face
        faces = np.flatnonzero(np.asarray(assignment.face_zone) == zone.index)
        if len(faces) == 0:
            return -1
        fm = getattr(self.screened, "face_mark", None)
        if fm is not None and len(fm) == len(assignment.face_zone):
            free = faces[np.asarray(fm)[faces] < 0]
            if len(free):
                return int(free[0])
        return int(faces[0])

    def screened_place(self, zone, cover):
        """The zone panel's place after the screening: where a limit caps the rule or a mark
        makes it avoid, a cover whose rule is the screened one (its table then shows the
        values that apply, each reduced one noted with why); otherwise ``cover`` itself."""
        screened = self.screened
        if screened is None or self.model is None or not self.model.zoned:
            return cover
        face = self._face_for(zone, cover)
        rule = screened.rule(face) if face >= 0 else None
        own = cover.rule if cover is not None else zone.rule
        if rule is None or rule.fields() == own.fields():
            return cover
        why = list(dict.fromkeys(screened.why(face)))
        return _ScreenedPlace(zone, cover.also if cover is not None else (), rule,
                              rule.stricter_fields(zone.rule),
                              "; ".join(w[:1].lower() + w[1:] for w in why) or "before you start")

    def zone_notes(self, zone, cover) -> list[Section]:
        """The zone panel's "Before you start" sections: a mark clicked (its condition, note and
        the guide's sentence), why the rule is reduced here, the postponement."""
        screened = self.screened
        if screened is None or self.model is None or not self.model.zoned:
            return []
        sections = []
        face = self._face_for(zone, cover)
        mark = self.mark_at_face(face) if cover is not None else None
        if mark is not None:
            m = self.marks[mark]
            cond = self.condition(m.condition)
            lines = [f"Mark {mark + 1}" + (f": {m.note}" if m.note else "")
                     + (f" ({cond.question.rstrip('?')}?)" if cond else ""),
                     "Avoid this area: no pressure and no stroke here."]
            sections.append(Section("cautions", "Marked area: avoid", tuple(lines), warning=True))
            if cond and cond.citations:
                sections.append(Section("citations", QUOTES_HEADING, tuple(cond.citations)))
        why = list(dict.fromkeys(screened.why(face))) if face >= 0 else []
        if why:
            sections.append(Section("cautions", "Before you start", tuple(why), warning=True))
            cites = [t for c in self.conditions if c.effect == "limit" and c.id in self.answers
                     for t in c.citations]
            if cites:
                sections.append(Section("citations", QUOTES_HEADING, tuple(dict.fromkeys(cites))))
        if screened.postpone:
            sections.insert(0, Section("cautions", POSTPONE_HEADING,
                                       tuple(self.banner_sentences(screened)), warning=True))
        return sections

    # ------------------------------------------------------------------ lesson, sessions
    def _on_step(self, index) -> None:
        """The lesson's "When to avoid or postpone" step opens this dock beside it."""
        lesson = self.window.lesson
        if index is not None and lesson.step is not None and lesson.step.id == "avoid" \
                and not self.window.presenting:
            self.dock.show()  # a tab beside the colours: the lesson keeps its own panel

    def apply_session(self, session) -> None:
        """A loaded session's answers and marks (replacing the current ones; one undo step
        per mark is not kept: loading starts afresh)."""
        self._replace(session.conditions, [m.mark() for m in session.marks])

    def start_with(self, screening) -> None:
        """``backview --condition ... --mark ...``: these answers and marks once the body
        is shown (a :class:`~viewer.core.screening.Screening` checked by the command line)."""
        self._pending = screening
        if self.model is not None and self.model.body.mesh is self._mesh:
            self._take_pending()

    def _take_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and not pending.empty:
            self._replace(pending.conditions, list(pending.marks))

    def _replace(self, conditions, marks) -> None:
        self.stack.clear()
        self.marks = list(marks)
        self.selected = None
        self.answers = {c for c in conditions if self.condition(c) is not None}
        for cid, box in self.panel.boxes.items():
            box.blockSignals(True)
            box.setChecked(cid in self.answers)
            box.blockSignals(False)
        if conditions or marks:
            self.show_dock()
        self._show_marks_list()
        self.apply()


#: the actors of mark i: "mark-i", "mark-outline-i", "mark-label-i" (and pyvista's
#: "mark-label-i-points" and "mark-label-i-labels")
_MARK_ACTOR = re.compile(r"^mark-(?:outline-|label-)?(\d+)(?:-points|-labels)?$")


@dataclass(frozen=True)
class _ScreenedPlace:
    """A place whose rule "Before you start" changed, shaped like a zone
    :class:`~viewer.core.zones.Cover` for the zone panel (``reduced_by`` says why)."""

    zone: object
    also: tuple
    rule: object
    stricter: list
    reduced_by: str


def zone_point(model, zone_id: str) -> np.ndarray:
    """A point of the skin in the middle of a zone: the centre of the zone's face nearest the
    centroid of its faces' centres (documentation pictures, tests)."""
    assignment, mesh = model.scene.assignment, model.body.mesh
    faces = np.flatnonzero(np.asarray(assignment.face_zone) == model.rmap.zone(zone_id).index)
    centres = np.asarray(mesh.triangles_center, float)[faces]
    return centres[np.argmin(np.linalg.norm(centres - centres.mean(axis=0), axis=1))]


def condition_label(condition: Condition | None, fallback: str | None = None) -> str:
    """A condition's short name for lists: its reason ("Unexplained bruising"), else its id."""
    text = (condition.reason or condition.id.replace("-", " ")) if condition else (fallback or "Avoid")
    return text[:1].upper() + text[1:]


def _clamp(radius_cm: float) -> float:
    return float(min(max(radius_cm, MIN_RADIUS_CM), MARK_RADIUS_CM[1]))


__all__ = ["EFFECT_GROUPS", "EditMark", "ScreeningController", "ScreeningPanel", "conditions_of",
           "zone_point"]
