"""``backview landmarks``: find the landmarks of a body mesh automatically and write them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from viewer.core.body import landmarks_path_for
from viewer.core.errors import BackViewError
from viewer.core.mesh import load_mesh


def add_parser(sub) -> None:
    p = sub.add_parser(
        "landmarks", help="find a body's landmarks automatically (any units, axes, topology)",
        description="Fit BackView's torso to a body mesh and write its landmarks, "
                    "<mesh>.landmarks.json beside it unless --out says otherwise.")
    p.add_argument("--mesh", metavar="FILE", default=argparse.SUPPRESS,
                   help="body mesh (OBJ, PLY, STL, GLB/GLTF, OFF)")
    p.add_argument("--out", metavar="FILE", type=Path,
                   help="landmarks file to write (default: <mesh>.landmarks.json beside it)")
    p.add_argument("--force", action="store_true", help="replace an existing landmarks file")
    p.add_argument("--json", action="store_true",
                   help="print the written landmarks file as JSON instead of a summary")
    p.set_defaults(run=run)


def run(args) -> int:
    if not getattr(args, "mesh", None):
        raise BackViewError("needs --mesh FILE: the body to find the landmarks on",
                            field="--mesh")
    mesh_path = Path(args.mesh)
    out = args.out if args.out is not None else landmarks_path_for(mesh_path)
    _check_out(out, args.force)
    mesh = load_mesh(mesh_path)

    from viewer.core.fitting import fit_landmarks, write_landmarks

    with _progress() as progress:
        fit = fit_landmarks(mesh, source=mesh_path, progress=progress)
    write_landmarks(fit, mesh_path, out)
    for warning in fit.warnings:
        print(f"backview: warning: {mesh_path}: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps({"written": str(out), "summary": fit.summary(),
                          **fit.document(mesh_path.name)}, indent=2, ensure_ascii=False))
    else:
        print(f"{out}: {fit.summary()}")
    return 0


def _check_out(out: Path, force: bool) -> None:
    """Refuse, before any work, a destination that cannot or should not be written."""
    if out.suffix.lower() != ".json":
        raise BackViewError("a landmarks file ends in .json", out, "--out")
    if out.is_dir():
        raise BackViewError("is a folder, not a landmarks file", out, "--out")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise BackViewError("its folder does not exist", out, "--out")
    if out.exists() and not force:
        raise BackViewError("exists already: pass --force to replace it, or --out FILE", out,
                            "--out")


class _progress:
    """A progress bar on the terminal (tqdm) once the fit has taken more than a second."""

    def __enter__(self):
        from tqdm import tqdm

        # disable=None: only on a terminal, never into a log file or a pipe
        self.bar = tqdm(total=100, desc="fitting", delay=1.0, leave=False, disable=None,
                        file=sys.stderr, bar_format="{desc:<36} {bar} {n:.0f}%")
        return self

    def __call__(self, fraction: float, what: str) -> None:
        self.bar.n = round(100 * fraction)
        self.bar.set_description_str(f"fitting: {what}", refresh=False)
        self.bar.refresh()

    def __exit__(self, *exc) -> None:
        self.bar.close()
