"""Session files: what the learner was looking at, saved and loaded as validated JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import checkout_env  # at import time: tests/ui has a conftest of its own
from viewer.core.session import (
    VIEW_NAMES,
    Camera,
    Pin,
    Session,
    SessionError,
    load_session,
    save_session,
)


#: where each view looks from, in the body's own frame: +1 that side, -1 the other, 0 neither
VIEW_SIDES = {  # (left, up, back)
    "back": (0, 0, 1), "oblique-left": (1, 0, 1), "oblique-right": (-1, 0, 1),
    "left": (1, 0, 0), "right": (-1, 0, 0), "top": (0, 1, 1),
    "table": (1, 0, 1),  # beside the table (the body's left) and above the back
}


def test_every_view_a_session_accepts_shows_the_body_from_the_side_it_names(body):
    """A session's view is a camera of the renderer that looks from the side its name says."""
    from viewer.core.camera import preset_camera

    frame = body.frame
    assert set(VIEW_NAMES) == set(VIEW_SIDES)
    for name in VIEW_NAMES:
        assert Session(view=name).view == name
        pose = preset_camera(body, name, 16 / 9)
        towards = np.subtract(pose.position, pose.focal_point)
        towards /= np.linalg.norm(towards)
        seen = [float(towards @ axis) for axis in (frame.left, frame.up, frame.back)]
        for got, want in zip(seen, VIEW_SIDES[name]):
            assert (got > 0.2) if want > 0 else (got < -0.2) if want < 0 else abs(got) < 0.05, \
                (name, seen)


def test_round_trip(tmp_path):
    s = Session(title="Week 3: the shoulders", view="oblique-left", colour_mode="stroke:friction",
                palette="high-contrast", selected_zone="upper-trapezius-left", labels="none",
                camera=Camera(position=(0, 0.4, -2), focal_point=(0, 0.4, 0), view_up=(0, 1, 0),
                              parallel_scale=0.4),
                pins=[Pin(landmark="spinous_T7", note="Start here"),
                      Pin(point=(0.08, 0.5, -0.06), note="Knot felt here")])
    path = save_session(s, tmp_path / "s.json")
    assert load_session(path) == s
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["format"] == "backview-session" and raw["version"] == 1
    assert "point" not in raw["pins"][0]  # nothing empty is written


def test_defaults_from_an_almost_empty_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"format": "backview-session"}', encoding="utf-8")
    s = load_session(path)
    assert (s.view, s.colour_mode, s.selected_zone, s.pins, s.labels) == ("back", "pressure", None, [], "all")


@pytest.mark.parametrize("doc,field,words", [
    ({"view": "sideways"}, "view", "back"),
    ({"colour_mode": "stroke:tapping"}, "colour_mode", "unknown colour mode"),
    ({"palette": "neon"}, "palette", "unknown palette"),
    ({"pins": [{"note": "x"}]}, "pins.0", "either a 'landmark' or a 'point'"),
    ({"pins": [{"landmark": "spinous_T7", "point": [0, 0, 0], "note": "x"}]}, "pins.0", "not both"),
    ({"pins": [{"landmark": "spinous_T7", "note": "x" * 81}]}, "pins.0.note", "80"),
    ({"pins": [{"point": [0, "a", 0], "note": "x"}]}, "pins.0.point.1", ""),
    ({"pins": [{"landmark": "spinous_T7", "note": "  "}]}, "pins.0.note", "note"),
    ({"camera": {"position": [0, 0, 0], "focal_point": [0, 0, 0], "view_up": [0, 1, 0],
                 "parallel_scale": 1}}, "camera", "coincide"),
    ({"camera": {"position": [0, 0, -1], "focal_point": [0, 0, 0], "view_up": [0, 0, 1],
                 "parallel_scale": 1}}, "camera", "parallel"),
    ({"camera": {"position": [0, 0, -1], "focal_point": [0, 0, 0], "view_up": [0, 1, 0],
                 "parallel_scale": 0}}, "camera.parallel_scale", "greater than 0"),
    ({"zoom": 2}, "zoom", "unknown field"),
    ({"format": "something-else"}, "format", "not a BackView session"),
    ({"labels": "some"}, "labels", ""),
])
def test_a_bad_field_is_named_in_one_line(tmp_path, doc, field, words):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "backview-session", **doc}), encoding="utf-8")
    with pytest.raises(SessionError) as err:
        load_session(path)
    line = err.value.line()
    assert "\n" not in line
    assert line.startswith(f"{path}:{field}: "), line
    assert words in line


@pytest.mark.parametrize("text,words", [("{", "not valid JSON (line 1"), ("[1, 2]", "JSON object"),
                                        ("", "not valid JSON")])
def test_not_a_session(tmp_path, text, words):
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SessionError, match=words.replace("(", r"\(")):
        load_session(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SessionError, match="no such session file"):
        load_session(tmp_path / "nope.json")
    with pytest.raises(SessionError, match="is a folder"):
        load_session(tmp_path)


def test_check_against_the_map_and_body(body, tmp_path):
    from viewer.core.regionmap import load_region_map

    rmap = load_region_map()
    Session(selected_zone="spine", pins=[Pin(landmark="spinous_T7", note="x")]).check_against(
        rmap, body.landmarks)
    with pytest.raises(SessionError, match="unknown zone 'shoulders'") as err:
        Session(selected_zone="shoulders").check_against(rmap, path=tmp_path / "s.json")
    assert err.value.field == "selected_zone"
    with pytest.raises(SessionError, match="unknown landmark") as err:
        Session(pins=[Pin(landmark="spinous_T99", note="x")]).check_against(rmap, body.landmarks)
    assert err.value.field == "pins.0.landmark"


def test_save_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    import os

    path = tmp_path / "s.json"
    save_session(Session(title="old"), path)
    before = path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "disk full")))
    with pytest.raises(SessionError, match="disk full"):
        save_session(Session(title="new"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_the_core_session_model_is_qt_and_render_free():
    import subprocess
    import sys

    code = ("import sys; import viewer.core.session; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyvista', 'vtk', 'PIL')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], env=checkout_env(), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
