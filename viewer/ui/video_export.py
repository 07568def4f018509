"""File → Export video: the window's side of ``backview video``.

The video is made as the command line makes it (:func:`viewer.render.video.write_video`), in its
own off-screen plotter (never the window's), on the GUI thread: after every frame a progress
dialog shows the frames done and the time left, and Qt's events are processed, so the window
repaints and the dialog's Cancel stops the video at the next frame. A cancelled or failed video
writes nothing (an existing file stays as it was)::

    path = export_video_from_window(self, self.model.scene, mode=self.state.mode)
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.options import FPS_RANGE, SECONDS_RANGE, check_video_size, video_format
from viewer.render.scene import BodyScene
from viewer.render.video import (
    VideoCancelled,
    VideoOptions,
    check_video_output,
    write_video,
)

#: the size box's rows: (label, width, height)
VIDEO_SIZES = [("1920 × 1080 (Full HD)", 1920, 1080), ("1280 × 720 (HD)", 1280, 720),
               ("960 × 540 (small, for a GIF)", 960, 540)]
VIDEO_FILTER = "MP4 video (*.mp4);;GIF animation (*.gif)"
KINDS = [("Turntable: the body turns once", "turntable"),
         ("Lesson: step by step, arrows drawing themselves", "lesson")]


class VideoDialog(QDialog):
    """What to film (turntable or lesson), its size, frame rate and length, and the file."""

    def __init__(self, parent: QWidget | None = None, *, default_path: str | Path = "",
                 lesson_steps: int = 7):
        super().__init__(parent)
        self.setWindowTitle("Export video")
        self.setObjectName("videoDialog")
        self.kind_box = QComboBox(objectName="videoKind")
        for label, kind in KINDS:
            self.kind_box.addItem(label, kind)
        self.size_box = QComboBox(objectName="videoSize")
        for label, w, h in VIDEO_SIZES:
            self.size_box.addItem(label, (w, h))
        self.fps_box = QSpinBox(objectName="videoFps", minimum=FPS_RANGE[0], maximum=FPS_RANGE[1],
                                value=30, suffix=" frames/s")
        self.seconds_box = QDoubleSpinBox(objectName="videoSeconds", minimum=SECONDS_RANGE[0],
                                          maximum=SECONDS_RANGE[1], value=10.0, decimals=1,
                                          singleStep=1.0, suffix=" s")
        self._lesson_seconds = 5.0 * lesson_steps
        self.path_edit = QLineEdit(str(default_path), objectName="videoPath")
        browse = QPushButton("Browse…", objectName="videoBrowse")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow("Video", self.kind_box)
        form.addRow("Size", self.size_box)
        form.addRow("Frame rate", self.fps_box)
        form.addRow("Length", self.seconds_box)
        form.addRow("Save as", where)
        self.error_label = QLabel(objectName="videoError", wordWrap=True)
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
        self.kind_box.currentIndexChanged.connect(self._kind_changed)

    def _kind_changed(self, _index: int) -> None:
        self.seconds_box.setValue(self._lesson_seconds if self.kind == "lesson" else 10.0)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export video", self.path_edit.text(),
                                              VIDEO_FILTER)
        if name:
            self.path_edit.setText(name)

    @property
    def kind(self) -> str:
        return self.kind_box.currentData()

    def path(self) -> Path:
        return Path(self.path_edit.text().strip())

    def options(self, *, palette: str, skin_tone: str, mode: str) -> VideoOptions:
        return VideoOptions(kind=self.kind, size=tuple(self.size_box.currentData()),
                            fps=self.fps_box.value(), seconds=round(self.seconds_box.value(), 1),
                            palette=palette, skin_tone=skin_tone,
                            mode=mode)

    def _accept(self) -> None:
        try:
            _, fmt = check_video_output(self.path())
            check_video_size(*self.size_box.currentData(), fmt)
        except BackViewError as exc:
            self.error_label.setText(exc.line())
            self.error_label.show()
            return
        self.accept()


def export_video_from_window(parent: QWidget | None, scene: BodyScene, *, mode: str = "pressure",
                             palette: str = "default", skin_tone: str = "default",
                             default_path: str | Path | None = None,
                             dialog: VideoDialog | None = None) -> Path | None:
    """Ask what to film, then write it with a progress dialog (Cancel stops it); return the
    file written, or None when cancelled or failed (a message box said why; nothing written).

    :param scene: the window's :class:`~viewer.render.scene.BodyScene`.
    :param mode: the window's colour mode, the turntable's colours (a lesson takes each
        step's own).
    :param dialog: a ready dialog (tests); by default a new :class:`VideoDialog` is shown.
    """
    if dialog is None:
        dialog = VideoDialog(parent, default_path=default_path or Path.home() / "backview.mp4")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
    opts = dialog.options(palette=palette, skin_tone=skin_tone, mode=mode)
    try:
        video_format(dialog.path())
        if opts.kind == "lesson":
            from viewer.core.lesson import load_lesson

            opts.lesson = load_lesson(rmap=scene.rmap)
    except (BackViewError, RegionMapError) as exc:
        lines = exc.lines() if isinstance(exc, RegionMapError) else [exc.line()]
        QMessageBox.warning(parent, "Export video", "The video was not written.\n\n"
                            + "\n".join(lines))
        return None
    return run_video(parent, scene, opts, dialog.path())


def run_video(parent: QWidget | None, scene: BodyScene, opts: VideoOptions,
              path: str | Path) -> Path | None:
    """Write the video from the GUI thread with a progress dialog whose Cancel stops it."""
    total = opts.frames
    progress = QProgressDialog("Rendering the video…", "Cancel", 0, total, parent)
    progress.setObjectName("videoProgress")
    progress.setWindowTitle("Export video")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.setValue(0)
    progress.show()
    QApplication.processEvents()
    start = time.monotonic()

    def step(done: int, total: int) -> None:
        progress.setValue(done)
        left = (time.monotonic() - start) / done * (total - done)
        progress.setLabelText(f"Rendering the video: frame {done} of {total}, about "
                              f"{_duration(left)} left")
        QApplication.processEvents()
        if progress.wasCanceled():
            raise VideoCancelled

    try:
        result = write_video(scene, opts, path, progress=step)
    except VideoCancelled:
        return None
    except BackViewError as exc:
        QMessageBox.warning(parent, "Export video", f"The video was not written.\n\n{exc.line()}")
        return None
    finally:
        progress.close()
        progress.setParent(None)    # gone from the window now, not at the next event loop
        progress.deleteLater()
    return result.path


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


__all__ = ["VideoDialog", "export_video_from_window", "run_video"]
