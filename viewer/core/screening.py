"""Before you start: the guide's safety screening applied to the map (issue 14).

STUB: the API below is stable (the renderer, the window and the CLI code against it); the
implementation lands with the `screening` branch.

The region map lists the guide's conditions (``[[conditions]]``: id, question, effect,
citations, and for ``limit`` the zones and the caps). A :class:`Screening` is the answers (the
conditions that apply) and the marks placed on the body. :func:`apply_screening` turns them and a
body's zone assignment into a :class:`Screened` map:

- **postpone** (fever, trauma, inflammation): ``Screened.postpone`` is True and ``reasons``
  carries the guide's sentences; every picture and view says "Postpone the massage";
- **avoid-area** (broken skin, rash, bruising): each :class:`Mark` covers the skin within its
  radius measured on the surface, plus a margin; the faces it covers are "avoid" for every
  stroke and pressure;
- **limit** (DVT, severe varicose veins): the listed zones' pressure drops to at most the cap
  and the listed strokes are reduced, by the same most-cautious rule as overlaps; the panel
  says why (``Screened.why(face)`` -> ["Reduced: history of DVT"]).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from viewer.core.body import Body
    from viewer.core.regionmap import RegionMap, Rule
    from viewer.core.zones import ZoneAssignment

Effect = Literal["postpone", "avoid-area", "limit"]
#: a mark's radius, cm (exclusive of 0)
MARK_RADIUS_CM = (0.0, 30.0)
#: the skin a mark covers beyond its radius, cm
MARK_MARGIN_CM = 2.0


@dataclass(frozen=True)
class Condition:
    id: str                      #: "fever", "trauma", "inflammation", "broken-skin", "rash", ...
    question: str                #: "Does the recipient have a fever?"
    effect: Effect
    citations: tuple[str, ...]   #: verbatim guide sentences
    reason: str = ""             #: the panel's short reason, e.g. "history of DVT"


@dataclass(frozen=True)
class Mark:
    at: np.ndarray               #: a point on the skin, mesh units
    radius_cm: float
    note: str = ""
    condition: str | None = None  #: the avoid-area condition it marks ("bruising", ...)


@dataclass(frozen=True)
class Screening:
    conditions: tuple[str, ...] = ()
    marks: tuple[Mark, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.conditions and not self.marks


@dataclass
class Screened:
    """A zone assignment with the screening applied."""

    assignment: ZoneAssignment
    screening: Screening
    postpone: bool = False
    reasons: list[str] = field(default_factory=list)   #: the guide's sentences that apply
    #: (n_faces,) int16: the mark covering each face (index into screening.marks), -1 none
    face_mark: np.ndarray | None = None

    def rule(self, face: int) -> Rule | None:
        """The rule on ``face`` after the screening (marks: avoid; limits: capped)."""
        return self.assignment.effective_rule(face)

    def why(self, face: int) -> list[str]:
        """Why the rule on ``face`` differs from its zone's own: ["Reduced: history of DVT"]."""
        return []

    def mark_faces(self, index: int) -> np.ndarray:
        return np.zeros(0, np.int64)


def conditions(rmap: RegionMap) -> list[Condition]:
    """The map's conditions (empty until the map lists them)."""
    return list(getattr(rmap, "conditions", []) or [])


def parse_condition(text: str, rmap: RegionMap) -> str:
    """``--condition ID``: the id, or one line naming it and listing the valid ids."""
    raise NotImplementedError


def parse_mark(text: str, body: Body) -> Mark:
    """``--mark AT:RADIUS_CM[:NOTE]`` (AT a landmark name or ``X,Y,Z`` in mesh units)."""
    raise NotImplementedError


def apply_screening(assignment: ZoneAssignment, screening: Screening) -> Screened:
    """The screening applied to ``assignment`` (see the module docstring)."""
    return Screened(assignment, screening, face_mark=np.full(len(assignment.face_zone), -1,
                                                             np.int16))
