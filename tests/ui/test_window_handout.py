"""File → Export handout in the real window: the save dialog, the PDF with the window's
"Before you start", and a mistake shown as a dialog with nothing written."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.gui


def test_export_handout_from_the_file_menu(win, tmp_path, monkeypatch):
    out = tmp_path / "class handout.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "PDF, US letter (*.pdf)")))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warnings.append(a)))
    assert win.act_handout in win.file_menu.actions()
    from viewer.core.screening import Screening

    monkeypatch.setattr(win.screening, "screening", lambda: Screening(("dvt",), ()))
    win.act_handout.trigger()
    assert warnings == [] and out.is_file()
    reader = pypdf.PdfReader(str(out))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [612, 792]  # letter
    for page in reader.pages:
        text = page.extract_text()
        assert "Before you start: history of DVT" in text
    assert str(out) in win.statusBar().currentMessage()


def test_a_folder_that_does_not_exist_is_a_dialog(win, tmp_path, monkeypatch):
    out = tmp_path / "missing" / "h.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "PDF, A4 (*.pdf)")))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warnings.append(a)))
    assert win.export_handout() is None
    assert len(warnings) == 1
    line = warnings[0][2]
    assert "h.pdf" in line and "does not exist" in line and "\n" not in line
    assert not out.parent.exists()


def test_cancelling_the_dialog_writes_nothing(win, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    assert win.export_handout() is None
    assert list(tmp_path.iterdir()) == []
