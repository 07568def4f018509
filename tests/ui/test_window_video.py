"""File → Export video in the real window: the progress dialog counts the frames, its Cancel
stops the video and leaves nothing behind, and a finished video is the window's colours."""

from __future__ import annotations

import imageio_ffmpeg
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

pytestmark = pytest.mark.gui


def _answer(monkeypatch, tmp_path, name, *, fps=4, seconds=1.0):
    """File > Export video answered: the smallest size, ``fps``, ``seconds``, ``name``."""
    from viewer.ui import video_export

    real = video_export.export_video_from_window
    calls = []

    def answer_the_dialog(parent, scene, **kwargs):
        dialog = video_export.VideoDialog(default_path=tmp_path / name)
        dialog.size_box.setCurrentIndex(dialog.size_box.count() - 1)  # 960x540
        dialog.fps_box.setValue(fps)
        dialog.seconds_box.setValue(seconds)
        calls.append(kwargs)
        return real(parent, scene, dialog=dialog, **kwargs)

    monkeypatch.setattr(video_export, "export_video_from_window", answer_the_dialog)
    return calls


def test_file_export_video_writes_the_turntable(win, tmp_path, monkeypatch):
    calls = _answer(monkeypatch, tmp_path, "turn.mp4")
    seen = []

    def watch():
        dialog = win.findChild(QProgressDialog, "videoProgress")
        if dialog is not None:
            seen.append((dialog.value(), dialog.maximum(), dialog.labelText()))

    timer = QTimer(win, interval=20)
    timer.timeout.connect(watch)
    timer.start()
    win.state.set_mode("stroke:friction")
    try:
        win.act_export_video.trigger()   # File > Export video, the dialog answered
    finally:
        timer.stop()
    out = tmp_path / "turn.mp4"
    assert calls and calls[0]["mode"] == "stroke:friction"
    assert imageio_ffmpeg.count_frames_and_secs(str(out)) == (4, 1.0)
    # the progress dialog showed while the frames rendered, counting them out of 4
    assert seen and all(maximum == 4 for _, maximum, _ in seen)
    assert any("frame" in label and "of 4" in label for _, _, label in seen), seen
    # and is gone once the video is written
    assert not [d for d in win.findChildren(QProgressDialog, "videoProgress") if d.isVisible()]
    assert win.statusBar().currentMessage() == f"Saved {out}"


def test_cancel_stops_the_video_and_writes_nothing(win, tmp_path, monkeypatch):
    _answer(monkeypatch, tmp_path, "long.mp4", fps=10, seconds=30.0)   # 300 frames
    old = tmp_path / "long.mp4"
    old.write_bytes(b"yesterday's video")
    pressed = []

    def press_cancel():
        shown = [d for d in win.findChildren(QProgressDialog, "videoProgress") if d.isVisible()]
        dialog = shown[0] if shown else None
        if dialog is not None and dialog.value() >= 3 and not pressed:
            pressed.append(dialog.value())
            dialog.cancel()   # what the Cancel button does

    timer = QTimer(win, interval=20)
    timer.timeout.connect(press_cancel)
    timer.start()
    try:
        win.act_export_video.trigger()
    finally:
        timer.stop()
    QApplication.processEvents()
    assert pressed and pressed[0] < 300
    assert old.read_bytes() == b"yesterday's video"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mp4"]  # no half file
    assert win.statusBar().currentMessage() == ""


def test_the_dialog_refuses_a_bad_extension(backview_app, tmp_path):
    from viewer.ui.video_export import VideoDialog

    dialog = VideoDialog(default_path=tmp_path / "clip.avi")
    dialog.export_button.click()
    assert dialog.error_label.isVisibleTo(dialog)
    assert "'.avi'" in dialog.error_label.text() and ".mp4 or .gif" in dialog.error_label.text()
    assert dialog.result() == 0   # still open
    assert list(tmp_path.iterdir()) == []
