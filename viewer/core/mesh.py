"""Reading a body mesh from any common format, through trimesh, with clear errors.

trimesh is imported when a mesh is first read, not with the core: the window reads the mesh in
a worker thread while its main thread imports Qt and pyvista.
"""

from __future__ import annotations

import json
import logging
import struct
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from viewer.core.errors import MeshError

if TYPE_CHECKING:
    import trimesh

#: File endings BackView opens, and the trimesh loader each one goes through.
MESH_FORMATS = {
    ".obj": "obj",
    ".ply": "ply",
    ".stl": "stl",
    ".glb": "glb",
    ".gltf": "gltf",
    ".off": "off",
}


def load_mesh(path: str | Path) -> trimesh.Trimesh:
    """Load ``path`` as one triangulated surface.

    Raises :class:`MeshError` (one line naming the file and the problem) when the file is
    missing, a folder, unreadable, of an unknown format, truncated or empty, has no faces, or
    has vertices that are not finite numbers.
    """
    path = Path(path)
    if not path.exists():
        raise MeshError("no such file", path)
    if path.is_dir():
        raise MeshError("is a folder, not a mesh file", path)
    if not path.is_file():  # a FIFO or a device would block or never end
        raise MeshError("is not a regular file", path)
    kind = MESH_FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(MESH_FORMATS))
        raise MeshError(f"unknown mesh format '{path.suffix or '(none)'}' (BackView opens {known})", path)
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise MeshError(f"cannot be read: {exc.strerror or exc}", path) from None
    if path.stat().st_size == 0:
        raise MeshError("is empty", path)

    if kind == "gltf":
        _check_gltf_json(path)

    import trimesh

    try:
        loaded = _trimesh_load(path, kind, force="mesh")
    except MeshError:
        raise
    except Exception as exc:  # trimesh's readers raise many kinds on corrupt input
        raise MeshError(f"cannot be read as {kind.upper()} (truncated or corrupt?): {_detail(exc)}",
                        path) from None
    if not isinstance(loaded, trimesh.Trimesh):
        raise MeshError(f"holds no surface mesh (found {type(loaded).__name__})", path)
    if len(loaded.vertices) == 0 or len(loaded.faces) == 0:
        _diagnose_empty(path, kind)
    return check_surface(loaded, path)


def _trimesh_load(path: Path, kind: str, force: str | None):
    import trimesh

    with warnings.catch_warnings(), _quiet_trimesh():
        warnings.simplefilter("ignore")
        return trimesh.load(path, file_type=kind, force=force, process=False, skip_materials=True)


def _detail(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"refers to a file that does not exist: {exc.filename or exc}"
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    first = text.splitlines()[0]
    # KeyError('accessors') and the like say nothing on their own
    return f"{type(exc).__name__}: {first}" if isinstance(exc, (KeyError, IndexError)) else first


def _check_gltf_json(path: Path) -> None:
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise MeshError("cannot be read as GLTF: it is not UTF-8 text (a binary .glb renamed?)",
                        path) from None
    except json.JSONDecodeError as exc:
        raise MeshError(f"cannot be read as GLTF (truncated or corrupt?): not valid JSON "
                        f"(line {exc.lineno}, column {exc.colno}: {exc.msg})", path) from None


def _diagnose_empty(path: Path, kind: str) -> None:
    """Say *why* a file gave no surface: a point cloud, or a truncated binary STL."""
    if kind == "stl":
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(84)
        if len(head) == 84 and not head.lstrip().startswith(b"solid"):
            (count,) = struct.unpack("<I", head[80:84])
            expected = 84 + 50 * count
            if size != expected:
                raise MeshError(f"is truncated or corrupt: its header declares {count:,} triangles "
                                f"({expected:,} bytes) but the file has {size:,} bytes", path)
    import trimesh

    try:
        raw = _trimesh_load(path, kind, force=None)
    except Exception:
        return  # check_surface reports the emptiness
    if isinstance(raw, trimesh.Scene):
        geoms = list(raw.geometry.values())
        points = sum(len(g.vertices) for g in geoms if isinstance(g, trimesh.PointCloud))
        if points and not any(isinstance(g, trimesh.Trimesh) and len(g.faces) for g in geoms):
            raw = trimesh.PointCloud(np.zeros((points, 3)))
    if isinstance(raw, trimesh.PointCloud) and len(raw.vertices):
        raise MeshError(f"has {len(raw.vertices):,} vertices but no faces: BackView needs a "
                        "surface, not a point cloud", path, "faces")


def check_surface(mesh: trimesh.Trimesh, path: str | Path | None = None) -> trimesh.Trimesh:
    """Refuse meshes BackView cannot draw or assign zones on."""
    vertices = np.asarray(mesh.vertices)
    faces = np.asarray(mesh.faces)
    if len(vertices) == 0:
        raise MeshError("has no vertices (empty or truncated file)", path, "vertices")
    if len(faces) == 0:
        raise MeshError("has no faces: BackView needs a surface, not a point cloud", path, "faces")
    bad = ~np.isfinite(vertices).all(axis=1)
    if bad.any():
        raise MeshError(f"{int(bad.sum())} vertices are not finite numbers (NaN or inf), "
                        f"the first is vertex {int(np.argmax(bad))}", path, "vertices")
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise MeshError("faces refer to vertices that do not exist", path, "faces")
    return mesh


class _quiet_trimesh:
    """trimesh logs parse problems at ERROR level; BackView reports them itself, once."""

    def __enter__(self):
        self.logger = logging.getLogger("trimesh")
        self.level = self.logger.level
        self.logger.setLevel(logging.CRITICAL)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)
        return False
