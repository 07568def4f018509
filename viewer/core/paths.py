"""Where the shipped data lives, in a checkout and in an installed wheel alike."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def data_dir(name: str) -> Path:
    """The shipped ``meshes`` or ``region_maps`` folder.

    A wheel carries them as ``viewer/_data/<name>``; a checkout (or an editable install) has
    them at the repository's top level.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"BackView's data folder '{name}' is missing from this installation")


def default_mesh() -> Path:
    return data_dir("meshes") / "torso.ply"


def default_region_map() -> Path:
    return data_dir("region_maps") / "back-massage.toml"


def guide_text_path() -> Path:
    return data_dir("region_maps") / "back-massage-guide.txt"
