"""Sessions keep "Before you start": the answers and the marks (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.core.screening import Mark, Screening
from viewer.core.session import Session, SessionError, SessionMark, load_session, parse_session, save_session


def test_answers_and_marks_round_trip(tmp_path):
    mark = Mark(np.array([0.05, 0.95, -0.12]), 4.5, "Bruise", "bruising")
    session = Session(conditions=["dvt", "bruising"], marks=[SessionMark.of(mark)])
    back = load_session(save_session(session, tmp_path / "s.json"))
    screening = back.screening()
    assert screening.conditions == ("dvt", "bruising")
    (got,) = screening.marks
    assert np.allclose(got.at, mark.at) and got.radius_cm == 4.5
    assert got.note == "Bruise" and got.condition == "bruising"
    assert Session().screening() == Screening()  # an old session: nothing ticked, no marks


@pytest.mark.parametrize("mark, field", [
    ({"point": [0, 1, 0], "radius_cm": 0}, "marks.0.radius_cm"),
    ({"point": [0, 1, 0], "radius_cm": 31}, "marks.0.radius_cm"),
    ({"point": [0, 1, 0], "radius_cm": 3, "note": "x" * 81}, "marks.0.note"),
    ({"radius_cm": 3}, "marks.0.point"),
])
def test_a_bad_mark_is_one_line_naming_its_field(mark, field):
    with pytest.raises(SessionError) as caught:
        parse_session({"format": "backview-session", "marks": [mark]}, "s.json")
    line = caught.value.line()
    assert line.startswith(f"s.json:{field}:") and "\n" not in line
