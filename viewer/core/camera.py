"""The camera: one Qt-free, renderer-free model of what a picture of the body looks at.

A :class:`Camera` is a parallel projection in the mesh's units: where it stands (``position``),
what it looks at (``focal_point``), which way is up in the picture (``view_up``) and half the
visible height (``parallel_scale``). The window, the export, sessions and lessons all use it; the
one place that turns it into a renderer's camera is :mod:`viewer.render.camera`.

:func:`preset_camera` makes the named views (:data:`viewer.core.views.VIEWS`) from the body's
anatomical frame and landmarks alone, so the presets are the same everywhere::

    camera = preset_camera(body, "back", aspect=16 / 9)
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from viewer.core import anatomy
from viewer.core.errors import BackViewError
from viewer.core.options import check_view
from viewer.core.schema import Strict

Vec3 = tuple[float, float, float]

#: the framed part of the back: from the sacrum to above the neck, this much wider each way
MARGIN = 0.62
#: how far from the focal point a preset camera stands, in half visible heights
DISTANCE = 6.0
#: the largest coordinate or scale a camera may hold, in mesh units of any size (a body in
#: micrometres is 2e6 across): far below where the camera's arithmetic overflows
MAX_COORD = 1e9
#: how far, in body sizes, a saved camera may stand from the body, look away from it, or widen
#: its view; and how narrow its view may be (a thousandth of the body)
REACH = 50.0
MIN_SCALE = 1e-3


class CameraError(BackViewError):
    """A camera that cannot be used: numbers that are not finite, no direction, a sideways up."""


def finite(value: Vec3) -> Vec3:
    """A pydantic check: every coordinate is a finite number."""
    if not all(math.isfinite(c) for c in value):
        raise ValueError("coordinates must be finite numbers")
    return value


def plausible(value: Vec3) -> Vec3:
    """A pydantic check: every coordinate is finite and at most :data:`MAX_COORD` in size."""
    finite(value)
    if any(abs(c) > MAX_COORD for c in value):
        raise ValueError(f"coordinates must lie within ±{MAX_COORD:,.0f} (mesh units)")
    return value


class Camera(Strict):
    """An exact parallel-projection camera, in the mesh's units."""

    position: Vec3
    focal_point: Vec3
    view_up: Vec3
    parallel_scale: float = Field(gt=0, allow_inf_nan=False, description="half the visible height")

    _finite = field_validator("position", "focal_point", "view_up")(plausible)

    @field_validator("parallel_scale")
    @classmethod
    def _scale(cls, value: float) -> float:
        if value > MAX_COORD:
            raise ValueError(f"must be at most {MAX_COORD:,.0f} (mesh units)")
        return value

    @model_validator(mode="after")
    def _not_degenerate(self):
        direction = np.subtract(self.focal_point, self.position)
        up = np.asarray(self.view_up, float)
        if np.linalg.norm(direction) == 0:
            raise ValueError("position and focal_point coincide")
        if np.linalg.norm(up) == 0:
            raise ValueError("view_up is a zero vector")
        if np.linalg.norm(np.cross(direction, up)) <= 1e-9 * np.linalg.norm(direction) * np.linalg.norm(up):
            raise ValueError("view_up is parallel to the viewing direction")
        return self

    # ------------------------------------------------------------------ construction
    @classmethod
    def looking(cls, position, focal_point, view_up, parallel_scale) -> "Camera":
        """A camera from numbers or numpy vectors; a bad one raises :class:`CameraError`."""
        return parse_camera({"position": _vec(position), "focal_point": _vec(focal_point),
                             "view_up": _vec(view_up), "parallel_scale": float(parallel_scale)})

    def centred_on(self, focal_point, parallel_scale: float | None = None) -> "Camera":
        """The same camera slid sideways (not turned) to look at ``focal_point``."""
        offset = np.subtract(self.focal_point, self.position)
        return Camera.looking(np.asarray(focal_point, float) - offset, focal_point, self.view_up,
                              self.parallel_scale if parallel_scale is None else parallel_scale)

    def with_scale(self, parallel_scale: float) -> "Camera":
        """The same camera zoomed to show ``parallel_scale`` above and below its focal point."""
        return Camera.looking(self.position, self.focal_point, self.view_up, parallel_scale)

    # ------------------------------------------------------------------ geometry
    @property
    def distance(self) -> float:
        return float(np.linalg.norm(np.subtract(self.focal_point, self.position)))

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unit vectors (direction of view, up in the picture, right in the picture)."""
        d = np.subtract(self.focal_point, self.position).astype(float)
        d /= np.linalg.norm(d)
        up = np.asarray(self.view_up, float)
        up = up - (up @ d) * d
        up /= np.linalg.norm(up)
        return d, up, np.cross(d, up)

    def as_tuple(self) -> list[Vec3]:
        """``[position, focal_point, view_up]``, as renderers take a camera position."""
        return [self.position, self.focal_point, self.view_up]


def _vec(v) -> Vec3:
    return tuple(float(c) for c in np.asarray(v, float).reshape(3))


def parse_camera(raw, path=None, field: str = "camera") -> Camera:
    """Validate a decoded camera; raise :class:`CameraError` naming the first bad field."""
    try:
        return Camera.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"][:1]  # a point's coordinate is reported as the point
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] in ("too_long", "too_short", "tuple_type") or len(err["loc"]) > 1:
            msg = "needs three numbers (x, y, z)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        raise CameraError(msg, path, ".".join([field, *map(str, loc)])) from None


def check_fits(camera: Camera, bounds, path=None, field: str = "camera") -> None:
    """Raise :class:`CameraError` when ``camera`` cannot show a body whose box is ``bounds``
    ((min xyz, max xyz), mesh units): it stands or looks more than :data:`REACH` body sizes
    away, or its view is wider than that or narrower than :data:`MIN_SCALE` of the body."""
    lo, hi = (np.asarray(b, float) for b in bounds)
    size = float(np.linalg.norm(hi - lo)) or 1.0
    centre = (lo + hi) / 2
    far = {"focal_point": np.linalg.norm(np.subtract(camera.focal_point, centre)),
           "position": np.linalg.norm(np.subtract(camera.position, centre))}
    for name, off in far.items():
        if off > REACH * size:
            raise CameraError(f"is {off / size:.3g} times the body's size away from it "
                              f"(at most {REACH:g})", path, f"{field}.{name}")
    scale = camera.parallel_scale / size
    if not MIN_SCALE <= scale <= REACH:
        raise CameraError(f"shows {2 * scale:.3g} times the body's size (from {2 * MIN_SCALE:g} to "
                          f"{2 * REACH:g})", path, f"{field}.parallel_scale")


# --------------------------------------------------------------------------- presets
def preset_camera(body, view: str = "back", aspect: float = 16 / 9) -> Camera:
    """A named view of ``body`` (a :class:`viewer.core.body.Body`), framed on the back from the
    sacrum to above the neck for a picture ``aspect`` (width / height) wide."""
    check_view(view)
    f = body.frame
    lm = body.landmarks
    s2 = lm[anatomy.spinous("S2")]
    top = lm.get("external_occipital_protuberance", lm[anatomy.spinous("C7")])
    centre = 0.5 * (top + s2)
    half_height = MARGIN * np.linalg.norm(top - s2)
    half_width = MARGIN * np.linalg.norm(lm["acromion_left"] - lm["acromion_right"])
    scale = float(max(half_height, half_width / max(aspect, 1e-3)))
    directions = {
        "back": f.back,
        "oblique-left": _unit(f.back + f.left),
        "oblique-right": _unit(f.back - f.left),
        "left": f.left,
        "right": -f.left,
        "top": _unit(f.up * 1.0 + f.back * 0.55),
    }
    if view == "table":
        return _table_camera(body, centre, half_height, half_width, aspect)
    up = f.up if view != "top" else _unit(f.up - f.back * 1.8)
    if view == "top":
        centre = centre + f.up * half_height * 0.35
    return Camera.looking(centre + directions[view] * (DISTANCE * scale), centre, up, scale)


#: the "table" view: from the body's left side and above, the way a therapist standing beside
#: the table looks down at the back (about 35 degrees from straight above the back)
TABLE_SIDE = 0.7


def _table_camera(body, centre, half_length, half_width, aspect) -> Camera:
    """The back as the therapist beside the table sees it: from above the back and from the
    body's left side, the spine across the picture (head to one side), the far side of the
    body at the top. Derived from the anatomical frame alone, so it works for a body lying
    prone (and shows a standing body turned on its side)."""
    f = body.frame
    direction = _unit(f.back + f.left * TABLE_SIDE)
    # the picture's up: across the body, away from the therapist, square to the spine
    up = _unit(f.back * TABLE_SIDE - f.left)
    # the spine runs across the picture: its length is the picture's width
    scale = float(max(half_length / max(aspect, 1e-3), half_width) * 1.15)
    return Camera.looking(centre + direction * (DISTANCE * scale), centre, up, scale)


def bounds_camera(bounds, aspect: float = 16 / 9) -> Camera:
    """A camera for a body without landmarks, whose anatomy is unknown: upright in the file's own
    axes as BackView and glTF write them (+Y up, the front towards +Z), seen from -Z, where the
    back of such a body is, with the whole of ``bounds`` (``[[xmin, ymin, zmin], [xmax, ymax,
    zmax]]``, as trimesh gives them) in a picture ``aspect`` wide."""
    lo, hi = np.asarray(bounds, float)
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    scale = 1.15 * float(max(half[1], half[0] / max(aspect, 1e-3), 1e-9))  # room for the banner
    back = np.array([0.0, 0.0, -1.0])
    return Camera.looking(centre + back * (DISTANCE * scale + half[2]), centre, (0.0, 1.0, 0.0),
                          scale)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


__all__ = ["Camera", "CameraError", "Vec3", "bounds_camera", "check_fits", "parse_camera",
           "preset_camera"]
