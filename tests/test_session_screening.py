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


def _screened_session(tmp_path, body, **changes):
    from viewer.core.screening import parse_mark

    mark = parse_mark("inferior_angle_left:5:Bruise", body)
    fields = {"conditions": ["dvt", "bruising"], "marks": [SessionMark.of(mark)], **changes}
    return save_session(Session(**fields), tmp_path / "screened.json")


def test_export_session_reproduces_the_answers_and_marks(tmp_path, body, run_cli_isolated):
    session = _screened_session(tmp_path, body)
    out = tmp_path / "out.png"
    result = run_cli_isolated("export", "--session", session, "--out", out, "--size", "640x360")
    assert result.returncode == 0, result.stderr
    assert "screened: dvt, bruising, 1 mark" in result.stdout
    from PIL import Image

    assert "dvt" in Image.open(out).text.get("backview:screening", "")


def test_a_sessions_mark_off_the_body_is_one_line(tmp_path, body, run_cli_isolated,
                                                  one_line_error):
    mark = SessionMark(point=[0.0, 0.4, -0.6], radius_cm=3.0)  # 45 cm behind the back
    session = _screened_session(tmp_path, body, marks=[mark])
    out = tmp_path / "out.png"
    one_line_error(run_cli_isolated("export", "--session", session, "--out", out),
                   "screened.json:marks[0]:point", "off the body")
    assert not out.exists()
