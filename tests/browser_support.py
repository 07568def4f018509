"""A real browser for the tests of ``backview serve``: Debian's Chromium driven by Selenium.

Chromium and its driver come from the distribution (``tools/install-system-deps.sh`` installs
``chromium`` and ``chromium-driver``); Selenium is told where both are, so its "Selenium
Manager" never looks for (or downloads) a browser. WebGL runs on SwiftShader, Chromium's
software renderer, so no GPU or display is needed.

Also here: :class:`ServeProcess`, a ``backview serve`` child process on a free port (used by the
tests, ``benchmarks/bench_serve.py`` and ``tools/browser_screenshot.py``).
"""

from __future__ import annotations

import io
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMEDRIVER_NAMES = ("chromedriver",)
#: Chromium's options: headless, no sandbox (CI runs as root), WebGL on SwiftShader
CHROMIUM_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--use-gl=angle",
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking",
                 "--disable-component-update", "--disable-default-apps", "--disable-sync")


def _which(names, extra=()) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    for path in extra:
        if os.access(path, os.X_OK):
            return path
    return None


def chromium_path() -> str | None:
    return _which(CHROMIUM_NAMES, ("/usr/bin/chromium", "/usr/lib/chromium/chromium"))


def chromedriver_path() -> str | None:
    return _which(CHROMEDRIVER_NAMES, ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"))


def browser_missing() -> str | None:
    """Why no test browser can run here (None: it can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    if chromium_path() is None:
        return "Chromium is not installed (sh tools/install-system-deps.sh installs chromium)"
    if chromedriver_path() is None:
        return ("chromedriver is not installed (sh tools/install-system-deps.sh installs "
                "chromium-driver)")
    return None


def new_browser(width: int = 1400, height: int = 900):
    """A headless Chromium window of ``width`` x ``height`` CSS pixels (device scale 1)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager, should anything call it, must not look for a browser online
    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = chromium_path()
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument("--force-device-scale-factor=1")
    # the console, and every request the page makes (the offline checks read them)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver_path()),
                              options=options)
    # --window-size sizes the outer window: make the page itself that size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": False})
    return driver


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Poll ``predicate()`` until it returns something true; that value, or None on timeout."""
    end = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # the page is still being built
            value = None
        if value:
            return value
        if time.monotonic() > end:
            return None
        time.sleep(interval)


def element_pixels(driver, element) -> np.ndarray:
    """``(h, w, 3)`` uint8: what ``element`` shows on the screen."""
    from PIL import Image

    png = element.screenshot_as_png
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def page_ready(driver) -> bool:
    """The page is built and its 3D view has the scene (a canvas of the view's size, the
    scene received; vtk.js draws it in the next frames, once its arrays have arrived)."""
    return bool(driver.execute_script(
        "const c = document.querySelector('#bv-3d canvas');"
        "return !!(c && c.width > 50 && document.querySelector('#bv-step-title')"
        " && window.trame && trame.state.get('bv_scene'));"))


def project(camera: dict, point, width: float, height: float) -> tuple[float, float]:
    """Where a world ``point`` appears in a 3D view of ``width`` x ``height`` CSS pixels with a
    vtk.js parallel-projection ``camera`` (its ``getCamera()``): (x, y) from the view's
    top-left corner."""
    position, focal = np.asarray(camera["position"]), np.asarray(camera["focalPoint"])
    d = focal - position
    d /= np.linalg.norm(d)
    up = np.asarray(camera["viewUp"], float)
    up = up - (up @ d) * d
    up /= np.linalg.norm(up)
    right = np.cross(d, up)
    per_unit = (height / 2) / float(camera["parallelScale"])
    offset = np.asarray(point, float) - focal
    return width / 2 + (offset @ right) * per_unit, height / 2 - (offset @ up) * per_unit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment for a child process that must import ``viewer`` from this checkout
    (the tests' ``conftest.checkout_env``, and the served classroom's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    env.update(extra)
    return env


class ServeProcess:
    """``backview serve`` in a child process on a free port of 127.0.0.1; ``url`` (the
    viewers' page), ``instructor_url``, ``token`` and ``ws_url`` once it listens."""

    def __init__(self, *args: str, env: dict | None = None, start_timeout: float = 90.0):
        self.port = free_port()
        self.command = [sys.executable, "-m", "viewer", "serve", "--port", str(self.port), *args]
        self.proc = subprocess.Popen(self.command, cwd=REPO, env=env or checkout_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, keep in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            threading.Thread(target=self._pump, args=(stream, keep), daemon=True).start()
        self.url = self.instructor_url = self.token = None
        end = time.monotonic() + start_timeout
        while self.instructor_url is None:
            if self.proc.poll() is not None or time.monotonic() > end:
                self.stop()
                raise RuntimeError(f"backview serve did not start: {''.join(self.stderr)[-2000:]}")
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line.strip().startswith("viewers:"):
                self.url = line.split(None, 1)[1].strip()
            if line.strip().startswith("instructor:"):
                self.instructor_url = line.split(None, 1)[1].strip()
                self.token = self.instructor_url.rsplit("=", 1)[1]
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"

    def _pump(self, stream, keep: list) -> None:
        for line in stream:
            keep.append(line)
            self.lines.put(line)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> "ServeProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
