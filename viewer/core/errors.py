"""User-facing errors: one line naming the file, the field and the problem."""

from __future__ import annotations

from os import PathLike


class BackViewError(Exception):
    """A mistake in user input (a file, an option). Shown as one line, never a traceback.

    ``str(err)`` reads ``file:field: message`` (parts that do not apply are left out).
    """

    def __init__(self, message: str, path: str | PathLike | None = None, field: str | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.field = field
        super().__init__(self.line())

    def line(self) -> str:
        where = ":".join(p for p in (self.path, self.field) if p)
        return printable(f"{where}: {self.message}" if where else self.message)


def printable(text: str) -> str:
    """``text`` with what a terminal would not show as itself (line breaks, tabs, NUL, escapes)
    written as Python escapes, so a user's value quoted in an error keeps it one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace")
                   .decode("ascii") for c in text)


def unknown_choice(what: str, value, choices, field: str | None = None) -> BackViewError:
    """The one line for a name that is not among ``choices``: "unknown palette 'neon' (choose
    from default, high-contrast)"."""
    return BackViewError(f"unknown {what} '{value}' (choose from {', '.join(choices)})",
                         field=field)


class MeshError(BackViewError):
    """A mesh file is missing, unreadable or not a usable surface."""


class LandmarkError(BackViewError):
    """A landmarks file is missing, malformed, or lacks a landmark a zone needs."""


class RegionMapError(BackViewError):
    """A region map is malformed or does not fit the body. May carry several problems."""

    def __init__(self, problems: list[BackViewError] | str, path=None, field=None):
        if isinstance(problems, str):
            problems = [BackViewError(problems, path, field)]
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, first.path, first.field)

    def lines(self) -> list[str]:
        return [p.line() for p in self.problems]
