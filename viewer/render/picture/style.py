"""Sizes, fonts and colours of an exported picture, scaled to its size.

Everything is measured in "points" that scale with the picture (``Style.u`` pixels each), so a
4K export looks like a 1080p one, only crisper; the colours are the page's own (the body's come
from the palette).
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import ImageFont

from viewer.render.picture.canvas import font

MUTED = "#5c5852"
#: a lesson step's kicker and quote bars
STEP_ACCENT = "#1f5f8b"
RULE = "#d9d3cb"
PANEL_FILL = "#ffffff"
PIN_COLOUR = "#1b1b1b"


@dataclass(frozen=True)
class Style:
    """Sizes for one image size: everything scales with ``u``, pixels per "point".

    ``u`` is 1 for a 1920x1080 slide and 2 for 3840x2160, so text keeps its share of the picture
    (a 23 px label on a 1080-line projector is about 2 % of the screen height, readable from the
    back of a classroom) and a 4K export is as crisp as the screen allows, never upscaled.
    """

    width: int
    height: int
    u: float
    landscape: bool

    @classmethod
    def for_size(cls, width: int, height: int) -> "Style":
        landscape = width >= 1.15 * height
        if landscape:
            u = min(width / 1920, height / 1080)
        else:  # a printed page or a portrait screen: text sized for reading at arm's length
            u = min(width / 1080, height / 1600)
        return cls(width, height, max(0.3, u), landscape)

    def px(self, points: float) -> float:
        return points * self.u

    def f(self, points: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        return font(points * self.u, bold)

    @property
    def margin(self) -> float:
        return 40 * self.u

    @property
    def gap(self) -> float:
        return 18 * self.u

    # fonts ------------------------------------------------------------------------
    @property
    def title_font(self):
        return self.f(46, True)

    @property
    def subtitle_font(self):
        return self.f(25)

    @property
    def label_font(self):
        return self.f(23)

    @property
    def legend_head_font(self):
        return self.f(24, True)

    @property
    def legend_font(self):
        return self.f(21)

    @property
    def callout_head_font(self):
        return self.f(24, True)

    @property
    def callout_sub_font(self):
        return self.f(20, True)

    @property
    def callout_font(self):
        return self.f(20)

    @property
    def footnote_font(self):
        return self.f(20)

    @property
    def footer_font(self):
        return self.f(16)

    @property
    def pin_font(self):
        return self.f(17, True)

    # strokes ----------------------------------------------------------------------
    @property
    def leader_width(self) -> float:
        return max(1.0, 2.2 * self.u)

    @property
    def halo_width(self) -> float:
        return max(2.5, 6.0 * self.u)

    @property
    def dot_radius(self) -> float:
        return max(2.0, 5.0 * self.u)

    @property
    def pin_radius(self) -> float:
        return max(6.0, 15.0 * self.u)

    @property
    def line_scale(self) -> float:
        """For :class:`~viewer.render.actors.SceneActors`: lines as thick, in proportion, as on a
        1080-line screen."""
        return max(1.0, self.u)
