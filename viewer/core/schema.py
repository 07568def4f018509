"""What every BackView file format shares: strict models and the shape of ids and versions.

Region maps, lessons and sessions are pydantic models built on :class:`Strict`: an unknown
field is an error (a typo never passes silently) and a loaded file is not changed afterwards.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WrapValidator

#: a short identifier: a lower-case letter, then lower-case letters, digits and hyphens
ID_PATTERN = r"^[a-z][a-z0-9-]*$"
#: a file's version: 1.0 or 1.0.2
VERSION_PATTERN = r"^\d+\.\d+(\.\d+)?$"

#: schema fields holding an id (``spine``, ``prepare``) and a version (``1.2``)
Identifier = Annotated[str, Field(pattern=ID_PATTERN)]
Version = Annotated[str, Field(pattern=VERSION_PATTERN)]


class Strict(BaseModel):
    """A file format's model: unknown fields refused, values frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- checked values
def describe_char(char: str) -> str:
    """A character as a user can find it: ``'😀' (U+1F600)``, or just ``U+0000`` when it has no
    visible form."""
    code = f"U+{ord(char):04X}"
    return code if unicodedata.category(char)[0] in "CZ" else f"'{char}' ({code})"


def control_problem(value: str, allowed: str = "") -> str | None:
    """Why ``value`` may not be written as it is: its first control character (NUL, escapes, a
    line break where ``allowed`` has none), or None."""
    bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs") and c not in allowed),
               None)
    return None if bad is None else f"contains the control character {describe_char(bad)}: leave it out"


def _no_control(allowed: str):
    def check(value: str) -> str:
        problem = control_problem(value, allowed)
        if problem is not None:
            raise ValueError(problem)
        return value

    return check


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty: quote a sentence of the guide")
    return value


#: a name or title on one line: no control characters (no NUL, no line breaks)
Line = Annotated[str, AfterValidator(_no_control("")),
                 Field(json_schema_extra={"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"})]
#: running text: line breaks and tabs allowed, other control characters not
Text = Annotated[str, AfterValidator(_no_control("\t\n")),
                 Field(json_schema_extra={"pattern":
                                          "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"})]
#: a sentence quoted from the guide: not empty, not blank
Citation = Annotated[Text, AfterValidator(_not_blank),
                     Field(min_length=1, json_schema_extra={"pattern": "\\S"})]

#: pydantic error types that mean "a number outside its range"
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal",
                 "finite_number"}


def shown_number(value) -> str:
    """A number as the user typed it, shortened: 99999999, 2.5, 1e+308, nan."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        return text if len(text) <= 30 else f"{float(value):.3g}"
    if isinstance(value, float):
        return f"{value:.12g}"
    return repr(value)[:40]


def bounded(lo: float, hi: float, unit: str, description: str | None = None):
    """A float that must lie in ``[lo, hi]`` (``unit`` for the message), finite: the JSON Schema
    carries the range (minimum/maximum) and an error reads "25 is out of range (0–15 cm)"."""

    def check(value, handler):
        try:
            return handler(value)
        except ValidationError as exc:
            if exc.errors()[0]["type"] not in _RANGE_ERRORS:
                raise
            raise ValueError(f"{shown_number(value)} is out of range ({lo:g}–{hi:g} {unit})") from None

    return Annotated[float, Field(ge=lo, le=hi, allow_inf_nan=False, strict=True,
                                  description=description),
                     WrapValidator(check)]


# --------------------------------------------------------------------------- error lines
def field_path(loc) -> str:
    """A pydantic location as a reader writes it: ``shapes[0]:polygon[1]:lateral_cm``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":
            out += f":{part}" if out else str(part)
    return out


def problem_message(err: dict) -> str:
    """The message of one pydantic error, in BackView's words."""
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return "missing field"
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] in ("enum", "literal_error", "float_type", "string_type", "bool_type"):
        return f"{msg} (got {shown_number(err.get('input'))})"
    return msg


def read_json_model(path, model: type[BaseModel], what: str, error=None):
    """``path`` read as JSON and validated by ``model``. Every fault is one ``error``
    (:class:`~viewer.core.errors.BackViewError` unless given) naming the file, and the field
    where the model refuses one: unreadable, not JSON, nested too deeply to be ``what``."""
    import json
    from pathlib import Path

    from viewer.core.errors import BackViewError

    error = error or BackViewError
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot be read: {exc}", path) from None
    except json.JSONDecodeError as exc:
        raise error(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                    path) from None
    except RecursionError:
        raise error(f"is nested too deeply to be {what}", path) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise error(problem_message(err), path, field_path(err["loc"]) or None) from None
