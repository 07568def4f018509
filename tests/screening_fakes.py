"""A stand-in for the core's :class:`~viewer.core.screening.Screened` (issue 14), built from
the same public attributes, so the rendering tests do not depend on how the core computes
them: the faces within a radius of a point (straight-line distance) are marked, and DVT caps
the lower back at light pressure and reduces its deep strokes."""

from __future__ import annotations

import numpy as np

from viewer.core.regionmap import Pressure, Rule, Stroke, StrokeStatus
from viewer.core.screening import Mark, Screened, Screening

DVT_REASON = "Reduced: history of DVT"
FEVER = ("Individuals experiencing an acute fever, recent severe trauma, or active "
         "inflammation should postpone the massage until symptoms resolve.")
#: DVT's cap: light pressure, no friction, petrissage light only
DVT_CAP = Rule(Pressure.LIGHT, tuple(
    {Stroke.FRICTION: StrokeStatus.AVOID, Stroke.PETRISSAGE: StrokeStatus.LIGHT_ONLY}.get(
        s, StrokeStatus.RECOMMENDED) for s in Stroke))
AVOID = Rule(Pressure.AVOID, tuple(StrokeStatus.AVOID for _ in Stroke))


class FakeScreened(Screened):
    def rule(self, face):
        if self.face_mark[face] >= 0:
            return AVOID
        rule = self.assignment.effective_rule(face)
        if rule is not None and self._limited(face):
            return Rule.most_cautious([rule, DVT_CAP])
        return rule

    def why(self, face):
        return [DVT_REASON] if self._limited(face) else []

    def mark_faces(self, index):
        return np.flatnonzero(self.face_mark == index)

    def _limited(self, face) -> bool:
        if "dvt" not in self.screening.conditions:
            return False
        cover = self.assignment.cover(face)
        return cover is not None and "lower-back" in (
            [cover.zone.id] + [z.id for z in cover.also])


def fake_screened(body, assignment, conditions=(), marks=()) -> FakeScreened:
    """``marks``: (landmark or point, radius_cm, note) each."""
    placed = []
    for at, radius, note in marks:
        point = np.asarray(body.landmark(at) if isinstance(at, str) else at, float)
        placed.append(Mark(point, radius, note, "bruising"))
    screening = Screening(tuple(conditions), tuple(placed))
    centres = np.asarray(body.mesh.triangles_center)
    face_mark = np.full(len(assignment.face_zone), -1, np.int16)
    for i, m in enumerate(placed):
        near = np.linalg.norm(centres - m.at, axis=1) * body.unit <= m.radius_cm / 100
        face_mark[near & (face_mark < 0)] = i
    postpone = any(c in ("fever", "trauma", "inflammation") for c in conditions)
    return FakeScreened(assignment, screening, postpone=postpone,
                        reasons=[FEVER] if postpone else [], face_mark=face_mark)
