"""Where each landmark lies on the body, in words: the short label of its marker, its name and
how to find it on the skin (``meshes/landmarks-guide.toml``), for the window's landmark editor.

    guide = landmark_guide()
    guide.short("inferior_angle_left")   # 'inf. angle L'
    guide.name("spinous_T7")             # 'Spinous process of T7'
    guide.where("psis_right")            # 'The right of the two dimples above the buttocks, ...'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from viewer.core import anatomy
from viewer.core.paths import data_dir

#: the entry of every spinous process
SPINOUS = "spinous"
_SIDE_LETTER = {"left": "L", "right": "R"}


@dataclass(frozen=True)
class GuideEntry:
    short: str
    name: str
    where: str


class LandmarkGuide:
    """The words of ``landmarks-guide.toml`` for every landmark BackView knows."""

    def __init__(self, entries: dict[str, GuideEntry], hints: dict[str, str]):
        self._entries = entries
        self._hints = hints

    def entry(self, landmark: str) -> GuideEntry:
        """The entry for one landmark, its placeholders filled in; KeyError for an unknown one."""
        if landmark.startswith("spinous_"):
            level = landmark.removeprefix("spinous_")
            if not anatomy.is_level(level):
                raise KeyError(landmark)
            e = self._entries[SPINOUS]
            fill = {"level": level, "hint": self._hints.get(level, "")}
            return GuideEntry(e.short.format(**fill), e.name.format(**fill),
                              e.where.format(**fill).strip())
        if landmark in self._entries:
            return self._entries[landmark]
        base, _, side = landmark.rpartition("_")
        if side not in anatomy.SIDES or base not in self._entries:
            raise KeyError(landmark)
        e = self._entries[base]
        fill = {"side": side, "s": _SIDE_LETTER[side]}
        return GuideEntry(e.short.format(**fill), e.name.format(**fill), e.where.format(**fill))

    def short(self, landmark: str) -> str:
        return self.entry(landmark).short

    def name(self, landmark: str) -> str:
        return self.entry(landmark).name

    def where(self, landmark: str) -> str:
        return self.entry(landmark).where


def guide_path() -> Path:
    return data_dir("meshes") / "landmarks-guide.toml"


@lru_cache(maxsize=1)
def landmark_guide(path: Path | None = None) -> LandmarkGuide:
    """The shipped guide (read once)."""
    raw = tomllib.loads((path or guide_path()).read_text(encoding="utf-8"))
    hints = dict(raw.get(SPINOUS, {}).pop("hints", {}))
    entries = {key: GuideEntry(value["short"], value["name"], " ".join(value["where"].split()))
               for key, value in raw.items()}
    hints = {k: " ".join(v.split()) for k, v in hints.items()}
    return LandmarkGuide(entries, hints)


def landmark_order() -> tuple[str, ...]:
    """Every landmark in the order a walk visits them: the skull and the spine top to bottom,
    then the shoulder blades, the ribs and the pelvis, left before right."""
    names = [anatomy.EOP] + [anatomy.spinous(v) for v in anatomy.VERTEBRAL_LEVELS]
    for base in ("acromion", "superior_angle", "scapular_spine_root", "medial_border_mid",
                 "inferior_angle", "rib12_tip", "rib11_tip", "iliac_crest_top", "psis"):
        names += [f"{base}_{side}" for side in anatomy.SIDES]
    return tuple(names)
