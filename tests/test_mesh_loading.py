"""Loading body meshes: the shipped torso, every supported format, and every way a file can be bad.

A bad file must give a :class:`MeshError` whose one line names the file and the problem, and the
command line must turn it into exit status 2 and one ``backview: error:`` line, never a traceback.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.core.errors import MeshError
from viewer.core.mesh import MESH_FORMATS, load_mesh

FORMATS = ("obj", "ply", "stl", "glb", "gltf", "off")


@pytest.fixture(scope="module")
def ball() -> trimesh.Trimesh:
    return trimesh.creation.icosphere(subdivisions=2)  # 162 vertices, 320 faces


def write(mesh: trimesh.Trimesh, path: Path) -> Path:
    mesh.export(path)
    assert path.stat().st_size > 0
    return path


def expect_mesh_error(path: Path, *words: str) -> MeshError:
    """``load_mesh(path)`` raises MeshError naming the file and containing each word."""
    with pytest.raises(MeshError) as info:
        load_mesh(path)
    err = info.value
    text = str(err)
    assert "\n" not in text, text
    assert path.name in text, f"the message does not name the file: {text!r}"
    for word in words:
        assert word.lower() in text.lower(), f"{word!r} not in {text!r}"
    return err


# --------------------------------------------------------------------------- good files
def test_shipped_mesh_loads(shipped_mesh_path):
    mesh = load_mesh(shipped_mesh_path)
    assert isinstance(mesh, trimesh.Trimesh)
    # the counts in the PLY header, read independently of load_mesh
    header = shipped_mesh_path.read_bytes()[:400].decode("ascii", "replace")
    counts = {line.split()[1]: int(line.split()[2])
              for line in header.splitlines() if line.startswith("element ")}
    assert len(mesh.vertices) == counts["vertex"]
    assert len(mesh.faces) == counts["face"]
    assert mesh.faces.shape[1] == 3
    assert np.isfinite(mesh.vertices).all()
    assert mesh.is_watertight, "the shipped torso is a closed surface"
    # metres, a human torso: between half a metre and two metres tall
    assert 0.5 < np.ptp(mesh.vertices[:, 1]) < 2.0


def test_formats_table_is_what_the_readme_promises():
    assert set(MESH_FORMATS) == {f".{ext}" for ext in FORMATS}


@pytest.mark.parametrize("ext", FORMATS)
def test_round_trip_every_format(tmp_path, ball, ext):
    path = write(ball, tmp_path / f"ball.{ext}")
    mesh = load_mesh(path)
    assert len(mesh.faces) == len(ball.faces)
    np.testing.assert_allclose(mesh.bounds, ball.bounds, atol=1e-5)
    np.testing.assert_allclose(mesh.area, ball.area, rtol=1e-5)


@pytest.mark.parametrize("ext", FORMATS)
def test_upper_case_extension(tmp_path, ball, ext):
    path = write(ball, tmp_path / f"ball.{ext}")
    upper = path.rename(tmp_path / f"BALL.{ext.upper()}")
    assert len(load_mesh(upper).faces) == len(ball.faces)


# --------------------------------------------------------------------------- bad files
def test_missing_file(tmp_path):
    expect_mesh_error(tmp_path / "nobody.obj", "no such file")


def test_a_directory(tmp_path):
    folder = tmp_path / "meshes.ply"
    folder.mkdir()
    expect_mesh_error(folder, "folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.ply"
    os.mkfifo(fifo)
    expect_mesh_error(fifo, "not a regular file")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads files whatever their mode (see the next test)")
def test_unreadable_file(tmp_path, ball):
    path = write(ball, tmp_path / "locked.ply")
    path.chmod(0)
    try:
        expect_mesh_error(path, "cannot be read", "permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_file_as_any_user(tmp_path, ball, monkeypatch):
    """The same case where chmod cannot block (root): make opening it fail with EACCES."""
    path = write(ball, tmp_path / "locked.ply")
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == path.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    expect_mesh_error(path, "cannot be read", "permission denied")


@pytest.mark.parametrize("ext", ["ply", "stl", "glb", "gltf", "obj", "off"])
def test_truncated_file(tmp_path, ball, ext):
    whole = write(ball, tmp_path / f"whole.{ext}").read_bytes()
    cut = tmp_path / f"cut.{ext}"
    cut.write_bytes(whole[: len(whole) // 2])
    expect_mesh_error(cut, "truncated")


def test_truncated_binary_stl_says_how_much_is_missing(tmp_path, ball):
    whole = write(ball, tmp_path / "whole.stl").read_bytes()
    (count,) = struct.unpack("<I", whole[80:84])
    assert count == len(ball.faces)
    cut = tmp_path / "cut.stl"
    cut.write_bytes(whole[: len(whole) // 2])
    expect_mesh_error(cut, f"{count:,} triangles", f"{len(whole) // 2:,} bytes")


@pytest.mark.parametrize("ext", FORMATS)
def test_empty_file(tmp_path, ext):
    empty = tmp_path / f"empty.{ext}"
    empty.touch()
    expect_mesh_error(empty, "is empty")


@pytest.mark.parametrize("name", ["points.xyz", "body.blend", "README", "torso.ply.bak"])
def test_unknown_extension(tmp_path, name):
    path = tmp_path / name
    path.write_text("1 2 3\n")
    err = expect_mesh_error(path, "unknown mesh format")
    for ext in FORMATS:  # the message lists what BackView does open
        assert f".{ext}" in str(err)


def test_random_bytes(tmp_path):
    rng = np.random.default_rng(7)
    for ext in ("ply", "glb", "stl"):
        path = tmp_path / f"noise.{ext}"
        path.write_bytes(rng.bytes(2000))
        expect_mesh_error(path, "corrupt")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("ext", ["obj", "ply", "stl", "off", "glb"])
def test_non_finite_vertices(tmp_path, ball, ext, bad):
    vertices = ball.vertices.copy()
    vertices[5, 1] = bad
    broken = trimesh.Trimesh(vertices, ball.faces, process=False)
    path = tmp_path / f"broken.{ext}"
    with np.errstate(invalid="ignore"):
        broken.export(path)
    err = expect_mesh_error(path, "not finite")
    assert err.field == "vertices"


def test_point_cloud_ply(tmp_path, ball):
    path = tmp_path / "scan.ply"
    trimesh.PointCloud(ball.vertices).export(path)
    err = expect_mesh_error(path, "no faces", "point cloud", f"{len(ball.vertices)} vertices")
    assert err.field == "faces"


def test_point_cloud_obj(tmp_path, ball):
    path = tmp_path / "scan.obj"
    path.write_text("".join(f"v {x:.6f} {y:.6f} {z:.6f}\n" for x, y, z in ball.vertices))
    expect_mesh_error(path, "no faces", "point cloud")


def test_vertices_but_no_faces_off(tmp_path):
    path = tmp_path / "three.off"
    path.write_text("OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n")
    expect_mesh_error(path, "no faces")


def test_text_that_is_not_a_mesh(tmp_path):
    path = tmp_path / "notes.obj"
    path.write_text("these are my massage notes, not a mesh\n")
    expect_mesh_error(path, "no vertices")


def test_gltf_that_is_not_json(tmp_path, ball):
    whole = write(ball, tmp_path / "ball.gltf").read_text()
    cut = tmp_path / "cut.gltf"
    cut.write_text(whole[: len(whole) // 3])
    expect_mesh_error(cut, "not valid JSON", "line 1")


def test_error_names_the_path_as_given(tmp_path):
    """The message carries the path the user typed, so they can find the file."""
    path = tmp_path / "sub dir" / "my body.obj"
    err = expect_mesh_error(path, "no such file")
    assert err.path == str(path)
    assert str(err) == f"{path}: no such file"


# --------------------------------------------------------------------------- the command line
BAD_CASES = {
    "missing": lambda d, ball: d / "gone.ply",
    "folder": lambda d, ball: (d / "dir.obj").mkdir() or d / "dir.obj",
    "empty": lambda d, ball: (d / "empty.stl").touch() or d / "empty.stl",
    "unknown": lambda d, ball: (d / "cloud.xyz").write_text("0 0 0\n") and d / "cloud.xyz",
    "truncated": lambda d, ball: _truncated(d, ball, "glb"),
    "point-cloud": lambda d, ball: trimesh.PointCloud(ball.vertices).export(d / "pc.ply")
    and d / "pc.ply",
}


def _truncated(folder: Path, ball, ext: str) -> Path:
    data = write(ball, folder / f"whole.{ext}").read_bytes()
    cut = folder / f"half.{ext}"
    cut.write_bytes(data[: len(data) // 2])
    return cut


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_cli_info_on_a_bad_mesh(tmp_path, ball, cli, one_line_error, case):
    path = BAD_CASES[case](tmp_path, ball)
    result = cli("info", "--mesh", path)
    one_line_error(result, path.name)
    assert result.stdout == ""


def test_cli_bad_mesh_relative_path(tmp_path, cli, one_line_error):
    (tmp_path / "empty.obj").touch()
    result = cli("info", "--mesh", "empty.obj", cwd=tmp_path)
    line = one_line_error(result, "empty.obj", "is empty")
    assert line == "backview: error: empty.obj: is empty"
