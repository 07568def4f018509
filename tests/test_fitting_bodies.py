"""The landmark fit on bodies it was not tuned on: adults of other sex, weight, height, age and
muscle made with the anny parametric model (tests/data/bodies, built by
tools/build_test_bodies.py), their landmarks carried over by the shared MakeHuman topology. The
full accuracy table is benchmarks/bench_landmarks.py; these are the cases a user is most likely
to bring, with bounds a little looser than the benchmark's aggregate targets (per body, not over
all bodies)."""

from __future__ import annotations

import numpy as np
import pytest

from bodies import variant
from viewer.core import fitting
from viewer.core.body import Body
from viewer.core.landmark_checks import check_landmarks
from viewer.core.regionmap import load_region_map
from viewer.core.zones import assign_zones

pytestmark = pytest.mark.slow

CASES = {
    # the hardest body of the set, whole, as exported (metres, +y up)
    ("older_slim_woman", "body"): "m",
    # a torso cut below the hips, as from a scan of the trunk
    ("heavy_man", "torso_cut"): "m",
    # another topology, in millimetres, Z up
    ("average_woman", "remeshed_mm_zup"): "mm",
}


@pytest.fixture(scope="module", params=list(CASES), ids=lambda c: "-".join(c))
def fitted(request):
    mesh, truth = variant(*request.param)
    return request.param, mesh, truth, fitting.fit_landmarks(mesh)


def test_landmarks_land_where_the_topology_puts_them(fitted):
    case, mesh, truth, fit = fitted
    assert fit.units == CASES[case]
    err = np.array([np.linalg.norm(fit.landmarks[k] - p) * fit.unit * 100 for k, p in truth.items()])
    assert np.median(err) < 2.0 and np.percentile(err, 90) < 3.5, np.round(err, 1)
    check_landmarks(mesh, fit.landmarks, fit.unit, "fit")


def test_the_zones_on_the_fitted_landmarks_match_the_true_ones(fitted):
    """Zones of at least 20 cm² keep their area within 50 % with fitted landmarks, and half of
    them within 20 %. (The issue's 25 % for every zone is not met: the middle and lower trapezius
    change by more than that with the true landmarks plus 0.8 cm of noise alone; the benchmark
    prints the figures.)"""
    _, mesh, truth, fit = fitted
    rmap = load_region_map(None)
    unit = fit.unit
    true = {s.id: s.area_cm2 for s in assign_zones(Body(mesh, truth, unit=unit), rmap,
                                                     cache=False).stats()}
    got = {s.id: s.area_cm2 for s in assign_zones(Body(mesh, fit.landmarks, unit=unit), rmap,
                                                    cache=False).stats()}
    rel = {z: abs(got[z] - a) / a for z, a in true.items() if a >= 20}
    assert max(rel.values()) < 0.5, {z: round(r, 2) for z, r in rel.items()}
    assert np.median(list(rel.values())) < 0.2
