"""The guided lesson: follows the guide's order, refers only to what exists, arrows where the
guide puts the strokes (friction beside the spine, never on it)."""

from __future__ import annotations

import numpy as np
import pytest

from viewer.core.errors import RegionMapError
from viewer.core.lesson import LessonFile, arrow_paths, load_lesson
from viewer.core.regionmap import Stroke, StrokeStatus, normalise_text

REPO_SCHEMA = "region_maps/lesson.schema.json"


@pytest.fixture(scope="module")
def lesson():
    return load_lesson()


@pytest.fixture(scope="module")
def scene(lesson):
    from viewer.core.body import Body
    from viewer.render.scene import BodyScene

    return BodyScene(Body.load(), lesson.rmap)  # caches go to conftest's temporary folder


def test_steps_follow_the_guide_in_its_own_order(lesson):
    assert [s.id for s in lesson.steps] == [
        "prepare", "effleurage", "petrissage", "friction", "pressure", "avoid", "close"]
    guide = normalise_text(lesson.rmap.guide_text)
    first_quote = [guide.index(normalise_text(s.citations[0])) for s in lesson.steps]
    assert first_quote == sorted(first_quote), "steps must quote the guide in its order"


def test_every_step_refers_to_existing_zones_rules_and_arrows(lesson):
    zones = set(lesson.rmap.by_id)
    rules = {r.id for r in lesson.rmap.rules}
    for step in lesson.steps:
        assert set(step.highlight) <= zones
        assert set(step.rules) <= rules
        assert len(lesson.arrows_of(step)) == len(step.arrows)
    # the stroke steps colour the model by their own stroke and show arrows
    for stroke in Stroke:
        step = next(s for s in lesson.steps if s.id == stroke.value)
        assert step.colour_by == f"stroke:{stroke.value}"
        assert {a.stroke for a in lesson.arrows_of(step)} == {stroke}


def test_committed_json_schema_is_current(repo):
    import json

    committed = json.loads((repo / REPO_SCHEMA).read_text(encoding="utf-8"))
    assert committed == LessonFile.model_json_schema()


@pytest.mark.parametrize("edit, message, field", [
    (('highlight = ["lower-back", "paraspinal-left"', 'highlight = ["lower-back", "paraspinal-middle"'),
     "unknown zone 'paraspinal-middle'", "steps:effleurage:highlight"),
    (('arrows = ["friction-beside-spine", "friction-scapula"]', 'arrows = ["friction-on-spine"]'),
     "unknown arrow 'friction-on-spine'", "steps:friction:arrows"),
    (('rules = ["close"]', 'rules = ["goodbye"]'), "unknown rule 'goodbye'", "steps:close:rules"),
    (('view = "back"\ncolour_by = "stroke:friction"', 'view = "behind"\ncolour_by = "stroke:friction"'),
     "unknown view 'behind'", "steps:friction:view"),
    (('"Using the thumbs, finger pads, or knuckles, apply focused pressure',
      '"Using the elbows, apply focused pressure'),
     "citation not found in the guide", "steps:friction:citations"),
])
def test_bad_lessons_name_the_file_step_and_field(tmp_path, repo, edit, message, field):
    import shutil

    text = (repo / "region_maps" / "lesson.toml").read_text(encoding="utf-8")
    old, new = edit
    assert old in text
    for name in ("back-massage.toml", "back-massage-guide.txt"):
        shutil.copyfile(repo / "region_maps" / name, tmp_path / name)
    bad = tmp_path / "lesson.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RegionMapError) as err:
        load_lesson(bad)
    lines = err.value.lines()
    assert any(message in line and f"lesson.toml:{field}" in line for line in lines), lines


# --------------------------------------------------------------------------- arrows on the body
def _zones_along(scene, arrow):
    """The zone (or None) under every drawn point of an arrow."""
    from viewer.render.arrows import SkinProjector

    projector = SkinProjector(scene)
    out = []
    for path in arrow_paths(arrow, scene.geometry.anchor):
        pts, normals = projector.project(path.uv)
        ok = np.isfinite(pts).all(axis=1)
        assert ok.mean() > 0.95, f"{arrow.id}: most of the arrow must land on the skin"
        fields = scene.geometry.fields(pts[ok], normals[ok])
        for column in fields.T:
            inside = [i for i in scene.rmap.caution_order if column[i] > 0]
            out.append(scene.rmap.zones[inside[0]] if inside else None)
    return out


def test_friction_circles_sit_beside_the_spine_and_on_the_scapular_edges_never_on_the_spine(
        lesson, scene):
    step = next(s for s in lesson.steps if s.id == "friction")
    for arrow in lesson.arrows_of(step):
        zones = _zones_along(scene, arrow)
        assert all(z is not None and z.id != "spine" for z in zones), arrow.id
        assert all(z.strokes[Stroke.FRICTION] != StrokeStatus.AVOID for z in zones), arrow.id
        allowed = {"paraspinal", "scapular-edges", "lower-trapezius", "middle-trapezius"}
        assert {z.spec.id for z in zones} <= allowed, (arrow.id, {z.id for z in zones})


def test_petrissage_waves_knead_the_paraspinals_and_the_trapezius(lesson, scene):
    step = next(s for s in lesson.steps if s.id == "petrissage")
    for arrow in lesson.arrows_of(step):
        zones = [z for z in _zones_along(scene, arrow) if z is not None]
        targets = [z for z in zones if z.spec.id in {"paraspinal", "upper-trapezius",
                                                       "middle-trapezius", "lower-trapezius"}]
        assert len(targets) >= 0.8 * len(zones), arrow.id
        assert all(z.id != "spine" for z in zones)


def test_effleurage_goes_up_the_back_from_the_lumbar_region_and_returns_down_the_sides(
        lesson, scene):
    by_id = {a.id: a for a in lesson.data.arrows}
    geometry = scene.geometry
    l3, t1 = geometry.level_height("L3"), geometry.level_height("T1")
    for path, side in zip(arrow_paths(by_id["effleurage-up"], geometry.anchor), ("left", "right")):
        v = path.uv[:, 1]
        assert v[0] <= l3 and v.max() >= t1  # from the lower lumbar region up past T1 ...
        acromion = geometry.anchor(type(by_id["effleurage-up"].points[0])(at="acromion"), side)
        end = path.uv[-1] * [1 if side == "left" else -1, 1]
        assert np.linalg.norm(end - acromion) < 0.06  # ... to the shoulder
        rising = np.diff(v)[: int(0.75 * len(v))]
        assert np.all(rising > -1e-3), "it goes up the back"
    for path in arrow_paths(by_id["effleurage-return"], geometry.anchor):
        assert path.light
        assert path.uv[-1, 1] < path.uv[0, 1] - 0.15  # back down
        zones = _zones_along(scene, by_id["effleurage-return"])
        assert sum(z is not None and z.spec.id == "side" for z in zones) >= 0.3 * len(zones)
    # the pair is mirrored: one stroke per side
    up = arrow_paths(by_id["effleurage-up"], geometry.anchor)
    assert np.allclose(up[0].uv[:, 0], -up[1].uv[:, 0])
