"""The body: a surface mesh, its named landmarks, and the anatomical frame they define."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from viewer.core import anatomy
from viewer.core.errors import LandmarkError
from viewer.core.landmark_checks import check_landmarks
from viewer.core.mesh import load_mesh
from viewer.core.paths import default_mesh
from viewer.core.schema import Line, Text, bounded, read_json_model

if TYPE_CHECKING:
    import trimesh  # read with the mesh (viewer.core.mesh), not with the core

#: metres per unit for the units a landmarks file may declare
UNIT_SCALE = {"m": 1.0, "cm": 0.01, "mm": 0.001}
#: a coordinate in the file's units: a finite number (not a string, not a boolean); 100,000
#: is 100 km in metres, 100 m in millimetres: no body reaches it
Coordinate = bounded(-1e5, 1e5, "units")


class FitInfo(BaseModel):
    """How automatically found landmarks were fitted (``backview landmarks``)."""

    model_config = ConfigDict(extra="forbid")

    method: Text
    residual_cm: bounded(0, 1e4, "cm", "median template-to-skin distance after the fit")
    residual_p90_cm: bounded(0, 1e4, "cm", "90th percentile of that distance") | None = None
    seconds: bounded(0, 1e6, "s") | None = None
    confidence: dict[str, bounded(0, 1, "")] = Field(
        default_factory=dict, description="0 (guessed) .. 1 (sure), per landmark")
    warnings: list[Line] = Field(default_factory=list)


class LandmarkFile(BaseModel):
    """Schema of ``<mesh>.landmarks.json``: named points on the skin, in the mesh's units."""

    model_config = ConfigDict(extra="forbid")

    mesh: Line | None = Field(None, description="mesh file the landmarks belong to")
    units: Literal["m", "cm", "mm"] = Field("m", description="units of the mesh and landmarks")
    axes: dict[str, Line] | None = Field(None, description="axis conventions, for the reader")
    method: Text | None = Field(None, description="how the landmarks were derived")
    fit: FitInfo | None = Field(None, description="set when the landmarks were found automatically")
    landmarks: dict[str, tuple[Coordinate, Coordinate, Coordinate]]

    def problems(self) -> list[tuple[str, str]]:
        """``(field, message)`` for names BackView does not know and required ones missing."""
        out = [(f"landmarks:{name[:40]}", f"unknown landmark (BackView knows "
                                          f"{anatomy.known_landmarks_text()})")
               for name in self.landmarks if name not in anatomy.known_landmarks()]
        missing = [n for n in anatomy.required_landmarks() if n not in self.landmarks]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            out.append((f"landmarks:{missing[0]}",
                        f"missing{more}: every landmark but spinous_S1 is required"))
        return out


def landmarks_path_for(mesh_path: str | Path) -> Path:
    """``body.obj`` -> ``body.landmarks.json`` beside it."""
    mesh_path = Path(mesh_path)
    return mesh_path.with_name(mesh_path.stem + ".landmarks.json")


def load_landmarks(path: str | Path) -> LandmarkFile:
    path = Path(path)
    if not path.exists():
        raise LandmarkError("no such landmarks file", path)
    if path.is_dir():
        raise LandmarkError("is a folder, not a landmarks file", path)
    doc = read_json_model(path, LandmarkFile, "a landmarks file", LandmarkError)
    for where, message in doc.problems()[:1]:
        raise LandmarkError(message, path, where)
    return doc


def save_landmarks(path: str | Path, landmarks: dict[str, np.ndarray], *, units: str = "m",
                   mesh_name: str | None = None, axes: dict[str, str] | None = None,
                   method: str | None = None, fit: dict | None = None) -> Path:
    """Write a landmarks file atomically (validated by :class:`LandmarkFile` first, so nothing
    that could not be read back is written). Coordinates are rounded to 0.01 mm."""
    from viewer.core.atomic import atomic_write_bytes

    decimals = {"m": 5, "cm": 3, "mm": 2}[units]
    doc = {"mesh": mesh_name, "units": units, "axes": axes, "method": method, "fit": fit,
           "landmarks": {k: [round(float(c), decimals) for c in np.asarray(v, float)]
                         for k, v in landmarks.items()}}
    doc = {k: v for k, v in doc.items() if v is not None}
    LandmarkFile.model_validate(doc)
    path = Path(path)
    atomic_write_bytes(path, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())
    return path


@dataclass
class Body:
    """A mesh with its landmarks. Coordinates stay in the file's units; ``unit`` converts."""

    mesh: trimesh.Trimesh
    landmarks: dict[str, np.ndarray]
    mesh_path: Path | None = None
    landmarks_path: Path | None = None
    unit: float = 1.0  #: metres per mesh unit
    method: str | None = None
    extra: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, mesh_path: str | Path | None = None,
             landmarks_path: str | Path | None = None) -> "Body":
        """Load a mesh and its landmarks (``<stem>.landmarks.json`` beside it unless given).

        A mesh without landmarks still loads (``landmarks`` is empty): it can be viewed and
        reported on, but zones cannot be fitted to it.
        """
        mesh_path = Path(mesh_path) if mesh_path else default_mesh()
        mesh = load_mesh(mesh_path)
        lm_path = Path(landmarks_path) if landmarks_path else landmarks_path_for(mesh_path)
        if landmarks_path is None and not lm_path.exists():
            return cls(mesh, {}, mesh_path, None)
        doc = load_landmarks(lm_path)
        points = {k: np.asarray(v, float) for k, v in doc.landmarks.items()}
        check_landmarks(mesh, points, UNIT_SCALE[doc.units], lm_path)
        return cls(mesh, points, mesh_path, lm_path, UNIT_SCALE[doc.units], doc.method)

    # ------------------------------------------------------------------ landmarks
    def missing_landmarks(self, names=None) -> list[str]:
        names = anatomy.required_landmarks() if names is None else names
        return [n for n in names if n not in self.landmarks]

    def require_landmarks(self, names=None) -> None:
        missing = self.missing_landmarks(names)
        if missing:
            where = self.landmarks_path or self.mesh_path
            if not self.landmarks:
                hint = (f"no landmarks: put them in {landmarks_path_for(self.mesh_path).name} "
                        "beside the mesh, or pass --landmarks FILE") if self.mesh_path else "no landmarks"
                raise LandmarkError(hint, where, "landmarks")
            listed = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
            raise LandmarkError(f"missing {listed}", where, "landmarks")

    def landmark(self, name: str) -> np.ndarray:
        try:
            return self.landmarks[name]
        except KeyError:
            raise LandmarkError(f"missing {name}", self.landmarks_path or self.mesh_path,
                                "landmarks") from None

    # ------------------------------------------------------------------ anatomical frame
    @cached_property
    def frame(self) -> "AnatomicalFrame":
        """Up, left and posterior directions and the midline, from the landmarks alone."""
        self.require_landmarks([anatomy.spinous("C7"), anatomy.spinous("S2"),
                                "acromion_left", "acromion_right"])
        return AnatomicalFrame.from_body(self)

    @property
    def bounds_cm(self) -> np.ndarray:
        return np.asarray(self.mesh.bounds) * self.unit * 100.0


@dataclass(frozen=True)
class AnatomicalFrame:
    """Orthonormal body axes: ``up`` (S2 -> C7), ``left`` (right -> left acromion, made
    orthogonal to up) and ``back`` (posterior); ``origin`` on the midline at S2."""

    origin: np.ndarray
    up: np.ndarray
    left: np.ndarray
    back: np.ndarray

    @classmethod
    def from_body(cls, body: Body) -> "AnatomicalFrame":
        lm = body.landmarks
        c7, s2 = lm[anatomy.spinous("C7")], lm[anatomy.spinous("S2")]
        where = body.landmarks_path or body.mesh_path
        up = _unit(c7 - s2, where)
        left = lm["acromion_left"] - lm["acromion_right"]
        left = _unit(left - left @ up * up, where)
        # The spinous processes lie behind the acromions: use that to fix the sign of "back".
        back = np.cross(up, left)
        mid_acromion = 0.5 * (lm["acromion_left"] + lm["acromion_right"])
        if (c7 - mid_acromion) @ back < 0:
            back = -back
        return cls(s2, up, left, back)

    def to_local(self, points: np.ndarray) -> np.ndarray:
        """Coordinates along (left, up, back) relative to the origin, in mesh units."""
        d = np.asarray(points, float) - self.origin
        return np.stack([d @ self.left, d @ self.up, d @ self.back], axis=-1)


def _unit(v: np.ndarray, where=None) -> np.ndarray:
    n = np.linalg.norm(v)
    if not np.isfinite(n) or n == 0:
        raise LandmarkError("landmarks are degenerate (two defining points coincide)", where,
                            "landmarks")
    return v / n
