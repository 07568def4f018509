"""Videos of the back: a turntable, or the guided lesson in motion, as MP4 (H.264) or GIF.

One off-screen plotter is kept open for the whole video; each frame moves its camera (and, in a
lesson, its colours, highlight and growing arrows), renders, reads the pixels and lays a
pre-drawn overlay (the legend, the step's caption) over them with numpy. The frames go straight
into ffmpeg (the binary bundled with ``imageio-ffmpeg``; no system ffmpeg needed), which encodes
while the next frame renders, or into Pillow's GIF writer. The file is written to a temporary
name beside the target and renamed into place at the end (:func:`viewer.core.atomic.
atomic_write`): a failure or a Cancel leaves no file and an existing one as it was::

    scene = BodyScene(body, rmap)
    write_video(scene, VideoOptions(kind="turntable", size=(1920, 1080), fps=30, seconds=10),
                "turntable.mp4", progress=lambda done, total: ...)
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image, ImageDraw

from viewer.core.atomic import atomic_write
from viewer.core.camera import Camera, preset_camera
from viewer.core.errors import BackViewError
from viewer.core.options import video_format
from viewer.core.palette import legend, mode_title, skin_palette
from viewer.core.wording import step_text
from viewer.render.actors import SceneActors
from viewer.render.arrows import SkinProjector, growing_arrows
from viewer.render.camera import apply_camera
from viewer.render.picture.canvas import line_height, rgb, wrap
from viewer.render.picture.style import PANEL_FILL, RULE, STEP_ACCENT, Style
from viewer.render.scene import BodyScene

#: H.264 quality for imageio-ffmpeg (0..10; 6 is x264's constant rate factor 20: no visible
#: loss on the flat zone colours) and x264's speed preset
MP4_QUALITY = 6
MP4_PRESET = "veryfast"
#: the share of a lesson step spent easing the camera from the last step's, the share at which
#: the arrows start and finish drawing, and the share the caption takes to fade in
EASE, ARROWS_FROM, ARROWS_TO, CAPTION_FADE = 0.3, 0.2, 0.75, 0.12
#: frames of at least this many pixels (Full HD's, give or take) are drawn without
#: multisampling; smaller ones (a GIF) keep pyvista's, where a stepped edge would show
SHARP_PIXELS = 1_800_000
#: the default seconds a lesson step is shown
STEP_SECONDS = 5.0


class VideoCancelled(Exception):
    """Raised by a progress callback to stop a video; nothing is written."""


@dataclass
class VideoOptions:
    kind: str = "turntable"                  # "turntable" or "lesson"
    size: tuple[int, int] = (1920, 1080)
    fps: int = 30
    seconds: float = 10.0
    palette: str = "default"
    skin_tone: str = "default"
    mode: str = "pressure"                   # the turntable's colour mode
    lesson: object = None                    # a viewer.core.lesson.Lesson for kind="lesson"

    @property
    def frames(self) -> int:
        return max(1, round(self.seconds * self.fps))


@dataclass
class VideoResult:
    path: Path
    frames: int
    size: tuple[int, int]
    seconds: float
    codec: str                               # "h264" or "gif"
    #: seconds spent rendering frames (the plotter and reading its pixels), drawing the overlay,
    #: and waiting for the encoder
    timings: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- checks
def check_video_output(out: str | os.PathLike) -> tuple[Path, str]:
    """The file to write and its format ("mp4", "gif"); one line when the extension is not one
    of them or the folder cannot be written. Nothing is created."""
    path = Path(out)
    fmt = video_format(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BackViewError("is a folder, not a file", str(path), "out")
    if not folder.is_dir():
        raise BackViewError(f"the folder '{folder}' does not exist", str(path), "out")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackViewError(f"cannot write in '{folder}' (permission denied)", str(path), "out")
    return path, fmt


def ffmpeg_exe() -> str:
    """The ffmpeg bundled with imageio-ffmpeg, or one line saying it is missing."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise BackViewError(f"no ffmpeg to write an MP4 ({exc}); reinstall BackView, whose "
                            "imageio-ffmpeg package brings one, or write a .gif",
                            field="out") from None


# --------------------------------------------------------------------------- overlays
@dataclass
class Overlay:
    """A pre-drawn RGBA layer, kept as the crop that holds anything, laid over frames."""

    box: tuple[int, int, int, int]          # x0, y0, x1, y1 in the frame
    colour: np.ndarray                      # h x w x 3 float
    alpha: np.ndarray                       # h x w x 1 float, 0..1

    @classmethod
    def of(cls, image: Image.Image) -> "Overlay | None":
        box = image.getbbox()
        if box is None:
            return None
        crop = np.asarray(image.crop(box), dtype=np.float32)
        return cls(box, crop[..., :3], crop[..., 3:4] / 255.0)

    def over(self, frame: np.ndarray, opacity: float = 1.0) -> None:
        """Lay this overlay over ``frame`` (H x W x 3 uint8, in place)."""
        if opacity <= 0:
            return
        x0, y0, x1, y1 = self.box
        region = frame[y0:y1, x0:x1].astype(np.float32)
        a = self.alpha * opacity
        frame[y0:y1, x0:x1] = (region + (self.colour - region) * a + 0.5).astype(np.uint8)


def legend_overlay(size, mode: str, rmap, palette: str, skin_tone: str,
                   heading: str | None = None) -> Image.Image:
    """The legend of ``mode`` (the export's words and colours, avoid hatched) in a panel at the
    frame's top left, on a transparent layer."""
    W, H = size
    style = Style.for_size(W, H)
    pal = skin_palette(palette, skin_tone)
    rows = legend(mode, rmap, pal)
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    head_f, row_f = style.legend_head_font, style.legend_font
    pad, s = style.px(14), round(style.px(24))
    lh = line_height(row_f, 1.18)
    row_h = max(s + style.px(8), lh)
    heading = heading or mode_title(mode)
    width = max([draw.textlength(heading, font=head_f)]
                + [s + style.px(12) + draw.textlength(r.label, font=row_f) for r in rows]) + 2 * pad
    height = 2 * pad + line_height(head_f, 1.2) + style.px(8) + row_h * len(rows)
    x0 = y0 = style.margin * 0.6
    draw.rounded_rectangle((x0, y0, x0 + width, y0 + height), radius=style.px(10),
                           fill=rgb(PANEL_FILL) + (235,), outline=rgb(RULE),
                           width=max(1, round(style.px(1.5))))
    draw.text((x0 + pad, y0 + pad), heading, font=head_f, fill=rgb(pal.text))
    y = y0 + pad + line_height(head_f, 1.2) + style.px(8)
    for row in rows:
        sx, sy = round(x0 + pad), round(y + (row_h - s) / 2)
        box = (sx, sy, sx + s, sy + s)
        draw.rectangle(box, fill=rgb(row.colour))
        if row.hatched:
            step = max(4, round(style.px(8)))
            for k in range(-s, s, step):
                draw.line((sx + max(k, 0), sy + max(-k, 0), sx + min(s + k, s), sy + min(s, s - k)),
                          fill=rgb(pal.hatch), width=max(1, round(style.px(2.2))))
        draw.rectangle(box, outline=rgb(pal.border), width=max(1, round(style.px(1.5))))
        draw.text((sx + s + style.px(12), y + (row_h - lh) / 2), row.label, font=row_f,
                  fill=rgb(pal.text))
        y += row_h
    return img


def caption_overlay(size, heading: str, title: str, caption: str) -> Image.Image:
    """A lesson step's words in a band across the foot of the frame: "Step 2 of 7", the
    step's title, its caption (the lesson file's own words)."""
    W, H = size
    style = Style.for_size(W, H)
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    kick_f, title_f, cap_f = style.f(22, True), style.f(34, True), style.f(27)
    pad = style.px(22)
    lines = wrap(caption, cap_f, W - 2 * style.margin - 2 * pad)[:3]
    height = (2 * pad + line_height(kick_f, 1.2) + line_height(title_f, 1.2)
              + line_height(cap_f, 1.25) * len(lines))
    x0, x1 = style.margin, W - style.margin
    y1 = H - style.margin * 0.5
    y0 = y1 - height
    draw.rounded_rectangle((x0, y0, x1, y1), radius=style.px(12), fill=rgb(PANEL_FILL) + (240,),
                           outline=rgb(RULE), width=max(1, round(style.px(1.5))))
    draw.rectangle((x0, y0 + style.px(12), x0 + max(2, style.px(6)), y1 - style.px(12)),
                   fill=rgb(STEP_ACCENT))
    y = y0 + pad
    draw.text((x0 + pad, y), heading.upper(), font=kick_f, fill=rgb(STEP_ACCENT))
    y += line_height(kick_f, 1.2)
    draw.text((x0 + pad, y), title, font=title_f, fill=(26, 26, 26))
    y += line_height(title_f, 1.2)
    for line in lines:
        draw.text((x0 + pad, y), line, font=cap_f, fill=(26, 26, 26))
        y += line_height(cap_f, 1.25)
    return img


def caption_height(image: Image.Image) -> int:
    """How much of the frame's foot the caption band covers (pixels from the bottom)."""
    box = image.getbbox()
    return 0 if box is None else image.height - box[1]


# --------------------------------------------------------------------------- cameras
def turn(camera: Camera, axis: np.ndarray, angle: float) -> Camera:
    """``camera`` carried ``angle`` radians around ``axis`` through its focal point (the body
    seems to turn the other way under a light that stays with the viewer)."""
    k = np.asarray(axis, float) / np.linalg.norm(axis)
    f = np.asarray(camera.focal_point, float)
    v = np.subtract(camera.position, f)
    c, s = math.cos(angle), math.sin(angle)
    v = v * c + np.cross(k, v) * s + k * (k @ v) * (1 - c)
    return Camera.looking(f + v, f, camera.view_up, camera.parallel_scale)


def ease(t: float) -> float:
    """Smooth start and stop (0 -> 0, 1 -> 1, no jolt at either end)."""
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)


def blend(a: Camera, b: Camera, t: float) -> Camera:
    """A camera ``t`` (0..1) of the way from ``a`` to ``b``: the focal point and zoom in a
    straight line, the direction of view and the up turned (normalised blends)."""
    if t <= 0:
        return a
    if t >= 1:
        return b
    fa, fb = np.asarray(a.focal_point, float), np.asarray(b.focal_point, float)
    da, db = np.subtract(a.position, fa), np.subtract(b.position, fb)
    la, lb = np.linalg.norm(da), np.linalg.norm(db)
    ua, ub = da / la, db / lb
    if ua @ ub < -0.999:  # opposite views: turn round by the up
        ub = ub + np.asarray(a.view_up, float) * 1e-3
    d = (1 - t) * ua + t * ub
    d /= np.linalg.norm(d)
    up = (1 - t) * np.asarray(a.view_up, float) + t * np.asarray(b.view_up, float)
    up = up - (up @ d) * d
    if np.linalg.norm(up) < 1e-9:
        up = np.asarray(b.view_up, float)
    focal = (1 - t) * fa + t * fb
    return Camera.looking(focal + d * ((1 - t) * la + t * lb), focal, up,
                          (1 - t) * a.parallel_scale + t * b.parallel_scale)


def above_band(camera: Camera, height: int, band: int) -> Camera:
    """``camera`` moved and zoomed so what it framed fills the frame above a band ``band``
    pixels high at its foot (the caption): the back stays large and uncovered."""
    if band <= 0:
        return camera
    scale = camera.parallel_scale * height / max(height - band, 1)
    _, up, _ = camera.basis()
    # the frame's middle is ``band / 2`` pixels below the free area's middle
    focal = np.asarray(camera.focal_point, float) - up * (band / height) * scale
    return camera.centred_on(focal, scale)


# --------------------------------------------------------------------------- frames
class FrameRenderer:
    """One off-screen plotter drawing the scene at the video's size; :meth:`frame` renders the
    current state and returns H x W x 3 uint8, rows top to bottom."""

    def __init__(self, scene: BodyScene, opts: VideoOptions, mode: str):
        W, H = opts.size
        self.size = (W, H)
        self.plotter = pv.Plotter(off_screen=True, window_size=(W, H))
        if W * H >= SHARP_PIXELS:
            # no multisampling at Full HD and above: 2.7 times faster in software OpenGL
            # (benchmarks/bench_video.py), the edges' steps a pixel wide, smoothed by H.264
            self.plotter.render_window.SetMultiSamples(0)
        self.actors = SceneActors(self.plotter, scene, mode,
                                  line_scale=Style.for_size(W, H).line_scale, background=True,
                                  palette=opts.palette, skin_tone=opts.skin_tone)
        self._arrow_names: list[str] = []

    def set_camera(self, camera: Camera) -> None:
        apply_camera(self.plotter, camera)

    def set_arrows(self, meshes) -> None:
        for name in self._arrow_names:
            self.plotter.remove_actor(name, render=False)
        self._arrow_names = []
        for i, (mesh, colour) in enumerate(meshes):
            name = f"video-arrow-{i}"
            self.plotter.add_mesh(mesh, color=colour, smooth_shading=True, ambient=0.35,
                                  diffuse=0.7, specular=0.25, specular_power=30, name=name,
                                  pickable=False, render=False)
            self._arrow_names.append(name)

    def frame(self) -> np.ndarray:
        from vtkmodules.util.numpy_support import vtk_to_numpy
        from vtkmodules.vtkCommonCore import vtkUnsignedCharArray

        W, H = self.size
        window = self.plotter.render_window
        window.Render()      # pyvista's render() skips the first frame until a screenshot
        arr = vtkUnsignedCharArray()
        # the frame just drawn, straight from the window: no second render through a
        # vtkWindowToImageFilter (what plotter.screenshot does, to the same pixels)
        window.GetPixelData(0, 0, W - 1, H - 1, 1, arr, 0)
        return np.ascontiguousarray(vtk_to_numpy(arr).reshape(H, W, 3)[::-1])

    def close(self) -> None:
        self.plotter.close()


def turntable_frames(scene: BodyScene, opts: VideoOptions, timings: dict):
    """The turntable's frames: one whole turn of the body, starting and ending on its back,
    in the colour mode's colours, the legend burnt in."""
    W, H = opts.size
    r = FrameRenderer(scene, opts, opts.mode)
    try:
        layer = Overlay.of(legend_overlay(opts.size, opts.mode, scene.rmap, opts.palette,
                                          opts.skin_tone))
        start = preset_camera(scene.body, "back", W / H)
        # the widest the body gets as it turns is across the shoulders, from behind: the back
        # view's framing holds at every angle
        n = opts.frames
        for k in range(n):
            t0 = time.perf_counter()
            r.set_camera(turn(start, scene.body.frame.up, 2 * math.pi * k / n))
            frame = r.frame()
            t1 = time.perf_counter()
            if layer is not None:
                layer.over(frame)
            timings["render"] = timings.get("render", 0.0) + t1 - t0
            timings["overlay"] = timings.get("overlay", 0.0) + time.perf_counter() - t1
            yield frame
    finally:
        r.close()


def lesson_frames(scene: BodyScene, opts: VideoOptions, timings: dict):
    """The lesson's frames: each step in turn, its camera easing from the last step's, its
    colours and zones, its caption fading in, its stroke arrows drawing themselves."""
    lesson = opts.lesson
    W, H = opts.size
    steps = lesson.steps
    n = opts.frames
    bounds = [round(n * i / len(steps)) for i in range(len(steps) + 1)]
    projector = SkinProjector(scene)
    anatomy = None
    r = FrameRenderer(scene, opts, steps[0].colour_by)
    try:
        previous = None
        for number, step in enumerate(steps, start=1):
            text = step_text(lesson, step, number)
            caption = caption_overlay(opts.size, text.heading, text.title, text.caption)
            band = caption_height(caption) + round(Style.for_size(W, H).gap)
            camera = above_band(preset_camera(scene.body, step.view, W / H), H, band)
            key = Overlay.of(legend_overlay(opts.size, step.colour_by, scene.rmap, opts.palette,
                                            opts.skin_tone))
            words = Overlay.of(caption)
            r.actors.set_mode(step.colour_by, render=False)
            r.actors.highlight([scene.rmap.zone(z).index for z in step.highlight], render=False)
            if tuple(step.layers) != ("skin",) or step.skin_opacity < 1.0 or anatomy is not None:
                if anatomy is None and tuple(step.layers) != ("skin",):
                    from viewer.core.structures import fit_structures

                    anatomy = fit_structures(scene.body)
                r.actors.set_layers(anatomy, step.layers, step.skin_opacity, render=False)
            try:
                arrows = growing_arrows(scene, lesson.arrows_of(step), projector)
            except KeyError as exc:
                raise BackViewError(f"the body has no landmark {exc}", lesson.path,
                                    f"steps:{step.id}:arrows") from None
            first, last = bounds[number - 1], bounds[number]
            count = max(1, last - first)
            shown = None
            for k in range(first, last):
                t = (k - first) / count        # the step's first frame: no caption yet
                t0 = time.perf_counter()
                r.set_camera(camera if previous is None else blend(previous, camera, ease(t / EASE)))
                share = ease((t - ARROWS_FROM) / (ARROWS_TO - ARROWS_FROM))
                share = round(share * 40) / 40      # 40 stages: no mesh rebuilt for nothing
                if share != shown:
                    r.set_arrows([m for a in arrows for m in a.meshes(share)])
                    shown = share
                frame = r.frame()
                t1 = time.perf_counter()
                if key is not None:
                    key.over(frame)
                if words is not None:
                    words.over(frame, min(1.0, t / CAPTION_FADE))
                timings["render"] = timings.get("render", 0.0) + t1 - t0
                timings["overlay"] = timings.get("overlay", 0.0) + time.perf_counter() - t1
                yield frame
            previous = camera
    finally:
        r.close()


def lesson_seconds(lesson) -> float:
    """A lesson video's default length: :data:`STEP_SECONDS` a step."""
    return STEP_SECONDS * len(lesson.steps)


# --------------------------------------------------------------------------- writing
def write_video(scene: BodyScene, opts: VideoOptions, out: str | os.PathLike,
                progress=None) -> VideoResult:
    """Render every frame and write ``out`` (.mp4 or .gif) atomically. ``progress(done,
    total)`` is called after each frame; raising :class:`VideoCancelled` (or anything) from it
    stops the video and leaves no file."""
    path, fmt = check_video_output(out)
    if opts.kind == "lesson" and opts.lesson is None:
        raise ValueError("a lesson video needs VideoOptions.lesson")
    if opts.kind == "lesson" and opts.frames < len(opts.lesson.steps):
        steps = len(opts.lesson.steps)
        raise BackViewError(f"{opts.frames} frames for {steps} steps: a lesson needs at least a "
                            f"frame a step (seconds x fps >= {steps}; 5 s a step reads well)",
                            field="seconds")
    timings: dict[str, float] = {}
    make = lesson_frames if opts.kind == "lesson" else turntable_frames
    total = opts.frames

    def frames():
        for k, frame in enumerate(make(scene, opts, timings), start=1):
            yield frame
            if progress is not None:
                progress(k, total)

    writer = _write_mp4 if fmt == "mp4" else _write_gif
    if fmt == "mp4":
        ffmpeg_exe()
    atomic_write(path, lambda tmp: writer(tmp, frames(), opts, timings))
    return VideoResult(path, total, tuple(opts.size), total / opts.fps,
                       "h264" if fmt == "mp4" else "gif", timings)


def _write_mp4(tmp: Path, frames, opts: VideoOptions, timings: dict) -> None:
    import imageio_ffmpeg

    W, H = opts.size
    gen = imageio_ffmpeg.write_frames(
        str(tmp), (W, H), fps=opts.fps, codec="libx264", pix_fmt_out="yuv420p",
        quality=MP4_QUALITY, macro_block_size=2, ffmpeg_log_level="error",
        output_params=["-preset", MP4_PRESET, "-movflags", "+faststart"])
    gen.send(None)
    try:
        for frame in frames:
            t0 = time.perf_counter()
            gen.send(frame)
            timings["encode"] = timings.get("encode", 0.0) + time.perf_counter() - t0
    except BaseException:
        _abandon(gen)
        raise
    t0 = time.perf_counter()
    try:
        gen.close()     # waits for ffmpeg to finish the file
    except (OSError, RuntimeError) as exc:
        raise BackViewError(f"ffmpeg failed: {exc}", str(tmp), "out") from None
    timings["encode"] = timings.get("encode", 0.0) + time.perf_counter() - t0


def _abandon(gen) -> None:
    """Stop ffmpeg after a failure or a Cancel (its half file is removed by the caller)."""
    try:
        gen.close()
    except Exception:
        pass


def gif_durations(frames: int, fps: int) -> list[int]:
    """Each GIF frame's delay in milliseconds. GIF counts hundredths of a second, so 12 fps
    alternates 80 and 90 ms delays: the frames keep their times within 10 ms and the whole
    lasts frames / fps seconds to the hundredth."""
    ticks = [round(100 * k / fps) for k in range(frames + 1)]
    return [10 * (b - a) for a, b in zip(ticks, ticks[1:])]


def key_colours(palette: str, skin_tone: str) -> list[tuple[int, int, int]]:
    """The colours a GIF frame must keep exactly: the zones' (every mode's), the outlines,
    hatching, arrows, the page's words and panels. A frame's own 256-colour palette would
    otherwise merge a legend swatch (a few hundred pixels) into its neighbour."""
    from viewer.render.arrows import ARROW_COLOUR, HALO_COLOUR, LIGHT_ARROW_COLOUR

    pal = skin_palette(palette, skin_tone)
    colours = [*pal.pressure.values(), *pal.strokes.values(), pal.no_zone, pal.border, pal.hatch,
               pal.text, pal.background, PANEL_FILL, RULE, STEP_ACCENT, ARROW_COLOUR,
               LIGHT_ARROW_COLOUR, HALO_COLOUR, "#000000", "#1a1a1a"]
    return list(dict.fromkeys(rgb(c) for c in colours))


def gif_frame(frame: np.ndarray, keys: list[tuple[int, int, int]]) -> Image.Image:
    """``frame`` in 256 colours: ``keys`` exactly, the rest chosen by median cut for this
    frame (the skin's shading). No dithering: it would shimmer from frame to frame and grow
    the file."""
    image = Image.fromarray(frame)
    free = 256 - len(keys)
    cut = image.quantize(free, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    colours = np.array(keys, np.uint8).reshape(-1)
    shades = np.asarray(cut.getpalette()[:3 * free], np.uint8)
    table = Image.new("P", (1, 1))
    table.putpalette(np.concatenate([colours, shades]).tolist()
                     + [0] * (768 - colours.size - shades.size))
    out = image.quantize(palette=table, dither=Image.Dither.NONE)
    # Pillow maps through a coarse colour cache: a key colour may land on a shade next to it.
    # Every pixel that is exactly a key colour gets that key's own entry.
    code = (frame[..., 0].astype(np.int32) << 16) | (frame[..., 1].astype(np.int32) << 8) \
        | frame[..., 2]
    key_code = np.array([(r << 16) | (g << 8) | b for r, g, b in keys], np.int32)
    order = np.argsort(key_code)
    pos = np.clip(np.searchsorted(key_code[order], code), 0, len(keys) - 1)
    exact = key_code[order][pos] == code
    index = np.asarray(out).copy()
    index[exact] = order[pos[exact]]
    fixed = Image.fromarray(index, "P")
    fixed.putpalette(out.getpalette())
    return fixed


def _write_gif(tmp: Path, frames, opts: VideoOptions, timings: dict) -> None:
    keys = key_colours(opts.palette, opts.skin_tone)
    images = []
    for frame in frames:
        t0 = time.perf_counter()
        images.append(gif_frame(frame, keys))
        timings["encode"] = timings.get("encode", 0.0) + time.perf_counter() - t0
    t0 = time.perf_counter()
    images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], loop=0,
                   duration=gif_durations(len(images), opts.fps), optimize=False)
    timings["encode"] = timings.get("encode", 0.0) + time.perf_counter() - t0


__all__ = ["VideoCancelled", "VideoOptions", "VideoResult", "check_video_output", "ffmpeg_exe",
           "gif_durations", "lesson_seconds", "write_video"]
