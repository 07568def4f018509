"""Property-based tests of the region-map and landmarks readers (hypothesis).

* Generated valid documents stay valid through a round trip (tomli-w / json) and read back the
  values written.
* Generated mutations of the shipped documents (numbers out of range or not finite, wrong types,
  deleted keys, swapped sides, control characters) give a valid result or BackView's one-line
  errors naming the file, never another exception.

Runs are reproducible (``derandomize``) and bounded (``max_examples``); the deadline is generous,
there to turn a hang into a failure rather than to time anything.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.core import anatomy
from viewer.core.body import Body, load_landmarks
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.regionmap import load_region_map

from conftest import SHIPPED_GUIDE, SHIPPED_LANDMARKS, SHIPPED_MAP
from fuzzing import assert_one_line, at, fuzz, places

FUZZ = fuzz(60)

MAP_DOC = tomllib.loads(SHIPPED_MAP.read_text(encoding="utf-8"))
LANDMARKS_DOC = json.loads(SHIPPED_LANDMARKS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    shutil.copyfile(SHIPPED_GUIDE, path / SHIPPED_GUIDE.name)
    return path


def assert_one_line_errors(err: BackViewError, path: Path) -> None:
    assert_one_line(err, path)


#: the map's paths, the quoted sentences (most of the file) thinned out so that shapes,
#: anchors, ids and names get most of the mutations
MAP_PATHS = [p for p in places(MAP_DOC) if p and not (
    set(p) & {"citations", "cautions", "notes", "text", "technique"} and p[-1] not in (0, "text"))]
LANDMARK_PATHS = [p for p in places(LANDMARKS_DOC) if p]

#: values a hostile or careless user might type in place of anything
WILD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**30, max_value=10**30),
    st.booleans(),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=10).map(lambda t: t + "\x00\n"),
    st.lists(st.integers(), max_size=3),
    st.just({}),
)


@st.composite
def mutation(draw, doc: dict, paths: list, toml: bool):
    """A copy of ``doc`` with one value replaced, one key deleted, or two values swapped."""
    doc = copy.deepcopy(doc)
    path = draw(st.sampled_from(paths))
    parent, key = at(doc, path[:-1]), path[-1]
    kind = draw(st.sampled_from(["replace", "delete", "swap", "scale"]))
    if kind == "delete":
        del parent[key]
    elif kind == "swap":
        other = draw(st.sampled_from(paths))
        try:
            a, b = at(doc, path), at(doc, other)
            at(doc, other[:-1])[other[-1]] = a
            parent[key] = b
        except (KeyError, IndexError, TypeError):
            pass  # one path contained the other: no swap
    elif kind == "scale" and isinstance(parent[key], (int, float)) and not isinstance(parent[key], bool):
        parent[key] = parent[key] * draw(st.sampled_from([-1, 10, 100, 1000, 0.001]))
    else:
        value = draw(WILD)
        if toml and isinstance(value, dict):
            value = {"x": 1}
        parent[key] = value
    return doc


# --------------------------------------------------------------------------- region maps
ZONE_INDEX = st.integers(0, len(MAP_DOC["zones"]) - 1)
LINE_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)


@st.composite
def valid_map(draw):
    """The shipped map with plausible changes: anchor offsets, widths, extensions, limits,
    names, all within their documented ranges."""
    doc = copy.deepcopy(MAP_DOC)
    zone = doc["zones"][draw(ZONE_INDEX)]
    zone["name"] = draw(LINE_TEXT.filter(lambda t: t.strip()))
    shape = zone["shapes"][0]
    for anchors in (shape.get("polygon"), shape.get("band")):
        for anchor in anchors or []:
            anchor["lateral_cm"] = draw(st.floats(-20, 20))
            anchor["up_cm"] = draw(st.floats(-20, 20))
    if "width_cm" in shape:
        shape["width_cm"] = draw(st.floats(0.5, 15))
    shape["extend_cm"] = [draw(st.floats(-10, 10)), draw(st.floats(-10, 10))]
    shape["facing_deg"] = draw(st.floats(1, 180))
    shape["front_limit_cm"] = draw(st.floats(-10, 15))
    if "lateral_cm" in shape:
        lo = draw(st.floats(0, 29))
        shape["lateral_cm"] = [lo, draw(st.floats(lo, 30).filter(lambda hi: hi > lo))]
    return doc


def write_map(folder: Path, doc: dict) -> Path:
    path = folder / "map.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


@FUZZ
@given(doc=valid_map())
def test_valid_maps_survive_a_round_trip(folder, doc):
    rmap = load_region_map(write_map(folder, doc))
    written = rmap.data.model_dump(mode="json", exclude_unset=True, by_alias=True)
    again = tomllib.loads(tomli_w.dumps(written))
    assert again == doc  # every value read back as written, nothing added or lost


@settings(FUZZ, max_examples=120)
@given(doc=mutation(MAP_DOC, MAP_PATHS, toml=True))
def test_mutated_maps_load_or_fail_in_one_line_each(folder, doc):
    path = write_map(folder, doc)
    try:
        load_region_map(path)
    except BackViewError as err:
        assert_one_line_errors(err, path)


@FUZZ
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.integers(-10**25, 10**25)),
       zone=ZONE_INDEX, field=st.sampled_from(["lateral_cm", "up_cm"]))
def test_anchor_numbers_are_in_range_or_named(folder, value, zone, field):
    doc = copy.deepcopy(MAP_DOC)
    spec = doc["zones"][zone]
    anchors = spec["shapes"][0].get("polygon") or spec["shapes"][0].get("band")
    if not anchors:
        return
    anchors[0][field] = value
    path = write_map(folder, doc)
    plausible = isinstance(value, int) or math.isfinite(value)
    plausible = plausible and -20 <= value <= 20
    try:
        load_region_map(path)
        assert plausible, value
    except RegionMapError as err:
        kind = "polygon" if spec["shapes"][0].get("polygon") else "band"
        assert not plausible
        assert err.lines() == [f"{path}:{spec['id']}:shapes[0]:{kind}[0]:{field}: "
                               f"{err.message}"]
        assert err.message.endswith("is out of range (-20–20 cm)")


# --------------------------------------------------------------------------- landmarks
def write_landmarks(folder: Path, doc) -> Path:
    path = folder / "points.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@st.composite
def moved_body(draw):
    """The shipped landmarks with every point nudged along the skin by under a millimetre:
    still a valid file, and still the same body."""
    doc = copy.deepcopy(LANDMARKS_DOC)
    for name, xyz in doc["landmarks"].items():
        doc["landmarks"][name] = [c + draw(st.floats(-5e-4, 5e-4)) for c in xyz]
    if draw(st.booleans()):
        del doc["landmarks"][anatomy.spinous("S1")]  # optional
    return doc


@settings(FUZZ, max_examples=25)
@given(doc=moved_body())
def test_valid_landmarks_survive_a_round_trip(folder, doc):
    path = write_landmarks(folder, doc)
    body = Body.load(None, path)
    assert {k: list(v) for k, v in body.landmarks.items()} == doc["landmarks"]
    assert load_landmarks(path).model_dump(exclude_unset=True) == {
        k: (v if k != "landmarks" else {n: tuple(p) for n, p in v.items()}) for k, v in doc.items()}


@settings(FUZZ, max_examples=80)
@given(doc=mutation(LANDMARKS_DOC, LANDMARK_PATHS, toml=False))
def test_mutated_landmarks_load_or_fail_in_one_line(folder, doc):
    path = write_landmarks(folder, doc)
    try:
        Body.load(None, path)
    except BackViewError as err:
        assert_one_line_errors(err, path)


@settings(FUZZ, max_examples=30)
@given(pair=st.sampled_from(sorted(anatomy.BILATERAL)))
def test_a_swapped_pair_is_named(folder, pair):
    doc = copy.deepcopy(LANDMARKS_DOC)
    lm = doc["landmarks"]
    lm[f"{pair}_left"], lm[f"{pair}_right"] = lm[f"{pair}_right"], lm[f"{pair}_left"]
    path = write_landmarks(folder, doc)
    with pytest.raises(BackViewError) as info:
        Body.load(None, path)
    assert info.value.line().startswith(f"{path}:landmarks:{pair}_left: lies on the body's right")
