"""What the property-based tests share: bounded, repeatable settings, a walk over a JSON/TOML
document's places, and the check that an error reads one line per problem."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings

from viewer.core.errors import BackViewError, RegionMapError


def fuzz(examples: int) -> settings:
    """``examples`` derandomized examples, no example database. The deadline is a guard against
    a hang (a reader that loops on some input), far above what any example needs; it is not a
    speed test."""
    return settings(max_examples=examples, derandomize=True, deadline=timedelta(seconds=20),
                    database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


def places(node, prefix=()):
    """Every path to a value of a JSON/TOML tree (containers included, the root first)."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from places(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from places(value, prefix + (i,))


def at(doc, path):
    """The value at ``path`` of ``doc``."""
    for key in path:
        doc = doc[key]
    return doc


def assert_one_line(exc: BackViewError, path=None) -> None:
    """Each problem of ``exc`` is one line (a user's line break quoted in it is escaped), and
    names the file ``path`` when one is given."""
    lines = exc.lines() if isinstance(exc, RegionMapError) else [exc.line()]
    assert lines
    for line in lines:
        assert len(line.splitlines()) == 1 and "\r" not in line, repr(line)
        if path is not None:
            assert line.startswith(f"{path}:"), line
