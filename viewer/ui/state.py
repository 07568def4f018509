"""The viewer's state: which colour mode, which zone is selected. One object, observed by all.

The 3D view, the zone list and the zone panel never talk to each other: each one sets the
state and follows its signals, so they agree by construction (napari's model/view split).
The state knows nothing about widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from viewer.core.options import check_colour_mode, check_palette
from viewer.core.palette import COLOUR_MODES, PALETTES
from viewer.core.regionmap import RegionMap, Zone
from viewer.core.zones import Cover


class ViewerState(QObject):
    """The selected zone (by id, or None), the colour mode and the colour theme."""

    #: the selected zone's id, or None when nothing is selected (also emitted when the same
    #: zone is selected at another place: see :attr:`cover`)
    zoneSelected = Signal(object)
    #: the colour mode, one of :data:`viewer.core.palette.COLOUR_MODES`
    modeChanged = Signal(str)
    #: the colour theme, one of :data:`viewer.core.palette.PALETTES`
    paletteChanged = Signal(str)
    #: a new region map (and body) is shown; the selection was cleared just before
    mapChanged = Signal(object)
    #: the bone or kidney picked through the skin (a core ``Structure``), or None; selecting
    #: one clears the zone, selecting a zone (or nothing) clears it
    structureSelected = Signal(object)

    def __init__(self, mode: str = "pressure", parent: QObject | None = None, *,
                 palette: str = "default"):
        super().__init__(parent)
        self._mode = mode if mode in COLOUR_MODES else "pressure"
        self._palette = palette if palette in PALETTES else "default"
        self._zone_id: str | None = None
        self._cover: Cover | None = None
        self._rmap: RegionMap | None = None
        self._structure = None

    # ------------------------------------------------------------------ region map
    @property
    def rmap(self) -> RegionMap | None:
        return self._rmap

    def set_map(self, rmap: RegionMap) -> None:
        self.select(None)
        self._rmap = rmap
        self.mapChanged.emit(rmap)

    # ------------------------------------------------------------------ selection
    @property
    def zone_id(self) -> str | None:
        return self._zone_id

    @property
    def zone(self) -> Zone | None:
        if self._zone_id is None or self._rmap is None:
            return None
        return self._rmap.by_id.get(self._zone_id)

    @property
    def cover(self) -> Cover | None:
        """Where the zone was picked on the body, when it was: the zone and every other zone
        covering that place (whose most cautious rule of each field applies there). None when
        the zone was chosen from the list, or nothing is selected."""
        return self._cover

    def select(self, zone_id: str | None, cover: Cover | None = None) -> None:
        """Select a zone by id (None clears), picked at ``cover`` (a place inside it) or not.
        Emits only on a change."""
        if zone_id is not None and (self._rmap is None or zone_id not in self._rmap.by_id):
            raise KeyError(f"no zone '{zone_id}' in the current region map")
        if cover is not None and (zone_id is None or cover.zone.id != zone_id):
            raise ValueError(f"the place picked is in '{cover.zone.id}', not in '{zone_id}'")
        self._drop_structure()
        if zone_id == self._zone_id and _same_place(cover, self._cover):
            return
        self._zone_id = zone_id
        self._cover = cover
        self.zoneSelected.emit(zone_id)

    # ------------------------------------------------------------------ structures
    @property
    def structure(self):
        """The bone or kidney selected through the skin (x-ray), or None."""
        return self._structure

    def select_structure(self, structure) -> None:
        """Select a structure (a :class:`viewer.core.structures.Structure`; None clears it).
        A selected zone is cleared first (its signal says None), so one thing is named at a
        time."""
        if structure is None:
            self._drop_structure()
            return
        self._structure = structure  # set first: the panel then shows it, not "nothing"
        if self._zone_id is not None:
            self._zone_id = self._cover = None
            self.zoneSelected.emit(None)
        self.structureSelected.emit(structure)

    def _drop_structure(self) -> None:
        if self._structure is not None:
            self._structure = None
            self.structureSelected.emit(None)

    # ------------------------------------------------------------------ colour mode
    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        check_colour_mode(mode)
        if mode == self._mode:
            return
        self._mode = mode
        self.modeChanged.emit(mode)

    # ------------------------------------------------------------------ colour theme
    @property
    def palette(self) -> str:
        return self._palette

    def set_palette(self, palette: str) -> None:
        check_palette(palette)
        if palette == self._palette:
            return
        self._palette = palette
        self.paletteChanged.emit(palette)


def _same_place(a: Cover | None, b: Cover | None) -> bool:
    """Two picks that the zone panel shows alike: the same zones cover them."""
    ids = lambda c: () if c is None or not c.also else (c.zone.id, *(z.id for z in c.also))  # noqa: E731
    return ids(a) == ids(b)
