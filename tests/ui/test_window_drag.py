"""Turning the body by dragging: a coarse copy of the coloured body while the mouse moves (a
software-rendered frame costs a fraction), the full surface, borders and picking after."""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.gui


def test_a_drag_shows_a_coarse_body_and_the_full_one_after(win, backview_app, to_widget):
    actors, plotter = win.view.actors, win.plotter
    full = win.view.scene.surface.n_cells
    before = np.array(plotter.camera.position)
    centre = QPoint(plotter.width() // 2, plotter.height() // 2)
    QTest.mousePress(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(plotter, centre + QPoint(40, 0))
    QTest.mouseMove(plotter, centre + QPoint(80, 5))
    backview_app.processEvents()
    drawn = actors.body_actor.mapper.GetInput()
    assert actors.moving
    assert drawn.GetNumberOfCells() < full / 3
    assert not actors.border_actor.GetVisibility()
    QTest.mouseRelease(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       centre + QPoint(80, 5))
    backview_app.processEvents()
    assert not actors.moving
    assert actors.body_actor.mapper.GetInput().GetNumberOfCells() == full
    assert actors.border_actor.GetVisibility()
    assert np.linalg.norm(np.array(plotter.camera.position) - before) > 0  # it turned
    # picking still hits the full surface: a click on a zone's middle selects it
    anchor = win.view.scene.label_anchor(win.state.rmap.zone("neck").index)
    QTest.mouseClick(plotter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     to_widget(win, anchor))
    assert win.state.zone_id == "neck"


def test_the_coarse_body_carries_the_zone_colours_of_every_mode(win):
    actors = win.view.actors
    actors.set_moving(True)
    try:
        for mode in ("pressure", "stroke:friction"):
            win.state.set_mode(mode)
            win.state.select("neck")
            win.view.flush()
            coarse = pv.wrap(actors.body_actor.mapper.GetInput())
            zones = win.view.scene.zone_of_cell[np.asarray(coarse.cell_data["cell"])]
            lut = win.view.scene.zone_colours(mode, win.state.zone.index)
            assert np.array_equal(np.asarray(coarse.cell_data["rgb"]), lut[zones])
    finally:
        actors.set_moving(False)
