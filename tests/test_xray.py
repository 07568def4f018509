"""Under the skin (x-ray) in pictures, on the command line, in sessions and in the lesson.

Pictures are checked where a learner looks: the bones change the picture over the spine and
nowhere they are not, the kidneys show at their centre, and an opaque skin hides them all.
Points are projected by VTK's own transform (``tests/projection.py``), never by the export's.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_error, run_cli
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.lesson import load_lesson
from viewer.core.palette import hex_to_rgb, layer_colour
from viewer.core.session import Session, load_session, parse_session, save_session
from viewer.core.structures import Anatomy, fit_structures
from viewer.render.picture import ExportOptions, annotated_image, export_image

from projection import image_point, image_points

SMALL = (960, 540)
XRAY = 0.3


@pytest.fixture(scope="module")
def scene(body):
    from viewer.core.regionmap import load_region_map
    from viewer.render.scene import BodyScene

    return BodyScene(body, load_region_map())


@pytest.fixture(scope="module")
def anatomy(body):
    return fit_structures(body)


def _picture(scene, **options):
    return annotated_image(scene, ExportOptions(size=SMALL, labels="none", **options))


def _pixels(result) -> np.ndarray:
    return np.asarray(result.image.convert("RGB"), np.int16)


def _footprint(result, structures, grow: int = 4) -> np.ndarray:
    """Where ``structures`` project into the picture: every triangle filled (a coarse bone's
    triangles span many pixels between their corners), grown by ``grow`` pixels."""
    from PIL import Image, ImageDraw

    W, H = result.image.size
    canvas = Image.new("1", (W, H), 0)
    draw = ImageDraw.Draw(canvas)
    for s in structures:
        xy = image_points(result.render_camera, (W, H), s.vertices)
        for tri in np.asarray(s.faces):
            draw.polygon([tuple(p) for p in xy[tri]], fill=1, outline=1)
    mask = np.array(canvas, bool)
    grown = mask.copy()
    for dy in range(-grow, grow + 1):
        for dx in range(-grow, grow + 1):
            grown |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return grown


@pytest.fixture(scope="module")
def skin_only(scene):
    """The translucent skin with nothing under it: what the bones are compared against."""
    return _picture(scene, layers=("skin",), skin_opacity=XRAY)


def test_bones_change_the_picture_over_the_spine_and_nowhere_else(scene, body, anatomy,
                                                                  skin_only):
    bones = _picture(scene, layers=("skin", "bones"), skin_opacity=XRAY)
    assert bones.render_camera == skin_only.render_camera   # the same framing: pixels comparable
    assert bones.layers_shown == ("bones",)
    changed = np.abs(_pixels(bones) - _pixels(skin_only)).sum(axis=2) > 12
    # the legend gains a "Bones" row: compare the figure only
    x0, y0, x1, y1 = (round(v) for v in bones.body_box)
    figure = np.zeros_like(changed)
    figure[y0:y1, x0:x1] = True
    for key, box, *_ in bones.legend_swatches:
        figure[box[1]:box[3] + 1, box[0]:box[2] + 1] = False
    footprint = _footprint(bones, anatomy.of_layer("bones"))
    assert (changed & figure).sum() > 500          # the bones do show
    stray = changed & figure & ~footprint
    assert stray.sum() == 0, f"{stray.sum()} pixels changed away from every bone"
    # over every spinous process (the landmark on the skin, the vertebra under it) the picture
    # shows the bone
    spinous = [n for n in body.landmarks if n.startswith("spinous_")]
    shown = 0
    for name in spinous:
        x, y = (round(v) for v in image_point(bones.render_camera, SMALL, body.landmarks[name]))
        shown += bool(changed[y - 2:y + 3, x - 2:x + 3].any())
    assert shown >= 0.9 * len(spinous), f"bone seen under {shown} of {len(spinous)} spinous landmarks"


def test_an_opaque_skin_hides_the_bones_the_picture_is_the_plain_one(scene):
    plain = _picture(scene)
    covered = _picture(scene, layers=("skin", "bones", "kidneys"), skin_opacity=1.0)
    assert covered.layers_shown == ()
    assert [s[0] for s in covered.legend_swatches] == [s[0] for s in plain.legend_swatches]
    assert np.array_equal(_pixels(covered), _pixels(plain))
    # and the translucent skin does differ from it (the comparison above can fail)
    assert not np.array_equal(_pixels(_picture(scene, skin_opacity=XRAY)), _pixels(plain))


def test_kidneys_show_at_their_centre_in_kidney_red(scene, anatomy, skin_only):
    result = _picture(scene, layers=("skin", "kidneys"), skin_opacity=XRAY)
    assert result.layers_shown == ("kidneys",)
    assert "kidneys" in [s[0] for s in result.legend_swatches]
    kidneys = anatomy.of_layer("kidneys")
    assert {k.side for k in kidneys} == {"left", "right"}
    pixels, before = _pixels(result), _pixels(skin_only)
    red = np.array(hex_to_rgb(layer_colour("kidneys")))
    for kidney in kidneys:
        x, y = (round(v) for v in image_point(result.render_camera, SMALL,
                                              kidney.vertices.mean(axis=0)))
        here, was = pixels[y, x], before[y, x]
        # nearer the kidneys' colour than the skin alone was, and redder
        assert np.abs(here - red).sum() < np.abs(was - red).sum(), (kidney.id, here, was)
        assert here[0] - here[2] > was[0] - was[2], (kidney.id, here, was)


def test_a_structure_left_out_is_a_warning_and_the_picture_is_made(scene, anatomy, tmp_path):
    kept = [s for s in anatomy.structures if s.id != "kidney-left"]
    partial = Anatomy(kept, missing=["kidney-left: the body has no landmark rib12_tip_left"])
    out = tmp_path / "x.png"
    result = export_image(scene, ExportOptions(size=SMALL, layers=("skin", "kidneys"),
                                               skin_opacity=XRAY, anatomy=partial), out)
    assert result.warnings == partial.missing
    assert out.exists() and result.layers_shown == ("kidneys",)


def test_the_picture_records_its_layers(scene, tmp_path):
    out = tmp_path / "x.png"
    export_image(scene, ExportOptions(size=SMALL, layers=("skin", "bones", "kidneys"),
                                      skin_opacity=XRAY), out)
    meta = Image.open(out).text
    assert meta["backview:layers"] == "skin,bones,kidneys"
    assert meta["backview:skin-opacity"] == "0.3"


# --------------------------------------------------------------------------- command line
def test_export_cli_xray(tmp_path):
    out = tmp_path / "x.png"
    result = run_cli("export", "--out", out, "--size", "960x540", "--layers",
                     "skin,bones,kidneys", "--skin-opacity", "0.3", "--view", "oblique-left")
    assert result.returncode == 0, result.stderr
    assert "bones and kidneys under the skin at 0.3 opacity" in result.stdout
    assert Image.open(out).text["backview:layers"] == "skin,bones,kidneys"


@pytest.mark.parametrize("args,words", [
    (["--layers", "skin,bone"], "layers: unknown layer 'bone' (choose from skin, bones, kidneys)"),
    (["--layers", ""], "unknown layer ''"),
    (["--skin-opacity", "30"], "'30' looks like a percentage: give the skin's opacity as a "
                               "fraction from 0 to 1 (e.g. 0.3 for 30 %)"),
    (["--skin-opacity", "30%"], "looks like a percentage"),
    (["--skin-opacity", "1.5"], "'1.5' is out of range"),
    (["--skin-opacity", "-0.2"], "'-0.2' is out of range"),
    (["--skin-opacity", "nan"], "out of range"),
    (["--skin-opacity", "half"], "'half' is not a number"),
])
def test_layer_mistakes_exit_2_with_one_line_and_no_file(tmp_path, args, words):
    result = run_cli("export", "--out", tmp_path / "x.png", *args)
    assert_one_line_error(result, words)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- sessions
def test_session_round_trip_keeps_layers_and_opacity(tmp_path):
    session = Session(layers=["kidneys", "skin"], skin_opacity=0.25)
    assert session.layers == ["skin", "kidneys"]          # one order, whatever was typed
    path = save_session(session, tmp_path / "s.json")
    again = load_session(path)
    assert again == session
    opts = ExportOptions.from_session(again)
    assert opts.layers == ("skin", "kidneys") and opts.skin_opacity == 0.25
    assert opts.to_session() == session
    # an old session without the fields: the opaque skin
    old = parse_session({"format": "backview-session", "view": "back"})
    assert old.layers == ["skin"] and old.skin_opacity == 1.0


@pytest.mark.parametrize("raw,field,words", [
    ({"layers": ["ribs"]}, "layers.0", "unknown layer 'ribs'"),
    ({"layers": []}, "layers", "at least 1"),
    ({"skin_opacity": 35}, "skin_opacity", "looks like a percentage"),
    ({"skin_opacity": "0.3"}, "skin_opacity", "a number from 0"),
    ({"skin_opacity": -1}, "skin_opacity", "out of range"),
])
def test_bad_session_layers_name_the_field(raw, field, words):
    with pytest.raises(BackViewError) as err:
        parse_session({"format": "backview-session", **raw}, "s.json")
    assert f"s.json:{field}:" in str(err.value) and words in str(err.value), str(err.value)


def test_export_from_a_session_with_layers(tmp_path):
    session = tmp_path / "s.json"
    session.write_text(json.dumps({"format": "backview-session", "layers": ["skin", "bones"],
                                   "skin_opacity": 0.4}), encoding="utf-8")
    out = tmp_path / "x.png"
    result = run_cli("export", "--out", out, "--size", "960x540", "--session", session,
                     "--skin-opacity", "0.2")
    assert result.returncode == 0, result.stderr
    meta = Image.open(out).text
    assert meta["backview:layers"] == "skin,bones" and meta["backview:skin-opacity"] == "0.2"


# --------------------------------------------------------------------------- lesson
def test_the_shipped_lesson_shows_what_lies_under_the_skin_where_it_teaches():
    steps = {s.id: s for s in load_lesson().steps}
    assert steps["friction"].layers == ["skin", "bones"] and steps["friction"].skin_opacity < 1
    assert "kidneys" in steps["pressure"].layers and steps["pressure"].skin_opacity < 1
    assert steps["prepare"].layers == ["skin"] and steps["prepare"].skin_opacity == 1.0


def _bad_lesson(tmp_path, repo, old, new):
    text = (repo / "region_maps" / "lesson.toml").read_text(encoding="utf-8")
    assert old in text
    for name in ("back-massage.toml", "back-massage-guide.txt"):
        shutil.copyfile(repo / "region_maps" / name, tmp_path / name)
    bad = tmp_path / "lesson.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    return bad


@pytest.mark.parametrize("new, message", [
    ('layers = ["skin", "spine"]\nskin_opacity = 0.35', "unknown layer 'spine'"),
    ('layers = ["skin", "bones"]\nskin_opacity = 35', "looks like a percentage"),
    ('layers = ["skin", "bones"]\nskin_opacity = 1.0', "bones would be hidden under an opaque skin"),
    ('layers = []\nskin_opacity = 0.35', "at least 1"),
])
def test_lesson_layers_are_checked(tmp_path, repo, new, message):
    bad = _bad_lesson(tmp_path, repo, 'layers = ["skin", "bones"]\nskin_opacity = 0.35', new)
    with pytest.raises(RegionMapError) as err:
        load_lesson(bad)
    lines = err.value.lines()
    assert any(message in line and "lesson.toml:steps:friction" in line for line in lines), lines


def test_lesson_export_draws_the_steps_layers(scene, tmp_path):
    from viewer.render.picture import step_options

    lesson = load_lesson()
    number, step = next((k, s) for k, s in enumerate(lesson.steps, 1) if s.id == "pressure")
    opts = step_options(lesson, step, number, scene, size=SMALL)
    result = annotated_image(scene, opts)
    assert result.layers_shown == ("bones", "kidneys")
    assert result.metadata["backview:layers"] == "skin,bones,kidneys"
