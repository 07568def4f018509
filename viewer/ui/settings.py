"""What the window remembers between sessions, in QSettings (organisation and application
"BackView"): window geometry and dock layout, colour mode, recent files, last folder.

Tests point QSettings at a temporary folder (``QSettings.setPath``) and never touch the
user's own settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from viewer.core.palette import COLOUR_MODES, PALETTES

ORGANISATION = "BackView"
APPLICATION = "BackView"
#: how many recent files each menu keeps
MAX_RECENT = 6


class Settings:
    """Typed access to the window's QSettings. ``QSettings.defaultFormat()`` decides the format."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope,
                                        ORGANISATION, APPLICATION)

    # ------------------------------------------------------------------ window
    def geometry(self) -> QByteArray | None:
        value = self.q.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        value = self.q.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    # ------------------------------------------------------------------ colour mode
    def colour_mode(self) -> str:
        value = self.q.value("view/colour_mode", "pressure")
        return value if value in COLOUR_MODES else "pressure"

    def set_colour_mode(self, mode: str) -> None:
        self.q.setValue("view/colour_mode", mode)

    def palette(self) -> str:
        value = self.q.value("view/palette", "default")
        return value if value in PALETTES else "default"

    def set_palette(self, palette: str) -> None:
        self.q.setValue("view/palette", palette)

    # ------------------------------------------------------------------ layers (x-ray)
    def xray(self) -> bool:
        return _bool(self.q.value("layers/xray", False))

    def set_xray(self, on: bool) -> None:
        self.q.setValue("layers/xray", bool(on))

    def skin_opacity(self, default: int) -> int:
        """The skin's opacity in x-ray, in percent (0-100)."""
        try:
            value = int(self.q.value("layers/skin_opacity", default))
        except (TypeError, ValueError):
            return default
        return min(max(value, 0), 100)

    def set_skin_opacity(self, percent: int) -> None:
        self.q.setValue("layers/skin_opacity", int(percent))

    def layer_shown(self, layer: str) -> bool:
        """Whether the x-ray shows ``layer`` ("bones", "kidneys")."""
        return _bool(self.q.value(f"layers/{layer}", True))

    def set_layer_shown(self, layer: str, shown: bool) -> None:
        self.q.setValue(f"layers/{layer}", bool(shown))

    # ------------------------------------------------------------------ files
    def recent(self, kind: str) -> list[Path]:
        """Recently opened files of ``kind`` ("mesh" or "map"), newest first."""
        value = self.q.value(f"files/recent_{kind}", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [Path(v) for v in (value or []) if v]

    def add_recent(self, kind: str, path: str | Path) -> None:
        path = Path(path).resolve()
        items = [path] + [p for p in self.recent(kind) if p != path]
        self.q.setValue(f"files/recent_{kind}", [str(p) for p in items[:MAX_RECENT]])
        self.q.setValue("files/last_dir", str(path.parent))

    def last_dir(self) -> str:
        return str(self.q.value("files/last_dir", "") or "")

    def sync(self) -> None:
        self.q.sync()


def _bool(value) -> bool:
    """A QSettings boolean: INI files give it back as the string "true" or "false"."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
