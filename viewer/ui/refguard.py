"""A guard against a reference-count bug of PySide6 6.12 on CPython before 3.12.

There, every call of a Qt method that returns nothing (``label.setText``, ``timer.stop``, ...)
takes one reference from ``None`` that it never gave, and every emission of a ``bool`` signal
(``QAction.toggled``, ...) one from ``True`` or ``False``. CPython 3.12 made these objects
immortal (PEP 683), so nothing happens there; on 3.11 their counts fall by one per call, and
after some thousands of clicks, mode switches and hovers the interpreter aborts ("Fatal Python
error: none_dealloc: deallocating None", or "bool_dealloc"): a long session in the window ended
this way (issue 11).

:func:`guard_none` looks for the leak (a few calls of such a method) and, only when it is
there, gives ``None``, ``True`` and ``False`` a reserve of references, which is what 3.12 does
for them.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject

#: references given to None when the leak is found: more calls than a session can make
RESERVE = 1 << 48
#: calls of a method returning nothing made to look for the leak
PROBE_CALLS = 64


def none_references_lost(calls: int = PROBE_CALLS) -> int:
    """How many references to ``None`` ``calls`` calls of ``QObject.setObjectName`` lose
    (0 with a sound PySide6)."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None)


def guard_none() -> bool:
    """Give ``None``, ``True`` and ``False`` :data:`RESERVE` references each if Qt calls leak
    them (once); True if so."""
    if sys.version_info >= (3, 12) or sys.getrefcount(None) > RESERVE // 2:
        return False
    if none_references_lost() < PROBE_CALLS // 2:
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += RESERVE
    return True
