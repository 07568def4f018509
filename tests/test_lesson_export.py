"""``backview lesson`` and the lesson's pictures: one annotated export per step, off-screen.

The command runs as a user would (separate processes, side by side, caches in a temporary
folder); the pictures' structure is checked in-process on the few steps that need it, at a small
size but for one 1920x1080 check. Where arrows and zones land is recomputed here with VTK
(tests/projection.py) from the camera the export reports and the skin points of the arrows, not
taken from the export.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, assert_one_line_error
from projection import image_points
from viewer.core.lesson import arrow_paths, load_lesson
from viewer.core.palette import get_palette, hex_to_rgb, layer_legend, legend
from viewer.core.regionmap import normalise_text
from viewer.render.arrows import LIFT, SkinProjector
from viewer.render.picture import PANEL_FILL, annotated_image
from viewer.render.picture.geometry import boxes_overlap

SMALL = (960, 540)
STEP_FILES = ["01-prepare.png", "02-effleurage.png", "03-petrissage.png", "04-friction.png",
              "05-pressure.png", "06-avoid.png", "07-close.png"]


@pytest.fixture(scope="module")
def lesson():
    return load_lesson()


@pytest.fixture(scope="module")
def scene(lesson, isolated_cli_env):
    """The scene, its caches in the temporary folder the commands below use too: built here
    first, they find it warm."""
    import viewer.core.cache as cache_mod
    import viewer.render.scene as scene_mod
    from viewer.core.body import Body

    cache = Path(isolated_cli_env["XDG_CACHE_HOME"]) / "backview" / "zones"
    mp = pytest.MonkeyPatch()
    mp.setattr(cache_mod, "default_cache_dir", lambda: cache)
    try:
        yield scene_mod.BodyScene(Body.load(), lesson.rmap)
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def projector(scene):
    return SkinProjector(scene)


def step_of(lesson, step_id):
    k, step = next((k, s) for k, s in enumerate(lesson.steps, start=1) if s.id == step_id)
    return k, step


def options(lesson, scene, projector, step_id, size=SMALL, **changes):
    from viewer.render.picture import step_options

    k, step = step_of(lesson, step_id)
    opts = step_options(lesson, step, k, scene, size=size, projector=projector)
    for key, value in changes.items():
        setattr(opts, key, value)
    return opts


@pytest.fixture(scope="module")
def friction(lesson, scene, projector):
    return annotated_image(scene, options(lesson, scene, projector, "friction"))


@pytest.fixture(scope="module")
def effleurage(lesson, scene, projector):
    return annotated_image(scene, options(lesson, scene, projector, "effleurage"))


def rgb_array(image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


def arrow_pixels(lesson, scene, projector, step_id, result) -> np.ndarray:
    """Where the centre lines of a step's arrows land in the picture."""
    _, step = step_of(lesson, step_id)
    pts = []
    for arrow in lesson.arrows_of(step):
        for path in arrow_paths(arrow, scene.geometry.anchor):
            skin, normals = projector.project(path.uv)
            ok = np.isfinite(skin).all(axis=1)
            pts.append(skin[ok] + normals[ok] * LIFT / scene.geometry.scale)
    return image_points(result.render_camera, result.image.size, np.vstack(pts))


def arrow_ink(arr: np.ndarray, xy: np.ndarray, reach: int = 1) -> np.ndarray:
    """At each pixel (or next to it): the dark navy of an arrow (not the black outline, not the
    dark brown hatching)."""
    hits = np.zeros(len(xy), bool)
    H, W = arr.shape[:2]
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            x = np.clip(np.round(xy[:, 0]).astype(int) + dx, 0, W - 1)
            y = np.clip(np.round(xy[:, 1]).astype(int) + dy, 0, H - 1)
            px = arr[y, x]
            hits |= (px.max(axis=1) < 120) & (px[:, 2] - px[:, 0] > 12) & (px[:, 2] - px[:, 1] > 8)
    return hits


# --------------------------------------------------------------------------- the command
@pytest.fixture(scope="module")
def bad_lesson(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-lesson")
    for name in ("back-massage.toml", "back-massage-guide.txt"):
        shutil.copyfile(REPO / "region_maps" / name, folder / name)
    text = (REPO / "region_maps" / "lesson.toml").read_text(encoding="utf-8")
    old = 'highlight = ["lower-back", "paraspinal-left"'
    assert old in text
    bad = folder / "lesson.toml"
    bad.write_text(text.replace(old, 'highlight = ["lower-back", "paraspinal-middle"', 1),
                   encoding="utf-8")
    return bad


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    root = tmp_path_factory.mktemp("places")
    a_file = root / "a-file"
    a_file.write_text("x", encoding="utf-8")
    return SimpleNamespace(root=root, out=root / "lesson", a_file=a_file,
                           under_file=a_file / "lesson", bad_out=root / "bad-out")


@pytest.fixture(scope="module")
def runs(run_cli_many, bad_lesson, places, scene) -> dict:
    return run_cli_many({
        "list": ["lesson"],
        "export": ["lesson", "--export", places.out, "--size", "960x540"],
        "bad-list": ["lesson", "--lesson", bad_lesson],
        "bad-export": ["lesson", "--lesson", bad_lesson, "--export", places.bad_out],
        "dir-is-a-file": ["lesson", "--export", places.a_file, "--size", "960x540"],
    })


def test_lesson_lists_the_steps_in_order(runs, lesson):
    r = runs["list"]
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    out = r.stdout
    assert "7 steps" in out.splitlines()[0]
    positions = [out.index(f"{k:2d}. {s.title}  [{s.id}]") for k, s in enumerate(lesson.steps, 1)]
    assert positions == sorted(positions)
    assert "colour stroke:friction" in out
    assert "arrows: friction-beside-spine, friction-scapula" in out
    assert "highlight: paraspinal-left, paraspinal-right, scapular-edges-left" in out
    assert out.rstrip().endswith("all check out")


def test_export_writes_one_picture_per_step(runs, places, lesson):
    r = runs["export"]
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in places.out.iterdir()) == STEP_FILES  # no temporary left
    assert [line.split()[1] for line in r.stdout.splitlines()] == \
        [str(places.out / name) for name in STEP_FILES]
    for name, step in zip(STEP_FILES, lesson.steps):
        img = Image.open(places.out / name)
        assert img.size == SMALL and img.mode == "RGB"
        meta = img.text
        assert meta["backview:lesson"] == "relaxing-back-massage"
        assert meta["backview:step"] == step.id
        assert meta["backview:map-version"] == lesson.rmap.info.version
        assert meta["backview:colour-mode"] == step.colour_by
        assert meta["Title"] == step.title
        assert meta["backview:highlight"] == (",".join(step.highlight) or "none")


def test_steps_look_different(runs, places, effleurage, friction):
    effl = rgb_array(Image.open(places.out / "02-effleurage.png"))
    fric = rgb_array(Image.open(places.out / "04-friction.png"))
    # the body, where the export of these steps at this size puts it
    assert np.allclose(effleurage.body_box, friction.body_box, atol=0.5)
    x0, y0, x1, y1 = (int(round(v)) for v in effleurage.body_box)
    body = (slice(y0, y1), slice(x0, x1))
    differ = (np.abs(effl[body] - fric[body]).sum(axis=2) > 30).mean()
    assert differ > 0.03, differ


def test_a_bad_lesson_is_one_line_and_exit_2(runs, bad_lesson, places):
    for key in ("bad-list", "bad-export"):
        assert_one_line_error(runs[key], f"{bad_lesson}:steps:effleurage:highlight: "
                                         "unknown zone 'paraspinal-middle'")
    assert runs["bad-list"].stdout == ""
    assert not places.bad_out.exists()


def test_an_unwritable_folder_is_one_line_exit_2_and_nothing_written(runs, places, tmp_path):
    from viewer.core.errors import BackViewError
    from viewer.render.picture import check_export_dir

    assert_one_line_error(runs["dir-is-a-file"], f"{places.a_file}:export: is not a folder")
    assert places.a_file.read_text(encoding="utf-8") == "x"
    # checked before anything is rendered: a folder under a file, or a file
    with pytest.raises(BackViewError, match="cannot create the folder: '.*a-file' is not a folder"):
        check_export_dir(places.under_file)
    assert check_export_dir(tmp_path / "new" / "lesson") == tmp_path / "new" / "lesson"
    assert not (tmp_path / "new").exists()  # made only when the pictures are written


class Crash(Exception):
    """The program dies half way through a lesson's export."""


def test_a_crash_half_way_leaves_the_folder_as_it_was(lesson, scene, tmp_path, monkeypatch):
    """All or nothing: after a crash with three of seven pictures written, the old picture is
    intact and no temporary file or folder is left; a folder made for the export goes again."""
    import viewer.render.picture.lesson as lx

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "02-effleurage.png").write_bytes(b"the old picture")
    # rendering is not what is tested here: a tiny picture stands in for each step
    monkeypatch.setattr(lx, "annotated_image", lambda scene, opts: SimpleNamespace(
        image=Image.new("RGB", (8, 8), "#336699"), metadata={"Title": opts.title}, labels=[]))

    def crash_at_step_4(k, step):
        if k == 4:
            raise Crash(step.id)

    for target in (folder, tmp_path / "new"):
        with pytest.raises(Crash):
            lx.export_lesson(scene, lesson, target, size=SMALL, progress=crash_at_step_4)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]          # the new folder went again
    assert [p.name for p in folder.iterdir()] == ["02-effleurage.png"]  # nothing hidden left
    assert (folder / "02-effleurage.png").read_bytes() == b"the old picture"
    # and when nothing crashes, every picture arrives whole
    pictures = lx.export_lesson(scene, lesson, folder, size=SMALL)
    assert sorted(p.name for p in folder.iterdir()) == STEP_FILES
    assert [p.path.name for p in pictures] == STEP_FILES
    for name, step in zip(STEP_FILES, lesson.steps):
        with Image.open(folder / name) as img:
            img.load()  # a truncated file fails here
            assert img.size == (8, 8) and img.getpixel((4, 4)) == (0x33, 0x66, 0x99)
            assert img.text["Title"] == step.title


def test_a_disk_full_is_one_line_naming_the_picture(lesson, scene, tmp_path, monkeypatch):
    import os

    import viewer.render.picture.lesson as lx
    from viewer.core.errors import BackViewError

    monkeypatch.setattr(lx, "annotated_image", lambda scene, opts: SimpleNamespace(
        image=Image.new("RGB", (8, 8)), metadata={"Title": opts.title}, labels=[]))

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(BackViewError) as err:
        lx.export_lesson(scene, lesson, tmp_path / "out", size=SMALL)
    line = err.value.line()
    assert "\n" not in line and "No space left on device" in line
    assert str(tmp_path / "out" / STEP_FILES[0]) in line
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- the pictures
def test_arrows_are_drawn_on_the_skin_where_the_lesson_puts_them(lesson, scene, projector,
                                                                friction):
    bare = annotated_image(scene, options(lesson, scene, projector, "friction", extra_meshes=[]))
    assert bare.render_camera == friction.render_camera
    xy = arrow_pixels(lesson, scene, projector, "friction", friction)
    drawn = arrow_ink(rgb_array(friction.image), xy).mean()
    before = arrow_ink(rgb_array(bare.image), xy).mean()
    assert drawn > 0.8, drawn
    assert before < 0.05, before


def test_effleurage_arrows_and_its_lighter_return(lesson, scene, projector, effleurage):
    from viewer.render.picture import step_options

    k, step = step_of(lesson, "effleurage")
    xy = arrow_pixels(lesson, scene, projector, "effleurage", effleurage)
    assert arrow_ink(rgb_array(effleurage.image), xy).mean() > 0.7
    # the return is lighter: dashed, with gaps along its path; the stroke up is solid
    opts = step_options(lesson, step, k, scene, size=SMALL, projector=projector)
    meshes = [mesh for mesh, colour in opts.extra_meshes if colour != "#ffffff"]
    paths = [p for a in lesson.arrows_of(step) for p in arrow_paths(a, scene.geometry.anchor)]
    assert len(meshes) == len(paths) == 4  # up and back, on each side
    for mesh, path in zip(meshes, paths):
        skin, normals = projector.project(path.uv)
        ok = np.isfinite(skin).all(axis=1)
        centre = skin[ok] + normals[ok] * LIFT / scene.geometry.scale
        centre = centre[: int(0.85 * len(centre))]  # the shaft, not the head
        _, nearest = mesh.find_closest_cell(centre, return_closest_point=True)
        off = np.linalg.norm(nearest - centre, axis=1) * scene.geometry.scale
        gaps = (off > 0.0045).mean()  # no tube around the centre line
        if path.light:
            assert 0.08 < gaps < 0.6, gaps
        else:
            assert gaps < 0.02, gaps


def test_highlighted_zones_are_labelled_outlined_and_the_others_faded(lesson, scene, projector,
                                                                     friction):
    rmap = scene.rmap
    _, step = step_of(lesson, "friction")
    assert {lab.key for lab in friction.labels} == {"paraspinal", "scapular-edges"}
    assert all(lab.zone_id in step.highlight for lab in friction.labels)
    # the outline: a white halo and a dark line around each highlighted zone
    plain = annotated_image(scene, options(lesson, scene, projector, "friction", highlight=[],
                                           extra_meshes=[]))
    assert plain.labels == []
    a, b = rgb_array(friction.image), rgb_array(plain.image)
    ring = [z.index for z in rmap.zones if z.id in ("scapular-edges-left", "paraspinal-right")]
    for index in ring:
        outline = scene.zone_outline(index)
        xy = image_points(friction.render_camera, SMALL, outline.points)
        x, y = np.round(xy[:, 0]).astype(int), np.round(xy[:, 1]).astype(int)
        white = (a[y, x].min(axis=1) > 200) | (a[y, x].max(axis=1) < 60)
        assert white.mean() > 0.6, (rmap.zones[index].id, white.mean())
    # zones left out fade towards white; highlighted ones keep their colour (on the opaque skin:
    # the friction step shows the bones through a 35 % skin, where every colour is paler)
    a = rgb_array(annotated_image(scene, options(lesson, scene, projector, "friction",
                                                 skin_opacity=1.0)).image)
    b = rgb_array(annotated_image(scene, options(lesson, scene, projector, "friction", highlight=[],
                                                 extra_meshes=[], skin_opacity=1.0)).image)
    for zid, faded in (("kidney-left", True), ("lower-back", True), ("paraspinal-left", False)):
        p = scene.label_anchor(rmap.zone(zid).index)
        x, y = np.round(image_points(friction.render_camera, SMALL, [p])[0]).astype(int)
        lighter = a[y - 1:y + 2, x - 1:x + 2].mean() - b[y - 1:y + 2, x - 1:x + 2].mean()
        assert (lighter > 25) == faded, (zid, lighter)


def test_the_step_panel_holds_caption_rules_and_quotes(lesson, scene, projector, effleurage):
    k, step = step_of(lesson, "effleurage")
    plan = effleurage.step
    assert normalise_text(" ".join(plan.text("caption").split("\n"))) == normalise_text(step.caption)
    quotes = " ".join(plan.text("quote").split("\n"))
    for citation in step.citations:
        assert normalise_text(citation) in normalise_text(quotes)
    rule = next(r for r in lesson.rmap.rules if r.id == "sequence")
    assert plan.text("rule-title") == rule.title
    assert normalise_text(" ".join(plan.text("rule-text").split("\n"))) == normalise_text(rule.text)
    assert plan.dropped == 0
    # quotes are smaller than the caption
    size = {ln.role: ln.font.size for ln in plan.lines}
    assert size["quote"] <= size["rule-text"] < size["caption"]  # 9 px at least: 960x540
    # the panel is drawn: a white box with ink in it, on the page's own background
    arr = rgb_array(effleurage.image)
    x0, y0, x1, y1 = (int(round(v)) for v in plan.box)
    inside = arr[y0 + 4:y1 - 4, x0 + 4:x1 - 4]
    assert (np.abs(inside - hex_to_rgb(PANEL_FILL)).sum(axis=2) == 0).mean() > 0.6
    ink = hex_to_rgb(get_palette("default").text)
    first = plan.lines[0]
    band = arr[int(first.y):int(first.y + first.font.size), x0:x1]
    assert (np.abs(band - ink).sum(axis=2) < 60).sum() > 200  # the caption's first line
    assert tuple(arr[3, 3]) == hex_to_rgb(get_palette("default").background)


def test_nothing_overlaps_and_the_legend_is_the_step_colour_mode(lesson, scene, effleurage,
                                                                friction):
    assert friction.layers_shown == ("bones",)   # the test sees a layer's legend row too
    for result, mode in ((effleurage, "stroke:effleurage"), (friction, "stroke:friction")):
        panel = result.step.box
        W, H = result.image.size
        assert 0 <= panel[0] and panel[2] <= W and 0 <= panel[1] and panel[3] <= H
        assert not boxes_overlap(panel, result.body_box)
        for lab in result.labels:
            assert not boxes_overlap(lab.box, panel)
            assert not boxes_overlap(lab.box, result.body_box, tol=1)
        for a in result.labels:
            for b in result.labels:
                assert a is b or not boxes_overlap(a.box, b.box)
        # the colour mode's rows, then the layers under the skin the step shows
        entries = legend(mode, scene.rmap) + layer_legend(result.layers_shown)
        assert [s[0] for s in result.legend_swatches] == [e.key for e in entries]
        arr = rgb_array(result.image)
        for (key, (x0, y0, x1, y1), colour, hatched), e in zip(result.legend_swatches, entries):
            assert colour == e.colour
            assert not boxes_overlap((x0, y0, x1, y1), panel)
            if not hatched:
                assert tuple(arr[(y0 + y1) // 2, (x0 + x1) // 2]) == hex_to_rgb(colour)


def test_full_hd_text_is_large_enough_for_a_classroom(lesson, scene, projector, effleurage):
    big = annotated_image(scene, options(lesson, scene, projector, "effleurage",
                                         size=(1920, 1080)))
    assert big.image.size == (1920, 1080)
    size = {ln.role: ln.font.size for ln in big.step.lines}
    small = {ln.role: ln.font.size for ln in effleurage.step.lines}
    # about 2.5 % of the screen's height for the caption, 1.7 % for the guide's sentences
    assert size["caption"] >= 27 and size["quote"] >= 18, size
    assert size["caption"] >= 1.8 * small["caption"]
    # every step fits at 1920x1080 without leaving a line out
    from viewer.render.picture import Style
    from viewer.render.picture.step_page import plan_step_panel
    from viewer.render.picture import step_spec

    style = Style.for_size(1920, 1080)
    region = big.step.box[0], big.step.box[1], big.step.box[2], 1080 - 60
    for k, step in enumerate(lesson.steps, start=1):
        plan = plan_step_panel(style, step_spec(lesson, step, k), region)
        assert plan.dropped == 0 and plan.scale >= 0.9, (step.id, plan.scale)
    xy = arrow_pixels(lesson, scene, projector, "effleurage", big)
    assert arrow_ink(rgb_array(big.image), xy, reach=2).mean() > 0.7


def test_a_panel_too_small_shrinks_its_fonts_then_shortens_the_quotes(lesson):
    from viewer.render.picture import Style
    from viewer.render.picture.step_page import STEP_MIN_SCALE, plan_step_panel
    from viewer.render.picture import step_spec

    style = Style.for_size(1920, 1080)
    k, step = step_of(lesson, "avoid")
    spec = step_spec(lesson, step, k)
    roomy = plan_step_panel(style, spec, (1000, 40, 1880, 1030))
    assert roomy.scale == 1.0 and roomy.dropped == 0
    tight = plan_step_panel(style, spec, (1000, 40, 1880, 640))
    assert tight.scale == pytest.approx(STEP_MIN_SCALE) and tight.dropped > 0
    assert tight.box[3] <= 640 + 1e-6
    # the caption is never cut; the guide's sentences go first, then the rules' last lines
    assert normalise_text(" ".join(tight.text("caption").split("\n"))) == normalise_text(step.caption)
    roomy_quotes, tight_quotes = roomy.text("quote").split("\n"), tight.text("quote").split("\n")
    assert len([q for q in tight_quotes if q]) < len(roomy_quotes)
    def words(plan, role):
        return " ".join(plan.text(role).split("\n"))

    if words(tight, "rule-text") != words(roomy, "rule-text"):
        assert tight.text("quote") == ""
        assert tight.text("rule-text").endswith("\u2026")
