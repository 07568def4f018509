"""A long session stays the same size (issue 11): the window's widgets, the renderer's actors
and its caches do not pile up when a learner repeats the same things many times.

The figures of a 10,000-action session are in ``benchmarks/bench_soak.py``; these tests repeat
each kind of action a few times and check what a leak would raise."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QToolBar, QWidget

from viewer.core.palette import COLOUR_MODES

pytestmark = pytest.mark.gui

MESH = Path(__file__).resolve().parents[2] / "meshes" / "torso.ply"


def settle(window) -> None:
    """Process events, and delete what ``deleteLater`` asked for (an event loop's ``exec``
    would; ``processEvents`` alone does not)."""
    app = QApplication.instance()
    app.processEvents()
    window.view.flush()
    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def status_texts(window) -> list[str]:
    """The texts the status bar shows: its visible labels, and its message."""
    status = window.statusBar()
    texts = [w.text() for w in status.findChildren(QLabel) if w.isVisible() and w.text()]
    return texts + ([status.currentMessage()] if status.currentMessage() else [])


def chrome(window) -> dict[str, int]:
    return {"status-bar widgets": len(window.statusBar().findChildren(QWidget)),
            "docks": len(window.findChildren(QDockWidget)),
            "toolbars": len(window.findChildren(QToolBar)),
            "widgets": len(window.findChildren(QWidget))}


def reload(window, wait) -> None:
    """File > Open mesh on the same mesh: a new model replaces the one shown."""
    assert window.open_mesh(MESH)
    wait(lambda: not window.loader.busy, timeout=120, message="the mesh to load again")
    settle(window)


def present_and_leave(window, wait) -> None:
    window.activateWindow()
    wait(lambda: QApplication.activeWindow() is window, message="the window to be active")
    QTest.keyClick(window, Qt.Key.Key_F5)
    settle(window)
    assert window.presenting
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_PageDown)
    settle(window)
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    settle(window)
    assert not window.presenting


def test_presenting_and_reloading_leave_one_file_line_in_the_status_bar(win, wait):
    reload(win, wait)
    win.statusBar().clearMessage()
    settle(win)
    before, line = chrome(win), win.file_label.text()
    assert status_texts(win) == [line]
    for _ in range(3):
        present_and_leave(win, wait)
        reload(win, wait)
    win.statusBar().clearMessage()
    settle(win)
    assert status_texts(win) == [line]
    assert chrome(win) == before


def actor_names(window) -> list[str]:
    renderer = window.plotter.renderer
    assert renderer.GetViewProps().GetNumberOfItems() == len(renderer.actors)
    return sorted(renderer.actors)


def drag(window) -> None:
    plotter = window.plotter
    start = QPoint(plotter.width() // 2, plotter.height() // 2)
    QTest.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 5):
        QTest.mouseMove(plotter, start + QPoint(20 * step, 5 * step))
    QTest.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(80, 20))


def test_the_renderer_keeps_the_same_actors_over_a_long_session(win):
    """Every colour mode, zones, views and a drag, three times over: the same actors each round
    (one body, borders, hatching, one selection outline), none piled up."""
    zones = [z.id for z in win.state.rmap.zones][::3]
    views = list(win.view_actions)

    def one_round() -> list[str]:
        for mode in COLOUR_MODES:
            win.state.set_mode(mode)
            for i, zone in enumerate(zones):
                win.state.select(zone)
                win.view.set_view(views[i % len(views)])
                settle(win)
            drag(win)
            settle(win)
        win.state.set_mode("stroke:friction")  # ends on a mode with hatching
        win.state.select(zones[0])
        settle(win)
        return actor_names(win)

    first = one_round()
    assert {"body", "borders", "selection", "selection_halo"} <= set(first)
    for _ in range(2):
        assert one_round() == first


def test_switching_colour_modes_reuses_the_legend_rows(win):
    """The legend's rows are made once; switching modes shows other words in them."""
    settle(win)
    for mode in COLOUR_MODES:  # every mode once: as many rows as the longest legend
        win.state.set_mode(mode)
        settle(win)
    labels = {id(w) for w in win.legend.findChildren(QLabel)}
    for _ in range(5):
        for mode in COLOUR_MODES:
            win.state.set_mode(mode)
            settle(win)
            shown = [w.text() for w in win.legend.findChildren(QLabel, "legendEntry")
                     if w.isVisible()]
            assert len(shown) == len(win.legend.entries)
    assert {id(w) for w in win.legend.findChildren(QLabel)} == labels


def test_the_arrow_meshes_of_at_most_a_few_steps_are_kept(win, wait):
    from viewer.ui.main_window import ARROW_CACHE_STEPS

    assert win.start_lesson(0)
    try:
        count = win.lesson.count
        assert count > ARROW_CACHE_STEPS  # else the bound is never reached
        for _ in range(2):
            for index in range(count):
                win.lesson.go(index)
                settle(win)
                assert win._arrow_cache.cache_info().currsize <= ARROW_CACHE_STEPS
        # a step shown again still has its arrows on the body
        assert win.view.arrow_count >= len(win.lesson.lesson.arrows_of(win.lesson.step))
    finally:
        win.stop_lesson()
        settle(win)


def test_a_long_session_of_qt_calls_does_not_abort_python(tmp_path):
    """PySide6 6.12 on CPython 3.11 loses a reference to None at every call of a Qt method that
    returns nothing, and one to True or False at every emission of a bool signal; 200,000 such
    calls (a long session's worth) aborted the interpreter ("deallocating None", "deallocating
    True or False"); pyproject.toml leaves that release out, and this test catches the next
    release that brings the bug back."""
    import os
    import subprocess
    import sys

    script = ("from viewer.ui.app import application\n"
              "app = application()\n"
              "from PySide6.QtGui import QAction\n"
              "from PySide6.QtWidgets import QLabel\n"
              "label, action = QLabel(), QAction('x', checkable=True)\n"
              "action.toggled.connect(lambda on: None)\n"
              "for i in range(200_000):\n"
              "    label.setText(str(i % 10))\n"
              "    action.toggle()\n"
              "print('still here')\n")
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(repo)}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "still here"
