"""A map that fits every body: where zones meet on a user's body as they never do on the shipped
torso, the map is not refused. The skin inside several zones takes the most cautious value of
each field (pressure and every stroke) of the zones covering it; ``validate`` warns the map's
author with the face count; ``zones --json`` says which zones overlap and what is stricter; the
colours (window and picture alike) show the cautious value.

The body (``overlap_body`` in conftest): the shipped torso, its right superior angle 3 cm
higher, so the band of the shoulder blade's edge (petrissage light-only) reaches into the upper
trapezius (light pressure, petrissage recommended), which names those faces as the lower
pressure. Expected values come from the map's TOML text, read here without viewer.core.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from viewer.core.body import Body
from viewer.core.zones import ZoneGeometry, assign_zones, is_shipped_torso

from conftest import SHIPPED_LANDMARKS, SHIPPED_MESH

PRESSURE_RANK = {"avoid": 0, "light": 1, "moderate": 2, "firm": 3}
STATUS_RANK = {"avoid": 0, "light-only": 1, "allowed": 2, "recommended": 3}
STROKES = ("effleurage", "petrissage", "friction")
WINNER, OTHER = "upper-trapezius-right", "scapular-edges-right"


@pytest.fixture(scope="module")
def user_body(overlap_body):
    return Body.load(overlap_body)


@pytest.fixture(scope="module")
def result(user_body, rmap):
    return assign_zones(user_body, rmap, cache=False)


@pytest.fixture(scope="module")
def raw_rules(shipped_map_doc) -> dict[str, dict]:
    """zone id -> {"pressure": ..., stroke: ...} from the map's text."""
    out = {}
    for z in shipped_map_doc["zones"]:
        for zid in ([f"{z['id']}-{s}" for s in z["sides"]] if z.get("sides") else [z["id"]]):
            out[zid] = {"pressure": z["pressure"], **z["strokes"]}
    return out


@pytest.fixture(scope="module")
def inside(user_body, rmap) -> np.ndarray:
    """(n_zones, n_faces): the zone's field, linear over the face, positive at its centre."""
    geom = ZoneGeometry(user_body, rmap)
    v = np.asarray(user_body.mesh.vertices, float)
    faces = np.asarray(user_body.mesh.faces)
    fields, _ = geom.vertex_fields(v, faces)
    return fields[:, faces].mean(axis=2) > 0


@pytest.fixture(scope="module")
def both(inside, rmap) -> np.ndarray:
    """The faces inside both the upper trapezius and the shoulder blade's edge."""
    faces = np.flatnonzero(inside[rmap.zone(WINNER).index] & inside[rmap.zone(OTHER).index])
    assert len(faces) >= 10, "the test body must bring the two zones together"
    return faces


# =========================================================================== the core
def test_the_zones_never_meet_this_way_on_the_shipped_torso(body, rmap):
    shipped = assign_zones(body, rmap, cache=False)
    assert not [o for o in shipped.overlaps if {o.winner, o.other} == {WINNER, OTHER}]
    assert shipped.conflicts() == []


def test_an_overlap_on_a_user_body_does_not_refuse_the_map(result, rmap, both):
    # the user's report: "overlaps 'scapular-edges-right' on 1 faces and wins as the more
    # cautious, yet allows petrissage recommended ..." and the whole map was gone
    assert result.empty_zones() == []
    conflicts = [(o.winner, o.other, o.faces, o.conflicts) for o in result.conflicts()]
    assert conflicts == [(WINNER, OTHER, len(both), ("petrissage recommended (vs light-only)",))]
    # the faces keep the winner's identity (name, outline, selection)
    assert (result.face_zone[both] == rmap.zone(WINNER).index).all()


def test_a_face_inside_several_zones_takes_the_most_cautious_value_of_each_field(
        result, rmap, inside, raw_rules):
    multi = np.flatnonzero(inside.sum(axis=0) > 1)
    assert len(multi) > 100
    ids = [z.id for z in rmap.zones]
    for face in multi:
        covering = [ids[i] for i in np.flatnonzero(inside[:, face])]
        expected = {"pressure": min((raw_rules[z]["pressure"] for z in covering),
                                    key=PRESSURE_RANK.get)}
        for s in STROKES:
            expected[s] = min((raw_rules[z][s] for z in covering), key=STATUS_RANK.get)
        assert result.effective_rule(int(face)).fields() == expected, (face, covering)
        own = result.zone_of_face(int(face)).id
        assert sorted(z.id for z in result.also_inside(int(face))) == \
            sorted(z for z in covering if z != own)


def test_where_the_shoulder_blade_meets_the_trapezius_petrissage_is_light(result, both):
    for face in both:
        rule = result.effective_rule(int(face))
        assert rule.fields() == {"pressure": "light", "effleurage": "recommended",
                                 "petrissage": "light-only", "friction": "light-only"}
        assert OTHER in [z.id for z in result.also_inside(int(face))]
        assert result.cover(int(face)).stricter == ["petrissage"]


def test_a_face_inside_one_zone_keeps_that_zones_rule(result, rmap, inside, raw_rules):
    one = np.flatnonzero(inside.sum(axis=0) == 1)[::97]
    for face in one:
        zone = result.zone_of_face(int(face))
        assert result.also_inside(int(face)) == ()
        assert result.effective_rule(int(face)).fields() == raw_rules[zone.id]
    outside = int(np.flatnonzero(inside.sum(axis=0) == 0)[0])
    assert result.effective_rule(outside) is None and result.also_inside(outside) == ()


def test_the_cache_keeps_the_zones_covering_each_face(user_body, rmap, result, both, tmp_path):
    first = assign_zones(user_body, rmap, cache_dir=tmp_path)
    second = assign_zones(user_body, rmap, cache_dir=tmp_path)
    assert not first.from_cache and second.from_cache
    for face in both[:5]:
        assert second.effective_rule(int(face)) == result.effective_rule(int(face))
        assert second.also_inside(int(face)) == result.also_inside(int(face))
    assert second.overlap_summary() == result.overlap_summary()


def test_the_shipped_torso_is_recognised_by_content(body, user_body, user_body_mm, tmp_path):
    assert is_shipped_torso(body)
    assert not is_shipped_torso(user_body)  # same mesh, one landmark moved
    assert not is_shipped_torso(Body.load(user_body_mm))  # the torso turned, in millimetres
    copy = tmp_path / "copy.ply"
    shutil.copyfile(SHIPPED_MESH, copy)
    shutil.copyfile(SHIPPED_LANDMARKS, tmp_path / "copy.landmarks.json")
    assert is_shipped_torso(Body.load(copy))  # a copy elsewhere is still the shipped torso


# =========================================================================== the command line
@pytest.fixture(scope="module")
def runs(run_cli_many, overlap_body) -> dict:
    return run_cli_many({
        "validate": ["validate", "--mesh", overlap_body],
        "validate-json": ["validate", "--mesh", overlap_body, "--json"],
        "zones": ["zones", "--mesh", overlap_body],
        "zones-json": ["zones", "--mesh", overlap_body, "--json"],
    })


def test_validate_warns_the_author_with_the_face_count_and_succeeds(runs, both, shipped_map_path):
    r = runs["validate"]
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert r.stderr.splitlines() == [
        f"backview: warning: {shipped_map_path}:{WINNER}:shapes: overlaps '{OTHER}' on "
        f"{len(both)} faces of this body, where it allows petrissage recommended (vs light-only): "
        "there the most cautious value of each applies"]
    out = r.stdout.splitlines()
    assert out[-1] == "ok: schema, guide citations and fit all check out (1 warning(s) on stderr)"
    assert "CONFLICT" not in r.stdout
    line = next(x for x in out if x.split()[:3] == [WINNER, "over", OTHER])
    assert line.split()[3] == str(len(both))


def test_validate_json_lists_the_warning(runs, both):
    r = runs["validate-json"]
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["errors"] == []
    assert len(report["warnings"]) == 1
    assert f"overlaps '{OTHER}' on {len(both)} faces of this body" in report["warnings"][0]
    assert {"winner": WINNER, "other": OTHER, "faces": len(both),
            "conflicts": ["petrissage recommended (vs light-only)"]} in report["overlaps"]


def test_zones_json_says_what_else_covers_a_zone_and_what_is_stricter(runs, both, rmap):
    r = runs["zones-json"]
    assert r.returncode == 0 and r.stderr == "", r.stderr
    rows = {row["id"]: row for row in json.loads(r.stdout)["zones"]}
    assert list(rows) == [z.id for z in rmap.zones]
    row = rows[WINNER]
    assert {"zone": OTHER, "faces": len(both)} in row["also_inside"]
    assert row["stricter"] == [{"field": "petrissage", "value": "light-only", "faces": len(both)}]
    # a zone whose rule is already the most cautious where it overlaps: nothing stricter
    assert rows["kidney-right"]["also_inside"] and rows["kidney-right"]["stricter"] == []
    for other in rows.values():
        assert set(other) >= {"also_inside", "stricter"}


def test_zones_table_notes_the_stricter_value(runs, both):
    r = runs["zones"]
    assert r.returncode == 0 and r.stderr == "", r.stderr
    lines = r.stdout.splitlines()
    at = lines.index("where zones overlap on this body, the most cautious value of each field applies:")
    note = lines[at + 1].strip()
    assert note.startswith(f"{WINNER}: also inside {OTHER} ({len(both)} faces)")
    assert note.endswith(f"petrissage light-only on {len(both)} faces")


def test_the_shipped_map_on_the_shipped_torso_still_validates_without_warnings(run_cli_isolated):
    r = run_cli_isolated("validate")
    assert r.returncode == 0 and r.stderr == "", r.stderr


# =========================================================================== colours
@pytest.fixture(scope="module")
def scene(user_body, rmap, result):
    from viewer.render.scene import BodyScene

    return BodyScene(user_body, rmap, result)


@pytest.fixture(scope="module")
def stricter_cells(scene, rmap) -> np.ndarray:
    """Surface cells of the upper trapezius that lie inside the shoulder blade's edge too."""
    other = rmap.zone(OTHER).index
    cells = [c for c in np.flatnonzero(scene.zone_of_cell == rmap.zone(WINNER).index)
             if other in [z.index for z in scene.cover_at_cell(int(c)).also]]
    assert len(cells) >= 10
    return np.array(cells)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    c = hex_colour.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def test_petrissage_colours_the_overlap_by_the_cautious_value(scene, rmap, stricter_cells):
    from viewer.core.palette import get_palette
    from viewer.core.regionmap import StrokeStatus

    pal = get_palette("default")
    colours = scene.cell_colours("stroke:petrissage")
    light = rgb(pal.strokes[StrokeStatus.LIGHT_ONLY])
    recommended = rgb(pal.strokes[StrokeStatus.RECOMMENDED])
    assert {tuple(c) for c in colours[stricter_cells]} == {light}
    rest = np.flatnonzero((scene.zone_of_cell == rmap.zone(WINNER).index)
                          & (scene.cover_of_cell < 0))
    assert {tuple(c) for c in colours[rest]} == {recommended}
    # pressure is the winner's own (the winner is the zone of lower pressure)
    pressure = scene.cell_colours("pressure")
    assert {tuple(c) for c in pressure[stricter_cells]} == {rgb(pal.pressure[rmap.zone(WINNER).pressure])}
    # selecting the zone fades every other zone, not its own stricter patch
    selected = scene.cell_colours("stroke:petrissage", rmap.zone(WINNER).index)
    assert {tuple(c) for c in selected[stricter_cells]} == {light}


def test_the_uncut_faces_take_the_same_cautious_colours(scene, rmap, result, both):
    """The landmark editor's preview (the uncut mesh, while a landmark is dragged) colours the
    faces inside both zones by the cautious value, as the cut surface does."""
    from viewer.core.palette import get_palette
    from viewer.core.regionmap import StrokeStatus

    pal = get_palette("default")
    colours = scene.face_colours(result, "stroke:petrissage")
    assert {tuple(c) for c in colours[both]} == {rgb(pal.strokes[StrokeStatus.LIGHT_ONLY])}
    alone = np.setdiff1d(result.faces_of(WINNER), result.multi_faces)
    assert {tuple(c) for c in colours[alone]} == {rgb(pal.strokes[StrokeStatus.RECOMMENDED])}


def test_the_exported_petrissage_picture_shows_the_cautious_value(scene, rmap, stricter_cells):
    from PIL import Image  # noqa: F401  (the export's own dependency)

    from viewer.core.palette import get_palette
    from viewer.core.regionmap import StrokeStatus
    from viewer.render.picture import ExportOptions, annotated_image

    from projection import image_points

    size = (1920, 1080)
    out = annotated_image(scene, ExportOptions(size=size, mode="stroke:petrissage",
                                               labels="none"))
    pixels = np.asarray(out.image.convert("RGB")).astype(float)
    pal = get_palette("default")
    swatches = {s: np.array(rgb(pal.strokes[s]), float) for s in StrokeStatus}

    def status_at(point) -> StrokeStatus:
        x, y = image_points(out.render_camera, size, [point])[0]
        p = pixels[int(round(y)), int(round(x))]
        # the nearest status colour under any brightness (the skin is lit and shaded)
        return min(swatches, key=lambda s: np.linalg.norm(
            p - swatches[s] * max(p @ swatches[s], 1.0) / max(swatches[s] @ swatches[s], 1.0)))

    deepest = scene.deepest_cell(rmap.zone(OTHER).index, stricter_cells)
    assert status_at(scene.cell_centres[deepest]) == StrokeStatus.LIGHT_ONLY
    trapezius = np.flatnonzero((scene.zone_of_cell == rmap.zone(WINNER).index)
                               & (scene.cover_of_cell < 0))
    inner = scene.deepest_cell(rmap.zone(WINNER).index, trapezius)
    assert status_at(scene.cell_centres[inner]) == StrokeStatus.RECOMMENDED
