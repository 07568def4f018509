"""The bodies BackView ships: the torso, and the bodies of ``meshes/bodies/bodies.json``.

``backview bodies`` lists them; ``--body ID`` picks one wherever ``--mesh`` could be given. The
index (built by a tools/ script, issue 15) names each body's mesh, landmarks and, for a body
lying on a massage table, the props drawn around it (table, face cradle, bolster, towel)::

    {"bodies": [{"id": "prone-table", "name": "...", "pose": "prone", "description": "...",
                 "mesh": "prone-table.ply", "landmarks": "prone-table.landmarks.json",
                 "props": "prone-table.props.ply", "parameters": {...}}]}

The shipped torso (``meshes/torso.ply``) is not in the index: the catalogue adds it first, as
``torso``, the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from viewer.core.errors import BackViewError, unknown_choice
from viewer.core.paths import data_dir, default_mesh
from viewer.core.schema import Line, Text, read_json_model

DEFAULT_BODY = "torso"
INDEX_NAME = "bodies.json"
Pose = Literal["standing", "prone"]
#: a body's id: lower case words joined by hyphens
BodyIdText = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
#: a file beside the index: a plain name, no folder
FileName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^/\\]+$")]


class IndexEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: BodyIdText
    name: Line
    pose: Pose
    description: Text
    mesh: FileName
    landmarks: FileName
    props: FileName | None = None
    #: the parametric model's settings the body was built from (for the reader)
    parameters: dict[str, float | int | str | bool] = Field(default_factory=dict)


class BodyIndex(BaseModel):
    """Schema of ``meshes/bodies/bodies.json``."""

    model_config = ConfigDict(extra="forbid")

    bodies: list[IndexEntry] = Field(max_length=100)


@dataclass(frozen=True)
class BodyEntry:
    """One body of the catalogue: its files (absolute) and the words ``backview bodies`` shows."""

    id: str
    name: str
    pose: str                # "standing" or "prone"
    description: str
    mesh_path: Path
    landmarks_path: Path
    props_path: Path | None = None


def torso_entry() -> BodyEntry:
    mesh = default_mesh()
    return BodyEntry(DEFAULT_BODY, "Torso (the shipped mannequin)", "standing",
                     "The adult torso BackView has always shown: head to hips, arms cut away.",
                     mesh, mesh.with_name(mesh.stem + ".landmarks.json"), None)


def index_path(folder: Path | None = None) -> Path:
    """``meshes/bodies/bodies.json`` (it may not exist: then only the torso is offered)."""
    return (data_dir("meshes") / "bodies" if folder is None else Path(folder)) / INDEX_NAME


def load_index(path: str | Path) -> list[BodyEntry]:
    """The bodies of an index file; a mistake is one line naming the file and the field."""
    path = Path(path)
    doc = read_json_model(path, BodyIndex, "a body index")
    seen = {DEFAULT_BODY}
    out = []
    for i, e in enumerate(doc.bodies):
        if e.id in seen:
            raise BackViewError(f"id '{e.id}' is used twice (or is the shipped torso's)", path,
                                f"bodies[{i}]:id")
        seen.add(e.id)
        folder = path.parent
        out.append(BodyEntry(e.id, e.name, e.pose, e.description, folder / e.mesh,
                             folder / e.landmarks, folder / e.props if e.props else None))
    return out


def catalogue(index: str | Path | None = None) -> list[BodyEntry]:
    """Every body, the torso first. ``index``: another ``bodies.json`` (tests); by default the
    shipped one, when there is one."""
    path = Path(index) if index is not None else index_path()
    extra = load_index(path) if path.exists() else []
    return [torso_entry(), *extra]


def body_ids(index: str | Path | None = None) -> list[str]:
    return [e.id for e in catalogue(index)]


def body_entry(body_id: str, index: str | Path | None = None, field: str = "body") -> BodyEntry:
    """The entry of ``body_id``; an unknown id is one line listing the valid ones."""
    entries = catalogue(index)
    for entry in entries:
        if entry.id == body_id:
            return entry
    raise unknown_choice("body", body_id, [e.id for e in entries], field)


def load_body(body_id: str = DEFAULT_BODY, index: str | Path | None = None):
    """The :class:`~viewer.core.body.Body` of a catalogue entry (mesh and landmarks)."""
    from viewer.core.body import Body

    entry = body_entry(body_id, index)
    return Body.load(entry.mesh_path, entry.landmarks_path)
