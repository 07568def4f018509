"""The window on a body where two zones meet as they never do on the shipped torso
(``overlap_body``: the right shoulder blade's edge reaches into the upper trapezius): the map is
shown, a click there names the upper trapezius, and the panel gives the rule that applies there
(petrissage light only, as on the shoulder blade's edge) and says why ("Also inside")."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from viewer.core.palette import get_palette
from viewer.core.regionmap import StrokeStatus

pytestmark = pytest.mark.gui

WINNER, OTHER = "upper-trapezius-right", "scapular-edges-right"


@pytest.fixture(scope="module")
def window(backview_app, tmp_path_factory, overlap_body):
    from tests.ui.conftest import make_window

    win = make_window(backview_app, tmp_path_factory.mktemp("overlap") / "settings.ini",
                      mesh=overlap_body)
    yield win
    win.close()
    backview_app.processEvents()


def panel_row(text: str, key: str) -> str:
    lines = [line.strip("\ufffc ") for line in text.replace("\u2029", "\n").splitlines()
             if line.strip("\ufffc ")]
    return lines[lines.index(key) + 1]


def click(window, pos) -> None:
    QTest.mouseClick(window.plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def facing_cells(scene, cells):
    """Of ``cells``, those facing the camera of the back view (clickable)."""
    back = scene.geometry.frame.back
    return cells[(scene.cell_normals[cells] @ back) > 0.7]


def target(window, shared: bool) -> int:
    """A cell of the upper trapezius deep inside (``shared``) or outside the shoulder blade's edge."""
    scene = window.view.scene
    rmap = window.state.rmap
    cells = np.flatnonzero(scene.zone_of_cell == rmap.zone(WINNER).index)
    other = rmap.zone(OTHER).index
    mask = np.array([other in [z.index for z in scene.cover_at_cell(int(c)).also] for c in cells])
    chosen = facing_cells(scene, cells[mask] if shared else cells[~mask])
    assert len(chosen), "precondition: the zones meet on this body"
    return scene.deepest_cell(other if shared else rmap.zone(WINNER).index, chosen)


def test_the_body_is_shown_with_its_zones(window):
    assert window.view.scene is not None, "the map was refused"
    assert window.view.scene.covers


def test_clicking_where_two_zones_meet_says_also_inside(window, to_widget, wait):
    window.state.select(None)
    window.view.reset()
    window.view.flush()
    scene = window.view.scene
    cell = target(window, shared=True)
    click(window, to_widget(window, scene.cell_centres[cell]))
    assert window.state.zone_id == WINNER
    text = window.zone_panel.text()
    assert text.startswith("Upper trapezius (right)")
    assert ("Also inside: edges of the shoulder blade (right) \u2014 the most cautious rule of "
            "each applies.") in text
    assert panel_row(text, "Petrissage") == \
        "Light only (here; Recommended elsewhere in this zone)"
    assert panel_row(text, "Pressure") == "Light"
    assert panel_row(text, "Effleurage") == "Recommended"

    # elsewhere in the same zone: its own rule, nothing else covers it
    cell = target(window, shared=False)
    click(window, to_widget(window, scene.cell_centres[cell]))
    assert window.state.zone_id == WINNER
    text = window.zone_panel.text()
    assert "Also inside" not in text
    assert panel_row(text, "Petrissage") == "Recommended"

    # chosen from the list (no place): the zone's own rule
    window.state.select(None)
    window.state.select(WINNER)
    assert "Also inside" not in window.zone_panel.text()


def test_petrissage_mode_shows_the_cautious_value_there(window, to_widget, grab):
    window.state.select(None)
    window.state.set_mode("stroke:petrissage")
    window.view.reset()
    window.view.flush()
    scene = window.view.scene
    pal = get_palette(window.state.palette)
    swatches = {s: np.array([int(pal.strokes[s][i:i + 2], 16) for i in (1, 3, 5)], float)
                for s in StrokeStatus}
    image = grab(window)
    ratio = window.plotter.devicePixelRatioF()

    def status_at(cell) -> StrokeStatus:
        pos = to_widget(window, scene.cell_centres[cell])
        p = image[int(pos.y() * ratio), int(pos.x() * ratio)].astype(float)
        return min(swatches, key=lambda s: np.linalg.norm(
            p - swatches[s] * max(p @ swatches[s], 1.0) / max(swatches[s] @ swatches[s], 1.0)))

    assert status_at(target(window, shared=True)) == StrokeStatus.LIGHT_ONLY
    assert status_at(target(window, shared=False)) == StrokeStatus.RECOMMENDED
    window.state.set_mode("pressure")
