"""The page plan and the label placement, as geometry: no rendering."""

from __future__ import annotations

import random

import pytest

from viewer.render.picture.canvas import FONT_DIR, font, wrap
from viewer.render.picture.geometry import boxes_overlap, segments_cross
from viewer.render.picture.labels import LabelOption, LabelRequest, pack_column, place_labels
from viewer.render.picture.style import Style


def test_the_font_ships_with_its_licence():
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert (FONT_DIR / name).stat().st_size > 100_000
    licence = (FONT_DIR / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    assert "Bitstream" in licence and "Permission is hereby granted" in licence
    assert font(20).path.endswith("DejaVuSans.ttf")
    assert font(20, bold=True).path.endswith("DejaVuSans-Bold.ttf")


@pytest.mark.parametrize("size,u", [((1920, 1080), 1.0), ((3840, 2160), 2.0), ((2480, 3508), None)])
def test_sizes_scale_with_the_picture(size, u):
    style = Style.for_size(*size)
    if u is not None:
        assert style.u == pytest.approx(u)
        assert style.landscape
    else:  # A4 portrait at 300 dpi: a label is about 10 pt
        assert not style.landscape
        pt = style.label_font.size / 300 * 72
        assert 9 <= pt <= 12.5, pt
    assert style.label_font.size == round(23 * style.u)


def test_wrap_keeps_every_line_within_the_width():
    f = font(20)
    text = "Knead the ridge between neck and shoulder: lift, squeeze and roll the muscle " \
           "with alternating hands, supercalifragilisticexpialidociouslylongword."
    for width in (80, 150, 300):
        lines = wrap(text, f, width)
        assert all(f.getlength(line) <= width for line in lines), lines
        assert "".join(lines).replace("-", "").replace(" ", "") == text.replace(" ", "").replace("-", "")


def test_pack_column_keeps_order_gaps_and_range():
    rng = random.Random(6)
    for _ in range(300):
        n = rng.randint(1, 12)
        desired = sorted(rng.uniform(-50, 650) for _ in range(n))
        heights = [rng.uniform(10, 60) for _ in range(n)]
        tops = pack_column(desired, heights, 0, 600, 5)
        total = sum(heights) + 5 * (n - 1)
        if total > 600:
            assert tops is None
            continue
        assert tops is not None
        for i in range(n):
            assert tops[i] >= -1e-6 and tops[i] + heights[i] <= 600 + 1e-6
            if i:
                assert tops[i] >= tops[i - 1] + heights[i - 1] + 5 - 1e-6
    # alone, a label sits exactly at its zone's height
    assert pack_column([300.0], [20.0], 0, 600, 5) == [290.0]


def _requests(rng, n, width):
    out = []
    for i in range(n):
        y = rng.uniform(100, 900)
        x = rng.uniform(0.35 * width, 0.65 * width)
        side = "left" if x < width / 2 else "right"
        opts = [LabelOption(side, (x, y), f"z{i}")]
        if rng.random() < 0.3:
            opts.append(LabelOption("right" if side == "left" else "left", (width - x, y), f"z{i}b"))
        out.append(LabelRequest(f"k{i}", f"Zone number {i} with a longish name", "#56b4e9", False,
                                opts, area=rng.uniform(100, 5000)))
    return out


def test_placed_labels_never_overlap_and_stay_in_their_columns():
    rng = random.Random(1)
    style = Style.for_size(1920, 1080)
    columns = {"left": (40, 560), "right": (1360, 1880)}
    for n in (3, 8, 14, 30):
        placed = place_labels(_requests(rng, n, 1920), columns, (120, 1000), style,
                              obstacles={"right": [(500, 560)]})
        assert placed
        for a in placed:
            c0, c1 = columns[a.side]
            assert c0 - 1e-6 <= a.box[0] and a.box[2] <= c1 + 1e-6
            assert 120 - 1e-6 <= a.box[1] and a.box[3] <= 1000 + 1e-6
            if a.side == "right":
                assert a.box[3] <= 500 or a.box[1] >= 560, a.box  # the obstacle stays free
            for b in placed:
                if a is not b:
                    assert not boxes_overlap(a.box, b.box)
        if n <= 14:
            assert len(placed) == n
        else:  # too many for the space: the smallest zones' labels give way
            assert len(placed) < n


def test_a_costly_side_is_avoided():
    style = Style.for_size(1920, 1080)
    columns = {"left": (40, 560), "right": (1360, 1880)}
    req = LabelRequest("spine", "Spine", "#d55e00", True,
                       [LabelOption("left", (960, 500), "spine"), LabelOption("right", (960, 500), "spine")])
    for bad in ("left", "right"):
        placed = place_labels([req], columns, (100, 1000), style,
                              leader_cost=lambda side, anchor, x: 100.0 if side == bad else 0.0)
        assert placed[0].side != bad


def test_leaders_of_a_crowded_column_never_cross():
    """Crowded columns push labels off their zones' heights, which can cross two leaders
    (seeds 32 and 33 do, untangling aside): placed labels' leaders never cross."""
    style = Style.for_size(1920, 1080)
    columns = {"left": (40, 560), "right": (1360, 1880)}
    for seed in range(40):
        for n in (6, 8, 10, 14):
            placed = place_labels(_requests(random.Random(seed), n, 1920), columns, (120, 1000),
                                  style)
            for i, a in enumerate(placed):
                for b in placed[i + 1:]:
                    if a.side == b.side:
                        assert not segments_cross(a.start, a.anchor, b.start, b.anchor), \
                            (seed, n, a.key, b.key)
