"""Under the skin in the window (issue 13): View → X-ray (key X), the Layers panel (skin
opacity, bones, kidneys), picking a bone or kidney through the skin.

The bones and kidneys are fitted to the body (:func:`viewer.core.structures.fit_structures`)
only when x-ray is first switched on for that body, in a worker thread: start-up does not pay
for them. Every setting is remembered (QSettings). While x-ray is on, a click on a structure of
a shown layer selects it, whatever skin lies in front of it (the structure wins); a click on
skin with no structure behind it selects the zone, as always.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QGridLayout, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from viewer.ui.loading import in_worker
from viewer.ui.presentation import present_font_px

#: the layers under the skin, with their names in the window
LAYER_NAMES = {"bones": "Bones", "kidneys": "Kidneys"}
#: the skin's opacity (percent) when x-ray is first switched on
DEFAULT_OPACITY = 35
#: a bone or kidney picked through the skin: Okabe & Ito's reddish purple, unlike any zone colour,
#: the bones and the kidneys
HIGHLIGHT_COLOUR = "#cc79a7"
XRAY_TIP = "See through the skin: the bones and kidneys that explain the rules"
NO_LANDMARKS_TIP = ("X-ray needs the body's landmarks: the bones and kidneys are fitted to them "
                    "(File → Fit landmarks automatically, or Load landmarks…)")


class LayersPanel(QWidget):
    """"Under the skin": the x-ray switch, the skin's opacity and a checkbox per layer."""

    def __init__(self, layers: Layers, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("layersPanel")
        self.layers = layers
        title = QLabel("Under the skin", objectName="sectionTitle")
        self.xray = QCheckBox("X-ray  (X)", objectName="xrayCheck")
        self.opacity_label = QLabel("Skin opacity", objectName="opacityLabel")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="skinOpacity")
        self.slider.setRange(0, 100)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setToolTip("How much of the skin and its zones shows over the bones and "
                               "kidneys (0 %: only the zone outlines)")
        self.value = QLabel(objectName="opacityValue", minimumWidth=48)
        self.checks = {layer: QCheckBox(name, objectName=f"{layer}Check")
                       for layer, name in LAYER_NAMES.items()}
        self.checks["bones"].setToolTip("The spine, ribs, shoulder blades and pelvis")
        self.checks["kidneys"].setToolTip("The kidneys, under the floating ribs")
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.opacity_label, 0, 0)
        grid.addWidget(self.slider, 0, 1)
        grid.addWidget(self.value, 0, 2)
        row = QHBoxLayout()
        for check in self.checks.values():
            row.addWidget(check)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.xray)
        layout.addLayout(grid)
        layout.addLayout(row)
        self.xray.toggled.connect(layers.set_xray)
        self.slider.valueChanged.connect(layers.set_opacity)
        for layer, check in self.checks.items():
            check.toggled.connect(lambda on, layer=layer: layers.set_layer(layer, on))
        layers.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        layers = self.layers
        for widget, value in ((self.xray, layers.on), *((self.checks[k], layers.shown[k])
                                                       for k in self.checks)):
            widget.blockSignals(True)
            widget.setChecked(value)
            widget.blockSignals(False)
        self.slider.blockSignals(True)
        self.slider.setValue(layers.opacity)
        self.slider.blockSignals(False)
        self.value.setText(f"{layers.opacity} %")
        self.xray.setEnabled(layers.act_xray.isEnabled())
        self.xray.setToolTip(layers.act_xray.toolTip())
        for widget in (self.opacity_label, self.slider, self.value, *self.checks.values()):
            widget.setEnabled(layers.on and layers.act_xray.isEnabled())


class Layers(QObject):
    """The x-ray of one window: its actions, panel, fitted structures and their actors."""

    #: the x-ray, the opacity or a layer changed (the panel and the actions follow)
    changed = Signal()
    #: the structures of the body shown were fitted (an Anatomy) and drawn
    fitted = Signal(object)
    _done = Signal(object, object, bool)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view = window.view
        self.state = window.state
        self.settings = window.settings
        self.on = self.settings.xray()
        self.opacity = self.settings.skin_opacity(DEFAULT_OPACITY)
        self.shown = {layer: self.settings.layer_shown(layer) for layer in LAYER_NAMES}
        #: the structures of the body shown (None until x-ray is first switched on for it)
        self.anatomy = None
        self._anatomy_body = None
        self._fitting_body = None
        #: the structure highlighted in the 3D view (its own actor, "xray-highlight")
        self._highlight_id: str | None = None
        self._presenting_height: int | None = None

        self.act_xray = QAction("&X-ray: see through the skin", window, checkable=True)
        self.act_xray.setShortcut("X")
        self.act_xray.setIconText("X-ray")
        self.act_xray.setProperty("section", "Under the skin")
        self.act_xray.toggled.connect(self.set_xray)
        window.addAction(self.act_xray)
        self.layer_actions: dict[str, QAction] = {}
        for layer, name in LAYER_NAMES.items():
            act = QAction(name, window, checkable=True)
            act.setProperty("section", "Under the skin")
            act.toggled.connect(lambda on, layer=layer: self.set_layer(layer, on))
            self.layer_actions[layer] = act
        self.act_xray.setEnabled(False)  # until a body with landmarks is shown
        self.act_xray.setToolTip(NO_LANDMARKS_TIP)

        #: in the 3D view while presenting: the structure picked, in large type
        self.caption = QLabel(self.view.plotter, objectName="structureCaption", wordWrap=True)
        self.caption.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.caption.hide()

        self.panel = LayersPanel(self)
        self._done.connect(self._report, Qt.ConnectionType.QueuedConnection)
        self.view.sceneChanged.connect(self._scene_changed)
        self.state.structureSelected.connect(self._on_structure)
        self._sync_actions()

    # ------------------------------------------------------------------ user's choices
    def set_xray(self, on: bool, *, remember: bool = True) -> None:
        """X-ray on (the skin translucent, the layers shown) or off (opaque skin, as before).
        ``remember``: kept in the settings (a lesson step's layers are not)."""
        on = bool(on) and self.act_xray.isEnabled()
        if on == self.on and (not on or self.anatomy is not None
                              or self._fitting_body is not None):
            self._sync_actions()
            return
        self.on = on
        if remember:
            self.settings.set_xray(on)
        if not on:
            self.state.select_structure(None)
        self._apply()
        if on:
            self._ensure_structures()

    def toggle(self) -> None:
        self.set_xray(not self.on)

    def set_opacity(self, percent: int) -> None:
        """The skin's opacity in x-ray, 0-100 %."""
        self.opacity = min(max(int(percent), 0), 100)
        self.settings.set_skin_opacity(self.opacity)
        self._apply()

    def set_layer(self, layer: str, shown: bool) -> None:
        """Show or hide one layer ("bones", "kidneys") in the x-ray."""
        self.shown[layer] = bool(shown)
        self.settings.set_layer_shown(layer, shown)
        structure = self.state.structure
        if not shown and structure is not None and structure.layer == layer:
            self.state.select_structure(None)
        self._apply()

    def apply_session(self, layers, skin_opacity: float, *, remember: bool = True) -> None:
        """A session's layers (``["skin", "bones", ...]``) and skin opacity (0-1): x-ray on
        when it draws a layer under the skin or a see-through skin. ``remember``: kept in the
        settings (a lesson step's layers are not: :meth:`end_lesson` brings the user's back)."""
        under = [layer for layer in layers if layer in LAYER_NAMES]
        opacity = float(skin_opacity) if "skin" in layers else 0.0
        on = bool(under) or opacity < 1.0
        if on:
            for layer in LAYER_NAMES:
                self.shown[layer] = layer in under
                if remember:
                    self.settings.set_layer_shown(layer, layer in under)
            self.opacity = round(opacity * 100)
            if remember:
                self.settings.set_skin_opacity(self.opacity)
        if on == self.on:
            self._apply()
        self.set_xray(on, remember=remember)

    def end_lesson(self) -> None:
        """The user's own x-ray choices (from the settings) again, after a lesson's steps set
        theirs."""
        self.opacity = self.settings.skin_opacity(DEFAULT_OPACITY)
        self.shown = {layer: self.settings.layer_shown(layer) for layer in LAYER_NAMES}
        on = self.settings.xray()
        if on == self.on:
            self._apply()
        self.set_xray(on, remember=False)

    # ------------------------------------------------------------------ scene
    def _scene_changed(self) -> None:
        scene = self.view.scene
        body = scene.body if scene is not None else None
        if body is not self._anatomy_body:  # another body (or landmarks edited): fit anew
            self.anatomy = self._anatomy_body = None
            self.state.select_structure(None)
        self.act_xray.setEnabled(scene is not None)
        self.act_xray.setToolTip(f"{XRAY_TIP} (X)" if scene is not None else NO_LANDMARKS_TIP)
        self._apply()
        if self.on and scene is not None:
            self._ensure_structures()

    def _ensure_structures(self) -> None:
        """Fit the body's structures in a worker thread, unless they are fitted or fitting."""
        scene = self.view.scene
        if scene is None or self._anatomy_body is scene.body:
            return
        body = scene.body
        if self._fitting_body is body:
            return
        self._fitting_body = body
        self.window.statusBar().showMessage("Fitting the bones and kidneys to this body…")

        def fit():
            from viewer.core.structures import fit_structures

            return fit_structures(body)

        in_worker(fit, lambda result, ok: self._done.emit(body, result, ok), "backview-structures")

    def _report(self, body, result, ok: bool) -> None:
        if body is not self._fitting_body:
            return  # another body was shown meanwhile
        self._fitting_body = None
        status = self.window.statusBar()
        if not ok:
            status.showMessage(f"X-ray: the bones and kidneys could not be fitted: {result}", 10000)
            return
        if self.view.scene is None or self.view.scene.body is not body:
            return  # the body left the view meanwhile
        self.anatomy, self._anatomy_body = result, body
        self._apply()
        if result.missing:
            status.showMessage("X-ray: left out — " + "; ".join(result.missing), 12000)
        else:
            status.clearMessage()
        self.fitted.emit(result)

    # ------------------------------------------------------------------ drawing
    @property
    def xray(self):
        """The 3D view's :class:`~viewer.render.xray.XrayActors` (None without a scene)."""
        return self.view.actors.xray if self.view.actors is not None else None

    def drawn_layers(self) -> tuple[str, ...]:
        """The layers the view draws: the skin, and while x-ray is on the layers shown."""
        return ("skin", *(layer for layer in LAYER_NAMES if self.on and self.shown[layer]))

    def drawn_opacity(self) -> float:
        """The skin's opacity the view draws (1 while x-ray is off)."""
        return self.opacity / 100 if self.on else 1.0

    def _apply(self) -> None:
        """Put the current choices on the 3D view: skin opacity, layers, picking, highlight."""
        actors = self.view.actors
        if actors is not None:
            actors.set_layers(self.anatomy, self.drawn_layers(), self.drawn_opacity(),
                              render=False)
            xray = actors.xray
            picker = self.view.structure_picker
            if not xray.shown_layers:
                self.view.structure_picker = None
            elif picker is None or not picker.covers(xray):
                from viewer.ui.picking import StructurePicker

                self.view.structure_picker = StructurePicker(self.view.plotter.renderer, xray)
            self._draw_highlight()
            self.view.redraw()
        else:
            self.view.structure_picker = None
        self._sync_actions()
        self._show_caption()
        self.changed.emit()

    def _draw_highlight(self) -> None:
        """The selected structure in :data:`HIGHLIGHT_COLOUR`, a hair larger than itself (so
        it covers its own surface instead of z-fighting with it), while its layer is shown."""
        structure, plotter = self.state.structure, self.view.plotter
        shown = (structure is not None and self.xray is not None
                 and structure.layer in self.xray.shown_layers)
        if not shown:
            plotter.remove_actor("xray-highlight", render=False)
            self._highlight_id = None
            return
        if self._highlight_id == structure.id and "xray-highlight" in plotter.actors:
            return
        import numpy as np
        import pyvista as pv

        vertices = np.asarray(structure.vertices, float)
        middle = vertices.mean(axis=0)
        mesh = pv.PolyData.from_regular_faces(middle + (vertices - middle) * 1.03,
                                              np.asarray(structure.faces, np.int64))
        plotter.add_mesh(mesh, color=HIGHLIGHT_COLOUR, smooth_shading=True, ambient=0.35,
                         diffuse=0.7, specular=0.3, name="xray-highlight", pickable=False,
                         render=False)
        self._highlight_id = structure.id

    def _sync_actions(self) -> None:
        for act, value in ((self.act_xray, self.on), *((self.layer_actions[k], self.shown[k])
                                                        for k in LAYER_NAMES)):
            act.blockSignals(True)
            act.setChecked(value)
            act.blockSignals(False)
        for act in self.layer_actions.values():
            act.setEnabled(self.on)

    def _on_structure(self, structure) -> None:
        self._draw_highlight()
        self.view.redraw()
        if structure is not None:
            self.window.zone_dock.raise_()  # the panel naming it, over the safety rules
            self.window.statusBar().showMessage(f"{structure.name}: {structure.note}", 8000)
        self._show_caption()

    # ------------------------------------------------------------------ presentation
    def set_presenting(self, screen_height: int | None) -> None:
        """Presentation mode (the zone panel hidden): a picked structure is named in large
        type in the 3D view. None: back to the window."""
        self._presenting_height = screen_height
        self._show_caption()

    def _show_caption(self) -> None:
        structure = self.state.structure
        if self._presenting_height is None or structure is None or not self.on:
            self.caption.hide()
            return
        height = self._presenting_height
        self.caption.setStyleSheet(
            f"QLabel#structureCaption {{ font-size: {present_font_px(height, 0.026)}px; }}")
        self.caption.setText(f"<b>{_html(structure.name)}</b><br>{_html(structure.note)}")
        plotter = self.view.plotter
        margin = 16
        self.caption.setFixedWidth(max(int(plotter.width() * 0.6), 200))
        self.caption.adjustSize()
        self.caption.move(margin, margin)
        self.caption.show()
        self.caption.raise_()


def _html(text: str) -> str:
    from html import escape

    return escape(text)
