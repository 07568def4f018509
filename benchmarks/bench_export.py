"""Benchmark: an annotated 3840x2160 export against a plain pyvista screenshot of the same scene.

    python benchmarks/bench_export.py [--reps 5] [--size 3840x2160]

Both sides do the whole job from a built scene to a PNG file on disk, side by side in one run,
alternating, after one warm-up of each (shader compilation):

- plain: a fresh off-screen ``pv.Plotter`` at the size, the same ``SceneActors`` (same colours,
  line widths and camera), ``plotter.screenshot("plain.png")``, close;
- annotated: ``export_image`` (render at the same size, z-buffer read, labels, legend, callout,
  pins, PNG with metadata, atomic write).

Prints min and median seconds of each, the ratio of the medians (target <= 1.3) and where the
annotated export spends its time.

Then the whole command as a user runs it: ``python -m viewer export --size WxH`` against a
``python`` process that reads the same mesh with pyvista and saves an off-screen screenshot at
the same size, both fresh processes (imports, files, rendering, PNG), alternating, ``--reps``
times each after one warm-up. Prints the median of each and their ratio (target <= 1.1).
Software OpenGL (llvmpipe) is slow; compare ratios, not seconds.

``--only xray``: one x-ray frame (bones and kidneys under the skin at 30 % opacity) against one
opaque frame of the same scene, the same plotter size and camera (``render_window.Render()``,
median of ``--reps`` x 10 frames, after a warm-up), and the time to fit the structures. Prints
the ratio (target <= 2).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyvista as pv  # noqa: E402

from viewer.core.body import Body  # noqa: E402
from viewer.core.options import parse_size  # noqa: E402
from viewer.core.regionmap import load_region_map  # noqa: E402
from viewer.render import picture as ex  # noqa: E402
from viewer.render.actors import SceneActors  # noqa: E402
from viewer.render.picture import Style, pipeline, write  # noqa: E402
from viewer.render.scene import BodyScene  # noqa: E402

TARGET = 1.3
XRAY_TARGET = 2.0
PROCESS_TARGET = 1.1
REPO = Path(__file__).resolve().parents[1]

#: the baseline process: pyvista alone, the same mesh, the same size, a PNG on disk
PLAIN_PROCESS = r"""
import sys
import pyvista as pv
mesh, out, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
plotter = pv.Plotter(off_screen=True, window_size=(w, h))
plotter.add_mesh(pv.read(mesh), smooth_shading=True)
plotter.screenshot(out)
plotter.close()
"""


def run_process(args: list[str]) -> float:
    environment = dict(os.environ, PYTHONPATH=str(REPO), PYTHONWARNINGS="ignore")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{args[:2]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds


def whole_processes(reps: int, W: int, H: int) -> float:
    """``backview export`` against a plain pyvista screenshot, each a fresh process."""
    mesh = REPO / "meshes" / "torso.ply"
    with tempfile.TemporaryDirectory() as tmp:
        plain_png, export_png = Path(tmp) / "plain.png", Path(tmp) / "export.png"
        plain_cmd = ["-c", PLAIN_PROCESS, str(mesh), str(plain_png), str(W), str(H)]
        export_cmd = ["-m", "viewer", "export", "--out", str(export_png), "--size", f"{W}x{H}"]
        run_process(plain_cmd)   # warm-up: the OS file cache, the zone cache
        run_process(export_cmd)
        plain_times, export_times = [], []
        for _ in range(reps):
            plain_times.append(run_process(plain_cmd))
            export_times.append(run_process(export_cmd))
    pm, em = statistics.median(plain_times), statistics.median(export_times)
    ratio = em / pm
    print(f"\nwhole processes, {W}x{H}, {reps} repetitions each, alternating")
    print(f"python + pyvista screenshot   min {min(plain_times):6.3f} s  median {pm:6.3f} s")
    print(f"python -m viewer export       min {min(export_times):6.3f} s  median {em:6.3f} s")
    print(f"ratio (median/median)         {ratio:.2f}x   target <= {PROCESS_TARGET}x   "
          f"{'OK' if ratio <= PROCESS_TARGET else 'OVER TARGET'}")
    return ratio


def plain(scene: BodyScene, opts: ex.ExportOptions, out: Path) -> None:
    W, H = opts.size
    style = Style.for_size(W, H)
    plotter = pv.Plotter(off_screen=True, window_size=(W, H))
    try:
        actors = SceneActors(plotter, scene, opts.mode, line_scale=style.line_scale,
                             palette=opts.palette)
        actors.set_view(opts.view, W / H)
        plotter.screenshot(str(out))
    finally:
        plotter.close()


class Timer:
    """Wraps a module function to add up the seconds spent in it."""

    def __init__(self, module, name):
        self.module, self.name, self.total = module, name, 0.0
        self.original = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - t

        setattr(module, name, timed)


def frame_seconds(plotter, frames: int) -> float:
    plotter.render_window.Render()      # warm-up: shaders
    t = time.perf_counter()
    for _ in range(frames):
        plotter.render_window.Render()
    return (time.perf_counter() - t) / frames


def xray_frames(scene: BodyScene, reps: int, W: int, H: int) -> float:
    """An x-ray frame against an opaque one, each in its own off-screen plotter, alternating."""
    from viewer.core.structures import fit_structures

    t = time.perf_counter()
    anatomy = fit_structures(scene.body)
    fit = time.perf_counter() - t
    plotters = {}
    for name in ("opaque", "x-ray"):
        plotter = pv.Plotter(off_screen=True, window_size=(W, H))
        actors = SceneActors(plotter, scene)
        actors.set_view("back", W / H)
        if name == "x-ray":
            actors.set_layers(anatomy, {"skin", "bones", "kidneys"}, 0.3, render=False)
        plotter.screenshot()            # the first render
        plotters[name] = plotter
    times = {name: [] for name in plotters}
    for _ in range(reps):
        for name, plotter in plotters.items():
            times[name].append(frame_seconds(plotter, 10))
    for plotter in plotters.values():
        plotter.close()
    om, xm = statistics.median(times["opaque"]), statistics.median(times["x-ray"])
    ratio = xm / om
    print(f"\nx-ray frame, {W}x{H}, {reps} x 10 frames each, alternating; "
          f"{len(anatomy.structures)} structures fitted in {fit:.3f} s")
    print(f"opaque frame                  median {om * 1000:7.1f} ms")
    print(f"x-ray frame (skin 30 %)       median {xm * 1000:7.1f} ms")
    print(f"ratio (median/median)         {ratio:.2f}x   target <= {XRAY_TARGET}x   "
          f"{'OK' if ratio <= XRAY_TARGET else 'OVER TARGET'}")
    return ratio


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--size", default="3840x2160")
    parser.add_argument("--only", choices=("in-process", "processes", "xray"))
    args = parser.parse_args(argv)
    W, H, _ = parse_size(args.size)
    if args.only == "processes":
        return 0 if whole_processes(args.reps, W, H) <= PROCESS_TARGET else 1

    t = time.perf_counter()
    body = Body.load()
    rmap = load_region_map()
    scene = BodyScene(body, rmap)
    print(f"scene built in {time.perf_counter() - t:.2f} s (not timed below)")
    if args.only == "xray":
        return 0 if xray_frames(scene, args.reps, W, H) <= XRAY_TARGET else 1
    opts = ex.ExportOptions(size=(W, H), mode="pressure", zone="upper-trapezius-left",
                            title="Benchmark", pins=[ex.parse_pin("spinous_T7:Start here"),
                                                     ex.parse_pin("inferior_angle_right:Knot")])
    timers = [Timer(pipeline, "render_view"), Timer(pipeline, "encode"),
              Timer(write, "atomic_write_bytes")]
    plain_times, export_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        plain_png, export_png = Path(tmp) / "plain.png", Path(tmp) / "annotated.png"
        plain(scene, opts, plain_png)            # warm-up: shaders, caches
        ex.export_image(scene, opts, export_png)
        for timer in timers:
            timer.total = 0.0
        for _ in range(args.reps):
            t = time.perf_counter()
            plain(scene, opts, plain_png)
            plain_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            ex.export_image(scene, opts, export_png)
            export_times.append(time.perf_counter() - t)
        sizes = (plain_png.stat().st_size, export_png.stat().st_size)

    pm, em = statistics.median(plain_times), statistics.median(export_times)
    ratio = em / pm
    print(f"size {W}x{H}, {args.reps} repetitions each, alternating")
    print(f"plain pyvista screenshot  min {min(plain_times):6.3f} s  median {pm:6.3f} s  "
          f"({sizes[0] / 1e6:.1f} MB)")
    print(f"annotated export          min {min(export_times):6.3f} s  median {em:6.3f} s  "
          f"({sizes[1] / 1e6:.1f} MB)")
    print(f"ratio (median/median)     {ratio:.2f}x   target <= {TARGET}x   "
          f"{'OK' if ratio <= TARGET else 'OVER TARGET'}")
    total = sum(export_times)
    spent = {timer.name: timer.total for timer in timers}
    spent["annotation (the rest)"] = total - sum(spent.values())
    print("annotated export, where the time goes (all repetitions):")
    for name, seconds in spent.items():
        print(f"  {name:24s} {seconds / args.reps:6.3f} s per export  ({100 * seconds / total:4.1f} %)")
    if args.only is None:
        ratio_xray = xray_frames(scene, args.reps, W, H)
        ratio_processes = whole_processes(args.reps, W, H)
        return 0 if (ratio <= TARGET and ratio_processes <= PROCESS_TARGET
                     and ratio_xray <= XRAY_TARGET) else 1
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
