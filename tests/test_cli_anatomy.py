"""``backview anatomy``: one row per structure fitted under the skin; JSON for scripts."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def doc(run_cli_isolated):
    r = run_cli_isolated("anatomy", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_json_lists_every_structure_with_its_place(doc):
    assert set(doc) == {"structures", "missing"} and doc["missing"] == []
    rows = {r["id"]: r for r in doc["structures"]}
    assert len(rows) == 30
    for r in rows.values():
        assert set(r) == {"id", "name", "kind", "side", "levels", "lateral_cm", "depth_cm",
                          "inside_skin"}
        assert r["kind"] in ("bone", "organ") and r["side"] in ("left", "right", None)
        assert r["lateral_cm"][0] <= r["lateral_cm"][1] and r["depth_cm"][0] <= r["depth_cm"][1]
        assert r["inside_skin"] >= 0.97
    k = rows["kidney-left"]
    assert k["kind"] == "organ" and k["side"] == "left" and k["levels"] == ["T12", "L3"]
    assert 2.5 < k["lateral_cm"][0] < k["lateral_cm"][1] < 11
    assert rows["vertebra-T7"]["levels"][1] == "T7" and rows["vertebra-T7"]["lateral_cm"][0] == 0.0
    assert rows["vertebra-T7"]["depth_cm"][0] < 1.6  # its spinous tip just under the skin


def test_the_table_and_a_user_body_in_mm(run_cli_isolated, user_body_mm):
    r = run_cli_isolated("anatomy", "--mesh", str(user_body_mm))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["id", "name"] and len(lines) == 31
    assert any(line.startswith("kidney-right") and "organ" in line for line in lines)


def test_a_mesh_without_landmarks_is_one_line(run_cli_isolated, one_line_error, tmp_path,
                                             shipped_mesh_path):
    mesh = tmp_path / "bare.ply"
    mesh.write_bytes(shipped_mesh_path.read_bytes())
    line = one_line_error(run_cli_isolated("anatomy", "--mesh", str(mesh)), "bare.ply")
    assert "landmarks" in line


def test_a_missing_mesh_is_one_line(run_cli_isolated, one_line_error, tmp_path):
    one_line_error(run_cli_isolated("anatomy", "--mesh", str(tmp_path / "no.ply")), "no such file")
