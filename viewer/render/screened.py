"""How a screened map looks (issue 14, "Before you start"): the rules the scene colours with,
the marks' outlines, the legend's rows and the postpone banner's words.

The core (:func:`viewer.core.screening.apply_screening`) decides; this module only reads its
:class:`~viewer.core.screening.Screened` through its public face: ``postpone``, ``reasons``,
``face_mark`` (the mark covering each face of the body, -1 none), ``rule(face)`` and
``why(face)``. A limit (DVT: the lower back at most light) applies per zone, by the same most
cautious rule as overlaps; so the screened rule of a zone is read once on one of its faces
that lies in that zone alone and under no mark, and the rule of a place covered by several
zones is the most cautious of each field of their screened rules. A cell of the cut surface is
under a mark when the body's face it was cut from is (a mark's border follows the body's
triangles, not the zones' cut).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from viewer.core.palette import LegendEntry, get_palette, zone_colour, zone_hatched
from viewer.core.regionmap import Pressure, Rule, Stroke, StrokeStatus

#: the rule on a marked area: avoid, for pressure and every stroke
AVOID_RULE = Rule(Pressure.AVOID, tuple(StrokeStatus.AVOID for _ in Stroke))

#: the outline of a mark on the skin (Okabe-Ito's reddish purple: apart from every zone colour,
#: and drawn over a white halo so it reads on any of them): a mark, not a zone
MARK_COLOUR = "#cc79a7"
MARK_HALO = "#ffffff"

POSTPONE_HEADING = "Postpone the massage"

#: the legend's row for the marks
MARK_LEGEND = "Marked area: avoid (broken skin, rash or bruising)"


@dataclass(frozen=True)
class Banner:
    """The postpone banner: a heading and the guide's sentences that apply."""

    heading: str
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join((self.heading,) + self.sentences)


def postpone_banner(screened) -> Banner | None:
    """The banner the window and every picture show when the massage is postponed (fever,
    recent severe trauma, active inflammation): "Postpone the massage" and the guide's
    sentences; None when nothing postpones it."""
    if screened is None or not screened.postpone:
        return None
    return Banner(POSTPONE_HEADING, tuple(dict.fromkeys(s for s in screened.reasons if s)))


def face_marks(screened, n_faces: int) -> np.ndarray:
    """``(n_faces,)``: the mark covering each face of the body (-1 none)."""
    fm = getattr(screened, "face_mark", None)
    if fm is None:
        return np.full(n_faces, -1, np.int64)
    return np.asarray(fm, np.int64)


@dataclass
class ScreenedLook:
    """The screened rules of one assignment, ready for colouring."""

    #: the screened rule of each zone (its own where the screening leaves it)
    zone_rules: list[Rule]
    #: the zones whose rule the screening changes, with why ("Reduced: history of DVT")
    limited: dict[int, list[str]] = field(default_factory=dict)
    face_mark: np.ndarray | None = None
    postpone: bool = False

    @classmethod
    def of(cls, screened, rmap) -> "ScreenedLook":
        assignment = screened.assignment
        face_zone = np.asarray(assignment.face_zone)
        marks = face_marks(screened, len(face_zone))
        alone = np.ones(len(face_zone), bool)
        if assignment.multi_faces is not None and len(assignment.multi_faces):
            alone[np.asarray(assignment.multi_faces)] = False
        rules, limited = [], {}
        for zone in rmap.zones:
            candidates = np.flatnonzero((face_zone == zone.index) & (marks < 0) & alone)
            if len(candidates) == 0:
                rules.append(zone.rule)
                continue
            face = int(candidates[0])
            rule = screened.rule(face) or zone.rule
            # the most cautious of the zone's own and the screened: a screening never loosens
            rule = Rule.most_cautious([zone.rule, rule])
            rules.append(rule)
            if rule != zone.rule:
                limited[zone.index] = list(screened.why(face)) or []
        return cls(rules, limited, marks, bool(screened.postpone))

    def rule_of(self, zones) -> Rule:
        """The screened rule where ``zones`` (indices) cover the skin together."""
        return Rule.most_cautious([self.zone_rules[i] for i in zones])

    def cover_rule(self, cover) -> Rule:
        return self.rule_of([cover.zone.index] + [z.index for z in cover.also])

    def reasons(self) -> list[str]:
        """Why rules are reduced, once each ("Reduced: history of DVT")."""
        return list(dict.fromkeys(r for why in self.limited.values() for r in why))


def screening_legend(screened, look: ScreenedLook | None, mode: str = "pressure",
                     palette="default") -> list[LegendEntry]:
    """The legend's rows a screening adds: the marks (hatched "avoid" with the mark's outline)
    and each reason a zone's rule is reduced, its swatch the reduced rule's colour in
    ``mode``."""
    if screened is None:
        return []
    pal = get_palette(palette)
    rows = []
    if getattr(screened.screening, "marks", ()):
        rows.append(LegendEntry("mark", MARK_LEGEND, pal.pressure[Pressure.AVOID], True))
    if look is not None and look.limited:
        first = next(iter(look.limited))
        rule = look.zone_rules[first]
        for reason in look.reasons() or ["Reduced by the screening"]:
            rows.append(LegendEntry("limit", reason, zone_colour(rule, mode, pal),
                                    zone_hatched(rule, mode)))
    return rows


__all__ = ["AVOID_RULE", "Banner", "MARK_COLOUR", "MARK_LEGEND", "POSTPONE_HEADING",
           "ScreenedLook", "face_marks", "postpone_banner", "screening_legend"]

