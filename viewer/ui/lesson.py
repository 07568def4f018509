"""The guided lesson in the window: which step is showing (:class:`LessonController`) and the
step's panel (:class:`LessonPanel`).

The lesson itself is data (:mod:`viewer.core.lesson`); the controller only remembers the
step number and says when it changes. The window applies a step (camera, colours, highlighted
zones, arrows) and the panel shows its text.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QTextBrowser, QWidget

from viewer.core.palette import get_palette
from viewer.core.wording import QUOTES_HEADING, RULES_HEADING, step_text

if TYPE_CHECKING:  # the lesson model is imported once a lesson is loaded
    from viewer.core.lesson import Lesson, Step


class LessonController(QObject):
    """The running lesson's step, or none. ``stepChanged`` carries the 0-based index, or None
    when the lesson stops."""

    stepChanged = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.lesson: Lesson | None = None
        self._index: int | None = None

    @property
    def running(self) -> bool:
        return self._index is not None

    @property
    def index(self) -> int | None:
        return self._index

    @property
    def step(self) -> Step | None:
        return None if self._index is None or self.lesson is None else self.lesson.steps[self._index]

    @property
    def count(self) -> int:
        return len(self.lesson.steps) if self.lesson is not None else 0

    def set_lesson(self, lesson: Lesson | None) -> None:
        """A new lesson (e.g. for a new region map): the running one stops."""
        self.stop()
        self.lesson = lesson

    def start(self, index: int = 0) -> None:
        if self.lesson is None:
            raise RuntimeError("no lesson loaded")
        self.go(index)

    def stop(self) -> None:
        if self._index is not None:
            self._index = None
            self.stepChanged.emit(None)

    def go(self, index: int) -> None:
        if self.lesson is None:
            return
        index = max(0, min(int(index), self.count - 1))
        if index != self._index:
            self._index = index
            self.stepChanged.emit(index)

    def next(self) -> None:
        if self._index is not None:
            self.go(self._index + 1)

    def previous(self) -> None:
        if self._index is not None:
            self.go(self._index - 1)


#: text sizes of the panel as fractions of the screen's height in presentation mode (the caption:
#: 3.4 %, 37 px on a 1080p projector, about 4 cm tall on a 1.2 m-high picture: legible at 6 m),
#: and in points in the window
PRESENT_SIZES = {"kicker": 0.024, "title": 0.042, "caption": 0.034, "head": 0.024, "small": 0.022}
WINDOW_SIZES = {"kicker": "12pt", "title": "19pt", "caption": "15pt", "head": "13pt",
                "small": "12pt"}
#: the smallest the rules and quotes may shrink to (of their size) so the panel fits
MIN_FIT = 0.7


class LessonPanel(QTextBrowser):
    """A lesson step: "Step k of n", title, caption, the global rules it recalls and the guide's
    sentences it cites, in the palette's text and background colours."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.document().setDocumentMargin(18)
        self.present_height: int | None = None  # the screen height in presentation mode
        self.palette_name = "default"
        self._content: tuple[Lesson, Step, int] | None = None
        self.fit = 1.0
        self._busy = False
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self._refresh)

    def text(self) -> str:
        return self.toPlainText()

    def set_palette(self, name: str) -> None:
        self.palette_name = name
        self._refresh()

    def set_presenting(self, screen_height: int | None) -> None:
        self.present_height = screen_height
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if screen_height
                                        else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._refresh()

    def show_step(self, lesson: Lesson | None, step: Step | None, number: int = 0) -> None:
        self._content = (lesson, step, number) if lesson is not None and step is not None else None
        self._refresh()

    def sizes(self, fit: float = 1.0) -> dict[str, str]:
        if self.present_height:
            out = {k: f"{max(12, round(v * self.present_height))}px" for k, v in PRESENT_SIZES.items()}
            for k in ("head", "small"):
                out[k] = f"{max(12, round(PRESENT_SIZES[k] * fit * self.present_height))}px"
            return out
        return dict(WINDOW_SIZES)

    def caption_pixel_size(self) -> float:
        """The caption's font height in device-independent pixels (for tests and checks)."""
        size = self.sizes()["caption"]
        return float(size[:-2]) if size.endswith("px") else float(size[:-2]) * self.logicalDpiY() / 72

    def _refresh(self) -> None:
        if self._busy:  # setHtml may resize the viewport, which refreshes again
            return
        self._busy = True
        try:
            self._fill()
        finally:
            self._busy = False

    def _fill(self) -> None:
        palette = get_palette(self.palette_name)
        self.setStyleSheet(f"QTextBrowser#lessonPanel {{ background: {palette.background}; "
                           f"color: {palette.text}; border: none; }}")
        if self._content is None:
            self.setHtml("")
            return
        self.fit = 1.0
        self.setHtml(self._html(1.0))
        if self.present_height:  # shrink the rules and quotes (never the caption) to fit
            available = self.viewport().height()
            while self.fit > MIN_FIT and self.document().size().height() > available > 0:
                self.fit = round(self.fit - 0.05, 2)
                self.setHtml(self._html(self.fit))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.present_height and self._content is not None and not self._busy:
            self._refit.start()

    def _html(self, fit: float) -> str:
        lesson, step, number = self._content
        spec = step_text(lesson, step, number)
        palette = get_palette(self.palette_name)
        s = self.sizes(fit)
        text, muted = palette.text, "#000000" if palette.name == "high-contrast" else "#3d3d3d"
        accent = "#004488" if palette.name == "high-contrast" else "#2f4f5f"
        parts = [f'<p style="font-size:{s["kicker"]}; font-weight:700; color:{accent}; '
                 f'margin:0">{escape(spec.heading)}</p>',
                 f'<p style="font-size:{s["title"]}; font-weight:800; color:{text}; '
                 f'margin:4px 0 10px 0">{escape(spec.title)}</p>',
                 f'<p style="font-size:{s["caption"]}; color:{text}; margin:0 0 12px 0">'
                 f'{escape(spec.caption)}</p>']
        if spec.rules:
            parts.append(f'<p style="font-size:{s["head"]}; font-weight:700; color:{accent}; '
                         f'margin:14px 0 4px 0">{RULES_HEADING}</p>')
            for title, rule in spec.rules:
                parts.append(f'<p style="font-size:{s["small"]}; color:{text}; margin:0 0 6px 0">'
                             f'<b>{escape(title)}:</b> {escape(rule)}</p>')
        parts.append(f'<p style="font-size:{s["head"]}; font-weight:700; color:{accent}; '
                     f'margin:14px 0 4px 0">{QUOTES_HEADING}</p>')
        for quote in spec.quotes:
            parts.append(f'<p style="font-size:{s["small"]}; font-style:italic; color:{muted}; '
                         f'margin:0 0 6px 0">“{escape(quote)}”</p>')
        return "".join(parts)
