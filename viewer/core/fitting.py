"""Landmarks found automatically on any human body mesh.

The shipped torso is the template. Its landmarks are carried onto the user's body in four steps,
each guarded by a plausibility check that refuses, in one line, what is not a body:

1. **units** from the body's size (a standing adult, or a torso from the thighs up, measures
   0.3-2.6 of its largest extent in metres, 30-260 in centimetres, 300-2600 in millimetres);
2. **orientation**: up is tried every 30 degrees in the plane of the body's two largest
   principal axes, facing either way along the third; a rigid, scaled ICP of a sparse template
   from each start (``trimesh.registration.procrustes`` in a trimmed ICP loop) ranks them, the
   best few (and each turned about) are refined and judged both ways (template on body, body on
   template) and by whether the template's back finds skin. That settles head versus feet, front
   versus back and so left versus right (a proper rotation never mirrors);
3. **registration**, in the template's frame and metres: an affine ICP (pairs both ways, the
   ends of the template's cut limbs unmatched), one affine per horizontal band blended by height,
   then ``trimesh.registration.nricp_amberg`` (stiff steps only: supple ones slide along the
   skin);
4. **transfer**: each landmark rides along as a barycentric point of its template face, and is
   snapped to the body's skin (``trimesh.proximity.closest_point``). Its confidence comes from
   how closely the fitted template lies on the skin around it.

Any topology (the body's own vertices are never matched one to one), any units, up axis and
facing. Measured on bodies it was not tuned on: ``benchmarks/bench_landmarks.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from viewer.core import anatomy
from viewer.core.errors import BackViewError, LandmarkError

if TYPE_CHECKING:
    import trimesh

#: progress(fraction 0..1, what is being done)
Progress = Callable[[float, str], None]

#: metres per unit, and the largest extent a body (torso from mid-thigh up to a tall adult
#: standing with raised arms) has in those units
UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001}
BODY_SIZE_M = (0.3, 2.6)
#: the template's stature (the source body before the cut), metres
TEMPLATE_STATURE_M = 1.666
#: the stature of the body the template was fitted to must be a person's the guide is written
#: for (an older child's to a very tall adult's), metres: smaller, the template fitted into a
#: corner of the body (the chest of a torso fits a shrunken template closely)
STATURE_M = (1.2, 2.4)
#: a median gap above this fraction of the template's height after the rigid fit: not a body
#: (measured on the seven anny test bodies, whole and cut below the hips: 0.006-0.009; a
#: cylinder of a body's size 0.014, a chair 0.021, a box 0.031, a sphere 0.047)
NOT_A_BODY_GAP = 0.012
#: the back is missing when more than this share of the template's back finds no skin within
#: BACK_GAP_M
BACK_MISSING_SHARE = 0.25
BACK_GAP_M = 0.04
#: a fit is called approximate (a warning) above these, cm
POOR_MEDIAN_CM = 1.0
POOR_P90_CM = 2.5
LOW_CONFIDENCE = 0.5
#: stiffness schedule of the non-rigid fit: (smoothness, landmark weight, normal weight, iterations)
NRICP_STEPS = ((0.02, 3, 0.5, 10), (0.007, 3, 0.5, 10))
TEMPLATE_REDUCTION = 0.88  # the 55k-face torso -> about 6,600 faces, 3,300 vertices
METHOD = ("automatic (BackView {version}): shipped torso template, scaled rigid ICP from the "
          "body's principal axes, affine and banded affine fits, then trimesh nricp_amberg; "
          "landmarks carried as barycentric points and snapped to the skin")


class NotABodyError(LandmarkError):
    """The mesh is not a human body with a back (a box, a hand, a body cut at the shoulders)."""


class FitCancelled(BackViewError):
    """The user cancelled the fit."""

    def __init__(self, path=None):
        super().__init__("fitting cancelled: no landmarks were written", path)


@dataclass(frozen=True)
class LandmarkFit:
    landmarks: dict[str, np.ndarray]   #: mesh units, on the skin
    units: str                          #: "m" | "cm" | "mm", detected from the body's size
    axes: dict[str, str]                #: {"x": "body's left", "y": "up", "z": "anterior ..."}
    method: str
    residual_cm: float                  #: median template-to-skin distance after the fit
    residual_p90_cm: float
    confidence: dict[str, float]        #: 0..1 per landmark
    seconds: float
    warnings: tuple[str, ...] = field(default=())

    @property
    def unit(self) -> float:
        """Metres per mesh unit."""
        return UNITS[self.units]

    def low_confidence(self) -> list[str]:
        return [n for n, c in self.confidence.items() if c < LOW_CONFIDENCE]

    def fit_block(self) -> dict:
        return {"method": self.method, "residual_cm": round(self.residual_cm, 2),
                "residual_p90_cm": round(self.residual_p90_cm, 2),
                "seconds": round(self.seconds, 1),
                "confidence": {k: round(float(v), 2) for k, v in self.confidence.items()},
                "warnings": list(self.warnings)}

    def document(self, mesh_name: str | None) -> dict:
        """The landmarks file (``torso.landmarks.json``'s format with a ``fit`` block)."""
        decimals = {"m": 5, "cm": 3, "mm": 2}[self.units]
        doc = {"mesh": mesh_name, "units": self.units, "axes": self.axes,
               "method": self.method, "fit": self.fit_block(),
               "landmarks": {k: [round(float(c), decimals) for c in v]
                             for k, v in self.landmarks.items()}}
        return {k: v for k, v in doc.items() if v is not None}

    def summary(self) -> str:
        """One line of fit quality for the terminal and the window's status bar."""
        low = self.low_confidence()
        sure = f"{len(self.landmarks) - len(low)} of {len(self.landmarks)} landmarks confident"
        return (f"fitted {len(self.landmarks)} landmarks in {self.seconds:.1f} s: the template "
                f"lies {self.residual_cm:.1f} cm from the skin (median; 90 % within "
                f"{self.residual_p90_cm:.1f} cm), {sure}; units {self.units}, "
                f"up is {self.axes_up()}")

    def axes_up(self) -> str:
        for axis, text in self.axes.items():
            if text.startswith("up"):
                return "+" + axis
            if text.startswith("down"):
                return "-" + axis
        return "oblique"


# --------------------------------------------------------------------------- the fit
def fit_landmarks(mesh: trimesh.Trimesh, *, source: Path | None = None,
                  progress: Progress | None = None,
                  cancel: Callable[[], bool] | None = None) -> LandmarkFit:
    """Find every landmark of the shipped torso on ``mesh`` (see the module's docstring).

    ``source`` names the mesh file in error lines. Raises :class:`NotABodyError` for a mesh
    that is not a human body with a back, :class:`FitCancelled` when ``cancel()`` says so.
    """
    started = time.perf_counter()
    steps = _Steps(progress, cancel, source)
    steps("reading the body", 0.0)
    vertices = np.asarray(mesh.vertices, float)
    faces = np.asarray(mesh.faces, np.int64)
    if len(faces) < 200:
        raise NotABodyError(f"has only {len(faces)} faces: too few for a human body", source)
    units = _units(vertices, source)
    unit = UNITS[units]

    steps("preparing the template", 0.05)
    template = _template()

    steps("finding up and facing", 0.1)
    target = _target(vertices * unit, faces)
    pose = _orient(template, target, steps)
    gap = pose.median_gap / template.height
    if gap > NOT_A_BODY_GAP:
        raise NotABodyError(
            f"does not look like a human body: the best match of BackView's torso leaves a "
            f"median gap of {pose.median_gap * 100:.1f} cm ({gap * 100:.1f} % of its height)",
            source)
    stature = TEMPLATE_STATURE_M * pose.scale
    if not STATURE_M[0] <= stature <= STATURE_M[1]:
        raise NotABodyError(
            f"does not look like a human body: matched to BackView's torso it would be "
            f"{stature * 100:.0f} cm tall (a body part or another object?)", source)
    if pose.back_missing > BACK_MISSING_SHARE:
        raise NotABodyError(
            f"has no back to fit: {pose.back_missing * 100:.0f} % of the back of BackView's "
            f"torso finds no skin within {BACK_GAP_M * 100:.0f} cm (cut off, or not a body)",
            source)

    steps("fitting the template to the body", 0.35)
    # the body in the template's frame and metres, where the template's distances mean metres
    to_template = np.linalg.inv(pose.matrix)
    local = _transform(target.mesh.vertices, to_template)
    # bodies differ in proportions (wider, deeper, longer in the trunk): an affine fit first,
    # so the non-rigid steps only follow the shape and do not slide along the skin
    samples_local = _transform(target.samples, to_template)
    affine = _affine_icp(template, samples_local)
    start = _banded_affine(template, samples_local, _transform(template.vertices, affine))
    fitted = _register(template, start, local, target.mesh.faces, steps)

    steps("placing the landmarks on the skin", 0.95)
    tri = fitted[template.faces[template.lm_faces]]
    carried_local = np.einsum("nij,ni->nj", tri, template.lm_bary)
    carried = _transform(carried_local, pose.matrix) / unit  # mesh units
    import trimesh.proximity as proximity

    snapped, snap_dist, _ = proximity.closest_point(_mesh(vertices, faces), carried)
    # how closely the fitted template lies on the skin, per template vertex (cm)
    local_mesh = _mesh(local, target.mesh.faces)
    _, vert_gap, _ = proximity.closest_point(local_mesh, fitted)
    vert_gap_cm = vert_gap * 100 * pose.scale
    confidence = _confidence(template, fitted, vert_gap_cm, snap_dist * unit * 100)

    landmarks = {name: snapped[i] for i, name in enumerate(template.lm_names)}
    _check_anatomy(mesh, landmarks, unit, source)
    covered = vert_gap_cm[template.fit_weight > 0]
    median_cm, p90_cm = float(np.median(covered)), float(np.percentile(covered, 90))
    warnings = []
    if median_cm > POOR_MEDIAN_CM or p90_cm > POOR_P90_CM:
        warnings.append(f"approximate fit: the template lies {median_cm:.1f} cm from the skin "
                        f"(median; 90 % within {p90_cm:.1f} cm): check the landmarks")
    low = [n for n, c in confidence.items() if c < LOW_CONFIDENCE]
    if low:
        listed = ", ".join(anatomy_label(n) for n in low[:3])
        more = f" and {len(low) - 3} more" if len(low) > 3 else ""
        warnings.append(f"{len(low)} landmark(s) uncertain ({listed}{more}): check them in "
                        "Edit landmarks")
    from viewer import __version__

    result = LandmarkFit(landmarks, units, _axes_text(pose.rotation), METHOD.format(
        version=__version__), median_cm, p90_cm, confidence,
        time.perf_counter() - started, tuple(warnings))
    steps("done", 1.0)
    return result


def anatomy_label(name: str) -> str:
    return name.replace("_", " ")


def write_landmarks(fit: LandmarkFit, mesh_path: Path, out: Path | None = None) -> Path:
    """Write ``fit`` as ``<stem>.landmarks.json`` beside the mesh (or ``out``), atomically."""
    from viewer.core.body import landmarks_path_for, save_landmarks

    mesh_path = Path(mesh_path)
    out = Path(out) if out is not None else landmarks_path_for(mesh_path)
    doc = fit.document(mesh_path.name)
    return save_landmarks(out, fit.landmarks, units=fit.units, mesh_name=doc.get("mesh"),
                          axes=fit.axes, method=fit.method, fit=doc["fit"])


# --------------------------------------------------------------------------- steps
class _Steps:
    def __init__(self, progress, cancel, source):
        self.progress, self.cancel, self.source = progress, cancel, source

    def __call__(self, what: str, fraction: float) -> None:
        if self.cancel is not None and self.cancel():
            raise FitCancelled(self.source)
        if self.progress is not None:
            self.progress(float(fraction), what)


def _units(vertices: np.ndarray, source) -> str:
    if not np.isfinite(vertices).all():
        raise NotABodyError("has vertices that are not finite numbers", source)
    size = float(np.ptp(vertices, axis=0).max())
    for units, scale in UNITS.items():
        if BODY_SIZE_M[0] <= size * scale <= BODY_SIZE_M[1]:
            return units
    lo, hi = BODY_SIZE_M
    raise NotABodyError(
        f"measures {size:.4g} units across: not a human body in metres ({lo}-{hi}), "
        f"centimetres ({lo * 100:g}-{hi * 100:g}) or millimetres ({lo * 1000:g}-{hi * 1000:g})",
        source)


# --------------------------------------------------------------------------- template
@dataclass(frozen=True)
class _Template:
    vertices: np.ndarray      # decimated torso, metres, X left, Y up, Z anterior
    faces: np.ndarray
    lm_names: tuple[str, ...]
    lm_faces: np.ndarray      # template face of each landmark
    lm_bary: np.ndarray       # its barycentric coordinates
    sparse: np.ndarray        # a few hundred well-spread vertices for the rigid search
    back: np.ndarray          # indices of vertices of the back (C7..S2 high, posterior)
    fit_weight: np.ndarray    # 1 for the trunk, 0 for the limb caps
    height: float
    top: float


_TEMPLATE: _Template | None = None


def _template() -> _Template:
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = _build_template()
    return _TEMPLATE


def _build_template() -> _Template:
    import fast_simplification
    import trimesh.triangles

    from viewer.core.body import Body

    body = Body.load()  # the shipped torso and its landmarks
    full = np.asarray(body.mesh.vertices, np.float32)
    v, f = fast_simplification.simplify(full, np.asarray(body.mesh.faces, np.int32),
                                        target_reduction=TEMPLATE_REDUCTION)
    v, f = np.asarray(v, float), np.asarray(f, np.int64)
    tmesh = _mesh(v, f)
    names = tuple(sorted(body.landmarks))
    import trimesh.proximity as proximity

    pts = np.array([body.landmarks[n] for n in names]) * body.unit
    closest, _, tri = proximity.closest_point(tmesh, pts)
    bary = trimesh.triangles.points_to_barycentric(v[f[tri]], closest)

    frame = body.frame
    local = frame.to_local(v)  # left, up, back (metres: the torso is in metres)
    c7 = frame.to_local(body.landmarks[anatomy.spinous("C7")])[1]
    s2 = frame.to_local(body.landmarks[anatomy.spinous("S2")])[1]
    half = 0.5 * np.linalg.norm(body.landmarks["acromion_left"] - body.landmarks["acromion_right"])
    back = np.flatnonzero((local[:, 1] < c7) & (local[:, 1] > s2) & (local[:, 2] > 0.0)
                          & (np.abs(local[:, 0]) < 0.8 * half))
    # the ends of the cut limbs (the last 8 cm of the thighs, the forearm stubs) and the caps
    # that close them are not matched: a full body goes on beyond them, a torso may stop earlier
    bottom = v[:, 1].min()
    reach = np.abs(v[:, 0]).max()
    limb_end = (v[:, 1] < bottom + 0.08) | (np.abs(v[:, 0]) > reach - 0.10)
    weight = (~limb_end).astype(float)
    # well-spread points for the rigid search: every k-th vertex of a spatial sort
    order = np.lexsort((v[:, 2].round(2), v[:, 0].round(2), v[:, 1].round(2)))
    sparse = order[~limb_end[order]][::8]
    return _Template(v, f, names, np.asarray(tri, np.int64), bary, sparse, back, weight,
                     float(np.ptp(v[:, 1])), float(v[:, 1].max()))


# --------------------------------------------------------------------------- target
@dataclass(frozen=True)
class _Target:
    mesh: trimesh.Trimesh     # metres, the file's axes
    samples: np.ndarray       # points spread evenly over the surface
    tree: object              # scipy cKDTree of the samples
    centre: np.ndarray
    axes: np.ndarray          # principal axes (rows), largest spread first
    extent: np.ndarray        # extent along each principal axis


def _target(vertices_m: np.ndarray, faces: np.ndarray) -> _Target:
    import trimesh.sample
    from scipy.spatial import cKDTree

    mesh = _mesh(vertices_m, faces)
    samples, _ = trimesh.sample.sample_surface(mesh, 12000, seed=0)
    centre = samples.mean(axis=0)
    _, _, axes = np.linalg.svd(samples - centre, full_matrices=False)
    proj = (samples - centre) @ axes.T
    return _Target(mesh, samples, cKDTree(samples), centre, axes, np.ptp(proj, axis=0))


# --------------------------------------------------------------------------- orientation
@dataclass(frozen=True)
class _Pose:
    matrix: np.ndarray        # template (metres, its frame) -> body (metres, file's frame)
    rotation: np.ndarray      # rows: the body's left, up, anterior in the file's frame
    scale: float              # body size / template size
    median_gap: float         # metres, in the template's scale
    back_missing: float       # share of the template's back without skin nearby


def _orient(template: _Template, target: _Target, steps: _Steps) -> _Pose:
    # A person is deeper than wide and wide than... not always longer than wide (a heavy torso
    # with its arms out is as wide as it is long), but always shallowest front to back: up lies
    # in the plane of the two largest principal axes (tried every 30 degrees), facing along the
    # third (both ways). Proper rotations only: a fit never mirrors the body.
    candidates = []
    axes = target.axes
    for angle in np.radians(np.arange(0, 360, 30)):
        up = np.cos(angle) * axes[0] + np.sin(angle) * axes[1]
        for front in (axes[2], -axes[2]):
            candidates.append((up, front))
    sparse = template.vertices[template.sparse]
    tried = []
    for k, (up, front) in enumerate(candidates):
        steps("finding up and facing", 0.1 + 0.2 * k / len(candidates))
        left = np.cross(up, front)
        rot = np.stack([left, up, front])  # rows: template axes in the file's frame
        height = float(np.ptp(target.samples @ up))
        for stature in _statures(height, template):
            scale = stature / TEMPLATE_STATURE_M
            top = float((target.samples @ up).max())
            # template point p -> body: centre sideways/front-back, head tops aligned
            start = _similarity(rot.T * scale, np.zeros(3))
            moved = _transform(template.vertices[template.sparse], start)
            shift = target.centre - moved.mean(axis=0)
            shift += up * (top - (moved @ up + shift @ up).max())
            start[:3, 3] = shift
            matrix, cost = _icp(sparse, target, start, iterations=12)
            fitted_scale = float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))
            # a template shrunk into a corner of the body fits closely and means nothing:
            # poses that make a person of an impossible height go last
            plausible = STATURE_M[0] <= TEMPLATE_STATURE_M * fitted_scale <= STATURE_M[1]
            tried.append((not plausible, cost, k, matrix))
    tried.sort(key=lambda t: (t[0], t[1]))
    # refine the best few with more points, and judge them both ways: the template on the body
    # and the body on the template (a torso upside down can lie on a body as closely one way,
    # never both)
    from scipy.spatial import cKDTree

    best = None
    dense = template.vertices[template.fit_weight > 0][::2]
    skin = template.fit_weight > 0
    # each of the best starts, and the same start turned to face the other way (a round belly
    # can pass for a back at a coarse look)
    starts = []
    # half a turn about the template's own vertical axis through its centre
    centre = template.vertices.mean(axis=0)
    turn = _similarity(np.diag([-1.0, 1.0, -1.0]), centre - np.diag([-1.0, 1.0, -1.0]) @ centre)
    for _, _, _, matrix in tried[:4]:
        starts += [matrix, matrix @ turn]
    for matrix in starts:
        matrix, cost = _icp(dense, target, matrix, iterations=25)
        moved = _transform(template.vertices, matrix)
        back_dist, nearest = cKDTree(moved).query(target.samples)
        matched = back_dist[skin[nearest]]
        reverse = float(np.mean(np.sort(matched)[: int(0.8 * len(matched))])) \
            if len(matched) else np.inf
        scale = float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))
        back_missing = _back_missing(template, target, matrix, moved)
        # a pose that leaves the template's back in the air, or makes a person of an
        # impossible height, loses to any pose that does not
        plausible = STATURE_M[0] <= TEMPLATE_STATURE_M * scale <= STATURE_M[1]
        score = cost + reverse + 0.05 * back_missing + (0 if plausible else 1.0)
        if best is None or score < best[0]:
            best = (score, matrix)
    matrix = best[1]
    scale = float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))
    rotation = (matrix[:3, :3] / scale).T  # rows: template axes in the file's frame
    moved = _transform(template.vertices, matrix)
    gaps, _ = target.tree.query(moved)
    keep = template.fit_weight > 0
    median_gap = float(np.median(gaps[keep])) / scale
    return _Pose(matrix, rotation, scale, median_gap,
                 _back_missing(template, target, matrix, moved))


def _back_missing(template: _Template, target: _Target, matrix: np.ndarray,
                  moved: np.ndarray) -> float:
    """The share of the template's back left in the air: no skin within BACK_GAP_M, and the
    nearest skin in front of it. (Skin *behind* it is a body deeper than the template, whose
    back lies further out: a heavy body, not a missing back.)"""
    scale = float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))
    anterior = matrix[:3, 2] / scale  # the template's +z (anterior) in the body's frame
    points = moved[template.back]
    gaps, idx = target.tree.query(points)
    in_front = (target.samples[idx] - points) @ anterior > 0
    return float(((gaps / scale > BACK_GAP_M) & in_front).mean())


def _statures(height: float, template: _Template) -> tuple[float, ...]:
    """The body's stature if it is whole, and if it is a torso cut like the template."""
    return (height, height * TEMPLATE_STATURE_M / template.height)


def _icp(points: np.ndarray, target: _Target, start: np.ndarray, iterations: int):
    """Trimmed ICP (the closest 80 % of pairs) with scale; returns (matrix, trimmed mean gap in
    the body's metres: candidates of different scales compare fairly only there)."""
    from trimesh.registration import procrustes

    matrix = start
    cost = np.inf
    for _ in range(iterations):
        moved = _transform(points, matrix)
        dist, idx = target.tree.query(moved)
        keep = dist <= np.percentile(dist, 80)
        step, _, _ = procrustes(moved[keep], target.samples[idx[keep]], reflection=False,
                                translation=True, scale=True, return_cost=True)
        matrix = step @ matrix
        new_cost = float(dist[keep].mean())
        if abs(cost - new_cost) < 1e-5:
            cost = new_cost
            break
        cost = new_cost
    moved = _transform(points, matrix)
    dist, _ = target.tree.query(moved)
    return matrix, float(np.mean(np.sort(dist)[: int(0.8 * len(dist))]))


# --------------------------------------------------------------------------- registration
def _affine_icp(template: _Template, samples: np.ndarray, iterations: int = 30) -> np.ndarray:
    """An ICP with a general affine map (least squares), template -> body, both in the
    template's frame: captures a wider, deeper or longer trunk as a whole.

    Pairs go both ways: each template point to the body's nearest point, and each body point to
    the template's nearest vertex unless that vertex closes a cut limb (the body goes on beyond
    the template's cut there: a full body's legs and forearms are not matched). The second way
    is what pulls the template's ends to the body's head and trunk, so a longer trunk is
    stretched rather than slid along."""
    from scipy.spatial import cKDTree

    tree = cKDTree(samples)
    skin = template.fit_weight > 0
    points = template.vertices[skin]
    matrix = np.eye(4)
    for _ in range(iterations):
        moved = _transform(template.vertices, matrix)
        dist, idx = tree.query(moved[skin])
        keep = dist <= np.percentile(dist, 90)
        back_dist, back_idx = cKDTree(moved).query(samples)
        back = skin[back_idx] & (back_dist < np.percentile(back_dist[skin[back_idx]], 90))
        src = np.vstack([points[keep], template.vertices[back_idx[back]]])
        dst = np.vstack([samples[idx[keep]], samples[back]])
        solution, *_ = np.linalg.lstsq(np.hstack([src, np.ones((len(src), 1))]), dst,
                                       rcond=None)
        new = np.eye(4)
        new[:3, :] = solution.T
        done = np.abs(new - matrix).max() < 1e-5
        matrix = new
        if done:
            break
    return matrix


#: heights (fractions of the template's trunk, bottom 0 .. top 1) of the bands of the banded
#: affine fit, and the width of each band's smooth weight
BANDS = (0.15, 0.4, 0.6, 0.8, 0.95)
BAND_WIDTH = 0.12


def _banded_affine(template: _Template, samples: np.ndarray, start: np.ndarray,
                   iterations: int = 10) -> np.ndarray:
    """One affine map per horizontal band of the template (hips, waist, chest, shoulders,
    head), blended smoothly by height: a body whose chest is longer or whose shoulders sit
    higher than the template's is followed band by band, which a single affine cannot."""
    from scipy.spatial import cKDTree

    tree = cKDTree(samples)
    skin = template.fit_weight > 0
    y = template.vertices[:, 1]
    t = (y - y.min()) / np.ptp(y)
    weights = np.exp(-0.5 * ((t[:, None] - np.array(BANDS)) / BAND_WIDTH) ** 2)
    weights /= weights.sum(axis=1, keepdims=True)
    current = start.copy()
    for _ in range(iterations):
        dist, idx = tree.query(current[skin])
        keep = dist <= np.percentile(dist, 90)
        src = np.hstack([current[skin][keep], np.ones((keep.sum(), 1))])
        dst = samples[idx[keep]]
        moved = np.zeros_like(current)
        for b in range(len(BANDS)):
            w = np.sqrt(weights[skin][keep, b])[:, None]
            solution, *_ = np.linalg.lstsq(src * w, dst * w, rcond=None)
            moved += weights[:, b:b + 1] * (np.hstack([current, np.ones((len(current), 1))])
                                            @ solution)
        step = np.abs(moved - current).max()
        current = moved
        if step < 1e-4:
            break
    return current


def _register(template: _Template, start: np.ndarray, body_local: np.ndarray,
              body_faces: np.ndarray, steps: _Steps) -> np.ndarray:
    """The template's vertices fitted onto the body (both in the template's frame, metres)."""
    from trimesh.registration import nricp_amberg

    target = _mesh(body_local, body_faces)
    out = start
    for i, step in enumerate(NRICP_STEPS):
        steps("fitting the template to the body", 0.35 + 0.6 * i / len(NRICP_STEPS))
        source = _mesh(out, template.faces)
        out = nricp_amberg(source, target, steps=[list(step)], distance_threshold=0.05)
    return np.asarray(out, float)


# --------------------------------------------------------------------------- results
def _confidence(template: _Template, fitted: np.ndarray, vert_gap_cm: np.ndarray,
                snap_cm: np.ndarray) -> dict[str, float]:
    """1 where the fitted template lies on the skin around the landmark, 0 from 3 cm off."""
    out = {}
    for i, name in enumerate(template.lm_names):
        corners = template.faces[template.lm_faces[i]]
        centre = fitted[corners].mean(axis=0)
        near = np.linalg.norm(fitted - centre, axis=1) < 0.05
        local = float(np.percentile(vert_gap_cm[near], 75)) if near.any() else 3.0
        worst = max(local, float(snap_cm[i]))
        out[name] = float(np.clip(1.0 - worst / 3.0, 0.0, 1.0))
    return out


def _check_anatomy(mesh, landmarks: dict[str, np.ndarray], unit: float, source) -> None:
    """The landmarks a fit found pass the same checks as a file's (spine order, on the skin,
    left and right from the mesh): a fit never writes a file BackView would then refuse."""
    from viewer.core.landmark_checks import check_landmarks

    try:
        check_landmarks(mesh, landmarks, unit, source)
    except LandmarkError as err:
        raise NotABodyError(f"the fit is not anatomically consistent ({err.field or ''}: "
                            f"{err.message}): the shape or pose is too far from a human back",
                            source) from None


_BODY_WORDS = ("body's left", "up", "anterior")
_BODY_NEG = ("body's right", "down", "posterior")


def _axes_text(rotation: np.ndarray) -> dict[str, str]:
    """For each of the file's axes, the body direction it is closest to."""
    out = {}
    for k, axis in enumerate("xyz"):
        comps = rotation[:, k]  # how much of file axis k lies along left, up, anterior
        j = int(np.argmax(np.abs(comps)))
        word = (_BODY_WORDS if comps[j] > 0 else _BODY_NEG)[j]
        off = float(np.degrees(np.arccos(min(1.0, abs(comps[j])))))
        out[axis] = word if off < 10 else f"{word} ({off:.0f}° off)"
    return out


# --------------------------------------------------------------------------- helpers
def _mesh(vertices, faces) -> trimesh.Trimesh:
    import trimesh

    return trimesh.Trimesh(np.asarray(vertices, float), np.asarray(faces), process=False)


def _similarity(linear: np.ndarray, translation: np.ndarray) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3] = linear
    m[:3, 3] = translation
    return m


def _transform(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return np.asarray(points, float) @ matrix[:3, :3].T + matrix[:3, 3]
