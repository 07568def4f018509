"""Starting the window: ``backview`` (without a command) calls :func:`run`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from viewer import __version__
from viewer.core.body import Body
from viewer.core.errors import BackViewError
from viewer.core.regionmap import load_region_map
from viewer.core.zones import required_landmarks
from viewer.ui.settings import APPLICATION, ORGANISATION

#: large enough to read from the back of a classroom, or on a projector
BASE_POINT_SIZE = 13

STYLE = """
QMainWindow, QDockWidget > QWidget { background: #f7f5f2; }
QDockWidget { font-size: 13pt; font-weight: 600; }
QDockWidget::title { padding: 6px 10px; background: #e9e4dd; }
QToolBar { spacing: 4px; padding: 4px 6px; background: #efeae3; border-bottom: 1px solid #d8d1c7; }
QToolBar QToolButton { padding: 6px 10px; border-radius: 6px; font-size: 13pt; }
QToolBar QToolButton:checked { background: #2f4f5f; color: white; font-weight: 700; }
QToolBar QToolButton:hover:!checked { background: #e0d8cd; }
QLabel#toolbarLabel { color: #555; padding: 0 4px 0 10px; }
QFrame#legend { background: white; border: 1px solid #d8d1c7; border-radius: 8px; }
QLabel#legendTitle { font-size: 15pt; font-weight: 700; color: #1d1d1d; }
QLabel#legendEntry { font-size: 13pt; }
QLabel#sectionTitle { font-size: 15pt; font-weight: 700; color: #1d1d1d; padding-top: 4px; }
QLineEdit#zoneSearch { font-size: 13pt; padding: 6px 8px; border: 1px solid #c9c1b6; border-radius: 6px; background: white; }
QListView#zoneList { font-size: 13pt; background: white; border: 1px solid #d8d1c7; border-radius: 6px; }
QListView#zoneList::item { padding: 4px 2px; }
QListView#zoneList::item:selected { background: #2f4f5f; color: white; }
QTextBrowser#zonePanel, QTextBrowser#safetyPanel { background: white; }
QTabBar::tab { font-size: 13pt; padding: 8px 16px; }
QTabBar::tab:selected { font-weight: 700; }
QStatusBar { font-size: 13pt; }
QLabel#hoverLabel { font-weight: 600; color: #2f4f5f; }
QLabel#noZonesBanner { font-size: 14pt; font-weight: 600; color: #5a2a00; background: #fff3d6;
                       border: 1px solid #e0b860; border-radius: 6px; padding: 8px 12px; }
QLabel#structureCaption { color: #1d1d1d; background: rgba(255, 255, 255, 230);
                          border: 2px solid #ffb400; border-radius: 8px; padding: 8px 14px; }
QLabel#viewCaption { font-size: 12pt; color: #333; background: rgba(255, 255, 255, 200);
                     border: 1px solid #d8d1c7; border-radius: 6px; padding: 4px 10px; }
"""


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with BackView's names, font and style."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName("BackView")
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLE)
    return app


def check_display() -> None:
    """On Linux without an X or Wayland display, say so in one line (Qt would abort)."""
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        raise BackViewError("the window needs a display (no DISPLAY or WAYLAND_DISPLAY is set); "
                            "run it in a desktop session, or under xvfb-run, or use a headless "
                            "command such as 'backview export'")


def run(mesh: str | Path | None = None, region_map: str | Path | None = None,
        landmarks: str | Path | None = None, screening=None, body: str | None = None,
        skin_tone: str | None = None) -> int:
    """Open the window on ``mesh`` and ``region_map`` (the shipped ones by default).

    The files are read before the window opens, so a bad one stops ``backview`` with one line
    (a :class:`~viewer.core.errors.BackViewError` for the command line to print); the scene is
    then built while the window is already on screen. Returns the exit status.

    ``body``: the catalogue id ``--body`` chose (its mesh and landmarks are already ``mesh`` and
    ``landmarks``; the Body menu checks it). ``skin_tone``: ``--skin-tone``, for this run only.
    """
    if body is not None and mesh is None:
        from viewer.core.bodies import body_entry

        entry = body_entry(body)
        mesh, landmarks = entry.mesh_path, entry.landmarks_path
    # the files first: a mistake in them is worth knowing even on a machine without a display
    body = Body.load(mesh, landmarks)
    rmap = load_region_map(region_map)
    if body.landmarks:  # none at all: the bare mesh opens, with a banner saying why
        body.require_landmarks(required_landmarks(rmap))
    check_display()
    from viewer.ui.loading import build_in_background

    scene = build_in_background(body=body, rmap=rmap)  # while Qt builds the window

    app = application()
    from viewer.ui.main_window import MainWindow  # after the QApplication exists

    window = MainWindow()
    if skin_tone is not None:
        window.bodies.set_skin_tone(skin_tone, remember=False)
    window.show()
    window.open_files(future=scene)
    if screening is not None:  # --condition / --mark: answered and marked once the body shows
        window.screening.start_with(screening)
    return app.exec()
