"""``backview export`` on the command line: a picture without a display, or one line and status 2."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from conftest import CLI_TIMEOUT, REPO, assert_one_line_error, checkout_env, run_cli


def test_export_writes_the_picture(tmp_path):
    out = tmp_path / "back.png"
    session = tmp_path / "s.json"
    session.write_text(json.dumps({
        "format": "backview-session", "title": "From the session", "view": "oblique-left",
        "colour_mode": "stroke:effleurage", "selected_zone": "spine",
        "pins": [{"landmark": "spinous_T7", "note": "Start here"}]}), encoding="utf-8")
    result = run_cli("export", "--out", out, "--size", "960x540", "--session", session,
                     "--colour-by", "stroke:friction", "--pin", "spinous_L3:Thumbs beside it",
                     "--pin", "inferior_angle_left:Edge of the blade", "--view", "back")
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    img = Image.open(out)
    assert img.size == (960, 540) and img.mode == "RGB"
    meta = img.text
    # the command line wins over the session; the rest comes from the session
    assert meta["backview:colour-mode"] == "stroke:friction"
    assert meta["backview:view"] == "back"
    assert meta["backview:zone"] == "spine"
    assert meta["Title"] == "From the session"
    assert [p["landmark"] for p in json.loads(meta["backview:pins"])] == ["spinous_L3", "inferior_angle_left"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_export_transparent_a4(tmp_path):
    out = tmp_path / "page.png"
    result = run_cli("export", "-o", out, "--size", "a4", "--transparent", "--labels", "none")
    assert result.returncode == 0, result.stderr
    img = Image.open(out)
    assert img.size == (2480, 3508) and img.mode == "RGBA"
    assert img.getpixel((0, 0))[3] == 0
    assert round(img.info["dpi"][0]) == 300


@pytest.mark.parametrize("args,words", [
    (["--size", "0x10"], "size"),
    (["--size", "abc"], "'abc' is not a size"),
    (["--size", "9000x9000"], "at most 8192"),
    (["--zone", "shoulders"], "unknown zone 'shoulders'"),
    (["--view", "sideways"], "unknown view 'sideways'"),
    (["--colour-by", "stroke:tapping"], "unknown colour mode 'stroke:tapping'"),
    (["--palette", "neon"], "unknown palette 'neon'"),
    (["--pin", "spinous_T99:here"], "unknown landmark 'spinous_T99'"),
    (["--pin", "no note"], "is not a pin"),
])
def test_mistakes_exit_2_with_one_line_and_no_file(tmp_path, args, words):
    out = tmp_path / "x.png"
    result = run_cli("export", "--out", out, *args)
    assert_one_line_error(result, words)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_places(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    for out, words in [(not_a_folder / "x.png", "is not a folder"),
                       (tmp_path / "missing" / "x.png", "does not exist"),
                       (tmp_path, "is a folder"),
                       (tmp_path / "x.jpg", "name the file .png")]:
        result = run_cli("export", "--out", out)
        assert_one_line_error(result, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_an_existing_file_is_untouched_on_error(tmp_path):
    out = tmp_path / "keep.png"
    out.write_bytes(b"the old picture")
    for args in (["--zone", "nope"], ["--size", "12"], ["--session", str(tmp_path / "none.json")]):
        result = run_cli("export", "--out", out, *args)
        assert_one_line_error(result)
        assert out.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_a_bad_session_names_the_file_and_field(tmp_path):
    session = tmp_path / "s.json"
    session.write_text(json.dumps({"format": "backview-session", "pins": [{"landmark": "x"}]}),
                       encoding="utf-8")
    result = run_cli("export", "--out", tmp_path / "x.png", "--session", session)
    assert_one_line_error(result, f"{session}:pins.0.note: ")
    session.write_text(json.dumps({"format": "backview-session", "selected_zone": "shoulders"}),
                       encoding="utf-8")
    result = run_cli("export", "--out", tmp_path / "x.png", "--session", session)
    assert_one_line_error(result, f"{session}:selected_zone: unknown zone 'shoulders'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_help_lists_the_options():
    result = run_cli("export", "--help")
    assert result.returncode == 0
    for option in ("--out", "--size", "--colour-by", "--zone", "--labels", "--view", "--session",
                   "--title", "--transparent", "--pin", "--palette"):
        assert option in result.stdout


def test_works_without_a_display_and_says_nothing_on_stderr(tmp_path):
    import subprocess
    import sys

    env = checkout_env()
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    out = tmp_path / "headless.png"
    result = subprocess.run([sys.executable, "-m", "viewer", "export", "--out", str(out), "--size",
                             "640x480", "--labels", "none"], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=CLI_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    picture = Image.open(out)
    assert picture.size == (640, 480)
    # the body is drawn, not an empty page: much of the picture is not the paper of its corner
    arr = np.asarray(picture.convert("RGB")).astype(int)
    assert (np.abs(arr - arr[0, 0]).sum(axis=2) > 60).mean() > 0.1


def test_a_bad_option_reads_the_same_from_the_command_line_and_a_session(tmp_path, run_cli_many):
    """One check per option: the user sees the same words whether the value came from
    ``--view`` or from the session file's ``view`` (only the place it names differs)."""
    bad = {"view": ("--view", "view", "sideways"),
           "palette": ("--palette", "palette", "neon"),
           "colour mode": ("--colour-by", "colour_mode", "stroke:tapping"),
           "labels": ("--labels", "labels", "some")}
    commands = {}
    for what, (option, field, value) in bad.items():
        session = tmp_path / f"{field}.json"
        session.write_text(json.dumps({"format": "backview-session", field: value}),
                           encoding="utf-8")
        commands[(what, "cli")] = ["export", "--out", tmp_path / "x.png", option, value]
        commands[(what, "session")] = ["export", "--out", tmp_path / "x.png", "--session", session]
    results = run_cli_many(commands)
    for what, (option, field, value) in bad.items():
        cli = assert_one_line_error(results[(what, "cli")], f"unknown {what} '{value}' (choose from ")
        session = assert_one_line_error(results[(what, "session")], f"{field}.json:{field}: ")
        assert cli.rsplit(": ", 1)[1] == session.rsplit(": ", 1)[1], (cli, session)
    assert not (tmp_path / "x.png").exists()
