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


@dataclass(frozen=True)
class Section:
    """A headed part of a zone's text: ``kind`` is technique, cautions, notes or citations."""

    kind: str
    heading: str
    paragraphs: tuple[str, ...]
    bulleted: bool = False
    warning: bool = False


def zone_facts(zone: Zone) -> list[Fact]:
    """The zone's pressure, then each stroke's status, in words."""
    facts = [Fact("Pressure", zone.pressure.label, "pressure")]
    facts += [Fact(s.label, zone.strokes[s].label, f"stroke:{s.value}") for s in Stroke]
    return facts


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
