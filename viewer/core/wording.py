"""The words BackView says about a zone and a lesson step, written once for the window and the
exported pictures, so both say the same thing.

A zone's *facts* are its pressure and each stroke's status ("Pressure: No pressure",
"Friction: Avoid"); its *sections* are the technique, the cautions, the notes where the guide is
silent and the guide's own sentences. A lesson step's text is its heading ("Step 2 of 7"),
title, caption, the global rules it recalls and the guide's sentences it cites. Plain data: the
window turns it into HTML, the export into a callout or a panel::

    for fact in zone_facts(zone):
        print(fact.label, fact.value)      # Pressure  No pressure
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from viewer.core.regionmap import Stroke, Zone, normalise_text

if TYPE_CHECKING:  # only named in annotations: the window loads the lesson model on first use
    from viewer.core.lesson import Lesson, Step
    from viewer.core.zones import Cover

#: the headings of a zone's sections, in the order they are shown
TECHNIQUE_HEADING = "How to work here"
CAUTIONS_HEADING = "Cautions"
NOTES_HEADING = "Where the guide is silent"
QUOTES_HEADING = "From the guide"
#: the heading over the global rules a lesson step recalls
RULES_HEADING = "Keep in mind"


@dataclass(frozen=True)
class Fact:
    """One row of a zone's facts: what (``label``), its value in words, and the colour mode
    whose colour goes with it."""

    label: str
    value: str
    mode: str
    #: where another zone covering the place makes the value stricter than the zone's own:
    #: "here; Recommended elsewhere in this zone" (empty otherwise)
    note: str = ""


@dataclass(frozen=True)
class Section:
    """A headed part of a zone's text: ``kind`` is technique, cautions, notes or citations."""

    kind: str
    heading: str
    paragraphs: tuple[str, ...]
    bulleted: bool = False
    warning: bool = False


def zone_facts(zone: Zone, cover: Cover | None = None) -> list[Fact]:
    """The zone's pressure, then each stroke's status, in words. With ``cover`` (a place
    inside the zone and maybe others), the values that apply at that place: the most cautious
    of each over every zone covering it, a stricter one noted."""
    rule = cover.rule if cover is not None else zone.rule
    stricter = set(cover.stricter) if cover is not None else set()
    # a place whose rule "Before you start" reduced says so ("reduced: history of DVT")
    reduced = getattr(cover, "reduced_by", None)

    def note(field: str, own) -> str:
        if field not in stricter:
            return ""
        if reduced:
            return f"{reduced}; the zone's own: {own.label}"
        return f"here; {own.label} elsewhere in this zone"

    facts = [Fact("Pressure", rule.pressure.label, "pressure", note("pressure", zone.pressure))]
    facts += [Fact(s.label, rule.strokes[s].label, f"stroke:{s.value}",
                   note(s.value, zone.strokes[s])) for s in Stroke]
    return facts


#: how a place inside several zones is explained (the zones' names follow the colon)
ALSO_INSIDE = "Also inside"
ALSO_INSIDE_RULE = "the most cautious rule of each applies"


def also_inside_text(cover: Cover | None) -> str:
    """"Also inside: edges of the shoulder blade (right) — the most cautious rule of each
    applies", or "" for a place inside one zone only."""
    if cover is None or not cover.also:
        return ""
    names = ", ".join(_lower_first(z.name) for z in cover.also)
    return f"{ALSO_INSIDE}: {names} \u2014 {ALSO_INSIDE_RULE}"


def _lower_first(name: str) -> str:
    """"Edges of the shoulder blade" -> "edges of the shoulder blade"; "L5 area" stays."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def zone_sections(zone: Zone) -> list[Section]:
    """Technique, cautions, notes (only when the guide is silent on something), citations."""
    spec = zone.spec
    sections = [Section("technique", TECHNIQUE_HEADING, (spec.technique,)),
                Section("cautions", CAUTIONS_HEADING, tuple(spec.cautions), bulleted=True,
                        warning=True)]
    if spec.notes:
        sections.append(Section("notes", NOTES_HEADING, tuple(spec.notes)))
    sections.append(Section("citations", QUOTES_HEADING, tuple(spec.citations)))
    return sections


@dataclass(frozen=True)
class StepText:
    """What a lesson step says, in the window's lesson panel and on its exported picture."""

    heading: str                       # "Step 2 of 7"
    title: str
    caption: str
    rules: tuple[tuple[str, str], ...]  # the global rules it recalls: (title, text)
    quotes: tuple[str, ...]             # the guide sentences it cites


def step_text(lesson: Lesson, step: Step, number: int) -> StepText:
    """Step ``number`` (1-based) of ``lesson``; a rule that only repeats the caption is left out."""
    by_id = {r.id: r for r in lesson.rmap.rules}
    caption = normalise_text(step.caption)
    rules = tuple((by_id[r].title, by_id[r].text) for r in step.rules
                  if normalise_text(by_id[r].text) != caption)
    return StepText(heading=f"Step {number} of {len(lesson.steps)}", title=step.title,
                    caption=step.caption, rules=rules, quotes=tuple(step.citations))
