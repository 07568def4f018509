"""The window and the exported pictures say the same words: a zone's facts, technique and
cautions in the zone panel and in a picture's callout; a lesson step's heading, caption, rules
and the guide's sentences in the lesson panel and in the step picture's panel."""

from __future__ import annotations

import pytest

from viewer.core.lesson import load_lesson
from viewer.core.palette import legend
from viewer.core.regionmap import load_region_map
from viewer.render.picture import Style, callout_spec, step_spec
from viewer.render.picture.page import PageText, plan_page
from viewer.render.picture.step_page import STEP_HEADINGS, plan_step_panel
from viewer.ui.lesson import LessonPanel
from viewer.ui.panels import ZonePanel
from viewer.ui.state import ViewerState

pytestmark = pytest.mark.gui


def panel_lines(widget) -> list[str]:
    """The panel's lines as the user reads them (colour chips and blank lines left out)."""
    text = widget.text().replace("\u2029", "\n")
    return [line.strip("\ufffc ") for line in text.splitlines() if line.strip("\ufffc ")]


def callout_of(rmap, zone_id: str):
    """The callout an exported picture of ``zone_id`` carries, as laid out on a Full HD page."""
    spec = callout_spec(rmap.zone(zone_id), "pressure", "default")
    text = PageText(title="t", subtitle=None, legend_heading="l",
                    legend_entries=legend("pressure", rmap), callout=spec, pin_notes=[],
                    footer_left="", footer_right="")
    page = plan_page(Style.for_size(1920, 1080), text)
    return page.callout


@pytest.mark.parametrize("zone_id", ["spine", "upper-trapezius-left", "paraspinal-left"])
def test_the_zone_panel_and_an_exported_callout_say_the_same(qtbot, zone_id):
    rmap = load_region_map()
    state = ViewerState()
    panel = ZonePanel(state)
    qtbot.addWidget(panel)
    state.set_map(rmap)
    state.select(zone_id)
    lines = panel_lines(panel)
    callout = callout_of(rmap, zone_id)

    assert lines[0] == rmap.zone(zone_id).name == callout.spec.heading
    # every fact the picture states, the window states in the same words (key, then value)
    for key, value, *_ in callout.facts:
        assert lines[lines.index(key) + 1] == value, (key, value)
    # the picture's sections are headed and worded as in the window
    for section in callout.sections:
        at = lines.index(section.heading)
        paragraphs = [" ".join(p) for p in section.paragraphs]
        assert lines[at + 1:at + 1 + len(paragraphs)] == paragraphs, section.heading


def test_avoid_reads_no_pressure_in_both(qtbot):
    rmap = load_region_map()
    assert rmap.zone("spine").pressure.value == "avoid"
    facts = {key: value for key, value, *_ in callout_of(rmap, "spine").facts}
    assert facts["Pressure"] == "No pressure"


@pytest.mark.parametrize("number", [1, 3, 6])
def test_the_lesson_panel_and_a_step_picture_say_the_same(qtbot, number):
    lesson = load_lesson()
    step = lesson.steps[number - 1]
    panel = LessonPanel()
    qtbot.addWidget(panel)
    panel.show_step(lesson, step, number)
    lines = panel_lines(panel)
    spec = step_spec(lesson, step, number)
    plan = plan_step_panel(Style.for_size(1920, 1080), spec, (1000, 40, 1880, 1040))
    assert plan.dropped == 0

    assert lines[0] == spec.kicker == f"Step {number} of {len(lesson.steps)}"
    assert lines[1] == step.title
    assert lines[2] == " ".join(plan.text("caption").split("\n")) == step.caption
    # the same headings (the picture sets them in capitals), over the same rules and quotes
    headings = plan.text("heading").split("\n")
    assert headings == [h.upper() for h in lines if h.upper() in STEP_HEADINGS.values()]
    quote_lines = " ".join(plan.text("quote").split("\n"))
    for quote in step.citations:
        assert f"\u201c{quote}\u201d" in lines
        assert f"\u201c{quote}\u201d" in quote_lines
    for title, _text in spec.rules:
        assert any(line.startswith(f"{title}:") for line in lines)
        assert title in plan.text("rule-title").replace("\n", " ")
