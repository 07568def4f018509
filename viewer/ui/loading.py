"""Loading a body and a region map and building their scene, off the GUI thread.

Building a scene can take seconds the first time (the surface is cut along every zone border,
then cached on disk); the window stays responsive meanwhile and shows that it is busy. VTK's
filters release the GIL, so the GUI thread keeps running.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal

from viewer.core.body import Body
from viewer.core.regionmap import RegionMap, load_region_map
from viewer.render.scene import BodyScene


@dataclass(frozen=True)
class Model:
    """What the window shows: a body, a region map, and the scene built from both.

    A body without any landmarks has no zones: ``scene`` is None and the window shows the bare
    mesh (zones, colours, lessons and exports need landmarks)."""

    body: Body
    rmap: RegionMap
    scene: BodyScene | None

    @property
    def zoned(self) -> bool:
        return self.scene is not None

    def no_zones_line(self) -> str:
        """Why there are no zones, and what to do: one line for the status bar and dialogs."""
        name = self.body.mesh_path.name if self.body.mesh_path else "this mesh"
        return (f"No landmarks for {name}: zones need them — fit them automatically or load a "
                "landmarks file (File menu)")


def build_model(mesh: str | Path | None = None, landmarks: str | Path | None = None,
                region_map: str | Path | None = None, *, body: Body | None = None,
                rmap: RegionMap | None = None) -> Model:
    """Load what is not given and build the scene (none for a body without landmarks).
    Raises BackViewError subclasses."""
    body = body if body is not None else Body.load(mesh, landmarks)
    rmap = rmap if rmap is not None else load_region_map(region_map)
    return Model(body, rmap, BodyScene(body, rmap) if body.landmarks else None)


def build_in_background(**kwargs) -> Future:
    """:func:`build_model` in a daemon thread, started now (at start-up, before the window
    exists: building the scene overlaps with building the window)."""
    future: Future = Future()

    def work():
        try:
            future.set_result(build_model(**kwargs))
        except BaseException as exc:  # noqa: BLE001 (handed over to whoever waits)
            future.set_exception(exc)

    threading.Thread(target=work, name="backview-scene", daemon=True).start()
    return future


def in_worker(job: Callable[[], object], report: Callable[[object, bool], None],
              name: str) -> None:
    """Run ``job()`` in a daemon thread, then ``report(result, True)``, or ``report(exception,
    False)`` when it raised (the window tells the user). ``report`` is a signal's ``emit``
    connected to the GUI thread; a window closed meanwhile is not an error."""

    def work():
        try:
            result, ok = job(), True
        except Exception as exc:  # reported to the user by the window
            result, ok = exc, False
        try:
            report(result, ok)
        except RuntimeError:  # the window was closed meanwhile
            pass

    threading.Thread(target=work, name=name, daemon=True).start()


class Loader(QObject):
    """Runs one job at a time in a worker thread; reports on the GUI thread."""

    #: (tag, Model) when a job succeeded
    finished = Signal(object, object)
    #: (tag, exception) when it failed
    failed = Signal(object, object)
    _done = Signal(object, object, bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.busy = False
        self._done.connect(self._report, Qt.ConnectionType.QueuedConnection)

    def start(self, tag, job: Callable[[], Model]) -> bool:
        """Run ``job`` in a thread; False (and nothing started) while another job runs."""
        if self.busy:
            return False
        self.busy = True
        in_worker(job, lambda result, ok: self._done.emit(tag, result, ok), "backview-load")
        return True

    def _report(self, tag, result, ok: bool) -> None:
        self.busy = False
        (self.finished if ok else self.failed).emit(tag, result)
