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

SHIPPED_MESH = REPO / "meshes" / "torso.ply"
SHIPPED_LANDMARKS = REPO / "meshes" / "torso.landmarks.json"
#: a hung command fails the test instead of hanging the run
CLI_TIMEOUT = 60


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


def checkout_env(**extra: str) -> dict[str, str]:
    """The environment for a child process that must import ``viewer`` from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    env.update(extra)
    return env


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
