"""What a class in the browser shares, and the words its pages show, without any web library.

A :class:`Classroom` owns one off-screen pyvista plotter with the body drawn by the window's
own code (:class:`~viewer.render.actors.SceneActors`: coloured zones, borders, hatching, the
lesson's arrows and layers). The web page mirrors that plotter's scene in every browser
(vtk.js renders it there), so the instructor's step, colour mode and camera are applied here
once and reach every viewer. The zone panel, the step panel and the legend are plain
dictionaries made from :mod:`viewer.core.wording` and :mod:`viewer.core.palette`: the same words
as the window's panels and the exported pictures.
"""

from __future__ import annotations

import math

import numpy as np
import pyvista as pv
from vtkmodules.vtkCommonCore import reference
from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

from viewer.core.body import Body
from viewer.core.camera import Camera, CameraError, check_fits, preset_camera
from viewer.core.errors import BackViewError
from viewer.core.lesson import Lesson
from viewer.core.options import COLOUR_MODES, check_colour_mode
from viewer.core.palette import layer_legend, legend, mode_title, zone_colour
from viewer.core.regionmap import RegionMap
from viewer.core.wording import also_inside_text, step_text, zone_facts, zone_sections
from viewer.render.actors import SceneActors
from viewer.render.camera import apply_camera
from viewer.render.scene import BodyScene

#: the shape of the 3D pane the preset views are framed for (width / height)
PANE_ASPECT = 1.25
#: a ray through a pixel along an edge shared by two triangles (the spine of a mirrored mesh)
#: meets neither at tolerance 0 (see viewer.ui.picking)
RAY_TOLERANCE = 1e-6
#: the scale of an actor the step does not show (see Classroom._park_hidden): a speck at the
#: origin of the mesh's coordinates, inside the body
PARKED = 1e-9


class Classroom:
    """The body, the lesson and what the instructor has chosen: the step, the colour mode and
    the camera. :meth:`go`, :meth:`set_mode` and :meth:`set_camera` change the shared scene;
    :meth:`pick` and the ``*_panel`` methods answer one viewer without changing anything."""

    def __init__(self, body: Body, rmap: RegionMap, lesson: Lesson, *,
                 palette: str = "default", window_size=(480, 384)):
        self.body = body
        self.rmap = rmap
        self.lesson = lesson
        self.scene = BodyScene(body, rmap)
        self.plotter = pv.Plotter(off_screen=True, window_size=list(window_size))
        first = lesson.steps[0]
        self.actors = SceneActors(self.plotter, self.scene, first.colour_by, palette=palette)
        self.palette = self.actors.palette
        self.step_index = 0
        self.mode = first.colour_by
        self.camera: Camera = preset_camera(body, "back", PANE_ASPECT)
        self._arrows: dict[str, list] = {}
        self._projector = None
        self._anatomy = None
        self._parked: list = []
        self._locator = vtkStaticCellLocator()
        self._locator.SetDataSet(self.scene.surface)
        self._locator.BuildLocator()
        # every step once: its arrows projected onto the skin and the bones fitted now (up to
        # a few seconds), so that the instructor's step changes cost only what they change
        for index in reversed(range(self.step_count)):
            self.go(index)

    @property
    def render_window(self):
        return self.plotter.render_window

    @property
    def step_count(self) -> int:
        return len(self.lesson.steps)

    # ------------------------------------------------------------------ what the class shares
    def go(self, index: int) -> None:
        """Show lesson step ``index`` (0-based): its colour mode, highlighted zones, arrows,
        layers under the skin and camera preset. An index outside the lesson is a
        :class:`BackViewError`."""
        if isinstance(index, bool) or not isinstance(index, int) or \
                not 0 <= index < self.step_count:
            raise BackViewError(f"step {index!r} is not a step of the lesson "
                                f"(1-{self.step_count})", field="step")
        step = self.lesson.steps[index]
        self._unpark()
        self.step_index = index
        self.mode = step.colour_by
        self.actors.set_mode(step.colour_by, render=False)
        self.actors.highlight([self.rmap.zone(z).index for z in step.highlight], render=False)
        self._show_arrows(step)
        self._show_layers(step)
        self.camera = preset_camera(self.body, step.view, PANE_ASPECT)
        apply_camera(self.plotter, self.camera)
        self._park_hidden()

    def set_mode(self, mode: str) -> None:
        """Colour the body by ``mode`` ("pressure" or "stroke:<name>"); a wrong one is a
        :class:`BackViewError` naming the valid ones."""
        check_colour_mode(mode)
        self._unpark()
        self.mode = mode
        self.actors.set_mode(mode, render=False)
        self._park_hidden()

    def set_camera(self, params: dict) -> Camera:
        """Point the shared camera as the instructor's browser reports it (vtk.js: position,
        focalPoint, viewUp, parallelScale). Numbers that are not finite, a camera that
        cannot show the body or a malformed message raise :class:`BackViewError`; the camera
        stays as it was."""
        try:
            camera = Camera.looking(_vec(params["position"]), _vec(params["focalPoint"]),
                                    _vec(params["viewUp"]), float(params["parallelScale"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CameraError(f"not a camera: {exc}", field="camera") from None
        check_fits(camera, np.reshape(self.body.mesh.bounds, (2, 3)))
        self.camera = camera
        apply_camera(self.plotter, camera)
        return camera

    def camera_params(self) -> dict:
        """The shared camera as vtk.js sets it (``setCamera``)."""
        c = self.camera
        return {"position": list(c.position), "focalPoint": list(c.focal_point),
                "viewUp": list(c.view_up), "parallelProjection": True,
                "parallelScale": c.parallel_scale}

    def _show_arrows(self, step) -> None:
        """The step's arrows shown, every other step's hidden. Each step's arrow actors are
        made once and then only shown or hidden: the browsers already hold their geometry, so
        a step change sends them a few visibility flags, not new meshes."""
        if step.id not in self._arrows:
            from viewer.render.arrows import SkinProjector, arrow_meshes

            meshes = []
            if step.arrows:
                if self._projector is None:
                    self._projector = SkinProjector(self.scene)
                meshes = arrow_meshes(self.scene, self.lesson.arrows_of(step), self._projector)
            self._arrows[step.id] = [
                self.plotter.add_mesh(mesh, color=colour, smooth_shading=True, ambient=0.35,
                                      diffuse=0.7, specular=0.25, specular_power=30,
                                      name=f"lesson-arrow-{step.id}-{i}", pickable=False,
                                      render=False)
                for i, (mesh, colour) in enumerate(meshes)]
        for step_id, actors in self._arrows.items():
            for actor in actors:
                actor.SetVisibility(step_id == step.id)

    def _park_hidden(self) -> None:
        """Hide what the step does not show by shrinking it to a speck inside the body instead
        of switching it off. trame-vtk leaves a hidden actor's geometry out of the scene it
        sends, so every browser would fetch a step's arrows, bones and kidneys at the moment
        the instructor first shows it (a few MB for each of thirty viewers at once); parked,
        they come with the page, and a step change sends only what changes (colours,
        outlines, which actors are shown). :meth:`_unpark` undoes it before the next change,
        so the render code always sees its own visibility flags."""
        for actor in self.plotter.renderer.GetActors():
            if not actor.GetVisibility():
                self._parked.append(actor)
                actor.SetVisibility(True)
                actor.SetScale(PARKED)

    def _unpark(self) -> None:
        for actor in self._parked:
            actor.SetScale(1.0)
            actor.SetVisibility(False)
        self._parked = []

    def _show_layers(self, step) -> None:
        under = [layer for layer in step.layers if layer != "skin"]
        if under and self._anatomy is None:
            from viewer.core.structures import fit_structures

            self._anatomy = fit_structures(self.body)
        self.actors.set_layers(self._anatomy, step.layers, step.skin_opacity, render=False)

    # ------------------------------------------------------------------ one viewer's questions
    def pick(self, ray) -> dict | None:
        """The zone panel of the first skin along ``ray`` (two world points, near then far, as
        vtk.js reports a click), or None: no zone there, or not a ray."""
        try:
            near, far = (_vec(p) for p in ray)
        except (TypeError, ValueError):
            return None
        t, hit, pcoords = reference(0.0), [0.0] * 3, [0.0] * 3
        sub, cell = reference(0), reference(-1)
        if not self._locator.IntersectWithLine(near, far, RAY_TOLERANCE, t, hit, pcoords, sub,
                                               cell):
            return None
        cover = self.scene.cover_at_cell(int(cell))
        return None if cover is None else self.zone_panel(cover)

    def zone_panel(self, cover) -> dict:
        """What the zone panel shows for a place (a :class:`~viewer.core.zones.Cover`): the
        window's words (:func:`zone_facts`, :func:`zone_sections`)."""
        zone = cover.zone
        facts = [{"label": f.label, "value": f.value, "note": f.note,
                  "colour": zone_colour(cover.rule, f.mode, self.palette)}
                 for f in zone_facts(zone, cover)]
        sections = [{"heading": s.heading, "paragraphs": list(s.paragraphs),
                     "bulleted": s.bulleted, "warning": s.warning, "kind": s.kind}
                    for s in zone_sections(zone)]
        return {"id": zone.id, "name": zone.name, "facts": facts,
                "also": also_inside_text(cover), "sections": sections}

    def zone_panel_of(self, zone_id: str) -> dict:
        """The panel of a zone by id, its own rule (as the window's zone list shows it)."""
        from viewer.core.zones import Cover

        return self.zone_panel(Cover(self.rmap.zone(zone_id)))

    def step_panel(self) -> dict:
        number = self.step_index + 1
        text = step_text(self.lesson, self.lesson.steps[self.step_index], number)
        return {"index": self.step_index, "number": number, "count": self.step_count,
                "heading": text.heading, "title": text.title, "caption": text.caption,
                "rules": [{"title": t, "text": x} for t, x in text.rules],
                "quotes": list(text.quotes)}

    def steps(self) -> list[dict]:
        """The lesson's steps for the instructor's list: ``{"value": index, "title": ...}``."""
        return [{"value": i, "title": f"{i + 1}. {s.title}"}
                for i, s in enumerate(self.lesson.steps)]

    def legend_panel(self) -> dict:
        """The colour mode's legend, and the layers under the skin the step shows."""
        step = self.lesson.steps[self.step_index]
        layers = step.layers if step.skin_opacity < 1 else []
        entries = legend(self.mode, self.rmap, self.palette) + layer_legend(layers, self.palette)
        return {"title": mode_title(self.mode),
                "rows": [{"label": e.label, "colour": e.colour, "hatched": e.hatched}
                         for e in entries]}

    @staticmethod
    def colour_modes() -> list[dict]:
        return [{"value": m, "title": mode_title(m)} for m in COLOUR_MODES]


def _vec(value) -> tuple[float, float, float]:
    out = tuple(float(c) for c in value)
    if len(out) != 3 or not all(math.isfinite(c) for c in out):
        raise ValueError("expected three finite numbers")
    return out
