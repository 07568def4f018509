"""The props of a body lying on a massage table (the table, the face cradle, the ankle bolster and
the towel over the body below the waist): read from the body's catalogue entry and drawn in one
neutral colour, the same in the window, exported pictures and the lesson."""

from __future__ import annotations

import pyvista as pv

from viewer.core.errors import BackViewError

#: the props' colour: a neutral grey that no zone colour or skin tone is mistaken for
PROPS_COLOUR = "#c9c4bc"


def read_props(entry) -> pv.PolyData | None:
    """The props mesh of a :class:`~viewer.core.bodies.BodyEntry` (None: it has none). A
    missing or unreadable file is one line naming it."""
    if entry is None or entry.props_path is None:
        return None
    if not entry.props_path.is_file():
        raise BackViewError("no such props file", entry.props_path, "props")
    try:
        return pv.read(entry.props_path)
    except Exception as exc:  # noqa: BLE001 (VTK's readers raise many kinds on a bad file)
        raise BackViewError(f"cannot be read as a mesh: {exc}", entry.props_path,
                            "props") from None
