"""The catalogue's body data (meshes/bodies, built by tools/build_bodies.py): every body the index
lists loads with its landmarks (the anatomy checks run on load), stands or lies as the index says,
and the prone body's table and props are where a massage table would be."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import trimesh

from viewer.core.body import Body

BODIES = Path(__file__).resolve().parents[1] / "meshes" / "bodies"
INDEX = json.loads((BODIES / "bodies.json").read_text())["bodies"]
IDS = [b["id"] for b in INDEX]
TABLE_TOP_M = 0.75


def test_index_lists_the_bodies_and_every_file_it_names_is_there():
    assert IDS == ["average-woman", "average-man", "larger-body", "older-slim", "prone-table"]
    named = set()
    for entry in INDEX:
        assert set(entry) == {"id", "name", "pose", "description", "mesh", "landmarks", "props",
                              "parameters"}
        assert entry["mesh"] == f"{entry['id']}.ply"
        assert entry["landmarks"] == f"{entry['id']}.landmarks.json"
        assert entry["pose"] in ("standing", "prone")
        assert entry["name"] and entry["description"]
        assert set(entry["parameters"]) == {"gender", "age", "muscle", "weight", "height"}
        assert all(0.0 <= v <= 1.0 for v in entry["parameters"].values())
        named |= {entry["mesh"], entry["landmarks"]} | ({entry["props"]} if entry["props"] else set())
    on_disk = {p.name for p in BODIES.iterdir()} - {"bodies.json"}
    assert named == on_disk  # nothing listed is missing, nothing on disk is unlisted


@pytest.mark.parametrize("entry", INDEX, ids=IDS)
def test_each_body_loads_with_its_landmarks_and_is_small(entry):
    body = Body.load(BODIES / entry["mesh"], BODIES / entry["landmarks"])
    assert body.unit == 1.0
    torso = json.loads((BODIES.parent / "torso.landmarks.json").read_text())["landmarks"]
    assert set(body.landmarks) == set(torso)  # the shipped torso's landmarks, every one
    assert body.mesh.is_watertight
    assert (BODIES / entry["mesh"]).stat().st_size < 700_000
    doc = json.loads((BODIES / entry["landmarks"]).read_text())
    assert doc["mesh"] == entry["mesh"] and doc["units"] == "m" and doc["method"]


@pytest.mark.parametrize("entry", INDEX, ids=IDS)
def test_pose_in_the_index_is_the_pose_of_the_body(entry):
    body = Body.load(BODIES / entry["mesh"], BODIES / entry["landmarks"])
    frame = body.frame
    if entry["pose"] == "standing":
        assert frame.up @ [0, 1, 0] > 0.95  # upright
        assert frame.back @ [0, 0, -1] > 0.9  # the back faces -Z, as the torso's
        assert entry["props"] is None
        stature = np.ptp(body.mesh.vertices[:, 1])  # cut at mid-thigh: most of the height
        assert 0.85 < stature < 1.1
    else:
        assert abs(frame.up @ [0, 1, 0]) < 0.25  # lying down
        assert frame.back @ [0, 1, 0] > 0.9  # face down: the back faces the ceiling
        assert abs(frame.left @ [1, 0, 0]) > 0.95
        assert 1.6 < np.ptp(body.mesh.vertices[:, 2]) < 2.0  # a whole adult along Z


def test_prone_body_lies_on_the_table_and_the_props_load():
    (entry,) = [e for e in INDEX if e["pose"] == "prone"]
    body = Body.load(BODIES / entry["mesh"], BODIES / entry["landmarks"])
    props = trimesh.load(BODIES / entry["props"], process=False)
    assert isinstance(props, trimesh.Trimesh) and len(props.faces) > 100
    assert props.bounds[0, 1] == pytest.approx(0.0, abs=1e-3)  # legs stand on the floor
    # the table top: the highest face of the props under the mid-back (no towel there)
    s2, t12 = body.landmark("spinous_S2"), body.landmark("spinous_T12")
    hits = props.ray.intersects_location([[0.0, 2.0, t12[2]]], [[0, -1, 0]])[0]
    assert hits[:, 1].max() == pytest.approx(TABLE_TOP_M, abs=0.002)
    # the trunk rests on it: the body's lowest point under the back is at the table top
    v = body.mesh.vertices
    under_back = v[(np.abs(v[:, 0]) < 0.1) & (np.abs(v[:, 2] - s2[2]) < 0.25)]
    assert under_back[:, 1].min() == pytest.approx(TABLE_TOP_M, abs=0.03)
    # the back is above the table; the towel covers the body from below the sacrum down, the
    # whole back (lower back and sacrum included) uncovered
    assert s2[1] > TABLE_TOP_M + 0.1
    above = props.ray.intersects_location([[s2[0], 2.0, s2[2]]], [[0, -1, 0]])[0]
    assert not len(above) or above[:, 1].max() < s2[1]  # nothing over the sacrum
    below = s2 - np.array([0.0, 0.0, 0.10])  # 10 cm towards the feet: the buttocks
    hits = props.ray.intersects_location([[below[0], 2.0, below[2]]], [[0, -1, 0]])[0]
    assert len(hits) and hits[:, 1].max() > s2[1] - 0.05  # the towel lies over them
    c7 = body.landmark("spinous_C7")
    above = props.ray.intersects_location([[c7[0], 2.0, c7[2]]], [[0, -1, 0]])[0]
    assert not len(above) or above[:, 1].max() < c7[1]  # nothing over the upper back
