"""``backview export --out back.html`` (issue 18): one self-contained web page, opened from a
file in a real browser (Debian's Chromium, headless, driven by Selenium) with the network off.

The page must render the body in its zone colours, show the legend, and name the zone under a
click with its pressure, in the map's own words; it must fetch nothing. A mistake is one line,
status 2, and no file.
"""

from __future__ import annotations

import io
import math
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import browser_support
from conftest import REPO, assert_one_line_error, run_cli

#: how long the page may take to show the body (swiftshader, two busy cores)
READY_TIMEOUT = 40


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The default export: the pressure colours seen from behind."""
    out = tmp_path_factory.mktemp("html") / "back.html"
    result = run_cli("export", "--out", out)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out} (web page" in result.stdout
    return out


@pytest.fixture(scope="module")
def petrissage_page(tmp_path_factory) -> Path:
    """A stroke's colours, another palette, and a zone selected from the command line."""
    out = tmp_path_factory.mktemp("html") / "petrissage.html"
    result = run_cli("export", "--out", out, "--colour-by", "stroke:petrissage",
                     "--palette", "high-contrast", "--zone", "upper-trapezius-left",
                     "--title", "Kneading the upper trapezius")
    assert result.returncode == 0, result.stderr
    return out


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="bv-data">(.*?)</script>', text, re.S)
    assert match, "the page carries no zone data"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def rmap():
    from viewer.core.regionmap import load_region_map

    return load_region_map(None)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system packages (``tests/browser_support.py``: Selenium
    Manager never runs, nothing is downloaded), with the network switched off."""
    missing = browser_support.browser_missing()
    if missing:
        pytest.skip(missing)
    driver = browser_support.new_browser(1400, 900)
    try:
        # no network at all: a request that leaves the page fails (and is logged below)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        yield driver
    finally:
        driver.quit()


def open_page(driver, path: Path) -> None:
    """Open the file and wait until the page reports the body drawn and pickable."""
    import time

    driver.get_log("performance")  # forget the previous page's requests
    driver.get(path.as_uri())
    deadline = time.monotonic() + READY_TIMEOUT
    state = None
    while time.monotonic() < deadline:
        state = driver.execute_script("return document.body.getAttribute('data-ready')")
        if state:
            break
        time.sleep(0.1)
    assert state == "1", f"the page did not get ready ({state!r}): {driver.get_log('browser')}"


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def screenshot(driver) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB"))


def near(pixels: np.ndarray, colour: str, tolerance: float = 40) -> int:
    """How many pixels are within ``tolerance`` (RGB distance) of ``colour``."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], float)
    return int((np.linalg.norm(pixels.astype(float) - rgb, axis=2) < tolerance).sum())


# ----------------------------------------------------------------------------- the file
def test_the_page_is_one_file_that_names_nothing_to_fetch(page, rmap):
    text = page.read_text(encoding="utf-8")
    size = page.stat().st_size
    assert 500_000 < size < 8_000_000, f"{size} bytes"
    # nothing loaded from elsewhere: no script, style sheet, image, frame, import or fetch
    # that points to a network address
    fetched = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|"""
                         r"""@import\s+(?:url\()?["']?(?:https?:)?//|"""
                         r"""\bimport\s*\(?\s*["'](?:https?:)?//|"""
                         r"""\bfetch\(\s*["'`](?:https?:)?//|url\(\s*["']?(?:https?:)?//""",
                         text, re.I)
    assert fetched == []
    assert "kitware.github.io/vtk-js/icon" not in text  # vtk.js's favicons are taken out
    # and the page forbids every request but its own data
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src \'none\';',
                     text)
    data = page_data(page)
    assert data["title"] == rmap.info.name
    assert [row["label"] for row in data["legend"]][-1].startswith("No specific rule")


def test_the_zone_words_are_the_maps(page, rmap):
    """Every place's name, rule and sections come from the region map through the window's
    wording: nothing is written for the page alone."""
    from viewer.core.wording import zone_facts, zone_sections

    data = page_data(page)
    zones = {p["zone"] for p in data["places"] if p["zone"]}
    assert zones == {z.id for z in rmap.zones}  # every zone can be clicked on the shipped torso
    for place in data["places"]:
        if place["zone"] is None:
            continue
        zone = rmap.zone(place["zone"])
        assert place["name"] == zone.name
        sections = [(s.heading, list(s.paragraphs)) for s in zone_sections(zone)]
        assert [(s["heading"], s["paragraphs"]) for s in place["sections"]] == sections
        if not place["also"]:  # a place inside one zone: the zone's own rule
            assert [(f["label"], f["value"]) for f in place["facts"]] == \
                [(f.label, f.value) for f in zone_facts(zone)]
    # a place inside two zones says so, and takes the most cautious rule of each field
    also = [p for p in data["places"] if p["also"]]
    assert also and all("the most cautious rule of each applies" in p["also"] for p in also)


def test_the_legend_is_the_pictures(petrissage_page, rmap):
    from viewer.core.palette import legend, mode_title

    data = page_data(petrissage_page)
    assert data["legend_heading"] == mode_title("stroke:petrissage")
    assert [(r["label"], r["colour"], r["hatched"]) for r in data["legend"]] == \
        [(e.label, e.colour, e.hatched) for e in legend("stroke:petrissage", rmap, "high-contrast")]
    assert data["title"] == "Kneading the upper trapezius"
    selected = data["places"][data["selected"]]
    # the zone's own place: its own rule, no other zone named
    assert selected["zone"] == "upper-trapezius-left" and selected["also"] == ""


def test_a_postponed_massage_shows_the_guides_sentences(tmp_path):
    out = tmp_path / "fever.html"
    result = run_cli("export", "--out", out, "--condition", "fever")
    assert result.returncode == 0, result.stderr
    assert "POSTPONE" in result.stdout
    data = page_data(out)
    guide = " ".join((REPO / "region_maps" / "back-massage-guide.txt").read_text(
        encoding="utf-8").split())
    assert data["banner"]["heading"] == "Postpone the massage"
    assert data["banner"]["sentences"]
    for sentence in data["banner"]["sentences"]:
        assert " ".join(sentence.split()) in guide, sentence


# ----------------------------------------------------------------------------- mistakes
@pytest.mark.parametrize("args,words", [
    (["--size", "1920x1080"], "--size does not apply to a web page"),
    (["--transparent"], "--transparent does not apply"),
    (["--pin", "spinous_T7:Start here"], "--pin does not apply"),
    (["--layers", "skin,bones"], "--layers does not apply"),
    (["--zone", "shoulders"], "unknown zone 'shoulders'"),
])
def test_mistakes_exit_2_with_one_line_and_no_file(tmp_path, args, words):
    out = tmp_path / "back.html"
    result = run_cli("export", "--out", out, *args)
    assert_one_line_error(result, words)
    assert list(tmp_path.iterdir()) == []


def test_a_mistake_leaves_an_existing_page_as_it_was(tmp_path):
    out = tmp_path / "back.html"
    out.write_text("before", encoding="utf-8")
    assert_one_line_error(run_cli("export", "--out", out, "--view", "sideways"), "sideways")
    assert_one_line_error(run_cli("export", "--out", tmp_path / "no" / "back.html"),
                          "does not exist")
    assert_one_line_error(run_cli("export", "--out", tmp_path / "back.htm"), ".html")
    assert out.read_text(encoding="utf-8") == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["back.html"]


# ----------------------------------------------------------------------------- in the browser
def test_the_page_renders_offline_and_a_click_names_the_zone(browser, page, rmap):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from viewer.core.palette import DEFAULT
    from viewer.core.regionmap import Pressure

    open_page(browser, page)
    # nothing was requested but the file itself
    urls = requested_urls(browser)
    assert urls and all(u.startswith(("file:", "data:", "blob:")) for u in urls), urls
    assert browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !/^(data|blob|file):/.test(n))") == []
    # the body is drawn in its zone colours (shaded: near, not equal)
    pixels = screenshot(browser)
    for pressure in Pressure:
        assert near(pixels, DEFAULT.pressure[pressure]) > 300, pressure
    # the legend's rows, as on a picture
    rows = browser.find_elements(By.CSS_SELECTOR, "#bv-legend li")
    assert [r.text for r in rows] == [row["label"] for row in page_data(page)["legend"]]

    # dragging turns the body and names no zone (the events carry movementX, as a real
    # mouse's do: vtk.js turns the camera by it; the driver's synthetic mouse leaves it 0)
    view = browser.find_element(By.ID, "bv-view")
    before = browser.execute_script("return BackView.cameraPosition()")
    after = browser.execute_async_script(DRAG_SCRIPT, 8)
    assert np.linalg.norm(np.subtract(after, before)) > 0.05
    assert browser.find_element(By.ID, "bv-zone").get_attribute("data-zone") is None

    # then a real click on the spine, where the page draws it in the turned view
    spine = rmap.zone("spine")
    other, spine_cell = browser.execute_script(
        "return [BackView.cellsOfPlace(BackView.placeOfZone('paraspinal-left'))[0],"
        " BackView.cellsOfPlace(BackView.placeOfZone('spine'))[0]]")
    colour = browser.execute_script("return [BackView.cellColour(arguments[0]),"
                                    " BackView.cellColour(arguments[1])]", other, spine_cell)
    x, y = browser.execute_script("""
        const cells = BackView.cellsOfPlace(BackView.placeOfZone('spine'));
        // the spine's cell nearest the middle of the view's height: well inside it
        const view = document.getElementById('bv-view').getBoundingClientRect();
        let best = null, dist = Infinity;
        for (const c of cells) {
          const p = BackView.cellScreen(c);
          const d = Math.abs(p[1] - (view.top + view.height * 0.45));
          if (d < dist) { dist = d; best = p; }
        }
        return best;""")
    rect = view.rect
    ActionChains(browser).move_to_element_with_offset(
        view, round(x - rect["x"] - rect["width"] / 2),
        round(y - rect["y"] - rect["height"] / 2)).click().perform()
    panel = browser.find_element(By.ID, "bv-zone")
    assert browser.find_element(By.ID, "bv-zone-name").text == spine.name
    assert panel.get_attribute("data-zone") == "spine"
    first = panel.find_elements(By.CSS_SELECTOR, "tr")[0].find_elements(By.TAG_NAME, "td")
    assert (first[0].text, first[2].text) == ("Pressure", spine.pressure.label)
    assert spine.spec.technique.split(".")[0] in panel.text
    # the other zones fade, as in the window; the spine keeps its colour
    faded = [math.floor(v * 0.55 + 255 * 0.45) for v in colour[0]]
    assert browser.execute_script("return [BackView.cellColour(arguments[0]),"
                                  " BackView.cellColour(arguments[1])]", other, spine_cell) \
        == [faded, colour[1]]
    # Esc clears it: the panel and the fade
    ActionChains(browser).send_keys("\ue00c").perform()
    assert panel.get_attribute("data-zone") is None
    assert browser.execute_script("return BackView.cellColour(arguments[0])", other) == colour[0]


#: a drag across the 3D view in ``arguments[0]`` steps of 10 px, one per animation frame;
#: returns the camera's position after it
DRAG_SCRIPT = """
const steps = arguments[0], done = arguments[arguments.length - 1];
const canvas = window.global.renderWindow.getViews()[0].getCanvas();
const r = canvas.getBoundingClientRect();
const x = r.left + r.width / 2, y = r.top + r.height / 2;
const event = (cx, mx, buttons) => ({bubbles: true, cancelable: true, composed: true,
  pointerId: 1, pointerType: 'mouse', isPrimary: true, clientX: cx, clientY: y,
  movementX: mx, movementY: 0, button: 0, buttons: buttons});
canvas.dispatchEvent(new PointerEvent('pointerdown', event(x, 0, 1)));
let i = 0;
const step = () => {
  i += 1;
  canvas.dispatchEvent(new PointerEvent('pointermove', event(x + 10 * i, 10, 1)));
  if (i < steps) { requestAnimationFrame(step); return; }
  canvas.dispatchEvent(new PointerEvent('pointerup', event(x + 10 * i, 0, 0)));
  requestAnimationFrame(() => done(BackView.cameraPosition()));
};
requestAnimationFrame(step);
"""


def test_a_selected_zone_opens_with_its_panel(browser, petrissage_page, rmap):
    from selenium.webdriver.common.by import By

    from viewer.core.regionmap import Stroke

    open_page(browser, petrissage_page)
    zone = rmap.zone("upper-trapezius-left")
    assert browser.find_element(By.ID, "bv-zone-name").text == zone.name
    text = browser.find_element(By.ID, "bv-zone").text
    assert zone.strokes[Stroke.PETRISSAGE].label in text
    # a click in the middle of the lower back (from the page's own geometry) names it
    hit = browser.execute_script("""
        const cells = BackView.cellsOfPlace(BackView.placeOfZone('lower-back'));
        const p = BackView.cellScreen(cells[Math.floor(cells.length / 2)]);
        return BackView.clickAt(p[0], p[1]);""")
    assert hit["zone"] == "lower-back"
    assert browser.find_element(By.ID, "bv-zone-name").text == rmap.zone("lower-back").name


def test_chromium_is_listed_in_the_system_packages():
    script = (REPO / "tools" / "install-system-deps.sh").read_text(encoding="utf-8")
    required = script.split('REQUIRED="', 1)[1].split('"', 1)[0].split()
    assert {"chromium", "chromium-driver"} <= set(required)
