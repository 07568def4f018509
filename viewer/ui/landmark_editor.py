"""View → Edit landmarks: every landmark of the body as a marker on the skin, dragged with the
mouse (it slides on the skin), the zones refitted as it moves, undo and redo, File → Save
landmarks, and a guided walk that places the landmarks the body lacks (or that an automatic fit
was unsure of) one click at a time.

While a marker is dragged the zones are refitted cheaply every :data:`PREVIEW_MS`: the map is
fitted anew (``assign_zones``, a few hundredths of a second on the shipped torso) and each face
of the uncut mesh takes its zone's colour. When the mouse is released, the exact scene (the
surface cut along every zone border, ~0.3 s) is built in a worker thread and replaces the
preview. Landmarks that anatomy rules out (``check_landmarks``) do not refit: the panel and the
status bar say the one-line problem and the zones keep the last valid fit.

``benchmarks/bench_window.py`` ("drag a landmark: refit time") measures both paths.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import pyvista as pv
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QMouseEvent, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.core import anatomy
from viewer.core.body import UNIT_SCALE, Body, landmarks_path_for, load_landmarks, save_landmarks
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.landmark_checks import check_landmarks
from viewer.core.landmark_guide import landmark_guide, landmark_order
from viewer.core.zones import assign_zones
from viewer.render.scene import BodyScene
from viewer.ui.loading import Model
from viewer.ui.picking import SurfacePicker, mesh_picker, widget_to_display, world_to_display

#: the cheap refit while a marker is dragged runs at most this often (ms)
PREVIEW_MS = 120
#: a fit confidence below this (the landmarks file's ``fit.confidence``) sends the landmark to
#: the guided walk
LOW_CONFIDENCE = 0.5
#: a press this close to a marker (logical pixels) grabs it
GRAB_PX = 12
#: markers are lifted off the skin by this much (metres), so the skin never hides them
LIFT_M = 0.003
MARKER_PX = 13
SELECTED_PX = 20
#: dark blue stands out on every zone colour and on bare skin; magenta marks what the automatic
#: fit was unsure of; the selected marker is white in a black ring
MARKER_COLOURS = {"placed": "#1f3a93", "unsure": "#d81b60", "selected": "#ffffff",
                  "ring": "#111111"}
#: what the method of a saved file says about the editing
EDITED_NOTE = "edited in BackView"
LEFT_HINT = "Seen from behind, the body's left is on your left."


def ask_unsaved(parent: QWidget, text: str) -> QMessageBox.StandardButton:
    """Save / Discard / Cancel (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Unsaved landmarks", text,
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    return QMessageBox.StandardButton(box.exec())


def tell(parent: QWidget, title: str, text: str) -> None:
    """A message the user must read (tests replace this function)."""
    QMessageBox.warning(parent, title, text)


class MoveLandmark(QUndoCommand):
    """One edit: a landmark moved, placed (``old`` None) or removed (``new`` None)."""

    def __init__(self, editor: "LandmarkEditor", name: str, old, new):
        verb = "Place" if old is None else "Move"
        super().__init__(f"{verb} {editor.guide.name(name)}")
        self.editor, self.name = editor, name
        self.old = None if old is None else np.array(old, float)
        self.new = None if new is None else np.array(new, float)

    def redo(self) -> None:
        self.editor.set_point(self.name, self.new)

    def undo(self) -> None:
        self.editor.set_point(self.name, self.old)


class LandmarkPanel(QWidget):
    """The "Landmarks" dock: what is wrong (if anything), the list of landmarks, the walk."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="landmarkPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        title = QLabel("Landmarks", objectName="sectionTitle")
        self.status = QLabel("", objectName="landmarkStatus", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        help_text = QLabel("Drag a marker: it slides on the skin and the zones follow. "
                           "Ctrl+Z undoes, Ctrl+S saves.", wordWrap=True,
                           objectName="landmarkHelp")
        self.list = QListWidget(objectName="landmarkList")
        buttons = QHBoxLayout()
        self.walk_button = QPushButton("Place missing landmarks…")
        self.save_button = QPushButton("Save landmarks")
        buttons.addWidget(self.walk_button)
        buttons.addWidget(self.save_button)

        self.walk = QWidget(objectName="landmarkWalk")
        walk = QVBoxLayout(self.walk)
        walk.setContentsMargins(0, 6, 0, 0)
        self.walk_step = QLabel("", objectName="walkStep")
        self.walk_name = QLabel("", objectName="walkName", wordWrap=True)
        font = self.walk_name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.walk_name.setFont(font)
        self.walk_where = QLabel("", objectName="walkWhere", wordWrap=True)
        self.walk_hint = QLabel("", objectName="walkHint", wordWrap=True)
        row = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.skip_button = QPushButton("Skip")
        self.done_button = QPushButton("Done")
        for b in (self.back_button, self.skip_button, self.done_button):
            row.addWidget(b)
        for w in (self.walk_step, self.walk_name, self.walk_where, self.walk_hint):
            walk.addWidget(w)
        walk.addLayout(row)
        self.walk.hide()

        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addWidget(self.walk)
        layout.addWidget(help_text)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def set_status(self, text: str, problem: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020; font-weight: bold;" if problem else "")


class LandmarkEditor(QObject):
    """The landmark editor of one :class:`~viewer.ui.main_window.MainWindow`."""

    #: the points changed (after an edit, an undo or a redo)
    changed = Signal()
    #: the zones were refitted to the landmarks: the exact scene is shown
    refitted = Signal()
    _built = Signal(int, object, object)  # generation, scene or None, problem line or None

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.plotter = window.plotter
        self.view = window.view
        self.guide = landmark_guide()
        self.active = False
        self.stack = QUndoStack(self)
        self.stack.cleanChanged.connect(self._clean_changed)
        self.mesh = None
        self.points: dict[str, np.ndarray] = {}
        self.loaded: dict[str, np.ndarray] = {}  # as read from the file
        self.doc = None  # the LandmarkFile read, for its units, axes, method and fit
        self.unit = 1.0
        self.problem: str | None = None
        self.selected: str | None = None
        self.hovered: str | None = None
        self.walk: list[str] | None = None
        self.walk_index = 0
        self._picker: SurfacePicker | None = None
        self._normals = None
        self._drag: str | None = None
        self._drag_start = None
        self._preview_mesh: pv.PolyData | None = None
        self._previewing = False
        self._generation = 0
        self._own_body = None  # the body this editor last showed (its own refit)
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_MS)
        self._preview_timer.timeout.connect(self.preview)
        self._built.connect(self._show_built, Qt.ConnectionType.QueuedConnection)

        self.label = QLabel(self.plotter, objectName="landmarkLabel")
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setStyleSheet("QLabel#landmarkLabel { background: rgba(255,255,255,225); "
                                 "color: #111; border: 1px solid #555; border-radius: 3px; "
                                 "padding: 2px 6px; font-weight: bold; }")
        self.label.hide()

        self.panel = LandmarkPanel()
        self.dock = window._dock("Landmarks", "landmarksDock", self.panel,
                                 Qt.DockWidgetArea.RightDockWidgetArea)
        window.tabifyDockWidget(window.zone_dock, self.dock)
        self.dock.hide()
        self.panel.list.currentRowChanged.connect(self._list_selected)
        self.panel.walk_button.clicked.connect(self.start_walk)
        self.panel.save_button.clicked.connect(self.save)
        self.panel.back_button.clicked.connect(self.walk_back)
        self.panel.skip_button.clicked.connect(self.walk_skip)
        self.panel.done_button.clicked.connect(self.end_walk)

        self._build_actions()
        window.modelLoaded.connect(self._on_model)
        self.plotter.render_window.AddObserver("EndEvent", self._frame_done)
        self.plotter.installEventFilter(self)  # after the view's: this filter sees events first
        self.view.click_hook = self._click

    # ------------------------------------------------------------------ actions and menus
    def _build_actions(self) -> None:
        w = self.window
        section = "Landmarks"
        self.act_edit = w._action("Edit &landmarks", "Ctrl+K", None, section=section,
                                  checkable=True, tip="Show the landmarks and drag them on the skin")
        self.act_edit.toggled.connect(self.set_active)
        self.act_save = w._action("Save land&marks", None, self.save, section=section,
                                  tip="Write the landmarks beside the mesh (<mesh>.landmarks.json)")
        self.act_walk = w._action("&Place missing landmarks…", None, self.start_walk,
                                  section=section, tip="Place, one by one, the landmarks the "
                                  "body lacks or that the fit was unsure of")
        # one Undo/Redo for the window: the group's active stack (this editor's while it is
        # on, the marks' of "Before you start" while they are edited)
        w.undo_group.addStack(self.stack)
        self.act_undo = w.undo_group.createUndoAction(w, "&Undo")
        self.act_undo.setShortcuts(QKeySequence.StandardKey.Undo)
        self.act_redo = w.undo_group.createRedoAction(w, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for act in (self.act_undo, self.act_redo):
            act.setProperty("section", section)
            w.addAction(act)
        self.act_save.setEnabled(False)
        self._session_keys = w.act_save_session.shortcuts()

        edit_menu = w.menuBar().addMenu("&Edit")
        w.menuBar().insertMenu(w.view_menu.menuAction(), edit_menu)
        edit_menu.addAction(self.act_undo)
        edit_menu.addAction(self.act_redo)
        w.view_menu.insertAction(w.view_menu.actions()[0], self.act_edit)
        w.view_menu.insertSeparator(w.view_menu.actions()[1])
        w.view_menu.addAction(self.dock.toggleViewAction())
        w.file_menu.insertAction(w.act_export, self.act_save)
        w.file_menu.insertAction(w.act_export, self.act_walk)
        w.file_menu.insertSeparator(w.act_export)
        self.edit_menu = edit_menu

    # ------------------------------------------------------------------ model
    def _on_model(self, model: Model) -> None:
        """A model was shown: this editor's own body (its first fit, or another region map for
        it) keeps the edits, refitted to the map; any other body (another mesh, landmarks loaded
        or fitted anew) starts afresh."""
        if model.body is self._own_body and model.body.mesh is self.mesh:
            if not all(np.array_equal(v, model.body.landmarks.get(k)) for k, v in self.points.items()):
                self.refit()  # the map shown was fitted to the last valid points, not these
            self._update_status()
            return
        self.end_walk()
        self.stack.clear()
        self.mesh = model.body.mesh
        self.unit = model.body.unit
        self.doc = None
        if model.body.landmarks_path is not None:
            try:
                self.doc = load_landmarks(model.body.landmarks_path)
            except BackViewError:
                self.doc = None
        self.points = {k: np.array(v, float) for k, v in model.body.landmarks.items()}
        self.loaded = {k: v.copy() for k, v in self.points.items()}
        self._own_body = model.body
        self.problem = None
        self.selected = self.hovered = None
        self._picker = None
        self._normals = None
        self._preview_mesh = None
        self._previewing = False
        self._fill_list()
        self._update_status()
        if self.active:
            self._show_markers()

    @property
    def model(self) -> Model | None:
        return self.window.model

    def picker(self) -> SurfacePicker:
        if self._picker is None:
            self._picker, self._normals = mesh_picker(self.plotter.renderer, self.mesh)
        return self._picker

    @property
    def dirty(self) -> bool:
        return not self.stack.isClean()

    def unsure(self) -> dict[str, float]:
        """Landmarks the automatic fit gave a low confidence, still where the fit put them."""
        if self.doc is None or self.doc.fit is None:
            return {}
        return {n: c for n, c in self.doc.fit.confidence.items()
                if c < LOW_CONFIDENCE and n in self.points and n in self.loaded
                and np.array_equal(self.points[n], self.loaded[n])}

    def missing(self) -> list[str]:
        return [n for n in landmark_order() if n not in self.points]

    # ------------------------------------------------------------------ mode
    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        if on and self.model is None:
            self.act_edit.setChecked(False)
            return
        self.active = on
        self.act_edit.setChecked(on)
        w = self.window
        if on:
            if w.lesson.running:
                w.stop_lesson()
            self.dock.show()
            self.dock.raise_()
            w.undo_group.setActiveStack(self.stack)
            w.act_save_session.setShortcuts([])
            self.act_save.setShortcuts(QKeySequence.StandardKey.Save)
            self._show_markers()
        else:
            self.end_walk()
            self.act_save.setShortcuts([])
            w.act_save_session.setShortcuts(self._session_keys)
            self.dock.hide()
            self.label.hide()
            self.selected = self.hovered = None
            for name in ("landmark-markers", "landmark-ring", "landmark-selected"):
                self.plotter.remove_actor(name, render=False)
            self.view.request_render()

    # ------------------------------------------------------------------ markers
    def _nearer(self, points: np.ndarray) -> np.ndarray:
        """``points`` moved towards the camera (the same place on screen) past the front of the
        black ring's sphere, whose depth reaches its radius in pixels nearer."""
        camera = self.plotter.camera
        towards = -np.array(camera.GetDirectionOfProjection())
        per_px = 2.0 * camera.parallel_scale / max(self.plotter.render_window.GetSize()[1], 1)
        return points + towards * (SELECTED_PX + 6) * per_px

    def _lifted(self, names, times: float = 1.0) -> np.ndarray:
        picker = self.picker()
        out = []
        for n in names:
            p = self.points[n]
            cell = _closest_cell(picker, p)
            normal = self._normals[cell] if cell >= 0 else np.zeros(3)
            out.append(p + normal * times * LIFT_M / self.unit)
        return np.array(out, float).reshape(-1, 3)

    def _show_markers(self) -> None:
        if not self.active:
            return
        names = [n for n in landmark_order() if n in self.points and n != self.selected]
        unsure = self.unsure()
        if names:
            colours = [MARKER_COLOURS["unsure" if n in unsure else "placed"] for n in names]
            cloud = pv.PolyData(self._lifted(names))
            cloud.point_data["rgb"] = np.array([_rgb(c) for c in colours], np.uint8)
            self.plotter.add_mesh(cloud, scalars="rgb", rgb=True, point_size=MARKER_PX,
                                  render_points_as_spheres=True, name="landmark-markers",
                                  pickable=False, show_scalar_bar=False, render=False)
        else:
            self.plotter.remove_actor("landmark-markers", render=False)
        if self.selected in self.points:
            # the white sphere a little nearer the camera than the black one: a black ring
            self.plotter.add_mesh(pv.PolyData(self._lifted([self.selected])),
                                  color=MARKER_COLOURS["ring"], point_size=SELECTED_PX + 6,
                                  render_points_as_spheres=True, name="landmark-ring",
                                  pickable=False, render=False)
            self.plotter.add_mesh(pv.PolyData(self._nearer(self._lifted([self.selected]))),
                                  color=MARKER_COLOURS["selected"], point_size=SELECTED_PX,
                                  render_points_as_spheres=True, name="landmark-selected",
                                  pickable=False, render=False)
        else:
            for name in ("landmark-ring", "landmark-selected"):
                self.plotter.remove_actor(name, render=False)
        self._place_label()
        self.view.request_render()

    def _move_selected_marker(self) -> None:
        """The dragged (selected) marker follows the mouse: its two points moved in place."""
        ring, dot = (self.plotter.actors.get(n) for n in ("landmark-ring", "landmark-selected"))
        if ring is None or dot is None:
            self._show_markers()
            return
        lifted = self._lifted([self.selected])
        for actor, point in ((ring, lifted[0]), (dot, self._nearer(lifted)[0])):
            data = actor.mapper.GetInput()
            data.GetPoints().SetPoint(0, *point)
            data.GetPoints().Modified()
            data.Modified()
        self._place_label()
        self.view.request_render()

    def marker_names(self) -> list[str]:
        """The landmarks shown as markers (every placed one)."""
        return [n for n in landmark_order() if n in self.points] if self.active else []

    def _display(self, points: np.ndarray) -> np.ndarray:
        """World points -> VTK display coordinates (device pixels, origin bottom-left)."""
        return world_to_display(self.plotter.renderer, points)

    def marker_at(self, pos: QPointF) -> str | None:
        """The visible marker within :data:`GRAB_PX` of a widget position, nearest first."""
        names = self.marker_names()
        if not names:
            return None
        ratio = self.plotter.devicePixelRatioF()
        height = self.plotter.render_window.GetSize()[1]
        x, y = widget_to_display(pos.x(), pos.y(), ratio, height)
        pts = np.array([self.points[n] for n in names])
        disp = self._display(pts)
        d = np.hypot(disp[:, 0] - x, disp[:, 1] - y)
        picker = self.picker()
        for i in np.argsort(d):
            if d[i] > GRAB_PX * ratio:
                break
            _, hit = picker.point_at(disp[i, 0], disp[i, 1])
            if hit is None or np.linalg.norm(hit - pts[i]) * self.unit < 0.015:
                return names[i]  # not hidden behind another part of the body
        return None

    def _place_label(self) -> None:
        name = self.hovered or self.selected
        if not self.active or name is None or name not in self.points:
            self.label.hide()
            return
        self.label.setText(self.guide.name(name))
        self.label.adjustSize()
        ratio = self.plotter.devicePixelRatioF()
        height = self.plotter.render_window.GetSize()[1]
        x, y = self._display(self.points[name][None])[0, :2]
        lx, ly = x / ratio, (height - y) / ratio
        target = (round(lx + 16), round(ly - self.label.height() - 12))
        if (self.label.x(), self.label.y()) != target:
            self.label.move(*target)
        self.label.show()

    def _frame_done(self, *_args) -> None:
        if self.active and (self.hovered or self.selected):
            QTimer.singleShot(0, self._place_label)  # the camera may have turned

    # ------------------------------------------------------------------ list
    def _fill_list(self) -> None:
        lst = self.panel.list
        lst.blockSignals(True)
        lst.clear()
        unsure = self.unsure()
        for name in landmark_order():
            text = self.guide.name(name)
            if name not in self.points:
                text += "  (missing" + (", optional)" if name == anatomy.spinous("S1") else ")")
            elif name in unsure:
                text += f"  (unsure: {unsure[name]:.2f})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(self.guide.where(name))
            lst.addItem(item)
        if self.selected is not None:
            lst.setCurrentRow(landmark_order().index(self.selected))
        lst.blockSignals(False)

    def _list_selected(self, row: int) -> None:
        if row < 0:
            return
        self.select(landmark_order()[row])

    def select(self, name: str | None) -> None:
        self.selected = name
        if name is not None:
            lst = self.panel.list
            lst.blockSignals(True)
            lst.setCurrentRow(landmark_order().index(name))
            lst.blockSignals(False)
        self._show_markers()

    # ------------------------------------------------------------------ edits
    def set_point(self, name: str, point) -> None:
        """Put ``name`` at ``point`` (None removes it), from an undo command; refits."""
        if point is None:
            self.points.pop(name, None)
        else:
            self.points[name] = np.array(point, float)
        self._fill_list()
        self._show_markers()
        self.changed.emit()
        self.refit()

    def move(self, name: str, point) -> None:
        """One undoable edit: ``name`` to ``point``."""
        old = self.points.get(name)
        if old is not None and np.array_equal(old, point):
            return
        self.window.undo_group.setActiveStack(self.stack)
        self.stack.push(MoveLandmark(self, name, old, point))

    def _clean_changed(self, clean: bool) -> None:
        self.window.setWindowModified(not clean)
        self.act_save.setEnabled(not clean)

    # ------------------------------------------------------------------ fitting
    def _body(self) -> Body:
        base = self.model.body
        return Body(self.mesh, {k: v.copy() for k, v in self.points.items()}, base.mesh_path,
                    base.landmarks_path, self.unit, base.method)

    def _where(self) -> Path:
        base = self.model.body
        return Path((base.landmarks_path or landmarks_path_for(base.mesh_path)).name)

    def check(self, body: Body) -> str | None:
        """The one-line problem with ``body``'s landmarks, or None when zones can be fitted."""
        missing = body.missing_landmarks()
        if missing:
            return (f"{len(missing)} landmark{'s' if len(missing) > 1 else ''} still to place "
                    f"(next: {self.guide.name(missing[0])}): zones need every one but S1")
        try:
            check_landmarks(body.mesh, body.landmarks, body.unit, self._where())
        except BackViewError as error:
            return error.line()
        return None

    def fit(self, body: Body):
        """(assignment, problem): the zones fitted to ``body``, or the one-line problem."""
        problem = self.check(body)
        if problem is not None:
            return None, problem
        try:
            return assign_zones(body, self.model.rmap, cache=False), None
        except RegionMapError as error:
            return None, error.lines()[0]
        except BackViewError as error:
            return None, error.line()

    def preview(self):
        """The cheap refit while dragging: the map fitted anew, each face of the uncut mesh in
        its zone's colour (no cut, no borders). Returns the assignment, or None (no zones, or a
        problem: the last valid fit is shown)."""
        if self.model is None or not self.model.zoned or self.view.actors is None:
            return None
        assignment, problem = self.fit(self._body())
        self._set_problem(problem)
        if assignment is None:
            self.end_preview()
            return None
        actors, scene = self.view.actors, self.model.scene
        if self._preview_mesh is None:
            fields = assignment.fields
            mesh = pv.PolyData.from_regular_faces(fields.vertices, fields.faces)
            mesh.point_data["Normals"] = fields.normals
            mesh.point_data.active_normals_name = "Normals"
            mesh.cell_data["rgb"] = np.zeros((len(fields.faces), 3), np.uint8)
            self._preview_mesh = mesh
        state = self.window.state
        self._preview_mesh.cell_data["rgb"][:] = scene.face_colours(
            assignment, state.mode, state.zone.index if state.zone else None, state.palette)
        self._preview_mesh.Modified()
        self.preview_zones = assignment.face_zone
        if actors.moving:
            actors.set_moving(False)
        if not self._previewing:
            self._drawn = (actors, actors.body_actor.mapper.GetInput())
        actors.body_actor.mapper.SetInputData(self._preview_mesh)
        for actor in (actors.border_actor, actors.hatch_actor,
                      self.plotter.actors.get("selection"), self.plotter.actors.get("selection_halo")):
            if actor is not None:
                actor.SetVisibility(False)
        self._previewing = True
        self.view.request_render()
        return assignment

    def end_preview(self) -> None:
        """Back to the scene's exact surface, borders and selection (the last valid fit)."""
        if not self._previewing:
            return
        self._previewing = False
        actors, drawn = self._drawn
        if actors is self.view.actors:
            actors.body_actor.mapper.SetInputData(drawn)
            for actor in (actors.border_actor, actors.hatch_actor,
                          self.plotter.actors.get("selection"),
                          self.plotter.actors.get("selection_halo")):
                if actor is not None:
                    actor.SetVisibility(True)
            self.view.request_render()

    def refit(self) -> None:
        """Fit the zones to the points exactly: checked and assigned now, the cut surface built
        in a worker thread; shown when ready unless another edit came first."""
        self._generation += 1
        generation = self._generation
        if self.model is None:
            return
        body = self._body()
        if body.missing_landmarks():  # still being placed: not a problem, the panel says so
            self._set_problem(None)
            return
        problem = self.check(body)
        if problem is not None:
            self._set_problem(problem)
            self.end_preview()
            return
        rmap = self.model.rmap
        if self.model.zoned and self.view.actors is not None:
            self.preview()  # at once: the exact scene follows
        self.window.statusBar().showMessage("Fitting the zones to the landmarks…")

        def work():
            try:
                assignment = assign_zones(body, rmap, cache=False)
                scene, problem = BodyScene(body, rmap, assignment, cache=False), None
            except RegionMapError as error:
                scene, problem = None, error.lines()[0]
            except BackViewError as error:
                scene, problem = None, error.line()
            except Exception as error:  # a bug: say it, keep the window alive
                scene, problem = None, f"unexpected error while fitting: {error!r}"
            try:
                self._built.emit(generation, scene, problem)
            except RuntimeError:  # the window was closed meanwhile
                pass

        threading.Thread(target=work, name="backview-refit", daemon=True).start()

    def _show_built(self, generation: int, scene, problem) -> None:
        if generation != self._generation or self.model is None:
            return  # another edit came first: its own fit follows
        self.window.statusBar().clearMessage()
        self._set_problem(problem)
        if scene is None:
            self.end_preview()
            return
        model = Model(scene.body, self.model.rmap, scene)
        self._own_body = scene.body
        self._previewing = False
        if self.model.zoned:
            self.window.show_refit(model)
        else:  # the first fit of a body that had no landmarks: the zones appear
            self.window.show_model(model)
        self._show_markers()
        self.refitted.emit()

    def _set_problem(self, problem: str | None) -> None:
        self.problem = problem
        self._update_status()

    def _update_status(self) -> None:
        if self.problem:
            self.panel.set_status(self.problem + (" — the zones keep the last valid fit."
                                                  if self.model and self.model.zoned else ""),
                                  True)
            self.window.statusBar().showMessage(self.problem, 10000)
            return
        missing = [n for n in self.missing() if n != anatomy.spinous("S1")]
        unsure = self.unsure()
        if missing:
            text = f"{len(missing)} landmarks to place: “Place missing landmarks…” walks you through."
        elif unsure:
            text = (f"{len(unsure)} landmarks the automatic fit was unsure of (magenta): check "
                    "them with “Place missing landmarks…”.")
        else:
            text = f"All {len(self.points)} landmarks placed; the zones fit them."
        self.panel.set_status(text, False)

    # ------------------------------------------------------------------ mouse
    def _event_pos(self, event) -> QPointF:
        return QPointF(event.position())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if not self.active:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            name = self.marker_at(self._event_pos(event))
            if name is None:
                return False  # the view turns the body or selects a zone
            self._drag, self._drag_start = name, self.points[name].copy()
            self.select(name)
            self.plotter.setCursor(Qt.CursorShape.ClosedHandCursor)
            return True  # the camera never sees it: it must not turn
        if kind == QEvent.Type.MouseMove and self._drag is not None:
            assert isinstance(event, QMouseEvent)
            self.drag_to(self._event_pos(event))
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._drag is not None:
            self.drag_to(self._event_pos(event))
            self.end_drag()
            return True
        if kind == QEvent.Type.MouseMove and event.buttons() == Qt.MouseButton.NoButton:
            name = self.marker_at(self._event_pos(event))
            if name != self.hovered:
                self.hovered = name
                self.plotter.setCursor(Qt.CursorShape.OpenHandCursor if name
                                       else Qt.CursorShape.ArrowCursor)
                self._place_label()
        elif kind == QEvent.Type.Leave and self.hovered is not None:
            self.hovered = None
            self._place_label()
        return False

    def surface_point(self, pos: QPointF):
        """The point of the skin under a widget position, or None."""
        ratio = self.plotter.devicePixelRatioF()
        height = self.plotter.render_window.GetSize()[1]
        x, y = widget_to_display(pos.x(), pos.y(), ratio, height)
        return self.picker().point_at(x, y)[1]

    def drag_to(self, pos: QPointF) -> None:
        point = self.surface_point(pos)
        if point is None or self._drag is None:
            return  # off the body: the marker waits where it was
        self.points[self._drag] = point
        self._move_selected_marker()
        if not self._preview_timer.isActive():
            self._preview_timer.start()

    def end_drag(self) -> None:
        name, start = self._drag, self._drag_start
        self._drag = self._drag_start = None
        self._preview_timer.stop()
        self.plotter.setCursor(Qt.CursorShape.OpenHandCursor)
        final = self.points[name]
        if np.array_equal(final, start):
            return
        self.points[name] = start  # the command moves it, undoably
        self.move(name, final)

    def _click(self, pos: QPointF) -> bool:
        """The view's click hook: during the walk a click on the skin places the landmark."""
        if not self.active or self.walk is None or self.walk_index >= len(self.walk):
            return False
        point = self.surface_point(pos)
        if point is None:
            self.window.statusBar().showMessage("Click on the skin to place the landmark", 4000)
            return True
        name = self.walk[self.walk_index]
        self.move(name, point)
        self.select(name)
        self.walk_skip()
        return True

    # ------------------------------------------------------------------ the walk
    def walk_names(self) -> list[str]:
        """The landmarks the walk visits: missing ones, then those the fit was unsure of."""
        unsure = self.unsure()
        return [n for n in landmark_order() if n not in self.points or n in unsure]

    def start_walk(self) -> None:
        if self.model is None:
            return
        if not self.active:
            self.set_active(True)
        names = self.walk_names()
        if not names:
            self.window.statusBar().showMessage(
                "Every landmark is placed: drag a marker to move it", 6000)
            return
        self.walk, self.walk_index = names, 0
        self.panel.walk.show()
        self.panel.walk_button.setEnabled(False)
        self._show_walk()

    def _show_walk(self) -> None:
        if self.walk is None:
            return
        if self.walk_index >= len(self.walk):
            self.end_walk()
            return
        name = self.walk[self.walk_index]
        p = self.panel
        entry = self.guide.entry(name)
        p.walk_step.setText(f"Landmark {self.walk_index + 1} of {len(self.walk)}")
        p.walk_name.setText(entry.name)
        p.walk_where.setText(entry.where)
        state = ("Placed; click the skin to place it elsewhere, or Skip." if name in self.points
                 and name not in self.unsure() else
                 "The automatic fit was unsure: click the skin where it lies, or Skip to keep "
                 "it." if name in self.points else "Click the skin where it lies.")
        p.walk_hint.setText(f"{state} {LEFT_HINT}")
        p.back_button.setEnabled(self.walk_index > 0)
        self.selected = name if name in self.points else None
        self._fill_list()
        self._show_markers()
        self.window.statusBar().showMessage(f"Place: {entry.name}", 8000)

    def walk_skip(self) -> None:
        if self.walk is None:
            return
        self.walk_index += 1
        self._show_walk()

    def walk_back(self) -> None:
        if self.walk is None or self.walk_index == 0:
            return
        self.walk_index -= 1
        self._show_walk()

    def end_walk(self) -> None:
        if self.walk is None:
            return
        self.walk = None
        self.panel.walk.hide()
        self.panel.walk_button.setEnabled(True)
        self._update_status()

    # ------------------------------------------------------------------ saving
    def save_path(self) -> Path | None:
        body = self.model.body if self.model else None
        return landmarks_path_for(body.mesh_path) if body and body.mesh_path else None

    def save(self) -> bool:
        """Write ``<stem>.landmarks.json`` beside the mesh; False (and a message) when the
        landmarks could not be read back (some missing, or anatomy rules them out)."""
        path = self.save_path()
        if path is None:
            return False
        problem = self.check(self._body())
        if problem is not None:
            tell(self.window, "Cannot save the landmarks",
                 f"The landmarks are not saved: {problem}")
            return False
        doc = self.doc
        method = doc.method if doc and doc.method else None
        if not method:
            method = EDITED_NOTE
        elif EDITED_NOTE not in method:
            method = f"{method}; {EDITED_NOTE}"
        fit = None
        if doc is not None and doc.fit is not None:
            fit = doc.fit.model_dump(exclude_none=True)
            for name in self.points:  # placed by hand: sure
                if name not in self.loaded or not np.array_equal(self.points[name], self.loaded[name]):
                    fit["confidence"][name] = 1.0
        units = doc.units if doc else _unit_name(self.unit)
        try:
            save_landmarks(path, self.points, units=units,
                           mesh_name=(doc.mesh if doc and doc.mesh else self.model.body.mesh_path.name),
                           axes=doc.axes if doc else None, method=method, fit=fit)
        except (BackViewError, OSError, ValueError) as error:
            tell(self.window, "Cannot save the landmarks", f"{path}: {error}")
            return False
        self.doc = load_landmarks(path)
        self.loaded = {k: np.array(v, float) for k, v in self.doc.landmarks.items()}
        self.stack.setClean()
        self._fill_list()
        self._update_status()
        self.window.statusBar().showMessage(f"Saved {path}", 6000)
        return True

    def maybe_save(self, doing: str = "closing") -> bool:
        """Before ``doing`` something that drops the edits: True to go on (saved or
        discarded), False to stay (cancelled, or the save failed)."""
        if not self.dirty:
            return True
        name = self.save_path().name if self.save_path() else "the landmarks"
        answer = ask_unsaved(self.window, f"The landmarks have unsaved changes. Save them to "
                                          f"{name} before {doing}?")
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.stack.setClean()
            return True
        return False


# ---------------------------------------------------------------------- helpers
def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _unit_name(unit: float) -> str:
    return next((n for n, s in UNIT_SCALE.items() if math.isclose(s, unit)), "m")


def _closest_cell(picker: SurfacePicker, point) -> int:
    from vtkmodules.vtkCommonCore import mutable

    closest = [0.0, 0.0, 0.0]
    cell, sub, dist2 = mutable(-1), mutable(0), mutable(0.0)
    picker.locator.FindClosestPoint(list(map(float, point)), closest, cell, sub, dist2)
    return int(cell)


__all__ = ["LandmarkEditor", "MoveLandmark", "ask_unsaved"]
