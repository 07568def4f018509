"""The quiz's core (viewer.core.quiz): questions generated from the map and the landmarks, their
answers against what the map says, the guide's sentences, bad quiz sets, the draw, grading on
another body, and a run's score."""

from __future__ import annotations

import json

import numpy as np
import pytest

import bodies
from conftest import REPO, SHIPPED_MAP
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.quiz import (
    KINDS,
    Feedback,
    QuizFile,
    QuizRun,
    answer_faces,
    generate_questions,
    grade_choice,
    grade_landmark,
    grade_where,
    load_quiz,
    write_json_schema,
)
from viewer.core.regionmap import Stroke, citation_problems

SHIPPED_QUIZ = REPO / "region_maps" / "quiz.toml"


def write_set(folder, name="set.toml", **fields) -> "Path":  # noqa: F821
    """A quiz set beside nothing: it names the shipped map by its absolute path."""
    import tomli_w

    quiz = {"id": "test-set", "title": "A test set", "version": "1.0.0", "map": str(SHIPPED_MAP)}
    quiz.update(fields)
    path = folder / name
    path.write_text(tomli_w.dumps({"quiz": quiz}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def quiz(rmap):
    return load_quiz(SHIPPED_QUIZ, rmap=rmap)


@pytest.fixture(scope="module")
def everything(quiz):
    """Every question the shipped set allows (no shuffle, no count)."""
    return generate_questions(quiz)


def of_kind(questions, kind):
    out = [q for q in questions if q.kind == kind]
    assert out, kind
    return out


# --------------------------------------------------------------------------- the shipped set
def test_the_shipped_set_loads_and_asks_every_kind(quiz, everything):
    assert quiz.info.count == 15 and quiz.info.kinds == list(KINDS)
    assert {q.kind for q in everything} == set(KINDS)
    assert len({q.id for q in everything}) == len(everything)       # ids are unique
    drawn = quiz.questions(seed=7)
    assert len(drawn) == 15 and len({q.id for q in drawn}) == 15


def test_committed_json_schema_is_current(tmp_path):
    """quiz.schema.json is QuizFile's schema, as tools/write_schema.py writes it."""
    committed = REPO / "region_maps" / "quiz.schema.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == QuizFile.model_json_schema()
    fresh = tmp_path / "schema.json"
    write_json_schema(fresh)
    assert fresh.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), \
        "run tools/write_schema.py"


# --------------------------------------------------------------------------- answers = the map
def test_every_what_answer_is_the_zones_own_value(rmap, everything):
    questions = of_kind(everything, "what")
    fields_seen = set()
    for q in questions:
        zone = rmap.zone(q.zone)
        fld = q.id.removeprefix("what-").split("-")[0]
        fields_seen.add(fld)
        own = zone.pressure.value if fld == "pressure" else zone.spec.strokes[Stroke(fld)].value
        assert q.answer == {"choice": own}, q.id
        assert own in [c.value for c in q.choices]
        assert grade_choice(q, own).right
        assert not any(grade_choice(q, c.value).right for c in q.choices if c.value != own)
    assert fields_seen == {"pressure"} | {s.value for s in Stroke}
    # every zone is asked about (a paired zone on one side at least)
    assert {rmap.zone(q.zone).spec.id for q in questions} == {z.spec.id for z in rmap.zones}


@pytest.fixture(scope="module")
def overlap_assignment(overlap_body, rmap):
    """The shipped map on a torso whose right shoulder blade's edge reaches into the upper
    trapezius (conftest's overlap_body): skin inside two zones, the cautious rule applying."""
    from viewer.core.body import Body
    from viewer.core.zones import assign_zones

    return assign_zones(Body.load(overlap_body), rmap, cache=False)


@pytest.fixture(params=["shipped", "overlap"])
def any_assignment(request, assignment, overlap_assignment):
    return assignment if request.param == "shipped" else overlap_assignment


def test_every_where_answer_is_the_map_on_every_face(rmap, any_assignment, everything):
    """grade_where is right on a face exactly where the rule that applies there (the most
    cautious of the zones covering it) meets the question; the answer's zones are those whose
    own rule meets it; answer_faces marks the same faces."""
    assignment = any_assignment
    questions = of_kind(everything, "where")
    n = len(assignment.face_zone)
    rules = [assignment.effective_rule(f) for f in range(n)]
    rng = np.random.default_rng(3)
    overlap = [f for f in range(n) if len(assignment.also_inside(f)) > 1][:200]
    for q in questions:
        fld, values = q.criterion
        expected = np.array([r is not None and r.fields()[fld] in values for r in rules])
        assert 0 < expected.sum() < n, q.id
        assert np.array_equal(answer_faces(q, assignment), expected), q.id
        assert q.answer["zones"] == [z.id for z in rmap.zones if z.rule.fields()[fld] in values]
        sample = set(rng.choice(n, 300, replace=False).tolist()) | set(overlap)
        sample |= set(np.flatnonzero(expected)[:50].tolist())
        for f in sorted(sample):
            assert grade_where(q, assignment, f).right == bool(expected[f]), (q.id, f)
        assert not grade_where(q, assignment, None).right


def test_where_grading_on_an_overlap_follows_the_cautious_rule(overlap_assignment, everything):
    """Skin inside two zones answers by the most cautious value of each field: a face of a
    zone whose own value is 'recommended' but that another zone makes stricter is wrong."""
    assignment = overlap_assignment
    stricter = [(f, assignment.zone_of_face(f), assignment.effective_rule(f))
                for f in range(len(assignment.face_zone))
                if assignment.zone_of_face(f) is not None
                and assignment.effective_rule(f) != assignment.zone_of_face(f).rule]
    assert stricter, "the test body brings two zones together"
    by_id = {q.id: q for q in everything}
    checked = 0
    for face, zone, rule in stricter:
        for fld, own in zone.rule.fields().items():
            q = by_id.get(f"where-{fld}-{own}")
            if q is None or rule.fields()[fld] == own:
                continue
            assert zone.id in q.answer["zones"]
            assert not grade_where(q, assignment, face).right
            checked += 1
    assert checked


def test_rules_questions_follow_the_sequence_and_the_conditions(rmap, everything):
    questions = {q.id: q for q in of_kind(everything, "rules")}
    sequence = next(r for r in rmap.rules if r.kind == "sequence")
    assert sequence.order, "the sequence rule names its order"
    for i, stroke in enumerate(sequence.order, start=1):
        q = questions[f"rules-{sequence.id}-{i}"]
        assert q.answer == {"choice": stroke.value}
    assert questions[f"rules-{sequence.id}-1"].prompt == "Which stroke begins the session?"
    assert [s.value for s in sequence.order] == ["effleurage", "petrissage", "friction"]
    conditions = rmap.data.conditions
    assert conditions
    for cond in conditions:
        q = questions[f"rules-condition-{cond.id}"]
        assert q.answer == {"choice": cond.effect}
        assert list(q.citations) == list(cond.citations)
        assert grade_choice(q, cond.effect).right
    assert len(questions) == len(sequence.order) + len(conditions)


def test_every_citation_is_verbatim_in_the_guide(rmap, everything):
    cited = [(q.id, c) for q in everything for c in q.citations]
    assert len(cited) > len(everything)
    assert citation_problems(rmap.guide_text, cited, SHIPPED_MAP) == []
    # the check catches a sentence the guide does not hold
    assert citation_problems(rmap.guide_text, [("x", "Press as hard as you like.")], SHIPPED_MAP)
    # every where / what / rules question quotes the guide
    assert all(q.citations for q in everything if q.kind != "landmark")


def test_a_bad_choice_is_one_line():
    q = next(q for q in generate_questions(load_quiz(SHIPPED_QUIZ)) if q.kind == "what")
    with pytest.raises(BackViewError, match="'hard' is not one of the choices"):
        grade_choice(q, "hard")


# --------------------------------------------------------------------------- bad sets
BAD_SETS = {
    "unknown-zone": ({"zones": ["paraspinal", "x"]}, "quiz:zones", "unknown zone 'x'"),
    "unknown-landmark": ({"landmarks": ["T7", "T13"]}, "quiz:landmarks",
                         "unknown landmark 'T13'"),
    "duplicate-kinds": ({"kinds": ["where", "what", "where"]}, "quiz:kinds", "each kind once"),
    "count-0": ({"count": 0}, "quiz:count", "1"),
    "count-500": ({"count": 500}, "quiz:count", "200"),
    "radius-50": ({"radius_cm": 50}, "quiz:radius_cm", "50"),
}


@pytest.mark.parametrize("case", sorted(BAD_SETS))
def test_a_bad_set_is_one_line_naming_file_and_field(tmp_path, case):
    fields, where, words = BAD_SETS[case]
    path = write_set(tmp_path, **fields)
    with pytest.raises(RegionMapError) as err:
        load_quiz(path)
    lines = err.value.lines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:{where}: "), lines[0]
    assert words in lines[0], lines[0]


def test_a_set_that_makes_no_questions(tmp_path, shipped_map_doc, write_region_map):
    doc = json.loads(json.dumps(shipped_map_doc))
    doc.pop("conditions", None)
    for rule in doc["rules"]:
        rule.pop("order", None)
    write_region_map(doc, tmp_path / "map.toml")
    path = write_set(tmp_path, map="map.toml", kinds=["rules"])
    with pytest.raises(RegionMapError) as err:
        load_quiz(path)
    (line,) = err.value.lines()
    assert line.startswith(f"{path}:quiz:kinds: makes no questions"), line


def test_malformed_and_missing_files_are_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[quiz]\nid = "x\n', encoding="utf-8")
    for path in (bad, tmp_path / "missing.toml"):
        with pytest.raises(BackViewError) as err:
            load_quiz(path)
        lines = err.value.lines() if isinstance(err.value, RegionMapError) else [err.value.line()]
        assert len(lines) == 1 and str(path) in lines[0], lines


# --------------------------------------------------------------------------- the draw
def test_the_same_seed_gives_the_same_questions_and_another_seed_others(tmp_path):
    quiz = load_quiz(write_set(tmp_path, count=12))
    a, b = quiz.questions(seed=11), quiz.questions(seed=11)
    assert [q.id for q in a] == [q.id for q in b]
    assert len(a) == 12
    c = quiz.questions(seed=12)
    assert [q.id for q in a] != [q.id for q in c]
    # the set's own seed is used when none is given; the argument wins over it
    seeded = load_quiz(write_set(tmp_path, "seeded.toml", count=12, seed=11))
    assert [q.id for q in seeded.questions()] == [q.id for q in a]
    assert [q.id for q in seeded.questions(seed=12)] == [q.id for q in c]


def test_count_and_as_written_keep_the_kinds_order(tmp_path):
    quiz = load_quiz(write_set(tmp_path, kinds=["rules", "where", "landmark"], count=9,
                               order="as-written", seed=4))
    drawn = quiz.questions()
    assert len(drawn) == 9
    kinds = [q.kind for q in drawn]
    rank = {"rules": 0, "where": 1, "landmark": 2}
    assert kinds == sorted(kinds, key=rank.get)
    # the order of generation within the set
    every = [q.id for q in generate_questions(quiz)]
    assert [every.index(q.id) for q in drawn] == sorted(every.index(q.id) for q in drawn)
    # no count: all of them
    every_where = load_quiz(write_set(tmp_path, "all.toml", kinds=["where"]))
    assert len(every_where.questions()) == len(generate_questions(every_where)) > 5


def test_zones_and_landmarks_of_a_set_limit_the_questions(tmp_path):
    quiz = load_quiz(write_set(tmp_path, kinds=["what", "landmark"], zones=["kidney"],
                               landmarks=["T7", "inferior_angle"]))
    qs = generate_questions(quiz)
    assert {q.zone for q in qs if q.kind == "what"} == {"kidney-left"}   # asked once per pair
    assert {q.answer["landmark"] for q in qs if q.kind == "landmark"} == \
        {"spinous_T7", "inferior_angle_left", "inferior_angle_right"}
    t7 = next(q for q in qs if q.answer.get("landmark") == "spinous_T7")
    assert t7.count_from[0] == "spinous_C7" and t7.count_from[-1] == "spinous_T7"
    assert len(t7.count_from) == 8                      # C7, T1 ... T7
    # a body without T7 gets no T7 drill
    names = [q.answer["landmark"] for q in quiz.questions(
        ["inferior_angle_left", "inferior_angle_right"]) if q.kind == "landmark"]
    assert "spinous_T7" not in names and len(names) == 2


# --------------------------------------------------------------------------- another body
@pytest.fixture(scope="module")
def mm_body():
    """An anny test body remeshed in millimetres with Z up, its true landmarks."""
    from viewer.core.body import Body

    mesh, truth = bodies.variant("heavy_woman", "remeshed_mm_zup")
    return Body(mesh, truth, unit=0.001)


def test_landmark_drills_on_a_body_in_millimetres(tmp_path, mm_body):
    quiz = load_quiz(write_set(tmp_path, kinds=["landmark"], radius_cm=2.0))
    questions = quiz.questions(list(mm_body.landmarks), seed=1)
    assert questions and all(q.kind == "landmark" for q in questions)
    frame = mm_body.frame
    for q in questions:
        name = q.answer["landmark"]
        at = mm_body.landmark(name)
        right = grade_landmark(q, mm_body, at)
        assert right.right and right.distance == pytest.approx(0.0, abs=1e-9)
        near = grade_landmark(q, mm_body, at + frame.left * 15.0)   # 1.5 cm, in mm
        assert near.right and near.distance == pytest.approx(0.015, abs=1e-6), name
        assert near.given == "1.5 cm from it"
        far = grade_landmark(q, mm_body, at + frame.up * 30.0)      # 3 cm
        assert not far.right and far.distance == pytest.approx(0.03, abs=1e-6), name
        assert not grade_landmark(q, mm_body, None).right


def test_drills_ask_only_for_the_landmarks_a_body_has(tmp_path, mm_body):
    quiz = load_quiz(write_set(tmp_path, kinds=["landmark"], landmarks=["T7", "S1", "psis"]))
    have = [n for n in mm_body.landmarks if n != "spinous_T5"]
    qs = quiz.questions(have)
    names = {q.answer["landmark"] for q in qs}
    assert names == {n for n in ("spinous_T7", "spinous_S1", "psis_left", "psis_right")
                     if n in have}
    t7 = next(q for q in qs if q.answer["landmark"] == "spinous_T7")
    assert "spinous_T5" not in t7.count_from and len(t7.count_from) == 7


# --------------------------------------------------------------------------- a run
def test_a_run_keeps_score_streak_mistakes_and_skips(everything):
    qs = [q for q in everything if "choice" in q.answer][:6]
    run = QuizRun(list(qs))

    def answer(right: bool):
        q = run.current
        value = q.answer["choice"] if right else next(
            c.value for c in q.choices if c.value != q.answer["choice"])
        return run.record(grade_choice(q, value))

    answer(True)
    # a second answer to the same question is ignored
    run.record(grade_choice(run.current, next(c.value for c in run.current.choices
                                              if c.value != run.current.answer["choice"])))
    assert (run.score, run.streak, run.mistakes) == (1, 1, [])
    run.next()
    answer(True)
    run.next()
    assert (run.score, run.streak, run.best_streak) == (2, 2, 2)
    wrong = answer(False)
    run.next()
    assert (run.score, run.streak, run.best_streak) == (2, 0, 2)
    assert run.mistakes == [wrong]
    run.next()                                    # skipped: neither right nor a mistake
    assert run.skipped == [qs[3]] and run.mistakes == [wrong] and run.streak == 0
    answer(True)
    run.next()
    answer(True)
    assert not run.finished and run.waiting
    assert run.next() is None and run.finished
    assert (run.score, run.best_streak) == (4, 2)
    assert run.summary() == "4 of 6 right, best streak 2, 1 to review, 1 skipped"
    # answers after the end are ignored
    assert isinstance(run.record(Feedback(qs[0], True, "x", "y")), Feedback)
    assert run.score == 4 and run.next() is None


@pytest.mark.parametrize("order", ["shuffled", "as-written"])
def test_a_short_draw_asks_every_kind_in_turn(tmp_path, order):
    """44 'what' questions and 11 'rules' ones: a draw of 8 still asks two of each kind."""
    from collections import Counter

    path = write_set(tmp_path, count=8, order=order, seed=5)
    for seed in (None, 1, 2, 3):
        kinds = Counter(q.kind for q in load_quiz(path).questions(seed=seed))
        assert kinds == {"where": 2, "what": 2, "landmark": 2, "rules": 2}, (seed, kinds)


def test_a_question_answered_aloud_counts_neither_way(everything):
    """Presentation mode: the class answers aloud, the instructor reveals and moves on; a
    question answered aloud is not scored, not a mistake and not a skip."""
    from viewer.core.quiz import Feedback, QuizRun

    run = QuizRun(list(everything[:3]))
    run.pass_on()
    wrong = run.record(Feedback(run.current, False, "somewhere else", ""))
    run.next()
    run.pass_on()
    assert run.finished and run.score == 0
    assert run.mistakes == [wrong]
    assert run.skipped == []
    assert [f.aloud for f in run.answered] == [True, False, True]
    assert run.pass_on() is None  # past the end: nothing happens
