"""Wrong landmarks that used to pass (issue 11): each is refused with one line naming the user's
landmarks file and the landmark, never a cascade of lines blaming the shipped region map.

Every case is the shipped landmarks with one realistic mistake; the shipped mesh is the body.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from viewer.core import anatomy
from viewer.core.body import Body
from viewer.core.errors import LandmarkError
from viewer.core.landmark_checks import SKIN_TOLERANCE_CM, body_left


def _swap_sides(doc):
    lm = doc["landmarks"]
    for base in anatomy.BILATERAL:
        lm[f"{base}_left"], lm[f"{base}_right"] = lm[f"{base}_right"], lm[f"{base}_left"]


def _in_mm(doc):
    doc["landmarks"] = {k: [c * 1000 for c in v] for k, v in doc["landmarks"].items()}


def _units_mm_on_metres(doc):
    doc["units"] = "mm"


def _upside_down_spine(doc):
    """The spinous processes numbered from the bottom: C7 at the sacrum, S2 at the neck."""
    lm = doc["landmarks"]
    names = [anatomy.spinous(v) for v in anatomy.VERTEBRAL_LEVELS]
    for name, xyz in zip(names, [lm[n] for n in reversed(names)]):
        lm[name] = xyz


def _t7_t8_swapped(doc):
    lm = doc["landmarks"]
    lm["spinous_T7"], lm["spinous_T8"] = lm["spinous_T8"], lm["spinous_T7"]


def _off_the_skin(doc):
    doc["landmarks"]["inferior_angle_left"][2] -= 0.10  # 10 cm behind the back


def _set(name: str, index: int, value):
    def change(doc):
        doc["landmarks"][name][index] = value

    return change


def _add_t13(doc):
    doc["landmarks"]["spinous_T13"] = [0.0, 0.33, -0.02]


def _drop(name: str):
    def change(doc):
        del doc["landmarks"][name]

    return change


def _coincide(doc):
    doc["landmarks"]["spinous_S2"] = list(doc["landmarks"]["spinous_C7"])


def _lopsided(doc):
    doc["landmarks"]["psis_left"][0] += 0.08  # 8 cm further out than its pair


def _both_on_the_left(doc):
    doc["landmarks"]["acromion_right"] = list(doc["landmarks"]["acromion_left"])


@dataclass(frozen=True)
class Case:
    id: str
    change: Callable[[dict], None]
    field: str
    pieces: tuple[str, ...]
    cli: bool = False


CASES = [
    Case("left-right-swapped", _swap_sides, "landmarks:acromion_left",
         ("lies on the body's right", "left and right are swapped"), cli=True),
    Case("mm-on-a-metre-mesh", _in_mm, "units",
         ("look like millimetres on a mesh in metres",), cli=True),
    Case("units-say-mm-of-a-metre-mesh", _units_mm_on_metres, "units",
         ("spine from spinous_C7 to spinous_S2", "are they 'm'?")),
    Case("upside-down-spine", _upside_down_spine, "landmarks:spinous_C7",
         ("the spine runs upside down",), cli=True),
    Case("spine-out-of-order", _t7_t8_swapped, "landmarks:spinous_T8",
         ("is not below spinous_T7",)),
    Case("off-the-skin", _off_the_skin, "landmarks:inferior_angle_left",
         ("cm from the skin", f"at most {SKIN_TOLERANCE_CM:g} cm"), cli=True),
    Case("string-coordinate", _set("spinous_T7", 1, "0.45"), "landmarks:spinous_T7[1]",
         ("a valid number", "(got '0.45')")),
    Case("boolean-coordinate", _set("spinous_T7", 0, True), "landmarks:spinous_T7[0]",
         ("a valid number", "(got True)")),
    Case("1e308", _set("spinous_T7", 1, 1e308), "landmarks:spinous_T7[1]",
         ("1e+308 is out of range",), cli=True),
    Case("unknown-name", _add_t13, "landmarks:spinous_T13",
         ("unknown landmark", "spinous_C7 ... spinous_S2", "acromion")),
    Case("missing-required", _drop("spinous_T7"), "landmarks:spinous_T7",
         ("missing", "required"), cli=True),
    Case("degenerate", _coincide, "landmarks:spinous_S2", ("coincides with spinous_C7",)),
    Case("not-symmetric", _lopsided, "landmarks:psis_left",
         ("is not the mirror image of psis_right",)),
    Case("a-right-point-on-the-left", _both_on_the_left, "landmarks:acromion_right",
         ("lies on the body's left",)),
]


def _nan(doc):
    doc["landmarks"]["spinous_T7"][1] = float("nan")


def write_case(folder: Path, doc: dict, change) -> Path:
    doc = copy.deepcopy(doc)
    change(doc)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "points.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # NaN is written as the token NaN
    return path


@pytest.fixture(scope="module")
def case_files(tmp_path_factory, shipped_landmarks_doc) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bad-landmarks")
    files = {c.id: write_case(root / c.id, shipped_landmarks_doc, c.change) for c in CASES}
    files["nan"] = write_case(root / "nan", shipped_landmarks_doc, _nan)
    return files


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_wrong_landmarks_are_refused_in_one_line(case, case_files):
    path = case_files[case.id]
    with pytest.raises(LandmarkError) as info:
        Body.load(None, path)
    err = info.value
    assert (err.path, err.field) == (str(path), case.field), err.line()
    assert err.line().startswith(f"{path}:{case.field}: ")
    for piece in case.pieces:
        assert piece in err.message, err.line()
    assert "\n" not in err.line()


def test_nan_is_refused(case_files):
    with pytest.raises(LandmarkError) as info:
        Body.load(None, case_files["nan"])
    assert info.value.line() == f"{case_files['nan']}:landmarks:spinous_T7[1]: nan is out of range (-100000–100000 units)"


CLI_CASES = [c for c in CASES if c.cli]


@pytest.fixture(scope="module")
def cli_results(case_files, run_cli_many) -> dict:
    return run_cli_many({c.id: ["validate", "--landmarks", case_files[c.id]] for c in CLI_CASES})


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_validate_blames_the_landmarks_file_not_the_map(case, case_files, cli_results):
    result = cli_results[case.id]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines == [lines[0]] and lines[0].startswith(
        f"backview: error: {case_files[case.id]}:{case.field}: "), result.stderr
    assert "back-massage.toml" not in result.stderr and "matches no face" not in result.stderr


# --------------------------------------------------------------------------- what still passes
def test_the_shipped_landmarks_pass_every_check(body):
    assert body.landmarks_path is not None and len(body.landmarks) == 39


def test_the_body_left_comes_from_the_mesh_not_the_pairs(body):
    """The check's left agrees with the frame's on the shipped body (+X, README "Coordinates"),
    yet is worked out without the acromions: swapping them does not turn it."""
    up = body.frame.up
    left = body_left(body.mesh, body.landmarks, up)
    assert left @ np.array([1.0, 0.0, 0.0]) > 0.99
    swapped = dict(body.landmarks)
    swapped["acromion_left"], swapped["acromion_right"] = (body.landmarks["acromion_right"],
                                                           body.landmarks["acromion_left"])
    np.testing.assert_allclose(body_left(body.mesh, swapped, up), left)


def test_a_rotated_body_in_mm_still_loads(user_body_mm):
    """The checks follow the body's own frame and units: turned, moved and in mm, it passes."""
    user = Body.load(user_body_mm)
    assert user.unit == 0.001 and len(user.landmarks) == 39


def test_deeply_nested_landmarks_json_is_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"landmarks": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(LandmarkError) as info:
        Body.load(None, path)
    assert info.value.line() == f"{path}: is nested too deeply to be a landmarks file"
