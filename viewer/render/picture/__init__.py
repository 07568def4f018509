"""Annotated pictures for handouts and slides, rendered off-screen (no display needed).

A picture is made in stages (:mod:`.pipeline`): plan the page (:mod:`.page`, :mod:`.step_page`)
→ frame the camera (:mod:`.framing`) → render (:mod:`.render`) → find the visible anchors
(:mod:`.anchors`) → place the callout and the labels (:mod:`.callout`, :mod:`.labels`) → draw
(:mod:`.draw`) → write (:mod:`.write`). A lesson's pictures (:mod:`.lesson`) go through the same
stages. This module only re-exports the public names.
"""

from viewer.render.picture.canvas import check_glyphs
from viewer.render.picture.draw import PIN_REACH, PlacedPin
from viewer.render.picture.labels import PlacedLabel
from viewer.render.picture.lesson import (
    LessonPicture,
    check_export_dir,
    export_lesson,
    step_file_name,
    step_options,
    step_spec,
)
from viewer.render.picture.options import (
    ExportOptions,
    check_output,
    parse_pin,
)
from viewer.render.picture.pipeline import ExportResult, annotated_image, export_image
from viewer.render.picture.render import quiet_vtk
from viewer.render.picture.step_page import StepSpec
from viewer.render.picture.style import PANEL_FILL, PIN_COLOUR, Style
from viewer.render.picture.wording import callout_spec, view_subtitle
from viewer.render.picture.write import encode

__all__ = [
    "PANEL_FILL", "PIN_COLOUR", "PIN_REACH",
    "ExportOptions", "ExportResult", "LessonPicture", "PlacedLabel", "PlacedPin",
    "StepSpec", "Style", "annotated_image", "callout_spec",
    "check_export_dir", "check_glyphs", "check_output", "encode", "export_image", "export_lesson",
    "parse_pin", "quiet_vtk", "step_file_name", "step_options", "step_spec",
    "view_subtitle",
]
