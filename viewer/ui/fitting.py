"""Landmarks for a mesh that has none, from the window (issue 12).

A bar above the 3D view says that the open mesh has no landmarks and offers the two ways to get
them: **Fit automatically** (:func:`viewer.core.fitting.fit_landmarks` in a worker thread, with a
progress dialog and Cancel, the window live meanwhile) and **Load a landmarks file…**. Both end
in the window's own loading path (``MainWindow.open_files``), so the zones appear exactly as
when a mesh is opened with its landmarks beside it. A fit is written beside the mesh as
``<stem>.landmarks.json`` (File > Open mesh finds it next time); when that folder cannot be
written, a Save As dialog asks where. A fit that is only approximate turns the bar yellow.

The window keeps a :class:`FitController` (``window.fitting``); its widget (:meth:`central`)
holds the bar and the 3D view.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.core.body import landmarks_path_for
from viewer.core.errors import BackViewError, RegionMapError

#: progress reports reach the dialog at most this often (s): a fit may report every iteration
PROGRESS_INTERVAL = 0.05
#: how long the fit's one-line summary stays in the status bar (ms)
SUMMARY_MS = 20000

#: the bar's looks per level: "missing" (no landmarks yet), "warning" (an approximate fit)
BAR_STYLES = {
    "missing": ("#fff3d6", "#e0b860", "#5a2a00"),
    "warning": ("#ffe873", "#c9a400", "#3d2e00"),
}
BAR_STYLE = """
QFrame#landmarksBar {{ background: {bg}; border-bottom: 2px solid {border}; }}
QLabel#landmarksBarText {{ font-size: 14pt; font-weight: 600; color: {fg}; }}
QPushButton {{ font-size: 13pt; padding: 7px 16px; border-radius: 6px;
               border: 1px solid {border}; background: white; color: #1d1d1d; }}
QPushButton:default {{ background: #2f4f5f; color: white; border-color: #2f4f5f; }}
QPushButton:focus {{ border: 2px solid #1d6fb8; }}
QPushButton:disabled {{ color: #888; background: #eee; }}
"""


class LandmarksBar(QFrame):
    """An info bar (as in a browser) across the top of the 3D view: a line of text and buttons.

    ``level`` is ``"missing"`` (the mesh has no landmarks: fit them or load a file) or
    ``"warning"`` (the landmarks were fitted, approximately: check them).
    """

    def __init__(self, act_fit: QAction, act_load: QAction, parent: QWidget | None = None):
        super().__init__(parent, objectName="landmarksBar")
        self.level: str | None = None
        self.setAccessibleName("Landmarks")
        self.text = QLabel("", self, objectName="landmarksBarText", wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fit_button = self._button("Fit &automatically", act_fit,
                                       "Find the landmarks on this mesh automatically")
        self.fit_button.setDefault(True)
        self.load_button = self._button("&Load a landmarks file…", act_load,
                                        "Open a landmarks file (JSON) made for this mesh")
        self.edit_button = QPushButton("&Edit landmarks", self, objectName="editLandmarksButton")
        self.edit_button.hide()  # shown when the window has an Edit landmarks action
        self.edit_action: QAction | None = None
        self.edit_button.clicked.connect(lambda: self.edit_action and self.edit_action.trigger())
        self.close_button = QPushButton("Dismiss", self, objectName="dismissBarButton")
        self.close_button.setToolTip("Hide this bar")
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 12, 10)
        layout.setSpacing(10)
        layout.addWidget(self.text, 1)
        for button in (self.fit_button, self.load_button, self.edit_button, self.close_button):
            layout.addWidget(button)
        self.hide()

    def _button(self, text: str, action: QAction, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(action.trigger)
        button.setEnabled(action.isEnabled())
        action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
        return button

    def _set_level(self, level: str) -> None:
        self.level = level
        bg, border, fg = BAR_STYLES[level]
        self.setStyleSheet(BAR_STYLE.format(bg=bg, border=border, fg=fg))

    def show_missing(self, mesh_name: str) -> None:
        """"No landmarks for body.ply": fit them, or load a file."""
        self._set_level("missing")
        self.text.setText(f"No landmarks for {mesh_name}: zones need them.")
        for button, on in ((self.fit_button, True), (self.load_button, True),
                           (self.edit_button, False), (self.close_button, False)):
            button.setVisible(on)
        self.show()

    def show_warning(self, warnings) -> None:
        """A fit that is only approximate: say why (the fit's warnings), offer to edit the
        landmarks, or dismiss."""
        self._set_level("warning")
        said = "; ".join(_strip_prefix(w.strip().rstrip("."), "approximate fit:") for w in warnings)
        if "check" not in said:
            said += (" — Edit landmarks to check" if self.edit_action
                     else " — check the zones against the body")
        self.text.setText(f"Fit is approximate: {said}.")
        for button, on in ((self.fit_button, False), (self.load_button, False),
                           (self.edit_button, self.edit_action is not None),
                           (self.close_button, True)):
            button.setVisible(on)
        self.show()

    def dismiss(self) -> None:
        self.level = None
        self.hide()


class _FitJob(QObject):
    """One fit in a daemon thread; its reports arrive on the GUI thread as signals."""

    progressed = Signal(float, str)
    #: (LandmarkFit or None, exception or None)
    done = Signal(object, object)

    def __init__(self, mesh, source: Path | None, parent: QObject | None = None):
        super().__init__(parent)
        self.mesh, self.source = mesh, source
        self.cancelled = threading.Event()
        self._last = 0.0

    def start(self) -> None:
        threading.Thread(target=self._run, name="backview-fit", daemon=True).start()

    def _progress(self, fraction: float, text: str) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL and fraction < 1:
            return
        self._last = now
        try:
            self.progressed.emit(float(fraction), str(text))
        except RuntimeError:  # the window was closed meanwhile
            pass

    def _run(self) -> None:
        from viewer.core import fitting  # looked up now: the fitter is imported on first use

        fit = error = None
        try:
            fit = fitting.fit_landmarks(self.mesh, source=self.source, progress=self._progress,
                                        cancel=self.cancelled.is_set)
        except Exception as exc:  # reported to the user by the controller, in one line
            error = exc
        try:
            self.done.emit(fit, error)
        except RuntimeError:  # the window was closed meanwhile
            pass


class FitController(QObject):
    """The landmarks bar, File > Fit landmarks automatically and File > Load landmarks…"""

    #: a fit ended: "saved" (the path is in :attr:`last_saved`), "cancelled", "failed", "unsaved"
    fitEnded = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.act_fit = QAction("&Fit landmarks automatically…", window)
        self.act_fit.setToolTip("Find the landmarks on this mesh automatically, then show its zones")
        self.act_fit.triggered.connect(self.fit)
        self.act_load = QAction("Load &landmarks…", window)
        self.act_load.setToolTip("Open a landmarks file (JSON) for the mesh on screen")
        self.act_load.triggered.connect(self.load_dialog)
        for act in (self.act_fit, self.act_load):
            act.setProperty("section", "File")
            act.setEnabled(False)
            window.addAction(act)
        self.bar = LandmarksBar(self.act_fit, self.act_load)
        self.job: _FitJob | None = None
        self.dialog: QProgressDialog | None = None
        self._fitting_model = None  # the model whose mesh is being fitted
        self._pending: tuple[Path, object] | None = None  # (mesh, fit) until its model shows
        self.last_saved: Path | None = None
        window.modelLoaded.connect(self._on_model)
        window.loadFailed.connect(self._on_load_failed)
        window.installEventFilter(self)

    def central(self, view: QWidget) -> QWidget:
        """The window's central widget: the bar above ``view`` (the 3D view)."""
        box = QWidget(objectName="viewBox")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(view, 1)
        return box

    @property
    def running(self) -> bool:
        return self.job is not None

    # ------------------------------------------------------------------ window -> bar
    def _on_model(self, model) -> None:
        editor = getattr(self.window, "landmark_editor", None)  # View > Edit landmarks
        edit = getattr(editor, "act_edit", None)
        self.bar.edit_action = edit if isinstance(edit, QAction) else None
        pending, self._pending = self._pending, None
        if not model.zoned:
            self.bar.show_missing(_name(model.body.mesh_path))
        elif pending is not None and model.body.mesh_path == pending[0]:
            fit = pending[1]
            warnings = tuple(getattr(fit, "warnings", ()) or ())
            if warnings:
                self.bar.show_warning(warnings)
            else:
                self.bar.dismiss()
            summary = _summary(fit)
            # after the window's own "Opened …" message, which follows this signal
            QTimer.singleShot(0, lambda: self.window.statusBar().showMessage(summary, SUMMARY_MS))
        else:
            self.bar.dismiss()
        if self.running and model is not self._fitting_model:
            self.cancel()  # another mesh is open now: the fit would be for one no longer shown
        self._update_actions()

    def _on_load_failed(self, *_args) -> None:
        self._pending = None

    def _update_actions(self) -> None:
        model = self.window.model
        has_mesh = model is not None and model.body.mesh_path is not None
        self.act_fit.setEnabled(has_mesh and not model.zoned and not self.running)
        self.act_load.setEnabled(has_mesh and not self.running)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        # presentation mode (full screen, nothing but the lesson): no bar
        if obj is self.window and event.type() == QEvent.Type.WindowStateChange:
            self.bar.setVisible(self.bar.level is not None and not self.window.presenting)
        return False

    # ------------------------------------------------------------------ fit
    def fit(self) -> bool:
        """Start fitting the landmarks of the mesh on screen (False when there is none to fit,
        or a fit runs already). The window stays live; :attr:`fitEnded` follows."""
        model = self.window.model
        if self.running or model is None or model.zoned or model.body.mesh_path is None:
            return False
        self._fitting_model = model
        self.job = _FitJob(model.body.mesh, model.body.mesh_path, self)
        self.job.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self.job.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        name = _name(model.body.mesh_path)
        dialog = QProgressDialog(f"Fitting the landmarks of {name}…", "Cancel", 0, 100, self.window)
        dialog.setObjectName("fitProgress")
        dialog.setWindowTitle("Fitting landmarks")
        # not modal: the body can still be turned and zoomed while the fit runs
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(480)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self._update_actions()
        self.window.statusBar().showMessage(f"Fitting the landmarks of {name}…")
        self.job.start()
        dialog.setValue(0)
        dialog.show()
        return True

    def cancel(self) -> None:
        """Stop the fit: nothing is written, the window stays as it is."""
        if self.job is None:
            return
        self.job.cancelled.set()
        self._close_dialog()
        self.window.statusBar().showMessage("Cancelling the fit…")

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel)
            dialog.close()
            dialog.deleteLater()

    def _progressed(self, fraction: float, text: str) -> None:
        if self.dialog is not None:
            self.dialog.setValue(max(0, min(100, round(fraction * 100))))
            if text:
                self.dialog.setLabelText(text[:1].upper() + text[1:] + "…")

    def _done(self, fit, error) -> None:
        job, self.job = self.job, None
        model, self._fitting_model = self._fitting_model, None
        self._close_dialog()
        self._update_actions()
        from viewer.core.fitting import FitCancelled

        status = self.window.statusBar()
        if job is None or job.cancelled.is_set() or isinstance(error, FitCancelled):
            status.showMessage("Fit cancelled: nothing was saved", 6000)
            return self.fitEnded.emit("cancelled")
        if error is not None:
            status.showMessage("The landmarks could not be fitted", 6000)
            self._error("Cannot fit landmarks", error,
                        f"BackView could not fit landmarks to {model.body.mesh_path}:")
            return self.fitEnded.emit("failed")
        if self.window.model is not model:  # another mesh was opened meanwhile
            status.showMessage("Fit dropped: its mesh is no longer open", 6000)
            return self.fitEnded.emit("cancelled")
        mesh_path = model.body.mesh_path
        path = self._save(fit, mesh_path)
        if path is None:
            status.showMessage("The fitted landmarks were not saved", 6000)
            return self.fitEnded.emit("unsaved")
        self.last_saved = path
        self._pending = (mesh_path, fit)
        if not self.window.open_files(mesh=mesh_path, landmarks=path, rmap=model.rmap,
                                      kind="mesh"):
            self._pending = None
        self.fitEnded.emit("saved")

    def _save(self, fit, mesh_path: Path) -> Path | None:
        """Write ``fit`` beside the mesh; where that fails, wherever a Save As dialog says."""
        from viewer.core import fitting

        target = landmarks_path_for(mesh_path)
        if target.exists():  # made since the mesh was opened: not replaced without asking
            why = f"{target.name} exists already"
        else:
            try:
                return fitting.write_landmarks(fit, mesh_path)
            except OSError as exc:
                why = f"cannot write in {target.parent}: {exc.strerror or exc}"
            except Exception as exc:  # noqa: BLE001 (not a folder problem: Save As cannot help)
                self._error("Cannot save landmarks", exc, f"BackView could not write {target}:")
                return None
        suggestion = str(Path.home() / target.name)
        while True:
            chosen, _ = QFileDialog.getSaveFileName(
                self.window, f"Save the landmarks — {why}", suggestion,
                "Landmarks (*.json);;All files (*)")
            if not chosen:
                return None
            try:
                return fitting.write_landmarks(fit, mesh_path, Path(chosen))
            except OSError as exc:
                why = f"cannot write {Path(chosen).name}: {exc.strerror or exc}"
                suggestion = chosen
            except Exception as exc:  # noqa: BLE001
                self._error("Cannot save landmarks", exc, f"BackView could not write {chosen}:")
                return None

    def _error(self, title: str, error: BaseException, intro: str) -> None:
        """The error in a dialog, one line (never a traceback: that goes to stderr for a bug)."""
        if isinstance(error, RegionMapError):
            lines = error.lines()
        elif isinstance(error, BackViewError):
            lines = [error.line()]
        else:
            traceback.print_exception(error, file=sys.stderr)
            lines = [f"unexpected error: {error!r}"]
        QMessageBox.critical(self.window, title, intro + "\n\n" + "\n".join(lines))

    # ------------------------------------------------------------------ load a file
    def load_dialog(self) -> None:
        """File > Load landmarks…: a landmarks file for the mesh on screen."""
        model = self.window.model
        if model is None or model.body.mesh_path is None or self.running:
            return
        mesh_path = model.body.mesh_path
        path, _ = QFileDialog.getOpenFileName(
            self.window, f"Load landmarks for {mesh_path.name}", str(mesh_path.parent),
            "Landmarks (*.json);;All files (*)")
        if path:
            self.load_file(path)

    def load_file(self, path: str | Path) -> bool:
        """Show the mesh on screen with the landmarks in ``path``, through the window's loading
        path (a mistake in the file: the window's dialog, the model stays)."""
        model = self.window.model
        if model is None or model.body.mesh_path is None:
            return False
        self._pending = None
        return self.window.open_files(mesh=model.body.mesh_path, landmarks=Path(path),
                                      rmap=model.rmap, kind="mesh")


def _strip_prefix(text: str, prefix: str) -> str:
    return text[len(prefix):].strip() if text.lower().startswith(prefix) else text


def _name(path: Path | None) -> str:
    return path.name if path is not None else "this mesh"


def _summary(fit) -> str:
    try:
        line = fit.summary()
    except Exception:  # noqa: BLE001 (a summary is never worth an error)
        return "Landmarks fitted"
    return line[:1].upper() + line[1:]
