"""Under the skin (x-ray): the bones and kidneys drawn as solid meshes through a translucent skin.

The API the window and the export call (through :meth:`SceneActors.set_layers
<viewer.render.actors.SceneActors.set_layers>`, which owns one :class:`XrayActors`)::

    anatomy = fit_structures(body)                  # only once a layer under the skin is shown
    actors.set_layers(anatomy, {"skin", "bones"}, skin_opacity=0.3)
    actors.set_layers(None, {"skin"}, 1.0)          # back to the opaque skin (nothing fitted)
    actors.xray.structure_at(actor, cell_id)        # the Structure a picked cell belongs to

How the skin is made translucent, cheaply (measured in ``benchmarks/bench_export.py``: an
x-ray frame costs about what an opaque one does on llvmpipe; depth peeling is not needed):

- the structures are opaque and drawn first (VTK's opaque pass);
- the skin is drawn at ``skin_opacity`` with its back faces culled (only the skin nearest the
  camera) and writing depth (``vtkOpenGLActor.GLDepthMaskOverride``), so the zone borders,
  the hatching and the labels' visibility test still see the skin, and the far side of the
  body does not show through the near side;
- the inside of the body (the skin's back faces, in the palette's ``interior`` colour) is drawn
  opaque behind everything, so the translucent skin has a body to lie on instead of the page.

The opacity applies to the skin's surface only: zone borders and hatching keep theirs, so the
zones stay readable at any opacity. "skin" left out of the layers draws the skin at opacity 0
(still writing depth: the borders of the far side stay hidden).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyvista as pv

from viewer.core.palette import get_palette
from viewer.core.structures import LAYERS, Anatomy, Structure

#: the layers drawn under the skin, in drawing order
UNDER_SKIN = tuple(layer for layer in LAYERS if layer != "skin")

__all__ = ["UNDER_SKIN", "XrayActors", "skin_opacity_of", "structure_mesh"]


def skin_opacity_of(layers: Iterable[str], skin_opacity: float) -> float:
    """The opacity the skin's surface is drawn at: 0 when "skin" is not among ``layers``."""
    return float(skin_opacity) if "skin" in set(layers) else 0.0


def structure_mesh(structures: list[Structure]) -> pv.PolyData:
    """The structures of one layer as one mesh, with cell data ``structure`` (the index into
    ``structures`` of the structure each cell belongs to) and smooth point normals."""
    parts = []
    for i, s in enumerate(structures):
        part = pv.PolyData.from_regular_faces(np.asarray(s.vertices, float),
                                              np.asarray(s.faces, np.int64))
        part.cell_data["structure"] = np.full(part.n_cells, i, np.int32)
        parts.append(part)
    mesh = parts[0] if len(parts) == 1 else pv.merge(parts, merge_points=False)
    return mesh.compute_normals(cell_normals=False, split_vertices=False, auto_orient_normals=False,
                                consistent_normals=False)


class XrayActors:
    """The x-ray state of one :class:`~viewer.render.actors.SceneActors`: which layers are shown,
    the skin's opacity, and one actor per layer under the skin (built on first use)."""

    def __init__(self, actors):
        self.actors = actors
        self.plotter = actors.plotter
        self.layers: frozenset[str] = frozenset({"skin"})
        self.skin_opacity = 1.0
        self.anatomy: Anatomy | None = None
        #: layer -> (actor, the structures in the order of the mesh's ``structure`` cell data)
        self.layer_actors: dict[str, tuple[pv.Actor, list[Structure]]] = {}
        self.interior_actor = None

    @property
    def active(self) -> bool:
        """True when anything of the skin is see-through (the x-ray look is on)."""
        return skin_opacity_of(self.layers, self.skin_opacity) < 1.0

    @property
    def shown_layers(self) -> tuple[str, ...]:
        """The layers under the skin that can be seen (none while the skin is opaque), in
        ``LAYERS``'s order: what a picture's legend lists."""
        if not self.active or self.anatomy is None:
            return ()
        return tuple(layer for layer in UNDER_SKIN if layer in self.layers
                     and self.anatomy.of_layer(layer))

    def set(self, anatomy: Anatomy | None, layers: Iterable[str], skin_opacity: float) -> None:
        """Show ``layers`` with the skin at ``skin_opacity`` (0..1). ``anatomy`` may be None
        while no layer under the skin is asked for."""
        layers = frozenset(layers)
        if anatomy is not self.anatomy:
            self._drop_structures()
            self.anatomy = anatomy
        self.layers, self.skin_opacity = layers, float(skin_opacity)
        opacity = skin_opacity_of(layers, skin_opacity)
        self._set_skin(opacity)
        see_through = opacity < 1.0
        for layer in UNDER_SKIN:
            want = see_through and layer in layers and anatomy is not None
            if want and layer not in self.layer_actors and anatomy.of_layer(layer):
                self._add_layer(layer)
            if layer in self.layer_actors:
                self.layer_actors[layer][0].SetVisibility(want)

    def recolour(self) -> None:
        """Take the palette's colours again (after a palette change)."""
        pal = self.actors.palette
        for layer, (actor, _) in self.layer_actors.items():
            actor.prop.color = getattr(pal, layer)
        if self.interior_actor is not None:
            self.interior_actor.prop.color = pal.interior

    def structure_at(self, actor, cell: int) -> Structure | None:
        """The structure a picked ``cell`` of ``actor`` belongs to (None: not a structure)."""
        for layer_actor, structures in self.layer_actors.values():
            if actor is layer_actor and cell is not None and cell >= 0:
                index = layer_actor.mapper.dataset.cell_data["structure"]
                return structures[int(index[cell])] if cell < len(index) else None
        return None

    # ------------------------------------------------------------------ internals
    def _set_skin(self, opacity: float) -> None:
        body = self.actors.body_actor
        prop = body.prop
        see_through = opacity < 1.0
        prop.opacity = opacity
        prop.backface_culling = see_through
        _write_depth(body, see_through)
        if see_through and self.interior_actor is None:
            self.interior_actor = self.plotter.add_mesh(
                self.actors.scene.surface, color=get_palette(self.actors.palette).interior,
                smooth_shading=True, ambient=0.35, diffuse=0.6, specular=0.0, name="interior",
                pickable=False, render=False)
            self.interior_actor.prop.frontface_culling = True
        if self.interior_actor is not None:
            self.interior_actor.SetVisibility(see_through)

    def _add_layer(self, layer: str) -> None:
        structures = self.anatomy.of_layer(layer)
        actor = self.plotter.add_mesh(
            structure_mesh(structures), color=getattr(self.actors.palette, layer),
            smooth_shading=True, ambient=0.3, diffuse=0.75, specular=0.2, specular_power=20,
            name=f"layer-{layer}", pickable=True, show_scalar_bar=False, render=False)
        self.layer_actors[layer] = (actor, structures)

    def _drop_structures(self) -> None:
        for layer in list(self.layer_actors):
            self.plotter.remove_actor(f"layer-{layer}", render=False)
        self.layer_actors.clear()


def _write_depth(actor, on: bool) -> None:
    """Let a translucent ``actor`` write the depth buffer (VTK leaves it off for translucent
    actors), so lines drawn on it and points behind it stay hidden where it is."""
    from vtkmodules.vtkCommonCore import vtkInformation
    from vtkmodules.vtkRenderingOpenGL2 import vtkOpenGLActor

    if on:
        info = vtkInformation()
        info.Set(vtkOpenGLActor.GLDepthMaskOverride(), 1)
        actor.SetPropertyKeys(info)
    else:
        actor.SetPropertyKeys(None)
