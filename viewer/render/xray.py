"""Under the skin (issue 13), the window's minimal part: the fitted bones and kidneys as actors,
and the skin made translucent over them, in any pyvista plotter.

- :class:`StructureActors` ``(plotter, anatomy)``: one actor per layer ("xray-bones",
  "xray-kidneys"), each the merged meshes of its structures, coloured per cell so one structure
  is highlighted in place (:meth:`StructureActors.highlight`); ``meshes[layer]`` with the cell
  array ``"structure"`` (an index into ``structures[layer]``) is what a picker intersects.
- :func:`set_skin_opacity` ``(scene_actors, opacity)``: the skin of a
  :class:`~viewer.render.actors.SceneActors` translucent (``opacity`` < 1) or opaque again; the
  zone borders and hatching are drawn opaque while it is translucent, so the zones stay
  readable on it.

Translucency without depth peeling (costly in software OpenGL): the structures are opaque and
drawn first, the skin is one translucent layer drawn over them with its back faces culled, so
the far side of the body (the chest, seen from behind) never blends into the near one.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv

from viewer.core.palette import hex_to_rgb
from viewer.core.structures import Anatomy, Structure

#: bone ivory and kidney red-brown: apart from every zone colour, and from each other
LAYER_COLOURS = {"bones": "#f1e7cf", "kidneys": "#a4343f"}
#: the highlighted structure (clicked through the skin): a strong gold
HIGHLIGHT_COLOUR = "#ffb400"
#: the skin's opacity when x-ray is first switched on
DEFAULT_SKIN_OPACITY = 0.35
#: the opacity of the zone lines over an opaque skin (as :class:`SceneActors` adds them)
_LINE_OPACITY = {"border_actor": 0.85, "hatch_actor": 0.8}

__all__ = ["DEFAULT_SKIN_OPACITY", "HIGHLIGHT_COLOUR", "LAYER_COLOURS", "StructureActors",
           "set_skin_opacity", "structure_mesh"]


def structure_mesh(structures: list[Structure]) -> pv.PolyData:
    """The structures' meshes merged into one surface, with the cell array ``"structure"``:
    the index in ``structures`` of the structure each cell belongs to."""
    points, faces, owner, offset = [], [], [], 0
    for i, s in enumerate(structures):
        v, f = np.asarray(s.vertices, float), np.asarray(s.faces, np.int64)
        points.append(v)
        faces.append(f + offset)
        owner.append(np.full(len(f), i, np.int64))
        offset += len(v)
    if not points:
        return pv.PolyData()
    mesh = pv.PolyData.from_regular_faces(np.vstack(points), np.vstack(faces))
    mesh.cell_data["structure"] = np.concatenate(owner)
    return mesh


class StructureActors:
    """The actors of one :class:`~viewer.core.structures.Anatomy` in one plotter: a layer at a
    time shown or hidden, one structure highlighted."""

    def __init__(self, plotter: pv.Plotter, anatomy: Anatomy, *, visible=("bones", "kidneys")):
        self.plotter = plotter
        self.anatomy = anatomy
        self.structures: dict[str, list[Structure]] = {}
        self.meshes: dict[str, pv.PolyData] = {}
        self.actors: dict[str, object] = {}
        self.highlighted: str | None = None
        for layer, colour in LAYER_COLOURS.items():
            structures = anatomy.of_layer(layer)
            if not structures:
                continue
            mesh = structure_mesh(structures)
            mesh.cell_data["rgb"] = np.tile(np.asarray(hex_to_rgb(colour), np.uint8),
                                            (mesh.n_cells, 1))
            self.structures[layer], self.meshes[layer] = structures, mesh
            self.actors[layer] = plotter.add_mesh(
                mesh, scalars="rgb", rgb=True, smooth_shading=True, name=f"xray-{layer}",
                ambient=0.3, diffuse=0.75, specular=0.25, specular_power=20, pickable=False,
                show_scalar_bar=False, render=False)
            self.actors[layer].SetVisibility(layer in visible)

    def set_visible(self, layer: str, visible: bool) -> None:
        if layer in self.actors:
            self.actors[layer].SetVisibility(bool(visible))

    def visible(self, layer: str) -> bool:
        return layer in self.actors and bool(self.actors[layer].GetVisibility())

    def structure(self, layer: str, cell: int) -> Structure | None:
        """The structure a cell of ``meshes[layer]`` belongs to."""
        if cell < 0 or layer not in self.meshes:
            return None
        return self.structures[layer][int(self.meshes[layer].cell_data["structure"][cell])]

    def highlight(self, structure_id: str | None) -> None:
        """Colour one structure (by id) in :data:`HIGHLIGHT_COLOUR`, the others in their
        layer's; None: none."""
        self.highlighted = structure_id
        for layer, mesh in self.meshes.items():
            rgb = mesh.cell_data["rgb"]
            rgb[:] = hex_to_rgb(LAYER_COLOURS[layer])
            ids = [i for i, s in enumerate(self.structures[layer]) if s.id == structure_id]
            if ids:
                rgb[np.isin(mesh.cell_data["structure"], ids)] = hex_to_rgb(HIGHLIGHT_COLOUR)
            mesh.Modified()

    def remove(self) -> None:
        for layer in self.actors:
            self.plotter.remove_actor(f"xray-{layer}", render=False)
        self.actors.clear()


def set_skin_opacity(scene_actors, opacity: float) -> None:
    """The skin of ``scene_actors`` (a :class:`~viewer.render.actors.SceneActors`) at
    ``opacity`` (0-1): below 1 its back faces are culled and the zone lines drawn opaque."""
    opacity = float(min(max(opacity, 0.0), 1.0))
    translucent = opacity < 1.0
    prop = scene_actors.body_actor.GetProperty()
    prop.SetOpacity(opacity)
    prop.SetBackfaceCulling(translucent)
    for attr, normal in _LINE_OPACITY.items():
        actor = getattr(scene_actors, attr, None)
        if actor is not None:
            actor.GetProperty().SetOpacity(1.0 if translucent else normal)
