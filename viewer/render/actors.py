"""Putting a :class:`BodyScene` into any pyvista plotter (the window's or an off-screen one)."""

from __future__ import annotations

import pyvista as pv

from viewer.core.palette import BACKGROUND, BORDER_COLOUR, SELECTION_COLOUR
from viewer.core.zones import NO_ZONE
from viewer.render.scene import BodyScene


class SceneActors:
    """The actors of one scene in one plotter; colour mode and selection change in place.

    ``line_scale`` thickens lines for large exports and projectors.
    """

    def __init__(self, plotter: pv.Plotter, scene: BodyScene, mode: str = "pressure", *,
                 line_scale: float = 1.0, background: str | None = BACKGROUND):
        self.plotter = plotter
        self.scene = scene
        self.mode = mode
        self.selected: int | None = None
        self.line_scale = line_scale
        if background:
            plotter.set_background(background)
        self.surface = scene.surface.copy(deep=False)
        self.surface.cell_data["rgb"] = scene.cell_colours(mode)
        self.body_actor = plotter.add_mesh(
            self.surface, scalars="rgb", rgb=True, smooth_shading=True, name="body",
            ambient=0.25, diffuse=0.75, specular=0.15, specular_power=20, pickable=True,
            show_scalar_bar=False, render=False)
        self.border_actor = plotter.add_mesh(
            scene.borders, color=BORDER_COLOUR, line_width=1.6 * line_scale, name="borders",
            pickable=False, render=False, opacity=0.85)
        self.hatch_actor = None
        self.selection_actors = []
        self._update_hatch()

    # ------------------------------------------------------------------ updates
    def set_mode(self, mode: str, render: bool = True) -> None:
        self.mode = mode
        self._recolour()
        self._update_hatch()
        if render:
            self.plotter.render()

    def select(self, zone_index: int | None, render: bool = True) -> None:
        if zone_index == NO_ZONE:
            zone_index = None
        self.selected = zone_index
        self._recolour()
        for name in ("selection-halo", "selection"):
            self.plotter.remove_actor(name, render=False)
        if zone_index is not None:
            outline = self.scene.zone_outline(zone_index)
            if outline.n_points:
                self.plotter.add_mesh(outline, color=SELECTION_COLOUR, line_width=7 * self.line_scale,
                                      name="selection-halo", pickable=False, render=False)
                self.plotter.add_mesh(outline, color="#111111", line_width=3 * self.line_scale,
                                      name="selection", pickable=False, render=False)
        if render:
            self.plotter.render()

    def _recolour(self) -> None:
        self.surface.cell_data["rgb"][:] = self.scene.cell_colours(self.mode, self.selected)
        self.surface.cell_data["rgb"].Modified() if hasattr(self.surface.cell_data["rgb"], "Modified") else None
        self.surface.Modified()

    def _update_hatch(self) -> None:
        lines = self.scene.hatch_lines(self.mode)
        self.plotter.remove_actor("hatch", render=False)
        if lines.n_points:
            self.hatch_actor = self.plotter.add_mesh(
                lines, color="#2a0e00", line_width=2.0 * self.line_scale, name="hatch",
                pickable=False, render=False, opacity=0.8)
        else:
            self.hatch_actor = None

    def set_view(self, view: str, aspect: float | None = None) -> None:
        width, height = self.plotter.window_size
        pose = self.scene.camera(view, aspect or width / max(height, 1))
        self.plotter.camera_position = pose.as_tuple()
        self.plotter.camera.parallel_projection = True
        self.plotter.camera.parallel_scale = pose.parallel_scale
        self.plotter.reset_camera_clipping_range()
