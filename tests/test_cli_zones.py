"""``backview zones`` and ``backview validate`` on the shipped map and mesh and on a user mesh,
run as a user would: separate processes (side by side, to save start-up time), each with its
cache in a temporary folder. Bad inputs are in test_region_map.py."""

from __future__ import annotations

import json
import re

import pytest

from viewer.cli.zones import zone_rows
from viewer.core.zones import assign_zones

from conftest import SHIPPED_MAP, SHIPPED_MESH


@pytest.fixture(scope="module")
def runs(run_cli_many, user_body_mm) -> dict:
    return run_cli_many({
        "zones": ["zones"],
        "zones-json": ["zones", "--json"],
        "validate": ["validate"],
        "validate-json": ["validate", "--json"],
        "user-zones": ["zones", "--mesh", user_body_mm],
        "user-zones-json": ["zones", "--mesh", user_body_mm, "--json"],
    })


def ok(result) -> str:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert result.stderr == ""
    return result.stdout


@pytest.fixture(scope="module")
def expected(body, rmap) -> list[dict]:
    """The rows the commands must print, computed in this process."""
    return zone_rows(rmap, assign_zones(body, rmap, cache=False))


@pytest.fixture(scope="module")
def overlaps(body, rmap) -> list[dict]:
    return [{"winner": o.winner, "other": o.other, "faces": o.faces, "conflicts": list(o.conflicts)}
            for o in assign_zones(body, rmap, cache=False).overlaps]


# =========================================================================== backview zones
def test_zones_table_heading(runs, rmap):
    lines = ok(runs["zones"]).splitlines()
    assert lines[0] == f"Relaxing back massage v{rmap.info.version} (back-massage.toml) on torso.ply: " \
                       f"{len(rmap.zones)} zones"
    assert lines[1].split() == ["id", "pressure", "effl.", "petr.", "frict.", "faces", "cm²",
                                "levels", "lateral", "cm"]
    assert set(lines[2]) == {"-"}


def test_zones_table_has_every_zone_with_pressure_strokes_and_size(runs, expected, shipped_map_doc):
    rows = {line.split()[0]: line.split() for line in ok(runs["zones"]).splitlines()[3:]}
    assert list(rows) == [r["id"] for r in expected]
    raw = {z["id"]: z for z in shipped_map_doc["zones"]}
    for r in expected:
        cols = rows[r["id"]]
        spec = raw.get(r["id"]) or raw[r["id"].rsplit("-", 1)[0]]
        assert cols[1] == spec["pressure"], r["id"]
        assert cols[2:5] == [spec["strokes"][s] for s in ("effleurage", "petrissage", "friction")]
        assert int(cols[5]) == r["faces"] > 0
        assert float(cols[6]) == pytest.approx(r["area_cm2"], abs=0.05) and r["area_cm2"] > 0
        assert cols[7] == "–".join(r["levels"])
        assert cols[8] == "{:.1f}–{:.1f}".format(*r["lateral_cm"])


def test_zones_table_places_the_zones_by_level(runs):
    rows = {line.split()[0]: line.split() for line in ok(runs["zones"]).splitlines()[3:]}
    assert rows["spine"][7] == "C7–S2"
    assert rows["neck"][7].startswith("EOP–")
    assert rows["kidney-left"][7] == rows["kidney-right"][7] == "T11–L3"


def test_zones_json(runs, expected, rmap):
    report = json.loads(ok(runs["zones-json"]))
    assert report["map"] == {"file": str(SHIPPED_MAP), "name": rmap.info.name,
                             "version": rmap.info.version}
    assert report["mesh"] == str(SHIPPED_MESH)
    assert [z["id"] for z in report["zones"]] == [z.id for z in rmap.zones]
    for row in report["zones"]:
        assert row["faces"] > 0 and row["area_cm2"] > 0, row["id"]
        assert set(row["strokes"]) == {"effleurage", "petrissage", "friction"}
        assert row["levels"] and row["lateral_cm"], row["id"]
    assert report["zones"] == expected


# =========================================================================== backview validate
def test_validate_the_shipped_map(runs, expected, overlaps):
    lines = ok(runs["validate"]).splitlines()
    assert lines[0] == f"map   {SHIPPED_MAP}"
    assert lines[1] == f"mesh  {SHIPPED_MESH}"
    assert lines[2] == f"zones {len(expected)}"
    listed = [line.split()[0] for line in lines[3:3 + len(expected)]]
    assert listed == [r["id"] for r in expected]
    assert "overlaps (the more cautious zone wins):" in lines
    assert "CONFLICT" not in "\n".join(lines)
    assert not any(line.startswith("empty zones") for line in lines)
    assert lines[-1].startswith("ok:")
    assert len(overlaps) == sum(1 for line in lines if re.match(r"^  \S+ +over ", line))


def test_validate_json(runs, expected, overlaps):
    report = json.loads(ok(runs["validate-json"]))
    assert report["ok"] is True
    assert report["errors"] == [] and report["empty_zones"] == []
    assert report["map"] == str(SHIPPED_MAP) and report["mesh"] == str(SHIPPED_MESH)
    assert report["zones"] == expected
    assert isinstance(report["overlaps"], list) and report["overlaps"]
    assert report["overlaps"] == overlaps
    for o in report["overlaps"]:
        assert o["faces"] > 0 and o["conflicts"] == []


# =========================================================================== a user mesh
def test_zones_on_a_user_mesh_with_landmarks(runs, user_body_mm, rmap):
    lines = ok(runs["user-zones"]).splitlines()
    assert lines[0].endswith(f"on {user_body_mm.name}: {len(rmap.zones)} zones")
    assert [line.split()[0] for line in lines[3:]] == [z.id for z in rmap.zones]


def test_user_mesh_areas_match_the_shipped_ones(runs, user_body_mm, expected):
    report = json.loads(ok(runs["user-zones-json"]))
    assert report["mesh"] == str(user_body_mm)
    rows = {r["id"]: r for r in report["zones"]}
    assert list(rows) == [r["id"] for r in expected]
    for r in expected:
        user = rows[r["id"]]
        assert user["faces"] == r["faces"], r["id"]
        assert user["area_cm2"] == pytest.approx(r["area_cm2"], rel=0.01), r["id"]
        assert user["levels"] == r["levels"]
        assert user["lateral_cm"] == pytest.approx(r["lateral_cm"], abs=0.11)


@pytest.mark.parametrize("command", ["info", "zones", "validate", "lesson"])
def test_body_options_count_before_the_command_as_after_it(command, tmp_path, run_cli_isolated,
                                                           one_line_error):
    # `backview --mesh X zones` must use X, not quietly fall back to the shipped torso
    missing = tmp_path / "missing.obj"
    for args in (("--mesh", missing, command), (command, "--mesh", missing)):
        one_line_error(run_cli_isolated(*args), "missing.obj", "no such file")
