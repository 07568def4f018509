"""Stroke-direction arrows drawn on the skin: lesson arrows projected onto the body surface."""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import reference
from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

from viewer.core.lesson import ArrowPath, ArrowSpec, arrow_paths
from viewer.render.scene import BodyScene

ARROW_COLOUR = "#14213d"
LIGHT_ARROW_COLOUR = "#5c7aa8"
#: lift above the skin so the arrow is never buried in it, metres
LIFT = 0.004


class SkinProjector:
    """Projects points of the body's coronal plane onto the back skin (ray cast from behind)."""

    #: how far (m) a point above the body's outline may slide down to meet the skin
    MAX_DROP = 0.05

    def __init__(self, scene: BodyScene):
        self.scene = scene
        self.frame = scene.geometry.frame
        self.scale = scene.geometry.scale
        # a cell locator returns the first hit along the ray: about 500 times faster than an
        # OBB tree listing every hit (5 ms a point on the shipped torso)
        self.locator = vtkStaticCellLocator()
        self.locator.SetDataSet(scene.surface)
        self.locator.BuildLocator()
        self.normals = scene.cell_normals
        self.reach = float(np.ptp(np.asarray(scene.body.mesh.bounds), axis=0).max()) * 2

    def project(self, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(points, normals) on the skin for (u, v) in metres; NaN where no skin is hit."""
        f = self.frame
        out = np.full((len(uv), 3), np.nan)
        normals = np.full((len(uv), 3), np.nan)
        t, hit, pcoords, sub, cell = reference(0.0), [0.0] * 3, [0.0] * 3, reference(0), reference(0)
        for i, (u, v) in enumerate(uv):
            # a point above the shoulder line misses the back: slide it down onto the ridge
            for drop in np.arange(0.0, self.MAX_DROP + 1e-9, 0.004):
                base = f.origin + (f.left * u + f.up * (v - drop)) / self.scale
                start, end = base + f.back * self.reach, base - f.back * self.reach
                if self.locator.IntersectWithLine(start, end, 0.0, t, hit, pcoords, sub, cell):
                    out[i] = hit  # the hit nearest ``start``: the skin seen from behind
                    normals[i] = self.normals[int(cell)]
                    break
        return out, normals


def arrow_meshes(scene: BodyScene, arrows: list[ArrowSpec],
                 projector: SkinProjector | None = None) -> list[tuple[pv.PolyData, str]]:
    """Tube-and-cone meshes for ``arrows`` with their colours, ready for ``add_mesh``."""
    projector = projector or SkinProjector(scene)
    out = []
    for arrow in arrows:
        for path in arrow_paths(arrow, scene.geometry.anchor):
            mesh = _arrow_mesh(path, projector)
            if mesh is not None:
                out.append((mesh, LIGHT_ARROW_COLOUR if path.light else ARROW_COLOUR))
    return out


def _arrow_mesh(path: ArrowPath, projector: SkinProjector) -> pv.PolyData | None:
    pts, normals = projector.project(path.uv)
    ok = np.isfinite(pts).all(axis=1)
    pts, normals = pts[ok], normals[ok]
    if len(pts) < 2:
        return None
    lift = LIFT / projector.scale
    pts = pts + normals * lift
    radius = (0.0026 if path.light else 0.0036) / projector.scale
    # stop the shaft where the head begins; small paths (friction circles) get small heads
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    run = np.concatenate([[0.0], np.cumsum(seg)])
    head_len = min(0.026 / projector.scale, 0.22 * run[-1])
    if run[-1] <= 0:
        return None
    shaft = pts[run <= run[-1] - head_len * 0.8]
    line = pv.lines_from_points(shaft)
    tube = line.tube(radius=radius, n_sides=12, capping=True)
    tip = pts[-1]
    base = np.array([np.interp(run[-1] - head_len, run, pts[:, k]) for k in range(3)])
    direction = tip - base
    cone = pv.Cone(center=base + direction / 2, direction=direction, height=np.linalg.norm(direction),
                   radius=radius * 3.0, resolution=24)
    return pv.merge([tube.triangulate(), cone.triangulate()])
