"""Annotated pictures for handouts and slides, rendered off-screen (no display needed).

A picture is made in stages (:mod:`.pipeline`): plan the page (:mod:`.page`, :mod:`.step_page`)
→ frame the camera (:mod:`.framing`) → render (:mod:`.render`) → find the visible anchors
(:mod:`.anchors`) → place the callout and the labels (:mod:`.callout`, :mod:`.labels`) → draw
(:mod:`.draw`) → write (:mod:`.write`). A lesson's pictures (:mod:`.lesson`) go through the same
stages. This module only re-exports the public names.
"""

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
    MAX_SIDE,
    MIN_HEIGHT,
    MIN_WIDTH,
    SIZE_PRESETS,
    ExportOptions,
    check_output,
    check_size,
    parse_pin,
    parse_size,
)
from viewer.render.picture.pipeline import ExportResult, annotated_image, export_image
from viewer.render.picture.render import camera_from_plotter, quiet_vtk
from viewer.render.picture.step_page import StepSpec
from viewer.render.picture.style import PANEL_FILL, PIN_COLOUR, Style
from viewer.render.picture.wording import VIEW_WORDS, callout_spec, view_subtitle
from viewer.render.picture.write import encode

__all__ = [
    "MAX_SIDE", "MIN_HEIGHT", "MIN_WIDTH", "PANEL_FILL", "PIN_COLOUR", "PIN_REACH", "SIZE_PRESETS",
    "VIEW_WORDS", "ExportOptions", "ExportResult", "LessonPicture", "PlacedLabel", "PlacedPin",
    "StepSpec", "Style", "annotated_image", "callout_spec", "camera_from_plotter",
    "check_export_dir", "check_output", "check_size", "encode", "export_image", "export_lesson",
    "parse_pin", "parse_size", "quiet_vtk", "step_file_name", "step_options", "step_spec",
    "view_subtitle",
]
