"""The main window: the 3D view in the middle, legend and zone list on the left, the selected
zone and the safety rules on the right, a toolbar, menus and keyboard shortcuts.

The window wires things together and opens files; the behaviour lives in the state
(:mod:`viewer.ui.state`), the 3D view (:mod:`viewer.ui.view3d`) and the panels
(:mod:`viewer.ui.panels`).
"""

from __future__ import annotations

import traceback
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QCursor, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from pyvistaqt import QtInteractor

from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.mesh import MESH_FORMATS
from viewer.core.palette import COLOUR_MODES, PALETTES, get_palette, parse_colour_mode
from viewer.core.regionmap import Zone
from viewer.ui.fitting import FitController
from viewer.ui.landmark_editor import LandmarkEditor
from viewer.ui.layers import Layers
from viewer.ui.lesson import LessonController, LessonPanel
from viewer.ui.bodies import BodyChooser
from viewer.ui.loading import Loader, Model, build_model
from viewer.ui.panels import LegendWidget, SafetyPanel, ZoneList, ZonePanel
from viewer.ui.screening import ScreeningController
from viewer.ui.quiz import QUIZ_HELP, QuizController
from viewer.ui.presentation import PRESENT_HELP, Blackout, ClickerKeys, present_font_px, present_style
from viewer.ui.settings import Settings
from viewer.ui.state import ViewerState
from viewer.ui.view3d import SceneView

#: shown in Help > Shortcuts under "Mouse", after the keyboard shortcuts
MOUSE_HELP = (
    ("Click a zone", "Select it: its panel opens on the right"),
    ("Click the background", "Clear the selection"),
    ("Click a bone or kidney (X-ray on)", "Name it and say why it matters for the massage"),
    ("Hover", "The zone's name in the status bar"),
    ("Drag", "Turn the body"),
    ("Shift + drag", "Move the body"),
    ("Wheel", "Zoom smoothly"),
)

#: the order of the sections in Help > Shortcuts
SHORTCUT_SECTIONS = ("Colour the zones by", "Camera", "Camera (with the 3D view focused)", "Zones",
                     "Under the skin", "Lesson and presentation", "File", "Help")

#: presentation mode: the step panel's share of the screen's width
PRESENT_PANEL_WIDTH = 0.42

MODE_LABELS = {"pressure": "Pressure", "stroke:effleurage": "Effleurage",
               "stroke:petrissage": "Petrissage", "stroke:friction": "Friction"}
MODE_KEYS = {"pressure": "P", "stroke:effleurage": "1", "stroke:petrissage": "2",
             "stroke:friction": "3"}
VIEW_ACTIONS = (  # view, label, toolbar label, shortcut
    ("back", "Back", "Back", "B"),
    ("oblique-left", "Oblique left", "Oblique L", "["),
    ("oblique-right", "Oblique right", "Oblique R", "]"),
    ("left", "Left side", "Left", "L"),
    ("right", "Right side", "Right", "R"),
    ("top", "Top", "Top", "T"),
)


#: the lesson steps whose arrow meshes are kept (a step back or forth shows at once)
ARROW_CACHE_STEPS = 4


@dataclass(frozen=True)
class _Job:
    kind: str            # "start", "mesh" or "map"
    path: Path | None    # the file the user asked for


class MainWindow(QMainWindow):
    """BackView's window. ``settings`` defaults to the user's (QSettings "BackView")."""

    #: a model is shown (after :meth:`open_files` or a File > Open)
    modelLoaded = Signal(object)
    #: a file could not be opened: (path, message lines); the current model stays
    loadFailed = Signal(object, object)

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.model: Model | None = None
        self.state = ViewerState(self.settings.colour_mode(), self, palette=self.settings.palette())
        self.loader = Loader(self)
        self.loader.finished.connect(self._loaded)
        self.loader.failed.connect(self._load_failed)
        self.setWindowTitle("BackView")
        self.setObjectName("mainWindow")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                            | QMainWindow.DockOption.AllowTabbedDocks)

        # the 3D view: no MSAA (llvmpipe spends most of a frame on it), FXAA instead;
        # no auto-update timer (it re-renders 5 times a second forever)
        self.plotter = QtInteractor(self, multi_samples=0, auto_update=False)
        self.plotter.setObjectName("view3d")
        # (VTK's switch: pyvista's enable_anti_aliasing first probes for EGL, 80 ms at start-up)
        self.plotter.renderer.SetUseFXAA(True)
        # the landmarks bar (a mesh without landmarks: fit them, load a file) above the 3D view
        self.fitting = FitController(self)
        self.setCentralWidget(self.fitting.central(self.plotter))
        self.view = SceneView(self.plotter, self.state, self)
        self.view.hovered.connect(self._show_hover)
        self.view.clickedNoZones.connect(self._say_no_zones)
        self.layers = Layers(self)  # View > X-ray and the "Under the skin" panel

        self.lesson = LessonController(self)
        self.lesson.stepChanged.connect(self._on_step)
        self._arrow_cache = self._new_arrow_cache()  # the last steps' arrow meshes
        self._projector = None  # a SkinProjector, once a lesson step shows arrows
        self.presenting = False
        self._before_present = None  # what presentation mode changed, to put back
        self._clicker = ClickerKeys(self.next_step, self.previous_step, self.toggle_blackout,
                                    self.leave_presentation, self)
        self.blackout = Blackout(self)

        self._build_panels()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self.state.modeChanged.connect(self._on_mode)
        self.state.zoneSelected.connect(self._on_zone)
        self.state.paletteChanged.connect(self._on_palette)
        self._on_palette(self.state.palette)
        self._on_mode(self.state.mode)
        #: Edit > Undo and Redo act on the active stack (landmarks, or the marks on the body)
        self.undo_group = QUndoGroup(self)
        self.landmark_editor = LandmarkEditor(self)  # View > Edit landmarks
        self.screening = ScreeningController(self)  # View > Before you start
        self.bodies = BodyChooser(self)  # the Body menu, View > Skin tone (issue 15)
        self.quiz = QuizController(self)  # View > Quiz (issue 16)
        self._restore_window()
        self.lesson_dock.hide()  # until a lesson runs
        self.quiz.dock.hide()  # until the quiz runs
        for act in (self.act_next, self.act_previous):
            act.setEnabled(False)

    # ------------------------------------------------------------------ layout
    def _build_panels(self) -> None:
        self.legend = LegendWidget(self.state)
        self.zone_list = ZoneList(self.state)
        left = QWidget(objectName="leftPanel")
        layout = QVBoxLayout(left)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(10)
        layout.addWidget(self.legend)
        layout.addWidget(self.layers.panel)
        zones_title = QLabel("Zones", objectName="sectionTitle")
        layout.addWidget(zones_title)
        layout.addWidget(self.zone_list, 1)
        self.left_dock = self._dock("Colours and zones", "coloursDock", left,
                                    Qt.DockWidgetArea.LeftDockWidgetArea)

        self.zone_panel = ZonePanel(self.state)
        self.safety_panel = SafetyPanel(self.state)
        self.zone_dock = self._dock("Selected zone", "zoneDock", self.zone_panel,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
        self.safety_dock = self._dock("Safety rules", "safetyDock", self.safety_panel,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.zone_dock, self.safety_dock)
        self.setTabPosition(Qt.DockWidgetArea.RightDockWidgetArea,
                            self.tabPosition(Qt.DockWidgetArea.LeftDockWidgetArea).North)
        self.lesson_panel = LessonPanel()
        self.present_legend = LegendWidget(self.state)
        self.present_legend.hide()  # presentation mode's legend (the left dock is hidden then)
        lesson_box = QWidget(objectName="lessonBox")
        box = QVBoxLayout(lesson_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.lesson_panel, 1)
        box.addWidget(self.present_legend)
        self.lesson_box = lesson_box
        self.lesson_dock = self._dock("Lesson", "lessonDock", lesson_box,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.safety_dock, self.lesson_dock)
        self.lesson_dock.hide()
        self.zone_dock.raise_()
        self.resizeDocks([self.left_dock, self.zone_dock], [340, 470], Qt.Orientation.Horizontal)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self, objectName=name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        dock.setTitleBarWidget(QWidget())  # the tabs and headings say what each panel is
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, shortcut=None, slot=None, *, section: str, checkable=False,
                tip: str | None = None) -> QAction:
        action = QAction(text, self, checkable=checkable)
        if shortcut:
            shortcuts = [QKeySequence(s) if isinstance(s, str) else QKeySequence(s)
                         for s in (shortcut if isinstance(shortcut, (list, tuple)) else [shortcut])]
            action.setShortcuts(shortcuts)
        if slot is not None:
            action.triggered.connect(slot)
        action.setProperty("section", section)
        action.setToolTip(f"{tip or text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
                          if shortcut else (tip or text))
        self.addAction(action)  # window-wide shortcuts, with or without a menu
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_open_mesh = a("Open &mesh…", QKeySequence.StandardKey.Open, self.open_mesh_dialog,
                               section="File")
        self.act_open_map = a("Open &region map…", "Ctrl+Shift+O", self.open_map_dialog,
                              section="File")
        self.act_export = a("&Export image…", "Ctrl+E", self.export_image, section="File",
                            tip="Save a picture of this view for a handout or a slide")
        self.act_handout = a("Export &handout…", "Ctrl+Shift+E", lambda: self.export_handout(),
                             section="File", tip="Save a printable handout (PDF): the map, the "
                             "strokes, the safety rules and the lesson's steps")
        self.act_export_video = a("Export &video…", "Ctrl+Shift+V", self.export_video,
                                  section="File",
                                  tip="Save a video: the body turning, or the lesson in motion")
        self.act_save_session = a("&Save session…", QKeySequence.StandardKey.Save, self.save_session,
                                  section="File")
        self.act_load_session = a("&Load session…", "Ctrl+L", self.load_session, section="File")
        self.act_quit = a("&Quit", QKeySequence.StandardKey.Quit, self.close, section="File")

        self.mode_group = QActionGroup(self, exclusive=True)
        self.mode_actions: dict[str, QAction] = {}
        for mode in COLOUR_MODES:
            kind, stroke = parse_colour_mode(mode)
            tip = ("Colour the zones by safe pressure" if kind == "pressure"
                   else f"Colour the zones by where {stroke.label.lower()} belongs")
            act = a(MODE_LABELS.get(mode, mode), MODE_KEYS.get(mode), partial(self.state.set_mode, mode),
                    section="Colour the zones by", checkable=True, tip=tip)
            self.mode_group.addAction(act)
            self.mode_actions[mode] = act

        self.act_contrast = a("High-contrast colours (projectors)", "H", None,
                              section="Colour the zones by", checkable=True)
        self.act_contrast.setChecked(self.state.palette == "high-contrast")
        self.act_contrast.toggled.connect(
            lambda on: self.state.set_palette("high-contrast" if on else "default"))

        self.view_actions: dict[str, QAction] = {}
        for view, label, short, key in VIEW_ACTIONS:
            self.view_actions[view] = a(label, key, partial(self.view.set_view, view),
                                        section="Camera", tip=f"View from: {label.lower()}")
            self.view_actions[view].setIconText(short)
        self.act_reset = a("Reset view", ["Home", "Ctrl+0"], self.view.reset, section="Camera",
                           tip="Back to the view from behind, unzoomed")
        self.act_zoom_in = a("Zoom in", ["+", "=", QKeySequence.StandardKey.ZoomIn],
                             partial(self.view.zoom, 1.25), section="Camera")
        self.act_zoom_out = a("Zoom out", ["-", QKeySequence.StandardKey.ZoomOut],
                              partial(self.view.zoom, 1 / 1.25), section="Camera")
        # the arrow keys turn the body only while the 3D view has the focus (the list needs them)
        self.orbit_actions = []
        for key, label, az, el in (("Left", "Turn left", -15, 0), ("Right", "Turn right", 15, 0),
                                   ("Up", "Tilt up", 0, 10), ("Down", "Tilt down", 0, -10)):
            act = QAction(label, self.plotter, shortcut=QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(partial(self.view.orbit, az, el))
            act.setProperty("section", "Camera (with the 3D view focused)")
            self.plotter.addAction(act)
            self.orbit_actions.append(act)

        self.act_clear = a("Clear selection", "Esc", partial(self.state.select, None),
                           section="Zones")
        self.act_find = a("Find a zone", QKeySequence.StandardKey.Find, self._focus_search,
                          section="Zones")
        self.act_lesson = a("Guided &lesson", "Ctrl+G", None, section="Lesson and presentation",
                            checkable=True, tip="Follow the guide step by step")
        self.act_lesson.toggled.connect(self._lesson_toggled)
        self.act_next = a("Next step", "PgDown", self.next_step, section="Lesson and presentation")
        self.act_previous = a("Previous step", "PgUp", self.previous_step,
                              section="Lesson and presentation")
        self.act_present = a("&Present", "F5", self.toggle_presentation,
                             section="Lesson and presentation",
                             tip="Full screen, large text, driven by a presentation clicker")
        self.act_shortcuts = a("&Shortcuts…", QKeySequence.StandardKey.HelpContents,
                               self.show_shortcuts, section="Help")
        self.act_about = a("&About BackView", None, self.show_about, section="Help")

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu("&File")
        file_menu.addAction(self.act_open_mesh)
        file_menu.addAction(self.act_open_map)
        file_menu.addAction(self.fitting.act_fit)
        file_menu.addAction(self.fitting.act_load)
        self.recent_mesh_menu = file_menu.addMenu("Recent meshes")
        self.recent_map_menu = file_menu.addMenu("Recent region maps")
        file_menu.aboutToShow.connect(self._fill_recent_menus)
        file_menu.addSeparator()
        for act in (self.act_export, self.act_handout, self.act_export_video,
                    self.act_save_session, self.act_load_session):
            file_menu.addAction(act)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)

        view_menu = self.view_menu = bar.addMenu("&View")
        colour_menu = view_menu.addMenu("Colour the zones by")
        for act in self.mode_actions.values():
            colour_menu.addAction(act)
        colour_menu.addSeparator()
        colour_menu.addAction(self.act_contrast)
        camera_menu = self.camera_menu = view_menu.addMenu("Camera")
        for act in self.view_actions.values():
            camera_menu.addAction(act)
        camera_menu.addSeparator()
        for act in (self.act_reset, self.act_zoom_in, self.act_zoom_out, *self.orbit_actions):
            camera_menu.addAction(act)
        layers_menu = view_menu.addMenu("Under the skin")
        layers_menu.addAction(self.layers.act_xray)
        layers_menu.addSeparator()
        for act in self.layers.layer_actions.values():
            layers_menu.addAction(act)
        view_menu.addSeparator()
        view_menu.addAction(self.act_clear)
        view_menu.addAction(self.act_find)
        view_menu.addSeparator()
        for act in (self.act_lesson, self.act_next, self.act_previous, self.act_present):
            view_menu.addAction(act)
        view_menu.addSeparator()
        for dock in (self.left_dock, self.zone_dock, self.safety_dock, self.lesson_dock):
            view_menu.addAction(dock.toggleViewAction())

        help_menu = self.help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_shortcuts)
        help_menu.addAction(self.act_about)

        tools = QToolBar("Toolbar", self, objectName="toolbar")
        tools.setMovable(False)
        tools.setIconSize(QSize(24, 24))
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        #: the "Colour by:" label's place in the toolbar (the quiz hides it with the modes)
        self.act_colour_label = tools.addWidget(QLabel("Colour by:", objectName="toolbarLabel"))
        for act in self.mode_actions.values():
            tools.addAction(act)
        tools.addSeparator()
        tools.addWidget(QLabel("View:", objectName="toolbarLabel"))
        for act in self.view_actions.values():
            tools.addAction(act)
        tools.addAction(self.act_reset)
        tools.addSeparator()
        self.act_reset.setIconText("Reset")
        self.act_zoom_in.setIconText(" + ")
        self.act_zoom_out.setIconText(" − ")
        self.act_shortcuts.setIconText("Shortcuts")
        tools.addAction(self.act_zoom_in)
        tools.addAction(self.act_zoom_out)
        tools.addSeparator()
        tools.addAction(self.layers.act_xray)
        tools.addSeparator()
        tools.addAction(self.act_shortcuts)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tools)
        self.toolbar = tools

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.hover_label = QLabel("", objectName="hoverLabel")
        self.file_label = QLabel("", objectName="fileLabel")
        self.progress = QProgressBar(maximumWidth=160, maximumHeight=16)
        self.progress.setRange(0, 0)  # busy, no percentage
        self.progress.hide()
        status.addWidget(self.hover_label, 1)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.file_label)

    # ------------------------------------------------------------------ state -> window
    def _on_mode(self, mode: str) -> None:
        self.mode_actions[mode].setChecked(True)
        self.settings.set_colour_mode(mode)

    def _on_palette(self, palette: str) -> None:
        self.act_contrast.setChecked(palette == "high-contrast")
        self.settings.set_palette(palette)
        self.lesson_panel.set_palette(palette)
        colours = get_palette(palette)
        self.lesson_box.setStyleSheet(
            f"QWidget#lessonBox {{ background: {colours.background}; }}"
            + (present_style(self._screen_height()) if self.presenting else ""))

    def _on_zone(self, zone_id) -> None:
        if zone_id is not None:
            self.zone_dock.raise_()

    def _show_hover(self, zone: Zone | None) -> None:
        if zone is None:
            self.hover_label.setText("")
            QToolTip.hideText()
            return
        if not isinstance(zone, Zone):  # a bone or kidney, through the skin (x-ray)
            text = f"{zone.name} (under the skin): click to see why it matters"
        else:
            text = f"{zone.name}: {zone.pressure.label.lower()} pressure"
        self.hover_label.setText(text)
        if self.plotter.underMouse():
            QToolTip.showText(QCursor.pos(), zone.name, self.plotter)

    def _focus_search(self) -> None:
        self.left_dock.show()
        self.zone_list.search.setFocus()
        self.zone_list.search.selectAll()

    # ------------------------------------------------------------------ files
    def open_files(self, mesh=None, landmarks=None, region_map=None, *, body=None, rmap=None,
                   kind: str = "start", future: Future | None = None) -> bool:
        """Load a body and a map (whatever is not given) and show them when ready; or show
        what ``future`` (from :func:`~viewer.ui.loading.build_in_background`) builds.

        Returns False when another file is still loading. :attr:`modelLoaded` or
        :attr:`loadFailed` follows; on failure the current model stays.
        """
        path = Path(mesh) if kind == "mesh" and mesh else (
            Path(region_map) if kind == "map" and region_map else None)
        job = future.result if future is not None else partial(
            build_model, mesh, landmarks, region_map, body=body, rmap=rmap)
        if not self.loader.start(_Job(kind, path), job):
            self.statusBar().showMessage("Still loading the previous file…", 3000)
            return False
        what = path.name if path else "the body and the region map"
        self._busy(True, f"Loading {what}…")
        return True

    def open_mesh(self, path: str | Path) -> bool:
        if not self.landmark_editor.maybe_save("opening another mesh"):
            return False
        rmap = self.model.rmap if self.model else None
        return self.open_files(mesh=path, rmap=rmap, kind="mesh")

    def open_region_map(self, path: str | Path) -> bool:
        body = self.model.body if self.model else None
        return self.open_files(region_map=path, body=body, kind="map")

    def open_mesh_dialog(self) -> None:
        patterns = " ".join(f"*{ext}" for ext in MESH_FORMATS)
        path, _ = QFileDialog.getOpenFileName(self, "Open a body mesh", self.settings.last_dir(),
                                              f"Meshes ({patterns});;All files (*)")
        if path:
            self.open_mesh(path)

    def open_map_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a region map", self.settings.last_dir(),
                                              "Region maps (*.toml);;All files (*)")
        if path:
            self.open_region_map(path)

    def _fill_recent_menus(self) -> None:
        for menu, kind, opener in ((self.recent_mesh_menu, "mesh", self.open_mesh),
                                   (self.recent_map_menu, "map", self.open_region_map)):
            menu.clear()
            recent = self.settings.recent(kind)
            for path in recent:
                menu.addAction(str(path), partial(opener, path))
            menu.setEnabled(bool(recent))

    def _loaded(self, job: _Job, model: Model) -> None:
        self._busy(False)
        self.show_model(model)
        if job.path is not None:
            self.settings.add_recent(job.kind, job.path)
        self.statusBar().showMessage(f"Opened {job.path.name}" if job.path else "Ready", 4000)

    def _load_failed(self, job: _Job, error: Exception) -> None:
        self._busy(False)
        if isinstance(error, RegionMapError):
            lines = error.lines()
        elif isinstance(error, BackViewError):
            lines = [error.line()]
        else:  # a bug, not the user's file: still say which file, and keep the window alive
            lines = [f"unexpected error: {error!r}"] + traceback.format_exception(error)[-3:]
        where = job.path or "the body and the region map"
        name = job.path.name if job.path else "the model"
        kept = " The model on screen stays open." if self.model else ""
        text = f"BackView could not open {where}:\n\n" + "\n".join(lines) + f"\n\n{kept.strip()}"
        self.loadFailed.emit(job.path, lines)
        self.statusBar().showMessage(f"Could not open {name}", 6000)
        QMessageBox.critical(self, f"Cannot open {name}", text.strip())

    def show_model(self, model: Model) -> None:
        """Show ``model`` now (the GUI thread; the scene is already built)."""
        self.model = model
        self.lesson.set_lesson(None)  # a lesson is checked against its map: loaded anew
        self._arrow_cache = self._new_arrow_cache()
        self._projector = None
        self.state.set_map(model.rmap)
        if model.zoned:
            self.view.set_scene(model.scene)
        else:
            self.zone_list.model.clear()
            self.view.show_bare(model.body, "")  # the landmarks bar says why (ui.fitting)
        self._enable_zone_actions(model.zoned)
        mesh = model.body.mesh_path.name if model.body.mesh_path else "mesh"
        self.setWindowTitle(f"BackView — {model.rmap.info.name} — {mesh}[*]")  # * while edited
        self.file_label.setText(f"{mesh}  ·  {model.rmap.label}")
        self.modelLoaded.emit(model)

    def show_refit(self, model: Model) -> None:
        """Show ``model``: the zones refitted to edited landmarks of the same body. Camera,
        colours and selection stay; a lesson's arrows are projected anew when next shown."""
        self.model = model
        self._arrow_cache = self._new_arrow_cache()
        self._projector = None
        self.view.replace_scene(model.scene)

    def zone_actions(self) -> list[QAction]:
        """What needs zones (a body with landmarks): disabled while a bare mesh is shown."""
        quiz = [self.quiz.act_quiz] if hasattr(self, "quiz") else []
        return [*self.mode_actions.values(), *self.view_actions.values(), self.act_reset,
                self.act_clear, self.act_find, self.act_lesson, self.act_present,
                self.act_save_session, self.act_load_session, *quiz]

    def _enable_zone_actions(self, on: bool) -> None:
        for act in self.zone_actions():
            act.setEnabled(on)
        for widget in (self.legend, self.zone_list):
            widget.setEnabled(on)

    def _say_no_zones(self) -> None:
        self.statusBar().showMessage(f"No zones here. {self.model.no_zones_line()}", 6000)

    def _busy(self, on: bool, message: str = "") -> None:
        if on:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            self.statusBar().showMessage(message)
            self.progress.show()
        else:
            if QApplication.overrideCursor() is not None:
                QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()
            self.progress.hide()
        for act in (self.act_open_mesh, self.act_open_map):
            act.setEnabled(not on)

    # ------------------------------------------------------------------ export, sessions
    def export_image(self) -> Path | None:
        """File > Export image: the dialog of :mod:`viewer.ui.export_dialog`, this view's
        colours, selection and camera."""
        if self.model is None:
            return None
        if not self.model.zoned:  # an export is a picture of the zones: there are none
            QMessageBox.information(self, "Nothing to export", self.model.no_zones_line())
            return None
        self.statusBar().showMessage("Exporting the picture…")
        self.statusBar().repaint()  # now: the export blocks this thread until it is written
        from viewer.ui import export_dialog  # the export stack (PIL, layout): on first use

        path = export_dialog.export_from_window(
            self, self.model.scene, self.state, plotter=self.plotter, palette=self.state.palette,
            layers=self.layers.drawn_layers(), skin_opacity=self.layers.drawn_opacity(),
            anatomy=self.layers.anatomy, screening=self.screening.screening())
        self.statusBar().showMessage(f"Saved {path}" if path else "", 6000)
        return path

    def export_handout(self, path: str | Path | None = None) -> Path | None:
        """File > Export handout: the printable PDF (:mod:`viewer.ui.handout`) with this
        window's body, map, colours and "Before you start"."""
        if self.model is None:
            return None
        if not self.model.zoned:
            QMessageBox.information(self, "Nothing to export", self.model.no_zones_line())
            return None
        from viewer.ui.handout import export_handout_from_window

        written = export_handout_from_window(
            self, self.model.scene, palette=self.state.palette,
            skin_tone=self.bodies.skin_tone, screening=self.screening.screening(), path=path)
        self.statusBar().showMessage(f"Saved {written}" if written else "", 6000)
        return written

    def export_video(self) -> Path | None:
        """File > Export video: the turntable or the lesson, with a progress dialog (Cancel)."""
        if self.model is None:
            return None
        if not self.model.zoned:  # a video of the zones: there are none
            QMessageBox.information(self, "Nothing to export", self.model.no_zones_line())
            return None
        from viewer.ui.video_export import export_video_from_window  # on first use

        path = export_video_from_window(self, self.model.scene, mode=self.state.mode,
                                        palette=self.state.palette,
                                        skin_tone=self.bodies.skin_tone)
        self.statusBar().showMessage(f"Saved {path}" if path else "", 6000)
        return path

    def save_session(self) -> Path | None:
        if self.model is None or not self.model.zoned:
            return None
        from viewer.ui import export_dialog

        path = export_dialog.save_session_from_window(
            self, self.state, plotter=self.plotter, palette=self.state.palette,
            layers=self.layers.drawn_layers(), skin_opacity=self.layers.drawn_opacity(),
            screening=self.screening.screening(), body=self.bodies.current,
            skin_tone=self.bodies.skin_tone)
        if path:
            self.statusBar().showMessage(f"Saved {path}", 6000)
        return path

    def load_session(self, path: str | Path | None = None) -> None:
        if self.model is None or not self.model.zoned:
            return
        from viewer.ui import export_dialog

        session = export_dialog.load_session_dialog(self, path)
        if session is None:
            return
        if session.body is not None and session.body != self.bodies.current:
            if self.bodies.entry(session.body) is None:
                QMessageBox.warning(self, "Load session", f"{path or 'the session'}: body "
                                    f"'{session.body}' is not one of this BackView's bodies")
                return
            if self.bodies.choose(session.body):  # then the rest, once it shows
                self.bodies.after_load = partial(self._apply_session, session)
            return
        self._apply_session(session)

    def _apply_session(self, session) -> None:
        from viewer.ui import export_dialog

        self.bodies.set_skin_tone(session.skin_tone)
        if session.palette in PALETTES:
            self.state.set_palette(session.palette)
        export_dialog.apply_session(session, self.state, plotter=self.plotter)
        self.layers.apply_session(session.layers, session.skin_opacity)
        self.screening.apply_session(session)

    # ------------------------------------------------------------------ lesson
    def start_lesson(self, index: int = 0) -> bool:
        """Show the guided lesson from step ``index`` (0-based). False without a model, or when
        the lesson does not fit the open region map (a message says why)."""
        if self.model is None or not self.model.zoned:
            return False
        if self.lesson.lesson is None:
            from viewer.core.lesson import load_lesson  # lessons: once one is asked for

            try:
                self.lesson.set_lesson(load_lesson(rmap=self.model.rmap))
            except BackViewError as error:
                lines = error.lines() if isinstance(error, RegionMapError) else [error.line()]
                QMessageBox.warning(self, "No lesson for this map",
                                    "The guided lesson does not fit the open region map:\n\n"
                                    + "\n".join(lines))
                return False
        self.lesson.start(index)
        return True

    def stop_lesson(self) -> None:
        self.lesson.stop()

    def next_step(self) -> None:
        if self.quiz.active:  # the clicker's PageDown moves the quiz on
            self.quiz.next()
            return
        self.lesson.next()

    def previous_step(self) -> None:
        if self.quiz.active:
            return
        self.lesson.previous()

    def _lesson_toggled(self, on: bool) -> None:
        if on and not self.lesson.running:
            if not self.start_lesson():
                self.act_lesson.setChecked(False)
        elif not on and self.lesson.running:
            self.stop_lesson()

    def step_arrows(self, step) -> list:
        """The step's arrow meshes on this scene, built on first use (projecting takes ~0.1 s)
        and kept for the last :data:`ARROW_CACHE_STEPS` steps shown."""
        return self._arrow_cache(step.id)

    def _new_arrow_cache(self):
        """An LRU cache of :meth:`_build_arrows` (``cache_info()`` tells its size)."""
        return lru_cache(maxsize=ARROW_CACHE_STEPS)(self._build_arrows)

    def _build_arrows(self, step_id: str) -> list:
        from viewer.render.arrows import SkinProjector, arrow_meshes

        scene, lesson = self.model.scene, self.lesson.lesson
        if self._projector is None:
            self._projector = SkinProjector(scene)
        step = next(s for s in lesson.steps if s.id == step_id)
        return arrow_meshes(scene, lesson.arrows_of(step), self._projector)

    def _on_step(self, index) -> None:
        running = index is not None
        for act in (self.act_next, self.act_previous):
            act.setEnabled(running)
        self.act_lesson.setChecked(running)
        if not running:
            self.view.set_highlight(())
            self.view.set_arrows([])
            self.layers.end_lesson()
            self.lesson_panel.show_step(None, None)
            if not self.presenting:
                self.lesson_dock.hide()
            return
        lesson, step = self.lesson.lesson, self.lesson.step
        rmap = self.state.rmap
        self.state.select(None)
        self.state.set_mode(step.colour_by)
        self.view.set_view(step.view, render=False)
        self.view.set_highlight([rmap.zone(z).index for z in step.highlight])
        self.view.set_arrows(self.step_arrows(step), render=False)
        # what lies under the skin, where the step teaches with it (the user's own x-ray
        # choices come back when the lesson ends)
        self.layers.apply_session(step.layers, step.skin_opacity, remember=False)
        self.view.flush()
        self.lesson_panel.show_step(lesson, step, index + 1)
        self.lesson_dock.show()
        self.lesson_dock.raise_()

    # ------------------------------------------------------------------ presentation
    def _screen_height(self) -> int:
        screen = self.screen() or QApplication.primaryScreen()
        return screen.geometry().height()

    def toggle_presentation(self) -> None:
        if self.presenting:
            self.leave_presentation()
        else:
            self.enter_presentation()

    def enter_presentation(self) -> None:
        """Full screen, large text, no editing chrome; the lesson from step 1 unless one runs."""
        if self.presenting:
            return
        started = False
        if not self.lesson.running and not self.quiz.active:  # the quiz presents itself
            if not self.start_lesson():
                return
            started = True
        self._before_present = {
            "geometry": self.saveGeometry(), "state": self.saveState(),
            "window_state": self.windowState(), "menu": self.menuBar().isVisible(),
            "status": self.statusBar().isVisible(), "started": started,
        }
        self.landmark_editor.set_active(False)  # its markers and dock have no place on stage
        self.presenting = True
        height = self._screen_height()
        for widget in (self.menuBar(), self.toolbar, self.statusBar(), self.left_dock,
                       self.zone_dock, self.safety_dock):
            widget.hide()
        self.lesson_dock.show()
        self.lesson_dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.present_legend.swatch = QSize(round(height * 0.045), round(height * 0.032))
        self.present_legend.refresh()
        self.present_legend.show()
        self.lesson_panel.set_presenting(height)
        self.layers.set_presenting(height)
        self.view.caption.setStyleSheet(f"font-size: {present_font_px(height, 0.022)}px;")
        self.view._set_caption(self.view.view_name)
        self._on_palette(self.state.palette)
        QApplication.instance().installEventFilter(self._clicker)
        screen = (self.screen() or QApplication.primaryScreen()).geometry()
        self.setGeometry(screen)  # without a window manager (e.g. Xvfb) full screen is only a flag
        self.showFullScreen()
        self._size_present_panel()
        QTimer.singleShot(0, self._size_present_panel)  # once the window has its new size
        self.quiz.on_presentation(True)
        self.plotter.setFocus()

    def _size_present_panel(self) -> None:
        if self.presenting:
            self.resizeDocks([self.lesson_dock], [round(self.width() * PRESENT_PANEL_WIDTH)],
                             Qt.Orientation.Horizontal)

    def leave_presentation(self) -> None:
        """Back to the window as it was before (geometry, docks, toolbar, menus)."""
        if not self.presenting:
            return
        QApplication.instance().removeEventFilter(self._clicker)
        self.blackout.set_on(False)
        before, self._before_present = self._before_present, None
        self.presenting = False
        self.lesson_panel.set_presenting(None)
        self.layers.set_presenting(None)
        self.present_legend.hide()
        self.view.caption.setStyleSheet("")
        self.view._set_caption(self.view.view_name)
        self._on_palette(self.state.palette)
        self.lesson_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        if before["started"]:
            self.stop_lesson()
        self.setWindowState(before["window_state"])
        self.restoreGeometry(before["geometry"])
        self.restoreState(before["state"])
        self.menuBar().setVisible(before["menu"])
        self.statusBar().setVisible(before["status"])
        self.lesson_dock.setVisible(self.lesson.running)
        self.quiz.on_presentation(False)

    def toggle_blackout(self) -> None:
        """A black screen while presenting (the clicker's B or "."), and back."""
        if self.presenting:
            self.blackout.toggle()

    # ------------------------------------------------------------------ help
    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(section, keys, what) for every action with a shortcut, then the mouse."""
        rows = []
        actions = list(self.actions()) + self.orbit_actions
        for act in actions:
            if act.shortcuts():
                keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText)
                                 for s in act.shortcuts())
                rows.append((act.property("section") or "", keys, act.text().replace("&", "")
                             .replace("…", "")))
        order = {name: i for i, name in enumerate(SHORTCUT_SECTIONS)}
        rows.sort(key=lambda row: order.get(row[0], len(order)))  # stable: actions keep their order
        rows += [("In presentation mode (F5)", keys, what) for keys, what in PRESENT_HELP]
        rows += [("In the quiz (Ctrl+Q)", keys, what) for keys, what in QUIZ_HELP]
        rows += [("Mouse (in the 3D view)", gesture, what) for gesture, what in MOUSE_HELP]
        return rows

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog().exec()

    def shortcuts_dialog(self) -> QDialog:
        dialog = QDialog(self, objectName="shortcutsDialog")
        dialog.setWindowTitle("Keyboard shortcuts")
        rows = self.shortcut_rows()
        table = QTableWidget(0, 2, dialog)
        table.setHorizontalHeaderLabels(["Keys", "Does"])
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        section = None
        for sec, keys, what in rows:
            if sec != section:
                section = sec
                r = table.rowCount()
                table.insertRow(r)
                head = QTableWidgetItem(sec)
                font = head.font()
                font.setBold(True)
                head.setFont(font)
                table.setItem(r, 0, head)
                table.setSpan(r, 0, 1, 2)
            r = table.rowCount()
            table.insertRow(r)
            table.setItem(r, 0, QTableWidgetItem(keys))
            table.setItem(r, 1, QTableWidgetItem(what))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(table)
        layout.addWidget(buttons)
        dialog.resize(660, 820)
        dialog.table = table
        return dialog

    def show_about(self) -> None:
        from viewer import __version__

        QMessageBox.about(self, "About BackView",
                          f"<h3>BackView {__version__}</h3><p>Learn where and how to give a safe, "
                          "relaxing back massage.</p><p>This is a teaching aid, not medical "
                          "advice: when in doubt, do not massage and ask a health professional."
                          "</p>")

    # ------------------------------------------------------------------ settings, closing
    def _restore_window(self) -> None:
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1600, 1000)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self.landmark_editor.maybe_save("closing"):
            event.ignore()  # the user cancelled: the window stays, edits and all
            return
        self.leave_presentation()  # save the window as it was, not full screen
        self.quiz.stop()  # and without the quiz
        self.fitting.cancel()
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.set_colour_mode(self.state.mode)
        self.settings.sync()
        self.plotter.close()  # an unclosed QtInteractor can crash at exit (pyvistaqt #846)
        super().closeEvent(event)
