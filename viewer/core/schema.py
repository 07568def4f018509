"""What every BackView file format shares: strict models and the shape of ids and versions.

Region maps, lessons and sessions are pydantic models built on :class:`Strict`: an unknown
field is an error (a typo never passes silently) and a loaded file is not changed afterwards.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: a short identifier: a lower-case letter, then lower-case letters, digits and hyphens
ID_PATTERN = r"^[a-z][a-z0-9-]*$"
#: a file's version: 1.0 or 1.0.2
VERSION_PATTERN = r"^\d+\.\d+(\.\d+)?$"

#: schema fields holding an id (``spine``, ``prepare``) and a version (``1.2``)
Identifier = Annotated[str, Field(pattern=ID_PATTERN)]
Version = Annotated[str, Field(pattern=VERSION_PATTERN)]


class Strict(BaseModel):
    """A file format's model: unknown fields refused, values frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)
