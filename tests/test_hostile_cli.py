"""Hostile but realistic input on the command line and in session files (issue 11): every mistake
is one line on stderr naming the option or the file and field, status 2, quickly — never a
traceback, a usage block, a hang or a picture with an empty box in it."""

from __future__ import annotations

import json

import pytest

from conftest import SHIPPED_MAP, assert_one_line_error

GOOD_CAMERA = {"position": [0, 0.63, -2.25], "focal_point": [0, 0.42, 0], "view_up": [0, 1, 0],
               "parallel_scale": 0.37}


def session_file(tmp_path, name="s.json", **fields):
    path = tmp_path / name
    path.write_text(json.dumps({"format": "backview-session", **fields}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory, run_cli_many):
    """Every command of this module, run once and at the same time (start-up is most of it)."""
    tmp = tmp_path_factory.mktemp("hostile")
    user_map = tmp / "my-map.toml"
    user_map.write_text(SHIPPED_MAP.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "back-massage-guide.txt").write_text(
        (SHIPPED_MAP.parent / "back-massage-guide.txt").read_text(encoding="utf-8"),
        encoding="utf-8")
    huge = session_file(tmp, "huge.json", camera={**GOOD_CAMERA, "position": [0, 0.63, -1e308]})
    wide = session_file(tmp, "wide.json", camera={**GOOD_CAMERA, "parallel_scale": 1e5})
    away = session_file(tmp, "away.json", camera={**GOOD_CAMERA, "focal_point": [0, 0.42, 1e8]})
    far_pin = session_file(tmp, "far-pin.json", pins=[{"point": [1e308, 0, 0], "note": "x"}])
    off_pin = session_file(tmp, "off-pin.json", pins=[{"point": [0.3, 0, 0], "note": "x"}])
    emoji = session_file(tmp, "emoji.json", title="Week 3 \N{PARTY POPPER}")
    out = str(tmp / "x.png")
    commands = {
        "huge-camera": ["export", "--out", out, "--session", huge],
        "wide-camera": ["export", "--out", out, "--session", wide],
        "far-camera": ["export", "--out", out, "--session", away],
        "far-pin": ["export", "--out", out, "--session", far_pin],
        "off-pin": ["export", "--out", out, "--session", off_pin],
        "huge-pin": ["export", "--out", out, "--pin", "1e308,0,0:x"],
        "session-emoji": ["export", "--out", out, "--session", emoji],
        "long-title": ["export", "--out", out, "--title", "word " * 2000],
        "long-word-title": ["export", "--out", out, "--title", "x" * 3000],
        "emoji-title": ["export", "--out", out, "--title", "Relax \N{THUMBS UP SIGN}"],
        "emoji-pin": ["export", "--out", out, "--pin", "spinous_T7:Start \N{WHITE HEAVY CHECK MARK}"],
        "control-title": ["export", "--out", out, "--title", "a\x1bb"],
        "negative-size": ["export", "--out", out, "--size", "-100x200"],
        "negative-lesson-size": ["lesson", "--export", str(tmp / "steps"), "--size", "-5x5"],
        "missing-value": ["export", "--out", out, "--size"],
        "unknown-option": ["export", "--out", out, "--sise", "640x480"],
        "unknown-command-option": ["zones", "--bogus"],
        "zone": ["export", "--out", out, "--zone", "nope"],
        "zone-user-map": ["export", "--out", out, "--zone", "nope", "--map", user_map],
    }
    found = run_cli_many(commands)
    found["tmp"] = tmp
    return found


def test_a_camera_with_huge_numbers_is_refused_when_the_session_is_read(results):
    assert_one_line_error(results["huge-camera"], "huge.json:camera.position:", "within")


@pytest.mark.parametrize("key,field", [("wide-camera", "camera.parallel_scale"),
                                       ("far-camera", "camera.focal_point")])
def test_a_camera_that_cannot_show_the_body_names_the_session_file(results, key, field):
    line = assert_one_line_error(results[key], f".json:{field}:", "body's size")
    assert "Traceback" not in line


@pytest.mark.parametrize("key,where,words", [
    ("far-pin", "far-pin.json:pins.0.point: ", "within"),
    ("off-pin", "off-pin.json:pins.0.point: ", "cm away from the skin"),
    ("huge-pin", "pin: ", "within"),
])
def test_a_pin_far_from_the_body_names_where_it_came_from(results, key, where, words):
    assert_one_line_error(results[key], where, words)


@pytest.mark.parametrize("key", ["long-title", "long-word-title"])
def test_a_long_title_is_refused_quickly(results, key):
    assert_one_line_error(results[key], "title: has", "at most 90")


@pytest.mark.parametrize("key,field,char", [
    ("emoji-title", "title", "U+1F44D"),
    ("emoji-pin", "pin 1", "U+2705"),
    ("session-emoji", "emoji.json:title", "U+1F389"),
    ("control-title", "title", "U+001B"),
])
def test_a_character_the_picture_cannot_show_is_named(results, key, field, char):
    assert_one_line_error(results[key], f"{field}: ", char)


@pytest.mark.parametrize("key,words", [
    ("negative-size", "size: '-100x200' is not a size"),
    ("negative-lesson-size", "size: '-5x5' is not a size"),
    ("missing-value", "argument --size: expected one argument"),
    ("unknown-option", "unrecognized arguments: --sise"),
    ("unknown-command-option", "unrecognized arguments: --bogus"),
])
def test_option_mistakes_are_one_line_not_a_usage_block(results, key, words):
    line = assert_one_line_error(results[key], words)
    assert "usage" not in line


def test_an_unknown_zone_lists_the_zones_and_not_the_shipped_path(results):
    line = assert_one_line_error(results["zone"], "zone: unknown zone 'nope'", "spine, neck",
                                 "backview zones")
    assert "back-massage.toml" not in line and "site-packages" not in line


def test_an_unknown_zone_names_the_users_map(results):
    user_map = results["tmp"] / "my-map.toml"
    assert_one_line_error(results["zone-user-map"], f"{user_map}:zone: unknown zone 'nope'")


def test_nothing_was_written(results):
    assert sorted(p.name for p in results["tmp"].iterdir() if p.suffix == ".png") == []
    assert not (results["tmp"] / "steps").exists()


# --------------------------------------------------------------------------- in-process
def test_a_nul_in_a_title_is_refused(tmp_path, capsys):
    from viewer.cli import main

    assert main(["export", "--out", str(tmp_path / "x.png"), "--title", "a\x00b"]) == 2
    err = capsys.readouterr().err
    assert err == "backview: error: title: contains the control character U+0000: leave it out\n"


@pytest.mark.parametrize("fields,where", [
    ({"title": "a\x00b"}, "title"),
    ({"selected_zone": "spine\x00"}, "selected_zone"),
    ({"pins": [{"landmark": "spinous_T7", "note": "here\x00"}]}, "pins.0.note"),
    ({"pins": [{"landmark": "spinous\x00T7", "note": "here"}]}, "pins.0.landmark"),
])
def test_a_nul_in_a_session_is_refused_naming_the_field(tmp_path, fields, where):
    from viewer.core.session import SessionError, load_session

    path = session_file(tmp_path, **fields)
    with pytest.raises(SessionError) as err:
        load_session(path)
    assert err.value.line() == f"{path}:{where}: contains the control character U+0000: leave it out"


def test_a_dash_value_is_joined_to_its_option_and_an_option_is_not():
    from viewer.cli import build_parser, dash_values

    parser = build_parser()
    assert dash_values(parser, ["export", "--size", "-1x2", "--title", "-draft", "-o", "-x.png"]) \
        == ["export", "--size=-1x2", "--title=-draft", "-o=-x.png"]
    # a forgotten value stays a mistake argparse reports; after "--" nothing changes
    assert dash_values(parser, ["export", "--title", "--out", "a.png", "--", "--size", "-1"]) \
        == ["export", "--title", "--out", "a.png", "--", "--size", "-1"]


def test_characters_the_font_has_pass_and_one_it_lacks_is_named():
    from viewer.core.errors import BackViewError
    from viewer.render.picture.canvas import check_glyphs

    check_glyphs("Café – “gentle” ≤ 5 °C • ½ ✓ ←→", "title")
    with pytest.raises(BackViewError) as err:
        check_glyphs("Relax \N{THUMBS UP SIGN} now", "title", "s.json")
    assert err.value.line() == ("s.json:title: '\N{THUMBS UP SIGN}' (U+1F44D) is not in the "
                                "picture's font (DejaVu Sans): leave it out or say it in words")


def test_the_export_options_refuse_a_camera_that_cannot_show_the_body(body):
    from viewer.core.camera import Camera, CameraError, check_fits

    bounds = body.mesh.bounds
    check_fits(Camera(**GOOD_CAMERA), bounds)
    with pytest.raises(CameraError, match="camera.position: is .* times the body's size away"):
        check_fits(Camera(**{**GOOD_CAMERA, "position": [0, 0.63, -500]}), bounds)
    with pytest.raises(CameraError, match="camera.parallel_scale: shows"):
        check_fits(Camera(**{**GOOD_CAMERA, "parallel_scale": 1e-5}), bounds)


class CountingFont:
    """A font that counts the characters it is asked to measure."""

    def __init__(self, font):
        self.font, self.measured = font, 0

    def getlength(self, text):
        self.measured += len(text)
        return self.font.getlength(text)


@pytest.mark.parametrize("text", ["x" * 3000, "word " * 2000, "x" * 500 + " y" * 500])
def test_wrapping_costs_the_texts_length_not_its_square(text):
    from viewer.render.picture.canvas import ellipsize, font, wrap

    fnt = CountingFont(font(40, bold=True))
    lines = wrap(text, fnt, 900)
    assert all(fnt.font.getlength(line) <= 900 for line in lines)
    assert "".join(lines).replace("-", "").replace(" ", "") == text.replace(" ", "")
    short = ellipsize(text, fnt, 900)
    assert short.endswith("…") and fnt.font.getlength(short) <= 900
    # every character is measured a few times, not once per character before it
    assert fnt.measured < 30 * len(text)


@pytest.mark.parametrize("value,shown", [("a\rb", "a\\rb"), ("x\ny", "x\\ny"), ("\u2028", "\\u2028"),
                                         ("\x00", "\\x00")])
def test_a_users_value_quoted_in_an_error_keeps_it_one_line(value, shown):
    from viewer.core.errors import BackViewError
    from viewer.core.options import check_view

    with pytest.raises(BackViewError) as err:
        check_view(value)
    assert err.value.line().startswith(f"view: unknown view '{shown}' (choose from back")
    assert len(err.value.line().splitlines()) == 1


def test_a_long_title_reads_the_same_from_the_command_line_and_a_session(tmp_path, capsys):
    from viewer.cli import main

    title = "t" * 91
    session = session_file(tmp_path, title=title)
    assert main(["export", "--out", str(tmp_path / "x.png"), "--title", title]) == 2
    assert main(["export", "--out", str(tmp_path / "x.png"), "--session", str(session)]) == 2
    cli, saved = capsys.readouterr().err.splitlines()
    assert cli == "backview: error: title: has 91 characters: at most 90"
    assert saved == f"backview: error: {session}:title: has 91 characters: at most 90"
