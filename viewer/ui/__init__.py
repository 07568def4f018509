"""The desktop window (PySide6 + pyvistaqt). The only layer that imports Qt.

- :mod:`viewer.ui.state` — the selection and colour mode, one small QObject everything observes;
- :mod:`viewer.ui.view3d` — the 3D view: puts a :class:`~viewer.render.scene.BodyScene` in a
  QtInteractor, follows the state, turns clicks and hovers into zones;
- :mod:`viewer.ui.picking` — a widget position to a zone (a cell picker with a cell locator);
- :mod:`viewer.ui.panels` — legend, zone list, zone panel, safety panel;
- :mod:`viewer.ui.main_window` — menus, toolbar, docks, opening files;
- :mod:`viewer.ui.settings` — what the window remembers (QSettings);
- :mod:`viewer.ui.app` — :func:`~viewer.ui.app.run`, called by ``backview``.
"""
