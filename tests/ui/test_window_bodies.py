"""The Body menu, View > Skin tone and sessions remembering both (issue 15), on a stand-in
catalogue: the shipped torso and a copy of it scaled by 1.1 (landmarks scaled too) in a
temporary folder, so these tests do not wait for the shipped bodies."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh
from PySide6.QtCore import QSettings

from conftest import make_window, wait_until
from viewer.core import bodies as catalogue_mod
from viewer.core.bodies import BodyEntry
from viewer.core.palette import SKIN_TONES, hex_to_rgb
from viewer.core.zones import NO_ZONE

SCALE = 1.1


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bodies")
    torso = catalogue_mod.torso_entry()
    mesh = trimesh.load(torso.mesh_path, process=False)
    mesh.vertices = np.asarray(mesh.vertices) * SCALE
    mesh.export(folder / "tall.ply")
    marks = json.loads(torso.landmarks_path.read_text())
    marks["mesh"] = "tall.ply"
    marks["landmarks"] = {k: [c * SCALE for c in v] for k, v in marks["landmarks"].items()}
    (folder / "tall.landmarks.json").write_text(json.dumps(marks))
    tall = BodyEntry("tall", "Taller torso", "standing", "The torso, ten per cent larger.",
                     folder / "tall.ply", folder / "tall.landmarks.json", None)
    import pyvista as pv

    pv.Box(bounds=(-0.4, 0.4, -1.2, -0.5, -0.3, 0.3)).save(folder / "props.ply")  # a "table"
    prone = BodyEntry("lying", "Torso on a table", "prone", "The torso with a table under it.",
                      torso.mesh_path, torso.landmarks_path, folder / "props.ply")
    return [torso, tall, prone]


@pytest.fixture(scope="module")
def bwin(backview_app, tmp_path_factory, stand_in):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(catalogue_mod, "catalogue", lambda index=None: list(stand_in))
        settings = tmp_path_factory.mktemp("bodywin") / "settings.ini"
        win = make_window(backview_app, settings)
        win.settings_file = settings
        yield win
        win.close()
        backview_app.processEvents()


def switch(app, win, body_id):
    assert win.bodies.choose(body_id)
    wait_until(app, lambda: win.bodies.current == body_id and not win.loader.busy,
               message=f"body {body_id}")
    win.view.flush()
    app.processEvents()


def skin_and_zone_cells(win):
    """The colour each cell of the body is drawn in, and the zone of each cell."""
    return np.asarray(win.view.actors.surface.cell_data["rgb"]), win.view.scene.zone_of_cell


def test_body_menu_lists_the_catalogue(bwin, stand_in):
    titles = [a.text() for a in bwin.bodies.body_menu.actions()]
    assert titles == ["Torso (the shipped mannequin) (standing)", "Taller torso (standing)",
                      "Torso on a table (prone)"]
    assert bwin.menuBar().actions()[-2].text() == "&Body"  # before Help
    assert bwin.bodies.body_actions["torso"].isChecked()  # the start-up body is recognised


def test_choosing_another_body_shows_it_and_keeps_colours_zone_and_view(bwin, backview_app,
                                                                         stand_in):
    bwin.state.set_mode("stroke:effleurage")
    zone = bwin.model.rmap.zones[0].id
    bwin.state.select(zone)
    bwin.view.set_view("left")
    old_span = np.ptp(bwin.model.body.mesh.vertices[:, 1])
    bwin.bodies.body_actions["tall"].trigger()
    wait_until(backview_app, lambda: bwin.bodies.current == "tall" and not bwin.loader.busy)
    assert bwin.model.body.mesh_path == stand_in[1].mesh_path
    assert np.ptp(bwin.model.body.mesh.vertices[:, 1]) == pytest.approx(old_span * SCALE, rel=1e-4)
    assert bwin.model.zoned and bwin.zone_list.model.rowCount() > 0
    assert bwin.state.mode == "stroke:effleurage"
    assert bwin.view.actors.mode == "stroke:effleurage"
    assert bwin.state.zone_id == zone
    assert bwin.view.view_name == "left"
    assert "Taller torso" in bwin.windowTitle()
    assert bwin.bodies.body_actions["tall"].isChecked()
    switch(backview_app, bwin, "torso")  # back again: from memory
    assert bwin.model.body.mesh_path == stand_in[0].mesh_path
    bwin.state.set_mode("pressure")
    bwin.state.select(None)


def test_unsaved_landmark_edits_are_asked_about_first(bwin, monkeypatch):
    monkeypatch.setattr(bwin.landmark_editor, "maybe_save", lambda why: False)  # "Cancel"
    assert not bwin.bodies.choose("tall")
    assert bwin.bodies.current == "torso"
    assert bwin.bodies.body_actions["torso"].isChecked()


def test_skin_tone_recolours_the_skin_but_not_the_zones(bwin, backview_app):
    dark = list(SKIN_TONES)[-1]
    bwin.bodies.set_skin_tone("default")
    rgb, zones = skin_and_zone_cells(bwin)
    skin, zoned = zones == NO_ZONE, zones != NO_ZONE
    before_skin, before_zone = rgb[skin][0].copy(), rgb[zoned].copy()
    bwin.bodies.tone_actions[dark].trigger()
    rgb, _ = skin_and_zone_cells(bwin)
    assert tuple(rgb[skin][0]) == hex_to_rgb(SKIN_TONES[dark].colour)
    assert tuple(rgb[skin][0]) != tuple(before_skin)
    # the zone colours stay (a tone may nudge one zone colour for contrast, never most)
    assert (rgb[zoned] == before_zone).all(axis=1).mean() > 0.5
    assert bwin.bodies.tone_actions[dark].isChecked()
    # remembered: a new window starts on it
    bwin.settings.sync()
    assert QSettings(str(bwin.settings_file), QSettings.Format.IniFormat).value(
        "view/skin_tone") == dark
    # kept when the body changes
    switch(backview_app, bwin, "tall")
    rgb, zones = skin_and_zone_cells(bwin)
    assert tuple(rgb[zones == NO_ZONE][0]) == hex_to_rgb(SKIN_TONES[dark].colour)
    switch(backview_app, bwin, "torso")
    bwin.bodies.set_skin_tone("default")


def test_session_round_trip_keeps_body_and_tone(bwin, backview_app, tmp_path):
    tone = list(SKIN_TONES)[2]
    switch(backview_app, bwin, "tall")
    bwin.bodies.set_skin_tone(tone)
    from viewer.ui import export_dialog

    path = export_dialog.save_session_from_window(
        bwin, bwin.state, plotter=bwin.plotter, path=tmp_path / "s.json",
        body=bwin.bodies.current, skin_tone=bwin.bodies.skin_tone)
    saved = json.loads(path.read_text())
    assert saved["body"] == "tall" and saved["skin_tone"] == tone
    switch(backview_app, bwin, "torso")
    bwin.bodies.set_skin_tone("default")
    bwin.load_session(path)
    wait_until(backview_app, lambda: bwin.bodies.current == "tall" and not bwin.loader.busy)
    backview_app.processEvents()
    assert bwin.bodies.skin_tone == tone
    assert bwin.bodies.tone_actions[tone].isChecked()
    switch(backview_app, bwin, "torso")
    bwin.bodies.set_skin_tone("default")


def test_a_prone_body_brings_its_props_and_the_table_camera(bwin, backview_app):
    from viewer.core.views import VIEWS

    assert "props" not in bwin.plotter.actors
    assert not bwin.bodies.act_table.isEnabled()
    # from the default back view (another preset the user chose is kept: see the switch test)
    bwin.view.set_view("back")
    switch(backview_app, bwin, "lying")
    props = bwin.plotter.actors["props"]
    assert not props.GetPickable()  # a click on the table selects nothing
    colour = tuple(props.prop.color.int_rgb)
    assert max(colour) - min(colour) < 16  # a neutral grey, unlike any zone colour
    assert bwin.bodies.act_table.isEnabled() == ("table" in VIEWS)
    if "table" in VIEWS:
        assert bwin.view.view_name == "table"
    assert "Torso on a table" in bwin.windowTitle()
    switch(backview_app, bwin, "torso")
    assert "props" not in bwin.plotter.actors
    assert not bwin.bodies.act_table.isEnabled()


def facing_cell(win, cells):
    """Of ``cells``, one facing the camera from behind, near the middle of them."""
    surface = win.view.scene.surface
    normals = surface.cell_normals[cells]
    facing = cells[normals[:, 2] < -0.9]
    centres = surface.cell_centers().points[facing]
    middle = np.median(centres, axis=0)
    return facing[np.argmin(np.linalg.norm(centres - middle, axis=1))]


def test_skin_tone_changes_the_skin_pixels_but_not_a_zones(bwin, backview_app, grab, to_widget):
    from viewer.core.palette import DEFAULT_SKIN_TONE

    bwin.bodies.set_skin_tone(DEFAULT_SKIN_TONE)
    bwin.view.set_view("back")
    rgb, zones = skin_and_zone_cells(bwin)
    dark = list(SKIN_TONES)[-1]
    skin_cell = facing_cell(bwin, np.flatnonzero(zones == NO_ZONE))
    zoned = np.flatnonzero(zones != NO_ZONE)
    centres = bwin.view.scene.surface.cell_centers().points
    ratio = bwin.plotter.devicePixelRatioF()

    def pixel(image, cell):
        pos = to_widget(bwin, centres[cell])
        return image[round(pos.y() * ratio), round(pos.x() * ratio)]

    before = grab(bwin)
    before_rgb = rgb.copy()
    bwin.bodies.set_skin_tone(dark)
    backview_app.processEvents()
    after = grab(bwin)
    rgb, _ = skin_and_zone_cells(bwin)
    same = zoned[(rgb[zoned] == before_rgb[zoned]).all(axis=1)]  # zones the tone leaves alone
    zone_cell = facing_cell(bwin, same)
    assert np.abs(pixel(after, skin_cell) - pixel(before, skin_cell)).max() > 40
    assert np.abs(pixel(after, zone_cell) - pixel(before, zone_cell)).max() <= 3
    bwin.bodies.set_skin_tone(DEFAULT_SKIN_TONE)
