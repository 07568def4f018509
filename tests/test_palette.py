"""Colour and contrast: every legend stays readable for colour-blind learners and on projectors.

Thresholds (CAM02-UCS, Luo et al. 2006, via colorspacious):
- every pair of colours of one legend (the four categories of a mode plus "no specific rule")
  differs by ΔE ≥ 10 under normal vision and simulated deuteranopia, protanopia and tritanopia
  (Machado et al. 2009 at severity 100). One unit is about one just-noticeable difference for
  side-by-side patches; 10 keeps legend swatches and neighbouring zones apart at a glance, from
  the back of a room, on a projector that loses some saturation.
- pairs closer than ΔE 20 must also differ in lightness (J') by ≥ 5, so that they stay apart
  when a projector washes out the colour.
- text on the background meets WCAG 2 AA (4.5:1); hatching on "avoid" meets the 3:1 WCAG asks
  of graphical objects, so "avoid" never depends on colour alone.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from viewer.core.palette import (
    COLOUR_MODES,
    PALETTES,
    Palette,
    contrast_ratio,
    get_palette,
    legend,
    zone_colour,
)
from viewer.core.regionmap import Pressure, StrokeStatus, load_region_map

VISION = (None, "deuteranomaly", "protanomaly", "tritanomaly")
MIN_DELTA_E = 10.0
CLOSE_DELTA_E = 20.0
MIN_LIGHTNESS_STEP = 5.0


def _rgb1(colour: str) -> np.ndarray:
    c = colour.lstrip("#")
    return np.array([int(c[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0


def _seen(colour: str, vision: str | None) -> np.ndarray:
    rgb = _rgb1(colour)
    if vision is None:
        return rgb
    space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


def legend_problems(colours: dict[str, str]) -> list[str]:
    """Every pair of ``colours`` that some viewer could confuse, as readable lines."""
    problems = []
    for vision in VISION:
        seen = {k: _seen(c, vision) for k, c in colours.items()}
        for a, b in itertools.combinations(colours, 2):
            d = float(deltaE(seen[a], seen[b], input_space="sRGB1", uniform_space="CAM02-UCS"))
            ja = cspace_convert(seen[a], "sRGB1", "CAM02-UCS")[0]
            jb = cspace_convert(seen[b], "sRGB1", "CAM02-UCS")[0]
            who = vision or "normal vision"
            if d < MIN_DELTA_E:
                problems.append(f"{a} vs {b}: ΔE {d:.1f} < {MIN_DELTA_E} for {who}")
            elif d < CLOSE_DELTA_E and abs(ja - jb) < MIN_LIGHTNESS_STEP:
                problems.append(f"{a} vs {b}: ΔE {d:.1f} with lightness step {abs(ja - jb):.1f} "
                                f"< {MIN_LIGHTNESS_STEP} for {who}")
    return problems


def _legends(pal: Palette) -> dict[str, dict[str, str]]:
    return {
        "pressure": {p.value: pal.pressure[p] for p in Pressure} | {"none": pal.no_zone},
        "strokes": {s.value: pal.strokes[s] for s in StrokeStatus} | {"none": pal.no_zone},
    }


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_legend_pair_stays_apart_under_colour_blindness(name):
    pal = PALETTES[name]
    for legend_name, colours in _legends(pal).items():
        assert legend_problems(colours) == [], (name, legend_name)


def test_the_check_catches_a_palette_that_colour_blind_viewers_cannot_read():
    # red against green of similar lightness: the classic deuteranopia confusion
    bad = {"avoid": "#d62728", "firm": "#2ca02c", "light": "#ffdd00", "none": "#cccccc"}
    problems = legend_problems(bad)
    assert any("avoid vs firm" in p and ("deuteranomaly" in p or "protanomaly" in p)
               for p in problems), problems
    # and two near-identical blues fail even for normal vision
    assert any("normal vision" in p for p in legend_problems({"a": "#3366cc", "b": "#3568ca"}))


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_text_and_hatching_contrast(name):
    pal = PALETTES[name]
    assert contrast_ratio(pal.text, pal.background) >= 4.5
    assert contrast_ratio(pal.text, "#ffffff") >= 4.5  # panels and callouts are white
    # hatching on the "avoid" colour is a graphical object: WCAG 1.4.11 asks 3:1
    assert contrast_ratio(pal.hatch, pal.pressure[Pressure.AVOID]) >= 3.0
    # zone borders stand out against the unzoned skin around the zones
    assert contrast_ratio(pal.border, pal.no_zone) >= 3.0


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_the_two_themes_differ_and_high_contrast_draws_heavier_lines():
    default, hc = get_palette("default"), get_palette("high-contrast")
    assert default.pressure != hc.pressure
    assert hc.line_scale > default.line_scale
    assert hc.background == "#ffffff"


def test_unknown_palette_is_a_one_line_error():
    from viewer.core.errors import BackViewError

    with pytest.raises(BackViewError, match="unknown palette 'neon'"):
        get_palette("neon")


@pytest.mark.parametrize("mode", COLOUR_MODES)
def test_legend_matches_zone_colours_for_every_mode(mode):
    rmap = load_region_map()
    rows = {e.key: e.colour for e in legend(mode, rmap)}
    for zone in rmap.zones:
        category = zone.pressure.value if mode == "pressure" else zone.strokes[
            next(s for s in zone.strokes if f"stroke:{s.value}" == mode)].value
        assert rows[category] == zone_colour(zone, mode), (mode, zone.id)
    # "avoid" is hatched in the legend as on the model, never told by colour alone
    assert all(e.hatched == (e.key == "avoid") for e in legend(mode, rmap))


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_bones_and_kidneys_stay_apart_from_each_other_the_page_and_the_body(name):
    # the x-ray legend's two rows, the page they sit on, and the inside of the body they are seen
    # against through the skin: apart for every viewer, as the zone legends are
    pal = PALETTES[name]
    colours = {"bones": pal.bones, "kidneys": pal.kidneys, "interior": pal.interior}
    assert legend_problems(colours) == [], name
    # the legend swatch of the kidneys is a graphical object on the page: 3:1
    assert contrast_ratio(pal.kidneys, pal.background) >= 3.0


# ---------------------------------------------------------------------- skin tones (issue 15)
from viewer.core.palette import SKIN_TONES, check_skin_tone, skin_palette  # noqa: E402


@pytest.mark.parametrize("name", sorted(PALETTES))
@pytest.mark.parametrize("tone", sorted(SKIN_TONES))
def test_every_skin_tone_keeps_outlines_and_zone_colours_readable(name, tone):
    pal = skin_palette(name, tone)
    # the zone outlines stand out against the unzoned skin (WCAG 1.4.11, graphical objects)
    assert contrast_ratio(pal.border, pal.no_zone) >= 3.0, (name, tone)
    # hatching lies on the "avoid" colour, which the tone does not change
    assert contrast_ratio(pal.hatch, pal.pressure[Pressure.AVOID]) >= 3.0
    # every zone colour stays apart from the skin, for every viewer
    for legend_name, colours in _legends(pal).items():
        assert legend_problems(colours) == [], (name, tone, legend_name)


def test_skin_tones_span_the_scale_from_light_to_dark():
    tones = [t for t in SKIN_TONES.values() if t.colour]
    assert len(tones) >= 4
    from viewer.core.palette import relative_luminance
    lum = [relative_luminance(t.colour) for t in tones]
    assert max(lum) > 0.75 and min(lum) < 0.03
    assert skin_palette("default", "default") == PALETTES["default"]
    assert skin_palette("default", "mst-10").no_zone == "#292420"


def test_unknown_skin_tone_is_one_line_listing_the_ids():
    with pytest.raises(Exception) as exc:
        check_skin_tone("beige")
    line = str(exc.value)
    assert "\n" not in line and "beige" in line and "mst-10" in line and "default" in line
