"""Where the curated input is and where outputs go, in a checkout and in an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path



def package_root() -> Path:
    """The folder of the `rucas` package (dataset/ in a checkout), where its leaf `_version.py` lives."""
    from rucas import _version

    return Path(_version.__file__).resolve().parent


def default_curated_dir() -> Path:
    """RUCAS_CURATED_DIR if set; else dataset/curated, shipped inside the package so an installed wheel can build too."""
    if override := os.environ.get("RUCAS_CURATED_DIR"):
        return Path(override)
    return package_root() / "curated"


def _in_checkout(root: Path) -> bool:
    return (root.parent / "pyproject.toml").is_file() and (root.parent / "schema").is_dir()


def default_output_dir() -> Path:
    """Where outputs are written and read.

    RUCAS_OUTPUT_DIR if set; dataset/ itself in a source checkout; otherwise a per-version
    cache folder (XDG_CACHE_HOME or ~/.cache), since site-packages may be read-only.
    """
    if override := os.environ.get("RUCAS_OUTPUT_DIR"):
        return Path(override)
    root = package_root()
    if _in_checkout(root):
        return root
    from rucas._version import __version__

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "rucas" / __version__


def default_releases_dir() -> Path:
    """Where `rucas release` writes releases and `rucas.load(..., version=...)` finds them.

    RUCAS_RELEASES_DIR if set; dataset/releases in a source checkout (git-ignored); otherwise
    releases/ in the cache folder (XDG_CACHE_HOME or ~/.cache, then rucas/).
    """
    if override := os.environ.get("RUCAS_RELEASES_DIR"):
        return Path(override)
    root = package_root()
    if _in_checkout(root):
        return root / "releases"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rucas" / "releases"
