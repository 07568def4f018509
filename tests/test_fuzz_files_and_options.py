"""Property-based tests (hypothesis) of the lesson and session readers and the command line's
options: a valid document stays valid and equal through a round trip; a mutated document or a
hostile option is either valid or refused with one BackViewError line — never another exception.

Bounded and derandomized, so a run is repeatable and short. The deadline is a guard against a
hang (a reader that loops on some input), far above what any example needs; it is not a speed
test.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from viewer.core.errors import BackViewError

from fuzzing import assert_one_line, fuzz, places



#: text a user may type: anything but control characters and lone surrogates
TEXT = st.characters(blacklist_categories=("Cc", "Cs"))
#: values a hostile or careless edit puts in a field
HOSTILE = st.one_of(
    st.booleans(),
    st.integers(min_value=-2**62, max_value=2**62),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 0, -1, "", " ", "\x00", "a\nb", "\u2028", "\N{THUMBS UP SIGN}",
                     "x" * 5000, "spinous_T13", "back", "pressure"]),
    st.text(max_size=20),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=4),
    st.lists(st.floats(allow_nan=True), min_size=3, max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)


def valid_or_one_line(call):
    """``call()``'s result, or None when it raised a BackViewError of one line per problem."""
    try:
        return call()
    except BackViewError as exc:
        assert_one_line(exc)
        return None


# --------------------------------------------------------------------------- mutations
@st.composite
def mutated(draw, doc: dict, allow_none: bool):
    """``doc`` with one to three edits: a value replaced, a key or item removed, a key added."""
    doc = copy.deepcopy(doc)
    values = HOSTILE if not allow_none else st.one_of(st.none(), HOSTILE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in places(doc) if p]))
        *parent_path, last = path
        parent = doc
        for key in parent_path:
            parent = parent[key]
        kind = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if kind == "replace":
            parent[last] = draw(values)
        elif kind == "remove":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "Title", "id ", "\x00"]))] = draw(values)
        else:
            parent.append(draw(values))
    return doc


# --------------------------------------------------------------------------- the lesson reader
@pytest.fixture(scope="module")
def shipped_lesson():
    from viewer.core.lesson import load_lesson

    return load_lesson()


@pytest.fixture(scope="module")
def lesson_doc(repo):
    import tomllib

    return tomllib.loads((repo / "region_maps" / "lesson.toml").read_text(encoding="utf-8"))


def _load_lesson_doc(doc: dict, rmap):
    import tomli_w

    from viewer.core.lesson import load_lesson

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lesson.toml"
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        return load_lesson(path, rmap=rmap)


def _lesson_as_doc(lesson) -> dict:
    return lesson.data.model_dump(mode="json", exclude_none=True)


@st.composite
def valid_lessons(draw, doc: dict, rmap):
    from viewer.core.palette import COLOUR_MODES
    from viewer.core.views import VIEWS

    doc = copy.deepcopy(doc)
    words = st.text(TEXT, min_size=1, max_size=60)
    zones, rules = list(rmap.by_id), [r.id for r in rmap.rules]
    arrows = [a["id"] for a in doc["arrows"]]
    steps = draw(st.lists(st.sampled_from(doc["steps"]), min_size=1, max_size=4,
                          unique_by=lambda s: s["id"]))
    for step in steps:
        step.update(title=draw(words), caption=draw(words), view=draw(st.sampled_from(VIEWS)),
                    colour_by=draw(st.sampled_from(COLOUR_MODES)),
                    highlight=draw(st.lists(st.sampled_from(zones), max_size=3, unique=True)),
                    rules=draw(st.lists(st.sampled_from(rules), max_size=3, unique=True)),
                    arrows=draw(st.lists(st.sampled_from(arrows), max_size=3, unique=True)))
    doc["steps"] = steps
    doc["lesson"]["title"] = draw(words)
    return doc


@given(data=st.data())
@fuzz(40)
def test_a_valid_lesson_stays_the_same_through_a_round_trip(data, lesson_doc, shipped_lesson):
    rmap = shipped_lesson.rmap
    doc = data.draw(valid_lessons(lesson_doc, rmap))
    first = _load_lesson_doc(doc, rmap)
    again = _load_lesson_doc(_lesson_as_doc(first), rmap)
    assert again.data == first.data
    assert [s.id for s in again.steps] == [s["id"] for s in doc["steps"]]


@given(data=st.data())
@fuzz(400)
def test_a_mutated_lesson_is_valid_or_one_line_per_problem(data, lesson_doc, shipped_lesson):
    doc = data.draw(mutated(lesson_doc, allow_none=False))
    lesson = valid_or_one_line(lambda: _load_lesson_doc(doc, shipped_lesson.rmap))
    if lesson is not None:  # what loads is a lesson the rest of BackView can use
        assert lesson.steps and all(lesson.arrows_of(s) is not None for s in lesson.steps)


# --------------------------------------------------------------------------- the session reader
@st.composite
def cameras(draw):
    from viewer.core.camera import Camera

    coord = st.floats(min_value=-100, max_value=100, allow_nan=False)
    vec = st.tuples(coord, coord, coord)
    raw = {"position": draw(vec), "focal_point": draw(vec), "view_up": draw(vec),
           "parallel_scale": draw(st.floats(min_value=1e-3, max_value=100))}
    try:
        Camera.model_validate(raw)
    except ValueError:
        assume(False)
    return raw


@st.composite
def valid_sessions(draw):
    from viewer.core.options import LABEL_CHOICES
    from viewer.core.palette import COLOUR_MODES, PALETTES
    from viewer.core.session import MAX_NOTE, MAX_PINS, MAX_TITLE
    from viewer.core.views import VIEWS

    note = st.text(TEXT, min_size=1, max_size=MAX_NOTE).filter(str.split)
    name = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}", fullmatch=True)
    point = st.tuples(*[st.floats(min_value=-10, max_value=10, allow_nan=False)] * 3)
    pin = st.one_of(st.fixed_dictionaries({"landmark": name, "note": note}),
                    st.fixed_dictionaries({"point": point, "note": note}))
    optional = {"title": st.text(TEXT, max_size=MAX_TITLE), "camera": cameras(),
                "selected_zone": name}
    doc = draw(st.fixed_dictionaries(
        {"format": st.just("backview-session"), "view": st.sampled_from(VIEWS),
         "colour_mode": st.sampled_from(COLOUR_MODES), "palette": st.sampled_from(list(PALETTES)),
         "labels": st.sampled_from(LABEL_CHOICES),
         "pins": st.lists(pin, max_size=MAX_PINS)},
        optional=optional))
    return doc


@given(doc=valid_sessions())
@fuzz(120)
def test_a_valid_session_stays_the_same_through_a_round_trip(doc):
    from viewer.core.session import load_session, parse_session, save_session

    first = parse_session(json.loads(json.dumps(doc)))
    with tempfile.TemporaryDirectory() as folder:
        again = load_session(save_session(first, Path(folder) / "s.json"))
    assert again == first


@pytest.fixture(scope="module")
def session_doc():
    return {"format": "backview-session", "version": 1, "title": "Week 3: the shoulders",
            "view": "back", "colour_mode": "stroke:petrissage", "palette": "default",
            "selected_zone": "upper-trapezius-left", "labels": "all",
            "camera": {"position": [0, 0.63, -2.25], "focal_point": [0, 0.42, 0],
                       "view_up": [0, 1, 0], "parallel_scale": 0.37},
            "pins": [{"landmark": "spinous_T7", "note": "Start here"},
                     {"point": [0.08, 0.5, -0.06], "note": "Knot felt here"}]}


@given(data=st.data())
@fuzz(600)
def test_a_mutated_session_is_valid_or_one_line(data, session_doc):
    from viewer.core.session import Session, parse_session

    doc = data.draw(mutated(session_doc, allow_none=True))
    session = valid_or_one_line(lambda: parse_session(doc, "s.json"))
    assert session is None or isinstance(session, Session)


@given(data=st.data())
@fuzz(100)
def test_a_damaged_session_file_is_valid_or_one_line(data, session_doc):
    from viewer.core.session import load_session

    text = json.dumps(session_doc, indent=2).encode("utf-8")
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.binary(max_size=8))
    damaged = text[:cut] + junk + text[cut + data.draw(st.integers(0, 8)):]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.json"
        path.write_bytes(damaged)
        valid_or_one_line(lambda: load_session(path))


# --------------------------------------------------------------------------- command-line options
@pytest.fixture(scope="module")
def parser():
    from viewer.cli import build_parser

    return build_parser()


@pytest.fixture(scope="module")
def option_strings(parser):
    from viewer.cli import _actions

    return {s for a in _actions(parser) for s in a.option_strings}


def _parse(parser, option_strings, option: str, value: str):
    """``backview export --out x.png OPTION VALUE`` through the real parser: the namespace."""
    from viewer.cli import dash_values

    assume(value not in option_strings and value != "--" and
           value.split("=", 1)[0] not in option_strings)
    argv = dash_values(parser, ["export", "--out", "x.png", option, value])
    return parser.parse_args(argv)


SIZES = st.one_of(st.text(max_size=14),
                  st.builds("{}{}{}".format, st.integers(-10**7, 10**7),
                            st.sampled_from(["x", "×", "*", " x ", "X", ""]),
                            st.integers(-10**7, 10**7)),
                  st.sampled_from(["a4", "A4-Landscape", "4k", "hd", "-100x200", "1e3x1e3"]))


@given(value=SIZES)
@fuzz(200)
def test_a_size_option_is_a_valid_size_or_one_line(value, parser, option_strings):
    from viewer.core.options import MAX_SIDE, MIN_HEIGHT, MIN_WIDTH, parse_size

    args = _parse(parser, option_strings, "--size", value)
    assert args.size == value
    size = valid_or_one_line(lambda: parse_size(args.size))
    if size is not None:
        w, h, _ = size
        assert MIN_WIDTH <= w <= MAX_SIDE and MIN_HEIGHT <= h <= MAX_SIDE


PINS = st.one_of(
    st.text(max_size=30),
    st.builds("{}:{}".format, st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True),
              st.text(max_size=100)),
    st.builds("{},{},{}:{}".format, *[st.floats(allow_nan=True, allow_infinity=True)] * 3,
              st.text(max_size=20)),
)


@given(value=PINS)
@fuzz(200)
def test_a_pin_option_is_a_pin_or_one_line(value, parser, option_strings):
    from viewer.core.session import MAX_NOTE
    from viewer.render.picture import parse_pin

    args = _parse(parser, option_strings, "--pin", value)
    assert args.pin == [value]
    pin = valid_or_one_line(lambda: parse_pin(value))
    if pin is not None:
        assert 0 < len(pin.note) <= MAX_NOTE and (pin.landmark is None) != (pin.point is None)


@given(value=st.one_of(st.text(max_size=120), st.text(TEXT, max_size=100),
                       st.text(max_size=4).map(lambda s: s * 40)))
@fuzz(200)
def test_a_title_option_is_a_title_the_picture_can_draw_or_one_line(value, parser, option_strings):
    from viewer.core.options import check_text
    from viewer.core.session import MAX_TITLE
    from viewer.render.picture import check_glyphs

    args = _parse(parser, option_strings, "--title", value)
    assert args.title == value

    def check():
        title = check_text(args.title, MAX_TITLE, "title")
        check_glyphs(title, "title")
        return title

    title = valid_or_one_line(check)
    if title is not None:
        assert len(title) <= MAX_TITLE and title == " ".join(title.split())


@pytest.mark.parametrize("option,attr,check", [
    ("--view", "view", "check_view"), ("--palette", "palette", "check_palette"),
    ("--colour-by", "colour_by", "check_colour_mode"), ("--labels", "labels", "check_labels"),
])
def test_a_named_choice_is_one_of_the_choices_or_one_line(option, attr, check, parser,
                                                           option_strings):
    from viewer.core import options
    from viewer.core.palette import COLOUR_MODES, PALETTES
    from viewer.core.views import VIEWS

    choices = {"view": VIEWS, "palette": list(PALETTES), "colour_by": COLOUR_MODES,
               "labels": options.EXPORT_LABELS}[attr]

    @given(value=st.one_of(st.text(max_size=20), st.sampled_from(list(choices)),
                           st.sampled_from(list(choices)).map(str.upper)))
    @fuzz(100)
    def run(value):
        args = _parse(parser, option_strings, option, value)
        assert getattr(args, attr) == value
        got = valid_or_one_line(lambda: getattr(options, check)(value))
        assert got is None or got in choices

    run()
