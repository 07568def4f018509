"""Fitting region maps to bodies: the most-cautious rule, anatomical placement on the shipped
torso, user meshes with landmarks, smooth borders, and the cache.

Placement is checked as a massage teacher would, from face centroids and the landmarks file
(read as JSON here, not through viewer.core), in a body frame built from the landmarks alone:
``v`` up along S2 -> C7, ``u`` towards the body's left (mesh +X), both from S2, in metres.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.core.body import Body
from viewer.core.regionmap import load_region_map
from viewer.core.zones import NO_ZONE, Overlap, ZoneGeometry, assign_zones, cache_key, overlap_problems

from conftest import SHIPPED_MESH

CM = 0.01
PRESSURE_RANK = {"avoid": 0, "light": 1, "moderate": 2, "firm": 3}
STATUS_RANK = {"avoid": 0, "light-only": 1, "allowed": 2, "recommended": 3}
STROKES = ("effleurage", "petrissage", "friction")


@pytest.fixture(scope="module")
def lm(shipped_landmarks_doc) -> dict[str, np.ndarray]:
    assert shipped_landmarks_doc["units"] == "m"
    return {k: np.asarray(v, float) for k, v in shipped_landmarks_doc["landmarks"].items()}


@pytest.fixture(scope="module")
def frame(lm):
    origin = lm["spinous_S2"]
    up = lm["spinous_C7"] - origin
    up /= np.linalg.norm(up)
    left = lm["acromion_left"] - lm["acromion_right"]
    left -= (left @ up) * up
    left /= np.linalg.norm(left)
    return origin, up, left


@pytest.fixture(scope="module")
def faces(body, frame):
    """Face centroids (mesh coordinates), unit normals and (u, v) in the landmark frame."""
    v = np.asarray(body.mesh.vertices, float)
    tri = v[np.asarray(body.mesh.faces)]
    centroids = tri.mean(axis=1)
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals = cross / np.maximum(np.linalg.norm(cross, axis=1), 1e-30)[:, None]
    origin, up, left = frame
    d = centroids - origin
    return {"centroid": centroids, "normal": normals, "u": d @ left, "v": d @ up}


def height(lm, frame, name: str) -> float:
    origin, up, _ = frame
    return float((lm[name] - origin) @ up)


def level(lm, frame, lvl: str) -> float:
    return height(lm, frame, f"spinous_{lvl}")


# =========================================================================== basics
def test_every_face_gets_one_zone_or_none(assignment, body, rmap):
    fz = assignment.face_zone
    assert fz.shape == (len(body.mesh.faces),)
    assert fz.min() >= NO_ZONE and fz.max() < len(rmap.zones)
    assert assignment.empty_zones() == []
    assert (fz == NO_ZONE).any(), "the front of the torso belongs to no zone"
    assert sum(len(assignment.faces_of(z.id)) for z in rmap.zones) == int((fz >= 0).sum())


def test_face_areas_are_in_cm2(assignment, body):
    total = float(assignment.face_area_cm2.sum())
    assert total == pytest.approx(body.mesh.area * 1e4, rel=1e-4)


# =========================================================================== most-cautious rule
def make_zone(doc: dict, zid: str, pressure: str, strokes: tuple[str, str, str], shape: dict) -> dict:
    """A zone with the spine's (guide-quoted) texts and the given rules and shape."""
    base = next(z for z in doc["zones"] if z["id"] == "spine")
    return {"id": zid, "name": zid.capitalize(), "pressure": pressure,
            "strokes": dict(zip(STROKES, strokes)), "technique": base["technique"],
            "cautions": list(base["cautions"]), "citations": list(base["citations"]),
            "shapes": [dict(shape)]}


BROAD = {"levels": ["T3", "L2"], "lateral_cm": [0.0, 6.0]}
NARROW = {"levels": ["T6", "T10"], "lateral_cm": [4.0, 10.0]}
ALL_REC = ("recommended", "recommended", "recommended")


@pytest.fixture(scope="module")
def crafted(tmp_path_factory, shipped_map_doc, write_region_map, body):
    """``crafted(name, zones) -> (path, RegionMap)``: a map of the shipped rules and these zones."""
    root = tmp_path_factory.mktemp("crafted")

    def make(name: str, zones: list[dict]):
        doc = {"map": dict(shipped_map_doc["map"]), "rules": copy.deepcopy(shipped_map_doc["rules"]),
               "zones": zones}
        path = write_region_map(doc, root / name / "map.toml")
        return path, load_region_map(path)

    return make


@pytest.fixture(scope="module")
def alone(crafted, shipped_map_doc, body):
    """The faces each crafted shape covers on its own (the oracle for the overlap tests)."""
    out = {}
    for name, shape in (("broad", BROAD), ("narrow", NARROW)):
        _, m = crafted(f"alone-{name}", [make_zone(shipped_map_doc, name, "firm", ALL_REC, shape)])
        out[name] = assign_zones(body, m, cache=False).face_zone == 0
    both = out["broad"] & out["narrow"]
    assert both.sum() > 50 and (out["broad"] & ~both).sum() > 50 and (out["narrow"] & ~both).sum() > 50
    return out


def check_split(result, m, alone, winner: str, loser: str) -> None:
    """Faces of both shapes go to ``winner``, the rest of each shape to its own zone."""
    idx = {z.id: z.index for z in m.zones}
    both = alone["broad"] & alone["narrow"]
    fz = result.face_zone
    assert (fz[both] == idx[winner]).all()
    assert (fz[alone["broad"] & ~both] == idx["broad"]).all()
    assert (fz[alone["narrow"] & ~both] == idx["narrow"]).all()
    assert (fz[~alone["broad"] & ~alone["narrow"]] == NO_ZONE).all()
    assert result.overlaps == [Overlap(winner, loser, int(both.sum()), ())]


@pytest.mark.parametrize("narrow_first", [True, False], ids=["narrow-first", "broad-first"])
def test_overlap_goes_to_the_lower_pressure_zone(crafted, shipped_map_doc, alone, body, narrow_first):
    zones = [make_zone(shipped_map_doc, "broad", "firm", ALL_REC, BROAD),
             make_zone(shipped_map_doc, "narrow", "light", ALL_REC, NARROW)]
    if narrow_first:
        zones.reverse()
    _, m = crafted(f"pressure-{narrow_first}", zones)
    result = assign_zones(body, m, cache=False)
    check_split(result, m, alone, "narrow", "broad")


@pytest.mark.parametrize("stricter", ["broad", "narrow"])
def test_a_tie_in_pressure_goes_to_the_stricter_strokes(crafted, shipped_map_doc, alone, body, stricter):
    """Same pressure: the zone stricter on the strokes wins, even when it comes second."""
    looser = "narrow" if stricter == "broad" else "broad"
    shapes = {"broad": BROAD, "narrow": NARROW}
    zones = [make_zone(shipped_map_doc, looser, "light", ("recommended", "recommended", "light-only"),
                       shapes[looser]),
             make_zone(shipped_map_doc, stricter, "light", ("recommended", "light-only", "avoid"),
                       shapes[stricter])]
    _, m = crafted(f"tie-{stricter}", zones)
    result = assign_zones(body, m, cache=False)
    check_split(result, m, alone, stricter, looser)


def test_identical_rules_the_earlier_zone_wins(crafted, shipped_map_doc, alone, body):
    zones = [make_zone(shipped_map_doc, "narrow", "moderate", ALL_REC, NARROW),
             make_zone(shipped_map_doc, "broad", "moderate", ALL_REC, BROAD)]
    _, m = crafted("identical", zones)
    check_split(assign_zones(body, m, cache=False), m, alone, "narrow", "broad")


CONFLICTS = {
    # the lower pressure wins, yet it allows friction the other forbids
    "pressure-wins-friction-looser": (
        [("broad", "firm", ("recommended", "recommended", "avoid"), BROAD),
         ("narrow", "light", ("recommended", "recommended", "recommended"), NARROW)],
        "narrow", "broad", "friction recommended (vs avoid)"),
    # same pressure, strokes stricter on one and looser on another: neither is most cautious
    "same-pressure-mixed-strokes": (
        [("broad", "moderate", ("recommended", "allowed", "light-only"), BROAD),
         ("narrow", "moderate", ("recommended", "light-only", "allowed"), NARROW)],
        "broad", "narrow", "petrissage allowed (vs light-only)"),
}


@pytest.fixture(scope="module")
def conflict_maps(crafted, shipped_map_doc):
    return {name: crafted(f"conflict-{name}", [make_zone(shipped_map_doc, *z) for z in spec[0]])
            for name, spec in CONFLICTS.items()}


@pytest.mark.parametrize("name", CONFLICTS)
def test_a_winner_less_strict_than_the_loser_is_an_error_of_the_map_on_the_shipped_torso(
        name, conflict_maps, alone, body):
    """The map contradicts itself on the shipped torso: ``validate`` fails with this line. The
    map is not refused for viewing: where both zones cover the skin, the most cautious value of
    each field applies."""
    path, m = conflict_maps[name]
    zones, winner, loser, allowed = CONFLICTS[name]
    result = assign_zones(body, m, cache=False)  # no error: overlaps never refuse a body
    both = alone["broad"] & alone["narrow"]
    n = int(both.sum())
    assert [p.line() for p in overlap_problems(result, shipped=True)] == [
        f"{path}:{winner}:shapes: overlaps '{loser}' on {n} faces and wins as the more cautious, "
        f"yet allows {allowed}: make it at least as cautious or separate the shapes"]
    assert [p.line() for p in overlap_problems(result, shipped=False)] == [
        f"{path}:{winner}:shapes: overlaps '{loser}' on {n} faces of this body, where it allows "
        f"{allowed}: there the most cautious value of each applies"]
    assert [(o.winner, o.other, o.faces) for o in result.conflicts()] == [(winner, loser, n)]
    # on the faces of both, each field takes the more cautious of the two zones' values
    rules = {zid: (pressure, strokes) for zid, pressure, strokes, _ in zones}
    expected = {"pressure": min(rules["broad"][0], rules["narrow"][0], key=PRESSURE_RANK.get)}
    for i, s in enumerate(STROKES):
        expected[s] = min(rules["broad"][1][i], rules["narrow"][1][i], key=STATUS_RANK.get)
    for face in np.flatnonzero(both)[::7]:
        assert result.effective_rule(int(face)).fields() == expected
        assert [z.id for z in result.also_inside(int(face))] == [loser]
    # the faces of one zone alone keep that zone's rule
    face = int(np.flatnonzero(alone[winner] & ~both)[0])
    assert result.effective_rule(face) == m.zone(winner).rule and result.also_inside(face) == ()


def test_where_the_stricter_zone_forbids_a_stroke_the_overlap_is_hatched(conflict_maps, alone,
                                                                          body):
    """'narrow' (light, friction recommended) names the faces it shares with 'broad' (firm,
    friction avoid): there friction is avoided, so friction mode colours and hatches them as
    "avoid", while the rest of 'narrow' is coloured "recommended"."""
    from viewer.core.palette import hex_to_rgb, zone_colour
    from viewer.render.scene import BodyScene

    _, m = conflict_maps["pressure-wins-friction-looser"]
    scene = BodyScene(body, m, assign_zones(body, m, cache=False))
    narrow = m.zone("narrow").index
    cells = np.flatnonzero(scene.zone_of_cell == narrow)
    shared = np.array([scene.cover_at_cell(int(c)).also != () for c in cells])
    assert shared.sum() > 50 and (~shared).sum() > 50
    hatched = scene.hatched_cells("stroke:friction")
    assert hatched[cells[shared]].all() and not hatched[cells[~shared]].any()
    colours = scene.cell_colours("stroke:friction")
    assert {tuple(c) for c in colours[cells[shared]]} == {hex_to_rgb(zone_colour(m.zone("broad"), "stroke:friction"))}
    assert {tuple(c) for c in colours[cells[~shared]]} == {hex_to_rgb(zone_colour(m.zone("narrow"), "stroke:friction"))}
    assert scene.hatch_lines("stroke:friction").n_points > 0
    assert scene.hatch_lines("stroke:effleurage").n_points == 0


def test_validate_prints_the_conflict_and_exits_2(conflict_maps, run_cli_isolated):
    """On the shipped torso a contradiction is the map's own: an error for its author."""
    path, _ = conflict_maps["pressure-wins-friction-looser"]
    result = run_cli_isolated("validate", path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"backview: error: {path}:narrow:shapes: overlaps 'broad' on ")
    assert "allows friction recommended (vs avoid)" in lines[0]
    assert "CONFLICT: winner allows friction recommended (vs avoid)" in result.stdout
    assert "ok:" not in result.stdout


def test_validate_on_another_body_warns_and_succeeds(conflict_maps, run_cli_isolated,
                                                     user_body_mm):
    """The same map on a user's body (the torso turned, in mm): the body is not at fault, the
    map is shown with the most cautious value of each field; its author is warned."""
    path, _ = conflict_maps["pressure-wins-friction-looser"]
    result = run_cli_isolated("validate", path, "--mesh", user_body_mm)
    assert result.returncode == 0, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"backview: warning: {path}:narrow:shapes: overlaps 'broad' on ")
    assert lines[0].endswith("faces of this body, where it allows friction recommended (vs avoid): "
                             "there the most cautious value of each applies")
    assert "CONFLICT" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("ok:")


def test_shipped_overlaps_are_won_by_the_more_cautious_zone(assignment, rmap, shipped_map_doc):
    raw = {}
    for z in shipped_map_doc["zones"]:
        for zid in ([f"{z['id']}-{s}" for s in z["sides"]] if z.get("sides") else [z["id"]]):
            raw[zid] = z
    assert assignment.overlaps, "the shipped shapes overlap (e.g. the kidney over the lower back)"
    for o in assignment.overlaps:
        w, other = raw[o.winner], raw[o.other]
        assert o.faces > 0
        assert PRESSURE_RANK[w["pressure"]] <= PRESSURE_RANK[other["pressure"]], o
        for s in STROKES:
            assert STATUS_RANK[w["strokes"][s]] <= STATUS_RANK[other["strokes"][s]], (o, s)
        assert o.conflicts == ()
    assert assignment.conflicts() == []


def test_every_face_goes_to_the_most_cautious_zone_containing_it(assignment, body, rmap):
    # a face is inside a zone where the zone's field, linear over the triangle from its
    # vertices (as the renderer cuts it), is positive at the face's centre
    geom = ZoneGeometry(body, rmap)
    v = np.asarray(body.mesh.vertices, float)
    faces = np.asarray(body.mesh.faces)
    vertex_fields, _ = geom.vertex_fields(v, faces)
    inside = vertex_fields[:, faces].mean(axis=2) > 0
    fz = assignment.face_zone
    assert ((inside.sum(axis=0) == 0) == (fz == NO_ZONE)).all()
    key = [(PRESSURE_RANK[z.pressure.value], sum(STATUS_RANK[s.value] for s in z.strokes.values()),
            z.index) for z in rmap.zones]
    for face in np.flatnonzero(inside.sum(axis=0) > 1):
        candidates = np.flatnonzero(inside[:, face])
        assert fz[face] == min(candidates, key=lambda i: key[i])


# =========================================================================== anatomy
def zone_uv(assignment, faces, zone_id):
    f = assignment.faces_of(zone_id)
    assert len(f), zone_id
    return faces["u"][f], faces["v"][f]


def test_spine_lies_on_the_midline_from_c7_to_s2(assignment, faces, lm, frame):
    u, v = zone_uv(assignment, faces, "spine")
    assert np.abs(faces["centroid"][assignment.faces_of("spine"), 0]).max() <= 2 * CM
    assert np.abs(u).max() <= 2 * CM
    c7, s2 = level(lm, frame, "C7"), level(lm, frame, "S2")
    assert v.max() >= c7 - 0.5 * CM and v.min() <= s2 + 0.5 * CM, "spans C7 to S2"
    assert v.max() <= c7 + 2 * CM and v.min() >= s2 - 2 * CM
    # continuous: no gap of more than 2 cm up the column
    assert np.diff(np.sort(v)).max() < 2 * CM


@pytest.mark.parametrize("side", ["left", "right"])
def test_kidney_zone_lies_between_t11_and_l3_off_the_midline(assignment, faces, lm, frame, side):
    u, v = zone_uv(assignment, faces, f"kidney-{side}")
    t11, l3 = level(lm, frame, "T11"), level(lm, frame, "L3")
    assert v.max() <= t11 + 0.5 * CM and v.min() >= l3 - 1.5 * CM
    assert v.max() >= level(lm, frame, "T12") and v.min() <= level(lm, frame, "L2"), \
        "covers the kidneys, T12 to L2 at least"
    assert np.abs(u).min() >= 2 * CM, "off the spinous processes"
    assert np.abs(u).max() <= 12 * CM


def test_left_zones_lie_left_and_right_zones_right(assignment, faces, rmap):
    """Mesh +X is the body's left."""
    x = faces["centroid"][:, 0]
    sided = [z for z in rmap.zones if z.side]
    assert len(sided) >= 14
    for z in sided:
        xs = x[assignment.faces_of(z.id)]
        assert (xs > 0).all() if z.side == "left" else (xs < 0).all(), z.id


def test_paired_zones_are_mirror_symmetric(assignment, rmap, faces):
    stats = {s.id: s for s in assignment.stats()}
    for z in rmap.zones:
        if z.side != "left":
            continue
        other = z.id.removesuffix("-left") + "-right"
        a, b = stats[z.id].area_cm2, stats[other].area_cm2
        assert a > 0 and abs(a - b) <= 0.05 * max(a, b), (z.id, a, b)
        ul, vl = zone_uv(assignment, faces, z.id)
        ur, vr = zone_uv(assignment, faces, other)
        assert np.mean(ul) == pytest.approx(-np.mean(ur), abs=0.5 * CM)
        assert np.mean(vl) == pytest.approx(np.mean(vr), abs=0.5 * CM)


def test_midline_zones_are_centred(assignment, faces):
    for zid in ("spine", "neck", "lower-back"):
        u, _ = zone_uv(assignment, faces, zid)
        assert abs(np.mean(u)) < 0.5 * CM, zid


def test_neck_lies_above_c7_and_below_the_occiput(assignment, faces, lm, frame):
    _, v = zone_uv(assignment, faces, "neck")
    assert v.min() >= level(lm, frame, "C7") - 0.1 * CM
    assert v.max() <= height(lm, frame, "external_occipital_protuberance") + 0.1 * CM


def test_lower_back_lies_below_t12(assignment, faces, lm, frame):
    _, v = zone_uv(assignment, faces, "lower-back")
    assert v.max() < level(lm, frame, "T12")
    assert v.min() <= level(lm, frame, "L5")


def test_paraspinal_zones_lie_beside_the_spine(assignment, faces):
    for side in ("left", "right"):
        u, _ = zone_uv(assignment, faces, f"paraspinal-{side}")
        assert np.abs(u).min() >= 1.4 * CM and np.abs(u).max() <= 6 * CM


def nearest_face(faces, point) -> int:
    return int(np.argmin(np.linalg.norm(faces["centroid"] - point, axis=1)))


@pytest.mark.parametrize("side", ["left", "right"])
def test_shoulder_top_contains_the_acromion(assignment, faces, lm, side):
    zone = assignment.zone_of_face(nearest_face(faces, lm[f"acromion_{side}"]))
    assert zone is not None and zone.id == f"shoulder-top-{side}"


@pytest.mark.parametrize("side", ["left", "right"])
def test_scapular_edges_contain_the_medial_border(assignment, faces, lm, side):
    zone = assignment.zone_of_face(nearest_face(faces, lm[f"medial_border_mid_{side}"]))
    assert zone is not None and zone.id == f"scapular-edges-{side}"


@pytest.mark.parametrize("side", ["left", "right"])
def test_scapular_edges_contain_the_inferior_angle(assignment, faces, lm, side):
    zone = assignment.zone_of_face(nearest_face(faces, lm[f"inferior_angle_{side}"]))
    assert zone is not None and zone.id == f"scapular-edges-{side}"


def test_every_zone_faces_backwards_or_sideways(assignment, faces, rmap):
    for z in rmap.zones:
        n = faces["normal"][assignment.faces_of(z.id)]
        assert n[:, 2].mean() < 0.3, z.id  # the back faces -z


# =========================================================================== user meshes
def test_user_mesh_in_mm_rotated_and_moved_gets_the_same_zones(user_body_mm, assignment, rmap):
    user = Body.load(user_body_mm)
    assert user.unit == 0.001 and user.landmarks_path.name == "user.landmarks.json"
    result = assign_zones(user, rmap, cache=False)
    assert np.array_equal(result.face_zone, assignment.face_zone)
    np.testing.assert_allclose(result.face_area_cm2, assignment.face_area_cm2, rtol=1e-3, atol=1e-6)
    assert [s.levels for s in result.stats()] == [s.levels for s in assignment.stats()]
    assert [(o.winner, o.other, o.faces) for o in result.overlaps] == \
        [(o.winner, o.other, o.faces) for o in assignment.overlaps]


def test_user_mesh_in_cm_with_landmarks_given_elsewhere(tmp_path, shipped_landmarks_doc, assignment,
                                                         rmap):
    """Turned about an oblique axis, in cm, landmarks passed by path (not beside the mesh)."""
    rot = trimesh.transformations.rotation_matrix(np.pi / 2, [0.0, 1.0, 1.0])[:3, :3]

    def to_user(p):
        return (np.asarray(p, float) @ rot.T + [-0.4, 0.1, 2.0]) * 100.0

    shipped = trimesh.load(SHIPPED_MESH, process=False)
    mesh_path = tmp_path / "body.obj"
    trimesh.Trimesh(to_user(shipped.vertices), shipped.faces, process=False).export(mesh_path)
    doc = {"units": "cm", "landmarks": {k: to_user(v).tolist()
                                        for k, v in shipped_landmarks_doc["landmarks"].items()}}
    lm_path = tmp_path / "elsewhere" / "points.json"
    lm_path.parent.mkdir()
    lm_path.write_text(json.dumps(doc), encoding="utf-8")
    user = Body.load(mesh_path, lm_path)
    result = assign_zones(user, rmap, cache=False)
    assert np.array_equal(result.face_zone, assignment.face_zone)


# =========================================================================== smooth borders
@pytest.fixture(scope="module")
def scene(body, rmap, assignment):
    from viewer.render.scene import BodyScene

    return BodyScene(body, rmap, assignment)


def test_spine_outline_runs_straight_along_its_long_edges(scene, rmap, lm, frame):
    """The spine is lateral_cm [0, 1.5]: its long edges follow |u| = 1.5 cm to within 1 mm,
    all the way up (the surface is cut along the border, not along triangle edges)."""
    outline = scene.zone_outline(rmap.by_id["spine"].index)
    assert outline.n_points > 0
    origin, up, left = frame
    d = np.asarray(outline.points) - origin
    u, v = d @ left, d @ up
    lo, hi = level(lm, frame, "S2") - 1 * CM, level(lm, frame, "C7") + 1 * CM
    long_edges = (v > lo + 1 * CM) & (v < hi - 1 * CM)
    for sign in (1, -1):
        edge = long_edges & (np.sign(u) == sign)
        assert edge.sum() >= 20, "an outline point at least every 2-3 cm up each side"
        assert np.abs(np.abs(u[edge]) - 1.5 * CM).max() <= 0.1 * CM
        gaps = np.diff(np.sort(v[edge]))
        assert gaps.max() < 3 * CM
    # nothing of the outline inside the band but its two ends
    assert (np.abs(u[long_edges]) > 1.4 * CM).all()


def test_rendered_zones_have_no_islands(scene, rmap):
    """Each zone of the cut surface is one connected piece (the lower back two: the spine
    divides it); no speck under 1 cm²."""
    for z in rmap.zones:
        part = scene.surface.extract_cells(scene.zone_of_cell == z.index)
        part = part.extract_surface(algorithm="dataset_surface").clean(tolerance=0.0, absolute=True)
        pieces = part.connectivity("all")
        region = np.asarray(pieces.cell_data["RegionId"])
        area = np.asarray(pieces.compute_cell_sizes(length=False, volume=False).cell_data["Area"])
        areas_cm2 = np.bincount(region, weights=area) * 1e4
        expected = 2 if z.id == "lower-back" else 1
        assert len(areas_cm2) == expected, (z.id, np.round(areas_cm2, 2))
        assert areas_cm2.min() >= 1.0, (z.id, areas_cm2)


def edge_components(mask: np.ndarray, adjacency: np.ndarray) -> np.ndarray:
    """Sizes of the edge-connected components of the faces in ``mask``."""
    label = np.arange(len(mask))
    e = adjacency[mask[adjacency[:, 0]] & mask[adjacency[:, 1]]]
    while True:
        lo = np.minimum(label[e[:, 0]], label[e[:, 1]])
        new = label.copy()
        np.minimum.at(new, e[:, 0], lo)
        np.minimum.at(new, e[:, 1], lo)
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    return np.bincount(np.unique(label[mask], return_inverse=True)[1])


def test_edge_components_helper():
    mesh = trimesh.creation.box()
    mask = np.zeros(len(mesh.faces), bool)
    mask[[0, 1]] = True  # one side of the box: two triangles sharing an edge
    assert sorted(edge_components(mask, mesh.face_adjacency)) == [2]
    mask[:] = True
    assert sorted(edge_components(mask, mesh.face_adjacency)) == [12]


def vertex_sharing_pairs(faces: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Pairs of faces in ``mask`` that share a vertex (each vertex chains the masked faces
    around it, so masked faces sharing a vertex end up in one component)."""
    corner_face = np.repeat(np.arange(len(faces)), 3)
    keep = mask[corner_face]
    verts, owner = faces.ravel()[keep], corner_face[keep]
    order = np.argsort(verts, kind="stable")
    vert, face = verts[order], owner[order]
    same = vert[1:] == vert[:-1]
    return np.stack([face[:-1][same], face[1:][same]], axis=1)


def test_per_face_zones_have_no_islands(assignment, body, rmap):
    """Every zone is drawn as whole pieces: a piece of fewer than 5 triangles is only allowed as
    a sliver in a sharp corner of its zone, touching a larger piece at a vertex — never floating
    on its own. (Per-face labels of a narrow corner can split at a vertex; the rendered cut
    follows the exact border and has no islands: test_rendered_zones_have_no_islands.)"""
    faces = np.asarray(body.mesh.faces)
    edge_adj = np.asarray(body.mesh.face_adjacency)
    floating = {}
    for z in rmap.zones:
        mask = assignment.face_zone == z.index
        by_edge = edge_components(mask, edge_adj)
        by_vertex = edge_components(mask, vertex_sharing_pairs(faces, mask))
        if (by_vertex < 5).any():
            floating[z.id] = sorted(by_vertex.tolist())
        assert by_edge.max() >= 20, z.id
    assert floating == {}


# =========================================================================== cache
def test_second_assignment_comes_from_the_cache(body, rmap, assignment, tmp_path, zone_cache):
    before = set(zone_cache.iterdir())
    first = assign_zones(body, rmap, cache_dir=tmp_path)
    assert first.from_cache is False
    assert [p.name for p in tmp_path.iterdir()] == [f"{cache_key(body, rmap)}.npz"]
    second = assign_zones(body, rmap, cache_dir=tmp_path)
    assert second.from_cache is True
    assert np.array_equal(second.face_zone, assignment.face_zone)
    np.testing.assert_array_equal(second.face_area_cm2, first.face_area_cm2)
    assert second.overlaps == first.overlaps
    assert second.stats() == first.stats()
    assert set(zone_cache.iterdir()) == before, "cache_dir given: the default cache is untouched"


def test_no_cache_writes_nothing(body, rmap, tmp_path):
    result = assign_zones(body, rmap, cache=False, cache_dir=tmp_path)
    assert result.from_cache is False
    assert list(tmp_path.iterdir()) == []


def test_cache_key_follows_the_map_the_landmarks_and_the_mesh(body, rmap, shipped_map_doc,
                                                               write_region_map, tmp_path):
    key = cache_key(body, rmap)
    same = load_region_map(write_region_map(copy.deepcopy(shipped_map_doc), tmp_path / "same" / "m.toml"))
    assert cache_key(body, same) == key, "the same map from another file"

    doc = copy.deepcopy(shipped_map_doc)
    next(z for z in doc["zones"] if z["id"] == "spine")["shapes"][0]["lateral_cm"] = [0.0, 2.0]
    wider = load_region_map(write_region_map(doc, tmp_path / "wider" / "m.toml"))
    assert cache_key(body, wider) != key

    moved = Body(body.mesh, {**body.landmarks, "spinous_T7": body.landmarks["spinous_T7"] + [0, 0.001, 0]},
                 unit=body.unit)
    assert cache_key(moved, rmap) != key

    mesh = body.mesh.copy()
    mesh.vertices[0] += [0.0, 0.0, 1e-4]
    assert cache_key(Body(mesh, body.landmarks, unit=body.unit), rmap) != key


def test_a_changed_map_is_not_served_from_the_cache(body, rmap, shipped_map_doc, write_region_map,
                                                     tmp_path):
    assign_zones(body, rmap, cache_dir=tmp_path)
    doc = copy.deepcopy(shipped_map_doc)
    next(z for z in doc["zones"] if z["id"] == "spine")["shapes"][0]["lateral_cm"] = [0.0, 2.0]
    wider = load_region_map(write_region_map(doc, tmp_path / "wider" / "m.toml"))
    result = assign_zones(body, wider, cache_dir=tmp_path)
    assert result.from_cache is False
    assert len(result.faces_of("spine")) > len(assign_zones(body, rmap, cache_dir=tmp_path).faces_of("spine"))


def _half_of_a_good_file(good: bytes) -> bytes:
    return good[: len(good) // 2]


def _npy_file(good: bytes) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, np.arange(3))
    return buf.getvalue()


CORRUPT = {
    "garbage": lambda good: b"not a cache file\n" * 20,
    "empty": lambda good: b"",
    "truncated": _half_of_a_good_file,
    "zip-header-only": lambda good: good[:30],
    "a-plain-npy": _npy_file,
}


@pytest.mark.parametrize("kind", CORRUPT)
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(kind, body, rmap, assignment, tmp_path):
    assign_zones(body, rmap, cache_dir=tmp_path)
    path = tmp_path / f"{cache_key(body, rmap)}.npz"
    good = path.read_bytes()
    path.write_bytes(CORRUPT[kind](good))
    rebuilt = assign_zones(body, rmap, cache_dir=tmp_path)
    assert rebuilt.from_cache is False
    assert np.array_equal(rebuilt.face_zone, assignment.face_zone)
    again = assign_zones(body, rmap, cache_dir=tmp_path)
    assert again.from_cache is True, "the rebuilt result replaced the corrupt file"
    assert np.array_equal(again.face_zone, assignment.face_zone)


def test_a_cache_write_that_fails_halfway_leaves_nothing(body, rmap, tmp_path, monkeypatch):
    """Both cache files go through one atomic writer: a full disk mid-write leaves no
    half-written cache (nor a temporary file) for the next start to trust."""
    def broken(file, **arrays):
        Path(file).write_bytes(b"PK\x03\x04 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken)
    result = assign_zones(body, rmap, cache_dir=tmp_path)
    assert result.from_cache is False
    assert list(tmp_path.iterdir()) == []


@pytest.mark.filterwarnings("ignore:The VTK reader")
def test_the_scene_rebuilds_a_corrupt_surface_cache(body, rmap, assignment, scene, zone_cache):
    from viewer.render.scene import BodyScene

    # the scene's cache of its cut surface: a file of this body and map in the (patched) folder
    key = cache_key(body, rmap)
    files = [p for p in zone_cache.iterdir() if p.name.startswith(key) and p.suffix != ".npz"]
    surfaces = [p for p in files if ".surface-" in p.name]
    borders = [p for p in files if ".borders-" in p.name]
    assert len(surfaces) == 1, "BodyScene caches its cut surface in the (patched) cache folder"
    assert len(borders) == 1, "and the zone borders beside it"
    for cached in (surfaces[0], borders[0]):
        cached.write_bytes(b"<VTKFile broken")
    rebuilt = BodyScene(body, rmap, assignment)
    assert rebuilt.surface.n_cells == scene.surface.n_cells
    assert np.array_equal(rebuilt.zone_of_cell, scene.zone_of_cell)
    assert np.allclose(rebuilt.borders.points, scene.borders.points)
    for cached in (surfaces[0], borders[0]):
        assert cached.read_bytes() != b"<VTKFile broken", "the rebuilt file replaced the bad one"
