"""Annotated exports, off-screen: the pixels of the legend, callout, pins, labels and alpha.

Every export here is rendered for real (pyvista off-screen, no display) at a small size, except
one 4K check. Positions are checked against the renderer's own projection, recomputed here with
VTK (tests/projection.py) from the camera the export reports, not against the export's own arithmetic.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from viewer.core.camera import Camera
from viewer.core.options import parse_size
from viewer.core.palette import get_palette, hex_to_rgb, legend, zone_colour
from viewer.core.session import Pin
from viewer.render import picture as ex
from viewer.render.picture import ExportOptions, annotated_image, export_image, write
from viewer.render.picture.geometry import boxes_overlap

from projection import image_point

SMALL = (960, 540)


@pytest.fixture(scope="module")
def scene(body):
    from viewer.core.regionmap import load_region_map
    from viewer.render.scene import BodyScene

    return BodyScene(body, load_region_map())


@pytest.fixture(scope="module")
def plain(scene):
    """The default export: back view, pressure, every label."""
    return annotated_image(scene, ExportOptions(size=SMALL))


@pytest.fixture(scope="module")
def selected(scene):
    return annotated_image(scene, ExportOptions(size=SMALL, zone="kidney-left"))


def rgb_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


def title_area(result, image: Image.Image | None = None, palette: str = "default"):
    """Where the title is, found by colour left of the legend (whose place the export returns):
    from the first row holding solid text ink, the band of rows that are not bare paper."""
    pal = get_palette(palette)
    legend_left = min(box[0] for _, box, _, _ in result.legend_swatches)
    columns = slice(0, int(legend_left - 2 * (result.legend_swatches[0][1][2] - legend_left)))
    arr = rgb_array(image or result.image)[:, columns]
    solid = (np.abs(arr - np.array(hex_to_rgb(pal.text))).sum(axis=2) <= 12).any(axis=1)
    marked = (np.abs(arr - np.array(hex_to_rgb(pal.background))).sum(axis=2) > 30).any(axis=1)
    first = int(np.argmax(solid))
    assert solid[first], "no text ink in the picture"
    top = first - int(np.argmin(marked[first::-1]))
    bottom = first + int(np.argmin(marked[first:]))
    return slice(top + 1, bottom), columns


def close(a, b, tol=3) -> bool:
    return all(abs(int(x) - int(y)) <= tol for x, y in zip(a, b))


# --------------------------------------------------------------------------- size and scale
def test_the_picture_has_the_asked_size(plain):
    assert plain.image.size == SMALL


def test_4k_export_is_4k_with_text_twice_as_large_and_crisp(scene, plain):
    big = annotated_image(scene, ExportOptions(size=(3840, 2160)))
    assert big.image.size == (3840, 2160)
    # fonts scale with the picture: labels four times the pixels of a 960x540 export
    small_h = np.median([lab.box[3] - lab.box[1] for lab in plain.labels])
    big_h = np.median([lab.box[3] - lab.box[1] for lab in big.labels])
    assert 3.6 < big_h / small_h < 4.4
    # crisp: the title's strokes are solid ink, not a blur scaled up from a small image
    ink = np.array(hex_to_rgb(get_palette("default").text))
    arr = rgb_array(big.image)[title_area(big)]
    dist = np.abs(arr - ink).sum(axis=2)
    solid = (dist <= 12).sum()
    partial = ((dist > 12) & (dist < 400)).sum()
    assert solid > 20000, solid
    assert partial < 0.25 * solid, (solid, partial)  # an upscaled 1080p title scores ~0.6


# --------------------------------------------------------------------------- legend
@pytest.mark.parametrize("mode", ["pressure", "stroke:friction"])
def test_legend_swatches_are_the_zone_colours(scene, mode):
    result = annotated_image(scene, ExportOptions(size=SMALL, mode=mode, labels="none"))
    arr = rgb_array(result.image)
    entries = legend(mode, scene.rmap)
    assert [s[0] for s in result.legend_swatches] == [e.key for e in entries]
    hatch = hex_to_rgb(get_palette("default").hatch)
    for (key, box, colour, hatched), entry in zip(result.legend_swatches, entries):
        assert colour == entry.colour
        # every zone of this category is drawn with this very colour on the body
        members = [z for z in scene.rmap.zones if _category(z, mode) == entry.key]
        assert all(zone_colour(z, mode) == colour for z in members)
        if entry.key != "none":
            assert members, entry.key
        x0, y0, x1, y1 = box
        inside = arr[y0 + 3:y1 - 3, x0 + 3:x1 - 3].reshape(-1, 3)
        counts = Counter(map(tuple, inside))
        top, n = counts.most_common(1)[0]
        assert top == hex_to_rgb(entry.colour), (key, top, entry.colour)
        if hatched:
            # the "avoid" swatch is hatched like the model: dark hatch pixels cross it
            dark = sum(c for px, c in counts.items() if close(px, hatch, 60))
            assert dark > 0.08 * len(inside), key
            assert n < 0.9 * len(inside)
        else:
            assert n == len(inside), key


def _category(zone, mode):
    from viewer.core.palette import zone_category

    return zone_category(zone, mode)


def test_high_contrast_palette_changes_the_swatches(scene):
    result = annotated_image(scene, ExportOptions(size=SMALL, palette="high-contrast", labels="none"))
    arr = rgb_array(result.image)
    pal = get_palette("high-contrast")
    for key, (x0, y0, x1, y1), colour, hatched in result.legend_swatches:
        if not hatched:
            assert tuple(arr[(y0 + y1) // 2, (x0 + x1) // 2]) == hex_to_rgb(colour)
    assert hex_to_rgb(pal.background) == tuple(arr[2, 2])


# --------------------------------------------------------------------------- callout
def test_selected_zone_has_a_callout_tied_to_it(scene, plain, selected):
    assert selected.callout_box is not None and plain.callout_box is None
    x0, y0, x1, y1 = (int(round(v)) for v in selected.callout_box)
    W, H = SMALL
    assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
    with_zone, without = rgb_array(selected.image), rgb_array(plain.image)
    box = with_zone[y0:y1, x0:x1]
    # the heading band is the zone's colour, the body of the box white with dark text
    zone = scene.rmap.zone("kidney-left")
    band = box[3:int(0.08 * (y1 - y0)), 3:-3].reshape(-1, 3)
    colour = hex_to_rgb(zone_colour(zone, "pressure"))
    assert Counter(map(tuple, band)).most_common(1)[0][0] == colour
    text_area = box[int(0.2 * (y1 - y0)):-6, 6:-6]
    ink = (np.abs(text_area - np.array(hex_to_rgb(get_palette("default").text))).sum(axis=2) < 200)
    assert ink.mean() > 0.03, "no text in the callout"
    # it is new: the same place without a selected zone looks different
    assert np.abs(box - without[y0:y1, x0:x1]).sum(axis=2).mean() > 40
    # and its leader ends on the zone: where VTK projects the zone's label anchor
    (sx, sy), (ax, ay) = selected.callout_leader
    px, py = image_point(selected.render_camera, SMALL, scene.label_anchor(zone.index))
    assert abs(px - ax) < 3 and abs(py - ay) < 3
    mid = (int((sx + ax) / 2), int((sy + ay) / 2))
    assert np.abs(with_zone[mid[1], mid[0]] - np.array(hex_to_rgb(get_palette("default").text))).sum() < 120


def test_labels_never_cover_the_selected_zone_nor_each_other(scene, selected):
    W, H = SMALL
    bx0, by0, bx1, by1 = selected.body_box
    assert selected.labels, "no labels"
    for a in selected.labels:
        x0, y0, x1, y1 = a.box
        assert 0 <= x0 and x1 <= W and 0 <= y0 and y1 <= H, a
        assert not boxes_overlap(a.box, selected.body_box), a      # the body, selection included
        assert not boxes_overlap(a.box, selected.callout_box), a
        for b in selected.labels:
            if a is not b:
                assert not boxes_overlap(a.box, b.box), (a.key, b.key)
    # the selected zone is named by its callout, not by a label; its partner keeps its label
    assert all(lab.zone_id != "kidney-left" for lab in selected.labels)
    assert any(lab.zone_id == "kidney-right" for lab in selected.labels)


def test_a_selected_zone_hidden_from_the_view_has_a_callout_but_no_leader(scene):
    result = annotated_image(scene, ExportOptions(size=SMALL, view="left", zone="kidney-right"))
    assert result.callout_box is not None and result.callout_leader is None
    # the zone seen from this side, its partner, is labelled
    assert any(lab.zone_id == "kidney-left" for lab in result.labels)


def test_every_visible_zone_group_is_labelled_in_the_back_view(scene, plain):
    keys = {lab.key for lab in plain.labels}
    assert keys == {spec.id for spec in scene.rmap.data.zones}
    # each leader ends on its own zone: VTK projects that zone's label anchor there
    for lab in plain.labels:
        zone = scene.rmap.zone(lab.zone_id)
        px, py = image_point(plain.render_camera, SMALL, scene.label_anchor(zone.index))
        assert abs(px - lab.anchor[0]) < 3 and abs(py - lab.anchor[1]) < 3, lab.zone_id


def test_zones_hidden_from_a_side_view_get_no_label(scene):
    result = annotated_image(scene, ExportOptions(size=SMALL, view="right"))
    ids = {lab.zone_id for lab in result.labels}
    assert ids, "nothing labelled"
    assert not any(i.endswith("-left") for i in ids), ids
    assert "spine" not in ids  # seen edge-on from the side


def test_labels_none_draws_no_label(scene, plain):
    result = annotated_image(scene, ExportOptions(size=SMALL, labels="none"))
    assert result.labels == []
    # the label columns are empty paper
    arr = rgb_array(result.image)
    lab = plain.labels[0]
    x0, y0, x1, y1 = (int(v) for v in lab.box)
    paper = np.array(hex_to_rgb(get_palette("default").background))
    assert (np.abs(arr[y0:y1, x0:x1] - paper).sum(axis=2) < 6).all()
    drawn = rgb_array(plain.image)[y0:y1, x0:x1]
    assert (np.abs(drawn - paper).sum(axis=2) > 100).sum() > 20


# --------------------------------------------------------------------------- pins
def test_pin_marker_lands_on_its_projected_point(scene, body, plain):
    pins = [Pin(landmark="spinous_T7", note="Start here"),
            Pin(landmark="inferior_angle_right", note="Knot felt here")]
    result = annotated_image(scene, ExportOptions(size=SMALL, pins=pins))
    arr, before = rgb_array(result.image), rgb_array(plain.image)
    pin_rgb = np.array(hex_to_rgb(ex.PIN_COLOUR))
    for placed, name in zip(result.pins, ["spinous_T7", "inferior_angle_right"]):
        x, y = image_point(result.render_camera, SMALL, body.landmarks[name])
        assert placed.tip is not None
        assert abs(placed.tip[0] - x) < 2 and abs(placed.tip[1] - y) < 2
        # just off the point, towards the head, is the marker's dark tip; before it, the body
        hx, hy = placed.head
        dx, dy = (hx - x) / np.hypot(hx - x, hy - y), (hy - y) / np.hypot(hx - x, hy - y)
        assert np.hypot(hx - x, hy - y) == pytest.approx(ex.PIN_REACH * placed.radius, rel=0.08)
        sx, sy = int(round(x + 0.6 * placed.radius * dx)), int(round(y + 0.6 * placed.radius * dy))
        assert np.abs(arr[sy, sx] - pin_rgb).sum() < 40, arr[sy, sx]
        assert np.abs(before[sy, sx] - pin_rgb).sum() > 150
        # the head is dark and carries its number in white
        r = int(placed.radius * 0.9)
        head = arr[int(hy) - r:int(hy) + r, int(hx) - r:int(hx) + r]
        assert (np.abs(head - pin_rgb).sum(axis=2) < 40).mean() > 0.4
        assert (head.min(axis=2) > 200).any()
    assert [p.number for p in result.pins] == [1, 2]


def test_pins_are_listed_in_a_footnote(scene, plain):
    result = annotated_image(scene, ExportOptions(size=SMALL, pins=[Pin(landmark="spinous_L3", note="Here")]))
    ink = np.array(hex_to_rgb(get_palette("default").text))
    # under the body: the footnote's dark numbered disc and its note in text ink; without pins
    # only the footer (muted grey) is there
    for image, box, expected in ((result.image, result.body_box, True), (plain.image, plain.body_box, False)):
        below = rgb_array(image)[int(box[3]) + 2:]
        dark = (np.abs(below - ink).sum(axis=2) <= 12).sum()
        assert (dark > 60) == expected, (expected, dark)


def test_a_pin_hidden_from_the_view_is_not_drawn(scene, body):
    """Seen from the left, the right shoulder blade is hidden: its pin leaves the pixels where
    that point projects as they are, where a pin on the left hip is drawn on the picture. Each
    picture is the other's reference (one pin and one footnote each: the same framing)."""
    def left_view(landmark):
        return annotated_image(scene, ExportOptions(size=SMALL, view="left", labels="none",
                                                    pins=[Pin(landmark=landmark, note="x")]))

    hidden, shown = left_view("inferior_angle_right"), left_view("iliac_crest_top_left")
    assert hidden.pins[0].tip is None and shown.pins[0].tip is not None
    assert np.allclose(hidden.body_box, shown.body_box, atol=0.5)
    reach = int((ex.PIN_REACH + 1.5) * shown.pins[0].radius)
    a, b = rgb_array(hidden.image), rgb_array(shown.image)

    def changed_near(name):
        x, y = image_point(hidden.render_camera, SMALL, body.landmarks[name])
        x0, y0 = max(int(x) - reach, 0), max(int(y) - reach, 0)
        window = (slice(y0, int(y) + reach), slice(x0, int(x) + reach))
        return int((np.abs(a[window] - b[window]).sum(axis=2) > 60).sum())

    assert changed_near("inferior_angle_right") == 0   # no pin where the hidden point projects
    assert changed_near("iliac_crest_top_left") > 100  # the same check sees a drawn pin


def test_a_pin_off_the_skin_is_refused(scene):
    from viewer.core.errors import BackViewError

    with pytest.raises(BackViewError, match="away from the skin"):
        annotated_image(scene, ExportOptions(size=SMALL, pins=[Pin(point=(0.0, 0.4, -1.0), note="x")]))


# --------------------------------------------------------------------------- transparency
def test_transparent_background(scene, tmp_path):
    out = tmp_path / "t.png"
    result = export_image(scene, ExportOptions(size=SMALL, transparent=True), out)
    img = Image.open(out)
    assert img.mode == "RGBA"
    alpha = np.asarray(img)[:, :, 3]
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 0
    bx0, by0, bx1, by1 = result.body_box
    spine = result.labels and next(lab for lab in result.labels if lab.key == "spine")
    ax, ay = (int(v) for v in spine.anchor)
    assert alpha[ay + 6, ax] == 255  # the body is opaque
    # the title's ink is opaque too (its rows found in the opaque picture), the paper above not
    opaque = Image.open(export_image(scene, ExportOptions(size=SMALL), tmp_path / "o.png").path)
    assert opaque.mode == "RGB"
    rows, columns = title_area(result, opaque)
    assert alpha[rows, columns].max() == 255
    assert alpha[:rows.start, columns].max() == 0


# --------------------------------------------------------------------------- files
def test_png_metadata(scene, tmp_path):
    out = tmp_path / "meta.png"
    export_image(scene, ExportOptions(size=SMALL, mode="stroke:petrissage", view="oblique-left",
                                      zone="upper-trapezius-right", title="Week 3"), out)
    text = Image.open(out).text
    assert text["backview:map-version"] == scene.rmap.info.version
    assert text["backview:map"] == scene.rmap.info.name
    assert text["backview:view"] == "oblique-left"
    assert text["backview:colour-mode"] == "stroke:petrissage"
    assert text["backview:zone"] == "upper-trapezius-right"
    assert text["Title"] == "Week 3"
    cam = Camera.model_validate_json(text["backview:camera"])
    assert cam.parallel_scale > 0


def test_a_saved_camera_reproduces_the_picture(scene, plain):
    again = annotated_image(scene, ExportOptions(size=SMALL, camera=plain.camera))
    # the same framing: the body lands in the same box, and looks the same in it
    assert np.allclose(again.body_box, plain.body_box, atol=1.5)
    x0, y0, x1, y1 = (int(round(v)) for v in plain.body_box)
    body = (slice(y0, y1), slice(x0, x1))
    differ = np.abs(rgb_array(again.image)[body] - rgb_array(plain.image)[body]).sum(axis=2) > 60
    assert differ.mean() < 0.01, differ.mean()


def test_pdf_export(scene, tmp_path):
    out = tmp_path / "handout.pdf"
    export_image(scene, ExportOptions(size=(640, 480), labels="none"), out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    title = "Relaxing back massage"
    assert title.encode() in data or title.encode("utf-16-be") in data  # the document's title


def test_failed_write_leaves_the_old_file_and_no_temporary(scene, tmp_path, monkeypatch):
    out = tmp_path / "keep.png"
    out.write_bytes(b"old picture")

    def broken(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write, "atomic_write_bytes", broken)
    from viewer.core.errors import BackViewError

    with pytest.raises(BackViewError, match="No space left"):
        export_image(scene, ExportOptions(size=(640, 480), labels="none"), out)
    assert out.read_bytes() == b"old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]


def test_atomic_write_cleans_up_after_a_failure(tmp_path, monkeypatch):
    import os

    from viewer.core.atomic import atomic_write_bytes

    out = tmp_path / "x.png"
    out.write_bytes(b"old")
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        atomic_write_bytes(out, b"new")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]


def test_written_file_has_an_ordinary_mode(scene, tmp_path):
    import os
    import stat

    from viewer.core.atomic import atomic_write_bytes

    out = tmp_path / "m.bin"
    atomic_write_bytes(out, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("text,expected", [
    ("1920x1080", (1920, 1080, None)), ("3840×2160", (3840, 2160, None)),
    ("a4", (2480, 3508, 300)), ("A4-landscape", (3508, 2480, 300)), ("800 x 600", (800, 600, None)),
])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["0x10", "abc", "8193x100", "100x9000", "1920x", "-5x5", "10x10",
                                  "1920x1080x3", ""])
def test_parse_size_refuses(text):
    from viewer.core.errors import BackViewError

    with pytest.raises(BackViewError) as err:
        parse_size(text)
    assert err.value.field == "size" and "\n" not in err.value.line()


def test_parse_pin():
    assert ex.parse_pin("spinous_T7:Start here") == Pin(landmark="spinous_T7", note="Start here")
    assert ex.parse_pin("0.01, 0.4,-0.05 : knot").point == (0.01, 0.4, -0.05)
    from viewer.core.errors import BackViewError

    for bad in ("spinous_T7", ":note", "spinous_T7:", "1,2:x", "nan,1,2:x"):
        with pytest.raises(BackViewError):
            ex.parse_pin(bad)


def test_metadata_lists_the_pins(scene, tmp_path):
    out = tmp_path / "p.png"
    export_image(scene, ExportOptions(size=(640, 480), labels="none",
                                      pins=[Pin(landmark="spinous_T7", note="Start")]), out)
    pins = json.loads(Image.open(out).text["backview:pins"])
    assert pins == [{"landmark": "spinous_T7", "note": "Start"}]
