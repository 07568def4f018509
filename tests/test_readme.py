"""The README's two set-up commands are the ones CI runs, and the documented sections exist."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import REPO

VIEWER_COMMAND = ("sh tools/install-system-deps.sh && python3 -m venv .venv && "
                  ".venv/bin/pip install . && .venv/bin/backview")
TEST_COMMAND = ("sh tools/install-system-deps.sh && python3 -m venv .venv && "
                ".venv/bin/pip install '.[test]' && .venv/bin/python -m pytest")


@pytest.fixture(scope="module")
def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def fenced_block_under(readme: str, heading: str) -> str:
    """The first fenced code block of the ``## heading`` section."""
    section = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert section, f"README has no '## {heading}' section"
    block = re.search(r"^```[a-z]*\n(.*?)^```", section.group(1), re.M | re.S)
    assert block, f"no code block under '## {heading}'"
    return block.group(1).strip()


def test_readme_gives_the_two_commands_verbatim(readme):
    assert fenced_block_under(readme, "Install and start the viewer") == VIEWER_COMMAND
    assert fenced_block_under(readme, "Install and run the tests") == TEST_COMMAND
    # exactly two set-up commands: no other line of the README creates a venv
    assert readme.count("python3 -m venv") == 2


def test_ci_runs_the_readme_test_command(readme):
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines()
                if line.strip() and not line.lstrip().startswith(("#", "echo"))]
    assert any(line.startswith(TEST_COMMAND) for line in commands), \
        ".ci/run does not run the README's test command"
    assert TEST_COMMAND in ci
    assert "set -euo pipefail" in ci
    assert ".venv/bin/lint-imports" in ci
    assert "/tmp/venv" not in ci  # the CI makes its own venv


def test_ci_script_is_valid_bash():
    result = subprocess.run(["bash", "-n", str(REPO / ".ci" / "run")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_install_script_is_posix_sh():
    script = REPO / "tools" / "install-system-deps.sh"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/sh\n")
    assert "apt-cache policy" in text and "--no-install-recommends" in text
    for shell in ("sh", "dash"):
        try:
            result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
        except FileNotFoundError:
            continue
        assert result.returncode == 0, (shell, result.stderr)


@pytest.mark.parametrize("heading", [
    "Install and start the viewer", "Install and run the tests", "Coordinates", "The torso model",
    "Landmarks", "Command line", "Loading your own mesh", "Architecture", "Benchmarks", "Licence",
])
def test_readme_sections(readme, heading):
    assert re.search(rf"^## {re.escape(heading)}$", readme, re.M), heading


def test_readme_links_resolve(readme):
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if "://" not in target:
            assert (REPO / target).exists(), target
