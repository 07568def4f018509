"""Antialiased 2D drawing on an exported image: text in the shipped font, lines, discs, boxes.

Pillow's ``ImageDraw`` draws lines and shapes without antialiasing, which looks jagged on a
handout. Here every shape is a coverage mask computed from its signed distance (a capsule for a
line, a disc, a rounded box) over the few pixels it touches, and composited *over* the image
(``Image.alpha_composite``), so edges are smooth at any size and a transparent image keeps
correct alpha. Text is rasterised by FreeType from DejaVu Sans, shipped in
``viewer/render/fonts/`` so an export looks the same on every machine.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from viewer.core.errors import BackViewError
from viewer.core.schema import describe_char
from viewer.core.palette import hex_to_rgb, relative_luminance

FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
#: the smallest font size in pixels anything is drawn at (tiny custom sizes)
MIN_FONT_PX = 9


@lru_cache(maxsize=64)
def font(size: float, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (bold) at ``size`` pixels."""
    return ImageFont.truetype(str(BOLD if bold else REGULAR), max(MIN_FONT_PX, int(round(size))))


def rgb(colour) -> tuple[int, int, int]:
    return hex_to_rgb(colour) if isinstance(colour, str) else tuple(int(c) for c in colour[:3])


# --------------------------------------------------------------------------- text
def line_height(fnt: ImageFont.FreeTypeFont, spacing: float = 1.25) -> int:
    ascent, descent = fnt.getmetrics()
    return int(math.ceil((ascent + descent) * spacing))


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap to ``width`` pixels; a word longer than a line is broken with hyphens.
    Linear in the text's length, however long its words."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        line = ""
        for word in words:
            trial = f"{line} {word}" if line else word
            if fitting(trial, fnt, width) == len(trial):
                line = trial
                continue
            if line:
                lines.append(line)
            broken, line = _break_word(word, fnt, width)
            lines += broken
        lines.append(line)
    return lines


def _break_word(word: str, fnt: ImageFont.FreeTypeFont, width: float) -> tuple[list[str], str]:
    """A word too long for a line, broken with hyphens: (the full lines, the rest)."""
    lines = []
    while len(word) > 1 and fitting(word, fnt, width) < len(word):
        cut = fitting(word, fnt, width, "-")
        lines.append(word[:cut] + "-")
        word = word[cut:]
    return lines, word


def fitting(text: str, fnt: ImageFont.FreeTypeFont, width: float, suffix: str = "",
            least: int = 1) -> int:
    """How many leading characters of ``text`` fit ``width`` pixels followed by ``suffix`` (at
    least ``least``). Costs the length of what fits, not of ``text``: the characters' advances
    are summed up to the edge, then the real (kerned) length settles the last few."""
    room = width - fnt.getlength(suffix)
    advances: dict[str, float] = {}
    total, cut = 0.0, 0
    for ch in text:
        if ch not in advances:
            advances[ch] = fnt.getlength(ch)
        total += advances[ch]
        if total > room + 1:
            break
        cut += 1
    while cut > least and fnt.getlength(text[:cut] + suffix) > width:
        cut -= 1
    while cut < len(text) and fnt.getlength(text[:cut + 1] + suffix) <= width:
        cut += 1
    return max(cut, least)


def ellipsize(text: str, fnt: ImageFont.FreeTypeFont, width: float) -> str:
    """``text`` cut to ``width`` pixels, ending in "…" when it had to be cut."""
    cut = fitting(text, fnt, width, least=0)
    if cut == len(text):
        return text
    return text[:fitting(text, fnt, width, "…", least=0)].rstrip() + "…"


@lru_cache(maxsize=1)
def font_code_points() -> frozenset[int]:
    """The characters both shipped fonts draw: read once a process, on the first check (the
    font's tables are read with fontTools, which the start-up should not pay for)."""
    from fontTools.ttLib import TTFont

    regular, bold = (set(TTFont(str(path), lazy=True).getBestCmap()) for path in (REGULAR, BOLD))
    return frozenset(regular & bold)


def check_glyphs(text: str, field: str, path=None) -> None:
    """Raise :class:`BackViewError` naming ``field`` and the first character of ``text`` the
    shipped font cannot draw (an emoji would come out as an empty box)."""
    known = font_code_points()
    bad = next((c for c in text if ord(c) not in known and not c.isspace()), None)
    if bad is not None:
        raise BackViewError(f"{describe_char(bad)} is not in the picture's font (DejaVu Sans): "
                            "leave it out or say it in words", path, field)


def contrasting_text(background) -> tuple[int, int, int]:
    """Near-black or white, whichever reads better on ``background`` (WCAG luminance)."""
    lum = relative_luminance("#%02x%02x%02x" % rgb(background))
    return (20, 20, 20) if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else (255, 255, 255)


# --------------------------------------------------------------------------- canvas
class Canvas:
    """An RGBA image with antialiased primitives composited over it (in place)."""

    def __init__(self, image: Image.Image):
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        self.image = image
        self.width, self.height = image.size

    # ------------------------------------------------------------------ compositing
    def _composite(self, x0: int, y0: int, alpha: np.ndarray, colour, opacity: float = 1.0) -> None:
        """Put ``colour`` over the image through ``alpha`` (float coverage 0..1) placed at
        ``(x0, y0)``; clipped to the image."""
        h, w = alpha.shape
        cx0, cy0 = max(0, x0), max(0, y0)
        cx1, cy1 = min(self.width, x0 + w), min(self.height, y0 + h)
        if cx1 <= cx0 or cy1 <= cy0:
            return
        alpha = alpha[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
        a = np.clip(alpha * (255.0 * opacity), 0, 255).astype(np.uint8)
        if not a.any():
            return
        patch = Image.new("RGBA", (cx1 - cx0, cy1 - cy0), rgb(colour) + (0,))
        patch.putalpha(Image.fromarray(a, "L"))
        self.image.alpha_composite(patch, dest=(cx0, cy0))

    def _composite_mask(self, x0: int, y0: int, mask: Image.Image, colour, opacity=1.0) -> None:
        """Like :meth:`_composite` with an ``L`` mask image (e.g. rasterised text)."""
        w, h = mask.size
        cx0, cy0 = max(0, x0), max(0, y0)
        cx1, cy1 = min(self.width, x0 + w), min(self.height, y0 + h)
        if cx1 <= cx0 or cy1 <= cy0:
            return
        mask = mask.crop((cx0 - x0, cy0 - y0, cx1 - x0, cy1 - y0))
        if opacity < 1:
            mask = mask.point(lambda v: int(v * opacity))
        patch = Image.new("RGBA", mask.size, rgb(colour) + (0,))
        patch.putalpha(mask)
        self.image.alpha_composite(patch, dest=(cx0, cy0))

    def fill_rect(self, box, colour, opacity: float = 1.0) -> None:
        """An axis-aligned rectangle ``(x0, y0, x1, y1)`` with fractional edges antialiased."""
        x0, y0, x1, y1 = box
        ix0, iy0, ix1, iy1 = math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1)
        if ix1 <= ix0 or iy1 <= iy0:
            return
        cov_x = np.clip(np.minimum(np.arange(ix0, ix1) + 1, x1) - np.maximum(np.arange(ix0, ix1), x0), 0, 1)
        cov_y = np.clip(np.minimum(np.arange(iy0, iy1) + 1, y1) - np.maximum(np.arange(iy0, iy1), y0), 0, 1)
        if opacity >= 1 and cov_x.min() >= 1 and cov_y.min() >= 1:
            cx0, cy0 = max(0, ix0), max(0, iy0)
            cx1, cy1 = min(self.width, ix1), min(self.height, iy1)
            if cx1 > cx0 and cy1 > cy0:
                solid = Image.new("RGBA", (cx1 - cx0, cy1 - cy0), rgb(colour) + (255,))
                self.image.paste(solid, (cx0, cy0))
            return
        self._composite(ix0, iy0, np.outer(cov_y, cov_x), colour, opacity)

    # ------------------------------------------------------------------ shapes
    def line(self, p, q, width: float, colour, opacity: float = 1.0) -> None:
        """A straight line with round caps, ``width`` pixels wide."""
        p, q = np.asarray(p, float), np.asarray(q, float)
        r = width / 2.0
        d = q - p
        length = float(np.hypot(*d))
        if length < 1e-6:
            self.disc(p, r, colour, opacity)
            return
        # Tile the line's bounding box into disjoint strips along its major axis, each only as
        # wide as the line needs there, so a long diagonal costs its length, not its box.
        major = 0 if abs(d[0]) >= abs(d[1]) else 1
        lo = math.floor(min(p[major], q[major]) - r - 1)
        hi = math.ceil(max(p[major], q[major]) + r + 1)
        step = 48
        for s0 in range(lo, hi, step):
            s1 = min(hi, s0 + step)
            # the minor-axis range the capsule covers within [s0, s1)
            ts = []
            for s in (s0, s1):
                t = (s - p[major]) / d[major] if abs(d[major]) > 1e-9 else 0.0
                ts.append(min(1.0, max(0.0, t)))
            minor = 1 - major
            m_vals = [p[minor] + t * d[minor] for t in ts]
            m0 = math.floor(min(m_vals) - r - 1.5)
            m1 = math.ceil(max(m_vals) + r + 1.5)
            if major == 0:
                xs, ys = np.arange(s0, s1) + 0.5, np.arange(m0, m1) + 0.5
                x0, y0 = s0, m0
            else:
                xs, ys = np.arange(m0, m1) + 0.5, np.arange(s0, s1) + 0.5
                x0, y0 = m0, s0
            gx, gy = np.meshgrid(xs, ys)
            t = np.clip(((gx - p[0]) * d[0] + (gy - p[1]) * d[1]) / (length * length), 0, 1)
            dist = np.hypot(gx - (p[0] + t * d[0]), gy - (p[1] + t * d[1]))
            self._composite(x0, y0, np.clip(r + 0.5 - dist, 0, 1), colour, opacity)

    def disc(self, centre, radius: float, colour, opacity: float = 1.0) -> None:
        cx, cy = float(centre[0]), float(centre[1])
        x0, y0 = math.floor(cx - radius - 1), math.floor(cy - radius - 1)
        x1, y1 = math.ceil(cx + radius + 1), math.ceil(cy + radius + 1)
        gx, gy = np.meshgrid(np.arange(x0, x1) + 0.5, np.arange(y0, y1) + 0.5)
        dist = np.hypot(gx - cx, gy - cy)
        self._composite(x0, y0, np.clip(radius + 0.5 - dist, 0, 1), colour, opacity)

    def ring(self, centre, radius: float, width: float, colour, opacity: float = 1.0) -> None:
        cx, cy = float(centre[0]), float(centre[1])
        outer = radius + width / 2
        x0, y0 = math.floor(cx - outer - 1), math.floor(cy - outer - 1)
        x1, y1 = math.ceil(cx + outer + 1), math.ceil(cy + outer + 1)
        gx, gy = np.meshgrid(np.arange(x0, x1) + 0.5, np.arange(y0, y1) + 0.5)
        dist = np.abs(np.hypot(gx - cx, gy - cy) - radius)
        self._composite(x0, y0, np.clip(width / 2 + 0.5 - dist, 0, 1), colour, opacity)

    def polygon(self, points, colour, opacity: float = 1.0, supersample: int = 4) -> None:
        """A filled polygon, antialiased by drawing it ``supersample`` times larger."""
        pts = np.asarray(points, float)
        x0, y0 = np.floor(pts.min(axis=0)).astype(int) - 1
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + 1
        s = supersample
        big = Image.new("L", ((x1 - x0) * s, (y1 - y0) * s), 0)
        ImageDraw.Draw(big).polygon([((x - x0) * s, (y - y0) * s) for x, y in pts], fill=255)
        mask = big.resize((x1 - x0, y1 - y0), Image.Resampling.BOX)
        self._composite_mask(int(x0), int(y0), mask, colour, opacity)

    def rounded_rect(self, box, radius: float, fill=None, outline=None, width: float = 0.0,
                     opacity: float = 1.0) -> None:
        """A box ``(x0, y0, x1, y1)`` with round corners: filled, outlined, or both.

        Only the four corners are computed from a distance field; the straight parts are plain
        rectangles, so a large box costs little.
        """
        x0, y0, x1, y1 = (float(v) for v in box)
        r = max(0.0, min(radius, (x1 - x0) / 2, (y1 - y0) / 2))
        if fill is not None:
            self.fill_rect((x0 + r, y0, x1 - r, y1), fill, opacity)
            self.fill_rect((x0, y0 + r, x0 + r, y1 - r), fill, opacity)
            self.fill_rect((x1 - r, y0 + r, x1, y1 - r), fill, opacity)
            for cx, cy, sx, sy in self._corners(x0, y0, x1, y1, r):
                self._corner(cx, cy, sx, sy, r, None, fill, opacity)
        if outline is not None and width > 0:
            w = width
            self.fill_rect((x0 + r, y0, x1 - r, y0 + w), outline, opacity)
            self.fill_rect((x0 + r, y1 - w, x1 - r, y1), outline, opacity)
            self.fill_rect((x0, y0 + r, x0 + w, y1 - r), outline, opacity)
            self.fill_rect((x1 - w, y0 + r, x1, y1 - r), outline, opacity)
            for cx, cy, sx, sy in self._corners(x0, y0, x1, y1, r):
                self._corner(cx, cy, sx, sy, r, w, outline, opacity)

    @staticmethod
    def _corners(x0, y0, x1, y1, r):
        return ((x0 + r, y0 + r, -1, -1), (x1 - r, y0 + r, 1, -1),
                (x0 + r, y1 - r, -1, 1), (x1 - r, y1 - r, 1, 1))

    def _corner(self, cx, cy, sx, sy, r, width, colour, opacity) -> None:
        """The quarter disc (``width`` None) or quarter ring of one corner, facing (sx, sy)."""
        if r <= 0:
            return
        ax0 = math.floor(cx - r) if sx < 0 else math.floor(cx)
        ay0 = math.floor(cy - r) if sy < 0 else math.floor(cy)
        ax1 = math.ceil(cx) if sx < 0 else math.ceil(cx + r)
        ay1 = math.ceil(cy) if sy < 0 else math.ceil(cy + r)
        if ax1 <= ax0 or ay1 <= ay0:
            return
        px, py = np.meshgrid(np.arange(ax0, ax1) + 0.5, np.arange(ay0, ay1) + 0.5)
        dist = np.hypot(px - cx, py - cy)
        outer = np.clip(r + 0.5 - dist, 0, 1)
        if width is not None:
            outer = outer * np.clip(dist - (r - width) + 0.5, 0, 1)
        # coverage of the pixel by the corner's own quadrant (pixels on the quadrant's edge are
        # partly covered by the straight parts, drawn separately)
        qx = np.clip((px + 0.5 - cx) if sx > 0 else (cx - (px - 0.5)), 0, 1)
        qy = np.clip((py + 0.5 - cy) if sy > 0 else (cy - (py - 0.5)), 0, 1)
        self._composite(ax0, ay0, outer * qx * qy, colour, opacity)

    # ------------------------------------------------------------------ text
    def text(self, xy, text: str, fnt: ImageFont.FreeTypeFont, colour, anchor: str = "la",
             opacity: float = 1.0) -> tuple[float, float, float, float]:
        """Draw one line of text; ``anchor`` as in Pillow ("la" left-ascender, "ra", "mm", ...).
        Returns the ink box."""
        if not text:
            return (xy[0], xy[1], xy[0], xy[1])
        left, top, right, bottom = fnt.getbbox(text, anchor=anchor)
        # whole pixels: FreeType's hinted glyphs stay crisp, and Pillow does not clip a glyph's
        # top row as it can when the origin is fractional
        x, y = round(xy[0]), round(xy[1])
        ox, oy = x + left - 3, y + top - 3
        w, h = right - left + 6, bottom - top + 6
        mask = Image.new("L", (w, h), 0)
        ImageDraw.Draw(mask).text((x - ox, y - oy), text, font=fnt, fill=255, anchor=anchor)
        self._composite_mask(ox, oy, mask, colour, opacity)
        return (x + left, y + top, x + right, y + bottom)

    def hatched_rect(self, box, colour, hatch_colour, spacing: float, width: float,
                     opacity: float = 0.8) -> None:
        """A rectangle of ``colour`` crossed by "/" lines, like the "avoid" hatching on the skin."""
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        self.fill_rect((x0, y0, x1, y1), colour)
        gx, gy = np.meshgrid(np.arange(x0, x1) + 0.5, np.arange(y0, y1) + 0.5)
        # "/" lines: x + y constant, ``spacing`` apart measured across the lines
        s = (gx + gy) / math.sqrt(2.0) / spacing
        dist = np.abs(s - np.round(s)) * spacing
        self._composite(x0, y0, np.clip(width / 2 + 0.5 - dist, 0, 1), hatch_colour, opacity)
