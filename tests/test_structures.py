"""The bones and kidneys under the skin (issue 13), fitted to the shipped torso and to a scaled,
turned copy in millimetres with moved landmarks: inside the skin, under their landmarks, on the
right side, at the levels a teacher expects."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from viewer.core import structures as S
from viewer.core.body import Body
from viewer.core.regionmap import normalise_text
from viewer.core.zones import assign_zones

CM = 0.01


def rotation(axis, degrees):
    return trimesh.transformations.rotation_matrix(np.radians(degrees), axis)[:3, :3]


TURN = rotation([0, 0, 1], 35) @ rotation([1, 0, 0], 90)  # Z up, turned 35 degrees
SCALE = np.array([1.1, 1.06, 1.15])                         # wider, taller, deeper
MOVE_M = {"inferior_angle_left": [0.0, -0.012, 0.0], "inferior_angle_right": [0.0, -0.008, 0.0],
          "spinous_T9": [0.0, 0.006, 0.0], "rib12_tip_left": [0.006, -0.01, 0.0]}


@pytest.fixture(scope="module")
def other_body(body):
    """The shipped torso scaled, turned, in millimetres, some landmarks moved along the skin."""
    v = np.asarray(body.mesh.vertices) * SCALE
    mesh = trimesh.Trimesh(v @ TURN.T * 1000.0, np.asarray(body.mesh.faces), process=False)
    lm = {}
    for k, p in body.landmarks.items():
        q = (p + np.asarray(MOVE_M.get(k, [0, 0, 0]))) * SCALE
        lm[k] = q @ TURN.T * 1000.0
    # moved landmarks back onto the skin
    moved = [k for k in MOVE_M]
    closest, _, _ = trimesh.proximity.closest_point(mesh, np.array([lm[k] for k in moved]))
    lm.update(dict(zip(moved, closest)))
    return Body(mesh, lm, unit=0.001)


@pytest.fixture(scope="module")
def fits(body, other_body):
    return {"shipped": (body, S.fit_structures(body, cache=False)),
            "other": (other_body, S.fit_structures(other_body, cache=False))}


def local_cm(b, points):
    """(left, up, back) in cm from the body's origin."""
    return b.frame.to_local(np.asarray(points, float)) * b.unit / CM


EXPECTED = ({f"vertebra-T{i}" for i in range(1, 13)} | {f"vertebra-L{i}" for i in range(1, 6)}
            | {"cervical-spine", "sacrum", "hip-left", "hip-right", "scapula-left", "scapula-right",
               "rib-cage", "rib-11-left", "rib-11-right", "rib-12-left", "rib-12-right",
               "kidney-left", "kidney-right"})


@pytest.mark.parametrize("which", ["shipped", "other"])
def test_every_structure_is_fitted_and_inside_the_skin(fits, which):
    b, a = fits[which]
    assert {s.id for s in a.structures} == EXPECTED and a.missing == []
    for s in a.structures:
        # exact inside test (trimesh ray parity) on an even sample of each structure's vertices
        sample = np.asarray(s.vertices)[:: max(1, len(s.vertices) // 40)]
        inside = b.mesh.contains(sample).mean()
        assert inside >= 0.97, (s.id, inside)
    rows = {r["id"]: r for r in S.describe(b, a)}
    assert all(r["inside_skin"] >= 0.97 for r in rows.values()), rows


@pytest.mark.parametrize("which", ["shipped", "other"])
def test_each_spinous_tip_lies_just_under_its_landmark(fits, which):
    b, a = fits[which]
    for lv in S.SPINE:
        s = a.get(f"vertebra-{lv}")
        mark = b.landmarks[f"spinous_{lv}"]
        d = np.linalg.norm(np.asarray(s.vertices) - mark, axis=1) * b.unit / CM
        assert 0.3 < d.min() < 2.0, (lv, d.min())  # the nearest bone: the tip, under the skin
        # and the vertebra lies in front of (deeper than) its landmark, on the midline
        loc = local_cm(b, s.vertices)
        assert abs(np.median(loc[:, 0])) < 1.0, lv
        assert np.median(loc[:, 2]) < local_cm(b, mark)[2] - 2.0, lv


@pytest.mark.parametrize("which", ["shipped", "other"])
def test_the_kidneys_lie_under_the_floating_ribs_right_lower_than_left(fits, which):
    b, a = fits[which]
    lv = {k: local_cm(b, b.landmarks[f"spinous_{k}"])[1] for k in ("T11", "T12", "L3", "L4")}
    centre = {}
    for side, sign in (("left", 1), ("right", -1)):
        loc = local_cm(b, a.get(f"kidney-{side}").vertices)
        centre[side] = loc.mean(0)
        assert lv["T11"] + 1.0 > loc[:, 1].max() and loc[:, 1].min() > lv["L4"], side
        assert lv["T12"] > centre[side][1] > lv["L3"], side
        assert 2.5 < sign * loc[:, 0].min() and sign * loc[:, 0].max() < 11.0, side  # lateral of the spine
        spine = local_cm(b, a.get("vertebra-L1").vertices)
        assert np.median(loc[:, 2]) < np.median(spine[:, 2]) + 2.0  # beside the spine, not behind it
    assert 0.8 < centre["left"][1] - centre["right"][1] < 2.5  # right lower than left


def test_the_kidneys_lie_under_the_floating_rib_zone(body, fits):
    b, a = fits["shipped"]
    from viewer.core.regionmap import load_region_map

    assignment = assign_zones(b, load_region_map())
    fc = b.mesh.triangles_center
    uvw = local_cm(b, fc)
    back = (np.asarray(b.mesh.face_normals) @ b.frame.back) > 0.3
    for side in ("left", "right"):
        c = local_cm(b, a.get(f"kidney-{side}").vertices).mean(0)
        d = np.hypot(uvw[:, 0] - c[0], uvw[:, 1] - c[1])
        d[~back] = np.inf
        face = int(np.argmin(d))
        assert assignment.zone_of_face(face).id == f"kidney-{side}"


@pytest.mark.parametrize("which", ["shipped", "other"])
def test_scapulae_sit_under_their_landmarks_left_and_right(fits, which):
    b, a = fits[which]
    for side, sign in (("left", 1), ("right", -1)):
        v = np.asarray(a.get(f"scapula-{side}").vertices)
        loc = local_cm(b, v)
        assert sign * loc[:, 0].mean() > 5.0  # on its own side
        for p in S.SCAPULA_POINTS:
            d = np.linalg.norm(v - b.landmarks[f"{p}_{side}"], axis=1).min() * b.unit / CM
            assert d < 3.5, (side, p, d)
    for s in a.structures:
        if s.side:
            x = local_cm(b, s.vertices)[:, 0].mean()
            assert (x > 0) == (s.side == "left"), s.id


def test_floating_rib_tips_reach_their_landmarks(fits):
    for which in fits:
        b, a = fits[which]
        for n in (11, 12):
            for side in ("left", "right"):
                v = np.asarray(a.get(f"rib-{n}-{side}").vertices)
                d = np.linalg.norm(v - b.landmarks[f"rib{n}_tip_{side}"], axis=1).min() * b.unit / CM
                assert d < 3.0, (which, n, side, d)


def test_a_missing_landmark_leaves_out_only_its_structures(body):
    lm = dict(body.landmarks)
    del lm["spinous_T7"], lm["inferior_angle_left"], lm["rib12_tip_right"]
    a = S.fit_structures(Body(body.mesh, lm, unit=body.unit), cache=False)
    ids = {s.id for s in a.structures}
    assert ids == EXPECTED - {"vertebra-T7", "scapula-left", "rib-12-right"}
    assert len(a.missing) == 3
    assert any("spinous_T7" in m and "T7" in m for m in a.missing), a.missing
    assert any("inferior_angle_left" in m for m in a.missing)
    assert any("rib12_tip_right" in m for m in a.missing)


def test_notes_quote_the_guide_word_for_word(repo):
    guide = normalise_text((repo / "region_maps" / "back-massage-guide.txt").read_text("utf-8"))
    notes = S.read_notes()
    assert {"vertebra", "scapula", "floating-rib", "kidney", "ribcage", "pelvis", "sacrum"} <= set(notes)
    for kind, (note, cits) in notes.items():
        assert note and cits
        for c in cits:
            assert normalise_text(c) in guide, (kind, c)


def test_a_structure_shows_its_note(fits):
    _, a = fits["shipped"]
    assert "deep pressure" in a.get("kidney-left").note
    assert "vertebral column" in a.get("vertebra-T7").citations[0]


def test_a_misquoted_note_is_refused(tmp_path, repo):
    from viewer.core.errors import RegionMapError

    (tmp_path / "back-massage-guide.txt").write_text(
        (repo / "region_maps" / "back-massage-guide.txt").read_text("utf-8"), "utf-8")
    bad = tmp_path / "structures.toml"
    bad.write_text('guide = "back-massage-guide.txt"\n[[topics]]\nkinds = ["kidney"]\n'
                   'note = "x"\ncitations = ["Press hard on the kidneys."]\n', "utf-8")
    with pytest.raises(RegionMapError, match="citation not found"):
        S.read_notes.__wrapped__(bad)


def test_the_fit_is_cached_by_content(body, tmp_path, monkeypatch):
    monkeypatch.setattr("viewer.core.cache.default_cache_dir", lambda: tmp_path)
    first = S.fit_structures(body)
    assert list(tmp_path.glob("*.anatomy.npz"))
    again = S.fit_structures(body)
    assert [s.id for s in again.structures] == [s.id for s in first.structures]
    for s, t in zip(first.structures, again.structures):
        assert np.allclose(s.vertices, t.vertices) and s.note == t.note


def test_the_bone_index_matches_its_arrays(repo):
    index = json.loads((repo / "meshes" / "bones.json").read_text("utf-8"))
    bones = S.bone_set()
    assert [b["id"] for b in index["bones"]] == list(bones)
    for b in index["bones"]:
        assert len(bones[b["id"]].vertices) == b["vertices"]
    size = sum((repo / "meshes" / f).stat().st_size for f in ("bones.npz", "bones.json"))
    assert size < 1.5e6
