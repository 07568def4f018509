"""The camera presets every part of BackView names (window, export, sessions, lessons)."""

#: camera presets, in the order menus and help list them
VIEWS: tuple[str, ...] = ("back", "oblique-left", "oblique-right", "left", "right", "top")
