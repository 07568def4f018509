"""Options and loading shared by the headless sub-commands."""

from __future__ import annotations

import argparse

from viewer.core.body import Body
from viewer.core.regionmap import RegionMap, load_region_map


def add_body_options(p, *, map_option: bool = True,
                     map_help: str = "region map (TOML); default: the shipped back-massage map"
                     ) -> None:
    """``--mesh``, ``--landmarks`` (and ``--map``), accepted after the command as well as
    before it: the command's own copies default to *nothing* (SUPPRESS), so a value given
    before the command is kept; the top-level parser supplies the None defaults."""
    p.add_argument("--mesh", metavar="FILE", default=argparse.SUPPRESS,
                   help="body mesh (OBJ, PLY, STL, GLB/GLTF, OFF); default: the shipped torso")
    p.add_argument("--landmarks", metavar="FILE", default=argparse.SUPPRESS,
                   help="landmarks of --mesh (default: <mesh>.landmarks.json beside it)")
    if map_option:
        p.add_argument("--map", dest="region_map", metavar="FILE", default=argparse.SUPPRESS,
                       help=map_help)


def load_inputs(args, map_path=None) -> tuple[Body, RegionMap]:
    """Map first (cheap, most likely to hold a typo), then the body."""
    rmap = load_region_map(map_path if map_path is not None else getattr(args, "region_map", None))
    body = Body.load(args.mesh, args.landmarks)
    return body, rmap
