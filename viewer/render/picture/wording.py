"""The words on the picture: the subtitle naming the view and the colour mode, the selected
zone's callout text, the footer."""

from __future__ import annotations

from viewer.core.palette import legend, mode_title, parse_colour_mode, zone_colour, zone_hatched
from viewer.core.regionmap import Stroke, Zone
from viewer.render.picture.options import ExportOptions
from viewer.render.picture.page import CalloutSpec, PageText, PinNote

VIEW_WORDS = {
    "back": "seen from behind",
    "oblique-left": "from behind, turned to the left side",
    "oblique-right": "from behind, turned to the right side",
    "left": "the left side",
    "right": "the right side",
    "top": "from above and behind",
}


def view_subtitle(opts: ExportOptions) -> str:
    where = "A saved view" if opts.camera is not None else VIEW_WORDS.get(opts.view, opts.view)
    kind, stroke = parse_colour_mode(opts.mode)
    what = ("coloured by how firmly to press" if kind == "pressure"
            else f"coloured by where {stroke.value} belongs")
    return f"{where[0].upper()}{where[1:]}, {what}"


def callout_spec(zone: Zone, mode: str, palette: str) -> CalloutSpec:
    words = {"recommended": "recommended", "allowed": "allowed", "light-only": "light only",
             "avoid": "avoid", "firm": "firm", "moderate": "moderate", "light": "light"}
    pressure = "none (avoid)" if zone.pressure.value == "avoid" else words[zone.pressure.value]
    facts = [("Pressure", pressure, zone_colour(zone, "pressure", palette),
              zone_hatched(zone, "pressure"))]
    for s in Stroke:
        m = f"stroke:{s.value}"
        facts.append((s.label, words[zone.strokes[s].value], zone_colour(zone, m, palette),
                      zone_hatched(zone, m)))
    sections = [("How", [zone.spec.technique], False), ("Cautions", list(zone.spec.cautions), True)]
    return CalloutSpec(zone.name, zone_colour(zone, mode, palette), zone_hatched(zone, mode), facts,
                       sections)


def reminder(rmap) -> str:
    """The map's own rule about pressure, as a one-line reminder in the footer."""
    rule = next((r for r in rmap.rules if r.id == "pressure"), None)
    return rule.title if rule is not None else ""


def footer_text(rmap, opts: ExportOptions) -> str:
    """The footer's left text: the options' own, or the region map's name and version."""
    return opts.footer or (f"Region map: {rmap.info.name}, version {rmap.info.version} "
                           "· made with BackView")


def page_text(rmap, opts: ExportOptions, pal, selected: Zone | None, pins) -> PageText:
    """Everything the page says, from the options, the region map and the resolved pins."""
    return PageText(
        title=opts.title or rmap.info.name, subtitle=view_subtitle(opts),
        legend_heading=mode_title(opts.mode), legend_entries=legend(opts.mode, rmap, pal),
        callout=callout_spec(selected, opts.mode, pal) if selected is not None else None,
        pin_notes=[PinNote(p.number, p.note) for p in pins], footer_left=footer_text(rmap, opts),
        footer_right=reminder(rmap))
