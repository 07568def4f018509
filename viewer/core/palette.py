"""Colours for zones, shared by the window, the legend and exported images.

A *colour mode* is ``"pressure"`` or ``"stroke:<name>"`` (effleurage, petrissage, friction).
The palettes follow the Okabe-Ito colour-blind-safe set: vermillion for "avoid", yellow for
"light", sky blue for the middle step and bluish green for the most permissive. "Avoid" is
never told by colour alone: the renderer hatches it and the legend says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.core.errors import BackViewError
from viewer.core.regionmap import Pressure, RegionMap, Stroke, StrokeStatus, Zone

NO_ZONE_COLOUR = "#cfc9c2"   # skin-toned neutral grey: the guide gives no specific rule here
BORDER_COLOUR = "#2b2b2b"
SELECTION_COLOUR = "#ffffff"
BACKGROUND = "#f7f5f2"

PRESSURE_COLOURS: dict[Pressure, str] = {
    Pressure.AVOID: "#d55e00",     # vermillion
    Pressure.LIGHT: "#f0e442",     # yellow
    Pressure.MODERATE: "#56b4e9",  # sky blue
    Pressure.FIRM: "#009e73",      # bluish green
}
STROKE_COLOURS: dict[StrokeStatus, str] = {
    StrokeStatus.AVOID: "#d55e00",
    StrokeStatus.LIGHT_ONLY: "#f0e442",
    StrokeStatus.ALLOWED: "#56b4e9",
    StrokeStatus.RECOMMENDED: "#009e73",
}

COLOUR_MODES = ("pressure",) + tuple(f"stroke:{s.value}" for s in Stroke)


@dataclass(frozen=True)
class LegendEntry:
    key: str          # pressure or status value, or "none"
    label: str        # words shown beside the swatch
    colour: str       # hex
    hatched: bool     # drawn with the "avoid" hatching


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
    raise BackViewError(f"unknown colour mode '{mode}' (choose from {', '.join(COLOUR_MODES)})",
                        field="colour-by")


def mode_title(mode: str) -> str:
    kind, stroke = parse_colour_mode(mode)
    return "Safe pressure" if kind == "pressure" else f"{stroke.label}: where and how"


def zone_category(zone: Zone | None, mode: str) -> str:
    """The legend key a zone falls under in ``mode`` ("none" outside every zone)."""
    if zone is None:
        return "none"
    kind, stroke = parse_colour_mode(mode)
    return zone.pressure.value if kind == "pressure" else zone.strokes[stroke].value


def zone_colour(zone: Zone | None, mode: str) -> str:
    if zone is None:
        return NO_ZONE_COLOUR
    kind, stroke = parse_colour_mode(mode)
    if kind == "pressure":
        return PRESSURE_COLOURS[zone.pressure]
    return STROKE_COLOURS[zone.strokes[stroke]]


def zone_hatched(zone: Zone | None, mode: str) -> bool:
    return zone_category(zone, mode) == "avoid"


def legend(mode: str, rmap: RegionMap | None = None) -> list[LegendEntry]:
    """Legend rows for ``mode``, most permissive first; with ``rmap``, only the categories the
    map uses (plus "no specific rule")."""
    kind, stroke = parse_colour_mode(mode)
    if kind == "pressure":
        rows = [(p.value, _PRESSURE_WORDS[p], PRESSURE_COLOURS[p]) for p in reversed(list(Pressure))]
    else:
        rows = [(s.value, _STATUS_WORDS[s], STROKE_COLOURS[s]) for s in StrokeStatus]
    if rmap is not None:
        used = {zone_category(z, mode) for z in rmap.zones}
        rows = [r for r in rows if r[0] in used]
    out = [LegendEntry(k, label, colour, k == "avoid") for k, label, colour in rows]
    out.append(LegendEntry("none", "No specific rule (general rules apply)", NO_ZONE_COLOUR, False))
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


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
