"""One zone assignment: the zone a click picks on the drawn surface is the zone the core names
for that point of the body, and the faces ``backview zones`` counts follow the same rule.

Points are sampled on the cut surface where it faces back (where a user clicks), half of them
within 1 cm of a zone border, where a second evaluation of the zone fields or a face-level
shortcut would disagree with the drawing.
"""

from __future__ import annotations

import numpy as np
import pytest
import pyvista as pv
from vtkmodules.vtkRenderingCore import vtkRenderer

from viewer.core.zones import NO_ZONE, assign_zones
from viewer.render.scene import BodyScene
from viewer.ui.picking import ZonePicker

N_POINTS = 3000
BORDER_M = 0.01


@pytest.fixture(scope="module")
def scene(body, rmap):
    return BodyScene(body, rmap, assign_zones(body, rmap))


def _points_in_cells(scene: BodyScene, cells: np.ndarray, rng) -> np.ndarray:
    """One uniformly random point inside each of ``cells``."""
    tri = scene.surface.points[scene.surface.regular_faces[cells]]
    r1, r2 = rng.random(len(cells)), rng.random(len(cells))
    s = np.sqrt(r1)
    w = np.stack([1 - s, s * (1 - r2), s * r2], axis=1)
    return np.einsum("pk,pkd->pd", w, tri)


@pytest.fixture(scope="module")
def samples(scene):
    """``(points, cells they were drawn in)``: N_POINTS on back-facing cells (area-weighted),
    the second half within BORDER_M of a zone border."""
    rng = np.random.default_rng(20261130)
    back = scene.cell_normals @ scene.geometry.frame.back > 0.3
    area = np.asarray(scene.surface.compute_cell_sizes(length=False, volume=False)
                      .cell_data["Area"])
    centres = scene.cell_centres[back]
    _, on_border = scene.borders.find_closest_cell(centres, return_closest_point=True)
    near = np.zeros(len(back), bool)
    dist = np.linalg.norm(on_border - centres, axis=1) * scene.geometry.scale
    near[np.flatnonzero(back)[dist < BORDER_M]] = True
    picks = []
    for pool in (back, back & near):
        weights = area * pool
        picks.append(rng.choice(len(back), N_POINTS // 2, p=weights / weights.sum()))
    cells = np.concatenate(picks)
    return _points_in_cells(scene, cells, rng), cells


def test_the_click_picks_the_zone_the_core_names(scene, body, samples):
    points, _ = samples
    # the window's picking: the first cell its locator meets along a ray from the back
    picker = ZonePicker(vtkRenderer(), scene)
    reach = 0.005 / scene.geometry.scale * scene.geometry.frame.back
    clicked = np.array([int(scene.zone_of_cell[picker.first_cell_on(p + reach, p - reach)])
                        for p in points])
    # the core: the body's face under each point (not the scene's cells), and the one rule
    body_surface = pv.PolyData.from_regular_faces(np.asarray(body.mesh.vertices, float),
                                                  np.asarray(body.mesh.faces))
    face, on_face = body_surface.find_closest_cell(points, return_closest_point=True)
    assert np.abs(on_face - points).max() * scene.geometry.scale < 1e-6
    named = scene.assignment.zone_at(face, on_face)

    zones = scene.rmap.zones
    wrong = np.flatnonzero(clicked != named)
    assert len(wrong) == 0, [
        (points[i].round(4).tolist(), zones[named[i]].id if named[i] != NO_ZONE else None,
         zones[clicked[i]].id if clicked[i] != NO_ZONE else None) for i in wrong[:10]]
    assert len(set(named.tolist())) >= 10, "the sample spans the zones of the back"


def test_the_faces_zones_counts_follow_the_same_rule(scene, body):
    """``backview zones`` counts ``face_zone``: the core's rule at each face's centre."""
    faces = np.asarray(body.mesh.faces)
    centres = np.asarray(body.mesh.vertices)[faces].mean(axis=1)
    assignment = scene.assignment
    named = assignment.zone_at(np.arange(len(faces)), centres)
    assert np.array_equal(named, assignment.face_zone)
    assert (named != NO_ZONE).sum() > 1000


def test_the_drawing_departs_from_the_core_only_on_specks(scene, body):
    """The one exception, on purpose: a piece of a zone under MIN_PIECE_AREA (a speck where two
    borders nearly meet) is drawn, and clicked, as the zone around it."""
    from viewer.render.scene import MIN_PIECE_AREA

    body_surface = pv.PolyData.from_regular_faces(np.asarray(body.mesh.vertices, float),
                                                  np.asarray(body.mesh.faces))
    centres = scene.surface.points[scene.surface.regular_faces].mean(axis=1)
    face = body_surface.find_closest_cell(centres)
    differ = scene.zone_of_cell != scene.assignment.zone_at(face, centres)
    area = np.asarray(scene.surface.compute_cell_sizes(length=False, volume=False)
                      .cell_data["Area"]) * scene.geometry.scale ** 2
    assert area[differ].sum() < 4 * MIN_PIECE_AREA, (int(differ.sum()), area[differ].sum())
