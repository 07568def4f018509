"""Take the README's picture of ``backview serve`` in the test browser (Chromium, Selenium):
the instructor's page at a lesson step, with a zone clicked.

    python tools/browser_screenshot.py [--out docs/images/browser.png] [--step 3]
                                       [--zone upper-trapezius-left] [--size 1600x1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser_support import (  # noqa: E402
    ServeProcess,
    browser_missing,
    new_browser,
    page_ready,
    project,
    wait_for,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "images" / "browser.png"))
    parser.add_argument("--step", type=int, default=3, help="lesson step (1-based)")
    parser.add_argument("--zone", default="upper-trapezius-left", help="zone to click")
    parser.add_argument("--size", default="1600x1000")
    args = parser.parse_args()
    reason = browser_missing()
    if reason:
        sys.exit(f"browser_screenshot: {reason}")
    width, height = (int(v) for v in args.size.split("x"))

    from selenium.webdriver.common.action_chains import ActionChains

    from viewer.core.body import Body
    from viewer.core.lesson import load_lesson
    from viewer.web.classroom import Classroom

    with ServeProcess() as server:
        page = new_browser(width, height)
        try:
            page.get(server.instructor_url)
            assert wait_for(lambda: page_ready(page), 90), "the page did not load"
            page.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "trame.trigger('bv_go', [arguments[0]]).then(done)",
                args.step - 1)
            assert wait_for(lambda: page.execute_script(
                "return trame.state.get('bv_step').index") == args.step - 1, 30)
            time.sleep(2.0)  # vtk.js fetches the step's arrays and draws them
            lesson = load_lesson()
            room = Classroom(Body.load(), lesson.rmap, lesson)
            point = room.scene.label_anchor(lesson.rmap.zone(args.zone).index)
            camera = page.execute_script("return trame.refs.bv_view.getCamera()")
            view = page.find_element("id", "bv-3d")
            rect = view.rect
            x, y = project(camera, point, rect["width"], rect["height"])
            ActionChains(page).move_to_element_with_offset(
                view, int(x - rect["width"] / 2), int(y - rect["height"] / 2)).click().perform()
            name = lesson.rmap.zone(args.zone).name
            assert wait_for(lambda: page.execute_script(
                "const e = document.getElementById('bv-zone-name'); return e && e.innerText")
                == name, 20), "the zone panel did not show"
            time.sleep(1.0)
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            page.save_screenshot(args.out)
            print(f"wrote {args.out}")
        finally:
            page.quit()


if __name__ == "__main__":
    main()
