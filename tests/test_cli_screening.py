"""``--condition`` and ``--mark`` on the command line (issue 14), run as a user would."""

from __future__ import annotations

import json
import math

import pytest

from conftest import assert_one_line_error

POSTPONE = ("Individuals experiencing an acute fever, recent severe trauma, or active inflammation "
            "should postpone the massage until symptoms resolve.")
VALID = "fever, trauma, inflammation, broken-skin, rash, bruising, dvt, varicose-veins"


@pytest.fixture(scope="module")
def runs(run_cli_many, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("screening-out")
    return run_cli_many({
        "plain-json": ["zones", "--json"],
        "screened-json": ["zones", "--json", "--condition", "dvt", "--condition", "fever",
                          "--condition", "bruising", "--mark", "spinous_T8:5:bruise",
                          "--mark", "spinous_L3:3"],
        "screened": ["zones", "--condition", "dvt", "--condition", "fever",
                     "--condition", "bruising", "--mark", "spinous_T8:5:bruise"],
        "before-command": ["--condition", "varicose-veins", "zones", "--json"],
        "unknown": ["zones", "--condition", "flu"],
        "export-unknown": ["export", "--out", out / "a.png", "--condition", "flu"],
        "export-radius": ["export", "--out", out / "b.png", "--mark", "spinous_T8:31"],
        "export-landmark": ["export", "--out", out / "c.png", "--mark", "spinous_T99:3"],
        "export-off": ["export", "--out", out / "d.png", "--mark", "0,0,9:3"],
        "lesson-unknown": ["lesson", "--export", out / "lesson", "--condition", "flu"],
        "lesson-no-export": ["lesson", "--condition", "dvt"],
        "window-unknown": ["--condition", "flu"],
        "zones-zero": ["zones", "--mark", "spinous_T8:0"],
        "zones-second": ["zones", "--mark", "spinous_T8:5", "--mark", "spinous_T8:-1"],
    }), out


def ok(result) -> str:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert result.stderr == ""
    return result.stdout


def test_zones_json_has_the_screening(runs):
    results, _ = runs
    plain = json.loads(ok(results["plain-json"]))
    assert plain["screening"] == {"conditions": [], "postpone": False, "reasons": []}
    assert not any(r["id"].startswith("mark-") for r in plain["zones"])
    report = json.loads(ok(results["screened-json"]))
    assert report["screening"] == {"conditions": ["fever", "bruising", "dvt"], "postpone": True,
                                   "reasons": [POSTPONE]}
    rows = {r["id"]: r for r in report["zones"]}
    assert [r["id"] for r in report["zones"]][-2:] == ["mark-1", "mark-2"]
    assert [r["id"] for r in report["zones"]][:-2] == [r["id"] for r in plain["zones"]]
    lower = rows["lower-back"]
    assert lower["pressure"] == "moderate"  # the zone's own
    assert lower["screened"] == {"pressure": "light",
                                 "strokes": {"effleurage": "recommended",
                                             "petrissage": "light-only",
                                             "friction": "light-only"},
                                 "why": ["Reduced: history of DVT"]}
    assert rows["paraspinal-left"]["screened"] is None
    assert rows["kidney-left"]["screened"] is None  # already within the caps
    mark = rows["mark-1"]
    assert mark["pressure"] == "avoid"
    assert set(mark["strokes"].values()) == {"avoid"}
    assert mark["area_cm2"] == pytest.approx(math.pi * 7 ** 2, rel=0.1)
    assert mark["levels"] and mark["lateral_cm"] and mark["faces"] > 100
    assert mark["name"] == "Unexplained bruising (bruise)"
    assert mark["mark"]["condition"] == "bruising" and mark["mark"]["radius_cm"] == 5
    assert rows["mark-2"]["area_cm2"] == pytest.approx(math.pi * 5 ** 2, rel=0.15)


def test_zones_table_shows_postpone_reduced_zones_and_marks(runs):
    results, _ = runs
    text = ok(results["screened"])
    lines = text.splitlines()
    assert lines[0].endswith("19 zones, 1 marked area")
    lower = next(line for line in lines if line.startswith("lower-back "))
    assert lower.split()[1:5] == ["light", "recommended", "light-only", "light-only"]
    assert "Reduced: history of DVT (own: pressure moderate; petrissage allowed, friction " \
           "allowed)" in lower
    mark = next(line for line in lines if line.startswith("mark-1 "))
    assert mark.split()[1:5] == ["avoid"] * 4
    assert f"  Postpone the massage: {POSTPONE}" in lines


def test_options_before_the_command_count(runs):
    results, _ = runs
    report = json.loads(ok(results["before-command"]))
    assert report["screening"]["conditions"] == ["varicose-veins"]
    rows = {r["id"]: r for r in report["zones"]}
    assert rows["lower-back"]["screened"]["why"] == ["Reduced: severe varicose veins"]


@pytest.mark.parametrize("name, words", [
    ("unknown", ("unknown condition 'flu'", VALID)),
    ("export-unknown", ("unknown condition 'flu'", VALID)),
    ("lesson-unknown", ("unknown condition 'flu'",)),
    ("window-unknown", ("unknown condition 'flu'",)),
    ("export-radius", ("mark:", "at most 30 cm, not 31")),
    ("export-landmark", ("mark:", "unknown landmark 'spinous_T99'")),
    ("export-off", ("mark:", "away from the skin")),
    ("zones-zero", ("mark:", "not 0")),
    ("zones-second", ("mark 2:", "not -1")),
    ("lesson-no-export", ("--condition and --mark go with --export",)),
])
def test_bad_screening_input_is_one_line_and_writes_nothing(runs, name, words):
    results, out = runs
    assert_one_line_error(results[name], *words)
    assert results[name].stdout == ""
    assert sorted(p.name for p in out.iterdir()) == []
