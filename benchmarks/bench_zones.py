"""Benchmark: fitting the region map to a body, and building the scene's cut surface.

Prints figures (this is not a test). Measures, on the shipped torso and on a copy subdivided
twice (every triangle into 16, landmarks unchanged, ~0.9M faces):

* ``assign_zones`` with the cache off (``cache=False``): the real work;
* ``assign_zones`` with the cache on, once stored: what a second start costs (hashing the
  mesh and map for the key, then reading the ``.npz``);
* ``cache_key`` alone (part of every cached start);
* ``BodyScene`` construction (the surface cut exactly along the zone borders) without and with
  its cached surface.

Every cache goes to a temporary folder, never the user's. Run from the repository::

    python benchmarks/bench_zones.py [--runs 5] [--scene-runs 3] [--skip-scene]

Target (issue 4): assignment <= 0.3 s at 1M faces on a 2-core machine; the cached start near
instant.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import trimesh  # noqa: E402

import viewer.core.cache as cache_mod  # noqa: E402
import viewer.core.zones as zones  # noqa: E402
from viewer.core.body import Body  # noqa: E402
from viewer.core.regionmap import load_region_map  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:
    """(min, median) wall seconds of ``fn()`` over ``runs`` calls."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def subdivided(body: Body, times: int = 2) -> Body:
    v, f = np.asarray(body.mesh.vertices), np.asarray(body.mesh.faces)
    for _ in range(times):
        v, f = trimesh.remesh.subdivide(v, f)
    mesh = trimesh.Trimesh(v, f, process=False)
    return Body(mesh, dict(body.landmarks), body.mesh_path, body.landmarks_path, body.unit)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="runs per assignment figure (default 5)")
    p.add_argument("--scene-runs", type=int, default=3, help="runs per scene figure (default 3)")
    p.add_argument("--skip-scene", action="store_true", help="assignment only")
    args = p.parse_args(argv)

    cache = Path(tempfile.mkdtemp(prefix="backview-bench-"))
    cache_mod.default_cache_dir = lambda: cache  # never the user's cache
    scene_mod = None
    if not args.skip_scene:
        import viewer.render.scene as scene_mod

    rmap = load_region_map()
    shipped = Body.load()
    t0 = time.perf_counter()
    big = subdivided(shipped)
    t_sub = time.perf_counter() - t0

    print(f"BackView zone benchmark - {platform.python_implementation()} {platform.python_version()}, "
          f"numpy {np.__version__}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"map {rmap.label}: {len(rmap.zones)} zones; cache in {cache}")
    print(f"subdividing took {t_sub:.1f} s\n")

    rows = []
    for label, body in (("shipped", shipped), ("subdivided", big)):
        n = len(body.mesh.faces)
        zones.assign_zones(body, rmap, cache=False)  # warm-up: imports, page faults
        rows.append((label, n, "assign_zones, cache off",
                     *timed(lambda: zones.assign_zones(body, rmap, cache=False), args.runs)))
        rows.append((label, n, "cache_key (hash mesh+map)",
                     *timed(lambda: zones.cache_key(body, rmap), args.runs)))
        first = zones.assign_zones(body, rmap, cache_dir=cache)
        assert not first.from_cache
        assert zones.assign_zones(body, rmap, cache_dir=cache).from_cache
        rows.append((label, n, "assign_zones, cached",
                     *timed(lambda: zones.assign_zones(body, rmap, cache_dir=cache), args.runs)))
        if scene_mod is not None:
            assignment = first
            surface_file = scene_mod._cache_file(zones.cache_key(body, rmap))

            def uncached():
                surface_file.unlink(missing_ok=True)
                scene_mod.BodyScene(body, rmap, assignment)

            rows.append((label, n, "BodyScene (surface cut), uncached",
                         *timed(uncached, args.scene_runs)))
            scene_mod.BodyScene(body, rmap, assignment)  # store
            rows.append((label, n, "BodyScene, cached surface",
                         *timed(lambda: scene_mod.BodyScene(body, rmap, assignment),
                                args.scene_runs)))

    print(f"{'mesh':11s} {'faces':>9s}  {'what':36s} {'min s':>8s} {'median s':>9s}")
    print("-" * 78)
    for label, n, what, lo, med in rows:
        print(f"{label:11s} {n:9,d}  {what:36s} {lo:8.3f} {med:9.3f}")
    big_assign = next(r for r in rows if r[0] == "subdivided" and r[2] == "assign_zones, cache off")
    per_million = big_assign[3] * 1e6 / big_assign[1]
    print(f"\nassignment at 1M faces (scaled from the subdivided mesh): {per_million:.3f} s "
          f"(target <= 0.3 s)")
    for path in cache.iterdir():
        path.unlink()
    cache.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
