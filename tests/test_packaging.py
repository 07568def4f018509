"""The wheel carries the shipped data, and an installed BackView finds it away from the checkout."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

SHIPPED_DATA = (
    "viewer/_data/meshes/torso.ply",
    "viewer/_data/meshes/torso.landmarks.json",
    "viewer/_data/meshes/ATTRIBUTION.md",
    "viewer/_data/region_maps/back-massage-guide.txt",
    "viewer/render/picture/html_page.html",  # the web page's overlay (export --out FILE.html)
)


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from this checkout (hatchling; reuses it when installed here)."""
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)]
    if importlib.util.find_spec("hatchling") is not None:
        cmd.insert(4, "--no-build-isolation")  # no download of the build backend
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("backview-*.whl")
    return built


@pytest.mark.slow
def test_wheel_contains_the_shipped_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in SHIPPED_DATA if n not in names]
    assert missing == [], f"not in {wheel.name}: {missing}"
    assert "viewer/cli/__init__.py" in names and "viewer/core/body.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("tests/", "tools/"))]
    # the data in the wheel is byte-for-byte the committed data
    with zipfile.ZipFile(wheel) as zf:
        for name in SHIPPED_DATA:
            source = REPO / name.removeprefix("viewer/_data/")
            assert zf.read(name) == source.read_bytes(), name
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "backview = viewer.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_installed_wheel_finds_its_mesh_away_from_the_checkout(wheel, tmp_path):
    """Install the wheel in a fresh venv and run ``backview info`` from an unrelated folder.

    The new venv reuses the dependencies of the environment running the tests (a ``.pth`` file
    pointing at its site-packages), so nothing is downloaded. ``--system-site-packages`` would
    not do: when the tests run inside a venv, "system" means the base Python, not this venv.
    """
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    purelib = Path(subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True).strip())
    # Install first, then expose our dependencies: pip would otherwise find the backview that
    # ``pip install .`` put in this environment and call the requirement already satisfied.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--ignore-installed", str(wheel)],
        capture_output=True, text=True, timeout=120)
    assert install.returncode == 0, install.stdout + install.stderr
    assert "Successfully installed backview" in install.stdout, install.stdout
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "_backview_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    backview = bindir / ("backview.exe" if os.name == "nt" else "backview")
    assert backview.exists(), "the wheel did not install the backview command"

    def run(*args):
        result = subprocess.run([str(backview), *args], cwd=workdir, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    where = subprocess.check_output(
        [str(python), "-c", "import viewer; print(viewer.__file__)"], cwd=workdir, env=env,
        text=True).strip()
    assert Path(where).is_relative_to(purelib), f"imported viewer from {where}, not the wheel"

    out = run("info")
    mesh_line = out.splitlines()[0]
    mesh_path = Path(mesh_line.split(None, 1)[1])
    assert "site-packages" in mesh_path.parts, mesh_line
    assert mesh_path.is_relative_to(purelib), mesh_line
    assert mesh_path.as_posix().endswith("viewer/_data/meshes/torso.ply")
    assert f"from {mesh_path.with_name('torso.landmarks.json')}" in out
    assert "vertices   27,578" in out
    assert str(REPO) not in out, "the installed viewer read the checkout's files"

    assert run("--version").strip() == f"BackView {project()['version']}"


# --------------------------------------------------------------------------- shipped data
def test_landmarks_file_belongs_to_the_shipped_mesh(shipped_landmarks_doc):
    assert shipped_landmarks_doc["mesh"] == "torso.ply"
    assert shipped_landmarks_doc["units"] == "m"
    assert (REPO / "meshes" / shipped_landmarks_doc["mesh"]).is_file()


def test_data_paths_point_at_the_checkout_data():
    from viewer.core import paths

    assert paths.default_mesh().resolve() == (REPO / "meshes" / "torso.ply").resolve()
    assert paths.guide_text_path().resolve() == (
        REPO / "region_maps" / "back-massage-guide.txt").resolve()


def test_attribution_names_source_and_licence():
    text = (REPO / "meshes" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "CC0" in text and "MakeHuman" in text
    assert "meshes/ATTRIBUTION.md" in project()["license-files"]


def test_guide_text_matches_the_project_guide():
    """region_maps/back-massage-guide.txt is a verbatim copy of the project's guide."""
    guide = Path(os.environ.get("BACKVIEW_GUIDE",
                                REPO.parent / "shared" / "guide" / "back-massage-guide.txt"))
    if not guide.is_file():
        pytest.skip(f"the project guide is not at {guide} (set BACKVIEW_GUIDE to check it)")
    ours = REPO / "region_maps" / "back-massage-guide.txt"
    assert ours.read_bytes() == guide.read_bytes()
