"""Under the skin: the bones and kidneys that explain the map's rules, fitted to a body by its
landmarks (issue 13).

STUB: the API below is stable (the renderer, the window, the CLI code against it); the geometry
is a placeholder (a small sphere under each landmark) until the real bone set lands.

- :func:`fit_structures` ``(body, *, cache=True) -> Anatomy``
- :class:`Structure`: one bone or organ, in the body's mesh units and frame.
- ``Anatomy.missing``: one line per structure left out because a landmark it needs is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from viewer.core.body import Body

#: the layers a view or a picture can show
LAYERS = ("skin", "bones", "kidneys")


@dataclass(frozen=True, eq=False)
class Structure:
    id: str                         #: "vertebra-T7", "scapula-left", "kidney-right", "rib-12-left", ...
    name: str                       #: "T7 vertebra", "Left kidney", ...
    kind: Literal["bone", "organ"]
    side: Literal["left", "right"] | None
    layer: Literal["bones", "kidneys"]
    vertices: np.ndarray            #: (n, 3) mesh units, the body's own frame
    faces: np.ndarray               #: (m, 3)
    note: str = ""                  #: the teaching note (from the guide) shown when it is clicked
    citations: tuple[str, ...] = () #: verbatim guide sentences behind the note


@dataclass
class Anatomy:
    structures: list[Structure]
    missing: list[str] = field(default_factory=list)

    def of_layer(self, layer: str) -> list[Structure]:
        return [s for s in self.structures if s.layer == layer]

    def get(self, structure_id: str) -> Structure:
        for s in self.structures:
            if s.id == structure_id:
                return s
        raise KeyError(structure_id)


def fit_structures(body: Body, *, cache: bool = True) -> Anatomy:
    """PLACEHOLDER geometry: a 1.5 cm sphere 3 cm under each spinous landmark (bones) and one
    kidney-sized ellipsoid each side at L1 (kidneys)."""
    import trimesh

    frame = body.frame
    cm = 0.01 / body.unit
    out = []
    for name, p in body.landmarks.items():
        if not name.startswith("spinous_"):
            continue
        level = name.split("_", 1)[1]
        s = trimesh.creation.icosphere(2, 1.5 * cm)
        centre = p - frame.back * 3 * cm
        out.append(Structure(f"vertebra-{level}", f"{level} vertebra", "bone", None, "bones",
                             np.asarray(s.vertices) + centre, np.asarray(s.faces),
                             "No direct pressure on the bony prominences of the spine."))
    l1 = body.landmarks.get("spinous_L1")
    if l1 is not None:
        for side, sign in (("left", 1), ("right", -1)):
            e = trimesh.creation.icosphere(3, 1.0)
            v = np.asarray(e.vertices) * np.array([3, 5.5, 1.5]) * cm
            centre = l1 + frame.left * sign * 6 * cm - frame.back * 6 * cm
            basis = np.stack([frame.left, frame.up, frame.back])
            out.append(Structure(f"kidney-{side}", f"{side.capitalize()} kidney", "organ", side,
                                 "kidneys", v @ basis + centre, np.asarray(e.faces),
                                 "No deep pressure over the kidneys."))
    return Anatomy(out)
