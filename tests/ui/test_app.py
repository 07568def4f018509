"""``backview`` opening the window: run() end to end in a child process (also at a device pixel
ratio of 2, where clicks must still land on the right zone), and bad files on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
import viewer.ui.app as appmod
from projection import display_points  # tests/projection.py, on PYTHONPATH

result = {}

def project(win, point):
    x, y = display_points(win.plotter.renderer, [point])[0]
    ratio = win.plotter.devicePixelRatioF()
    return QPoint(round(x / ratio), round(y / ratio))

def drive():
    win = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
    def loaded(model):
        result["ratio"] = win.plotter.devicePixelRatioF()
        result["widget"] = [win.plotter.width(), win.plotter.height()]
        result["render_window"] = list(win.plotter.render_window.GetSize())
        result["clicked"] = {}
        for zone_id in ("paraspinal-left", "kidney-right", "neck"):
            pos = project(win, model.scene.label_anchor(model.rmap.zone(zone_id).index))
            QTest.mouseClick(win.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
            result["clicked"][zone_id] = win.state.zone_id
        win.close()  # the last window: run() returns
    win.modelLoaded.connect(loaded)
    win.loadFailed.connect(lambda *a: (result.setdefault("failed", str(a)), win.close()))

QTimer.singleShot(0, drive)
status = appmod.run()
print("RESULT " + json.dumps({**result, "status": status}))
"""


def run_window(tmp_path, **env) -> dict:
    environment = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), **env)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), str(REPO / "tests"),
                                                              os.environ.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.mark.gui
@pytest.mark.parametrize("scale", ["1", "2"])
def test_run_opens_the_window_and_clicks_land_on_the_right_zone(tmp_path, scale):
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X server (pytest-xvfb)")
    result = run_window(tmp_path, QT_SCALE_FACTOR=scale)
    assert result["status"] == 0
    assert "failed" not in result
    assert result["ratio"] == float(scale)
    assert result["render_window"] == [round(v * float(scale)) for v in result["widget"]]
    assert result["clicked"] == {z: z for z in ("paraspinal-left", "kidney-right", "neck")}
    assert (tmp_path / "config" / "BackView" / "BackView.conf").is_file()  # settings were saved


def test_a_bad_mesh_on_the_command_line_is_one_line_and_no_window(tmp_path, cli, one_line_error):
    empty = tmp_path / "empty.obj"
    empty.write_text("")
    result = cli("--mesh", str(empty))
    one_line_error(result, "empty.obj", "is empty")


def test_widget_to_display_minds_the_device_pixel_ratio():
    from viewer.ui.picking import widget_to_display

    # a 400x300 widget; at ratio 2 its render window is 800x600 device pixels
    assert widget_to_display(0, 0, 1.0, 300) == (0, 299)
    assert widget_to_display(399, 299, 1.0, 300) == (399, 0)
    # at ratio 2, each logical pixel is a 2x2 block of device pixels: land inside it
    assert widget_to_display(0, 0, 2.0, 600) == (1, 599)
    assert widget_to_display(200, 150, 2.0, 600) == (401, 299)
    assert widget_to_display(399, 299, 2.0, 600) == (799, 1)


def test_without_a_display_the_window_says_so_in_one_line(cli, one_line_error, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("the check is for Linux")
    one_line_error(cli(), "needs a display")


CHILD_BARE = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from viewer.cli import main

result = {}

def drive():
    win = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
    def loaded(model):
        bar = win.fitting.bar
        result["banner"] = bar.text.text() if bar.isVisible() else None
        win.close()
    win.modelLoaded.connect(loaded)
    win.loadFailed.connect(lambda *a: (result.setdefault("failed", str(a)), win.close()))

QTimer.singleShot(0, drive)
status = main(["--mesh", sys.argv[1]])
print("RESULT " + json.dumps({**result, "status": status}))
"""


@pytest.mark.gui
def test_backview_mesh_without_landmarks_opens_it_with_the_landmarks_bar(tmp_path, shipped_mesh_path):
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs an X server (pytest-xvfb)")
    body = tmp_path / "body.ply"
    body.write_bytes(shipped_mesh_path.read_bytes())  # without body.landmarks.json beside it
    environment = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"),
                       PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", CHILD_BARE, str(body)], cwd=REPO,
                          env=environment, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(l for l in proc.stdout.splitlines() if l.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    assert result == {"status": 0, "banner": "No landmarks for body.ply: zones need them."}
