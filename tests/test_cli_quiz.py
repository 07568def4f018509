"""``backview quiz``: the questions listed (words and JSON), a quiz set checked, the summary,
mistakes as one line and exit 2, and the exported question and answer pictures (what a question
picture hides, what an answer picture shows, all or nothing).

The commands run as a user runs them (separate processes, side by side, caches in a temporary
folder); the pictures are checked at a small size, on a set of four questions.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from conftest import SHIPPED_MAP, assert_one_line_error
from test_quiz import BAD_SETS, write_set

SIZE = (640, 360)


@pytest.fixture(scope="module")
def places(tmp_path_factory, shipped_landmarks_doc):
    root = tmp_path_factory.mktemp("quiz-cli")
    small = write_set(root, "small.toml", kinds=["where", "what", "landmark", "rules"], count=4,
                      seed=3, landmarks=["T7", "inferior_angle"])
    drills = write_set(root, "drills.toml", kinds=["landmark"], landmarks=["S1", "T7"])
    bad = {case: write_set(root, f"bad-{case}.toml", **fields)
           for case, (fields, _, _) in BAD_SETS.items()}
    malformed = root / "malformed.toml"
    malformed.write_text("[quiz\n", encoding="utf-8")
    doc = json.loads(json.dumps(shipped_landmarks_doc))
    del doc["landmarks"]["spinous_S1"]            # optional in a landmarks file
    no_s1 = root / "no-s1.landmarks.json"
    no_s1.write_text(json.dumps(doc), encoding="utf-8")
    a_file = root / "a-file"
    a_file.write_text("x", encoding="utf-8")
    return SimpleNamespace(root=root, small=small, drills=drills, bad=bad, malformed=malformed,
                           no_s1=no_s1, out=root / "slides", bad_out=root / "bad-out",
                           a_file=a_file)


@pytest.fixture(scope="module")
def runs(run_cli_many, places) -> dict:
    commands = {
        "summary": ["quiz"],
        "list": ["quiz", "--list", "--seed", "5"],
        "json": ["quiz", "--list", "--json", "--seed", "5"],
        "json-again": ["quiz", "--list", "--json", "--seed", "5"],
        "json-other-seed": ["quiz", "--list", "--json", "--seed", "6"],
        "check": ["quiz", "--check", SHIPPED_MAP.parent / "quiz.toml"],
        "small-json": ["quiz", "--quiz", places.small, "--list", "--json"],
        "export": ["quiz", "--quiz", places.small, "--export", places.out, "--size", "640x360"],
        "drills": ["quiz", "--quiz", places.drills, "--list", "--json"],
        "drills-no-s1": ["quiz", "--quiz", places.drills, "--list", "--json", "--landmarks",
                         places.no_s1],
        "json-alone": ["quiz", "--json"],
        "check-and-list": ["quiz", "--check", places.small, "--list"],
        "size-alone": ["quiz", "--size", "640x360"],
        "seed-bad": ["quiz", "--list", "--seed", "-3"],
        "malformed": ["quiz", "--check", places.malformed],
        "missing": ["quiz", "--quiz", places.root / "missing.toml", "--list"],
        "dir-is-a-file": ["quiz", "--export", places.a_file],
    }
    for case, path in places.bad.items():
        commands[f"check-{case}"] = ["quiz", "--check", path]
    commands["export-bad"] = ["quiz", "--quiz", places.bad["unknown-zone"], "--export",
                              places.bad_out]
    return run_cli_many(commands)


def ok(result):
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


# --------------------------------------------------------------------------- listing
def test_json_lists_the_questions_with_their_answers_and_citations(runs):
    doc = json.loads(ok(runs["json"]))
    questions = doc["questions"]
    assert len(questions) == 15                   # the shipped set's count
    for q in questions:
        assert {"id", "kind", "prompt", "answer", "citations"} <= set(q)
        assert q["kind"] in ("where", "what", "landmark", "rules")
        (key,) = q["answer"]
        assert key == {"where": "zones", "what": "choice", "rules": "choice",
                       "landmark": "landmark"}[q["kind"]]
        if key == "choice":
            assert q["answer"]["choice"] in [c["value"] for c in q["choices"]]
        else:
            assert "choices" not in q
    # the same seed, the same questions; another seed, others
    assert json.loads(ok(runs["json-again"])) == doc
    assert json.loads(ok(runs["json-other-seed"]))["questions"] != questions


def test_the_words_list_numbers_each_question_with_its_answer(runs):
    out = ok(runs["list"])
    questions = json.loads(ok(runs["json"]))["questions"]
    lines = out.splitlines()
    assert lines[0].startswith("Where, how hard, and what to feel for: 15 questions (")
    for k, q in enumerate(questions, start=1):
        assert f"{k:2d}. " in out and f"{q['prompt']}  ({q['id']})" in out
    assert out.count("    answer: ") == 15
    assert "    choices: " in out and "    guide: \u201c" in out


def test_the_summary_and_the_check(runs):
    out = ok(runs["summary"])
    assert out.startswith("Where, how hard, and what to feel for (quiz back-massage-practice")
    assert "15 questions (" in out
    assert out.rstrip().splitlines()[-1].startswith("ok: ")
    check = ok(runs["check"])
    assert check.startswith("ok: ") and "15 of " in check and "asked per run" in check


def test_drills_follow_the_body_s_landmarks(runs):
    with_s1 = {q["answer"]["landmark"] for q in json.loads(ok(runs["drills"]))["questions"]}
    without = {q["answer"]["landmark"]
               for q in json.loads(ok(runs["drills-no-s1"]))["questions"]}
    assert with_s1 == {"spinous_S1", "spinous_T7"}
    assert without == {"spinous_T7"}


# --------------------------------------------------------------------------- mistakes
@pytest.mark.parametrize("case", sorted(BAD_SETS))
def test_a_bad_set_is_one_line_and_exit_2(runs, places, case):
    _, where, words = BAD_SETS[case]
    assert_one_line_error(runs[f"check-{case}"], f"{places.bad[case]}:{where}: ", words)
    assert runs[f"check-{case}"].stdout == ""


def test_mistakes_on_the_command_line_are_one_line(runs, places):
    assert_one_line_error(runs["json-alone"], "--json goes with --list")
    assert_one_line_error(runs["check-and-list"], "--check FILE", "--list")
    assert_one_line_error(runs["size-alone"], "go with --export")
    assert_one_line_error(runs["seed-bad"], "seed: ", "out of range")
    assert_one_line_error(runs["malformed"], f"{places.malformed}: is not valid TOML")
    assert_one_line_error(runs["missing"], "missing.toml: no such quiz set")
    assert_one_line_error(runs["dir-is-a-file"], f"{places.a_file}:export: is not a folder")
    assert places.a_file.read_text(encoding="utf-8") == "x"
    assert_one_line_error(runs["export-bad"], "quiz:zones: unknown zone 'x'")
    assert not places.bad_out.exists()


# --------------------------------------------------------------------------- export
def test_export_writes_a_question_and_an_answer_picture_per_question(runs, places):
    out = ok(runs["export"])
    questions = json.loads(ok(runs["small-json"]))["questions"]
    assert len(questions) == 4
    names = [f"{k:02d}-{q['id']}-{which}.png" for k, q in enumerate(questions, start=1)
             for which in ("question", "answer")]
    assert sorted(p.name for p in places.out.iterdir()) == sorted(names)   # nothing hidden left
    assert [line.split()[1] for line in out.splitlines()] == [str(places.out / n) for n in names]
    for name in names:
        with Image.open(places.out / name) as img:
            assert img.size == SIZE
            assert img.text["backview:quiz-picture"] == name.rsplit("-", 1)[1][:-4]
            assert img.text["backview:quiz-question"] in name


# in-process: what the pictures show
@pytest.fixture(scope="module")
def scene(rmap, isolated_cli_env):
    import viewer.core.cache as cache_mod
    import viewer.render.scene as scene_mod
    from viewer.core.body import Body

    cache = Path(isolated_cli_env["XDG_CACHE_HOME"]) / "backview" / "zones"
    mp = pytest.MonkeyPatch()
    mp.setattr(cache_mod, "default_cache_dir", lambda: cache)
    try:
        yield scene_mod.BodyScene(Body.load(), rmap)
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def questions(rmap):
    from viewer.core.quiz import generate_questions, load_quiz

    return {q.id: q for q in generate_questions(load_quiz(SHIPPED_MAP.parent / "quiz.toml",
                                                          rmap=rmap))}


def zone_share(result, colours) -> float:
    """The share of the body's pixels that are one of ``colours``, lit or shaded (the same
    direction in RGB)."""
    from viewer.core.palette import hex_to_rgb

    x0, y0, x1, y1 = (int(round(v)) for v in result.body_box)
    px = np.asarray(result.image.convert("RGB"))[y0:y1, x0:x1].reshape(-1, 3).astype(float)
    px = px[px.sum(axis=1) > 120]
    unit = px / np.linalg.norm(px, axis=1, keepdims=True)
    hit = np.zeros(len(px), bool)
    for c in colours:
        c = np.asarray(hex_to_rgb(c), float)
        hit |= unit @ (c / np.linalg.norm(c)) > 0.99
    return float(hit.mean())


def picture(scene, question, answer):
    from viewer.render.picture import annotated_image
    from viewer.render.picture.quiz import question_options

    return annotated_image(scene, question_options(scene, question, 1, 1, answer=answer,
                                                   size=SIZE))


def test_a_where_question_hides_the_zones_and_its_answer_shows_them(scene, questions):
    from viewer.core.palette import get_palette

    pal = get_palette("default")
    zone_colours = list(pal.pressure.values()) + list(pal.strokes.values())
    where = questions["where-pressure-firm"]
    asked = picture(scene, where, answer=False)
    shown = picture(scene, where, answer=True)
    assert zone_share(asked, zone_colours) < 0.002, zone_share(asked, zone_colours)
    assert asked.legend_swatches == [] and asked.labels == []
    firm = pal.pressure[next(p for p in pal.pressure if p.value == "firm")]
    assert zone_share(shown, [firm]) > 0.02
    # only the answer is coloured: no other pressure's colour
    others = [c for p, c in pal.pressure.items() if p.value != "firm"]
    assert zone_share(shown, others) < 0.002
    assert [s[0] for s in shown.legend_swatches] == ["firm", "other"]
    assert "From the guide".upper() in shown.step.text("heading")
    for quote in where.citations:
        assert quote.split()[0] in shown.step.text("quote")


def test_a_what_question_outlines_its_zone_and_the_answer_colours_it(scene, questions):
    from viewer.core.palette import get_palette

    pal = get_palette("default")
    q = questions["what-pressure-kidney-left"]
    asked = picture(scene, q, answer=False)
    shown = picture(scene, q, answer=True)
    zone_colours = list(pal.pressure.values())
    assert zone_share(asked, zone_colours) < 0.002
    assert asked.step.text("rule-title") == "A. No pressure\nB. Light\nC. Moderate\nD. Firm"
    light = next(c for p, c in pal.pressure.items() if p.value == "light")
    assert zone_share(shown, [light]) > 0.005
    assert "\u2713" in shown.step.text("rule-title")            # the right choice is marked
    assert shown.step.text("caption").startswith("Answer: Light on the floating ribs")


def test_the_export_is_all_or_nothing(scene, questions, tmp_path, monkeypatch):
    import viewer.render.picture.quiz as qx

    chosen = [questions["where-pressure-firm"], questions["landmark-spinous_T7"]]
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "01-where-pressure-firm-question.png"
    old.write_bytes(b"the old picture")
    monkeypatch.setattr(qx, "annotated_image", lambda scene, opts: SimpleNamespace(
        image=Image.new("RGB", (8, 8), "#336699"), metadata={"Title": opts.title},
        render_camera=None))
    monkeypatch.setattr(qx, "_draw_landmark_answer", lambda *a: None)

    class Crash(Exception):
        pass

    def crash_at_3(n, total):
        if n == 3:
            raise Crash()

    for target in (folder, tmp_path / "new"):
        with pytest.raises(Crash):
            qx.export_quiz(scene, chosen, target, size=SIZE, progress=crash_at_3)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in folder.iterdir()] == [old.name]
    assert old.read_bytes() == b"the old picture"
    pictures = qx.export_quiz(scene, chosen, folder, size=SIZE)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.path.name for p in pictures)
    assert len(pictures) == 4 and old.read_bytes() != b"the old picture"


def test_a_drill_s_answer_marks_the_landmark_and_the_question_does_not(scene, questions):
    from viewer.render.picture.quiz import TARGET_COLOUR, _draw_landmark_answer, _to_image

    q = questions["landmark-spinous_T7"]
    assert len(q.count_from) == 8
    asked = picture(scene, q, answer=False)
    shown = picture(scene, q, answer=True)
    _draw_landmark_answer(shown, scene, q, SIZE)
    x, y = _to_image(shown, scene.body.landmark("spinous_T7"), SIZE)[0]
    for result, expected in ((asked, False), (shown, True)):
        near = np.asarray(result.image.convert("RGB"))[int(y) - 6:int(y) + 7,
                                                       int(x) - 6:int(x) + 7]
        target = np.asarray([int(TARGET_COLOUR[i:i + 2], 16) for i in (1, 3, 5)])
        marked = (np.abs(near.astype(int) - target).sum(axis=2) < 90).mean()
        assert (marked > 0.03) == expected, marked
    # the question's panel says how close counts; the answer's counts from C7
    assert "within 2 cm" in asked.step.text("caption")
    assert shown.step.text("caption").startswith("Count the spinous processes down from C7: 8")
