"""``backview video``: the turntable and the lesson as MP4 (H.264) or GIF, checked as a viewer
would get them (frame count, length, codec, what the frames show), and the bad-input cases
(one line, status 2, no file)."""

from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_error, run_cli

#: colour of the spine (no pressure, hatched) in the default palette, as drawn on the skin
SMALL = ["--size", "480x320"]


def _frames(path):
    """(meta, frames) of a video decoded by the bundled ffmpeg."""
    gen = imageio_ffmpeg.read_frames(str(path))
    meta = next(gen)
    w, h = meta["size"]
    frames = [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in gen]
    return meta, frames


def _avoid_share(frame) -> float:
    """The share of a frame drawn in the spine's colour (the default palette's "no pressure"
    vermillion), allowing for shading and H.264's colour rounding."""
    from viewer.core.palette import get_palette, hex_to_rgb
    from viewer.core.regionmap import Pressure

    target = np.array(hex_to_rgb(get_palette().pressure[Pressure.AVOID]), float)
    rgb = frame.astype(float)
    # same hue family: red well above green and blue, as the vermillion is
    near = (np.abs(rgb - target).sum(axis=2) < 120) & (rgb[..., 0] > rgb[..., 2] + 80)
    return float(near.mean())


def _no_temporaries(folder):
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_turntable_mp4_is_h264_with_every_frame(tmp_path):
    out = tmp_path / "turn.mp4"
    result = run_cli("video", "--out", out, *SMALL, "--fps", "8", "--seconds", "1.5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out} (12 frames, 480x320, 1.5 s, h264)"
    assert imageio_ffmpeg.count_frames_and_secs(str(out)) == (12, 1.5)
    meta, frames = _frames(out)
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    assert meta["fps"] == 8 and meta["size"] == (480, 320) and meta["duration"] == 1.5
    assert len(frames) == 12
    # it starts on the back (the spine's hatched band shows), half a turn later the body faces
    # the camera (no spine), and it turns back towards the start
    assert _avoid_share(frames[0]) > 0.005
    assert _avoid_share(frames[6]) < 0.0005
    assert _avoid_share(frames[11]) > 0.002
    # the legend is burnt in at the top left: a light panel with dark words, in every frame
    for frame in (frames[0], frames[6]):
        panel = frame[10:60, 10:120].astype(float)
        assert panel.mean() > 180 and panel.min() < 90
    _no_temporaries(tmp_path)


def test_turntable_gif_for_slides(tmp_path):
    out = tmp_path / "turn.gif"
    result = run_cli("video", "--turntable", "--out", out, *SMALL, "--fps", "12",
                     "--seconds", "1")
    assert result.returncode == 0, result.stderr
    assert "(12 frames, 480x320, 1 s, gif)" in result.stdout
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.size == (480, 320) and gif.n_frames == 12
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
        assert gif.info.get("loop") == 0  # loops for ever, as a slide wants
    # 12 fps in GIF's hundredths of a second: 80 and 90 ms, one second in all
    assert set(durations) <= {80, 90} and sum(durations) == 1000
    # 256 colours a frame, but the legend's swatches keep their exact colours in every frame,
    # the back's (frame 0) and the front's (frame 6, where no zone colour shows on the body)
    from viewer.core.palette import get_palette, hex_to_rgb
    from viewer.core.regionmap import Pressure

    with Image.open(out) as gif:
        for k in (0, 6):
            gif.seek(k)
            legend = np.asarray(gif.convert("RGB"))[:120, :200]
            for pressure in (Pressure.FIRM, Pressure.MODERATE):
                colour = hex_to_rgb(get_palette().pressure[pressure])
                assert (legend == colour).all(axis=2).sum() >= 20, (k, pressure)
    _no_temporaries(tmp_path)


def test_lesson_video_walks_through_the_steps(tmp_path):
    from viewer.core.lesson import load_lesson

    steps = len(load_lesson().steps)
    out = tmp_path / "lesson.mp4"
    result = run_cli("video", "--lesson", "--out", out, *SMALL, "--fps", "2",
                     "--seconds", str(steps * 2), timeout=180)
    assert result.returncode == 0, result.stderr
    frames_expected = steps * 4
    assert imageio_ffmpeg.count_frames_and_secs(str(out)) == (frames_expected, steps * 2.0)
    meta, frames = _frames(out)
    assert meta["codec"] == "h264" and len(frames) == frames_expected
    # each step's caption fades in: its band at the foot is fainter in the step's first frame
    # than in its last, and white once shown
    foot = slice(250, 300), slice(40, 440)
    for k in range(steps):
        first, last = frames[4 * k][foot].astype(float), frames[4 * k + 3][foot].astype(float)
        assert last.mean() > 200, k
        assert np.abs(last - first).mean() > 3, k


def test_arrows_draw_themselves_along_their_path(body, rmap):
    from viewer.core.lesson import load_lesson
    from viewer.render.arrows import growing_arrows
    from viewer.render.scene import BodyScene

    lesson = load_lesson()
    scene = BodyScene(body, rmap)
    step = next(s for s in lesson.steps if s.arrows)
    arrows = growing_arrows(scene, lesson.arrows_of(step))
    arrow = next(a for a in arrows if a.skin is not None)
    start = arrow.skin[0][0]

    def reach(share):
        meshes = arrow.meshes(share)
        if not meshes:
            return 0.0
        return float(np.linalg.norm(meshes[-1][0].points - start, axis=1).max())

    reaches = [reach(s) for s in (0.0, 0.25, 0.5, 1.0)]
    assert reaches[0] == 0.0  # nothing drawn before it starts
    assert reaches[1] < reaches[2] < reaches[3]
    whole = arrow.meshes(1.0)
    assert [c for _, c in whole][0] == "#ffffff"  # the rim under the arrow, as in pictures


@pytest.mark.parametrize("args,words", [
    (["--fps", "0"], "'0' is not a frame rate"),
    (["--fps", "61"], "from 1 to 60"),
    (["--fps", "2.5"], "whole number"),
    (["--fps", "abc"], "fps"),
    (["--seconds", "0.1"], "from 0.5 to 120"),
    (["--seconds", "121"], "'121' is not a length"),
    (["--seconds", "nan"], "seconds"),
    (["--size", "abc"], "'abc' is not a size"),
    (["--size", "481x320"], "even"),
    (["--size", "99999x10"], "size"),
    (["--turntable", "--lesson"], "not allowed with"),
    (["--lesson", "--colour-by", "stroke:friction"], "goes with --turntable"),
    (["--lesson", "--fps", "1", "--seconds", "3"], "3 frames for 7 steps"),
])
def test_bad_options_one_line_no_file(tmp_path, args, words):
    out = tmp_path / "v.mp4"
    assert_one_line_error(run_cli("video", "--out", out, *args), words)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name,words", [
    ("v.avi", "'.avi'"), ("v", "no extension"), ("v.png", ".mp4 or .gif"),
])
def test_bad_extension_one_line_no_file(tmp_path, name, words):
    assert_one_line_error(run_cli("video", "--out", tmp_path / name, *SMALL), words)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_one_line(tmp_path):
    assert_one_line_error(run_cli("video", "--out", tmp_path / "missing" / "v.mp4"),
                          "does not exist")


def test_cancel_leaves_the_old_file_and_nothing_else(tmp_path, body, rmap):
    from viewer.render.scene import BodyScene
    from viewer.render.video import VideoCancelled, VideoOptions, write_video

    out = tmp_path / "keep.mp4"
    out.write_bytes(b"the old video")
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if done == 3:
            raise VideoCancelled

    with pytest.raises(VideoCancelled):
        write_video(BodyScene(body, rmap), VideoOptions(size=(480, 320), fps=10, seconds=1),
                    out, progress=progress)
    assert seen == [(1, 10), (2, 10), (3, 10)]
    assert out.read_bytes() == b"the old video"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.mp4"]


def test_gif_delays_keep_time():
    from viewer.render.video import gif_durations

    assert gif_durations(3, 30) == [30, 40, 30]
    for fps in (7, 12, 15, 24, 60):
        d = gif_durations(fps * 3, fps)
        assert sum(d) == 3000 and max(d) - min(d) <= 10


def test_lesson_camera_eases_from_one_view_to_the_next(body):
    from viewer.core.camera import preset_camera
    from viewer.render.video import blend, ease

    assert [ease(t) for t in (-1, 0, 0.5, 1, 2)] == [0, 0, 0.5, 1, 1]
    assert all(ease(a) < ease(b) for a, b in zip(np.linspace(0, 1, 9), np.linspace(0, 1, 9)[1:]))
    a, b = preset_camera(body, "back"), preset_camera(body, "left")
    assert blend(a, b, 0) == a and blend(a, b, 1) == b
    half = blend(a, b, 0.5)
    da, db, dh = (c.basis()[0] for c in (a, b, half))
    # half way round: as far from the back view as from the side view, between the two
    angle = lambda u, v: np.degrees(np.arccos(np.clip(u @ v, -1, 1)))  # noqa: E731
    assert abs(angle(da, dh) - angle(dh, db)) < 1e-6
    assert abs(angle(da, dh) + angle(dh, db) - angle(da, db)) < 1e-6


def test_the_back_stays_above_the_caption(body):
    """Neck (C7) to sacrum (S2) fill the frame above the caption band, large."""
    from viewer.core.camera import preset_camera
    from viewer.render.video import above_band

    W, H, band = 1920, 1080, 300
    cam = above_band(preset_camera(body, "back", W / H), H, band)
    _, up, _ = cam.basis()

    def row(name):  # pixel row of a landmark in a parallel projection, 0 at the top
        return H / 2 - (body.landmarks[name] - np.asarray(cam.focal_point)) @ up \
            / cam.parallel_scale * H / 2

    top, bottom = row("spinous_C7"), row("spinous_S2")
    assert 0 < top < bottom < H - band
    assert bottom - top > 0.5 * (H - band)
