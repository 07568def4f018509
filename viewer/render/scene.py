"""The body scene: the surface cut exactly along zone borders, its colours, borders and hatching.

Used by the window (``viewer.ui``) and by headless export alike, so both show the same pixels.
The surface is built once per body and map; switching the colour mode or the selection only
rewrites a colour array in place and swaps small line actors, never re-adds the body.

The surface is cut with the zone fields of the body's :class:`~viewer.core.zones.ZoneAssignment`
(evaluated once, in the core), and each cut cell takes the zone the core's rule
(:meth:`ZoneFields.zone_at`) gives its centre: the zone under a click is the zone the core names.
Each cell also keeps every zone its centre lies in: where several zones cover the skin, the
cell is named, outlined and selected with the most cautious one, and coloured and hatched by
the most cautious value of each field over all of them (:class:`~viewer.core.zones.Cover`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonDataModel import vtkStaticPointLocator
from vtkmodules.vtkFiltersCore import vtkClipPolyData

from viewer.core.body import Body
from viewer.core.cache import cache_file, cache_key, read_cached, write_cached
from viewer.core.palette import hex_to_rgb, zone_colour, zone_hatched
from viewer.core.regionmap import RegionMap, Zone
from viewer.core.zones import NO_ZONE, Cover, ZoneAssignment, ZoneFields, assign_zones, most_cautious
from viewer.render.screened import AVOID_RULE, Banner, ScreenedLook, postpone_banner

#: spacing of the "avoid" hatching on the skin, in metres
HATCH_SPACING = 0.012

__all__ = ["BodyScene", "HATCH_SPACING", "cut_surface"]


class BodyScene:
    """Everything drawn of a body with a region map, independent of any window."""

    def __init__(self, body: Body, rmap: RegionMap, assignment: ZoneAssignment | None = None,
                 *, cache: bool = True):
        """``cache=False``: build the cut surface and borders without reading or writing the
        disk cache (the landmark editor refits at every edit: no file per intermediate state)."""
        self.body = body
        self.rmap = rmap
        self.assignment = assignment or assign_zones(body, rmap)
        if self.assignment.body is None:
            self.assignment.body = body
        self.geometry = self.assignment.geometry
        self._key = (self.assignment.key or cache_key(self.body, self.rmap)) if cache else None
        self.surface = self._cached(
            "surface", _read_surface,
            lambda: cut_surface(self.assignment.fields, self.rmap.caution_order))
        self.zone_of_cell = np.asarray(self.surface.cell_data["zone"])
        #: the body's face each cell was cut from
        self.face_of_cell = np.asarray(self.surface.cell_data["face"], np.int64)
        self._covers_from_cells()
        #: the screening applied (:meth:`apply_screening`), its rules and each cell's mark
        self.screened = None
        self._look: ScreenedLook | None = None
        self.mark_of_cell = np.full(self.surface.n_cells, -1, np.int64)
        self._faces = self.surface.regular_faces
        self.borders = self._cached("borders", _read_borders, self._borders)

    @cached_property
    def cell_normals(self) -> np.ndarray:
        """``(n_cells, 3)``: each cell's unit normal (computed on first use)."""
        return np.asarray(self.surface.compute_normals(
            cell_normals=True, point_normals=False, consistent_normals=False,
            auto_orient_normals=False).cell_data["Normals"])

    @cached_property
    def cell_centres(self) -> np.ndarray:
        """``(n_cells, 3)``: each cell's centre (computed on first use)."""
        return np.asarray(self.surface.cell_centers().points)

    # ------------------------------------------------------------------ construction
    def _cached(self, what: str, read, build) -> pv.PolyData:
        """``what`` ("surface", "borders") from the cache beside this body and map, or built
        by ``build()`` and kept there."""
        if self._key is None:
            return build()
        path = _cache_file(self._key, what)
        cached = read_cached(path, read)
        if cached is not None:
            return cached
        data = build()
        write_cached(path, lambda tmp: data.save(tmp, binary=True))
        return data

    def _borders(self) -> pv.PolyData:
        """Zone borders: the outline of every zone, joined into one set of lines."""
        outlines = [self.zone_outline(z.index) for z in self.rmap.zones]
        outlines = [o for o in outlines if o.n_points]
        return _append(outlines)

    def _covers_from_cells(self) -> None:
        """``covers``: one :class:`Cover` per combination of zones that occurs on a cell inside
        several zones; ``cover_of_cell``: its index for each cell (-1: one zone or none)."""
        n_zones = len(self.rmap.zones)
        inside = np.unpackbits(np.asarray(self.surface.cell_data["cover"], np.uint8).reshape(
            self.surface.n_cells, -1), axis=1, count=n_zones).astype(bool)
        multi = np.flatnonzero((inside.sum(axis=1) > 1) & (self.zone_of_cell != NO_ZONE))
        self.cover_of_cell = np.full(self.surface.n_cells, -1, np.int32)
        self.covers: list[Cover] = []
        if len(multi):
            keys = np.column_stack([self.zone_of_cell[multi], inside[multi]]).astype(np.int32)
            combos, which = np.unique(keys, axis=0, return_inverse=True)
            self.cover_of_cell[multi] = which.ravel()
            self.covers = [Cover.of(self.rmap, int(row[0]), row[1:].astype(bool))
                           for row in combos]
        # the row of each cell in the colour table of cell_colours: its zone, no zone (after
        # the zones), or its combination of zones (after those)
        self._colour_row = np.where(self.zone_of_cell == NO_ZONE, n_zones,
                                    self.zone_of_cell).astype(np.int64)
        self._colour_row[multi] = n_zones + 1 + self.cover_of_cell[multi]

    def _project_uv(self, points: np.ndarray) -> np.ndarray:
        f = self.geometry.frame
        d = (np.asarray(points) - f.origin) * self.geometry.scale
        return np.stack([d @ f.left, d @ f.up], axis=1)

    # ------------------------------------------------------------------ screening
    def apply_screening(self, screened) -> None:
        """Colour, hatch and outline by the screened rules (issue 14): a
        :class:`~viewer.core.screening.Screened` of this scene's assignment, or None to go back
        to the map's own rules. Marked cells are "avoid" in every colour mode, limited zones
        take their capped rule, and a postponed massage greys and hatches the whole body.
        :class:`~viewer.render.actors.SceneActors` shows it after its ``set_screening``."""
        if screened is not None and getattr(screened.screening, "empty", False) and \
                not screened.postpone:
            screened = None
        self.screened = screened
        if screened is None:
            self._look = None
            self.mark_of_cell = np.full(self.surface.n_cells, -1, np.int64)
            return
        self._look = ScreenedLook.of(screened, self.rmap)
        marks = self._look.face_mark
        self.mark_of_cell = marks[np.clip(self.face_of_cell, 0, len(marks) - 1)]

    @property
    def look(self) -> ScreenedLook | None:
        return self._look

    @property
    def postponed(self) -> bool:
        return self._look is not None and self._look.postpone

    def banner(self) -> Banner | None:
        """The postpone banner ("Postpone the massage" and the guide's sentences), or None."""
        return postpone_banner(self.screened)

    def mark_outlines(self) -> pv.PolyData:
        """The border of every mark on the skin (each mark's own, joined)."""
        outlines = []
        for i in np.unique(self.mark_of_cell[self.mark_of_cell >= 0]):
            part = self.zone_part(self.mark_of_cell == i)
            if part.n_cells == 0:
                continue
            part = part.clean(tolerance=0.0, absolute=True)
            outlines.append(part.extract_feature_edges(
                boundary_edges=True, feature_edges=False, manifold_edges=False,
                non_manifold_edges=False))
        return _append([o for o in outlines if o.n_points])

    def mark_centre(self, index: int) -> np.ndarray | None:
        """The centre of mark ``index`` as drawn: the cell of it nearest its mean (None: the
        mark covers no cell)."""
        cells = np.flatnonzero(self.mark_of_cell == index)
        if len(cells) == 0:
            return None
        centres = self.cell_centres[cells]
        mean = centres.mean(axis=0)
        return np.asarray(centres[int(np.argmin(np.linalg.norm(centres - mean, axis=1)))], float)

    def _screened_rows(self, rules, zones):
        """``rules`` (zones' rules, or None for no zone) as the screening changes them."""
        if self._look is None:
            return rules
        return [self._look.zone_rules[z] if r is not None and z != NO_ZONE else r
                for r, z in zip(rules, zones)]

    def _greyed(self, lut: np.ndarray, palette: str) -> np.ndarray:
        """A postponed massage: every colour a light grey of its own lightness."""
        lum = lut.astype(float) @ np.array([0.2126, 0.7152, 0.0722])
        grey = 0.35 * lum + 0.65 * 190.0
        return np.repeat(grey[:, None], 3, axis=1).astype(np.uint8)

    # ------------------------------------------------------------------ colours
    def zone_colours(self, mode: str, selected: int | Iterable[int] | None = None,
                     palette: str = "default") -> np.ndarray:
        """``(n_zones + 1, 3)`` uint8: row ``i`` is zone ``i``'s colour, the last row no-zone.
        ``selected``: a zone index, or several (a lesson step's highlighted zones)."""
        rules = list(self.rmap.zones) + [None]
        zones = list(range(len(self.rmap.zones))) + [NO_ZONE]
        return self._colour_table(self._screened_rows(rules, zones), zones, mode, selected,
                                  palette)

    def _colour_table(self, rules, zones, mode, selected, palette) -> np.ndarray:
        """The colour of each of ``rules`` (a zone, a :class:`Rule` or None) in ``mode``; rows
        whose zone (``zones``) is not ``selected`` are faded when something is."""
        lut = np.array([hex_to_rgb(zone_colour(r, mode, palette)) for r in rules],
                       np.uint8).reshape(-1, 3)
        if selected is None or isinstance(selected, (int, np.integer)):
            selected = [] if selected is None else [selected]
        keep = [int(i) for i in selected if i != NO_ZONE]
        if keep:
            # fade the others a little so the selected zones stand out
            others = ~np.isin(np.asarray(zones, int), keep)
            lut[others] = (lut[others] * 0.55 + 255 * 0.45).astype(np.uint8)
        return lut

    def cell_colours(self, mode: str, selected: int | Iterable[int] | None = None,
                     palette: str = "default") -> np.ndarray:
        """``(n_cells, 3)`` uint8: each cell coloured by the rule that applies there (its
        zone's, or the most cautious of each field where several zones cover it)."""
        lut = self.zone_colours(mode, selected, palette)
        if self.covers:
            lut = np.vstack([lut, self._colour_table(
                [self._cover_rule(c) for c in self.covers], [c.zone.index for c in self.covers],
                mode, selected, palette)])
        rgb = lut[self._colour_row]
        return self._screen_rgb(rgb, self.mark_of_cell, mode, palette)

    def _cover_rule(self, cover):
        return cover.rule if self._look is None else self._look.cover_rule(cover)

    def _screen_rgb(self, rgb: np.ndarray, marks: np.ndarray, mode: str, palette: str):
        """Marked places "avoid"; everything greyed when the massage is postponed."""
        if self._look is None:
            return rgb
        marked = marks >= 0
        if marked.any():
            rgb[marked] = hex_to_rgb(zone_colour(AVOID_RULE, mode, palette))
        if self._look.postpone:
            rgb = self._greyed(rgb, palette)
        return rgb

    def face_colours(self, assignment, mode: str, selected: int | Iterable[int] | None = None,
                     palette: str = "default") -> np.ndarray:
        """``(n_faces, 3)`` uint8: each face of the uncut mesh coloured by the rule that applies
        there, as :meth:`cell_colours` colours the cut surface (the landmark editor's preview
        while a landmark is dragged: ``assignment`` is the map fitted to the moved landmarks)."""
        rgb = self.zone_colours(mode, selected, palette)[assignment.face_zone]
        covers, faces, row = assignment.face_covers()
        if covers:
            table = self._colour_table([self._cover_rule(c) for c in covers],
                                       [c.zone.index for c in covers], mode, selected, palette)
            rgb[faces] = table[row]
        if self._look is not None and len(self._look.face_mark) == len(rgb):
            rgb = self._screen_rgb(rgb, self._look.face_mark, mode, palette)
        return rgb

    def hatched_cells(self, mode: str) -> np.ndarray:
        """Cells whose rule in ``mode`` is "avoid" (the zone's, or the most cautious one)."""
        zones = list(range(len(self.rmap.zones)))
        rows = [zone_hatched(r, mode) for r in self._screened_rows(list(self.rmap.zones), zones)]
        rows += [False] + [zone_hatched(self._cover_rule(c), mode) for c in self.covers]
        cells = np.asarray(rows, bool)[self._colour_row]
        if self._look is not None:
            cells = cells | (self.mark_of_cell >= 0)
            if self._look.postpone:
                cells[:] = True
        return cells

    def hatch_lines(self, mode: str) -> pv.PolyData:
        """Diagonal lines on every cell whose rule in ``mode`` is "avoid"."""
        return self.hatch_lines_of(self.hatched_cells(mode))

    def hatch_lines_of(self, cells: np.ndarray) -> pv.PolyData:
        """Diagonal lines on the cells of the mask ``cells``."""
        if not cells.any():
            return pv.PolyData()
        part = self.zone_part(cells)
        if part.n_cells == 0:
            return pv.PolyData()
        uv = self._project_uv(part.points)
        part.point_data["hatch"] = (uv[:, 0] + uv[:, 1]) / HATCH_SPACING
        lo, hi = part.point_data["hatch"].min(), part.point_data["hatch"].max()
        values = np.arange(np.ceil(lo), np.floor(hi) + 1) + 0.5
        if len(values) == 0:
            return pv.PolyData()
        return part.contour(isosurfaces=values, scalars="hatch")

    def zone_part(self, cell_mask: np.ndarray) -> pv.PolyData:
        """The cells of ``cell_mask`` as their own PolyData (point data kept)."""
        if not np.any(cell_mask):
            return pv.PolyData()
        return _subset(self.surface, self._faces, np.asarray(cell_mask, bool))

    def zone_outline(self, zone_index: int) -> pv.PolyData:
        """The border of one zone. The cut surface keeps seams of duplicate points inside a
        zone; merging them first leaves only the zone's true border as boundary edges."""
        part = self.zone_part(self.zone_of_cell == zone_index)
        if part.n_cells == 0:
            return pv.PolyData()
        part = part.clean(tolerance=0.0, absolute=True)
        return part.extract_feature_edges(boundary_edges=True, feature_edges=False,
                                          manifold_edges=False, non_manifold_edges=False)

    # ------------------------------------------------------------------ zones and points
    def zone_at_cell(self, cell: int) -> Zone | None:
        if cell is None or cell < 0 or cell >= len(self.zone_of_cell):
            return None
        idx = int(self.zone_of_cell[cell])
        return None if idx == NO_ZONE else self.rmap.zones[idx]

    def cover_at_cell(self, cell: int) -> Cover | None:
        """The zone of a cell and the other zones covering it (None: no zone)."""
        zone = self.zone_at_cell(cell)
        if zone is None:
            return None
        k = int(self.cover_of_cell[cell])
        return self.covers[k] if k >= 0 else Cover(zone)

    def label_anchor(self, zone_index: int) -> np.ndarray:
        """The point of the zone farthest inside its border: where its label belongs."""
        cells = np.flatnonzero(self.zone_of_cell == zone_index)
        if len(cells) == 0:
            raise ValueError(f"zone {zone_index} has no surface")
        return np.asarray(self.cell_centres[self.deepest_cell(zone_index, cells)], float)

    def deepest_cell(self, zone_index: int, cells: np.ndarray) -> int:
        """Of ``cells`` (the zone's, or some of them), the one whose centre lies farthest inside
        the zone's border."""
        field = self.geometry.zone_field(
            self.rmap.zones[zone_index],
            self.geometry.project(self.cell_centres[cells], self.cell_normals[cells]))
        return int(cells[int(np.argmax(field))])

    def landmark_point(self, name: str) -> np.ndarray:
        return self.body.landmark(name)


def cut_surface(fields: ZoneFields, caution_order) -> pv.PolyData:
    """The body cut along every zone's zero line, most cautious zone first.

    Only triangles the zero line crosses are clipped (VTK ``vtkClipPolyData``); whole
    triangles on either side are moved with numpy, so the cost follows the border length.
    Every cell remembers its face of the body, and takes the zone the core's rule gives its
    centre (a cut cell lies on one side of every zero line, so that is the zone of all of it).
    Cell data: ``zone``, ``face`` (the body's face the cell was cut from), and ``cover`` (the zones the cell lies in, as bits packed by
    ``np.packbits``, one row per cell); point data: ``Normals``.
    """
    mesh = pv.PolyData.from_regular_faces(fields.vertices, fields.faces)
    mesh.point_data["Normals"] = fields.normals
    for i, f in enumerate(fields.values):
        mesh.point_data[f"f{i}"] = f
    mesh.cell_data["face"] = np.arange(len(fields.faces))
    remaining = mesh
    pieces = []
    for idx in caution_order:
        if remaining.n_cells == 0:
            break
        inside, remaining = _split(remaining, f"f{idx}")
        if inside.n_cells:
            pieces.append(inside)
    if remaining.n_cells:
        pieces.append(remaining)
    surface = pv.merge(pieces, merge_points=False)
    face = np.asarray(surface.cell_data["face"])
    inside = fields.inside_at(face, _cell_centres(surface))
    surface.cell_data["zone"] = most_cautious(inside, caution_order)
    surface.cell_data["cover"] = np.packbits(inside.T, axis=1)
    _absorb_specks(surface)
    for name in list(surface.point_data.keys()):
        if name != "Normals":
            del surface.point_data[name]
    for name in list(surface.cell_data.keys()):
        if name not in ("zone", "cover", "face"):
            del surface.cell_data[name]
    surface.point_data.active_normals_name = "Normals"
    return surface


def _cell_centres(surface: pv.PolyData) -> np.ndarray:
    """The centroid of each triangle (inside it, unlike VTK's cell centre of a degenerate one)."""
    return surface.points[surface.regular_faces].mean(axis=1)


def _subset(mesh: pv.PolyData, faces: np.ndarray, mask: np.ndarray) -> pv.PolyData:
    """The triangles ``faces[mask]`` of ``mesh`` as a compact PolyData, point and cell data kept."""
    sub = faces[mask]
    used, inverse = np.unique(sub, return_inverse=True)
    out = pv.PolyData.from_regular_faces(mesh.points[used], inverse.reshape(-1, 3))
    for name in mesh.point_data.keys():
        out.point_data[name] = np.asarray(mesh.point_data[name])[used]
    for name in mesh.cell_data.keys():
        out.cell_data[name] = np.asarray(mesh.cell_data[name])[mask]
    return out


#: bump when the way the surface is cut changes, so cached surfaces are rebuilt
_SURFACE_VERSION = 6  # 5: cell data "cover"; 6: "face" (the body's face of each cell)

#: field values (m) this close to zero count as outside: a vertex that lies on an earlier cut
#: along the same line (two zones sharing a border) would otherwise flip sign by rounding and
#: leave a comb of sliver triangles along the border
SNAP = 1e-4


def _split(mesh: pv.PolyData, field: str) -> tuple[pv.PolyData, pv.PolyData]:
    """(part where ``field`` > 0, the rest), cutting exactly along the zero line."""
    faces = mesh.regular_faces
    snapped = np.asarray(mesh.point_data[field]).copy()
    snapped[np.abs(snapped) < SNAP] = -SNAP
    mesh.point_data[field] = snapped
    values = snapped[faces]
    inside = (values > 0).all(axis=1)
    outside = (values <= 0).all(axis=1)
    crossing = ~(inside | outside)
    if not inside.any() and not crossing.any():
        return pv.PolyData(), mesh
    parts_in = [_subset(mesh, faces, inside)] if inside.any() else []
    parts_out = [_subset(mesh, faces, outside)] if outside.any() else []
    if crossing.any():
        cut = _subset(mesh, faces, crossing)
        cut.set_active_scalars(field, preference="point")
        clip = vtkClipPolyData()
        clip.SetInputData(cut)
        clip.SetValue(0.0)
        clip.GenerateClippedOutputOn()
        clip.Update()
        kept = pv.wrap(clip.GetOutput()).triangulate()
        rest = pv.wrap(clip.GetClippedOutput()).triangulate()
        if kept.n_cells:
            parts_in.append(kept)
        if rest.n_cells:
            parts_out.append(rest)
    return _append(parts_in), _append(parts_out)


#: a piece of a zone smaller than this (m², = 5 mm²) is a speck left where two borders nearly
#: meet; it takes the zone of the surface around it
MIN_PIECE_AREA = 5e-6


def _absorb_specks(surface: pv.PolyData) -> None:
    """Give every tiny disconnected piece of a zone the zone (and the cover) of its nearest
    other cell."""
    zone = np.array(surface.cell_data["zone"])
    cover = np.array(surface.cell_data["cover"])
    faces = surface.regular_faces
    # the cut keeps duplicate points along seams: connect cells through shared positions
    positions, pid = np.unique(np.round(surface.points / 1e-7).astype(np.int64), axis=0,
                               return_inverse=True)
    pid = pid.ravel()[faces]
    centres = _cell_centres(surface)
    areas = np.asarray(surface.compute_cell_sizes(length=False, volume=False).cell_data["Area"])
    for z in np.unique(zone):
        cells = np.flatnonzero(zone == z)
        label = _components(positions, pid[cells])
        piece_area = np.bincount(label, weights=areas[cells])
        specks = np.flatnonzero(piece_area < MIN_PIECE_AREA)
        others = np.flatnonzero(zone != z)
        if len(specks) == 0 or len(others) == 0:
            continue
        nearest = _nearest(centres[others])
        for piece in specks:
            speck = cells[label == piece]
            source = others[nearest(centres[speck].mean(axis=0))]
            zone[speck] = zone[source]
            cover[speck] = cover[source]
    surface.cell_data["zone"] = zone
    surface.cell_data["cover"] = cover


def _components(positions: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Connected components of triangles that share points (VTK's connectivity filter):
    one label per triangle, in the triangles' order."""
    used, local = np.unique(tris, return_inverse=True)
    part = pv.PolyData.from_regular_faces(positions[used].astype(float), local.reshape(-1, 3))
    part.cell_data["order"] = np.arange(len(tris))
    conn = part.connectivity("all")
    label = np.empty(len(tris), np.int64)
    label[np.asarray(conn.cell_data["order"])] = np.asarray(conn.cell_data["RegionId"])
    return label


def _nearest(points: np.ndarray):
    """``nearest(p)``: the index of the point of ``points`` closest to p (a VTK static point
    locator, built once)."""
    locator = vtkStaticPointLocator()
    locator.SetDataSet(pv.PolyData(np.asarray(points, float)))
    locator.BuildLocator()
    return lambda p: int(locator.FindClosestPoint(p))


def _append(parts: list[pv.PolyData]) -> pv.PolyData:
    if not parts:
        return pv.PolyData()
    if len(parts) == 1:
        return parts[0]
    return pv.merge(parts, merge_points=False)


def _cache_file(key: str, what: str = "surface") -> Path:
    return cache_file(key, f".{what}-v{_SURFACE_VERSION}.vtp")


def _read_borders(path: Path) -> pv.PolyData | None:
    borders = pv.read(path)  # a damaged file reads as nothing, without an error
    return borders if borders.n_cells else None


def _read_surface(path: Path) -> pv.PolyData | None:
    surface = pv.read(path)
    if not {"zone", "cover", "face"} <= set(surface.cell_data.keys()) or "Normals" not in surface.point_data:
        return None
    surface.point_data.active_normals_name = "Normals"
    return surface

