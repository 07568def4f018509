"""Fixtures for the window tests: one real window on the shipped mesh and map, shared by a
module, inside the X server pytest-xvfb starts; QSettings in a temporary folder, never the
user's own."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("pytestqt")
QtCore = pytest.importorskip("PySide6.QtCore")
from PySide6.QtCore import QPoint, QSettings  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def isolated_settings(tmp_path_factory):
    """Every QSettings the tests create lives under a temporary folder."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    return folder


def wait_until(app, predicate, timeout: float = 30.0, message: str = "condition") -> None:
    """Process Qt events until ``predicate()`` holds (module-scoped fixtures have no qtbot)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {message}")
        app.processEvents()
        time.sleep(0.005)


@pytest.fixture(scope="session")
def backview_app(qapp):
    from viewer.ui.app import application

    return application()


def make_window(app, settings_path, **open_kwargs):
    from viewer.ui.main_window import MainWindow
    from viewer.ui.settings import Settings

    window = MainWindow(settings=Settings(QSettings(str(settings_path), QSettings.Format.IniFormat)))
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    window.open_files(**open_kwargs)
    wait_until(app, lambda: window.model is not None and not window.loader.busy,
               timeout=120, message="the model to load")
    app.processEvents()
    return window


@pytest.fixture(scope="module")
def window(backview_app, tmp_path_factory):
    """The real window on the shipped mesh and map, shared by every test of a module."""
    win = make_window(backview_app, tmp_path_factory.mktemp("window") / "settings.ini")
    yield win
    win.close()
    backview_app.processEvents()


@pytest.fixture
def win(window, backview_app):
    """The shared window, reset: nothing selected, pressure colours, view from the back."""
    window.state.select(None)
    window.state.set_mode("pressure")
    window.zone_list.search.clear()
    window.view.reset()
    window.view.flush()
    backview_app.processEvents()
    return window


def widget_pos(window, point) -> QPoint:
    """Where a 3D point shows on the 3D widget, in the widget's logical pixels.

    VTK's world -> display transform (tests/projection.py, written independently of
    ``viewer.ui.picking``, so a mistake there cannot cancel out here), then device pixels ->
    logical pixels.
    """
    from projection import display_points

    x, y = display_points(window.plotter.renderer, [point])[0]
    ratio = window.plotter.devicePixelRatioF()
    return QPoint(round(x / ratio), round(y / ratio))


@pytest.fixture(scope="session")
def to_widget():
    return widget_pos


@pytest.fixture(scope="session")
def wait(backview_app):
    return lambda predicate, timeout=30.0, message="condition": wait_until(
        backview_app, predicate, timeout, message)


def grab_view(window) -> np.ndarray:
    """What the 3D widget shows now, as an (h, w, 3) int array in device pixels.

    ``QOpenGLWidget.grabFramebuffer`` repaints the widget and reads its own framebuffer: the
    frame the learner sees, not a separate off-screen render.
    """
    from PySide6.QtGui import QImage

    window.view.flush()
    image = window.plotter.grabFramebuffer().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=stride * height).reshape(height, stride)
    return data[:, :width * 3].reshape(height, width, 3).astype(int)


@pytest.fixture(scope="session")
def grab():
    return grab_view


@pytest.fixture
def dialogs(monkeypatch):
    """Record QMessageBox.critical instead of blocking on it."""
    shown = []
    monkeypatch.setattr(QMessageBox, "critical",
                        staticmethod(lambda parent, title, text, *a, **k: shown.append((title, text))))
    return shown
