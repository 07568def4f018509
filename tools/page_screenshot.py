"""A picture of an exported web page (``backview export --out back.html``) as Chromium shows it,
optionally with a zone clicked: the README's docs/images/export-html.png.

    python tools/page_screenshot.py back.html docs/images/export-html.png --zone spine

Uses Debian's Chromium and chromedriver (tools/install-system-deps.sh), headless with software
WebGL; nothing is downloaded and the page is opened with the network off.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

#: JavaScript: the cell of a zone nearest the middle of its drawn cells, that the page's own
#: pick finds under its centre (so the click lands inside the zone, not on its edge)
CLICK_ZONE = """
const cells = BackView.cellsOfPlace(BackView.placeOfZone(arguments[0]));
const pts = cells.map(c => BackView.cellScreen(c));
const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
const order = pts.map((p, i) => [Math.hypot(p[0] - mx, p[1] - my), i]).sort((a, b) => a[0] - b[0]);
for (const [, i] of order.slice(0, 400)) {
  const hit = BackView.cellAt(pts[i][0], pts[i][1]);
  if (hit >= 0 && BackView.data.places[BackView.cellPlace[hit]].zone === arguments[0]) {
    return BackView.clickAt(pts[i][0], pts[i][1]);
  }
}
return null;
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--zone", help="click this zone (an id of the region map) first")
    parser.add_argument("--size", default="1400x860", help="the browser window, WxH")
    args = parser.parse_args(argv)

    from PIL import Image
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    width, height = (int(v) for v in args.size.split("x"))
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--hide-scrollbars",
                f"--window-size={width},{height}", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"),
                              options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        start = time.monotonic()
        driver.get(args.page.resolve().as_uri())
        while not driver.execute_script("return document.body.getAttribute('data-ready')"):
            if time.monotonic() - start > 60:
                print("the page did not get ready", file=sys.stderr)
                return 1
            time.sleep(0.05)
        print(f"ready in {time.monotonic() - start:.2f} s")
        if args.zone:
            hit = driver.execute_script(CLICK_ZONE, args.zone)
            if hit is None:
                print(f"zone {args.zone} cannot be clicked in this view", file=sys.stderr)
                return 1
        time.sleep(0.3)
        Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB").save(
            args.png, optimize=True)
        print(f"wrote {args.png}")
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
