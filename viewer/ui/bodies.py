"""More bodies and skin tones in the window (issue 15): the Body menu, View → Skin tone, the
"table" camera and the props of a body lying prone.

Switching body goes through the window's own loading path (:meth:`MainWindow.open_files`, in a
worker thread); the colour mode, the selected zone (when the new body has it) and the camera
preset stay. A body shown before is kept built in memory, so switching back is immediate.
"""

from __future__ import annotations

from concurrent.futures import Future
from functools import partial

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup

from viewer.core import bodies as catalogue_mod
from viewer.core.errors import BackViewError
from viewer.core.palette import DEFAULT_SKIN_TONE, SKIN_TONES
from viewer.core.views import VIEWS
from viewer.render.props import PROPS_COLOUR, read_props

#: the colours of the props of a prone body (table, face cradle, bolster, towel): neutral greys
#: at most this many bodies stay built in memory (switching back to one is immediate)
KEEP_BUILT = 3
TABLE_VIEW = "table"
SETTINGS_KEY = "view/skin_tone"


class BodyChooser(QObject):
    """The Body menu and the Skin tone submenu of one window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        try:
            self.entries = catalogue_mod.catalogue()
        except BackViewError as exc:  # a broken bodies.json: the torso still opens
            self.entries = [catalogue_mod.torso_entry()]
            window.statusBar().showMessage(exc.line(), 8000)
        #: the id of the body shown (None: a mesh opened from a file)
        self.current: str | None = None
        self._pending: tuple[str, str | None, str | None] | None = None
        self._built: dict[str, object] = {}
        #: called once the body being loaded shows (e.g. the rest of a session)
        self.after_load = None
        tone = window.settings.q.value(SETTINGS_KEY, DEFAULT_SKIN_TONE)
        self.skin_tone = tone if tone in SKIN_TONES else DEFAULT_SKIN_TONE
        window.view.skin_tone = self.skin_tone
        self._build_menus()
        window.modelLoaded.connect(self._on_loaded)
        window.loadFailed.connect(self._on_failed)

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        w = self.window
        self.body_group = QActionGroup(self, exclusive=True)
        self.body_actions: dict[str, QAction] = {}
        self.body_menu = _menu(w, "&Body")
        w.menuBar().insertMenu(w.help_menu.menuAction(), self.body_menu)
        for entry in self.entries:
            act = QAction(f"{entry.name} ({entry.pose})", self, checkable=True)
            act.setToolTip(entry.description)
            act.setStatusTip(entry.description)
            act.triggered.connect(partial(self.choose, entry.id))
            self.body_group.addAction(act)
            self.body_menu.addAction(act)
            self.body_actions[entry.id] = act

        self.tone_group = QActionGroup(self, exclusive=True)
        self.tone_actions: dict[str, QAction] = {}
        self.tone_menu = _menu(w, "Skin tone")
        w.view_menu.insertMenu(w.camera_menu.menuAction(), self.tone_menu)
        for tone in SKIN_TONES.values():
            act = QAction(tone.name, self, checkable=True)
            act.triggered.connect(partial(self.set_skin_tone, tone.id))
            self.tone_group.addAction(act)
            self.tone_menu.addAction(act)
            self.tone_actions[tone.id] = act
        self.tone_actions[self.skin_tone].setChecked(True)

        self.act_table = QAction("From beside the table", self)
        self.act_table.setIconText("Table")
        self.act_table.setToolTip("View from: beside the massage table (a body lying prone)")
        self.act_table.triggered.connect(self.table_view)
        self.act_table.setEnabled(False)
        self.act_table.setVisible(TABLE_VIEW in VIEWS)  # the preset comes with viewer.core.views
        w.camera_menu.addAction(self.act_table)
        w.toolbar.insertAction(w.act_reset, self.act_table)

    # ------------------------------------------------------------------ bodies
    def entry(self, body_id: str | None):
        return next((e for e in self.entries if e.id == body_id), None)

    def choose(self, body_id: str) -> bool:
        """Show the catalogue's body ``body_id`` (False: not started — unsaved landmark edits
        kept, or another file still loading). Colour mode, selected zone and view stay."""
        w = self.window
        entry = self.entry(body_id)
        if entry is None:
            raise KeyError(body_id)
        if body_id == self.current and w.model is not None:
            return True
        if not w.landmark_editor.maybe_save("switching to another body"):
            self._check_current()
            return False
        if self.current is not None and w.model is not None:
            self._keep(self.current, w.model)
        rmap = w.model.rmap if w.model is not None else None
        self._pending = (body_id, w.state.zone_id, w.view.view_name)
        built = self._built.get(body_id)
        if built is not None and built.rmap is rmap:
            future: Future = Future()
            future.set_result(built)
            started = w.open_files(future=future, kind="body")
        else:
            started = w.open_files(mesh=entry.mesh_path, landmarks=entry.landmarks_path, rmap=rmap,
                                   kind="body")
        if started:
            w.statusBar().showMessage(f"Loading {entry.name}…")
        else:
            self._pending = None
            self._check_current()
        return started

    def _keep(self, body_id: str, model) -> None:
        self._built.pop(body_id, None)
        self._built[body_id] = model
        while len(self._built) > KEEP_BUILT:
            self._built.pop(next(iter(self._built)))

    def _on_loaded(self, model) -> None:
        w = self.window
        pending, self._pending = self._pending, None
        if pending is not None:
            body_id, zone_id, view = pending
        else:  # a start-up or File → Open: is it one of the catalogue's?
            body_id = next((e.id for e in self.entries
                            if model.body.mesh_path is not None
                            and e.mesh_path.resolve() == model.body.mesh_path.resolve()), None)
            zone_id = view = None
        self.current = body_id
        self._check_current()
        entry = self.entry(body_id)
        if model.zoned:
            self._keep(body_id, model) if body_id else None
            if zone_id is not None and zone_id in model.rmap.by_id:
                w.state.select(zone_id)
            prone = entry is not None and entry.pose == "prone"
            self.act_table.setEnabled(prone and TABLE_VIEW in VIEWS)
            if prone and TABLE_VIEW in VIEWS and view in (None, "back"):
                view = TABLE_VIEW  # as the therapist beside the table sees it
            if view is not None and view != w.view.view_name and (
                    view != TABLE_VIEW or prone):
                w.view.set_view(view)
        else:
            self.act_table.setEnabled(False)
        self._show_props(entry)
        if entry is not None:
            w.setWindowTitle(f"BackView — {entry.name} — {model.rmap.info.name}[*]")
            w.statusBar().showMessage(f"Showing {entry.name} ({entry.pose})", 4000)
        after, self.after_load = self.after_load, None
        if after is not None:
            after()

    def _on_failed(self, *_args) -> None:
        self._pending = self.after_load = None
        self._check_current()

    def _check_current(self) -> None:
        for body_id, act in self.body_actions.items():
            act.setChecked(body_id == self.current)

    def _show_props(self, entry) -> None:
        """The table, face cradle, bolster and towel of a prone body, in neutral colours and not
        pickable (a click on them selects nothing)."""
        plotter = self.window.plotter
        plotter.remove_actor("props", render=False)
        try:
            props = read_props(entry)
        except BackViewError as exc:  # a broken props file: the body still shows
            self.window.statusBar().showMessage(f"cannot draw the table: {exc.line()}", 6000)
            return
        if props is None:
            return
        plotter.add_mesh(props, color=PROPS_COLOUR, smooth_shading=True, ambient=0.4,
                         diffuse=0.6, specular=0.02, name="props", pickable=False, render=False)
        self.window.view.request_render()

    def table_view(self) -> None:
        if TABLE_VIEW in VIEWS:
            self.window.view.set_view(TABLE_VIEW)

    # ------------------------------------------------------------------ skin tones
    def set_skin_tone(self, tone: str, remember: bool = True) -> None:
        """Draw the skin in ``tone`` (an id of viewer.core.palette.SKIN_TONES) at once."""
        if tone not in SKIN_TONES:
            raise KeyError(tone)
        self.skin_tone = tone
        self.tone_actions[tone].setChecked(True)
        view = self.window.view
        view.skin_tone = tone
        if view.actors is not None:
            view.actors.set_skin_tone(tone, render=False)
            view.request_render()
        elif view.bare_body is not None:
            view.show_bare(view.bare_body, "")
        if remember:
            self.window.settings.q.setValue(SETTINGS_KEY, tone)


def _menu(window, title: str):
    from PySide6.QtWidgets import QMenu

    return QMenu(title, window)
