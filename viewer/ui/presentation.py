"""Presentation mode's pieces: the clicker's keys and the blackout screen.

While presenting, :class:`ClickerKeys` sits in front of every widget (an application event
filter): a presentation clicker sends PageDown/PageUp (some also B or "." for a black screen
and Esc/F5), and these must reach the lesson whichever widget has the focus, including the 3D
view, which swallows keys so VTK's own (w, e, q, 3, ...) never act. The window's shortcuts on
the same keys (B: view from behind, Esc: clear the selection, arrows: turn the body) are held
back while presenting.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget

NEXT_KEYS = (Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Space)
PREVIOUS_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_Left)
BLACKOUT_KEYS = (Qt.Key.Key_B, Qt.Key.Key_Period)
LEAVE_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_F5)

#: Help > Shortcuts rows for presentation mode (the keys are not actions: see ClickerKeys)
PRESENT_HELP = (
    ("PageDown, Right, Space", "Next step"),
    ("PageUp, Left", "Previous step"),
    ("B, .", "Black screen, and back"),
    ("Esc, F5", "Leave presentation mode"),
)


class ClickerKeys(QObject):
    """An application event filter turning the clicker's keys into calls, whatever has the
    focus. Install it only while presenting."""

    def __init__(self, next_step: Callable[[], None], previous_step: Callable[[], None],
                 blackout: Callable[[], None], leave: Callable[[], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.actions = {}
        for keys, call in ((NEXT_KEYS, next_step), (PREVIOUS_KEYS, previous_step),
                           (BLACKOUT_KEYS, blackout), (LEAVE_KEYS, leave)):
            for key in keys:
                self.actions[key] = call

    def _ours(self, event) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return event.key() in self.actions and mods == Qt.KeyboardModifier.NoModifier

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and self._ours(event):
            event.accept()  # no window shortcut on this key: it comes back as a key press
            return True
        if kind == QEvent.Type.KeyPress and self._ours(event):
            self.actions[event.key()]()
            return True
        if kind == QEvent.Type.KeyRelease and self._ours(event):
            return True
        return False


class Blackout(QWidget):
    """A black screen over the whole window (the projector shows nothing)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("blackout")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#blackout { background: black; }")
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.hide()
        parent.installEventFilter(self)

    def toggle(self) -> None:
        self.set_on(not self.isVisible())

    def set_on(self, on: bool) -> None:
        if on:
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
            self.show()
        else:
            self.hide()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False


def present_font_px(screen_height: int, fraction: float) -> int:
    """A font height (pixels) for presentation mode: ``fraction`` of the screen's height."""
    return max(12, round(screen_height * fraction))


def present_style(screen_height: int) -> str:
    """The presentation dock's style sheet: the legend in large type."""
    def px(f):
        return present_font_px(screen_height, f)
    return (f"QLabel#legendTitle {{ font-size: {px(0.030)}px; }}"
            f"QLabel#legendEntry {{ font-size: {px(0.026)}px; }}")
