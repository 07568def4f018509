"""File → Export handout: the printable PDF of :mod:`viewer.render.handout`, from the window.

A save dialog asks where (its filter chooses A4 or US letter); the handout is made with the
window's body, map, palette, skin tone and "Before you start" answers and marks. It renders a
dozen pictures off-screen, a few seconds in all: a progress dialog shows each picture and keeps
the window's events flowing between them (the window repaints, Cancel stops). VTK's off-screen
rendering stays on the GUI thread, where the window's own OpenGL context lives. A mistake or a
failure is a dialog with one line; Cancel or a failure writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog

from viewer.core.errors import BackViewError

#: the save dialog's filters and the page size each chooses
FILTERS = {"PDF, A4 (*.pdf)": "a4", "PDF, US letter (*.pdf)": "letter"}


class Cancelled(Exception):
    """The user pressed Cancel in the progress dialog."""


def export_handout_from_window(window, scene, *, lesson=None, palette: str = "default",
                               skin_tone: str = "default", screening=None,
                               path: str | Path | None = None, page: str | None = None
                               ) -> Path | None:
    """Ask where (unless ``path`` is given), then write the handout; the path written, or
    None (cancelled, or a dialog said what went wrong)."""
    if path is None:
        start = str(Path.home() / "backview-handout.pdf")
        name, chosen = QFileDialog.getSaveFileName(window, "Export handout", start,
                                                   ";;".join(FILTERS))
        if not name:
            return None
        path = name if name.lower().endswith(".pdf") or "." in Path(name).name else name + ".pdf"
        page = page or FILTERS.get(chosen, "a4")
    progress = QProgressDialog("Preparing the handout…", "Cancel", 0, 1, window)
    progress.setWindowTitle("Export handout")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setValue(0)
    QApplication.processEvents()

    def step(done: int, total: int, what: str) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        progress.setLabelText(f"Picture {done} of {total} ({what})…")
        QApplication.processEvents()
        if progress.wasCanceled():
            raise Cancelled()

    try:
        from viewer.core.lesson import load_lesson
        from viewer.render.handout import export_handout

        lesson = lesson if lesson is not None else load_lesson(rmap=scene.rmap)
        result = export_handout(scene, lesson, path, page=page or "a4", palette=palette,
                                skin_tone=skin_tone, screening=screening, progress=step)
    except Cancelled:
        return None
    except BackViewError as exc:
        QMessageBox.warning(window, "Export handout", exc.line())
        return None
    except (OSError, ValueError, RuntimeError) as exc:
        QMessageBox.warning(window, "Export handout", f"{path}: the handout could not be made: "
                                                      f"{exc}")
        return None
    finally:
        progress.close()
    return result.path
