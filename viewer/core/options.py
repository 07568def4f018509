"""The checks of every option a user names (view, palette, colour mode, labels, picture size).

One check per option, used by the command line, session and lesson files, the export and the
window, so a bad value reads the same one line wherever it was given::

    check_palette("neon")        # BackViewError: palette: unknown palette 'neon' (choose from ...)
    parse_size("a4")             # (2480, 3508, 300)

Schema fields use the ``Annotated`` types (``ViewName``, ``PaletteName``, ``ColourMode``), which
run the same checks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Callable

from pydantic import AfterValidator, Field, WrapValidator

from viewer.core.errors import BackViewError, unknown_choice
from viewer.core.palette import COLOUR_MODES, PALETTES, SKIN_TONES, check_skin_tone
from viewer.core.schema import control_problem
from viewer.core.structures import LAYERS
from viewer.core.views import VIEWS

#: what a session and the export dialog may ask to label; exports also take "highlighted"
LABEL_CHOICES = ("all", "none")
EXPORT_LABELS = LABEL_CHOICES + ("highlighted",)


def check_choice(value: str, choices, what: str, field: str | None = None) -> str:
    """``value`` when it is one of ``choices``, else the one-line "unknown ..." error."""
    if value not in choices:
        raise unknown_choice(what, value, choices, field)
    return value


def check_view(value: str, field: str = "view") -> str:
    return check_choice(value, VIEWS, "view", field)


def check_palette(value: str, field: str = "palette") -> str:
    return check_choice(value, PALETTES, "palette", field)


def check_colour_mode(value: str, field: str = "colour-by") -> str:
    return check_choice(value, COLOUR_MODES, "colour mode", field)


def check_labels(value: str, choices=EXPORT_LABELS, field: str = "labels") -> str:
    return check_choice(value, choices, "labels", field)


# --------------------------------------------------------------------------- layers (x-ray)
#: what a view shows when nothing says otherwise: the skin, opaque
DEFAULT_LAYERS = ("skin",)


def check_layers(value, field: str = "layers") -> tuple[str, ...]:
    """``"skin,bones"`` or ``["skin", "bones"]`` -> the layers in ``LAYERS``'s order, each
    once; an unknown or empty name is the one line listing the valid ones."""
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip() if isinstance(n, str) else n for n in names]
    for name in names:
        if name not in LAYERS:
            raise unknown_choice("layer", name, LAYERS, field)
    if not names:
        raise BackViewError(f"no layer given (choose from {', '.join(LAYERS)})", field=field)
    return tuple(layer for layer in LAYERS if layer in names)


def check_skin_opacity(value, field: str = "skin-opacity") -> float:
    """The skin's opacity as a fraction from 0 (invisible) to 1 (opaque, the default).
    Percentages are refused with the fraction they meant: ``30`` or ``"30%"`` -> "give 0.3"."""
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(text.rstrip("%").strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise BackViewError(f"'{text}' is not a number: give the skin's opacity as a fraction "
                            "from 0 (invisible) to 1 (opaque), e.g. 0.3", field=field) from None
    if percent or 2 <= number <= 100:
        raise BackViewError(f"'{text}' looks like a percentage: give the skin's opacity as a "
                            f"fraction from 0 to 1 (e.g. {min(max(number, 0), 100) / 100:g} "
                            "for " f"{min(max(number, 0), 100):g} %)", field=field)
    if not (0.0 <= number <= 1.0):   # also nan and inf
        raise BackViewError(f"'{text}' is out of range: the skin's opacity is a fraction from 0 "
                            "(invisible) to 1 (opaque)", field=field)
    return number


def text_problem(value: str, limit: int) -> str | None:
    """Why ``value`` cannot be a title or note (a control character, too long), or None."""
    # white space of any kind is drawn as one space: only the other control characters are wrong
    problem = control_problem(value, allowed="".join(c for c in set(value) if c.isspace()))
    if problem is not None:
        return problem
    length = len(" ".join(value.split()))
    if length > limit:
        return f"has {length} characters: at most {limit}"
    return None


def check_text(value: str, limit: int, field: str, path=None) -> str:
    """A title or note as it is drawn: runs of whitespace as one space, no control characters
    (NUL, escapes), at most ``limit`` characters; else the one-line error naming ``field``."""
    problem = text_problem(value, limit)
    if problem is not None:
        raise BackViewError(problem, path, field)
    return " ".join(value.split())


def _schema(check: Callable[[str], str]):
    """``check`` as a pydantic validator (pydantic reports ValueErrors with the field's place)."""
    def validate(value: str) -> str:
        try:
            return check(value)
        except BackViewError as exc:
            raise ValueError(exc.message) from None
    return AfterValidator(validate)


#: schema fields holding a view preset, a palette name, a colour mode, a session's labels
ViewName = Annotated[str, _schema(check_view)]
PaletteName = Annotated[str, _schema(check_palette)]
#: a skin tone's id (viewer.core.palette.SKIN_TONES)
SkinToneName = Annotated[str, Field(json_schema_extra={"enum": list(SKIN_TONES)}),
                         _schema(check_skin_tone)]
#: a body's id in the catalogue (viewer.core.bodies): checked against it when used
BodyId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
ColourMode = Annotated[str, _schema(check_colour_mode)]
Labels = Annotated[str, _schema(lambda v: check_labels(v, LABEL_CHOICES))]
#: a layer's name ("skin", "bones", "kidneys")
LayerName = Annotated[str, Field(json_schema_extra={"enum": list(LAYERS)}),
                      _schema(lambda v: check_layers([v])[0])]
#: the layers shown, at least one, each once, in ``LAYERS``'s order
LayerList = Annotated[list[LayerName], Field(min_length=1, max_length=len(LAYERS)),
                      AfterValidator(lambda v: list(check_layers(v)))]


def _opacity(value, handler):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("the skin's opacity is a number from 0 (invisible) to 1 (opaque)")
    try:
        check_skin_opacity(value)
    except BackViewError as exc:
        raise ValueError(exc.message) from None
    return handler(value)


#: the skin's opacity, a fraction from 0 (invisible) to 1 (opaque)
SkinOpacity = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False,
                                     description="the skin's opacity: 0 (invisible) to 1 "
                                                 "(opaque); not a percentage"),
                        WrapValidator(_opacity)]


# --------------------------------------------------------------------------- picture sizes
@dataclass(frozen=True)
class SizePreset:
    """A named picture size: the names ``--size`` accepts and the export dialog's label."""

    names: tuple[str, ...]
    label: str
    width: int
    height: int
    dpi: int | None = None   # recorded in the file for print sizes


SIZE_PRESETS: tuple[SizePreset, ...] = (
    SizePreset(("hd", "1920x1080"), "Slide, Full HD — 1920 × 1080", 1920, 1080),
    SizePreset(("4k", "3840x2160"), "Slide, 4K — 3840 × 2160", 3840, 2160),
    SizePreset(("a4",), "A4 portrait, 300 dpi — 2480 × 3508", 2480, 3508, 300),
    SizePreset(("a4-landscape",), "A4 landscape, 300 dpi — 3508 × 2480", 3508, 2480, 300),
)
MAX_SIDE = 8192
MIN_WIDTH, MIN_HEIGHT = 480, 320


def parse_place(where: str, field: str) -> dict:
    """Where a pin or a mark is: ``{"landmark": name}`` or ``{"point": (x, y, z)}`` (mesh
    units), or one line naming ``field``. The ``--pin`` and ``--mark`` options read it."""
    import math

    where = str(where).strip()
    parts = [p.strip() for p in where.split(",")]
    try:
        if len(parts) == 3:
            coords = tuple(float(p) for p in parts)
            if not all(math.isfinite(c) for c in coords):
                raise ValueError
            return {"point": coords}
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", where):
            return {"landmark": where}
        raise ValueError
    except ValueError:
        raise BackViewError(f"'{where}' is neither a landmark name nor three numbers X,Y,Z",
                            field=field) from None


def parse_size(text: str) -> tuple[int, int, int | None]:
    """``"3840x2160"``, ``"1920×1080"`` or a preset name -> (width, height, dpi or None)."""
    key = str(text).strip().lower()
    for preset in SIZE_PRESETS:
        if key in preset.names:
            return preset.width, preset.height, preset.dpi
    m = re.fullmatch(r"(\d{1,6})\s*[x×*]\s*(\d{1,6})", key)
    if not m:
        names = [n for p in SIZE_PRESETS for n in p.names if "x" not in n]
        raise BackViewError(f"'{text}' is not a size: give WIDTHxHEIGHT in pixels (e.g. 3840x2160) "
                            f"or one of {', '.join(names)}", field="size")
    w, h = int(m.group(1)), int(m.group(2))
    check_size(w, h)
    return w, h, None


def check_size(width: int, height: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE:
        raise BackViewError(f"{width}x{height} is too large: at most {MAX_SIDE} pixels a side",
                            field="size")
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise BackViewError(f"{width}x{height} is too small for an annotated picture: at least "
                            f"{MIN_WIDTH}x{MIN_HEIGHT}", field="size")


# --------------------------------------------------------------------------- videos
#: frames per second of a video, and its length in seconds
FPS_RANGE = (1, 60)
SECONDS_RANGE = (0.5, 120.0)
#: the video formats, by file extension
VIDEO_FORMATS = {".mp4": "mp4", ".gif": "gif"}


def check_fps(value, field: str = "fps") -> int:
    """Frames per second of a video: a whole number from 1 to 60."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    lo, hi = FPS_RANGE
    if not (math.isfinite(number) and number == int(number) and lo <= number <= hi):
        raise BackViewError(f"'{text}' is not a frame rate: give a whole number of frames per "
                            f"second from {lo} to {hi} (e.g. 30)", field=field)
    return int(number)


def check_seconds(value, field: str = "seconds") -> float:
    """A video's length in seconds, from 0.5 to 120."""
    text = str(value).strip()
    try:
        number = float(text.removesuffix("s").strip())
    except ValueError:
        number = math.nan
    lo, hi = SECONDS_RANGE
    if not (math.isfinite(number) and lo <= number <= hi):
        raise BackViewError(f"'{text}' is not a length: give the video's length in seconds "
                            f"from {lo:g} to {hi:g} (e.g. 10)", field=field)
    return number


def check_video_size(width: int, height: int, fmt: str, field: str = "size") -> None:
    """H.264 in the yuv420p every player reads halves the colour resolution: an MP4's width and
    height must be even."""
    if fmt == "mp4" and (width % 2 or height % 2):
        raise BackViewError(f"{width}x{height}: an MP4's width and height must be even numbers "
                            f"(e.g. {width - width % 2}x{height - height % 2})", field=field)


def video_format(path, field: str = "out") -> str:
    """``"mp4"`` or ``"gif"`` by the file's extension, or one line naming the choices."""
    suffix = str(path).lower().rsplit(".", 1)
    ext = "." + suffix[1] if len(suffix) == 2 and "/" not in suffix[1] else ""
    if ext not in VIDEO_FORMATS:
        raise BackViewError(f"a video is written as {' or '.join(VIDEO_FORMATS)}, not "
                            f"'{ext or 'no extension'}'", str(path), field)
    return VIDEO_FORMATS[ext]
