"""The layering of README "Architecture": viewer.core is Qt-free and renderer-free, the command
line's headless commands never load Qt. Enforced by import-linter (contracts in pyproject.toml)
and checked here by importing the modules in a clean process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO, checkout_env

QT = ("PySide6", "shiboken6", "pyvistaqt", "qtpy", "PyQt5", "PyQt6")
# PIL is not listed: trimesh itself imports it (trimesh.visual), which is not the core's doing.
RENDERER = ("pyvista", "vtk", "vtkmodules")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """Run import-linter from the environment running the tests."""
    script = Path(sys.executable).with_name("lint-imports")
    if script.exists():
        cmd = [str(script), "--no-cache"]
    else:  # e.g. a Python whose scripts live elsewhere: the same command through its API
        cmd = [sys.executable, "-c",
               "import sys; from importlinter.cli import lint_imports; "
               "sys.exit(lint_imports(no_cache=True))"]
    env = checkout_env()
    env["PYTHONPATH"] = str(cwd)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_contracts_are_declared():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert config["root_package"] == "viewer"
    contracts = {c["name"]: c for c in config["contracts"]}
    qt_free = [c for c in contracts.values() if c["type"] == "forbidden"
               and "viewer.core" in c["source_modules"] and "PySide6" in c["forbidden_modules"]]
    assert qt_free, "no contract forbids viewer.core to import PySide6"
    layers = [c for c in contracts.values() if c["type"] == "layers"]
    assert layers and layers[0]["layers"][0] == "viewer.cli" and layers[0]["layers"][-1] == "viewer.core"


def test_import_linter_contracts_are_kept():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


def test_import_linter_catches_qt_in_the_core(tmp_path):
    """The contracts have teeth: a core module that imports Qt breaks them."""
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    shutil.copytree(REPO / "viewer", tmp_path / "viewer",
                    ignore=shutil.ignore_patterns("__pycache__", "_data"))
    (tmp_path / "viewer" / "core" / "sneaky.py").write_text("from PySide6 import QtCore\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "viewer.core.sneaky" in result.stdout and "PySide6" in result.stdout


def imported_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=checkout_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


IMPORT_ALL_CORE = """
import importlib, pkgutil
import viewer.core
for m in pkgutil.walk_packages(viewer.core.__path__, "viewer.core."):
    importlib.import_module(m.name)
import viewer.core.body, viewer.core.mesh, viewer.core.anatomy, viewer.core.paths
"""


def test_core_imports_neither_qt_nor_the_renderer():
    loaded = imported_after(IMPORT_ALL_CORE + "viewer.core.body.Body.load().frame\n")
    assert "trimesh" in loaded and "numpy" in loaded  # the probe did load the core
    assert not loaded & set(QT), loaded & set(QT)
    assert not loaded & set(RENDERER), loaded & set(RENDERER)


@pytest.mark.parametrize("argv", [["info"], ["info", "--json"], ["--help"]])
def test_headless_commands_never_load_qt(argv):
    code = (
        "import contextlib, io, viewer.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        status = viewer.cli.main({argv!r})\n"
        "    except SystemExit as exc:\n"
        "        status = exc.code\n"
        "assert status == 0, status\n"
    )
    loaded = imported_after(code)
    assert "viewer" in loaded
    assert not loaded & set(QT), loaded & set(QT)


def test_cli_modules_import_without_qt():
    code = (
        "import importlib, pkgutil, viewer.cli\n"
        "for m in pkgutil.walk_packages(viewer.cli.__path__, 'viewer.cli.'):\n"
        "    importlib.import_module(m.name)\n"
        "viewer.cli.build_parser()\n"
    )
    loaded = imported_after(code)
    assert not loaded & set(QT), loaded & set(QT)


def test_the_window_loads_no_export_or_lesson_code_before_it_is_used():
    """The first frame needs neither the export stack (Pillow layout, sessions) nor lessons:
    they are imported when a user exports or starts a lesson, not at start-up."""
    probe = ("import sys, json\nimport viewer.ui.app, viewer.ui.main_window\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('viewer.'))))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=checkout_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert "viewer.ui.view3d" in loaded  # the probe did load the window
    lazy = {"viewer.render.picture", "viewer.render.arrows", "viewer.ui.export_dialog", "viewer.core.lesson",
            "viewer.core.session"}
    assert not loaded & lazy, loaded & lazy
