"""The window's side panels: legend, zone list, zone details, safety rules.

Each panel observes :class:`~viewer.ui.state.ViewerState` and draws from the region map; none
knows about the others or about the 3D view. Colours come from :mod:`viewer.core.palette`, the
same function the 3D view colours the skin with, so the legend always matches the picture.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelectionModel, QRectF, QSize, QSortFilterProxyModel, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap, QStandardItem, QStandardItemModel, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from viewer.core.palette import get_palette, legend, mode_title, zone_colour, zone_hatched
from viewer.core.regionmap import RegionMap, Zone
from viewer.core.wording import QUOTES_HEADING, Section, also_inside_text, zone_facts, zone_sections
from viewer.ui.state import ViewerState

SWATCH_SIZE = QSize(34, 24)
ZONE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


# --------------------------------------------------------------------------- swatches
def swatch_image(colour: str, hatched: bool, size: QSize = SWATCH_SIZE, ratio: float = 2.0,
                 hatch: str = "#2a0e00") -> QImage:
    """A colour chip; "avoid" chips carry the same diagonal hatching (colour ``hatch``, the
    palette's) as the skin."""
    image = QImage(int(size.width() * ratio), int(size.height() * ratio),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(1, 1, size.width() - 2, size.height() - 2)
    path = QPainterPath()
    path.addRoundedRect(rect, 4, 4)
    p.fillPath(path, QColor(colour))
    if hatched:
        p.save()
        p.setClipPath(path)
        p.setPen(QPen(QColor(hatch), 2.2))
        step = 7.0
        x = -size.height()
        while x < size.width() + size.height():
            p.drawLine(x, size.height(), x + size.height(), 0)
            x += step
        p.restore()
    p.setPen(QPen(QColor("#3a3a3a"), 1.2))
    p.drawPath(path)
    p.end()
    return image


def swatch_pixmap(colour: str, hatched: bool, size: QSize = SWATCH_SIZE,
                  hatch: str = "#2a0e00") -> QPixmap:
    return QPixmap.fromImage(swatch_image(colour, hatched, size, hatch=hatch))


def _chip_url(document: QTextDocument, colour: str, hatched: bool, hatch: str) -> str:
    """Register a chip image with ``document``; returns its ``src`` for ``<img>``."""
    url = f"chip:{colour.lstrip('#')}{'-hatched-' + hatch.lstrip('#') if hatched else ''}"
    if document.resource(QTextDocument.ResourceType.ImageResource, QUrl(url)) is None:
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url),
                             swatch_image(colour, hatched, hatch=hatch))
    return url


def _chip(document: QTextDocument, colour: str, hatched: bool, hatch: str) -> str:
    src = _chip_url(document, colour, hatched, hatch)
    return (f'<img src="{src}" width="{SWATCH_SIZE.width()}" height="{SWATCH_SIZE.height()}" '
            'style="vertical-align: middle">')


# --------------------------------------------------------------------------- legend
class LegendWidget(QFrame):
    """What each colour means in the current colour mode (from ``palette.legend``)."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("legend")
        self.state = state
        self.entries = []
        self.swatch = SWATCH_SIZE  # larger in presentation mode
        self.title = QLabel(objectName="legendTitle")
        self.title.setWordWrap(True)
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(10)
        self.rows.setVerticalSpacing(6)
        self.rows.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addLayout(self.rows)
        state.modeChanged.connect(self.refresh)
        state.mapChanged.connect(self.refresh)
        state.paletteChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        """Show the current mode's entries in the row labels, made once and reused: a long
        session switching modes creates no widgets (the rows a mode does not need are hidden)."""
        mode, rmap, palette = self.state.mode, self.state.rmap, get_palette(self.state.palette)
        self.title.setText(mode_title(mode))
        self.entries = legend(mode, rmap, palette)
        for row, entry in enumerate(self.entries):
            chip, text = self._row(row)
            chip.setPixmap(swatch_pixmap(entry.colour, entry.hatched, self.swatch, hatch=palette.hatch))
            chip.setToolTip(entry.label + (" (striped on the body)" if entry.hatched else ""))
            text.setText(entry.label + (" — striped on the body" if entry.hatched else ""))
            chip.show()
            text.show()
        for row in range(len(self.entries), self.rows.rowCount()):
            for column in (0, 1):
                item = self.rows.itemAtPosition(row, column)
                if item is not None:
                    item.widget().hide()

    def _row(self, row: int) -> tuple[QLabel, QLabel]:
        """The (chip, text) labels of ``row``, added to the grid the first time it is needed."""
        chip = self.rows.itemAtPosition(row, 0)
        if chip is not None:
            return chip.widget(), self.rows.itemAtPosition(row, 1).widget()
        chip, text = QLabel(), QLabel(wordWrap=True, objectName="legendEntry")
        self.rows.addWidget(chip, row, 0, Qt.AlignmentFlag.AlignTop)
        self.rows.addWidget(text, row, 1)
        return chip, text

    def texts(self) -> list[str]:
        return [e.label for e in self.entries]


# --------------------------------------------------------------------------- zone list
class ZoneList(QWidget):
    """Every zone of the map, with a search box; selecting here selects on the body and back."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self._syncing = False
        self.search = QLineEdit(placeholderText="Search zones…  (Ctrl+F)", clearButtonEnabled=True)
        self.search.setObjectName("zoneSearch")
        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QListView(objectName="zoneList")
        self.view.setModel(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setIconSize(SWATCH_SIZE)
        self.view.setWordWrap(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setSpacing(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._pick_first)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection)
        state.mapChanged.connect(self._fill)
        state.modeChanged.connect(self._recolour)
        state.paletteChanged.connect(self._recolour)
        state.zoneSelected.connect(self._on_state_zone)

    # ------------------------------------------------------------------ model
    def _fill(self, rmap: RegionMap) -> None:
        self._syncing = True
        self.model.clear()
        for zone in rmap.zones:
            item = QStandardItem(zone.name)
            item.setData(zone.id, ZONE_ID_ROLE)
            item.setToolTip(f"{zone.name}: {zone.pressure.label.lower()} pressure")
            self.model.appendRow(item)
        self._syncing = False
        self._recolour()
        self._on_state_zone(self.state.zone_id)

    def _recolour(self, *_args) -> None:
        rmap, mode, palette = self.state.rmap, self.state.mode, get_palette(self.state.palette)
        if rmap is None or self.model.rowCount() != len(rmap.zones):
            return  # no map, or emptied (a body without landmarks has no zones)
        for row, zone in enumerate(rmap.zones):
            chip = swatch_pixmap(zone_colour(zone, mode, palette), zone_hatched(zone, mode),
                                 hatch=palette.hatch)
            icon = QIcon(chip)
            icon.addPixmap(chip, QIcon.Mode.Selected)  # the true colour, not tinted by the selection
            self.model.item(row).setIcon(icon)

    def visible_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(ZONE_ID_ROLE) for r in range(self.proxy.rowCount())]

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedIndexes()
        return rows[0].data(ZONE_ID_ROLE) if rows else None

    # ------------------------------------------------------------------ list -> state
    def _on_view_selection(self, *_args) -> None:
        if self._syncing:
            return
        zone_id = self.selected_id()
        self.state.select(zone_id)

    def _filter(self, text: str) -> None:
        self._syncing = True  # rows leaving the filter are not a user's "deselect"
        self.proxy.setFilterFixedString(text)
        self._syncing = False
        self._on_state_zone(self.state.zone_id)

    def _pick_first(self) -> None:
        if self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))
            self.view.setFocus()

    # ------------------------------------------------------------------ state -> list
    def _on_state_zone(self, zone_id: str | None) -> None:
        self._syncing = True
        try:
            selection = self.view.selectionModel()
            if zone_id is None:
                selection.clearSelection()
                return
            for row in range(self.model.rowCount()):
                if self.model.item(row).data(ZONE_ID_ROLE) == zone_id:
                    index = self.proxy.mapFromSource(self.model.index(row, 0))
                    if index.isValid():
                        selection.setCurrentIndex(
                            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                        self.view.scrollTo(index)
                    else:
                        selection.clearSelection()
                    return
        finally:
            self._syncing = False


# --------------------------------------------------------------------------- zone panel
PANEL_CSS = """
h1 { font-size: 20pt; font-weight: 700; color: #1d1d1d; margin: 0 0 6px 0; }
h2 { font-size: 14pt; font-weight: 700; color: #2f4f5f; margin: 16px 0 4px 0; }
p, li, td { font-size: 13pt; color: #222; }
td.key { font-weight: 600; padding-right: 12px; }
td.word { padding-left: 8px; }
.cite { font-size: 12pt; color: #555; font-style: italic; }
.hint { font-size: 14pt; color: #555; }
.warn { color: #a33c00; }
.note { font-size: 11pt; color: #555; }
.also { font-size: 13pt; font-weight: 600; color: #a33c00; }
.rulekind { font-size: 15pt; font-weight: 700; margin: 18px 0 2px 0; }
.rule { font-weight: 700; font-size: 13pt; }
"""


class _HtmlPanel(QTextBrowser):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.document().setDefaultStyleSheet(PANEL_CSS)
        self.document().setDocumentMargin(14)

    def text(self) -> str:
        return self.toPlainText()


class ZonePanel(_HtmlPanel):
    """The selected zone: pressure, each stroke's status, technique, cautions, notes, citations."""

    shown = Signal(object)  # the zone now shown, or None

    def __init__(self, state: ViewerState, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("zonePanel")
        self.state = state
        self.zone: Zone | None = None
        #: the bone or kidney shown instead of a zone (picked through the skin), or None
        self.structure = None
        #: more sections shown under the zone's rules, from outside the map (the window's
        #: "Before you start": why a rule is reduced, a mark's condition):
        #: ``notes(zone, cover) -> list[Section]``, or None
        self.notes = None
        #: ``place(zone, cover) -> cover``: the rule that applies at the place shown, after
        #: "Before you start" (a limit, a mark), as a cover; or None
        self.place = None
        state.zoneSelected.connect(lambda _id: self._show_state())
        state.structureSelected.connect(lambda _s: self._show_state())
        state.mapChanged.connect(lambda _m: self._show_state())
        state.paletteChanged.connect(lambda _p: self._show_state())
        self.show_zone(None)

    def refresh(self) -> None:
        """Show the state's zone (or structure) anew: what :attr:`notes` says changed."""
        self._show_state()

    def _show_state(self) -> None:
        if self.state.structure is not None:
            self.show_structure(self.state.structure)
        else:
            self.show_zone(self.state.zone, self.state.cover)

    def show_structure(self, structure) -> None:
        """Show a bone or kidney picked through the skin: its name, what it is, its teaching
        note and the guide's own sentences behind it."""
        self.zone, self.structure = None, structure
        self.setHtml(structure_html(structure))
        self.shown.emit(None)

    def show_zone(self, zone: Zone | None, cover=None) -> None:
        """Show ``zone``; with ``cover`` (the place it was picked at), the rule that applies
        there and the other zones covering it."""
        self.zone, self.structure = zone, None
        self.setHtml(self._html(zone, cover) if zone is not None else _EMPTY_ZONE)
        self.shown.emit(zone)

    def _html(self, zone: Zone, cover=None) -> str:
        doc, palette = self.document(), get_palette(self.state.palette)
        if self.place is not None:
            cover = self.place(zone, cover)
        rule = cover.rule if cover is not None else zone
        rows = []
        for fact in zone_facts(zone, cover):
            chip = _chip(doc, zone_colour(rule, fact.mode, palette), zone_hatched(rule, fact.mode),
                         palette.hatch)
            note = f' <span class="note">({escape(fact.note)})</span>' if fact.note else ""
            rows.append(f'<tr><td class="key">{escape(fact.label)}</td><td>{chip}</td>'
                        f'<td class="word">{escape(fact.value)}{note}</td></tr>')
        parts = [f"<h1>{escape(zone.name)}</h1>",
                 '<table cellspacing="0" cellpadding="3">' + "".join(rows) + "</table>"]
        also = also_inside_text(cover)
        if also:
            parts.append(f'<p class="also">{escape(also)}.</p>')
        notes = self.notes(zone, cover) if self.notes is not None else []
        for section in [*notes, *zone_sections(zone)]:
            parts.append(f'<h2 class="warn">{escape(section.heading)}</h2>' if section.warning
                         else f"<h2>{escape(section.heading)}</h2>")
            parts.append(_section_html(section))
        return "".join(parts)


#: what a structure is, in the panel's line under its name
STRUCTURE_KINDS = {"bone": "Bone", "organ": "Organ"}
#: the heading over a structure's teaching note
STRUCTURE_NOTE_HEADING = "Why it matters for the massage"


def structure_html(structure) -> str:
    """The zone panel's text for a bone or kidney (a core ``Structure``)."""
    kind = STRUCTURE_KINDS.get(structure.kind, structure.kind.capitalize())
    side = f", {structure.side} side" if structure.side else ""
    parts = [f"<h1>{escape(structure.name)}</h1>",
             f'<p class="note">{escape(kind)}{escape(side)}, under the skin (x-ray)</p>']
    if structure.note:
        parts += [f'<h2 class="warn">{escape(STRUCTURE_NOTE_HEADING)}</h2>',
                  f"<p>{escape(structure.note)}</p>"]
    if structure.citations:
        parts.append(f"<h2>{escape(QUOTES_HEADING)}</h2>")
        parts += [f'<p class="cite">“{escape(c)}”</p>' for c in structure.citations]
    parts.append('<p class="hint">Click the skin for its zone; press <b>Esc</b> to clear, '
                 "<b>X</b> to leave the x-ray.</p>")
    return "".join(parts)


def _section_html(section: Section) -> str:
    if section.bulleted:
        return "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in section.paragraphs) + "</ul>"
    if section.kind == "citations":
        return "".join(f'<p class="cite">“{escape(p)}”</p>' for p in section.paragraphs)
    return "".join(f"<p>{escape(p)}</p>" for p in section.paragraphs)


_EMPTY_ZONE = ('<p class="hint">Click a zone on the back, or pick one from the list, to see '
               "how much pressure is safe there, which strokes belong there, and why.</p>"
               '<p class="hint">Press <b>Esc</b> to clear the selection, <b>F1</b> for all '
               "shortcuts.</p>")


# --------------------------------------------------------------------------- safety panel
#: how the guide's global rules are grouped, safety first
RULE_GROUPS = (
    ("avoid", "Never massage over", True),
    ("postpone", "Postpone the massage", True),
    ("limit", "Take extra care", True),
    ("prepare", "Before you start", False),
    ("sequence", "Order of the strokes", False),
    ("pacing", "Pressure and pace", False),
    ("close", "Closing the session", False),
)


class SafetyPanel(_HtmlPanel):
    """The map's global rules grouped by kind, each with the guide sentences it comes from."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("safetyPanel")
        state.mapChanged.connect(self.show_rules)

    def show_rules(self, rmap: RegionMap) -> None:
        parts = []
        known = {kind for kind, _, _ in RULE_GROUPS}
        groups = list(RULE_GROUPS) + [(k, k.capitalize(), False) for k in
                                      dict.fromkeys(r.kind for r in rmap.rules) if k not in known]
        for kind, heading, warn in groups:
            rules = [r for r in rmap.rules if r.kind == kind]
            if not rules:
                continue
            style = ' style="color:#a33c00"' if warn else ' style="color:#2f4f5f"'
            parts.append(f'<p class="rulekind"{style}>{escape(heading)}</p>')
            for rule in rules:
                parts.append(f'<p><span class="rule">{escape(rule.title)}</span><br>'
                             f"{escape(rule.text)}</p>")
                parts.append("".join(f'<p class="cite">“{escape(c)}”</p>' for c in rule.citations))
        self.setHtml("".join(parts))
