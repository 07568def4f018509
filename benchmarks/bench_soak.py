"""Soak benchmark of the window (issue 11): a long scripted session, resident memory on the way.

    python benchmarks/bench_soak.py [--actions 10000] [--every 500] [--seed 11] [--trace]

One real window on the shipped mesh and map, driven through Qt's own events (QTest) as a user
would: clicks on zones and on the background, hovering, the colour-mode keys (P, 1, 2, 3, H),
the view presets (B, [, ], L, R, T, Home), zoom keys, drags that turn the body, searches in the
zone list, selecting zones from the list, Esc, the guided lesson (Ctrl+G, PgDown, PgUp),
presentation mode (F5 ... Esc) and now and then a reload of the model (File > Open mesh).

Prints the resident memory (VmRSS) every ``--every`` actions, then the growth from action 1,000
(after warm-up) to the end (goal: < 5 %), and the counts a leak would raise at the start and the
end: status-bar widgets, dock widgets, the renderer's actors, the window's Qt children, Python
objects. ``--trace`` adds tracemalloc's largest growths after warm-up. Nothing is asserted.

Needs an X server; without DISPLAY it starts one (pyvirtualdisplay, Xvfb).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MESH = REPO / "meshes" / "torso.ply"
WARM_UP = 1000
#: the window's size: a laptop's (each action renders frames in software OpenGL)
WINDOW = (1200, 760)
#: a model reload (File > Open mesh) every this many actions
RELOAD_EVERY = 1000


def rss_mb() -> float:
    """Resident memory of this process (MB), from /proc."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def counts(window) -> dict[str, int]:
    """What a long session must not pile up."""
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QDockWidget, QWidget

    status = window.statusBar()
    texts = [w.text() for w in status.findChildren(QWidget) if hasattr(w, "text") and w.text()]
    return {
        "status-bar widgets": len(status.findChildren(QWidget)),
        "status-bar texts repeated": len(texts) - len(set(texts)),
        "dock widgets": len(window.findChildren(QDockWidget)),
        "renderer actors": len(window.plotter.renderer.actors),
        "VTK props": window.plotter.renderer.GetViewProps().GetNumberOfItems(),
        "Qt children": len(window.findChildren(QObject)),
        "Python objects": len(gc.get_objects()),
    }


class Session:
    """The scripted user: one method per kind of action, picked at random (seeded)."""

    def __init__(self, app, window, rng: random.Random):
        self.app, self.window, self.rng = app, window, rng
        self.zones = [z.id for z in window.state.rmap.zones]
        self.actions = [  # (weight, action)
            (14, self.click_zone), (4, self.click_background), (10, self.hover),
            (10, self.colour_key), (8, self.view_key), (3, self.zoom_key), (8, self.drag),
            (5, self.search), (6, self.pick_from_list), (5, self.escape),
            (6, self.lesson_step), (2, self.present), (1, self.contrast),
        ]
        self.weights = [w for w, _ in self.actions]
        self.reloads = 0

    # ------------------------------------------------------------------ helpers
    def settle(self) -> None:
        from PySide6.QtCore import QEvent

        self.app.processEvents()
        self.window.view.flush()
        self.app.processEvents()
        # what deleteLater() asked for: an event loop's exec() deletes it, processEvents not
        self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def key(self, key, modifier=None, target=None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        target = target or QApplication.focusWidget() or self.window
        QTest.keyClick(target, key, modifier or Qt.KeyboardModifier.NoModifier)

    def anchor(self, zone_id: str):
        """Where a zone's label anchor shows on the 3D widget (logical pixels), or None."""
        from PySide6.QtCore import QPoint
        from vtkmodules.vtkRenderingCore import vtkCoordinate

        view = self.window.view
        if view.scene is None:
            return None
        point = view.scene.label_anchor(self.window.state.rmap.zone(zone_id).index)
        renderer = self.window.plotter.renderer
        coordinate = vtkCoordinate()
        coordinate.SetCoordinateSystemToWorld()
        coordinate.SetValue(*map(float, point))
        x, y = coordinate.GetComputedDoubleDisplayValue(renderer)
        height = renderer.GetRenderWindow().GetSize()[1]
        ratio = self.window.plotter.devicePixelRatioF()
        pos = QPoint(round(x / ratio), round((height - y) / ratio))
        return pos if self.window.plotter.rect().contains(pos) else None

    def leave_modes(self) -> None:
        if self.window.presenting:
            self.window.leave_presentation()

    # ------------------------------------------------------------------ actions
    def click_zone(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.leave_modes()
        pos = self.anchor(self.rng.choice(self.zones))
        if pos is not None:
            QTest.mouseClick(self.window.plotter, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier, pos)

    def click_background(self) -> None:
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtTest import QTest

        self.leave_modes()
        QTest.mouseClick(self.window.plotter, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, QPoint(6, 6))

    def hover(self) -> None:
        from PySide6.QtCore import QPoint
        from PySide6.QtTest import QTest

        plotter = self.window.plotter
        for _ in range(3):
            pos = self.anchor(self.rng.choice(self.zones)) or QPoint(10, 10)
            QTest.mouseMove(plotter, pos)
            time.sleep(0.07)  # past the hover interval: the pick and the status bar run
            self.app.processEvents()

    def colour_key(self) -> None:
        from PySide6.QtCore import Qt

        self.leave_modes()
        self.key(self.rng.choice([Qt.Key.Key_P, Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3]),
                 target=self.window)

    def contrast(self) -> None:
        from PySide6.QtCore import Qt

        self.leave_modes()
        self.key(Qt.Key.Key_H, target=self.window)

    def view_key(self) -> None:
        from PySide6.QtCore import Qt

        self.leave_modes()
        self.key(self.rng.choice([Qt.Key.Key_B, Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight,
                                  Qt.Key.Key_L, Qt.Key.Key_R, Qt.Key.Key_T, Qt.Key.Key_Home]),
                 target=self.window)

    def zoom_key(self) -> None:
        from PySide6.QtCore import Qt

        self.leave_modes()
        self.key(self.rng.choice([Qt.Key.Key_Plus, Qt.Key.Key_Minus]), target=self.window)

    def drag(self) -> None:
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtTest import QTest

        self.leave_modes()
        plotter = self.window.plotter
        start = QPoint(plotter.width() // 2, plotter.height() // 2)
        dx, dy = self.rng.choice([(1, 0), (-1, 0), (0, 1), (1, 1)])
        QTest.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for step in range(1, 5):
            QTest.mouseMove(plotter, start + QPoint(dx * 15 * step, dy * 10 * step))
            self.app.processEvents()
        QTest.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           start + QPoint(dx * 60, dy * 40))

    def search(self) -> None:
        from PySide6.QtTest import QTest

        self.leave_modes()
        box = self.window.zone_list.search
        box.clear()
        QTest.keyClicks(box, self.rng.choice(["kid", "spine", "shoulder", "low", "neck", "x"]))
        self.app.processEvents()
        box.clear()

    def pick_from_list(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.leave_modes()
        view = self.window.zone_list.view
        rows = view.model().rowCount()
        if rows:
            index = view.model().index(self.rng.randrange(rows), 0)
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier, view.visualRect(index).center())

    def escape(self) -> None:
        from PySide6.QtCore import Qt

        self.key(Qt.Key.Key_Escape, target=self.window)

    def lesson_step(self) -> None:
        from PySide6.QtCore import Qt

        window = self.window
        if not window.lesson.running:
            self.key(Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier, target=window)
        else:
            self.key(self.rng.choice([Qt.Key.Key_PageDown, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp]),
                     target=window)

    def present(self) -> None:
        from PySide6.QtCore import Qt

        window = self.window
        if window.presenting:
            self.key(Qt.Key.Key_Escape)
        else:
            self.key(Qt.Key.Key_F5, target=window)
            self.settle()
            for _ in range(self.rng.randrange(1, 4)):
                self.key(Qt.Key.Key_PageDown)
                self.settle()

    def reload(self) -> None:
        """File > Open mesh on the same mesh: a new model replaces the one shown."""
        self.leave_modes()
        window = self.window
        window.open_mesh(MESH)
        while window.loader.busy:
            self.app.processEvents()
            time.sleep(0.005)
        self.reloads += 1

    def step(self) -> None:
        _, action = self.rng.choices(self.actions, self.weights)[0]
        action()
        self.settle()


def run(n_actions: int, every: int, seed: int, trace: bool) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    folder = tempfile.mkdtemp(prefix="bench-soak-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, folder)

    from viewer.ui.app import application
    from viewer.ui.main_window import MainWindow
    from viewer.ui.settings import Settings

    app = application() if QApplication.instance() is None else QApplication.instance()
    window = MainWindow(settings=Settings(QSettings(f"{folder}/s.ini", QSettings.Format.IniFormat)))
    window.resize(*WINDOW)
    window.show()
    window.activateWindow()
    window.open_files()
    while window.model is None or window.loader.busy:
        app.processEvents()
        time.sleep(0.005)
    app.processEvents()

    session = Session(app, window, random.Random(seed))
    first = counts(window)
    print(f"{'actions':>8} {'RSS MB':>8} {'actors':>7} {'Qt children':>12} {'s':>6}", flush=True)
    started = time.monotonic()
    curve = []
    for i in range(1, n_actions + 1):
        if i % RELOAD_EVERY == 0:
            session.reload()
        session.step()
        if i == WARM_UP and trace:
            tracemalloc.start(8)
            gc.collect()
            snap = tracemalloc.take_snapshot()
        if i % every == 0 or i == n_actions:
            gc.collect()
            curve.append((i, rss_mb()))
            c = counts(window)
            print(f"{i:>8} {curve[-1][1]:>8.1f} {c['renderer actors']:>7} {c['Qt children']:>12} "
                  f"{time.monotonic() - started:>6.0f}", flush=True)
    window.leave_presentation()
    app.processEvents()
    last = counts(window)

    base = next((mb for i, mb in curve if i >= WARM_UP), curve[0][1])
    end = curve[-1][1]
    print(f"\n{n_actions} actions ({session.reloads} reloads) in {time.monotonic() - started:.0f} s, "
          "no crash")
    print(f"resident memory: {curve[0][1]:.0f} MB at action {curve[0][0]}, {base:.0f} MB after "
          f"warm-up (action {WARM_UP}), {end:.0f} MB at the end: growth after warm-up "
          f"{100 * (end - base) / base:+.1f} % (goal < 5 %)")
    print(f"{'':28} {'start':>8} {'end':>8}")
    for key in first:
        print(f"{key:28} {first[key]:>8} {last[key]:>8}")
    if trace:
        gc.collect()
        print("\ntracemalloc, largest growths after warm-up:")
        for stat in tracemalloc.take_snapshot().compare_to(snap, "traceback")[:8]:
            print(f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+7d} blocks")
            for line in stat.traceback.format()[-6:]:
                print("     ", line)
    window.close()
    app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--trace", action="store_true", help="tracemalloc after warm-up")
    args = parser.parse_args()
    display = None
    if not os.environ.get("DISPLAY"):
        from pyvirtualdisplay import Display

        display = Display(visible=False, size=(1920, 1080), color_depth=24)
        display.start()
    try:
        run(args.actions, args.every, args.seed, args.trace)
    finally:
        if display is not None:
            display.stop()


if __name__ == "__main__":
    main()
