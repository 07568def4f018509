"""Reading a body mesh from any common format, through trimesh, with clear errors."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import trimesh

from viewer.core.errors import MeshError

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

    try:
        with warnings.catch_warnings(), _quiet_trimesh():
            warnings.simplefilter("ignore")
            loaded = trimesh.load(path, file_type=kind, force="mesh", process=False,
                                  skip_materials=True)
    except MeshError:
        raise
    except Exception as exc:  # trimesh's readers raise many kinds on corrupt input
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MeshError(f"cannot be read as {kind.upper()} (truncated or corrupt?): {detail}",
                        path) from None
    if not isinstance(loaded, trimesh.Trimesh):
        raise MeshError(f"holds no surface mesh (found {type(loaded).__name__})", path)
    return check_surface(loaded, path)


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
