"""Benchmark: fitting the bones and kidneys under the skin (issue 13).

Prints figures (this is not a test), on the shipped torso:

* loading the shipped bone set and notes (first use in a process);
* ``fit_structures`` with the cache off: the real work;
* ``fit_structures`` with the cache on, once stored (hashing the body for the key, reading the
  ``.npz``);
* ``describe`` (what ``backview anatomy`` adds: levels, ranges, the inside-skin fraction).

Every cache goes to a temporary folder, never the user's. Run from the repository::

    python benchmarks/bench_anatomy.py [--runs 5]

Target (issue 13): the uncached fit <= 0.5 s on the shipped torso.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import viewer.core.cache as cache_mod  # noqa: E402
from viewer.core import structures  # noqa: E402
from viewer.core.body import Body  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out), max(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    body = Body.load()
    _ = body.mesh.vertex_normals  # the mesh loader's work, not the fit's
    t = time.perf_counter()
    structures.bone_set()
    structures.read_notes()
    load = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        cache_mod.default_cache_dir = lambda: Path(tmp)
        fit = timed(lambda: structures.fit_structures(body, cache=False), args.runs)
        structures.fit_structures(body)
        cached = timed(lambda: structures.fit_structures(body), args.runs)
        anatomy = structures.fit_structures(body)
        desc = timed(lambda: structures.describe(body, anatomy), args.runs)
    n_v = sum(len(s.vertices) for s in anatomy.structures)
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{len(body.mesh.faces):,} skin faces, {len(anatomy.structures)} structures, "
          f"{n_v:,} vertices")
    print(f"load bones + notes       {load * 1000:7.1f} ms (once per process)")
    print(f"fit, uncached            {fit[0] * 1000:7.1f} ms median, {fit[1] * 1000:.1f} max "
          f"(target <= 500 ms)")
    print(f"fit, cached              {cached[0] * 1000:7.1f} ms median, {cached[1] * 1000:.1f} max")
    print(f"describe (CLI rows)      {desc[0] * 1000:7.1f} ms median, {desc[1] * 1000:.1f} max")
    return 0


if __name__ == "__main__":
    sys.exit(main())
