"""``backview info`` and ``backview --version``, run as a user would: a separate process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import trimesh

import viewer
from viewer.core import anatomy

from conftest import CLI_TIMEOUT, checkout_env, run_cli


@pytest.fixture(scope="module")
def shipped(shipped_mesh_path, shipped_landmarks_doc):
    """What info must report, read from the files themselves (not from viewer.core)."""
    mesh = trimesh.load(shipped_mesh_path, process=False)
    return {"vertices": len(mesh.vertices), "faces": len(mesh.faces),
            "bounds_cm": np.asarray(mesh.bounds) * 100, "landmarks": shipped_landmarks_doc["landmarks"]}


@pytest.fixture(scope="module")
def info_text(shipped_mesh_path):
    result = run_cli("info")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_info_names_the_mesh_file(info_text, shipped_mesh_path):
    first = info_text.splitlines()[0]
    assert first.split(None, 1) == ["mesh", str(shipped_mesh_path)]


def test_info_counts(info_text, shipped):
    assert shipped["vertices"] == 27_578 and shipped["faces"] == 55_152  # the ATTRIBUTION's numbers
    lines = info_text.splitlines()
    assert f"vertices   {shipped['vertices']:,}" in lines
    assert f"faces      {shipped['faces']:,}" in lines


def test_info_bounds_in_cm(info_text, shipped):
    (lo, hi) = shipped["bounds_cm"]
    expected = "bounds     x {:.1f} .. {:.1f} cm, y {:.1f} .. {:.1f} cm, z {:.1f} .. {:.1f} cm".format(
        lo[0], hi[0], lo[1], hi[1], lo[2], hi[2])
    assert expected in info_text.splitlines()
    size = hi - lo
    assert f"size       {size[0]:.1f} x {size[1]:.1f} x {size[2]:.1f} cm" in info_text
    assert 60 < size[1] < 150, "a torso is about a metre tall in the shipped model"


def test_info_lists_every_landmark(info_text, shipped, shipped_landmarks_path):
    assert f"landmarks  {len(shipped['landmarks'])} from {shipped_landmarks_path}" in info_text
    rows = {line.split()[0]: line for line in info_text.splitlines() if line.startswith("  ")}
    assert set(rows) == set(shipped["landmarks"])
    for name, (x, y, z) in shipped["landmarks"].items():
        assert anatomy.describe(name) in rows[name]
        assert f"({100 * x:6.1f}, {100 * y:6.1f}, {100 * z:6.1f}) cm" in rows[name]
    assert "missing" not in info_text


def test_info_json(cli, shipped, shipped_mesh_path, shipped_landmarks_path):
    result = cli("info", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["mesh"] == str(shipped_mesh_path)
    assert report["vertices"] == shipped["vertices"]
    assert report["faces"] == shipped["faces"]
    assert report["landmarks_file"] == str(shipped_landmarks_path)
    assert report["missing_landmarks"] == []
    np.testing.assert_allclose(report["bounds_cm"]["min"], shipped["bounds_cm"][0], atol=0.051)
    np.testing.assert_allclose(report["bounds_cm"]["max"], shipped["bounds_cm"][1], atol=0.051)
    assert set(report["landmarks"]) == set(shipped["landmarks"])
    for name, xyz in shipped["landmarks"].items():
        np.testing.assert_allclose(report["landmarks"][name], xyz, atol=1e-5)


def test_info_on_a_user_mesh_without_landmarks(cli, tmp_path):
    ball = trimesh.creation.icosphere(subdivisions=1, radius=0.3)
    path = tmp_path / "my body.obj"
    ball.export(path)
    result = cli("info", "--mesh", path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"mesh       {path}"
    assert f"faces      {len(ball.faces):,}" in lines
    assert any(line.startswith("landmarks  none") for line in lines), result.stdout
    report = json.loads(cli("info", "--mesh", path, "--json").stdout)
    assert report["landmarks"] == {} and report["landmarks_file"] is None
    assert report["bounds_cm"]["size"] == pytest.approx([60.0, 60.0, 60.0], abs=0.1)


def test_info_with_malformed_landmarks(cli, one_line_error, tmp_path):
    bad = tmp_path / "points.json"
    bad.write_text('{"landmarks": {"spinous_C7": [0, 1, ')
    result = cli("info", "--landmarks", bad)
    line = one_line_error(result, str(bad), "not valid JSON")
    assert "line 1" in line
    assert result.stdout == ""


def test_info_with_landmarks_of_the_wrong_shape(cli, one_line_error, tmp_path):
    bad = tmp_path / "points.json"
    bad.write_text(json.dumps({"units": "m", "landmarks": {"spinous_C7": [0, 1]}}))
    one_line_error(cli("info", "--landmarks", bad), str(bad), "spinous_C7")


def test_info_with_a_missing_landmarks_file(cli, one_line_error, tmp_path):
    gone = tmp_path / "nowhere.landmarks.json"
    one_line_error(cli("info", "--landmarks", gone), str(gone), "no such")


# --------------------------------------------------------------------------- --version
def test_python_m_viewer_version(cli):
    result = cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"BackView {viewer.__version__}"


def test_backview_console_script_version(tmp_path):
    """The ``backview`` command installed beside this Python (``pip install .`` makes it)."""
    script = Path(sys.executable).with_name("backview")
    if not script.exists():
        script = shutil.which("backview")
        if script is None:
            pytest.skip("backview is not installed in this environment (pip install . makes it)")
    result = subprocess.run([str(script), "--version"], cwd=tmp_path, env=checkout_env(),
                            capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BackView ")
    version = result.stdout.split()[1]
    assert version[0].isdigit()


def test_help_lists_info(cli):
    result = cli("--help")
    assert result.returncode == 0
    assert "info" in result.stdout
    assert "Traceback" not in result.stderr
