"""Options and loading shared by the headless sub-commands."""

from __future__ import annotations

from viewer.core.body import Body
from viewer.core.regionmap import RegionMap, load_region_map


def add_body_options(p, *, map_option: bool = True) -> None:
    p.add_argument("--mesh", metavar="FILE",
                   help="body mesh (OBJ, PLY, STL, GLB/GLTF, OFF); default: the shipped torso")
    p.add_argument("--landmarks", metavar="FILE",
                   help="landmarks of --mesh (default: <mesh>.landmarks.json beside it)")
    if map_option:
        p.add_argument("--map", dest="region_map", metavar="FILE",
                       help="region map (TOML); default: the shipped back-massage map")


def load_inputs(args, map_path=None) -> tuple[Body, RegionMap]:
    """Map first (cheap, most likely to hold a typo), then the body."""
    rmap = load_region_map(map_path if map_path is not None else getattr(args, "region_map", None))
    body = Body.load(args.mesh, args.landmarks)
    return body, rmap
