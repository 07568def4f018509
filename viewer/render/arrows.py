"""Stroke-direction arrows drawn on the skin: lesson arrows projected onto the body surface."""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import reference
from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

from viewer.core.lesson import ArrowPath, ArrowSpec, arrow_paths
from viewer.render.scene import BodyScene

ARROW_COLOUR = "#14213d"
LIGHT_ARROW_COLOUR = "#2f4f7f"
HALO_COLOUR = "#ffffff"
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


def arrow_meshes(scene: BodyScene, arrows: list[ArrowSpec], projector: SkinProjector | None = None,
                 halo: str | None = HALO_COLOUR) -> list[tuple[pv.PolyData, str]]:
    """Tube-and-cone meshes for ``arrows`` with their colours, ready for ``add_mesh``; a
    lighter stroke (e.g. effleurage's return) is dashed. With ``halo``, each arrow comes after a
    slightly wider one of that colour laid under it, a rim that keeps a dark arrow legible on
    any zone colour (the high-contrast palette's dark blue included)."""
    projector = projector or SkinProjector(scene)
    out = []
    for arrow in arrows:
        for path in arrow_paths(arrow, scene.geometry.anchor):
            meshes = _arrow_mesh(path, projector, halo is not None)
            if meshes is None:
                continue
            arrow_mesh, rim = meshes
            if rim is not None:
                out.append((rim, halo))
            out.append((arrow_mesh, LIGHT_ARROW_COLOUR if path.light else ARROW_COLOUR))
    return out


#: tube radius (m) of a stroke, and of a lighter one (drawn dashed)
RADIUS, LIGHT_RADIUS = 0.0036, 0.0030
#: a lighter stroke's dashes and gaps (m)
DASH, GAP = 0.022, 0.012
#: the rim: how much wider than the arrow (m), and how much farther from a viewer behind the
#: body (so the arrow is in front of it everywhere but at its edges)
HALO_WIDTH, HALO_DROP = 0.0016, 0.0028


def _arrow_mesh(path: ArrowPath, projector: SkinProjector,
                halo: bool = False) -> tuple[pv.PolyData, pv.PolyData | None] | None:
    """The arrow's mesh, and its rim's (or None)."""
    skin = _on_skin(path, projector)
    if skin is None:
        return None
    return _skin_arrow(path, skin[0], skin[1], projector, halo)


def _on_skin(path: ArrowPath, projector: SkinProjector):
    """The path's points and normals on the skin (those that hit it), or None."""
    skin, normals = projector.project(path.uv)
    ok = np.isfinite(skin).all(axis=1)
    skin, normals = skin[ok], normals[ok]
    return (skin, normals) if len(skin) >= 2 else None


class GrowingArrow:
    """One arrow path projected onto the skin once, whose mesh can be drawn up to any share of
    its length (the video's arrows draw themselves along their path): the tube grows from the
    start, the head rides its tip."""

    def __init__(self, path: ArrowPath, projector: SkinProjector, halo: str | None = HALO_COLOUR):
        self.path, self.projector, self.halo = path, projector, halo
        self.colour = LIGHT_ARROW_COLOUR if path.light else ARROW_COLOUR
        self.skin = _on_skin(path, projector)

    def meshes(self, share: float = 1.0) -> list[tuple[pv.PolyData, str]]:
        """(mesh, colour) pairs of the arrow drawn up to ``share`` (0..1) of its length: the rim
        first, then the arrow; empty while too short to show."""
        if self.skin is None or share <= 0:
            return []
        skin, normals = self.skin
        if share < 1:
            run = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(skin, axis=0), axis=1))])
            end = run[-1] * share
            s = np.concatenate([run[run < end], [end]])
            skin, normals = _at(skin, run, s), _at(normals, run, s)
            if len(skin) < 2 or end < 0.01 / self.projector.scale:
                return []
        built = _skin_arrow(self.path, skin, normals, self.projector, self.halo is not None)
        if built is None:
            return []
        arrow, rim = built
        return ([(rim, self.halo)] if rim is not None else []) + [(arrow, self.colour)]


def growing_arrows(scene: BodyScene, arrows: list[ArrowSpec],
                   projector: SkinProjector | None = None) -> list[GrowingArrow]:
    """:class:`GrowingArrow` for every path of ``arrows`` (projected once)."""
    projector = projector or SkinProjector(scene)
    return [GrowingArrow(path, projector) for arrow in arrows
            for path in arrow_paths(arrow, scene.geometry.anchor)]


def _skin_arrow(path: ArrowPath, skin: np.ndarray, normals: np.ndarray, projector: SkinProjector,
                halo: bool = False) -> tuple[pv.PolyData, pv.PolyData | None] | None:
    """The arrow's mesh along ``skin`` (points on the skin, with their ``normals``), and its
    rim's (or None)."""
    m = 1.0 / projector.scale  # mesh units per metre
    seg = np.linalg.norm(np.diff(skin, axis=0), axis=1)
    run = np.concatenate([[0.0], np.cumsum(seg)])
    length = run[-1]
    if length <= 0:
        return None
    # a small loop (a friction circle) gets a thinner tube and a head in proportion, so it
    # still reads as a circle with an arrowhead, not a blob
    radius = min((LIGHT_RADIUS if path.light else RADIUS) * m, length / 26)
    head_len = min(0.026 * m, 0.2 * length)
    head_radius = radius * (3.0 if length > 0.1 * m else 2.6)
    # stop the shaft where the head begins
    shaft_end = length - head_len * 0.8
    if path.light:  # dashed: lighter pressure on the way back
        period = (DASH + GAP) * m
        spans = [(a, min(a + DASH * m, shaft_end)) for a in np.arange(0.0, shaft_end, period)]
    else:
        spans = [(0.0, shaft_end)]
    spans = [(a, b) for a, b in spans if b - a >= radius]

    def build(grow: float, behind: float) -> pv.PolyData:
        # lifted off the skin along its normal; the rim also moved away from a viewer behind
        # the body, so it shows evenly on both sides of the arrow seen from there
        pts = skin + normals * LIFT * m - projector.frame.back * behind * m
        parts = []
        for a, b in spans:
            a, b = max(0.0, a - grow), min(length, b + grow)
            s = np.concatenate([[a], run[(run > a) & (run < b)], [b]])
            piece = _at(pts, run, s)
            parts.append(pv.lines_from_points(piece).tube(radius=radius + grow, n_sides=12,
                                                          capping=True).triangulate())
        base, tip = _at(pts, run, [length - head_len, length])
        direction = (tip - base) / np.linalg.norm(tip - base)
        base, tip = base - direction * grow * 0.5, tip + direction * grow * 2.0
        height = float(np.linalg.norm(tip - base))
        parts.append(pv.Cone(center=(base + tip) / 2, direction=direction, height=height,
                             radius=head_radius + grow * 1.3, resolution=24).triangulate())
        return pv.merge(parts)

    arrow = build(0.0, 0.0)
    rim = build(HALO_WIDTH * m, HALO_DROP) if halo else None
    return arrow, rim


def _at(points: np.ndarray, run: np.ndarray, s) -> np.ndarray:
    """Points at arc lengths ``s`` along a polyline whose vertices are at arc lengths ``run``."""
    return np.stack([np.interp(s, run, points[:, k]) for k in range(3)], axis=1)
