"""The window's first frame of a body shows its coloured zones; the zone borders and the
hatching follow in the next frame (in software OpenGL the first frame drawing VTK's wide
lines costs a fraction of a second more, which the first frame then does not wait for)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from conftest import wait_until

pytestmark = pytest.mark.gui


def test_the_first_frame_shows_the_zones_and_the_next_one_their_borders(backview_app, tmp_path):
    from viewer.ui.main_window import MainWindow
    from viewer.ui.settings import Settings

    window = MainWindow(settings=Settings(QSettings(str(tmp_path / "settings.ini"),
                                                    QSettings.Format.IniFormat)))
    frames = []  # per frame drawn of the scene: (distinct body colours, borders drawn)

    def drawn(*_):
        actors = window.view.actors
        if actors is not None:
            colours = np.unique(np.asarray(actors.surface.cell_data["rgb"]), axis=0)
            frames.append((len(colours), bool(actors.border_actor.GetVisibility())))

    observer = window.plotter.render_window.AddObserver("EndEvent", drawn)
    try:
        window.resize(1000, 700)
        window.show()
        window.open_files()
        wait_until(backview_app, lambda: len(frames) >= 2, timeout=120, message="two frames")
        zones = len(window.state.rmap.zones)
        assert frames[0][0] >= min(zones, 5)  # the zones in their colours, at once
        assert frames[0][1] is False            # their borders not yet
        assert frames[1][1] is True             # and in the very next frame
        assert window.view.actors.border_actor.GetVisibility()
    finally:
        window.plotter.render_window.RemoveObserver(observer)
        window.close()
        backview_app.processEvents()
