"""More bodies and skin tones (issue 15): the catalogue, ``backview bodies``, ``--body``,
``--skin-tone`` and sessions that remember both.

Until the built bodies land in meshes/bodies/, a temporary index points at a scaled copy of the
shipped torso (``catalogue_index``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import assert_one_line_error
from viewer.core import bodies
from viewer.core.errors import BackViewError


@pytest.fixture(scope="module")
def catalogue_index(tmp_path_factory):
    """A bodies.json with a standing body (the torso scaled by 1.1) and a prone one (the torso
    turned face down, on a box standing in for the table)."""
    import trimesh
    from viewer.core.body import Body, save_landmarks
    from viewer.core.paths import default_mesh

    folder = tmp_path_factory.mktemp("bodies")
    torso = Body.load(default_mesh())
    mesh = torso.mesh.copy()
    mesh.apply_scale(1.1)
    mesh.export(folder / "tall-torso.ply")
    save_landmarks(folder / "tall-torso.landmarks.json",
                   {k: v * 1.1 for k, v in torso.landmarks.items()}, mesh_name="tall-torso.ply")
    index = {"bodies": [{"id": "tall-torso", "name": "Tall torso", "pose": "standing",
                         "description": "The torso, 10% larger.", "mesh": "tall-torso.ply",
                         "landmarks": "tall-torso.landmarks.json", "props": None,
                         "parameters": {"scale": 1.1}}]}
    turn = np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]])  # back -> +Y (up), head -> +Z
    matrix = np.eye(4)
    matrix[:3, :3] = turn
    prone = torso.mesh.copy()
    prone.apply_transform(matrix)
    prone.export(folder / "prone-torso.ply")
    save_landmarks(folder / "prone-torso.landmarks.json",
                   {k: turn @ v for k, v in torso.landmarks.items()}, mesh_name="prone-torso.ply")
    lo, hi = prone.bounds
    table = trimesh.creation.box(extents=(hi[0] - lo[0] + 0.2, 0.05, hi[2] - lo[2] + 0.2))
    table.apply_translation(((lo[0] + hi[0]) / 2, lo[1] - 0.03, (lo[2] + hi[2]) / 2))
    table.export(folder / "prone-torso.props.ply")
    index["bodies"].append({"id": "prone-torso", "name": "Torso on the table", "pose": "prone",
                            "description": "The torso lying face down.",
                            "mesh": "prone-torso.ply", "landmarks": "prone-torso.landmarks.json",
                            "props": "prone-torso.props.ply", "parameters": {}})
    path = folder / "bodies.json"
    path.write_text(json.dumps(index), encoding="utf-8")
    return path


@pytest.fixture
def use_index(catalogue_index, monkeypatch):
    """The catalogue (and so --body) reads the temporary index instead of the shipped one."""
    monkeypatch.setattr(bodies, "index_path", lambda folder=None: catalogue_index)
    return catalogue_index


def test_the_torso_comes_first_and_the_index_follows(use_index):
    entries = bodies.catalogue()
    assert [e.id for e in entries] == ["torso", "tall-torso", "prone-torso"]
    torso, tall, prone = entries
    assert prone.pose == "prone" and prone.props_path.name == "prone-torso.props.ply"
    assert torso.mesh_path.name == "torso.ply" and torso.props_path is None
    assert tall.pose == "standing" and tall.mesh_path == use_index.parent / "tall-torso.ply"
    assert bodies.body_entry("tall-torso") == tall


def test_load_body_reads_the_entry_s_mesh_and_landmarks(use_index):
    torso, tall = bodies.load_body("torso"), bodies.load_body("tall-torso")
    np.testing.assert_allclose(tall.landmarks["spinous_C7"], torso.landmarks["spinous_C7"] * 1.1,
                               atol=1e-4)
    assert tall.mesh.bounds[1, 2] == pytest.approx(torso.mesh.bounds[1, 2] * 1.1, rel=1e-6)


def test_an_unknown_body_is_one_line_listing_the_ids(use_index):
    with pytest.raises(BackViewError) as exc:
        bodies.body_entry("giant")
    assert exc.value.line() == ("body: unknown body 'giant' (choose from torso, tall-torso, "
                                "prone-torso)")


@pytest.mark.parametrize("change, field", [
    (lambda d: d["bodies"][0].update(pose="sitting"), "bodies[0]:pose"),
    (lambda d: d["bodies"][0].pop("mesh"), "bodies[0]:mesh"),
    (lambda d: d["bodies"][0].update(mesh="../../etc/passwd"), "bodies[0]:mesh"),
    (lambda d: d["bodies"][0].update(id="Torso 2"), "bodies[0]:id"),
    (lambda d: d["bodies"][0].update(id="torso"), "bodies[0]:id"),
    (lambda d: d["bodies"][0].update(colour="red"), "bodies[0]:colour"),
])
def test_a_malformed_index_is_one_line_naming_the_file_and_field(catalogue_index, tmp_path,
                                                                   change, field):
    doc = json.loads(catalogue_index.read_text())
    change(doc)
    bad = tmp_path / "bodies.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(BackViewError) as exc:
        bodies.catalogue(bad)
    line = exc.value.line()
    assert line.startswith(f"{bad}:{field}"), line
    assert "\n" not in line


def test_no_index_means_the_torso_alone(tmp_path):
    assert [e.id for e in bodies.catalogue(tmp_path / "bodies.json")] == ["torso"]


def test_bodies_json_lists_bodies_and_skin_tones(cli):
    result = cli("bodies", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"bodies", "skin_tones"}
    assert data["bodies"][0] == {
        "id": "torso", "name": "Torso (the shipped mannequin)", "pose": "standing",
        "description": bodies.torso_entry().description}
    for b in data["bodies"]:
        assert set(b) == {"id", "name", "pose", "description"} and b["pose"] in ("standing",
                                                                                  "prone")
    ids = [t["id"] for t in data["skin_tones"]]
    assert ids[0] == "default" and {"mst-1", "mst-5", "mst-10"} <= set(ids)
    assert all(set(t) == {"id", "name"} for t in data["skin_tones"])
    text = cli("bodies")
    assert "torso" in text.stdout and "Monk Skin Tone" in text.stdout


@pytest.mark.parametrize("args, words", [
    (("zones", "--body", "giant"), ("body:", "unknown body 'giant'", "torso")),
    (("zones", "--body", "torso", "--mesh", "meshes/torso.ply"), ("--body", "--mesh")),
    (("--body", "torso", "export", "-o", "never.png", "--landmarks", "x.json"), ("--body",)),
    (("export", "-o", "never.png", "--skin-tone", "beige"), ("skin-tone:", "mst-10")),
    (("lesson", "--skin-tone", "mst-5"), ("--skin-tone", "--export")),
])
def test_body_and_skin_tone_mistakes_are_one_line(cli, args, words):
    assert_one_line_error(cli(*args), *words)


def test_zones_on_a_body_of_the_catalogue_match_zones_on_its_files(use_index, capsys):
    from viewer.cli import main

    assert main(["zones", "--body", "tall-torso", "--json"]) == 0
    by_body = json.loads(capsys.readouterr().out)
    tall = bodies.body_entry("tall-torso")
    assert main(["zones", "--mesh", str(tall.mesh_path), "--json"]) == 0
    by_mesh = json.loads(capsys.readouterr().out)
    assert by_body == by_mesh
    assert main(["zones", "--body", "torso", "--json"]) == 0
    torso = json.loads(capsys.readouterr().out)
    assert by_body != torso  # a 10% larger body: other areas in cm²


# ---------------------------------------------------------------------- skin tones in pictures
@pytest.fixture(scope="module")
def toned(body):
    """The plain picture (no labels) on the default skin and on the darkest tone."""
    from viewer.core.regionmap import load_region_map
    from viewer.render.picture import ExportOptions, annotated_image
    from viewer.render.scene import BodyScene

    scene = BodyScene(body, load_region_map())
    return scene, {tone: annotated_image(scene, ExportOptions(size=(960, 540), labels="none",
                                                                skin_tone=tone))
                   for tone in ("default", "mst-10")}


def _pixel(result, point):
    from projection import image_point

    x, y = image_point(result.render_camera, result.image.size, point)
    return np.asarray(result.image.convert("RGB").getpixel((round(x), round(y))), int)


def test_the_skin_tone_colours_the_skin_and_leaves_the_zones_alone(body, toned):
    from viewer.core.palette import relative_luminance

    scene, pics = toned
    # the back of the head lies outside every zone: the skin itself
    head = body.landmarks["external_occipital_protuberance"] + body.frame.up * 0.05 / body.unit
    light, dark = _pixel(pics["default"], head), _pixel(pics["mst-10"], head)
    assert light.sum() > 3 * dark.sum(), (light, dark)    # MST 10 is a very dark brown
    assert dark[0] >= dark[2]                               # brown, not grey-blue
    # a zone's own colour does not change with the skin
    zone = scene.rmap.by_id["middle-trapezius-left"]
    at = scene.label_anchor(zone.index)
    assert np.abs(_pixel(pics["default"], at) - _pixel(pics["mst-10"], at)).max() <= 6
    assert relative_luminance("#292420") < 0.03  # what the tone is, for the reader


# ---------------------------------------------------------------------- sessions
def test_a_session_remembers_the_body_and_the_skin_tone(tmp_path):
    from viewer.core.session import Session, load_session, save_session

    path = save_session(Session(body="prone-table", skin_tone="mst-7"), tmp_path / "s.json")
    back = load_session(path)
    assert (back.body, back.skin_tone) == ("prone-table", "mst-7")
    # a session of an older BackView (neither field) still loads, on the torso and the default
    doc = json.loads(path.read_text())
    del doc["body"], doc["skin_tone"]
    path.write_text(json.dumps(doc))
    old = load_session(path)
    assert (old.body, old.skin_tone) == (None, "default")


def test_a_session_s_unknown_skin_tone_names_the_file_and_field(tmp_path, cli):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"format": "backview-session", "version": 1,
                                "skin_tone": "beige"}))
    assert_one_line_error(cli("export", "--session", path, "-o", tmp_path / "x.png"),
                          str(path), "skin_tone", "beige")
    assert not (tmp_path / "x.png").exists()


def test_export_session_uses_its_body_and_skin_tone(tmp_path, cli):
    from PIL import Image

    from viewer.core.session import Session, save_session

    good = save_session(Session(body="torso", skin_tone="mst-7"), tmp_path / "s.json")
    out = tmp_path / "s.png"
    result = cli("export", "--session", good, "-o", out, "--size", "640x480")
    assert result.returncode == 0, result.stderr
    assert Image.open(out).text["backview:skin-tone"] == "mst-7"
    # the command line wins over the session
    cli("export", "--session", good, "-o", out, "--size", "640x480", "--skin-tone", "mst-1")
    assert Image.open(out).text["backview:skin-tone"] == "mst-1"
    bad = save_session(Session(body="giant"), tmp_path / "bad.json")
    assert_one_line_error(cli("export", "--session", bad, "-o", tmp_path / "b.png"),
                          f"{bad}:body", "unknown body 'giant'", "torso")


# ---------------------------------------------------------------------- a lesson step on a body
def _lesson_on(folder, body_id):
    """The shipped lesson, its first (preparation) step on ``body_id``, next to the shipped map."""
    from viewer.core.lesson import default_lesson_path

    shipped = default_lesson_path()
    text = shipped.read_text(encoding="utf-8")
    text = text.replace('map = "back-massage.toml"',
                        f'map = {json.dumps(str(shipped.parent / "back-massage.toml"))}', 1)
    # the shipped lesson's preparation step names the prone body: name this one instead
    text = text.replace('body = "prone-table"\n', f'body = "{body_id}"\n', 1)
    assert f'body = "{body_id}"' in text
    path = folder / "lesson.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_lesson_step_naming_a_prone_body_shows_it_on_the_table(use_index, body, tmp_path):
    from viewer.core.lesson import load_lesson, step_bodies
    from viewer.core.regionmap import load_region_map
    from viewer.render.picture import annotated_image
    from viewer.render.picture.lesson import (
        PROPS_COLOUR,
        _body_steps,
        _step_scenes,
        step_options,
    )
    from viewer.render.scene import BodyScene

    lesson = load_lesson(_lesson_on(tmp_path, "prone-torso"))
    assert list(step_bodies(lesson)) == [lesson.steps[0].id]
    scene = BodyScene(body, load_region_map())
    scenes = _step_scenes(lesson, scene)
    assert scenes[0] is not scene and all(s is scene for s in scenes[1:])
    assert scenes[0].body.frame.back[1] > 0.99  # the prone body, face down
    opts = [step_options(lesson, lesson.steps[0], 1, scenes[0], size=(960, 540))]
    _body_steps(lesson, opts)
    assert opts[0].view == "table" and opts[0].metadata["backview:body"] == "prone-torso"
    assert [c for _, c in opts[0].extra_meshes] == [PROPS_COLOUR]
    result = annotated_image(scenes[0], opts[0])
    assert result.metadata["backview:view"] == "table"
    # the table shows, in its neutral colour (lit: within a few shades)
    arr = np.asarray(result.image.convert("RGB")).astype(int)
    from viewer.core.palette import hex_to_rgb
    grey = np.array(hex_to_rgb(PROPS_COLOUR))
    shade = arr / np.maximum(arr.sum(axis=2, keepdims=True), 1) - grey / grey.sum()
    near = (np.abs(shade).max(axis=2) < 0.01) & (arr.sum(axis=2) < grey.sum() * 0.97)
    assert near.sum() > 2000


def test_a_lesson_step_naming_an_unknown_body_is_one_line(use_index, tmp_path):
    from viewer.core.lesson import load_lesson, step_bodies

    lesson = load_lesson(_lesson_on(tmp_path, "giant"))
    with pytest.raises(BackViewError) as exc:
        step_bodies(lesson)
    assert exc.value.line().startswith(f"{lesson.path}:steps:{lesson.steps[0].id}:body: "
                                       "unknown body 'giant'")
