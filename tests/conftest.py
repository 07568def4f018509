"""Shared fixtures. The test suite is Qt-free unless a test is marked ``gui``.

The tests import ``viewer`` from this checkout (not from a copy installed in site-packages), and
run the command line as ``python -m viewer`` with the checkout first on ``PYTHONPATH``, so what is
tested is the code in front of you. ``tests/test_packaging.py`` tests the installed wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
elif sys.path[0] != str(REPO):
    sys.path.remove(str(REPO))
    sys.path.insert(0, str(REPO))

# a child process that imports ``viewer`` from this checkout: one definition, beside the browser
from browser_support import checkout_env  # noqa: E402,F401 (tests import it from here)

SHIPPED_MESH = REPO / "meshes" / "torso.ply"
SHIPPED_LANDMARKS = REPO / "meshes" / "torso.landmarks.json"
#: a hung command fails the test instead of hanging the run
CLI_TIMEOUT = 60


@pytest.fixture(scope="session", autouse=True)
def zone_cache(tmp_path_factory):
    """Never touch the user's cache: every zone and scene cache of the run goes to a temporary
    folder (this one, in-process) and child processes get a temporary XDG_CACHE_HOME."""
    folder = tmp_path_factory.mktemp("zone-cache")
    mp = pytest.MonkeyPatch()
    mp.setattr("viewer.core.cache.default_cache_dir", lambda: folder)  # the one cache folder
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    yield folder
    mp.undo()


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shipped_mesh_path() -> Path:
    return SHIPPED_MESH


@pytest.fixture(scope="session")
def shipped_landmarks_path() -> Path:
    return SHIPPED_LANDMARKS


@pytest.fixture(scope="session")
def shipped_landmarks_doc() -> dict:
    return json.loads(SHIPPED_LANDMARKS.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def body():
    """The shipped torso with its landmarks (loaded once; do not modify it)."""
    from viewer.core.body import Body

    return Body.load()


@pytest.fixture(scope="module")
def rmap():
    """The shipped region map (one per test module)."""
    from viewer.core.regionmap import load_region_map

    return load_region_map()


@pytest.fixture(scope="module")
def assignment(body, rmap):
    """The shipped map fitted to the shipped torso, uncached (one per test module)."""
    from viewer.core.zones import assign_zones

    return assign_zones(body, rmap, cache=False)


def run_cli(*args: str, cwd: str | Path | None = None,
            timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``backview ARGS`` (as ``python -m viewer``) from this checkout; capture text output."""
    return subprocess.run(
        [sys.executable, "-m", "viewer", *map(str, args)],
        cwd=cwd or REPO, env=checkout_env(), capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


def assert_one_line_error(result: subprocess.CompletedProcess, *must_contain: str) -> str:
    """A user mistake: exit status 2, exactly one line on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("backview: error: "), line
    for text in must_contain:
        assert text in line, f"{text!r} not in {line!r}"
    return line


@pytest.fixture
def one_line_error():
    return assert_one_line_error


# --------------------------------------------------------------------------- region maps and zones
# Fixtures for tests/test_region_map.py, test_zone_assignment.py and test_cli_zones.py.

SHIPPED_MAP = REPO / "region_maps" / "back-massage.toml"
SHIPPED_GUIDE = REPO / "region_maps" / "back-massage-guide.txt"


@pytest.fixture(scope="session")
def shipped_map_path() -> Path:
    return SHIPPED_MAP


@pytest.fixture(scope="session")
def shipped_map_doc() -> dict:
    """The shipped region map as plain TOML data, read without viewer.core (copy before changing)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    return tomllib.loads(SHIPPED_MAP.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def write_region_map():
    """``write(doc_or_text, path) -> path``: a region map written to ``path`` (a dict goes through
    tomli_w) with a copy of the shipped guide beside it, which the map cites by relative name."""
    import shutil

    def write(doc, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(doc, dict):
            import tomli_w

            doc = tomli_w.dumps(doc)
        path.write_text(doc, encoding="utf-8")
        shutil.copyfile(SHIPPED_GUIDE, path.parent / SHIPPED_GUIDE.name)
        return path

    return write


@pytest.fixture(scope="session")
def isolated_cli_env(tmp_path_factory) -> dict[str, str]:
    """A child ``backview`` whose caches (XDG_CACHE_HOME) go to a temporary folder, never the user's."""
    return checkout_env(XDG_CACHE_HOME=str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(scope="session")
def run_cli_isolated(isolated_cli_env):
    """Like ``run_cli``, with the child's caches in a temporary folder."""

    def run(*args, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "viewer", *map(str, args)], cwd=REPO,
                              env=isolated_cli_env, capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture(scope="session")
def run_cli_many(isolated_cli_env):
    """``run_many({key: args})`` -> ``{key: CompletedProcess}``: several ``backview`` commands at
    once (each has CLI_TIMEOUT), caches in a temporary folder. Saves wall time on start-up."""
    from concurrent.futures import ThreadPoolExecutor

    def one(args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "viewer", *map(str, args)], cwd=REPO,
                              env=isolated_cli_env, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT)

    def run_many(commands: dict) -> dict:
        workers = max(2, min(len(commands), (os.cpu_count() or 2) + 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {key: pool.submit(one, args) for key, args in commands.items()}
            return {key: f.result() for key, f in futures.items()}

    return run_many


#: the user mesh of ``user_body_mm``: the shipped torso turned 90 degrees about x (lying prone),
#: moved, and written in millimetres
USER_ROTATION_AXIS = (1.0, 0.0, 0.0)
USER_TRANSLATION_M = (0.30, -1.20, 0.70)


def to_user_frame(points):
    """Shipped coordinates (m) -> the user mesh's coordinates (mm): rotate, translate, scale."""
    import numpy as np
    import trimesh

    rot = trimesh.transformations.rotation_matrix(np.pi / 2, USER_ROTATION_AXIS)[:3, :3]
    return (np.asarray(points, float) @ rot.T + np.asarray(USER_TRANSLATION_M)) * 1000.0


@pytest.fixture(scope="session")
def user_body_mm(tmp_path_factory, shipped_landmarks_doc) -> Path:
    """``user.ply`` + ``user.landmarks.json`` (units 'mm'): the shipped torso and landmarks
    rotated, translated and scaled to millimetres, same vertex and face order. Returns the mesh."""
    import trimesh

    folder = tmp_path_factory.mktemp("user-mesh")
    shipped = trimesh.load(SHIPPED_MESH, process=False)
    mesh = trimesh.Trimesh(to_user_frame(shipped.vertices), shipped.faces, process=False)
    mesh_path = folder / "user.ply"
    mesh.export(mesh_path)
    doc = dict(shipped_landmarks_doc)
    doc["mesh"] = mesh_path.name
    doc["units"] = "mm"
    doc.pop("axes", None)
    doc["landmarks"] = {k: to_user_frame(v).tolist() for k, v in shipped_landmarks_doc["landmarks"].items()}
    (folder / "user.landmarks.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return mesh_path


#: how far (m) ``overlap_body`` moves the right superior angle up: far enough that the right
#: shoulder blade's medial-border band reaches into the upper trapezius, as on a heavier body
OVERLAP_LIFT_M = 0.03


@pytest.fixture(scope="session")
def overlap_body(tmp_path_factory, shipped_landmarks_doc) -> Path:
    """``body.ply`` (a copy of the shipped torso) with landmarks whose right superior angle of
    the shoulder blade lies 3 cm higher: there the band of 'scapular-edges-right' (petrissage
    light-only) meets 'upper-trapezius-right' (light pressure, petrissage recommended), which
    wins as the lower pressure. The two never meet on the shipped torso. Returns the mesh."""
    import shutil

    folder = tmp_path_factory.mktemp("overlap-body")
    mesh_path = folder / "body.ply"
    shutil.copyfile(SHIPPED_MESH, mesh_path)
    doc = json.loads(json.dumps(shipped_landmarks_doc))
    doc["mesh"] = mesh_path.name
    doc["landmarks"]["superior_angle_right"][1] += OVERLAP_LIFT_M  # +Y is up on the torso
    (folder / "body.landmarks.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return mesh_path
