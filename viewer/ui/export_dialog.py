"""File → Export image (Ctrl+E), and Save/Load session: the window's side of annotated exports.

The picture is made exactly as ``backview export`` makes it (:mod:`viewer.render.picture`): in
its own off-screen plotter, never in the window's, and never with ``show()`` (pyvistaqt #761).

For the window (wiring, all three return quickly when the user cancels)::

    path = export_from_window(self, self.view.scene, self.state, plotter=self.plotter)
    path = save_session_from_window(self, self.state, plotter=self.plotter)
    session = load_session_dialog(self)          # then apply it:
    if session: apply_session(session, self.state, plotter=self.plotter)
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from viewer.core.camera import Camera
from viewer.core.errors import BackViewError
from viewer.core.options import MAX_SIDE, MIN_HEIGHT, MIN_WIDTH, SIZE_PRESETS
from viewer.core.session import Pin, Session, SessionMark, load_session, save_session
from viewer.core.views import VIEWS, view_phrase
from viewer.render.camera import apply_camera, camera_from_plotter
from viewer.render.picture import (
    ExportOptions,
    check_output,
    export_image,
)
from viewer.render.scene import BodyScene

#: the size box's rows: (label, width, height, dpi), the named sizes then "Custom"
SIZE_CHOICES = [(p.label, p.width, p.height, p.dpi) for p in SIZE_PRESETS] + [
    ("Custom size", None, None, None)]
AS_IN_WINDOW = "as-in-window"
FILE_FILTER = "PNG image (*.png);;PDF document (*.pdf)"
SESSION_FILTER = "BackView session (*.json)"


class ExportDialog(QDialog):
    """Size (presets or custom), view, title, labels, background and the file to write."""

    def __init__(self, parent: QWidget | None = None, *, title_placeholder: str = "",
                 default_path: str | Path = "", has_window_camera: bool = True,
                 layers=("skin",), skin_opacity: float = 1.0):
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.setObjectName("exportDialog")

        self.size_box = QComboBox(objectName="exportSize")
        for label, *_ in SIZE_CHOICES:
            self.size_box.addItem(label)
        self.width_box = QSpinBox(objectName="exportWidth", minimum=MIN_WIDTH, maximum=MAX_SIDE,
                                  value=1920, suffix=" px", singleStep=10)
        self.height_box = QSpinBox(objectName="exportHeight", minimum=MIN_HEIGHT, maximum=MAX_SIDE,
                                   value=1080, suffix=" px", singleStep=10)
        custom = QHBoxLayout()
        custom.addWidget(self.width_box)
        custom.addWidget(QLabel("×"))
        custom.addWidget(self.height_box)
        custom.addStretch(1)

        self.view_box = QComboBox(objectName="exportView")
        if has_window_camera:
            self.view_box.addItem("As in the window", AS_IN_WINDOW)
        for view in VIEWS:
            self.view_box.addItem(view_phrase(view), view)

        self.title_edit = QLineEdit(objectName="exportTitle", placeholderText=title_placeholder)
        self.labels_check = QCheckBox("Label the zones", objectName="exportLabels", checked=True)
        self.transparent_check = QCheckBox("Transparent background (PNG only)",
                                           objectName="exportTransparent")

        # under the skin (x-ray): the window's layers to start with; the opacity is shown in
        # per cent and handed on as a fraction (ExportOptions.skin_opacity, 0..1)
        self.layer_checks = {
            layer: QCheckBox(words, objectName=f"exportLayer-{layer}", checked=layer in layers)
            for layer, words in (("skin", "Skin"), ("bones", "Bones"), ("kidneys", "Kidneys"))}
        self.opacity_box = QSpinBox(objectName="exportSkinOpacity", minimum=0, maximum=100,
                                    value=round(skin_opacity * 100), suffix=" %", singleStep=5)
        self.opacity_box.setToolTip("The skin's opacity: lower it to see the bones and kidneys "
                                    "through the skin")
        layer_row = QHBoxLayout()
        for check in self.layer_checks.values():
            layer_row.addWidget(check)
        layer_row.addWidget(QLabel("skin opacity"))
        layer_row.addWidget(self.opacity_box)
        layer_row.addStretch(1)

        self.path_edit = QLineEdit(str(default_path), objectName="exportPath")
        browse = QPushButton("Browse…", objectName="exportBrowse")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)

        form = QFormLayout()
        form.addRow("Size", self.size_box)
        form.addRow("", custom)
        form.addRow("View", self.view_box)
        form.addRow("Title", self.title_edit)
        form.addRow("", self.labels_check)
        form.addRow("", self.transparent_check)
        form.addRow("Layers", layer_row)
        form.addRow("Save as", where)

        self.error_label = QLabel(objectName="exportError", wordWrap=True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        self.size_box.currentIndexChanged.connect(self._size_changed)
        self.path_edit.textChanged.connect(self._path_changed)
        self._size_changed(0)
        self._path_changed(self.path_edit.text())

    # ------------------------------------------------------------------ choices
    def _size_changed(self, index: int) -> None:
        _, w, h, _ = SIZE_CHOICES[index]
        custom = w is None
        self.width_box.setEnabled(custom)
        self.height_box.setEnabled(custom)
        if not custom:
            self.width_box.setValue(w)
            self.height_box.setValue(h)

    def _path_changed(self, text: str) -> None:
        pdf = text.lower().endswith(".pdf")
        self.transparent_check.setEnabled(not pdf)
        if pdf:
            self.transparent_check.setChecked(False)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export image", self.path_edit.text(), FILE_FILTER)
        if path:
            if not Path(path).suffix:
                path += ".png"
            self.path_edit.setText(path)

    def chosen_size(self) -> tuple[int, int, int | None]:
        """(width, height, dpi) chosen."""
        _, w, h, dpi = SIZE_CHOICES[self.size_box.currentIndex()]
        if w is None:
            return self.width_box.value(), self.height_box.value(), None
        return w, h, dpi

    def path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def options(self, base: ExportOptions, window_camera: Camera | None) -> ExportOptions:
        """``base`` (the window's mode, palette, selection, pins) with the dialog's choices."""
        w, h, dpi = self.chosen_size()
        view = self.view_box.currentData()
        camera = window_camera if view == AS_IN_WINDOW else None
        return ExportOptions(
            size=(w, h), mode=base.mode, palette=base.palette,
            view=base.view if view == AS_IN_WINDOW else view, camera=camera, zone=base.zone,
            labels="all" if self.labels_check.isChecked() else "none",
            title=self.title_edit.text().strip() or base.title, pins=list(base.pins),
            transparent=self.transparent_check.isChecked() and self.transparent_check.isEnabled(),
            dpi=dpi, layers=self.chosen_layers(), skin_opacity=self.opacity_box.value() / 100)

    def chosen_layers(self) -> tuple[str, ...]:
        return tuple(layer for layer, check in self.layer_checks.items() if check.isChecked())

    def _accept(self) -> None:
        try:
            check_output(self.path())
            if not self.chosen_layers():
                raise BackViewError("choose at least one layer to draw (skin, bones, kidneys)")
        except BackViewError as exc:
            self.error_label.setText(exc.message)
            self.error_label.show()
            return
        self.accept()


# --------------------------------------------------------------------------- for the window
def export_from_window(parent: QWidget | None, scene: BodyScene, state, *, plotter=None,
                       pins: list[Pin] | tuple = (), palette: str = "default",
                       title: str | None = None, default_path: str | Path | None = None,
                       dialog: ExportDialog | None = None, layers=("skin",),
                       skin_opacity: float = 1.0, anatomy=None, screening=None) -> Path | None:
    """Ask for size, view and file, then write the annotated picture; return its path.

    :param parent: the main window (the dialog's and message boxes' parent).
    :param scene: the :class:`~viewer.render.scene.BodyScene` the window shows.
    :param state: the window's :class:`~viewer.ui.state.ViewerState` (``mode``, ``zone_id``):
        the picture uses its colour mode and its selected zone (with a callout).
    :param plotter: the window's pyvista plotter; its camera is the "As in the window" view.
        Without it the dialog offers the preset views only.
    :param pins: the user's pins (:class:`viewer.core.session.Pin`), numbered in this order.
    :param palette: the colour theme's name, as the window shows it.
    :param title: a default title (else the region map's name).
    :param default_path: the file name the dialog proposes.
    :param dialog: a ready dialog (tests); by default a new :class:`ExportDialog` is shown.
    :param layers, skin_opacity: what the window shows (x-ray), the dialog's starting choice.
    :param anatomy: the window's fitted structures, if it has them (else fitted when needed).
    :param screening: "Before you start" (a :class:`viewer.core.screening.Screening`): the
        answers and marks the picture shows (None or empty: none).
    :returns: the written file, or None when cancelled or when the export failed (the user was
        told why in a message box; nothing was written).
    """
    window_camera = camera_from_plotter(plotter) if plotter is not None else None
    if dialog is None:
        default = default_path or Path.home() / f"backview-{state.mode.replace(':', '-')}.png"
        dialog = ExportDialog(parent, title_placeholder=title or scene.rmap.info.name,
                              default_path=default, has_window_camera=window_camera is not None,
                              layers=layers, skin_opacity=skin_opacity)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
    base = ExportOptions(mode=state.mode, palette=palette, zone=state.zone_id, title=title,
                         pins=list(pins))
    opts = dialog.options(base, window_camera)
    opts.anatomy = anatomy
    if screening is not None and not screening.empty:
        opts.screening = screening  # ExportOptions.screening: the renderer's (issue 14)
    return run_export(parent, scene, opts, dialog.path())


def run_export(parent: QWidget | None, scene: BodyScene, opts: ExportOptions,
               path: str | Path) -> Path | None:
    """Write the picture with a busy cursor; a mistake is shown in a message box, not raised."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = export_image(scene, opts, path)
    except BackViewError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, "Export image", f"The picture was not written.\n\n{exc.line()}")
        return None
    except Exception:
        QApplication.restoreOverrideCursor()
        raise
    QApplication.restoreOverrideCursor()
    return result.path


def session_from_window(state, *, plotter=None, pins=(), palette: str = "default",
                        title: str | None = None, view: str = "back", layers=("skin",),
                        skin_opacity: float = 1.0, screening=None, body: str | None = None,
                        skin_tone: str = "default") -> Session:
    """The window's colour mode, palette, selection, camera, pins, layers (x-ray) and
    "Before you start" answers and marks (``screening``) as a :class:`Session`."""
    camera = camera_from_plotter(plotter) if plotter is not None else None
    conditions = list(screening.conditions) if screening is not None else []
    marks = [SessionMark.of(m) for m in screening.marks] if screening is not None else []
    return Session(title=title, view=view, camera=camera, colour_mode=state.mode, palette=palette,
                   selected_zone=state.zone_id, pins=list(pins), layers=list(layers),
                   skin_opacity=skin_opacity, conditions=conditions, marks=marks, body=body,
                   skin_tone=skin_tone)


def save_session_from_window(parent: QWidget | None, state, *, plotter=None, pins=(),
                             palette: str = "default", title: str | None = None,
                             path: str | Path | None = None, layers=("skin",),
                             skin_opacity: float = 1.0, screening=None, body: str | None = None,
                             skin_tone: str = "default") -> Path | None:
    """Ask for a file (unless ``path``) and save the session; return its path or None."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, "Save session", str(Path.home() / "session.json"),
                                              SESSION_FILTER)
        if not path:
            return None
        if not Path(path).suffix:
            path += ".json"
    try:
        return save_session(session_from_window(state, plotter=plotter, pins=pins, palette=palette,
                                                title=title, layers=layers,
                                                skin_opacity=skin_opacity,
                                                screening=screening, body=body,
                                                skin_tone=skin_tone), path)
    except BackViewError as exc:
        QMessageBox.warning(parent, "Save session", exc.line())
        return None


def load_session_dialog(parent: QWidget | None, path: str | Path | None = None) -> Session | None:
    """Ask for a session file (unless ``path``) and read it; a bad file is shown, not raised."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "Load session", str(Path.home()), SESSION_FILTER)
        if not path:
            return None
    try:
        return load_session(path)
    except BackViewError as exc:
        QMessageBox.warning(parent, "Load session", exc.line())
        return None


def apply_session(session: Session, state, *, plotter=None) -> None:
    """Show ``session`` in the window: colour mode, selection (if the map has it) and camera.

    The palette and pins are the caller's to apply (they live outside the state)."""
    state.set_mode(session.colour_mode)
    rmap = getattr(state, "rmap", None)
    if session.selected_zone is None or (rmap is not None and session.selected_zone in rmap.by_id):
        state.select(session.selected_zone)
    if plotter is not None and session.camera is not None:
        apply_camera(plotter, session.camera)
        plotter.render()
