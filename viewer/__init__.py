"""BackView: a 3D viewer that teaches how to give a safe, relaxing back massage."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("backview")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"
