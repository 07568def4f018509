"""Benchmark: automatic landmarks (``viewer.core.fitting.fit_landmarks``) against the truth.

Prints figures (this is not a test). The bodies are the anny test bodies of ``tests/data/bodies``
(``tools/build_test_bodies.py``; loaded by ``tests/bodies.py``), seven adults of the torso's
source topology whose landmarks were carried over from the shipped torso by topology. Each is
fitted as stored and as variants (:data:`bodies.VARIANTS`): remeshed to 50,000 triangles in
millimetres with Z up, turned 90 and 180 degrees about the up axis, and cut below the hips.

For each body and variant:

* **accuracy**: the distance of each fitted landmark from the truth, in cm (the mesh's units
  converted with the variant's known units; the units the fit detected are printed and a wrong
  detection is flagged); median, 90th percentile, max, and the worst landmarks over all cases;
* **zones**: the region map fitted with the fitted landmarks against the same map fitted with
  the truth (``assign_zones(Body(mesh, landmarks, unit=...), map)``, cache off), the relative
  difference of each zone's area; max and median per case, zones over 25 % flagged;
* **time**: the fit's wall time, in this process (``fit_landmarks`` called in-process one case
  after another; the first case also pays the imports and the template's loading), and the
  whole ``backview landmarks --mesh FILE --out FILE`` command as a fresh process on a
  50,000-triangle body (what a user waits for).

Targets (issue 12): median <= 1.5 cm, 90th percentile <= 3 cm, zone areas within 25 %; <= 10 s
for a 50k-face body on the 2-core machine. Run from the repository::

    python benchmarks/bench_landmarks.py [--bodies a,b] [--variants body,turned_90]
        [--cli-runs 3] [--skip-cli] [--fake-noise-cm 0.8]

``--fake-noise-cm`` replaces the fit by the truth plus that much noise (snapped to the skin):
a check of this script, not of the fit.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import numpy as np  # noqa: E402
import trimesh  # noqa: E402

import bodies  # noqa: E402  (tests/bodies.py)
import viewer.core.cache as cache_mod  # noqa: E402
from viewer.core.body import UNIT_SCALE, Body  # noqa: E402
from viewer.core.errors import BackViewError, RegionMapError  # noqa: E402
from viewer.core.regionmap import load_region_map  # noqa: E402
from viewer.core.zones import NO_ZONE, assign_zones  # noqa: E402

MEDIAN_TARGET_CM, P90_TARGET_CM, ZONE_TARGET, SECONDS_TARGET = 1.5, 3.0, 0.25, 10.0
#: the body written to a file for the command-line timing (a remeshed one has 50,000 triangles)
CLI_BODY, CLI_VARIANT = "average_man", "remeshed_mm_zup"


# ----------------------------------------------------------------------------- fitting
def real_fitter():
    from viewer.core.fitting import fit_landmarks
    return lambda mesh, truth, units: fit_landmarks(mesh)


def fake_fitter(noise_cm: float):
    """The truth moved by ``noise_cm`` (rms per axis) and snapped back to the skin."""
    from viewer.core.fitting import LandmarkFit
    rng = np.random.default_rng(12)

    def fit(mesh, truth, units):
        t0 = time.perf_counter()
        scale = noise_cm / 100.0 / UNIT_SCALE[units]
        pts = np.array(list(truth.values())) + rng.normal(0.0, scale, (len(truth), 3))
        snapped, _, _ = trimesh.proximity.closest_point(mesh, pts)
        return LandmarkFit(dict(zip(truth, snapped)), units, {}, f"fake (noise {noise_cm} cm)",
                           0.0, 0.0, {k: 1.0 for k in truth}, time.perf_counter() - t0)
    return fit


# ----------------------------------------------------------------------------- zones
def zone_areas(mesh, landmarks, unit, rmap) -> tuple[np.ndarray | None, str]:
    """Area (cm²) of each zone of ``rmap`` fitted with ``landmarks``, and a note when the map
    refused the body (its assignment is still used) or could not be fitted at all."""
    body = Body(mesh, dict(landmarks), unit=unit)
    note = ""
    try:
        result = assign_zones(body, rmap, cache=False)
    except RegionMapError as exc:
        result = getattr(exc, "assignment", None)
        note = f"map refused ({exc.problems[0].field.split(':')[0]})"
        if result is None:
            return None, note
    except BackViewError as exc:
        return None, f"no zones: {exc}"
    inside = result.face_zone != NO_ZONE
    areas = np.bincount(result.face_zone[inside], weights=result.face_area_cm2[inside],
                        minlength=len(rmap.zones))
    return areas, note


# ----------------------------------------------------------------------------- one case
def run_case(fit_fn, rmap, name: str, which: str) -> dict:
    units, up = bodies.VARIANTS[which]
    mesh, truth = bodies.variant(name, which)
    row = {"body": name, "variant": which, "faces": len(mesh.faces), "units": units}
    t0 = time.perf_counter()
    try:
        fit = fit_fn(mesh, truth, units)
    except Exception as exc:  # a refusal or a crash is a result here, not the end of the run
        row.update(seconds=time.perf_counter() - t0, failed=f"{type(exc).__name__}: {exc}")
        return row
    row["seconds"] = time.perf_counter() - t0
    unit = UNIT_SCALE[units]
    row["detected_units"] = fit.units
    found = [k for k in truth if k in fit.landmarks]
    row["missing"] = [k for k in truth if k not in fit.landmarks]
    row["errors"] = {k: float(np.linalg.norm(np.asarray(fit.landmarks[k], float) - truth[k]))
                     * unit * 100.0 for k in found}
    row["residual_cm"] = fit.residual_cm
    row["warnings"] = list(fit.warnings)
    truth_areas, truth_note = zone_areas(mesh, truth, unit, rmap)
    fit_areas, fit_note = zone_areas(mesh, fit.landmarks, unit, rmap)
    row["zone_notes"] = (truth_note, fit_note)
    if truth_areas is not None and fit_areas is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(fit_areas - truth_areas) / truth_areas
        rel[(truth_areas == 0) & (fit_areas == 0)] = 0.0
        rel[(truth_areas == 0) & (fit_areas > 0)] = np.inf
        row["zone_rel"] = dict(zip((z.id for z in rmap.zones), rel))
    return row


# ----------------------------------------------------------------------------- command line
def time_cli(runs: int) -> tuple[list[float], str, float | None]:
    """Wall seconds of ``backview landmarks --mesh FILE --out FILE`` (a fresh process each),
    the command's last output line, and its median landmark error (cm)."""
    from viewer.core.body import load_landmarks

    mesh, truth = bodies.variant(CLI_BODY, CLI_VARIANT)
    unit = UNIT_SCALE[bodies.VARIANTS[CLI_VARIANT][0]]
    times, last, median = [], "", None
    with tempfile.TemporaryDirectory(prefix="backview-bench-") as tmp:
        tmp = Path(tmp)
        path = tmp / f"{CLI_BODY}-{CLI_VARIANT}.ply"
        path.write_bytes(trimesh.exchange.ply.export_ply(mesh, encoding="binary"))
        out = tmp / "out.landmarks.json"
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache"),
               "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        for _ in range(runs):
            out.unlink(missing_ok=True)
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "viewer", "landmarks", "--mesh",
                                   str(path), "--out", str(out)], capture_output=True,
                                  text=True, env=env, cwd=tmp)
            times.append(time.perf_counter() - t0)
            lines = (proc.stdout + proc.stderr).strip().splitlines()
            last = f"exit {proc.returncode}: {lines[-1] if lines else '(no output)'}"
            if proc.returncode != 0:
                break
        if out.exists():
            doc = load_landmarks(out)
            errs = [np.linalg.norm(np.array(v) - truth[k]) * unit * 100
                    for k, v in doc.landmarks.items() if k in truth]
            median = float(np.median(errs)) if errs else None
    return times, last, median


# ----------------------------------------------------------------------------- report
def pct(x: float) -> str:
    return "inf" if not np.isfinite(x) else f"{100 * x:.0f}%"


def report(rows: list[dict]) -> None:
    print(f"{'body':17s} {'variant':16s} {'faces':>7s} {'units':>9s} {'time s':>7s} "
          f"{'median':>7s} {'p90':>6s} {'max':>6s}  {'zones max':>9s} {'median':>7s}  notes")
    print("-" * 118)
    for i, r in enumerate(rows):
        head = f"{r['body']:17s} {r['variant']:16s} {r['faces']:7,d}"
        if "failed" in r:
            print(f"{head} {r['units']:>9s} {r['seconds']:7.2f}  FAILED  {r['failed'][:60]}")
            continue
        e = np.array(list(r["errors"].values()))
        units = r["units"] if r["detected_units"] == r["units"] else \
            f"{r['detected_units']}!={r['units']}"
        notes = []
        if i == 0:
            notes.append("first in process")
        if r["missing"]:
            notes.append(f"{len(r['missing'])} missing")
        if r["warnings"]:
            notes.append(f"warning: {r['warnings'][0][:40]}")
        zt = ""
        if "zone_rel" in r:
            rel = np.array(list(r["zone_rel"].values()))
            over = [z for z, v in r["zone_rel"].items() if v > ZONE_TARGET]
            zt = f"{pct(rel.max()):>9s} {pct(float(np.median(rel))):>7s}"
            if over:
                notes.append(f"> 25 %: {', '.join(over[:3])}{' …' if len(over) > 3 else ''}")
        else:
            zt = f"{'-':>9s} {'-':>7s}"
        for who, note in zip(("truth", "fit"), r.get("zone_notes", ())):
            if note:
                notes.append(f"{who}: {note[:50]}")
        print(f"{head} {units:>9s} {r['seconds']:7.2f} {np.median(e):7.2f} "
              f"{np.percentile(e, 90):6.2f} {e.max():6.2f}  {zt}  {'; '.join(notes)}")

    ok = [r for r in rows if "errors" in r]
    failed = [r for r in rows if "failed" in r]
    if not ok:
        print("\nno fit succeeded")
        return
    print("\nall landmark errors pooled (cm):")
    groups = {"all": ok, **{v: [r for r in ok if r["variant"] == v] for v in bodies.VARIANTS}}
    for label, group in groups.items():
        if not group:
            continue
        e = np.concatenate([list(r["errors"].values()) for r in group])
        print(f"  {label:16s} {len(group):3d} fits  median {np.median(e):5.2f}  "
              f"p90 {np.percentile(e, 90):5.2f}  max {e.max():5.2f}")
    e = np.concatenate([list(r["errors"].values()) for r in ok])
    med, p90 = float(np.median(e)), float(np.percentile(e, 90))
    print(f"  target median <= {MEDIAN_TARGET_CM} cm: {'met' if med <= MEDIAN_TARGET_CM else 'NOT met'}"
          f" ({med:.2f}); p90 <= {P90_TARGET_CM} cm: "
          f"{'met' if p90 <= P90_TARGET_CM else 'NOT met'} ({p90:.2f})"
          + (f"; {len(failed)} fits failed" if failed else ""))

    names = sorted({k for r in ok for k in r["errors"]})
    per = {k: np.array([r["errors"][k] for r in ok if k in r["errors"]]) for k in names}
    worst = sorted(names, key=lambda k: -np.median(per[k]))[:8]
    print("\nworst landmarks (median / max over the fits, cm):")
    for k in worst:
        print(f"  {k:32s} {np.median(per[k]):5.2f} / {per[k].max():5.2f}")

    with_zones = [r for r in ok if "zone_rel" in r]
    if with_zones:
        rel = np.array([v for r in with_zones for v in r["zone_rel"].values()])
        over = sum(1 for r in with_zones for v in r["zone_rel"].values() if v > ZONE_TARGET)
        print(f"\nzone areas, fitted vs truth landmarks: median {pct(float(np.median(rel)))}, "
              f"max {pct(rel.max())}; {over} of {len(rel)} zone areas over 25 % "
              f"({'met' if over == 0 else 'NOT met'})")
        by_zone: dict[str, list[float]] = {}
        for r in with_zones:
            for z, v in r["zone_rel"].items():
                by_zone.setdefault(z, []).append(v)
        bad = sorted(by_zone, key=lambda z: -np.median(by_zone[z]))[:5]
        print("  zones furthest off (median / max): " + ", ".join(
            f"{z} {pct(float(np.median(by_zone[z])))}/{pct(max(by_zone[z]))}" for z in bad))
    big = [r for r in ok if r["faces"] >= 45_000]
    if big:
        t = [r["seconds"] for r in big]
        print(f"\nfit time at ~50k faces (in-process): median {statistics.median(t):.1f} s, "
              f"max {max(t):.1f} s (target <= {SECONDS_TARGET:g} s)")
    t = [r["seconds"] for r in ok]
    print(f"fit time, all fits: median {statistics.median(t):.1f} s, max {max(t):.1f} s")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bodies", help="comma-separated body names (default: all)")
    p.add_argument("--variants", help=f"comma-separated, of {', '.join(bodies.VARIANTS)}")
    p.add_argument("--cli-runs", type=int, default=3, help="runs of the command (default 3)")
    p.add_argument("--skip-cli", action="store_true", help="no command-line timing")
    p.add_argument("--fake-noise-cm", type=float,
                   help="check this script: the truth plus noise instead of the fit")
    args = p.parse_args(argv)
    names = args.bodies.split(",") if args.bodies else bodies.names()
    variants = args.variants.split(",") if args.variants else list(bodies.VARIANTS)

    cache = Path(tempfile.mkdtemp(prefix="backview-bench-"))
    cache_mod.default_cache_dir = lambda: cache  # never the user's cache
    rmap = load_region_map()
    fit_fn = fake_fitter(args.fake_noise_cm) if args.fake_noise_cm is not None else real_fitter()
    print(f"BackView landmark-fit benchmark - {platform.python_implementation()} "
          f"{platform.python_version()}, numpy {np.__version__}, trimesh {trimesh.__version__}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{len(names)} bodies x {len(variants)} variants; map {rmap.label}; fit "
          f"{'FAKE: truth + %g cm noise' % args.fake_noise_cm if args.fake_noise_cm is not None else 'in-process'}\n")

    rows = []
    for name in names:
        for which in variants:
            rows.append(run_case(fit_fn, rmap, name, which))
            r = rows[-1]
            status = r.get("failed") or f"median {np.median(list(r['errors'].values())):.2f} cm"
            print(f"  {name} / {which}: {r['seconds']:.1f} s, {status}", flush=True)
    print()
    report(rows)

    if not args.skip_cli and args.fake_noise_cm is None and args.cli_runs > 0:
        times, last, median = time_cli(args.cli_runs)
        faces = len(bodies.variant(CLI_BODY, CLI_VARIANT)[0].faces)
        print(f"\n`backview landmarks --mesh FILE --out FILE` ({CLI_BODY} {CLI_VARIANT}, "
              f"{faces:,} faces, binary PLY), fresh process each: "
              + ", ".join(f"{t:.1f}" for t in times) + f" s; median {statistics.median(times):.1f} s"
              f" (target <= {SECONDS_TARGET:g} s)")
        print(f"  {last}" + (f"; median error {median:.2f} cm" if median is not None else ""))
    for path in cache.iterdir():
        path.unlink()
    cache.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
