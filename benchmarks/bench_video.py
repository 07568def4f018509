"""Benchmark: a 10-second 1080p turntable at 30 fps (target: the whole command in <= 2 minutes).

    python benchmarks/bench_video.py [--size 1920x1080] [--fps 30] [--seconds 10] [--only ...]

Three measurements, each printed as it finishes:

- ``process``: the whole ``python -m viewer video --turntable --out F.mp4 --size WxH --fps N
  --seconds S`` as a user runs it (a fresh process: imports, the body, every frame, H.264),
  wall-clock and CPU seconds of the process and its ffmpeg;
- ``split``: :func:`viewer.render.video.write_video` in this process with its own clock: the
  seconds rendering frames (VTK's render and reading the pixels), laying the legend over them,
  and waiting for ffmpeg (which encodes in its own process while the next frame renders), and
  ffmpeg alone encoding the same number of frames (no rendering: its own cost);
- ``baseline``: bare pyvista, the same mesh in one off-screen plotter at the same size, the
  camera turned once round in the same number of frames, each frame rendered and read back
  (``screenshot``), nothing encoded, multisampling as the video sets it: the floor any
  turntable pays. Prints the turntable's render time against it.

Software OpenGL (llvmpipe) on 2 cores is slow; compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_SECONDS = 120.0


def process(args, folder: Path) -> float:
    out = folder / "turntable.mp4"
    cmd = [sys.executable, "-m", "viewer", "video", "--turntable", "--out", str(out), "--size",
           args.size, "--fps", str(args.fps), "--seconds", str(args.seconds)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(result.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"process: {result.stdout.strip()}")
    print(f"process: {wall:.1f} s wall-clock, {cpu:.1f} s CPU (with ffmpeg); target <= "
          f"{TARGET_SECONDS:.0f} s: {'met' if wall <= TARGET_SECONDS else 'NOT met'}; "
          f"{os.path.getsize(out) / 1e6:.1f} MB")
    return wall


def split(args, folder: Path) -> float:
    import numpy as np

    from viewer.core.body import Body
    from viewer.core.options import parse_size
    from viewer.core.regionmap import load_region_map
    from viewer.render.picture import quiet_vtk
    from viewer.render.scene import BodyScene
    from viewer.render.video import VideoOptions, _write_mp4, write_video

    quiet_vtk()
    W, H, _ = parse_size(args.size)
    t0 = time.perf_counter()
    scene = BodyScene(Body.load(), load_region_map())
    setup = time.perf_counter() - t0
    opts = VideoOptions(size=(W, H), fps=args.fps, seconds=args.seconds)
    t0 = time.perf_counter()
    result = write_video(scene, opts, folder / "split.mp4")
    total = time.perf_counter() - t0
    t = result.timings
    print(f"split: scene {setup:.1f} s; video {total:.1f} s for {result.frames} frames = render "
          f"{t['render']:.1f} s ({t['render'] / result.frames * 1000:.0f} ms a frame), legend "
          f"{t['overlay']:.1f} s, waiting for ffmpeg {t['encode']:.1f} s")
    # ffmpeg's own cost: the same number of frames (one rendered frame, varied so x264 cannot
    # skip them) encoded without any rendering
    frame = np.zeros((H, W, 3), np.uint8)
    rng = np.random.default_rng(0)
    frame[:] = rng.integers(200, 256, (1, W, 3), dtype=np.uint8)
    frames = (np.roll(frame, k * 7, axis=1) for k in range(result.frames))
    timings: dict[str, float] = {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    _write_mp4(folder / "encode-only.mp4", frames, opts, timings)
    enc = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"split: ffmpeg alone encoding {result.frames} synthetic frames: {enc:.1f} s wall-clock,"
          f" {cpu:.1f} s CPU")
    return t["render"]


def baseline(args) -> float:
    import pyvista as pv

    from viewer.core.options import parse_size

    W, H, _ = parse_size(args.size)
    mesh = pv.read(REPO / "meshes" / "torso.ply")
    frames = max(1, round(args.fps * args.seconds))
    plotter = pv.Plotter(off_screen=True, window_size=(W, H))
    from viewer.render.video import SHARP_PIXELS

    if W * H >= SHARP_PIXELS:  # the video's own setting: no multisampling at Full HD
        plotter.render_window.SetMultiSamples(0)
    plotter.add_mesh(mesh, color="#cfc9c2", smooth_shading=True)
    plotter.view_xy(negative=True)
    plotter.enable_parallel_projection()
    focal = mesh.center
    plotter.screenshot(return_img=True)  # first frame: shaders
    cam = plotter.camera
    r = math.dist(cam.position, focal)
    t0 = time.perf_counter()
    for k in range(frames):
        a = 2 * math.pi * k / frames
        cam.position = (focal[0] + r * math.sin(a), focal[1], focal[2] - r * math.cos(a))
        plotter.render_window.Render()      # screenshot() alone would not render again
        plotter.screenshot(return_img=True)
    took = time.perf_counter() - t0
    plotter.close()
    print(f"baseline: bare pyvista, {frames} frames rendered and read back: {took:.1f} s "
          f"({took / frames * 1000:.0f} ms a frame)")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", choices=("process", "split", "baseline"))
    args = parser.parse_args()
    print(f"turntable {args.size}, {args.fps} fps, {args.seconds:g} s; load "
          f"{os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "process"):
            process(args, folder)
        render = split(args, folder) if args.only in (None, "split") else None
        base = baseline(args) if args.only in (None, "baseline") else None
        if render is not None and base is not None:
            print(f"render against bare pyvista: {render / base:.2f}x")


if __name__ == "__main__":
    main()
