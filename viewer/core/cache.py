"""The on-disk cache of what is derived from a body and a region map (the zone assignment, the
renderer's cut surface): one folder, one key, one atomic writer.

A cache file that cannot be read (missing, empty, truncated, of another format) is rebuilt,
never trusted; a cache that cannot be written only costs time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from viewer.core.atomic import atomic_write
from viewer.core.body import Body
from viewer.core.regionmap import RegionMap

#: bump when the zone fields or the assignment change, so every cached file is rebuilt
CACHE_VERSION = 7  # 7: faces in several zones kept (ZoneAssignment.multi_*)

T = TypeVar("T")


def default_cache_dir() -> Path:
    """The user's BackView cache folder (tests and benchmarks patch this one function)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("backview", appauthor=False)) / "zones"


def cache_key(body: Body, rmap: RegionMap) -> str:
    """A content hash of the body (mesh, landmarks, unit) and the map."""
    h = hashlib.sha256()
    h.update(f"v{CACHE_VERSION}".encode())
    h.update(np.ascontiguousarray(body.mesh.vertices, np.float64).tobytes())
    h.update(np.ascontiguousarray(body.mesh.faces, np.int64).tobytes())
    h.update(json.dumps({k: v.tolist() for k, v in sorted(body.landmarks.items())}).encode())
    h.update(str(body.unit).encode())
    h.update(rmap.data.model_dump_json().encode())
    return h.hexdigest()


def cache_file(key: str, suffix: str, folder: Path | None = None) -> Path:
    """The file of one cached thing (``suffix`` names it, e.g. ``.npz``) for one key."""
    return (folder or default_cache_dir()) / f"{key}{suffix}"


def read_cached(path: Path, reader: Callable[[Path], T | None]) -> T | None:
    """``reader(path)``, or None when the file is missing or damaged in any way."""
    if not path.is_file():
        return None
    try:
        return reader(path)
    except Exception:  # a damaged file (empty, truncated, another format) is rebuilt, not trusted
        return None


def write_cached(path: Path, writer: Callable[[Path], object]) -> None:
    """Write one cache file atomically through ``writer(tmp_path)``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, writer)
    except OSError:
        pass  # a cache that cannot be written only costs time
