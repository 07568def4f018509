"""Putting a :class:`BodyScene` into any pyvista plotter (the window's or an off-screen one)."""

from __future__ import annotations

import numpy as np
import pyvista as pv
from vtkmodules.vtkFiltersCore import vtkQuadricClustering

from viewer.core.camera import Camera, preset_camera
from viewer.core.palette import DEFAULT_SKIN_TONE, SELECTION_COLOUR, get_palette, skin_palette
from viewer.core.zones import NO_ZONE
from viewer.render.camera import apply_camera
from viewer.render.scene import BodyScene
from viewer.render.screened import MARK_COLOUR, MARK_HALO
from viewer.render.xray import XrayActors


class SceneActors:
    """The actors of one scene in one plotter; colour mode, selection and highlight change in
    place.

    ``line_scale`` thickens lines for large exports and projectors; the palette's own
    ``line_scale`` multiplies it. ``background``: True for the palette's, a colour, or
    None to leave the plotter's background alone (e.g. for a transparent export).
    """

    def __init__(self, plotter: pv.Plotter, scene: BodyScene, mode: str = "pressure", *,
                 line_scale: float = 1.0, background: str | bool | None = True,
                 palette: str = "default", skin_tone: str = DEFAULT_SKIN_TONE):
        self.plotter = plotter
        self.scene = scene
        self.mode = mode
        self.highlighted: tuple[int, ...] = ()
        self._line_scale = line_scale
        #: the skin tone (viewer.core.palette.SKIN_TONES) the palette is drawn on
        self.skin_tone = skin_tone
        self.palette = skin_palette(palette, skin_tone)
        self._background = background
        self._apply_background()
        self.surface = scene.surface.copy(deep=False)
        self.surface.cell_data["rgb"] = scene.cell_colours(mode, palette=self.palette)
        self.body_actor = plotter.add_mesh(
            self.surface, scalars="rgb", rgb=True, smooth_shading=True, name="body",
            ambient=0.42, diffuse=0.62, specular=0.08, specular_power=24, pickable=True,
            show_scalar_bar=False, render=False)
        # Borders, hatching and the selection outline lie on the skin: without an offset the
        # surface hides about half of each line (z-fighting), so they show dashed. VTK's
        # switch is global to all mappers.
        self.body_actor.mapper.resolve = "polygon_offset"
        self.border_actor = None
        self.hatch_actor = None
        #: a coarse copy of the surface drawn while the camera moves (built on first use)
        self._lod: pv.PolyData | None = None
        self._lod_cells: np.ndarray | None = None  # the surface cell each coarse cell shows
        self.moving = False
        self._fxaa = False  # the renderer's anti-aliasing before the camera started moving
        self._drawn = None  # the full surface the mapper draws when still
        self._update_borders()
        self._update_hatch()
        self.mark_actors: list = []
        #: ``paint(palette) -> (n_cells, 3) uint8`` replacing the zone colours, with the
        #: borders, hatching and marks hidden (the window's quiz: plain skin), or None
        self.paint = None
        self._update_marks()
        #: the layers under the skin and the skin's opacity (:meth:`set_layers`)
        self.xray = XrayActors(self)

    @property
    def line_scale(self) -> float:
        return self._line_scale * self.palette.line_scale

    def _apply_background(self) -> None:
        if self._background is True:
            self.plotter.set_background(self.palette.background)
        elif self._background:
            self.plotter.set_background(self._background)

    def _update_borders(self) -> None:
        self.border_actor = self.plotter.add_mesh(
            self.scene.borders, color=self.palette.border, line_width=1.6 * self.line_scale,
            name="borders", pickable=False, render=False, opacity=0.85)

    # ------------------------------------------------------------------ updates
    def set_mode(self, mode: str, render: bool = True) -> None:
        self.mode = mode
        self._recolour()
        self._update_hatch()
        self._keep_lines_hidden()
        if render:
            self.plotter.render()

    def set_skin_tone(self, skin_tone: str, render: bool = True) -> None:
        """Draw the body on ``skin_tone`` (an id of viewer.core.palette.SKIN_TONES)."""
        self.skin_tone = skin_tone
        self.set_palette(get_palette(self.palette.name), render)

    def set_palette(self, palette: str, render: bool = True) -> None:
        self.palette = skin_palette(get_palette(palette).name, self.skin_tone)
        self._apply_background()
        self._recolour()
        self._update_borders()
        self._update_hatch()
        self.highlight(self.highlighted, render=False)
        self.xray.recolour()
        self._keep_lines_hidden()
        if render:
            self.plotter.render()

    def set_screening(self, screened, render: bool = True) -> None:
        """Show ``screened`` (a :class:`~viewer.core.screening.Screened` of this scene's
        assignment, or None for the map's own rules): marked areas "avoid" with the marks'
        outlines, limited zones in their capped colours, a postponed massage greyed and
        hatched all over. The window shows :meth:`BodyScene.banner` beside it."""
        self.scene.apply_screening(screened)
        self._recolour()
        self._update_hatch()
        self._update_marks()
        self._keep_lines_hidden()
        if render:
            self.plotter.render()

    def _update_marks(self) -> None:
        """The marks' outlines: a white halo under a reddish-purple line, lifted off the skin
        (a mark reads as a mark, not as a zone's border)."""
        for name in ("mark_halo", "mark_line"):
            self.plotter.remove_actor(name, render=False)
        self.mark_actors = []
        outline = self.scene.mark_outlines()
        if not outline.n_points:
            return
        unit = self.scene.body.unit
        self.mark_actors = [
            self.plotter.add_mesh(_lift(outline, 0.0006 / unit), color=MARK_HALO,
                                  line_width=7 * self.line_scale, name="mark_halo",
                                  pickable=False, render=False),
            self.plotter.add_mesh(_lift(outline, 0.0013 / unit), color=MARK_COLOUR,
                                  line_width=3.5 * self.line_scale, name="mark_line",
                                  pickable=False, render=False)]

    def set_layers(self, anatomy, layers, skin_opacity: float = 1.0, render: bool = True) -> None:
        """Show ``layers`` (of ``viewer.core.structures.LAYERS``: "skin", "bones", "kidneys")
        with the skin's surface at ``skin_opacity`` (0..1; zone borders and hatching keep
        theirs). ``anatomy`` (:func:`viewer.core.structures.fit_structures`) may be None while
        no layer under the skin is asked for: fit it only when one is. The structures' actors
        are ``self.xray.layer_actors``; ``self.xray.structure_at(actor, cell)`` names a
        picked one."""
        self.xray.set(anatomy, layers, skin_opacity)
        if render:
            self.plotter.render()

    def select(self, zone_index: int | None, render: bool = True) -> None:
        """Select one zone (or none): outline it and fade the others."""
        if zone_index == NO_ZONE:
            zone_index = None
        self.highlight([] if zone_index is None else [zone_index], render=render)

    @property
    def selected(self) -> int | None:
        """The selected zone: the highlighted one when exactly one is."""
        return self.highlighted[0] if len(self.highlighted) == 1 else None

    def highlight(self, zone_indices, render: bool = True) -> None:
        """Emphasise several zones (a lesson step's): outline each and fade the others, as
        :meth:`select` does for one. An empty list clears the highlight."""
        self.highlighted = tuple(dict.fromkeys(int(i) for i in zone_indices if i != NO_ZONE))
        self._recolour()
        # not "selection-halo": pyvista removing "selection" also removes every "selection-*"
        for name in ("selection_halo", "selection"):
            self.plotter.remove_actor(name, render=False)
        outlines = [self.scene.zone_outline(i) for i in self.highlighted]
        outlines = [o for o in outlines if o.n_points]
        if outlines:
            outline = outlines[0] if len(outlines) == 1 else outlines[0].merge(outlines[1:])
            # lifted off the skin along its normal (halo 0.5 mm, line 1.2 mm): at the same
            # depth, skin, halo and line z-fight into a dotted outline
            self.plotter.add_mesh(_lift(outline, 0.0005 / self.scene.body.unit),
                                  color=SELECTION_COLOUR, line_width=7 * self.line_scale,
                                  name="selection_halo", pickable=False, render=False)
            self.plotter.add_mesh(_lift(outline, 0.0012 / self.scene.body.unit),
                                  color="#111111", line_width=3 * self.line_scale,
                                  name="selection", pickable=False, render=False)
        if render:
            self.plotter.render()

    def _recolour(self) -> None:
        # pyvista_ndarray marks the VTK array modified on assignment: no re-adding the mesh
        rgb = self.surface.cell_data["rgb"]
        rgb[:] = (self.paint(self.palette) if self.paint is not None
                  else self.scene.cell_colours(self.mode, self.highlighted, self.palette))
        self.surface.Modified()
        if self._lod is not None:
            self._lod.cell_data["rgb"][:] = rgb[self._lod_cells]
            self._lod.Modified()

    # ------------------------------------------------------------------ level of detail
    def set_moving(self, moving: bool) -> None:
        """While the camera moves (a drag), draw a coarse copy of the coloured surface without
        borders, hatching or anti-aliasing: a software-rendered frame then costs a fraction of
        a still one. Back to full quality when ``moving`` is False. Picking is not affected
        (it intersects the full surface)."""
        if moving == self.moving:
            return
        mapper = self.body_actor.mapper
        if moving:
            self._fxaa = bool(self.plotter.renderer.GetUseFXAA())
            self._drawn = mapper.GetInput()  # what pyvista gave the mapper (it shares "rgb")
        self.moving = moving
        mapper.SetInputData(self._coarse() if moving else self._drawn)
        for actor in (self.border_actor, self.hatch_actor, *self.mark_actors):
            if actor is not None:
                actor.SetVisibility(not moving and self.paint is None)
        self.plotter.renderer.SetUseFXAA(self._fxaa and not moving)

    def show_lines(self, visible: bool) -> None:
        """Show or hide the borders and hatching (a window's first frame draws the coloured
        zones alone: in software OpenGL the first frame drawing VTK's wide lines costs a
        fraction of a second more, which the next frame pays instead)."""
        for actor in (self.border_actor, self.hatch_actor, *self.mark_actors):
            if actor is not None:
                actor.SetVisibility(visible and not self.moving and self.paint is None)

    def set_paint(self, paint, render: bool = True) -> None:
        """Colour the body with ``paint(palette) -> (n_cells, 3) uint8`` instead of the zones,
        the borders, hatching and marks hidden (the quiz's plain skin, what a question
        shows); None gives the zones back."""
        self.paint = paint
        self._recolour()
        self.show_lines(True)
        if render:
            self.plotter.render()

    def _keep_lines_hidden(self) -> None:
        if self.paint is not None:
            self.show_lines(False)

    def _coarse(self) -> pv.PolyData:
        if self._lod is None:
            self._lod, self._lod_cells = coarse_copy(self.surface)
            self._lod.cell_data["rgb"] = np.asarray(self.surface.cell_data["rgb"])[self._lod_cells]
        return self._lod

    def _update_hatch(self) -> None:
        lines = self.scene.hatch_lines(self.mode)
        self.plotter.remove_actor("hatch", render=False)
        if lines.n_points:
            self.hatch_actor = self.plotter.add_mesh(
                lines, color=self.palette.hatch, line_width=2.0 * self.line_scale, name="hatch",
                pickable=False, render=False, opacity=0.8)
        else:
            self.hatch_actor = None

    def set_view(self, view: str, aspect: float | None = None) -> Camera:
        """Show the preset ``view`` framed for ``aspect`` (default: the plotter's); return it."""
        width, height = self.plotter.window_size
        camera = preset_camera(self.scene.body, view, aspect or width / max(height, 1))
        apply_camera(self.plotter, camera)
        return camera


#: cells of the coarse copy along each axis (VTK adjusts them to the surface's proportions):
#: about 10 000 triangles for any body, from 60 000 or from a million
LOD_DIVISIONS = 80


def coarse_copy(surface: pv.PolyData) -> tuple[pv.PolyData, np.ndarray]:
    """A coarse copy of ``surface`` (VTK's quadric clustering) with point normals, and for
    each of its cells the index of a surface cell it stands for (to copy colours across)."""
    source = pv.PolyData(surface.points, surface.faces)
    source.cell_data["cell"] = np.arange(surface.n_cells, dtype=np.int64)
    cluster = vtkQuadricClustering()
    cluster.SetInputData(source)
    cluster.SetNumberOfDivisions(LOD_DIVISIONS, LOD_DIVISIONS, LOD_DIVISIONS)
    cluster.CopyCellDataOn()
    cluster.Update()
    coarse = pv.wrap(cluster.GetOutput()).compute_normals(cell_normals=False, split_vertices=False)
    cells = np.asarray(coarse.cell_data["cell"])
    return coarse, cells


def _lift(lines: pv.PolyData, distance: float) -> pv.PolyData:
    """``lines`` moved ``distance`` along their point normals (a copy), if they have any."""
    out = lines.copy(deep=True)
    if "Normals" in out.point_data:
        out.points = out.points + out.point_data["Normals"] * distance
    return out
