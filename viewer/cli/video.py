"""``backview video``: the body turning under a steady light, or the guided lesson in motion.

    backview video --out FILE.mp4|FILE.gif [--turntable | --lesson] [--size WxH] [--fps N]
                   [--seconds S] [--palette NAME] [--colour-by MODE] [--lesson-file FILE] ...

MP4 is H.264 (yuv420p, plays everywhere) through the ffmpeg bundled with imageio-ffmpeg; GIF
is for slides that only take pictures. A mistake (a bad size, frame rate, length or extension)
prints one line and exits with status 2; nothing is written, and a file being replaced stays as
it was until the new one is whole.
"""

from __future__ import annotations

import sys

from viewer.cli._common import add_body_options, add_skin_tone_option
from viewer.core.palette import COLOUR_MODES, PALETTES

#: defaults per format: an MP4 for a projector, a GIF small enough for a slide or a README
DEFAULTS = {"mp4": ((1920, 1080), 30), "gif": ((960, 540), 12)}


def add_parser(sub) -> None:
    p = sub.add_parser(
        "video", help="write a video (MP4 or GIF): the body turning, or the lesson in motion",
        description="Render a video off-screen: a turntable (the body turns once under a "
                    "steady light, zones coloured, the legend burnt in) or the guided lesson "
                    "(each step's camera eases into the next, its caption appears, its stroke "
                    "arrows draw themselves). MP4 is H.264; GIF is for slides.")
    p.add_argument("--out", "-o", required=True, metavar="FILE",
                   help="the video to write: .mp4 (H.264) or .gif")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--turntable", dest="kind", action="store_const", const="turntable",
                      help="one whole turn of the body (the default)")
    kind.add_argument("--lesson", dest="kind", action="store_const", const="lesson",
                      help="the guided lesson, step by step")
    p.add_argument("--size", metavar="WxH",
                   help="pixels, e.g. 1920x1080 (MP4's default; GIF's 960x540); an MP4's sides "
                        "are even")
    p.add_argument("--fps", metavar="N", help="frames per second, 1 to 60 (MP4's default 30, "
                   "GIF's 12)")
    p.add_argument("--seconds", metavar="S", help="length in seconds, 0.5 to 120 (turntable: "
                   "10; lesson: 5 a step)")
    p.add_argument("--palette", metavar="NAME",
                   help=f"colour theme: {', '.join(PALETTES)} (default: default)")
    p.add_argument("--colour-by", dest="colour_by", metavar="MODE",
                   help=f"the turntable's colour mode: {', '.join(COLOUR_MODES)} (default: "
                        "pressure); a lesson takes each step's own")
    p.add_argument("--lesson-file", dest="lesson_file", metavar="FILE",
                   help="lesson file (TOML) for --lesson; default: the shipped lesson")
    add_body_options(p)
    add_skin_tone_option(p)
    p.set_defaults(run=run, kind=None)


def run(args) -> int:
    # every option is checked before the body is loaded: a typo costs nothing, writes nothing
    from viewer.core.errors import BackViewError
    from viewer.core.options import (
        check_colour_mode,
        check_fps,
        check_palette,
        check_seconds,
        check_video_size,
        parse_size,
        video_format,
    )

    kind = args.kind or "turntable"
    fmt = video_format(args.out)
    size, fps = DEFAULTS[fmt]
    if args.size is not None:
        size = parse_size(args.size)[:2]
    check_video_size(*size, fmt)
    if args.fps is not None:
        fps = check_fps(args.fps)
    seconds = check_seconds(args.seconds) if args.seconds is not None else None
    palette = check_palette(args.palette) if args.palette is not None else "default"
    mode = "pressure"
    if args.colour_by is not None:
        if kind == "lesson":
            raise BackViewError("--colour-by goes with --turntable: a lesson shows each step's "
                                "own colours", field="colour-by")
        mode = check_colour_mode(args.colour_by)
    if args.lesson_file is not None and kind != "lesson":
        raise BackViewError("--lesson-file goes with --lesson", field="lesson-file")

    from viewer.render.video import check_video_output, ffmpeg_exe

    out, _ = check_video_output(args.out)
    if fmt == "mp4":
        ffmpeg_exe()
    map_path = getattr(args, "region_map", None)
    lesson = None
    if kind == "lesson":
        from viewer.core.lesson import load_lesson
        from viewer.core.regionmap import load_region_map

        lesson = load_lesson(args.lesson_file, rmap=load_region_map(map_path) if map_path else None)
        rmap = lesson.rmap
    else:
        from viewer.core.regionmap import load_region_map

        rmap = load_region_map(map_path)

    from viewer.core.body import Body
    from viewer.render.picture import quiet_vtk
    from viewer.render.scene import BodyScene
    from viewer.render.video import VideoOptions, lesson_seconds, write_video

    if seconds is None:
        seconds = lesson_seconds(lesson) if lesson is not None else 10.0
    body = Body.load(getattr(args, "mesh", None), getattr(args, "landmarks", None))
    if lesson is not None:
        from viewer.cli.lesson import check_arrows_fit

        check_arrows_fit(lesson, body)
    scene = BodyScene(body, rmap)
    quiet_vtk()
    opts = VideoOptions(kind=kind, size=size, fps=fps, seconds=seconds, palette=palette,
                        skin_tone=getattr(args, "skin_tone", None) or "default", mode=mode,
                        lesson=lesson)
    bar = _progress_bar(opts.frames, out)
    try:
        result = write_video(scene, opts, out, progress=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()
    w, h = result.size
    print(f"wrote {result.path} ({result.frames} frames, {w}x{h}, {result.seconds:g} s, "
          f"{result.codec})")
    return 0


class _Bar:
    """tqdm on stderr (frames done, time left), only where a person watches a terminal."""

    def __init__(self, total: int, out):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="frame", desc=f"{out.name}", file=sys.stderr,
                        leave=False, dynamic_ncols=True)
        self.done = 0

    def update(self, done: int, total: int) -> None:
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        self.bar.close()


def _progress_bar(total: int, out):
    return _Bar(total, out) if sys.stderr.isatty() else None
