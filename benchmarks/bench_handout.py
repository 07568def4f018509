"""Benchmark: the printable handout (issue 17), ``backview handout --out FILE.pdf``.

Prints figures (this is not a test): the whole command as a fresh process, wall-clock and CPU
time (user + system of the child), for A4 and US letter, with and without a screening; then, in
one process, the time spent rendering the pictures against the rest (layout, fonts, PDF).
Caches go to a temporary folder (the first run of each process fills it, like a first use).
Run from the repository::

    python benchmarks/bench_handout.py [--runs 3]

Target (issue 17): the full handout <= 15 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CASES = {
    "a4": [],
    "letter": ["--size", "letter"],
    "a4 screened": ["--condition", "dvt", "--condition", "bruising",
                    "--mark", "inferior_angle_left:5:Bruise"],
}


def run_once(args: list[str], out: Path, env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "viewer", "handout", "--out", str(out), *args],
                   check=True, cwd=REPO, env=env, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=str(Path(tmp) / "cache"),
                   PYTHONPATH=str(REPO))
        out = Path(tmp) / "handout.pdf"
        run_once([], out, env)        # fills the zone cache, as a second use finds it
        for name, extra in CASES.items():
            walls, cpus = zip(*(run_once(extra, out, env) for _ in range(args.runs)))
            print(f"{name:12s} wall median {statistics.median(walls):5.1f} s "
                  f"(min {min(walls):.1f}, max {max(walls):.1f}); CPU median "
                  f"{statistics.median(cpus):5.1f} s; {out.stat().st_size / 1e6:.2f} MB")
        sys.path.insert(0, str(REPO))
        os.environ["XDG_CACHE_HOME"] = env["XDG_CACHE_HOME"]
        from viewer.core.body import Body
        from viewer.core.lesson import load_lesson
        from viewer.render.handout import export_handout
        from viewer.render.picture import quiet_vtk
        from viewer.render.scene import BodyScene

        quiet_vtk()
        lesson = load_lesson()
        t = time.perf_counter()
        scene = BodyScene(Body.load(), lesson.rmap)
        built = time.perf_counter() - t
        result = export_handout(scene, lesson, out)
        print(f"in one process: scene {built:.2f} s, handout {result.seconds:.2f} s of which "
              f"{result.pictures} pictures {result.render_seconds:.2f} s; {result.pages} pages")
    print("target: the full handout <= 15 s")


if __name__ == "__main__":
    main()
