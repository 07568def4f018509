"""Colours for zones, shared by the window, the legend and exported images.

A *colour mode* is ``"pressure"`` or ``"stroke:<name>"`` (effleurage, petrissage, friction).
Two themes: the default follows the Okabe-Ito colour-blind-safe set (vermillion for "avoid",
yellow for "light", sky blue for the middle step, bluish green for the most permissive); the
high-contrast theme (for bright projectors) follows Paul Tol's high-contrast scheme. "Avoid" is
never told by colour alone: the renderer hatches it and the legend says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from viewer.core.errors import unknown_choice
from viewer.core.regionmap import Pressure, RegionMap, Rule, Stroke, StrokeStatus, Zone

@dataclass(frozen=True)
class Palette:
    """Colours of one theme. Every palette must keep every pair of legend colours apart under
    normal vision and simulated deuteranopia, protanopia and tritanopia (tests check it)."""

    name: str
    label: str
    pressure: dict
    strokes: dict
    no_zone: str
    border: str
    hatch: str
    background: str
    text: str
    line_scale: float = 1.0
    #: under the skin (x-ray): bone-white bones, muted red-brown kidneys, and the inside of the
    #: body seen through a translucent skin (where no structure lies)
    bones: str = "#ece4cf"
    kidneys: str = "#8c3a30"
    interior: str = "#aaa097"


#: Okabe & Ito's colour-blind-safe set: vermillion, yellow, sky blue, bluish green.
DEFAULT = Palette(
    name="default",
    label="Default (Okabe-Ito)",
    pressure={Pressure.AVOID: "#d55e00", Pressure.LIGHT: "#f0e442",
              Pressure.MODERATE: "#56b4e9", Pressure.FIRM: "#009e73"},
    strokes={StrokeStatus.AVOID: "#d55e00", StrokeStatus.LIGHT_ONLY: "#f0e442",
             StrokeStatus.ALLOWED: "#56b4e9", StrokeStatus.RECOMMENDED: "#009e73"},
    no_zone="#cfc9c2",  # skin-toned neutral grey: the guide gives no specific rule here
    border="#2b2b2b",
    hatch="#2a0e00",
    background="#f7f5f2",
    text="#1a1a1a",
)

#: Paul Tol's high-contrast scheme (dark blue, ochre, rose) plus a mid blue: large lightness
#: steps that survive a washed-out projector, on white, with heavier lines.
HIGH_CONTRAST = Palette(
    name="high-contrast",
    label="High contrast (projectors)",
    pressure={Pressure.AVOID: "#bb5566", Pressure.LIGHT: "#ddaa33",
              Pressure.MODERATE: "#6699cc", Pressure.FIRM: "#004488"},
    strokes={StrokeStatus.AVOID: "#bb5566", StrokeStatus.LIGHT_ONLY: "#ddaa33",
             StrokeStatus.ALLOWED: "#6699cc", StrokeStatus.RECOMMENDED: "#004488"},
    no_zone="#e8e8e8",
    border="#000000",
    hatch="#000000",
    background="#ffffff",
    text="#000000",
    line_scale=1.8,
)

PALETTES: dict[str, Palette] = {p.name: p for p in (DEFAULT, HIGH_CONTRAST)}


def get_palette(palette: "str | Palette" = "default") -> Palette:
    if isinstance(palette, Palette):
        return palette
    try:
        return PALETTES[palette]
    except KeyError:
        raise unknown_choice("palette", palette, PALETTES, "palette") from None


@dataclass(frozen=True)
class SkinTone:
    """A colour of the skin outside every zone, with the zone outlines drawn on it.

    ``border`` (None: the theme's own) is the outline colour on this skin: a light outline on
    the darker tones, where the themes' near-black outlines would vanish (tests check 3:1)."""

    id: str
    name: str
    colour: str | None  # None: the theme's own neutral skin (``Palette.no_zone``)
    border: str | None = None
    #: per theme, zone colours nudged apart from this skin (``{"default": {"light": hex}}``,
    #: a pressure/stroke category: "light" also sets "light-only"): the smallest change in
    #: lightness that keeps the colour-vision checks of tests/test_palette.py on this tone
    zone_colours: dict = field(default_factory=dict)


_LIGHT_BORDER = "#f4efe6"

#: The Monk Skin Tone scale (Dr. Ellis Monk, Google, 2022; skintone.google; CC BY 4.0): ten
#: tones, MST 1 (lightest) to MST 10 (darkest), with their published sRGB values. BackView
#: offers five spanning the scale, plus the themes' own neutral skin ("default").
SKIN_TONES: dict[str, SkinTone] = {t.id: t for t in (
    SkinTone("default", "Neutral (BackView's default)", None),
    SkinTone("mst-1", "Monk 1 (lightest)", "#f6ede4",
             zone_colours={"default": {"light": "#e3d412"}}),
    SkinTone("mst-3", "Monk 3", "#f7ead0", zone_colours={"default": {"light": "#e3d412"}}),
    SkinTone("mst-5", "Monk 5", "#d7bd96", zone_colours={"high-contrast": {"light": "#d19d22"}}),
    SkinTone("mst-7", "Monk 7", "#825c43", _LIGHT_BORDER,
             zone_colours={"high-contrast": {"avoid": "#c66a79"}}),
    SkinTone("mst-10", "Monk 10 (darkest)", "#292420", _LIGHT_BORDER),
)}
DEFAULT_SKIN_TONE = "default"


def check_skin_tone(value: str, field: str = "skin-tone") -> str:
    """``value`` if it names a skin tone, else one line listing the ids."""
    if value not in SKIN_TONES:
        raise unknown_choice("skin tone", value, SKIN_TONES, field)
    return value


def skin_palette(palette: "str | Palette" = "default", skin_tone: str = DEFAULT_SKIN_TONE
                 ) -> Palette:
    """The theme ``palette`` drawn on ``skin_tone``: the unzoned skin in the tone's colour and
    the outlines in the tone's (the theme itself for the default tone)."""
    from dataclasses import replace

    pal = get_palette(palette)
    tone = SKIN_TONES[check_skin_tone(skin_tone)]
    if tone.colour is None:
        return pal
    pressure, strokes = dict(pal.pressure), dict(pal.strokes)
    for key, colour in tone.zone_colours.get(pal.name, {}).items():
        pressure[Pressure(key)] = colour
        strokes[StrokeStatus("light-only" if key == "light" else key)] = colour
    return replace(pal, no_zone=tone.colour, border=tone.border or pal.border,
                   pressure=pressure, strokes=strokes)


# the default theme's colours, for code that needs no other theme
NO_ZONE_COLOUR = DEFAULT.no_zone
BORDER_COLOUR = DEFAULT.border
SELECTION_COLOUR = "#ffffff"
BACKGROUND = DEFAULT.background
PRESSURE_COLOURS = DEFAULT.pressure
STROKE_COLOURS = DEFAULT.strokes

COLOUR_MODES = ("pressure",) + tuple(f"stroke:{s.value}" for s in Stroke)


@dataclass(frozen=True)
class LegendEntry:
    key: str          # pressure or status value, or "none"
    label: str        # words shown beside the swatch
    colour: str       # hex
    hatched: bool     # drawn with the "avoid" hatching


#: the legend words of the layers under the skin
LAYER_WORDS = {"bones": "Bones (under the skin)", "kidneys": "Kidneys (under the skin)"}


def layer_colour(layer: str, palette: "str | Palette" = "default") -> str:
    """The colour of a layer under the skin ("bones", "kidneys")."""
    return getattr(get_palette(palette), layer)


def layer_legend(layers, palette: "str | Palette" = "default") -> list[LegendEntry]:
    """Legend rows for the layers under the skin that a picture shows, in ``LAYER_WORDS``'s
    order (the skin itself has no row: its zones have theirs)."""
    return [LegendEntry(layer, words, layer_colour(layer, palette), False)
            for layer, words in LAYER_WORDS.items() if layer in layers]


def parse_colour_mode(mode: str) -> tuple[str, Stroke | None]:
    """``"pressure"`` -> ("pressure", None); ``"stroke:friction"`` -> ("stroke", Stroke.FRICTION)."""
    if mode == "pressure":
        return "pressure", None
    kind, _, name = mode.partition(":")
    if kind == "stroke":
        try:
            return "stroke", Stroke(name)
        except ValueError:
            pass
    raise unknown_choice("colour mode", mode, COLOUR_MODES, "colour-by")


def mode_title(mode: str) -> str:
    kind, stroke = parse_colour_mode(mode)
    return "Safe pressure" if kind == "pressure" else f"{stroke.label}: where and how"


def zone_category(zone: Zone | Rule | None, mode: str) -> str:
    """The legend key a zone (or a :class:`Rule`: where several zones cover the skin, the most
    cautious of each field) falls under in ``mode`` ("none" outside every zone)."""
    if zone is None:
        return "none"
    kind, stroke = parse_colour_mode(mode)
    return zone.pressure.value if kind == "pressure" else zone.strokes[stroke].value


def zone_colour(zone: Zone | Rule | None, mode: str, palette: "str | Palette" = "default") -> str:
    pal = get_palette(palette)
    if zone is None:
        return pal.no_zone
    kind, stroke = parse_colour_mode(mode)
    if kind == "pressure":
        return pal.pressure[zone.pressure]
    return pal.strokes[zone.strokes[stroke]]


def zone_hatched(zone: Zone | Rule | None, mode: str) -> bool:
    return zone_category(zone, mode) == "avoid"


def legend(mode: str, rmap: RegionMap | None = None,
           palette: "str | Palette" = "default") -> list[LegendEntry]:
    """Legend rows for ``mode``, most permissive first; with ``rmap``, only the categories the
    map uses (plus "no specific rule")."""
    pal = get_palette(palette)
    kind, stroke = parse_colour_mode(mode)
    if kind == "pressure":
        rows = [(p.value, _PRESSURE_WORDS[p], pal.pressure[p]) for p in reversed(list(Pressure))]
    else:
        rows = [(s.value, _STATUS_WORDS[s], pal.strokes[s]) for s in StrokeStatus]
    if rmap is not None:
        used = {zone_category(z, mode) for z in rmap.zones}
        rows = [r for r in rows if r[0] in used]
    out = [LegendEntry(k, label, colour, k == "avoid") for k, label, colour in rows]
    out.append(LegendEntry("none", "No specific rule (general rules apply)", pal.no_zone, False))
    return out


_PRESSURE_WORDS = {
    Pressure.FIRM: "Firm: lean in, never painful",
    Pressure.MODERATE: "Moderate",
    Pressure.LIGHT: "Light touch only",
    Pressure.AVOID: "No pressure (avoid)",
}
_STATUS_WORDS = {
    StrokeStatus.RECOMMENDED: "Recommended",
    StrokeStatus.ALLOWED: "Allowed",
    StrokeStatus.LIGHT_ONLY: "Light only",
    StrokeStatus.AVOID: "Avoid",
}


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in hex_to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio (1 to 21); AA asks 4.5 for body text, 3 for large text."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
