"""How fast the instructor's step change reaches a class of viewers on ``backview serve``.

Starts ``backview serve`` on this machine (nothing else is contacted), connects ``--viewers``
protocol-level viewers (tests/wslink_client.py: each does what a browser tab does over trame's
websocket: reads the page's state and its 3D scene and fetches every data array of the scene, and on a step
change takes the new state and fetches the arrays it does not hold yet), optionally a few real
Chromium pages (``--browsers``), and then, as the instructor, changes the step ``--changes``
times and turns the camera as often. It prints, per change and overall, how long until every
viewer had:

- the step's text (trame's state message with the new step),
- the whole new scene (vtk.js's scene delta and every new array fetched: what the viewer's
  browser needs to draw the step),
- the instructor's camera (the shared camera in trame's state),
- and, in the real browsers, the new step title on the page (a MutationObserver's clock).

    python benchmarks/bench_serve.py [--viewers 30] [--changes 7] [--browsers 2] [--pause 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser_support import ServeProcess, browser_missing, new_browser, page_ready, wait_for  # noqa: E402
from tests.wslink_client import WslinkClient, array_hashes  # noqa: E402


class Viewer:
    """A protocol-level viewer that behaves like the page: it keeps the arrays it fetched."""

    def __init__(self, client: WslinkClient):
        self.client = client
        self.held: set[str] = set()
        self.step_at: dict[int, float] = {}
        self.scene_at: list[float] = []
        self.camera_at: list[float] = []
        self.bytes = 0
        client.on_publish = self._on_publish

    async def load(self) -> None:
        await self.client.call("trame.state.get")  # the page's state, then its 3D scene
        await self._fetch(array_hashes(await self.client.trigger("bv_scene")))

    async def _fetch(self, hashes) -> None:
        for h in sorted(set(hashes) - self.held):
            data = await self.client.call("viewport.geometry.array.get", [h, True])
            self.bytes += len(data or b"")
            self.held.add(h)

    def _on_publish(self, topic, data) -> None:
        now = time.perf_counter()
        if topic == "trame.state.topic" and isinstance(data, dict) and "bv_step" in data:
            self.step_at[data["bv_step"]["index"]] = now
        elif topic == "trame.state.topic" and isinstance(data, dict) and "bv_camera" in data:
            self.camera_at.append(now)
        elif topic == "trame.vtk.delta":
            asyncio.ensure_future(self._scene(data))

    async def _scene(self, delta) -> None:
        await self._fetch(array_hashes(delta))
        self.scene_at.append(time.perf_counter())


WATCH_TITLE = """
window.__bvTitles = [];
const el = document.getElementById('bv-step-title');
new MutationObserver(() => window.__bvTitles.push([Date.now(), el.innerText]))
  .observe(el, {childList: true, subtree: true, characterData: true});
"""


async def run(server: ServeProcess, n_viewers: int, changes: int, browsers: list,
              pause: float = 0.0) -> None:
    t = time.perf_counter()
    clients = await asyncio.gather(*[WslinkClient.open(server.ws_url) for _ in range(n_viewers)])
    viewers = [Viewer(c) for c in clients]
    await asyncio.gather(*[v.load() for v in viewers])
    print(f"{n_viewers} viewers connected and loaded the scene in {time.perf_counter() - t:.2f} s "
          f"({viewers[0].bytes / 1e6:.1f} MB each)")
    teacher = await WslinkClient.open(server.ws_url, server.token)
    assert await teacher.trigger("bv_whoami") is True
    for page in browsers:
        page.execute_script(WATCH_TITLE)

    from viewer.core.body import Body

    body = Body.load()
    steps = (await teacher.call("trame.state.get"))["state"]["bv_step"]["count"]
    step_lat, scene_lat, cam_lat, page_lat = [], [], [], []
    print(f"{'change':>6} {'step text: all':>15} {'whole scene: all':>17} {'camera: all':>12}"
          f"{'  browsers (page)' if browsers else ''}")
    for k in range(changes):
        index = (k + 1) % steps
        await asyncio.sleep(pause)
        for v in viewers:
            v.scene_at.clear()
            v.camera_at.clear()
        bytes0 = viewers[0].bytes
        wall0, t0 = time.time(), time.perf_counter()
        assert await teacher.trigger("bv_go", index) is True
        while True:
            done = all(index in v.step_at and v.scene_at for v in viewers)
            if done or time.perf_counter() - t0 > 30:
                break
            await asyncio.sleep(0.005)
        step = max(v.step_at.get(index, float("inf")) for v in viewers) - t0
        scene = max((v.scene_at[0] if v.scene_at else float("inf")) for v in viewers) - t0
        # the instructor turns the body: a camera a little to the side of the step's own
        camera = _turned(body)
        t1 = time.perf_counter()
        await teacher.trigger("bv_camera", camera)
        while not all(v.camera_at for v in viewers) and time.perf_counter() - t1 < 30:
            await asyncio.sleep(0.005)
        camera_time = max((v.camera_at[0] if v.camera_at else float("inf")) for v in viewers) - t1
        fetched = (viewers[0].bytes - bytes0) / 1e6
        pages = []
        for page in browsers:
            titles = wait_for(lambda p=page: [x for x in p.execute_script(
                "return window.__bvTitles") if x[0] / 1000 >= wall0], 30)
            pages.append(titles[-1][0] / 1000 - wall0 if titles else float("inf"))
        step_lat.append(step)
        scene_lat.append(scene)
        cam_lat.append(camera_time)
        page_lat += pages
        print(f"{k + 1:>6} {step:>13.3f} s {scene:>15.3f} s {camera_time:>10.3f} s "
              f"{fetched:>6.2f} MB"
              + ("  " + " ".join(f"{p:.3f} s" for p in pages) if pages else ""))
    print(f"step text reached all {n_viewers} viewers: median {statistics.median(step_lat):.3f} s, "
          f"max {max(step_lat):.3f} s")
    print(f"whole new scene in all {n_viewers} viewers: median {statistics.median(scene_lat):.3f} s,"
          f" max {max(scene_lat):.3f} s (target <= 1 s)")
    print(f"instructor's camera in all {n_viewers} viewers: median "
          f"{statistics.median(cam_lat):.3f} s, max {max(cam_lat):.3f} s")
    if page_lat:
        print(f"step title changed in {len(browsers)} real browser pages (alongside the viewers): "
              f"median {statistics.median(page_lat):.3f} s, max {max(page_lat):.3f} s")
    for c in (*clients, teacher):
        await c.close()


def _turned(body) -> dict:
    """The back view turned 20-30 degrees about the body's vertical axis (as vtk.js reports a
    camera)."""
    import numpy as np

    from viewer.core.camera import preset_camera

    cam = preset_camera(body, "back", 1.25)
    f, p = np.asarray(cam.focal_point), np.asarray(cam.position)
    a = np.radians(20 + 10 * np.random.rand())
    rot = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    return {"position": list(f + rot @ (p - f)), "focalPoint": list(f),
            "viewUp": list(cam.view_up), "parallelScale": cam.parallel_scale}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=30)
    parser.add_argument("--changes", type=int, default=7)
    parser.add_argument("--browsers", type=int, default=0,
                        help="real Chromium pages watching too (each costs a CPU share)")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds between one change and the next (a class's pace)")
    args = parser.parse_args()
    with ServeProcess() as server:
        browsers = []
        try:
            if args.browsers:
                reason = browser_missing()
                if reason:
                    sys.exit(f"bench_serve: {reason}")
                for _ in range(args.browsers):
                    page = new_browser(1280, 800)
                    page.get(server.url)
                    browsers.append(page)
                for page in browsers:
                    assert wait_for(lambda p=page: page_ready(p), 90)
            asyncio.run(run(server, args.viewers, args.changes, browsers, args.pause))
        finally:
            for page in browsers:
                page.quit()


if __name__ == "__main__":
    main()
