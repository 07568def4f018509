"""Automatic landmarks (``viewer.core.fitting``, ``backview landmarks``): what a user who brings
their own body sees. Bodies here differ from the template in shape, units, axes, facing and
topology; the accuracy on bodies from another generator is in tests/test_fitting_bodies.py and
benchmarks/bench_landmarks.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from viewer.core import fitting
from viewer.core.body import Body, load_landmarks
from viewer.core.landmark_checks import check_landmarks

pytestmark = pytest.mark.slow


def rotation(axis, degrees) -> np.ndarray:
    return trimesh.transformations.rotation_matrix(np.radians(degrees), axis)[:3, :3]


#: the shipped torso's frame -> a user's: Z up (a quarter turn about x), turned 35 degrees
#: about the new up axis, so no axis of the file is an axis of the body
Z_UP_TURNED = rotation([0, 0, 1], 35) @ rotation([1, 0, 0], 90)


def reshaped(body, scale_xyz, rot=np.eye(3), units=1.0, remesh=False):
    """The shipped torso made heavier/slimmer (non-uniform scale), turned, in other units,
    optionally remeshed (another topology); with its landmarks moved the same way."""
    v = np.asarray(body.mesh.vertices) * scale_xyz
    f = np.asarray(body.mesh.faces)
    if remesh:
        import fast_simplification

        v, f = fast_simplification.simplify(v.astype(np.float32), f.astype(np.int32),
                                            target_reduction=0.6)
    mesh = trimesh.Trimesh(np.asarray(v, float) @ rot.T * units, f, process=False)
    truth = {k: (p * scale_xyz) @ rot.T * units for k, p in body.landmarks.items()}
    return mesh, truth


def errors_cm(fit, truth, units) -> np.ndarray:
    return np.array([np.linalg.norm(fit.landmarks[k] - p) / units * 100 for k, p in truth.items()])


@pytest.fixture(scope="module")
def heavy_mm_zup(body):
    """Wider and deeper than the template, remeshed, in millimetres, Z up and turned."""
    mesh, truth = reshaped(body, [1.22, 1.0, 1.3], Z_UP_TURNED, 1000.0, remesh=True)
    return mesh, truth, fitting.fit_landmarks(mesh)


def test_a_heavier_remeshed_body_in_mm_with_z_up_is_fitted(heavy_mm_zup):
    mesh, truth, fit = heavy_mm_zup
    assert fit.units == "mm"
    err = errors_cm(fit, truth, 1000.0)
    assert np.median(err) < 1.0 and np.percentile(err, 90) < 2.0, np.round(err, 2)
    assert set(fit.landmarks) == set(truth)


def test_the_detected_axes_describe_the_file(heavy_mm_zup):
    fit = heavy_mm_zup[2]
    assert fit.axes["z"] == "up"
    # x and y are 35 degrees off the body's axes: said so, not rounded to a wrong axis
    import re

    for axis in "xy":
        off = re.fullmatch(r"[a-z' ]+ \((\d+)° off\)", fit.axes[axis])
        assert off and abs(int(off.group(1)) - 35) <= 3, fit.axes
    assert fit.axes_up() == "+z"


def test_fitted_landmarks_pass_the_anatomy_checks_and_lie_on_the_skin(heavy_mm_zup):
    mesh, _, fit = heavy_mm_zup
    check_landmarks(mesh, fit.landmarks, fit.unit, "fit")  # raises on any anatomy problem
    _, dist, _ = trimesh.proximity.closest_point(mesh, np.array(list(fit.landmarks.values())))
    assert dist.max() < 0.5  # mm: snapped to the skin


def test_a_slim_tall_body_upside_down_is_fitted_head_up(body):
    # a file whose +y is the body's feet: head versus feet comes from the shape
    mesh, truth = reshaped(body, [0.88, 1.12, 0.9], rotation([0, 0, 1], 180))
    fit = fitting.fit_landmarks(mesh)
    assert fit.axes["y"] == "down" and fit.axes["x"] == "body's right"
    err = errors_cm(fit, truth, 1.0)
    assert np.median(err) < 1.0, np.round(err, 2)


def test_a_mirrored_file_is_not_fitted_mirrored(body):
    """A body whose file is mirrored (x flipped: a left-handed export) still has its left on its
    left: the fit never mirrors, so acromion_left lies on the body's left."""
    mirror = np.diag([-1.0, 1.0, 1.0])
    mesh = trimesh.Trimesh(np.asarray(body.mesh.vertices) @ mirror, body.mesh.faces[:, ::-1])
    fit = fitting.fit_landmarks(mesh)
    # the body is mirror-symmetric, so its left is where the fit says, and the checks agree
    check_landmarks(mesh, fit.landmarks, fit.unit, "fit")


def test_progress_rises_and_cancel_stops_without_a_result(body):
    seen = []
    mesh, _ = reshaped(body, [1.0, 1.0, 1.0], remesh=True)
    fitting.fit_landmarks(mesh, progress=lambda f, what: seen.append((f, what)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    assert {"finding up and facing", "fitting the template to the body"} <= {w for _, w in seen}

    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(fitting.FitCancelled, match="cancelled"):
        fitting.fit_landmarks(mesh, cancel=cancel)


# --------------------------------------------------------------------------- not a body
def _box():
    return trimesh.creation.box([0.5, 1.7, 0.3]).subdivide_to_size(0.02)


def _chair():
    parts = [trimesh.creation.box([0.5, 0.05, 0.5]).apply_translation([0, 0.45, 0]),
             trimesh.creation.box([0.5, 0.6, 0.05]).apply_translation([0, 0.75, -0.25])]
    parts += [trimesh.creation.box([0.04, 0.45, 0.04]).apply_translation([x, 0.22, z])
              for x in (-0.23, 0.23) for z in (-0.23, 0.23)]
    return trimesh.util.concatenate(parts).subdivide_to_size(0.02)


def _part(body, keep):
    centres = body.mesh.triangles_center
    return body.mesh.submesh([np.flatnonzero(keep(centres))], append=True)


NOT_BODIES = {
    "box": lambda body: _box(),
    "sphere": lambda body: trimesh.creation.icosphere(4, 0.8),
    "chair": lambda body: _chair(),
    "cylinder": lambda body: trimesh.creation.cylinder(0.18, 1.7, sections=64),
    # a hand-sized object in metres (19 cm): too small in any units
    "hand-sized": lambda body: trimesh.creation.capsule(0.15, 0.02, count=[24, 24]),
    "head and shoulders": lambda body: _part(body, lambda c: c[:, 1] > 0.55),
    "front half (no back)": lambda body: _part(body, lambda c: c[:, 2] > 0.02),
}


@pytest.mark.parametrize("name", NOT_BODIES)
def test_what_is_not_a_body_with_a_back_is_refused_in_one_line(body, name):
    with pytest.raises(fitting.NotABodyError) as err:
        fitting.fit_landmarks(NOT_BODIES[name](body), source="thing.ply")
    line = err.value.line()
    assert line.startswith("thing.ply: ") and "\n" not in line
    assert any(w in line for w in ("human body", "no back", "too few faces")), line


# --------------------------------------------------------------------------- the command
@pytest.fixture(scope="module")
def user_mesh(tmp_path_factory, body):
    """A user's body file: heavier, remeshed, in centimetres, Z up and turned, as OBJ."""
    mesh, truth = reshaped(body, [1.15, 1.0, 1.2], Z_UP_TURNED, 100.0, remesh=True)
    path = tmp_path_factory.mktemp("user") / "scan body.obj"
    mesh.export(path)
    return path, truth


def test_backview_landmarks_writes_a_file_the_viewer_opens(user_mesh, run_cli_isolated, tmp_path):
    src, truth = user_mesh
    mesh_path = tmp_path / src.name
    mesh_path.write_bytes(src.read_bytes())
    result = run_cli_isolated("landmarks", "--mesh", mesh_path, timeout=120)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "scan body.landmarks.json"
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{written}: fitted 39 landmarks") and "units cm" in line
    doc = load_landmarks(written)
    assert doc.units == "cm" and doc.axes["z"] == "up" and doc.fit.residual_cm < 1.0
    assert set(doc.fit.confidence) == set(doc.landmarks)
    body = Body.load(mesh_path)  # the landmarks beside the mesh pass every anatomy check
    err = [np.linalg.norm(body.landmarks[k] - p) for k, p in truth.items()]
    assert np.median(err) < 1.0  # cm
    # and the zones fit: `backview --mesh` shows them
    zones = run_cli_isolated("--mesh", mesh_path, "zones", "--json")
    assert zones.returncode == 0, zones.stderr
    assert len(json.loads(zones.stdout)["zones"]) > 10


def test_backview_landmarks_json_and_out(user_mesh, run_cli_isolated, tmp_path):
    src, _ = user_mesh
    out = tmp_path / "elsewhere.json"
    result = run_cli_isolated("landmarks", "--mesh", src, "--out", out, "--json", timeout=120)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["written"] == str(out) and doc["units"] == "cm" and "fit" in doc
    assert json.loads(out.read_text())["landmarks"] == doc["landmarks"]


def test_an_existing_landmarks_file_is_kept_unless_forced(run_cli_isolated, tmp_path,
                                                          shipped_mesh_path, one_line_error):
    mesh = tmp_path / "body.ply"
    mesh.write_bytes(shipped_mesh_path.read_bytes())
    existing = tmp_path / "body.landmarks.json"
    existing.write_text("{}")
    line = one_line_error(run_cli_isolated("landmarks", "--mesh", mesh), "body.landmarks.json",
                          "--force")
    assert existing.read_text() == "{}", line


@pytest.mark.parametrize("args, words", [
    ((), ("--mesh",)),
    (("--mesh", "missing.ply"), ("missing.ply", "no such file")),
    (("--mesh", "{mesh}", "--out", "{tmp}/x.txt"), ("x.txt", ".json")),
    (("--mesh", "{mesh}", "--out", "{tmp}/no/such/x.json"), ("folder does not exist",)),
    (("--mesh", "{mesh}", "--out", "{tmp}/folder.json"), ("is a folder",)),
])
def test_bad_options_are_one_line(run_cli_isolated, one_line_error, tmp_path, shipped_mesh_path,
                                  args, words):
    (tmp_path / "folder.json").mkdir()
    args = [a.format(mesh=shipped_mesh_path, tmp=tmp_path) for a in args]
    one_line_error(run_cli_isolated("landmarks", *args), *words)
    assert [p.name for p in tmp_path.iterdir()] == ["folder.json"]


def test_a_box_gets_one_line_and_no_file(run_cli_isolated, one_line_error, tmp_path):
    path = tmp_path / "box.stl"
    _box().export(path)
    one_line_error(run_cli_isolated("landmarks", "--mesh", path, timeout=120), "box.stl",
                   "human body")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["box.stl"]


def test_a_fit_whose_landmarks_anatomy_rules_out_is_refused(body):
    """Should a fit come out with left and right swapped (a shape too far from a back), it is
    refused in one line like a non-body, never written as a file BackView would then refuse
    (fit_landmarks runs this check on every result)."""
    swapped = dict(body.landmarks)
    swapped["acromion_left"], swapped["acromion_right"] = (body.landmarks["acromion_right"],
                                                           body.landmarks["acromion_left"])
    with pytest.raises(fitting.NotABodyError, match="not anatomically consistent.*acromion"):
        fitting._check_anatomy(body.mesh, swapped, body.unit, "scan.ply")
