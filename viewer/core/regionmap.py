"""Region maps: massage zones and global safety rules, as validated data.

A region map is a TOML file (see ``region_maps/back-massage.toml`` and its JSON Schema
``region_maps/region-map.schema.json``). Zones are described in anatomical terms on the body's
landmarks (vertebral levels, lateral distance from the midline in cm, polygons and bands through
named landmarks), never by vertex indices, so one map fits any mesh that carries the landmarks.

Every rule cites the sentences of the guide it comes from; ``load_region_map`` checks that each
citation really occurs in the guide.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from viewer.core import anatomy
from viewer.core.errors import BackViewError, RegionMapError
from viewer.core.paths import default_region_map
from viewer.core.schema import (
    Citation,
    Identifier,
    Line,
    Strict,
    Text,
    Version,
    bounded,
    field_path,
    problem_message,
)

if TYPE_CHECKING:
    from viewer.core.screening import Condition

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


# --------------------------------------------------------------------------- vocabulary
class Stroke(str, Enum):
    EFFLEURAGE = "effleurage"
    PETRISSAGE = "petrissage"
    FRICTION = "friction"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class StrokeStatus(str, Enum):
    """How a stroke may be used on a zone, from most to least permissive."""

    RECOMMENDED = "recommended"
    ALLOWED = "allowed"
    LIGHT_ONLY = "light-only"
    AVOID = "avoid"

    @property
    def rank(self) -> int:
        """0 = most cautious (avoid) .. 3 = least (recommended)."""
        return _STATUS_RANK[self]

    @property
    def label(self) -> str:
        return {"light-only": "Light only"}.get(self.value, self.value.capitalize())


class Pressure(str, Enum):
    """How much pressure is safe on a zone, from none to the most."""

    AVOID = "avoid"
    LIGHT = "light"
    MODERATE = "moderate"
    FIRM = "firm"

    @property
    def rank(self) -> int:
        """0 = most cautious (avoid) .. 3 = least (firm)."""
        return _PRESSURE_RANK[self]

    @property
    def label(self) -> str:
        return {"avoid": "No pressure"}.get(self.value, self.value.capitalize())


_STATUS_RANK = {StrokeStatus.AVOID: 0, StrokeStatus.LIGHT_ONLY: 1, StrokeStatus.ALLOWED: 2,
                StrokeStatus.RECOMMENDED: 3}
_PRESSURE_RANK = {Pressure.AVOID: 0, Pressure.LIGHT: 1, Pressure.MODERATE: 2, Pressure.FIRM: 3}

Side = Literal["left", "right"]

# --------------------------------------------------------------------------- plausible ranges
# Every number of a map has a range a real back allows (README "Region-map format" says why):
# a typo such as 25 for 2.5 falls outside it wherever anatomy makes it implausible.
#: an anchor's offset from its landmark, away from the midline: half the widest back is ~20 cm
OffsetLateral = bounded(-20, 20, "cm", "offset away from the midline, in cm (-20 to 20)")
#: an anchor's offset upwards: 20 cm is six or more vertebral levels; name another level instead
OffsetUp = bounded(-20, 20, "cm", "offset upwards, in cm (-20 to 20)")
#: a shape's distance from the midline: no adult back reaches 30 cm from it
FromMidline = bounded(0, 30, "cm")
#: growing a level range: beyond ~3 vertebral levels (10 cm), name another level
Extension = bounded(-10, 10, "cm")
#: a band is a strip for one or two hands
BandWidth = bounded(0.5, 15, "cm", "full width of a band, in cm (0.5 to 15)")
#: the angle between the skin's normal and straight back
FacingAngle = bounded(1, 180, "degrees")
#: in front of the acromions' coronal plane: the torso is 20-30 cm deep, the chest lies beyond 15
FrontLimit = bounded(-10, 15, "cm")


# --------------------------------------------------------------------------- schema
class Anchor(Strict):
    """A point in the body's coronal plane: a landmark or vertebral level, plus offsets.

    ``at`` is a vertebral level (``T7``, on the midline), ``EOP``, or a landmark name; a
    bilateral landmark is named without its side (``inferior_angle``) and resolves to the
    zone's own side. ``lateral_cm`` moves away from the midline (towards the zone's side),
    ``up_cm`` moves up.
    """

    at: str = Field(description="vertebral level (C7, T1-T12, L1-L5, S1, S2), 'EOP', or a "
                                "landmark name (bilateral ones without _left/_right)")
    level: str | None = Field(None, description="take the height from this vertebral level "
                                                "(or 'EOP') instead of from 'at'")
    lateral_cm: OffsetLateral = 0.0
    up_cm: OffsetUp = 0.0

    @field_validator("at")
    @classmethod
    def _known(cls, value: str) -> str:
        if not _resolvable(value):
            raise ValueError(f"'{value}' is not a vertebral level (C7, T1-T12, L1-L5, S1, S2), "
                             "'EOP' or a landmark BackView knows")
        return value

    @field_validator("level")
    @classmethod
    def _level(cls, value: str | None) -> str | None:
        if value is not None and value != "EOP" and not anatomy.is_level(value):
            raise ValueError(f"'{value}' is not a vertebral level BackView knows "
                             "(C7, T1-T12, L1-L5, S1, S2, or EOP)")
        return value


class Shape(Strict):
    """One region of the back: the intersection of every constraint it states."""

    levels: tuple[str, str] | None = Field(
        None, description="vertical extent between two levels, top first: ['T12', 'L3']")
    extend_cm: tuple[Extension, Extension] = Field(
        (0.0, 0.0), description="grow the level range up and down by these many cm (-10 to 10)")
    lateral_cm: tuple[FromMidline, FromMidline] | None = Field(
        None, description="distance from the midline in cm, [min, max]; for a sided zone only "
                          "that side counts (0 to 30)")
    polygon: list[Anchor] | None = Field(
        None, min_length=3, description="a polygon in the coronal plane, through anchors")
    band: list[Anchor] | None = Field(
        None, min_length=2, description="a strip along a polyline through anchors")
    width_cm: BandWidth | None = None
    round_ends: bool = Field(False, description="round the ends of a band (a capsule)")
    facing_deg: FacingAngle = Field(
        100.0, description="only surface whose normal is within this angle of "
        "straight back: 100 keeps the back, the flanks and the tops of the shoulders; 180 keeps all")
    front_limit_cm: FrontLimit | None = Field(
        3.0, description="only surface at most this far in front of the coronal plane through "
        "the acromions (keeps zones off the face, the jaw and the chest; -10 to 15); "
        "none for no limit")

    @field_validator("levels")
    @classmethod
    def _levels(cls, value):
        if value is None:
            return value
        for token in value:
            if token != "EOP" and not anatomy.is_level(token):
                raise ValueError(f"'{token}' is not a vertebral level BackView knows "
                                 "(C7, T1-T12, L1-L5, S1, S2, or EOP)")
        top, bottom = (_level_order(t) for t in value)
        if top > bottom:
            raise ValueError(f"levels run from top to bottom: '{value[0]}' is below '{value[1]}'")
        return value

    @field_validator("lateral_cm")
    @classmethod
    def _lateral(cls, value):
        if value is not None and not (0 <= value[0] < value[1]):
            raise ValueError("lateral_cm is [min, max] with 0 <= min < max")
        return value

    @model_validator(mode="after")
    def _something(self):
        if self.levels is None and self.lateral_cm is None and self.polygon is None and self.band is None:
            raise ValueError("a shape needs at least one of levels, lateral_cm, polygon, band")
        if (self.band is None) != (self.width_cm is None):
            raise ValueError("band and width_cm go together")
        if self.round_ends and self.band is None:
            raise ValueError("round_ends applies to a band")
        return self


class ZoneSpec(Strict):
    """A zone as written in the map. With ``sides`` it stands for one zone per side
    (``<id>-left``, ``<id>-right``) sharing this description."""

    id: Identifier = Field(description="short identifier, e.g. 'spine'")
    name: Line = Field(min_length=1)
    sides: list[Side] | None = Field(None, description="['left', 'right'] for a paired zone")
    pressure: Pressure
    strokes: dict[Stroke, StrokeStatus] = Field(
        description="each of effleurage, petrissage, friction: recommended, allowed, "
                    "light-only or avoid")
    technique: Text = Field(min_length=1, description="how to work here, in plain words")
    cautions: list[Text] = Field(min_length=1)
    notes: list[Text] = Field([], description="where the guide is silent, say so here")
    citations: list[Citation] = Field(min_length=1, description="sentences of the guide that "
                                                           "justify the rules, quoted exactly")
    shapes: list[Shape] = Field(min_length=1)

    @field_validator("strokes")
    @classmethod
    def _all_strokes(cls, value):
        missing = [s.value for s in Stroke if s not in value]
        if missing:
            raise ValueError(f"missing stroke(s): {', '.join(missing)}")
        return value

    @field_validator("sides")
    @classmethod
    def _sides(cls, value):
        if value is not None and sorted(set(value)) != sorted(value):
            raise ValueError("each side once")
        return value


class GlobalRule(Strict):
    id: Identifier
    kind: Literal["prepare", "sequence", "pacing", "avoid", "postpone", "limit", "close"]
    title: Line
    text: Text
    citations: list[Citation] = Field(min_length=1)
    order: list[Stroke] | None = Field(
        None, description="for kind 'sequence': the strokes in the order the session gives them "
                          "(the quiz asks about it)")

    @model_validator(mode="after")
    def _order_of_sequence(self):
        if self.order is not None:
            if self.kind != "sequence":
                raise ValueError(f"order goes with kind 'sequence', not '{self.kind}'")
            if len(set(self.order)) != len(self.order):
                raise ValueError("order names each stroke once")
        return self


class Limit(Strict):
    """What a ``limit`` condition caps: the zones it applies to and the most each may allow."""

    zones: list[Identifier] = Field(
        min_length=1, description="zone ids (a paired zone's id without its side means both sides)")
    pressure: Pressure | None = Field(None, description="the most pressure allowed there")
    strokes: dict[Stroke, StrokeStatus] = Field(
        {}, description="the most each listed stroke may be there (unlisted strokes unchanged)")

    @model_validator(mode="after")
    def _caps_something(self):
        if self.pressure is None and not self.strokes:
            raise ValueError("a limit caps the pressure or some strokes: give pressure or strokes")
        return self


class ConditionSpec(Strict):
    """A screening question of the guide (``[[conditions]]``): what to ask before the massage and
    what a yes changes. ``postpone``: no massage today; ``avoid-area``: the areas the user marks
    are avoided; ``limit``: the listed zones are capped (``limit``)."""

    id: Identifier = Field(description="short identifier, e.g. 'fever', 'dvt'")
    question: Line = Field(min_length=1, description="the question, e.g. 'Does the recipient "
                                                     "have an acute fever?'")
    effect: Literal["postpone", "avoid-area", "limit"]
    reason: Line = Field(min_length=1, description="the short reason the panel shows, e.g. "
                                                   "'history of DVT'")
    citations: list[Citation] = Field(min_length=1, description="sentences of the guide that "
                                                           "justify the effect, quoted exactly")
    limit: Limit | None = Field(None, description="for effect = 'limit': the zones and the caps")

    @model_validator(mode="after")
    def _limit_with_limit(self):
        if self.effect == "limit" and self.limit is None:
            raise ValueError("effect 'limit' needs limit = { zones = [...], pressure = ..., "
                             "strokes = {...} }")
        if self.effect != "limit" and self.limit is not None:
            raise ValueError(f"limit goes with effect 'limit', not '{self.effect}'")
        return self


class MapInfo(Strict):
    id: Identifier
    name: Line
    version: Version
    licence: Line
    guide: Line = Field(description="the guide text the citations quote, relative to this file")
    description: Text = ""


class RegionMapFile(Strict):
    """The region-map file format (``region-map.schema.json`` is generated from this)."""

    model_config = ConfigDict(json_schema_extra={"title": "BackView region map"})
    map: MapInfo
    rules: list[GlobalRule] = Field(min_length=1)
    zones: list[ZoneSpec] = Field(min_length=1)
    conditions: list[ConditionSpec] = Field(
        [], description="the guide's screening questions (issue 14): postpone, avoid an area, or "
                        "limit some zones")


# --------------------------------------------------------------------------- runtime model
@dataclass(frozen=True)
class Zone:
    """One zone on the body (a paired zone is two of these, one per side)."""

    id: str
    spec: ZoneSpec
    side: Side | None
    index: int

    @property
    def name(self) -> str:
        return f"{self.spec.name} ({self.side})" if self.side else self.spec.name

    @property
    def pressure(self) -> Pressure:
        return self.spec.pressure

    @property
    def strokes(self) -> dict[Stroke, StrokeStatus]:
        return {s: self.spec.strokes[s] for s in Stroke}

    @property
    def rule(self) -> "Rule":
        """The zone's own pressure and strokes."""
        return Rule(self.pressure, tuple(self.spec.strokes[s] for s in Stroke))

    @property
    def caution_key(self) -> tuple[int, int, int]:
        """Sort key, most cautious first: pressure, then the strokes' total, then map order."""
        return (self.pressure.rank, sum(v.rank for v in self.spec.strokes.values()), self.index)

    def at_least_as_cautious_as(self, other: "Zone") -> bool:
        return self.pressure.rank <= other.pressure.rank and all(
            self.spec.strokes[s].rank <= other.spec.strokes[s].rank for s in Stroke)

    def less_cautious_points(self, other: "Zone") -> list[str]:
        """What this zone allows that ``other`` forbids (empty when at least as cautious)."""
        out = []
        if self.pressure.rank > other.pressure.rank:
            out.append(f"pressure {self.pressure.value} (vs {other.pressure.value})")
        for s in Stroke:
            mine, theirs = self.spec.strokes[s], other.spec.strokes[s]
            if mine.rank > theirs.rank:
                out.append(f"{s.value} {mine.value} (vs {theirs.value})")
        return out


@dataclass(frozen=True)
class Rule:
    """A pressure and a status for each stroke: a zone's own, or the rule where several zones
    cover the same skin (:meth:`most_cautious`). It colours like a zone (``palette.zone_colour``
    takes either)."""

    pressure: Pressure
    stroke_values: tuple[StrokeStatus, ...]  # in the order of ``Stroke``

    @property
    def strokes(self) -> dict[Stroke, StrokeStatus]:
        return dict(zip(Stroke, self.stroke_values))

    @classmethod
    def most_cautious(cls, rules) -> "Rule":
        """The most cautious value of *each* field (pressure and every stroke) of ``rules``."""
        rules = list(rules)
        return cls(min((r.pressure for r in rules), key=lambda p: p.rank),
                   tuple(min((r.stroke_values[i] for r in rules), key=lambda v: v.rank)
                         for i in range(len(Stroke))))

    def fields(self) -> dict[str, str]:
        """``{"pressure": value, "<stroke>": value, ...}``."""
        return {"pressure": self.pressure.value,
                **{s.value: v.value for s, v in zip(Stroke, self.stroke_values)}}

    def stricter_fields(self, other: "Rule") -> list[str]:
        """The fields ("pressure", or a stroke's name) where this rule is more cautious."""
        out = ["pressure"] if self.pressure.rank < other.pressure.rank else []
        return out + [s.value for s, mine, theirs in zip(Stroke, self.stroke_values,
                                                         other.stroke_values)
                      if mine.rank < theirs.rank]


@dataclass(frozen=True)
class RegionMap:
    data: RegionMapFile
    path: Path | None
    guide_text: str

    @cached_property
    def zones(self) -> tuple[Zone, ...]:
        out: list[Zone] = []
        for spec in self.data.zones:
            for side in spec.sides or [None]:
                zid = f"{spec.id}-{side}" if side else spec.id
                out.append(Zone(zid, spec, side, len(out)))
        return tuple(out)

    @cached_property
    def by_id(self) -> dict[str, Zone]:
        return {z.id: z for z in self.zones}

    def zone(self, zone_id: str) -> Zone:
        try:
            return self.by_id[zone_id]
        except KeyError:
            known = ", ".join(self.by_id)
            raise BackViewError(f"unknown zone '{zone_id}' (this map has: {known})",
                                self.path, "zone") from None

    @cached_property
    def conditions(self) -> list["Condition"]:
        """The map's screening conditions (:class:`viewer.core.screening.Condition`)."""
        from viewer.core.screening import Condition

        return [Condition.from_spec(c) for c in self.data.conditions]

    def limit_zone_ids(self, spec_zones) -> list[str]:
        """Zone ids of a limit's ``zones`` (a paired zone's bare id stands for both sides)."""
        out: list[str] = []
        for zid in spec_zones:
            if zid in self.by_id:
                out.append(zid)
            else:
                out += [z.id for z in self.zones if z.spec.id == zid and z.side]
        return out

    @property
    def rules(self) -> list[GlobalRule]:
        return list(self.data.rules)

    @property
    def info(self) -> MapInfo:
        return self.data.map

    @cached_property
    def caution_order(self) -> tuple[int, ...]:
        """Zone indices, most cautious first: where shapes overlap, the earlier one wins."""
        return tuple(z.index for z in sorted(self.zones, key=lambda z: z.caution_key))

    @property
    def label(self) -> str:
        return f"{self.info.name} v{self.info.version}"


# --------------------------------------------------------------------------- loading
def load_region_map(path: str | Path | None = None) -> RegionMap:
    """Read, validate and check a region map against its guide.

    Raises :class:`RegionMapError` listing every problem as ``file:zone:field: message``.
    """
    path = Path(path) if path else default_region_map()
    raw = read_toml(path, "region map", "region maps")
    try:
        data = RegionMapFile.model_validate(raw)
    except ValidationError as exc:
        raise RegionMapError([_problem(path, raw, err) for err in exc.errors()]) from None
    rmap = RegionMap(data, path, read_guide(path, data.map.guide))
    problems = check_semantics(rmap)
    if problems:
        raise RegionMapError(problems)
    return rmap


def read_guide(map_path: Path, guide: str) -> str:
    """The text of the guide a map names (beside the map), or a one-line error naming the map."""
    guide_path = map_path.parent / guide
    try:
        return guide_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RegionMapError(f"the guide '{guide}' is not UTF-8 text (byte {exc.start}): save it "
                             "as UTF-8", map_path, "map:guide") from None
    except OSError:
        raise RegionMapError(f"the guide '{guide}' is not beside the map ({guide_path})",
                             map_path, "map:guide") from None


def read_toml(path: Path, what: str, kind: str) -> dict:
    """The TOML document at ``path`` (a ``what``; ``kind`` names files of that sort), or a
    :class:`RegionMapError` naming the file and what is wrong with it."""
    if not path.exists():
        raise RegionMapError(f"no such {what}", path)
    if path.is_dir():
        raise RegionMapError(f"is a folder, not a {what}", path)
    if path.suffix.lower() != ".toml":
        raise RegionMapError(f"{kind} are TOML files (.toml); '{path.suffix or path.name}' "
                             "is not one", path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegionMapError(f"cannot be read: {exc}", path) from None
    if not text.strip():
        raise RegionMapError("is empty", path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegionMapError(f"is not valid TOML: {exc}", path) from None
    except RecursionError:
        raise RegionMapError(f"is nested too deeply to be a {what} (arrays or tables within "
                             "each other hundreds of levels deep)", path) from None


def check_semantics(rmap: RegionMap) -> list[BackViewError]:
    """What a schema cannot say: unique ids, citations that occur in the guide."""
    path = rmap.path
    problems: list[BackViewError] = []
    seen: set[str] = set()
    for spec in rmap.data.zones:
        ids = [f"{spec.id}-{s}" for s in spec.sides] if spec.sides else [spec.id]
        for zid in ids:
            if zid in seen:
                problems.append(BackViewError(f"duplicate zone id '{zid}'", path, f"{spec.id}:id"))
            seen.add(zid)
    rule_ids: set[str] = set()
    for rule in rmap.data.rules:
        if rule.id in rule_ids:
            problems.append(BackViewError(f"duplicate rule id '{rule.id}'", path, f"rules:{rule.id}:id"))
        rule_ids.add(rule.id)
    condition_ids: set[str] = set()
    for cond in rmap.data.conditions:
        if cond.id in condition_ids:
            problems.append(BackViewError(f"duplicate condition id '{cond.id}'", path,
                                          f"conditions:{cond.id}:id"))
        condition_ids.add(cond.id)
        for k, zid in enumerate(cond.limit.zones if cond.limit else ()):
            if not rmap.limit_zone_ids([zid]):
                problems.append(BackViewError(
                    f"unknown zone '{zid}' (this map has: {', '.join(rmap.by_id)})", path,
                    f"conditions:{cond.id}:limit:zones[{k}]"))
    cited = [(f"{z.id}:citations", c) for z in rmap.data.zones for c in z.citations]
    cited += [(f"rules:{r.id}:citations", c) for r in rmap.data.rules for c in r.citations]
    cited += [(f"conditions:{c.id}:citations", q) for c in rmap.data.conditions
              for q in c.citations]
    problems += citation_problems(rmap.guide_text, cited, path)
    return problems


def citation_problems(guide_text: str, cited: list[tuple[str, str]], path) -> list[BackViewError]:
    """One problem for every ``(where, citation)`` that does not occur in the guide."""
    guide = normalise_text(guide_text)
    problems = []
    for where, citation in cited:
        if normalise_text(citation) not in guide:
            short = citation if len(citation) <= 60 else citation[:57] + "..."
            problems.append(BackViewError(f"citation not found in the guide: \"{short}\"", path,
                                          where))
    return problems


def normalise_text(text: str) -> str:
    """Compare quotes from the guide regardless of curly quotes, dashes and line breaks."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip()


def _problem(path: Path, raw: dict, err: dict) -> BackViewError:
    """One pydantic error as ``file:zone:field: message``; the field path reads
    ``shapes[0]:polygon[1]:lateral_cm``."""
    loc = list(err["loc"])
    where = []
    if loc and loc[0] == "zones" and len(loc) > 1 and isinstance(loc[1], int):
        zone = _item(raw, "zones", loc[1])
        where.append(_shown_id(zone.get("id")) or f"zones[{loc[1]}]")
        loc = loc[2:]
    elif loc and loc[0] in ("rules", "conditions") and len(loc) > 1 and isinstance(loc[1], int):
        item = _item(raw, loc[0], loc[1])
        where.append(f"{loc[0]}:{_shown_id(item.get('id')) or loc[1]}")
        loc = loc[2:]
    field = field_path(loc)
    if field:
        where.append(field)
    return BackViewError(problem_message(err), path, ":".join(where) or None)


def _item(raw: dict, key: str, index: int) -> dict:
    items = raw.get(key) if isinstance(raw, dict) else None
    items = items if isinstance(items, list) else []
    return items[index] if index < len(items) and isinstance(items[index], dict) else {}


def _shown_id(value) -> str | None:
    """A zone or rule id fit to head an error line (a broken id is shown by its position)."""
    if isinstance(value, str) and value and len(value) <= 40 and value.isprintable():
        return value
    return None


def _level_order(token: str) -> int:
    return -1 if token == "EOP" else anatomy.level_index(token)


def _resolvable(name: str) -> bool:
    if name == "EOP" or anatomy.is_level(name):
        return True
    if name in anatomy.BILATERAL or name == anatomy.EOP:
        return True
    base, _, side = name.rpartition("_")
    return base in anatomy.BILATERAL and side in anatomy.SIDES


def write_json_schema(path: str | Path) -> None:
    """Regenerate the JSON Schema editors use to check region maps."""
    import json

    schema = RegionMapFile.model_json_schema()
    Path(path).write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
