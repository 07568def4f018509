"""Names of the posterior surface landmarks and vertebral levels BackView works with."""

from __future__ import annotations

import re

#: Spinous processes BackView's landmarks carry, top to bottom.
VERTEBRAL_LEVELS: tuple[str, ...] = (
    ("C7",) + tuple(f"T{i}" for i in range(1, 13)) + tuple(f"L{i}" for i in range(1, 6)) + ("S1", "S2")
)
#: Levels a landmarks file must have (S1 is optional: S2 stands for the sacral base).
REQUIRED_LEVELS: tuple[str, ...] = tuple(v for v in VERTEBRAL_LEVELS if v != "S1")

#: Bilateral landmarks: each is stored as ``<name>_left`` and ``<name>_right``.
BILATERAL: dict[str, str] = {
    "acromion": "acromion",
    "scapular_spine_root": "root of the scapular spine",
    "superior_angle": "superior angle of the scapula",
    "medial_border_mid": "midpoint of the scapula's medial border",
    "inferior_angle": "inferior angle of the scapula",
    "iliac_crest_top": "top of the iliac crest",
    "psis": "posterior superior iliac spine (PSIS)",
    "rib11_tip": "tip of rib 11",
    "rib12_tip": "tip of rib 12",
}
SIDES = ("left", "right")

EOP = "external_occipital_protuberance"


def spinous(level: str) -> str:
    """Landmark name of a vertebral level's spinous process: ``spinous_T7``."""
    return f"spinous_{level}"


def landmark_name(token: str, side: str | None = None) -> str:
    """The landmark a region map or lesson names with ``token``: ``EOP`` -> the external
    occipital protuberance, a vertebral level (``T7``) -> its spinous process, a bilateral name
    (``inferior_angle``) -> the one on ``side`` (left when none is given), any other name as is."""
    if token == "EOP":
        return EOP
    if is_level(token):
        return spinous(token)
    if token in BILATERAL:
        return f"{token}_{side or 'left'}"
    return token


def required_landmarks() -> tuple[str, ...]:
    names = [EOP] + [spinous(v) for v in REQUIRED_LEVELS]
    names += [f"{b}_{s}" for b in BILATERAL for s in SIDES]
    return tuple(names)


def known_landmarks() -> tuple[str, ...]:
    """Every landmark name a landmarks file may hold: the required ones and spinous_S1."""
    return required_landmarks() + (spinous("S1"),)


def known_landmarks_text() -> str:
    """The known landmarks in one short phrase, for an error line."""
    return (f"{EOP}, spinous_C7 ... spinous_S2 (C7, T1-T12, L1-L5, S1, S2), and "
            + ", ".join(BILATERAL) + " with _left or _right")


def describe(name: str) -> str:
    """A reader's name for a landmark: ``inferior_angle_left`` -> 'inferior angle of the scapula (left)'."""
    if name == EOP:
        return "external occipital protuberance"
    if name.startswith("spinous_"):
        return f"spinous process of {name.removeprefix('spinous_')}"
    base, _, side = name.rpartition("_")
    if base in BILATERAL and side in SIDES:
        return f"{BILATERAL[base]} ({side})"
    return name.replace("_", " ")


_LEVEL = re.compile(r"^(C7|T(?:[1-9]|1[0-2])|L[1-5]|S[12])$")


def is_level(text: str) -> bool:
    return bool(_LEVEL.match(text))


def level_index(level: str) -> int:
    """Position of a level from the top (C7 = 0). Raises ``ValueError`` for a level BackView
    does not know, such as 'T13' or 'C3'."""
    if not is_level(level):
        raise ValueError(f"'{level}' is not a vertebral level BackView knows "
                         f"(C7, T1-T12, L1-L5, S1, S2)")
    return VERTEBRAL_LEVELS.index(level)
