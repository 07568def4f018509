"""The 3D view: a :class:`BodyScene` in a pyvistaqt QtInteractor, following the state.

This is the render adapter of the window (napari's ``_vispy`` layer): it copies the state's
colour mode and selection onto :class:`~viewer.render.actors.SceneActors` (colours change in
place in the scalars array, the selection outline is one small line actor), turns a click into
``state.select`` and a hover into :attr:`SceneView.hovered`. Several changes in one turn of the
event loop are drawn with a single ``render()``.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEasingCurve, QEvent, QObject, QPointF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget
import pyvista as pv

from viewer.core.camera import bounds_camera
from viewer.core.options import check_view
from viewer.core.views import VIEW_WORDS, view_phrase
from viewer.core.palette import DEFAULT_SKIN_TONE, skin_palette
from viewer.core.regionmap import Zone
from viewer.render.actors import SceneActors
from viewer.render.camera import apply_camera, camera_from_plotter
from viewer.render.scene import BodyScene
from viewer.ui.picking import ZonePicker, widget_to_display
from viewer.ui.state import ViewerState

#: hover picks at most this often (ms): the mouse can move freely, the status bar follows
HOVER_INTERVAL_MS = 60
#: one wheel notch zooms by this factor; zoom animations last ZOOM_MS
WHEEL_ZOOM = 1.15
ZOOM_MS = 160
#: how far the camera may zoom in and out of the preset framing
ZOOM_LIMITS = (0.2, 2.5)
ORBIT_DEG = 15.0
#: the caption in the corner of the 3D view: which way the learner is looking
VIEW_CAPTIONS = {view: view_phrase(view) for view in VIEW_WORDS}
VIEW_CAPTIONS["back"] += ": the body's left is on your left"
VIEW_CAPTIONS[None] = "Turned by hand: press B for the view from behind"


class SceneView(QObject):
    """Shows one scene in ``plotter`` and keeps it in step with ``state``."""

    #: the zone under the mouse (Zone or None), throttled to HOVER_INTERVAL_MS; while x-ray is
    #: on, the bone or kidney under it (a core ``Structure``) when there is one
    hovered = Signal(object)
    #: the frame showing a change of scene, colour mode or selection was rendered
    updated = Signal()
    #: a click on a body without zones (no landmarks): nothing to select
    clickedNoZones = Signal()
    #: another scene (or a bare body) is shown: its actors are new
    sceneChanged = Signal()

    def __init__(self, plotter, state: ViewerState, parent: QObject | None = None):
        super().__init__(parent)
        self.plotter = plotter
        self.state = state
        self.scene: BodyScene | None = None
        self.actors: SceneActors | None = None
        self.picker: ZonePicker | None = None
        self._dirty_mode = self._dirty_selection = self._dirty_palette = False
        self._render_timer = QTimer(self, singleShot=True, interval=0)
        self._render_timer.timeout.connect(self.flush)
        self._hover_timer = QTimer(self, singleShot=True, interval=HOVER_INTERVAL_MS)
        self._hover_timer.timeout.connect(self._hover_pick)
        self._hover_pos: QPointF | None = None
        self._hover_zone: Zone | None = None
        self._press: QMouseEvent | None = None
        self._home_scale = 1.0
        self._zoom_target: float | None = None
        self._zoom = QVariantAnimation(self, duration=ZOOM_MS, easingCurve=QEasingCurve.Type.OutCubic)
        self._zoom.valueChanged.connect(self._set_scale)
        self._awaiting_frame = False
        self._lines_later = False  # a new scene's borders wait for its first frame
        #: the zones a lesson step emphasises (indices), shown while nothing is selected
        self.highlighted: tuple[int, ...] = ()
        #: how many "lesson-arrow-*" actors are in the plotter
        self.arrow_count = 0
        #: the preset the camera is at (None once turned or zoomed by hand): kept on resize
        self.view_name: str | None = None
        self._reframe = QTimer(self, singleShot=True, interval=0)
        self._reframe.timeout.connect(self._keep_framing)
        self.caption = QLabel(plotter, objectName="viewCaption")
        self.caption.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.caption.hide()
        #: across the top of the view: why the body shows no zones (empty and hidden otherwise)
        self.banner = QLabel(plotter, objectName="noZonesBanner", wordWrap=True)
        self.banner.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.banner.hide()
        #: the mesh without zones, when a body without landmarks is shown
        self.bare_body = None
        #: ``hook(pos) -> bool`` sees every click first (the landmark editor's "click to
        #: place"); True means it used the click, which then selects nothing
        self.click_hook = None
        #: picks bones and kidneys through the skin while x-ray is on (a
        #: :class:`~viewer.ui.picking.StructurePicker`, or None): a structure under a click
        #: wins over the zone of the skin in front of it
        self.structure_picker = None
        #: the skin tone the body is drawn in (viewer.core.palette.SKIN_TONES; ui.bodies sets it)
        self.skin_tone = DEFAULT_SKIN_TONE
        plotter.render_window.AddObserver("EndEvent", self._frame_done)
        plotter.installEventFilter(self)
        state.modeChanged.connect(self._on_mode)
        state.zoneSelected.connect(self._on_zone)
        state.paletteChanged.connect(self._on_palette)

    # ------------------------------------------------------------------ scene
    def set_scene(self, scene: BodyScene) -> None:
        """Show ``scene`` (replacing the previous one, in place: the actors keep their names)."""
        if self.actors is not None:
            self.actors.set_moving(False)  # a scene replaced in the middle of a drag
            self.actors.select(None, render=False)
        self.set_arrows([], render=False)
        self.highlighted = ()
        self.bare_body = None
        self.set_banner("")
        self.scene = scene
        self.actors = SceneActors(self.plotter, scene, self.state.mode, palette=self.state.palette,
                                  skin_tone=self.skin_tone)
        self.actors.show_lines(False)  # borders and hatching come with the next frame
        self._lines_later = True
        self.picker = ZonePicker(self.plotter.renderer, scene)
        self._dirty_mode = self._dirty_palette = False
        self._dirty_selection = self.state.zone_id is not None
        self.set_view("back", render=False)
        self.flush()
        self.sceneChanged.emit()

    def replace_scene(self, scene: BodyScene) -> None:
        """Show ``scene``, a refit of the one shown (the same mesh, landmarks moved): the camera
        stays where it is."""
        camera, view_name, home = camera_from_plotter(self.plotter), self.view_name, self._home_scale
        self.set_scene(scene)
        apply_camera(self.plotter, camera)
        self.view_name, self._home_scale = view_name, home
        self._set_caption(view_name)

    def show_bare(self, body, banner: str) -> None:
        """Show ``body``'s mesh in one plain skin colour, without zones (it has no landmarks),
        framed on its bounds, with ``banner`` across the top of the view."""
        if self.actors is not None:
            self.actors.set_moving(False)  # a scene replaced in the middle of a drag
            self.actors.select(None, render=False)
        self.set_arrows([], render=False)
        for name in ("borders", "hatch", "selection", "selection_halo"):
            self.plotter.remove_actor(name, render=False)
        self.highlighted = ()
        self.scene = self.actors = self.picker = None
        self.bare_body = body
        self.plotter.add_mesh(pv.PolyData.from_regular_faces(body.mesh.vertices, body.mesh.faces),
                              color=skin_palette(self.state.palette, self.skin_tone).no_zone,
                              smooth_shading=True, ambient=0.42, diffuse=0.62, specular=0.08,
                              name="body", pickable=False, render=False)
        self._zoom.stop()
        width, height = self.plotter.window_size
        camera = bounds_camera(body.mesh.bounds, width / max(height, 1))
        apply_camera(self.plotter, camera)  # no anatomy known: upright in the file's own axes
        self._home_scale = camera.parallel_scale
        self.view_name = None
        self._set_caption(None)
        self.caption.hide()
        self.set_banner(banner)
        self._awaiting_frame = True
        self.request_render()
        self.sceneChanged.emit()

    def set_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self._place_banner()

    def _place_banner(self) -> None:
        margin = 12
        self.banner.setFixedWidth(max(self.plotter.width() - 2 * margin, 50))
        self.banner.adjustSize()
        self.banner.move(margin, margin)

    # ------------------------------------------------------------------ state -> scene
    def _on_mode(self, _mode: str) -> None:
        self._dirty_mode = True
        self._render_timer.start()

    def _on_palette(self, _palette: str) -> None:
        self._dirty_palette = True
        self._render_timer.start()

    def _on_zone(self, _zone_id) -> None:
        self._dirty_selection = True
        self._render_timer.start()

    def flush(self) -> None:
        """Apply pending changes and render once."""
        self._render_timer.stop()
        if self.actors is None:
            return
        if self._dirty_palette:
            self.actors.set_palette(self.state.palette, render=False)
        if self._dirty_mode:
            self.actors.set_mode(self.state.mode, render=False)
        if self._dirty_selection:
            zone = self.state.zone
            if zone is not None:
                self.actors.select(zone.index, render=False)
            else:  # a lesson step's zones, or none
                self.actors.highlight(self.highlighted, render=False)
        self._dirty_mode = self._dirty_selection = self._dirty_palette = False
        self._awaiting_frame = True
        self.request_render()

    def redraw(self) -> None:
        """Draw a frame (the structures or the skin changed), and say so with :attr:`updated`."""
        self._awaiting_frame = True
        self.request_render()

    def set_highlight(self, zone_indices) -> None:
        """Emphasise several zones (a lesson step's) while no zone is selected; () clears."""
        self.highlighted = tuple(int(i) for i in zone_indices)
        self._dirty_selection = True
        self._render_timer.start()

    def set_arrows(self, meshes, render: bool = True) -> None:
        """Show ``meshes`` ((PolyData, colour), e.g. from ``arrow_meshes``) on the body,
        replacing the previous ones; [] removes them."""
        for i, (mesh, colour) in enumerate(meshes):
            self.plotter.add_mesh(mesh, color=colour, smooth_shading=True, ambient=0.35,
                                  diffuse=0.7, specular=0.25, specular_power=30,
                                  name=f"lesson-arrow-{i}", pickable=False, render=False)
        for i in range(len(meshes), self.arrow_count):
            self.plotter.remove_actor(f"lesson-arrow-{i}", render=False)
        self.arrow_count = len(meshes)
        if render:
            self._awaiting_frame = True
            self.request_render()

    def request_render(self) -> None:
        """Draw a frame at the next paint. ``plotter.render()`` would render now *and* again
        when the widget repaints (pyvistaqt always renders in ``paintGL``): twice the cost."""
        QWidget.update(self.plotter)

    def _frame_done(self, *_args) -> None:
        # called by VTK in the middle of the widget's paintGL: tell the world once it is over
        if self._awaiting_frame:
            self._awaiting_frame = False
            QTimer.singleShot(0, self.updated.emit)
        if self._lines_later:
            self._lines_later = False
            QTimer.singleShot(0, self._show_lines)

    def _show_lines(self) -> None:
        """The scene's borders and hatching, one frame after its coloured zones."""
        if self.actors is not None:
            self.actors.show_lines(True)
            self._awaiting_frame = True
            self.request_render()

    # ------------------------------------------------------------------ picking
    def zone_at(self, pos: QPointF) -> Zone | None:
        """The zone under a widget position (logical pixels), or None."""
        if self.picker is None:
            return None
        height = self.plotter.render_window.GetSize()[1]
        x, y = widget_to_display(pos.x(), pos.y(), self.plotter.devicePixelRatioF(), height)
        return self.picker.zone_at(x, y)

    def click(self, pos: QPointF) -> None:
        """Select the zone under ``pos``; the background or skin outside every zone clears."""
        if self.click_hook is not None and self.click_hook(pos):
            return
        structure = self.structure_at(pos)
        if structure is not None:
            self.state.select_structure(structure)
            return
        if self.picker is None:
            if self.bare_body is not None:
                self.clickedNoZones.emit()
            return
        cover = self.cover_at(pos)
        self.state.select(cover.zone.id if cover is not None else None, cover)

    def structure_at(self, pos: QPointF):
        """The bone or kidney under a widget position while x-ray is on, or None."""
        if self.structure_picker is None:
            return None
        height = self.plotter.render_window.GetSize()[1]
        x, y = widget_to_display(pos.x(), pos.y(), self.plotter.devicePixelRatioF(), height)
        return self.structure_picker.structure_at(x, y)

    def cover_at(self, pos: QPointF):
        """The zone under a widget position and every other zone covering that place
        (a :class:`~viewer.core.zones.Cover`), or None."""
        if self.picker is None:
            return None
        height = self.plotter.render_window.GetSize()[1]
        x, y = widget_to_display(pos.x(), pos.y(), self.plotter.devicePixelRatioF(), height)
        return self.scene.cover_at_cell(self.picker.cell_at(x, y))

    def _hover_pick(self) -> None:
        if self._hover_pos is None:
            return
        # x-ray: a bone or kidney under the mouse is what a click would pick, so it is named
        zone = self.structure_at(self._hover_pos) or self.zone_at(self._hover_pos)
        if zone is not self._hover_zone:
            self._hover_zone = zone
            self.plotter.setCursor(Qt.CursorShape.PointingHandCursor if zone is not None
                                   else Qt.CursorShape.ArrowCursor)
            self.hovered.emit(zone)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            # Held back from VTK until the mouse moves: a click then never reaches VTK's
            # interactor style, which would render a frame of its own on release.
            self._press = _copy_event(event)
            return True
        if kind == QEvent.Type.MouseMove and self._press is not None:
            if _distance(self._press.position(), event.position()) >= QApplication.startDragDistance():
                press, self._press = self._press, None
                if self.actors is not None:
                    self.actors.set_moving(True)  # a coarse body while it turns
                type(self.plotter).mousePressEvent(self.plotter, press)  # a drag: VTK turns the body
                self._set_caption(None)
                self.view_name = None
                return False
            return True
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            press, self._press = self._press, None
            if press is not None:  # a click, not the end of a drag
                self.click(QPointF(event.position()))
                return True
            if self.actors is not None and self.actors.moving:
                self.actors.set_moving(False)  # VTK's frame at the end of the drag: full quality
                self.request_render()
            return False
        if kind == QEvent.Type.MouseMove:
            assert isinstance(event, QMouseEvent)
            if event.buttons() == Qt.MouseButton.NoButton:
                self._hover_pos = QPointF(event.position())
                if not self._hover_timer.isActive():
                    self._hover_timer.start()
        elif kind == QEvent.Type.Leave:
            self._hover_pos = None
            self._hover_timer.stop()
            if self._hover_zone is not None:
                self._hover_zone = None
                self.hovered.emit(None)
        elif kind == QEvent.Type.Wheel:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.zoom(WHEEL_ZOOM ** steps)
            return True  # our smooth zoom replaces VTK's stepwise one
        elif kind == QEvent.Type.Resize:
            self._place_caption()
            self._place_banner()
            if self.view_name is not None:
                self._reframe.start()
        elif kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            return True  # QWidget would repaint (a full 3D render) to show a focus it never draws
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            # VTK's own keys (w wireframe, e/q quit, 3 stereo, ...) would break the lesson;
            # the window's actions (Help > Shortcuts) are the keyboard interface.
            return True
        return False

    # ------------------------------------------------------------------ camera
    def set_view(self, view: str, render: bool = True) -> None:
        check_view(view)
        if self.actors is None:
            return
        self._zoom.stop()
        self._zoom_target = None
        self._home_scale = self.actors.set_view(view).parallel_scale
        self.view_name = view
        self._set_caption(view)
        if render:
            self.request_render()

    def _keep_framing(self) -> None:
        # the window changed size (e.g. fullscreen) with the camera at a preset: frame it anew
        # (not once the 3D view is closed: the timer may fire while the window closes)
        if getattr(self.plotter, "_closed", False):
            return
        if self.view_name is not None and self.actors is not None:
            self.set_view(self.view_name)

    def reset(self) -> None:
        self.set_view("back")

    def zoom(self, factor: float, animated: bool = True) -> None:
        """Zoom in (factor > 1) or out, smoothly, within ZOOM_LIMITS of the preset framing."""
        if self.actors is None and self.bare_body is None:
            return
        start = camera_from_plotter(self.plotter).parallel_scale
        target = (self._zoom_target if self._zoom.state() == QVariantAnimation.State.Running
                  and self._zoom_target else start) / factor
        lo, hi = ZOOM_LIMITS
        target = min(max(target, self._home_scale * lo), self._home_scale * hi)
        self._zoom_target = target
        self._zoom.stop()
        self.view_name = None
        if not animated:
            self._set_scale(target)
            return
        self._zoom.setStartValue(float(start))
        self._zoom.setEndValue(float(target))
        self._zoom.start()

    def _set_scale(self, value) -> None:
        apply_camera(self.plotter, camera_from_plotter(self.plotter).with_scale(float(value)))
        self.request_render()

    def orbit(self, azimuth: float = 0.0, elevation: float = 0.0) -> None:
        if self.actors is None and self.bare_body is None:
            return
        camera = self.plotter.camera
        camera.Azimuth(azimuth)
        camera.Elevation(elevation)
        camera.OrthogonalizeViewUp()
        self.plotter.reset_camera_clipping_range()
        self._set_caption(None)
        self.view_name = None
        self.request_render()


    def _set_caption(self, view: str | None) -> None:
        self.caption.setText(VIEW_CAPTIONS.get(view, ""))
        self.caption.adjustSize()
        self._place_caption()
        self.caption.show()

    def _place_caption(self) -> None:
        margin = 12
        self.caption.move(margin, self.plotter.height() - self.caption.height() - margin)


def _copy_event(event: QMouseEvent) -> QMouseEvent:
    return QMouseEvent(event.type(), QPointF(event.position()), QPointF(event.globalPosition()),
                       event.button(), event.buttons(), event.modifiers())


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())
