"""Landmarks found automatically on any human body mesh (issue 12).

The shipped torso is the template: it is aligned to the user's body (units from its size, up and
facing from its shape, scale from its height), registered non-rigidly onto it
(``trimesh.registration``), and its landmarks ride along as barycentric points of its faces, then
snap to the user's skin. Any topology, units, up axis and facing.

API (stable: the window, the CLI and the benchmark use exactly this):

- :func:`fit_landmarks` ``(mesh, *, source=None, progress=None, cancel=None) -> LandmarkFit``
  raises :class:`NotABodyError` (one line) for a mesh that is not a human body with a back,
  :class:`FitCancelled` when ``cancel()`` returned True.
- :meth:`LandmarkFit.document` -> the landmarks file (``torso.landmarks.json`` format + ``fit``).
- :func:`write_landmarks` ``(fit, mesh_path, out=None) -> Path`` atomic, default
  ``<stem>.landmarks.json`` beside the mesh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from viewer.core.errors import BackViewError, LandmarkError

#: progress(fraction 0..1, what is being done)
Progress = Callable[[float, str], None]


class NotABodyError(LandmarkError):
    """The mesh is not a human body with a back (a box, a hand, a body cut at the shoulders)."""


class FitCancelled(BackViewError):
    """The user cancelled the fit."""


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

    def document(self, mesh_name: str | None) -> dict:
        raise NotImplementedError

    def summary(self) -> str:
        """One line of fit quality for the terminal and the window's status bar."""
        raise NotImplementedError


def fit_landmarks(mesh, *, source: Path | None = None, progress: Progress | None = None,
                  cancel: Callable[[], bool] | None = None) -> LandmarkFit:
    raise NotImplementedError


def write_landmarks(fit: LandmarkFit, mesh_path: Path, out: Path | None = None) -> Path:
    raise NotImplementedError
