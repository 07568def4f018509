"""``backview serve``: the lesson in a real browser (Chromium through Selenium), a viewer and the
instructor on one server, as a class taught online would use it.

One server and two browser pages (the instructor's and a viewer's) are shared by the module's
tests, which run in file order: the page loads from this machine only and draws the body; a
click on a zone shows its panel in that page only; the instructor's step change, colour mode
and camera reach the viewer; a viewer cannot drive the class, from the page or forging the
protocol; a wrong token is a viewer. The command's own mistakes are one line and exit 2.
"""

from __future__ import annotations

import asyncio
import os
import socket

import numpy as np
import pytest

from tests.browser_support import (
    ServeProcess,
    browser_missing,
    checkout_env,
    element_pixels,
    new_browser,
    page_ready,
    project,
    wait_for,
)

#: a step change is measured by benchmarks/bench_serve.py; here it only has to arrive
ARRIVES = 15.0


def _need_browser() -> None:
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _need_browser()
    env = checkout_env(XDG_CACHE_HOME=str(tmp_path_factory.mktemp("serve-cache")))
    with ServeProcess(env=env) as proc:
        yield proc


@pytest.fixture(scope="module")
def pages(server):
    """(the instructor's page, a viewer's page), both loaded and drawn."""
    teacher, viewer = new_browser(), new_browser()
    try:
        teacher.get(server.instructor_url)
        viewer.get(server.url)
        for page in (teacher, viewer):
            assert wait_for(lambda p=page: page_ready(p), 60), page.get_log("browser")
        yield teacher, viewer
    finally:
        teacher.quit()
        viewer.quit()


def _text(page, element_id: str) -> str:
    return page.execute_script(f"const e = document.getElementById('{element_id}');"
                               "return e ? e.innerText : null;")


def _camera(page) -> dict:
    return page.execute_script("return trame.refs.bv_view.getCamera()")


def _controls(page) -> int:
    return len(page.find_elements("id", "bv-controls"))


def _click(page, x: float, y: float) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    view = page.find_element("id", "bv-3d")
    rect = view.rect
    ActionChains(page).move_to_element_with_offset(
        view, int(x - rect["width"] / 2), int(y - rect["height"] / 2)).click().perform()


# --------------------------------------------------------------------------- the page
def test_page_loads_everything_from_the_server_and_draws_the_body(server, pages):
    teacher, viewer = pages
    for page in (teacher, viewer):
        resources = page.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        base = f"http://127.0.0.1:{server.port}/"
        assert resources and all(r.startswith(base) for r in resources), resources
        # nothing in the page names another host either (a font or script from a CDN)
        html = page.execute_script("return document.documentElement.outerHTML")
        assert "//fonts.googleapis" not in html and "cdn" not in html.lower(), html[:500]
    assert "Step 1 of 7" in _text(viewer, "bv-step-heading")
    assert _text(viewer, "bv-step-title") == "Prepare the room and the recipient"
    assert "Safe pressure" in _text(viewer, "bv-legend")
    # the canvas shows the body in the zone colours, not a blank or one-colour pane
    firm_green = np.array([0, 158, 115])  # the palette's "firm", lit and shaded

    def drawn():
        pixels = element_pixels(viewer, viewer.find_element("id", "bv-3d")).astype(int)
        colours = len({tuple(c) for c in pixels[::4, ::4].reshape(-1, 3)})
        green = (np.abs(pixels - firm_green).sum(axis=2) < 60).mean()
        return (colours, green) if colours > 200 and green > 0.005 else None

    assert wait_for(drawn, 30, interval=0.5), \
        element_pixels(viewer, viewer.find_element("id", "bv-3d")).reshape(-1, 3)[::9973]


def test_instructor_sees_controls_viewer_does_not(pages):
    teacher, viewer = pages
    assert _controls(teacher) == 1 and "Instructor" in _text(teacher, "bv-role")
    assert _controls(viewer) == 0 and "Viewer" in _text(viewer, "bv-role")
    assert not viewer.find_elements("id", "bv-next")
    # the token left the instructor's address bar (it may be projected)
    assert "secret=" not in teacher.current_url


def test_clicking_a_zone_shows_its_panel_in_that_page_only(server, pages):
    from viewer.core.body import Body
    from viewer.core.lesson import load_lesson
    from viewer.web.classroom import Classroom

    teacher, viewer = pages
    lesson = load_lesson()
    body = Body.load()
    room = Classroom(body, lesson.rmap, lesson)
    camera = _camera(viewer)
    rect = viewer.find_element("id", "bv-3d").rect
    direction = np.subtract(camera["focalPoint"], camera["position"])
    direction /= np.linalg.norm(direction)
    for zone_id in ("spine", "paraspinal-left"):
        # the point of the zone farthest inside its border, as the skin seen from the camera
        point = room.scene.label_anchor(lesson.rmap.zone(zone_id).index)
        expected = room.pick([point - direction, point + direction])
        assert expected is not None and expected["id"] == zone_id
        x, y = project(camera, point, rect["width"], rect["height"])
        _click(viewer, x, y)
        name = wait_for(lambda n=expected["name"]: _text(viewer, "bv-zone-name") == n and n, 10)
        assert name == expected["name"], (_text(viewer, "bv-zone-name"), expected["name"])
        panel = _text(viewer, "bv-zone")
        for fact in expected["facts"]:
            assert fact["label"] in panel and fact["value"] in panel
        assert "Cautions".upper() in panel.upper()
    room.plotter.close()
    # another page's panel does not change
    assert _text(teacher, "bv-zone") is None


def test_instructor_step_reaches_the_viewer(pages):
    teacher, viewer = pages
    teacher.find_element("id", "bv-next").click()
    title = wait_for(lambda: _text(viewer, "bv-step-title") if "Effleurage" in (
        _text(viewer, "bv-step-title") or "") else None, ARRIVES)
    assert title and title.startswith("Effleurage"), _text(viewer, "bv-step-title")
    assert "Step 2 of 7" in _text(viewer, "bv-step-heading")
    # the colour mode follows the step, in the legend and on the body
    assert wait_for(lambda: "Effleurage" in _text(viewer, "bv-legend"), ARRIVES)


def test_a_presentation_clicker_steps_the_lesson(pages):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    teacher, viewer = pages
    ActionChains(teacher).send_keys(Keys.PAGE_DOWN).perform()
    assert wait_for(lambda: "Step 3 of 7" in (_text(viewer, "bv-step-heading") or ""), ARRIVES)
    ActionChains(teacher).send_keys(Keys.PAGE_UP).perform()
    assert wait_for(lambda: "Step 2 of 7" in (_text(viewer, "bv-step-heading") or ""), ARRIVES)
    # a viewer's keys change nothing
    ActionChains(viewer).send_keys(Keys.PAGE_DOWN).perform()
    assert not wait_for(lambda: "Step 3" in (_text(teacher, "bv-step-heading") or ""), 2.0)


def test_instructor_camera_reaches_the_viewer(pages):
    from selenium.webdriver.common.action_chains import ActionChains

    teacher, viewer = pages
    before = _camera(viewer)
    view = teacher.find_element("id", "bv-3d")
    ActionChains(teacher).move_to_element(view).click_and_hold().move_by_offset(120, 0) \
        .move_by_offset(60, 10).release().perform()
    turned = _camera(teacher)
    assert not np.allclose(turned["position"], before["position"], atol=1e-3)

    def followed():
        now = _camera(viewer)
        return np.allclose(now["position"], turned["position"], atol=1e-3) and \
            np.allclose(now["viewUp"], turned["viewUp"], atol=1e-3)

    assert wait_for(followed, ARRIVES), (_camera(viewer), turned)


def test_a_viewer_cannot_drive_the_class(server, pages):
    teacher, viewer = pages
    step = _text(teacher, "bv-step-title")
    # the page's own way of asking, from a viewer's page: refused
    ok = viewer.execute_async_script(
        "const done = arguments[0]; trame.trigger('bv_go', [4]).then(done, () => done('error'))")
    assert ok is False
    ok = viewer.execute_async_script(
        "const done = arguments[0]; trame.trigger('bv_mode', ['stroke:friction'])"
        ".then(done, () => done('error'))")
    assert ok is False
    # changing the shared state in the viewer's page stays in that page
    viewer.execute_script("trame.state.set('bv_step', Object.assign({}, "
                          "trame.state.get('bv_step'), {title: 'Forged step'}))")
    assert _text(viewer, "bv-step-title") == "Forged step"
    assert not wait_for(lambda: _text(teacher, "bv-step-title") != step, 2.0)

    # and at the protocol level: a forged state change reaches no one, a forged step is refused
    from tests.wslink_client import WslinkClient

    async def forge():
        async with WslinkClient.connect(server.ws_url) as bad, \
                WslinkClient.connect(server.ws_url) as other:
            assert await bad.trigger("bv_whoami") is False
            assert await bad.trigger("bv_go", 5) is False
            await bad.call("trame.state.update",
                           [[{"key": "bv_step", "value": {"index": 5, "title": "Forged"}}]])
            # nor stop the server, move its camera or make it render
            for method, args in (("application.exit", []), ("viewport.camera.reset", ["1"]),
                                 ("viewport.image.push", [{"view": "-1"}])):
                with pytest.raises(RuntimeError, match="Unregistered method"):
                    await bad.call(method, args)
            await bad.call("trame.lifecycle.update", ["server_ready"])
            await asyncio.sleep(1.0)
            state = (await other.call("trame.state.get"))["state"]
            return other.publications, state["bv_step"]

    publications, shared = asyncio.run(forge())
    assert not [p for p in publications if p[1] == "trame.state.topic"], publications
    assert shared["title"] == step and shared["index"] == 1
    assert server.proc.poll() is None  # still serving
    assert sum("BackView is serving" in line for line in server.stdout) == 1  # no hook re-run
    assert sum("ignored" in line for line in server.stderr) >= 3


def test_a_wrong_token_gives_the_viewer_page(server):
    page = new_browser(900, 700)
    try:
        page.get(server.url + "?secret=" + "x" * len(server.token))
        assert wait_for(lambda: page_ready(page), 60)
        assert wait_for(lambda: "Viewer" in (_text(page, "bv-role") or ""), 10)
        assert _controls(page) == 0
    finally:
        page.quit()


# --------------------------------------------------------------------------- the command
@pytest.mark.parametrize("port", ["0", "99999", "eighty", "-5"])
def test_a_bad_port_is_one_line(cli, one_line_error, port):
    one_line_error(cli("serve", "--port", port), "port", port)


def test_a_port_in_use_is_one_line(cli, one_line_error):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        one_line_error(cli("serve", "--port", str(port)), f"{port} is in use")


def test_a_bad_lesson_or_body_is_one_line(cli, one_line_error, tmp_path):
    one_line_error(cli("serve", "--body", "nobody"), "nobody")
    one_line_error(cli("serve", "--lesson", str(tmp_path / "none.toml")), "none.toml")


def test_another_host_warns_of_the_risk(tmp_path):
    # 127.0.0.2 is this machine too (nothing is opened to the network), but not the default
    with ServeProcess("--host", "127.0.0.2",
                      env=checkout_env(XDG_CACHE_HOME=str(tmp_path))) as proc:
        assert wait_for(lambda: proc.stderr, 10)
    warning = [line for line in proc.stderr if "warning" in line]
    assert len(warning) == 1, proc.stderr
    assert "anyone who can reach this machine" in warning[0]
    assert "token" in warning[0] and "127.0.0.2" in warning[0]
