"""Region maps: the shipped map and its schema, the guide citations, and every bad input.

Each bad input goes through ``load_region_map`` (or ``assign_zones`` for a map that only fails on
the mesh) and through the command line (``backview validate FILE``): exit status 2, one
``backview: error: <file>:<zone>:<field>: <message>`` line per problem, never a traceback.

Bad maps are the shipped TOML loaded with tomllib, changed, and written back with tomli_w (or
the shipped text with one replacement), each with a copy of the guide beside it.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import trimesh

from viewer.core.body import Body
from viewer.core.errors import LandmarkError, RegionMapError
from viewer.core.regionmap import (
    Pressure,
    RegionMapFile,
    Stroke,
    StrokeStatus,
    check_semantics,
    load_region_map,
    normalise_text,
    write_json_schema,
)
from viewer.core.zones import assign_zones

from conftest import SHIPPED_GUIDE, SHIPPED_MAP, SHIPPED_MESH

STROKES = {"effleurage", "petrissage", "friction"}
STATUSES = {"recommended", "allowed", "light-only", "avoid"}
PRESSURES = {"avoid", "light", "moderate", "firm"}

#: the zones issue 4 asks for, as ids of the shipped map
REQUIRED_ZONE_IDS = {
    "spine", "neck", "lower-back",
    *(f"{base}-{side}" for base in ("paraspinal", "upper-trapezius", "middle-trapezius",
                                    "lower-trapezius", "scapular-edges", "kidney", "shoulder-top",
                                    "side")
      for side in ("left", "right")),
}


def zone_doc(doc: dict, zone_id: str) -> dict:
    return next(z for z in doc["zones"] if z["id"] == zone_id)


# =========================================================================== the shipped map
def test_shipped_map_loads(rmap):
    assert rmap.path == SHIPPED_MAP
    assert rmap.info.id == "back-massage"
    assert re.fullmatch(r"\d+\.\d+\.\d+", rmap.info.version)
    assert rmap.info.licence.strip(), "the map needs a licence"
    assert rmap.info.guide == SHIPPED_GUIDE.name
    assert rmap.guide_text == SHIPPED_GUIDE.read_text(encoding="utf-8")
    assert check_semantics(rmap) == []


def test_committed_json_schema_is_current(tmp_path):
    """region-map.schema.json is RegionMapFile's schema, byte for byte as tools/write_schema.py
    writes it: a schema change without regenerating the file fails here."""
    committed = SHIPPED_MAP.parent / "region-map.schema.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == RegionMapFile.model_json_schema()
    fresh = tmp_path / "schema.json"
    write_json_schema(fresh)
    assert fresh.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), \
        "run tools/write_schema.py"


def test_map_points_editors_at_the_schema():
    first = SHIPPED_MAP.read_text(encoding="utf-8").splitlines()[0]
    assert first == "#:schema ./region-map.schema.json"


def test_every_zone_has_strokes_pressure_technique_and_citations(shipped_map_doc):
    """Read from the TOML itself, not through the model."""
    assert shipped_map_doc["zones"]
    for z in shipped_map_doc["zones"]:
        where = z.get("id")
        assert set(z["strokes"]) == STROKES, where
        assert set(z["strokes"].values()) <= STATUSES, where
        assert z["pressure"] in PRESSURES, where
        assert z["name"].strip() and z["technique"].strip(), where
        assert z["cautions"] and all(c.strip() for c in z["cautions"]), where
        assert len(z["citations"]) >= 1 and all(c.strip() for c in z["citations"]), where
        assert z["shapes"], where


def test_model_gives_every_zone_all_three_strokes(rmap):
    for z in rmap.zones:
        assert set(z.strokes) == set(Stroke), z.id
        assert all(isinstance(v, StrokeStatus) for v in z.strokes.values()), z.id
        assert isinstance(z.pressure, Pressure), z.id


def test_the_zones_the_issue_asks_for(rmap):
    assert REQUIRED_ZONE_IDS <= set(rmap.by_id), REQUIRED_ZONE_IDS - set(rmap.by_id)


def test_paired_zones_expand_to_left_and_right_with_a_shared_description(rmap, shipped_map_doc):
    expected_ids = []
    for raw in shipped_map_doc["zones"]:
        sides = raw.get("sides")
        if not sides:
            expected_ids.append(raw["id"])
            z = rmap.by_id[raw["id"]]
            assert z.side is None and z.name == raw["name"]
            continue
        assert sorted(sides) == ["left", "right"], raw["id"]
        halves = [rmap.by_id[f"{raw['id']}-{side}"] for side in sides]
        expected_ids += [h.id for h in halves]
        for side, half in zip(sides, halves):
            assert half.side == side
            assert half.name == f"{raw['name']} ({side})"
            assert half.pressure.value == raw["pressure"]
            assert {s.value: v.value for s, v in half.strokes.items()} == raw["strokes"]
            assert half.spec.technique == raw["technique"]
            assert list(half.spec.cautions) == raw["cautions"]
            assert list(half.spec.citations) == raw["citations"]
        assert halves[0].spec is halves[1].spec
    assert [z.id for z in rmap.zones] == expected_ids
    assert [z.index for z in rmap.zones] == list(range(len(rmap.zones)))


def test_zone_and_rule_ids_are_unique(rmap):
    ids = [z.id for z in rmap.zones]
    assert len(ids) == len(set(ids))
    rule_ids = [r.id for r in rmap.rules]
    assert len(rule_ids) == len(set(rule_ids))


def test_global_rules_from_the_guide(rmap):
    kinds = {r.kind for r in rmap.rules}
    assert {"prepare", "pacing", "avoid", "postpone", "limit", "close"} <= kinds
    text = {k: " ".join(r.text.lower() for r in rmap.rules if r.kind == k) for k in kinds}
    for word in ("broken skin", "rash", "bruising"):
        assert word in text["avoid"]
    for word in ("fever", "trauma", "inflammation"):
        assert word in text["postpone"]
    for word in ("dvt", "varicose", "lower back"):
        assert word in text["limit"]


# =========================================================================== citations
def _all_citations(doc: dict) -> list[tuple[str, str]]:
    out = [(f"zone {z['id']}", c) for z in doc["zones"] for c in z["citations"]]
    out += [(f"rule {r['id']}", c) for r in doc["rules"] for c in r["citations"]]
    return out


def test_every_citation_occurs_in_the_shipped_guide(shipped_map_doc):
    guide = normalise_text(SHIPPED_GUIDE.read_text(encoding="utf-8"))
    cited = _all_citations(shipped_map_doc)
    assert len(cited) >= len(shipped_map_doc["zones"]) + len(shipped_map_doc["rules"])
    missing = [(where, c) for where, c in cited if normalise_text(c) not in guide]
    assert missing == []


def test_citations_are_whole_sentences_of_the_guide(shipped_map_doc):
    """'the sentence(s) that justify each rule': whole sentences, not fragments."""
    sentences = {s for paragraph in SHIPPED_GUIDE.read_text(encoding="utf-8").splitlines()
                 for s in re.split(r"(?<=[.!?])\s+", normalise_text(paragraph))}
    for where, c in _all_citations(shipped_map_doc):
        for sentence in re.split(r"(?<=[.!?])\s+", normalise_text(c)):
            assert sentence in sentences, (where, sentence)


def test_shipped_guide_is_the_shared_guide(repo):
    shared = Path(repo).parent / "shared" / "guide" / "back-massage-guide.txt"
    if not shared.exists():
        pytest.skip(f"no shared guide at {shared}")
    assert SHIPPED_GUIDE.read_bytes() == shared.read_bytes()


def test_normalise_text_ignores_typography_and_line_breaks():
    assert normalise_text("the recipient\u2019s  back\n\u201cslow\u201d \u2013 even\u2014pace ") == \
        "the recipient's back \"slow\" - even-pace"


# =========================================================================== bad inputs
@dataclass
class Case:
    """A bad input: how to build it and the error lines it must give.

    ``expect`` lists (where, pieces): a line ``<file>:<where>: <message>`` (``<file>: <message>``
    when where is None) whose message contains every piece. ``stage`` says what raises:
    'map' load_region_map, 'fit' assign_zones on the shipped body, 'body' assign_zones on the
    case's own mesh (the error then names the mesh).
    """

    id: str
    build: Callable
    expect: list
    stage: str = "map"
    #: also run through ``backview validate`` (each run costs a Python start-up, ~1.3 s of CPU:
    #: the variants beyond the issue's list are checked through the API only)
    cli: bool = True


def mutated(change: Callable[[dict], None]) -> Callable:
    def build(folder: Path, doc: dict, write) -> tuple[Path, list[str], Path]:
        doc = copy.deepcopy(doc)
        change(doc)
        path = write(doc, folder / "map.toml")
        return path, [], path

    return build


def text_of(make: Callable[[str], str], name: str = "map.toml") -> Callable:
    def build(folder: Path, doc: dict, write) -> tuple[Path, list[str], Path]:
        path = write(make(SHIPPED_MAP.read_text(encoding="utf-8")), folder / name)
        return path, [], path

    return build


def _set(zone_id: str, key: str, value) -> Callable[[dict], None]:
    def change(doc):
        zone_doc(doc, zone_id)[key] = value

    return change


def _set_anchor(zone_id: str, point: int, key: str, value) -> Callable[[dict], None]:
    def change(doc):
        zone_doc(doc, zone_id)["shapes"][0]["polygon"][point][key] = value

    return change


def _set_shape(zone_id: str, key: str, value) -> Callable[[dict], None]:
    def change(doc):
        zone_doc(doc, zone_id)["shapes"][0][key] = value

    return change


def _strokes(zone_id: str, **changes) -> Callable[[dict], None]:
    def change(doc):
        strokes = zone_doc(doc, zone_id)["strokes"]
        for k, v in changes.items():
            if v is None:
                del strokes[k]
            else:
                strokes[k] = v

    return change


def _delete(zone_id: str, key: str) -> Callable[[dict], None]:
    def change(doc):
        del zone_doc(doc, zone_id)[key]

    return change


def _duplicate_neck(doc):
    doc["zones"].append(copy.deepcopy(zone_doc(doc, "neck")))


def _paired_collides_after(doc):
    """'side' with sides=[left] stands for 'side-left'; a plain zone 'side-left' follows it."""
    zone_doc(doc, "side")["sides"] = ["left"]
    plain = copy.deepcopy(zone_doc(doc, "neck"))
    plain["id"] = "side-left"
    doc["zones"].append(plain)


def _paired_collides_before(doc):
    plain = copy.deepcopy(zone_doc(doc, "neck"))
    plain["id"] = "side-left"
    doc["zones"].insert(0, plain)


def _misspelt_key(doc):
    z = zone_doc(doc, "spine")
    z["presure"] = z.pop("pressure")


KIDNEY_QUOTE = ("When working the lower back, use broad, flat-hand strokes and avoid direct, deep "
                "pressure near the floating ribs or the area directly over the kidneys.")
KIDNEY_MISQUOTE = KIDNEY_QUOTE.replace("floating ribs", "lower ribs")


def _misquote_kidney(doc):
    cites = zone_doc(doc, "kidney")["citations"]
    cites[cites.index(KIDNEY_QUOTE)] = KIDNEY_MISQUOTE


def _invent_rule_citation(doc):
    doc["rules"][0]["citations"].append("Massage is always safe.")


def _broken_toml(text: str) -> str:
    assert text.count('pressure = "avoid"') == 1
    return text.replace('pressure = "avoid"', "pressure = avoid")


def _broken_toml_line() -> int:
    lines = SHIPPED_MAP.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line == 'pressure = "avoid"')


def _yaml_name(folder, doc, write):
    path = write("map:\n  id: back-massage\n", folder / "map.yaml")
    return path, [], path


def _json_name(folder, doc, write):
    path = write(json.dumps(doc), folder / "map.json")
    return path, [], path


def _missing_file(folder, doc, write):
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "nowhere.toml", [], folder / "nowhere.toml"


def _a_folder(folder, doc, write):
    path = folder / "maps.toml"
    path.mkdir(parents=True)
    return path, [], path


def _guide_not_beside(folder, doc, write):
    path = write(copy.deepcopy(doc), folder / "map.toml")
    (folder / SHIPPED_GUIDE.name).unlink()
    return path, [], path


def _mesh_without_landmarks(folder, doc, write):
    folder.mkdir(parents=True, exist_ok=True)
    mesh = folder / "some.obj"
    trimesh.load(SHIPPED_MESH, process=False).export(mesh)
    return SHIPPED_MAP, ["--mesh", mesh], mesh


def _guide_not_utf8(folder, doc, write):
    path = write(copy.deepcopy(doc), folder / "map.toml")
    (folder / SHIPPED_GUIDE.name).write_bytes(SHIPPED_GUIDE.read_bytes().replace(b"The", b"\xff", 1))
    return path, [], path


def _deeply_nested(text: str) -> str:
    return text + "\nnested = " + "[" * 5000 + "]" * 5000 + "\n"


def _set_citation(zone_id: str, value: str) -> Callable[[dict], None]:
    def change(doc):
        zone_doc(doc, zone_id)["citations"][0] = value

    return change


NOT_A_LEVEL = "'T13' is not a vertebral level"
ANCHOR_RANGE = "is out of range (-20–20 cm)"

CASES = [
    Case("unknown-pressure", mutated(_set("spine", "pressure", "hard")),
         [("spine:pressure", ["'avoid', 'light', 'moderate' or 'firm'", "(got 'hard')"])]),
    Case("unknown-stroke-status", mutated(_strokes("neck", friction="sometimes")),
         [("neck:strokes:friction", ["'recommended', 'allowed', 'light-only' or 'avoid'",
                                     "(got 'sometimes')"])]),
    Case("unknown-stroke-name", mutated(_strokes("neck", shiatsu="allowed")),
         [("neck:strokes:shiatsu", ["'effleurage', 'petrissage' or 'friction'",
                                          "(got 'shiatsu')"])]),
    Case("missing-stroke", mutated(_strokes("kidney", friction=None)),
         [("kidney:strokes", ["missing stroke(s): friction"])], cli=False),
    Case("missing-technique", mutated(_delete("kidney", "technique")),
         [("kidney:technique", ["missing field"])]),
    Case("misspelt-field", mutated(_misspelt_key),
         [("spine:pressure", ["missing field"]), ("spine:presure", ["unknown field"])], cli=False),
    Case("duplicate-zone-id", mutated(_duplicate_neck),
         [("neck:id", ["duplicate zone id 'neck'"])]),
    Case("paired-zone-collides-with-a-later-plain-one", mutated(_paired_collides_after),
         [("side-left:id", ["duplicate zone id 'side-left'"])]),
    Case("paired-zone-collides-with-an-earlier-plain-one", mutated(_paired_collides_before),
         [("side:id", ["duplicate zone id 'side-left'"])], cli=False),
    Case("level-T13-in-levels", mutated(_set_shape("spine", "levels", ["T13", "S2"])),
         [("spine:shapes[0]:levels", [NOT_A_LEVEL])]),
    Case("level-T13-in-an-anchor-level", mutated(_set_anchor("kidney", 3, "level", "T13")),
         [("kidney:shapes[0]:polygon[3]:level", [NOT_A_LEVEL])]),
    Case("level-T13-as-an-anchor", mutated(_set_anchor("kidney", 0, "at", "T13")),
         [("kidney:shapes[0]:polygon[0]:at", [NOT_A_LEVEL])], cli=False),
    Case("levels-upside-down", mutated(_set_shape("spine", "levels", ["S2", "C7"])),
         [("spine:shapes[0]:levels", ["levels run from top to bottom: 'S2' is below 'C7'"])]),
    Case("unknown-landmark", mutated(_set_anchor("middle-trapezius", 2, "at", "scapula_tip")),
         [("middle-trapezius:shapes[0]:polygon[2]:at", ["'scapula_tip'", "landmark BackView knows"])]),
    Case("zone-citation-not-in-guide", mutated(_misquote_kidney),
         [("kidney:citations", [f'citation not found in the guide: "{KIDNEY_MISQUOTE[:57]}..."'])]),
    Case("rule-citation-not-in-guide", mutated(_invent_rule_citation),
         [("rules:prepare-room:citations",
           ['citation not found in the guide: "Massage is always safe."'])], cli=False),
    Case("zone-matches-no-face", mutated(_set_shape("spine", "front_limit_cm", -10.0)),
         [("spine:shapes", ["matches no face of the mesh"])], stage="fit"),
    Case("yaml-file-name", _yaml_name,
         [(None, ["region maps are TOML files (.toml)", "'.yaml' is not one"])]),
    Case("json-file-name", _json_name,
         [(None, ["region maps are TOML files (.toml)", "'.json' is not one"])]),
    Case("broken-toml", text_of(_broken_toml),
         [(None, ["is not valid TOML", f"line {_broken_toml_line()}"])]),
    Case("empty-file", text_of(lambda text: ""), [(None, ["is empty"])]),
    Case("blank-file", text_of(lambda text: "\n  \n"), [(None, ["is empty"])], cli=False),
    Case("missing-file", _missing_file, [(None, ["no such region map"])]),
    Case("folder", _a_folder, [(None, ["is a folder, not a region map"])], cli=False),
    Case("guide-not-beside-the-map", _guide_not_beside,
         [("map:guide", ["the guide 'back-massage-guide.txt' is not beside the map"])],
         cli=False),
    # numbers out of their plausible range, not finite, or of the wrong type (issue 11)
    Case("huge-lateral-offset",
         mutated(_set_anchor("kidney", 1, "lateral_cm", 99999999999999999999999)),
         [("kidney:shapes[0]:polygon[1]:lateral_cm", ["99999999999999999999999 " + ANCHOR_RANGE])]),
    Case("25-typed-for-2.5", mutated(_set_shape("scapular-edges", "width_cm", 25.0)),
         [("scapular-edges:shapes[0]:width_cm", ["25 is out of range (0.5–15 cm)"])]),
    Case("anchor-offset-25-for-2.5", mutated(_set_anchor("kidney", 0, "lateral_cm", 25.0)),
         [("kidney:shapes[0]:polygon[0]:lateral_cm", ["25 " + ANCHOR_RANGE])], cli=False),
    Case("nan-offset", mutated(_set_anchor("kidney", 1, "up_cm", float("nan"))),
         [("kidney:shapes[0]:polygon[1]:up_cm", ["nan " + ANCHOR_RANGE])]),
    Case("inf-lateral-range", mutated(_set_shape("spine", "lateral_cm", [0.0, float("inf")])),
         [("spine:shapes[0]:lateral_cm[1]", ["inf is out of range (0–30 cm)"])], cli=False),
    Case("1e308-front-limit", mutated(_set_shape("side", "front_limit_cm", 1e308)),
         [("side:shapes[0]:front_limit_cm", ["1e+308 is out of range (-10–15 cm)"])], cli=False),
    Case("string-for-a-number", mutated(_set_shape("spine", "extend_cm", ["1", 1.0])),
         [("spine:shapes[0]:extend_cm[0]", ["a valid number", "(got '1')"])], cli=False),
    Case("empty-citation", mutated(_set_citation("kidney", "")),
         [("kidney:citations[0]", ["is empty"])]),
    Case("blank-citation", mutated(_set_citation("kidney", "   ")),
         [("kidney:citations[0]", ["is empty"])], cli=False),
    Case("nul-in-a-name", mutated(_set("kidney", "name", "Kidney\x00area")),
         [("kidney:name", ["control character U+0000"])]),
    Case("deeply-nested-toml", text_of(_deeply_nested),
         [(None, ["is nested too deeply to be a region map"])]),
    Case("guide-not-utf8", _guide_not_utf8,
         [("map:guide", ["the guide 'back-massage-guide.txt' is not UTF-8 text"])]),
    Case("mesh-without-landmarks", _mesh_without_landmarks,
         [("landmarks", ["no landmarks", "some.landmarks.json", "--landmarks"])], stage="body"),
]
CASE_IDS = [c.id for c in CASES]
CLI_CASES = [c for c in CASES if c.cli]


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, shipped_map_doc, write_region_map) -> dict:
    """Every case built in its own folder: id -> (map, extra CLI args, file the error names)."""
    root = tmp_path_factory.mktemp("bad-maps")
    return {c.id: c.build(root / c.id, shipped_map_doc, write_region_map) for c in CASES}


@pytest.fixture(scope="module")
def cli_results(bad_inputs, run_cli_many) -> dict:
    """``backview validate MAP [--mesh M]`` for every case, run side by side."""
    return run_cli_many({c.id: ["validate", bad_inputs[c.id][0], *bad_inputs[c.id][1]]
                         for c in CLI_CASES})


def assert_error_lines(lines: list[str], file: Path, expect: list, prefix: str = "") -> None:
    """Exactly one line per expected problem, each ``<prefix><file>:<where>: <message>``."""
    assert len(lines) == len(expect), "\n".join(lines)
    left = list(lines)
    for where, pieces in expect:
        head = f"{prefix}{file}:{where}: " if where else f"{prefix}{file}: "
        hits = [line for line in left
                if line.startswith(head) and all(p in line[len(head):] for p in pieces)]
        assert hits, f"no line {head!r} + {pieces} in:\n" + "\n".join(lines)
        left.remove(hits[0])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_bad_input_through_the_api(case, bad_inputs, body):
    path, extra, named = bad_inputs[case.id]
    if case.stage == "map":
        with pytest.raises(RegionMapError) as info:
            load_region_map(path)
        err = info.value
    elif case.stage == "fit":
        rmap = load_region_map(path)  # the map itself is fine ...
        with pytest.raises(RegionMapError) as info:  # ... it just does not fit the body
            assign_zones(body, rmap, cache=False)
        err = info.value
        assert err.assignment is not None
    else:
        rmap = load_region_map(path)
        user_body = Body.load(extra[extra.index("--mesh") + 1])
        with pytest.raises(LandmarkError) as info:
            assign_zones(user_body, rmap, cache=False)
        err = info.value
    lines = err.lines() if isinstance(err, RegionMapError) else [err.line()]
    assert_error_lines(lines, named, case.expect)
    first_where = case.expect[0][0] if len(case.expect) == 1 else None
    if first_where is not None:
        assert err.path == str(named) and err.field == first_where


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_bad_input_through_the_cli(case, bad_inputs, cli_results):
    path, extra, named = bad_inputs[case.id]
    result = cli_results[case.id]
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert "ok:" not in result.stdout
    assert_error_lines(result.stderr.splitlines(), named, case.expect, prefix="backview: error: ")


def test_validate_json_reports_a_bad_map(bad_inputs, run_cli_isolated):
    path, _, _ = bad_inputs["unknown-pressure"]
    result = run_cli_isolated("validate", path, "--json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["errors"] == [f"{path}:spine:pressure: Input should be 'avoid', 'light', "
                                "'moderate' or 'firm' (got 'hard')"]
    assert report["zones"] == []


def test_zones_command_refuses_a_bad_map_too(bad_inputs, run_cli_isolated, one_line_error):
    path, _, _ = bad_inputs["levels-upside-down"]
    result = run_cli_isolated("zones", "--map", path)
    one_line_error(result, f"{path}:spine:shapes[0]:levels: levels run from top to bottom")
