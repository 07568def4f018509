"""The words on the picture: the subtitle naming the view and the colour mode, the selected
zone's callout text, the footer."""

from __future__ import annotations

from viewer.core.palette import (
    LegendEntry,
    layer_legend,
    legend,
    mode_title,
    parse_colour_mode,
    zone_colour,
    zone_hatched,
)
from viewer.core.regionmap import Zone
from viewer.core.views import view_phrase
from viewer.core.wording import zone_facts, zone_sections
from viewer.render.picture.options import ExportOptions
from viewer.render.picture.page import CalloutSpec, PageText, PinNote
from viewer.render.screened import screening_legend

def view_subtitle(opts: ExportOptions) -> str:
    where = view_phrase(None if opts.camera is not None else opts.view)
    kind, stroke = parse_colour_mode(opts.mode)
    what = ("coloured by how firmly to press" if kind == "pressure"
            else f"coloured by where {stroke.value} belongs")
    if opts.xray:
        under = " and ".join(layer for layer in opts.layers if layer != "skin")
        skin = (f"through the skin ({opts.skin_opacity * 100:.0f} %)"
                if "skin" in opts.layers else "without the skin")
        return f"{where}, {what}; {under} {skin}"
    return f"{where}, {what}"


#: the parts of a zone's text a callout has room for (the window shows them all)
CALLOUT_SECTIONS = ("technique", "cautions")


def callout_spec(zone: Zone, mode: str, palette: str) -> CalloutSpec:
    """The selected zone's callout: the window's zone facts and its technique and cautions."""
    facts = [(f.label, f.value, zone_colour(zone, f.mode, palette), zone_hatched(zone, f.mode))
             for f in zone_facts(zone)]
    sections = [(s.heading, list(s.paragraphs), s.bulleted) for s in zone_sections(zone)
                if s.kind in CALLOUT_SECTIONS]
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


def screened_legend(scene, mode: str, pal) -> list[LegendEntry]:
    """The legend's rows for a screened scene (issue 14): the marks, the reasons zones are
    reduced, and a postponed massage's grey."""
    if scene is None or scene.screened is None:
        return []
    rows = screening_legend(scene.screened, scene.look, mode, pal)
    if scene.postponed:
        rows.append(LegendEntry("postpone", "Postponed: no massage until the symptoms resolve",
                                "#bebebe", True))
    return rows


def page_text(rmap, opts: ExportOptions, pal, selected: Zone | None, pins,
              layers_shown=(), scene=None) -> PageText:
    """Everything the page says, from the options, the region map and the resolved pins; the
    legend also lists the layers under the skin the picture shows (``layers_shown``) and what
    a screening changed (``scene``'s, when it has one applied)."""
    if opts.paint is not None:  # the caller's colours, the caller's legend (none: no rows)
        heading, entries = opts.paint.legend_heading, list(opts.paint.legend) or None
    else:
        heading = mode_title(opts.mode)
        entries = (legend(opts.mode, rmap, pal) + layer_legend(layers_shown, pal)
                   + screened_legend(scene, opts.mode, pal))
    return PageText(
        title=opts.title or rmap.info.name, subtitle=view_subtitle(opts),
        legend_heading=heading, legend_entries=entries,
        callout=callout_spec(selected, opts.mode, pal) if selected is not None else None,
        pin_notes=[PinNote(p.number, p.note) for p in pins], footer_left=footer_text(rmap, opts),
        footer_right=reminder(rmap))
