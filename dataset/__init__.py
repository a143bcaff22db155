"""RUCAS: an open relational dataset of Russia's security role in Central Asia.

    >>> import rucas
    >>> events = rucas.load("events")          # a typed pandas DataFrame
    >>> every_table = rucas.tables()           # {name: DataFrame} for every table and view

The first call builds the dataset from the curated files shipped with the package if no
build exists yet (in a checkout: dataset/; installed: a cache folder, see
rucas.build.paths.default_output_dir).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["__version__", "load", "tables", "table_names", "view_names", "manifest", "output_dir"]


def output_dir(path: Path | None = None) -> Path:
    """The folder holding the published build, building it first if there is none."""
    from rucas.build.paths import default_output_dir
    from rucas.build.publish.serve import ensure_built

    directory = path or default_output_dir()
    ensure_built(directory)
    return directory


def manifest(path: Path | None = None) -> dict:
    """The manifest of the published build: version, row counts, input and output hashes."""
    return json.loads((output_dir(path) / "manifest.json").read_text(encoding="utf-8"))


def table_names() -> list[str]:
    """Names of the published tables, in dependency order."""
    from rucas.schema import table_specs

    return [spec.name for spec in table_specs()]


def view_names() -> list[str]:
    """Names of the prepared views."""
    from rucas.queries import view_files

    return [view.name for view in view_files()]


def load(name: str, path: Path | None = None) -> pd.DataFrame:
    """One table (from Parquet) or view (from DuckDB) as a pandas DataFrame with nullable, typed columns.

    Text is `string`, whole numbers `Int64`, decimals `Float64`, dates `date32[pyarrow]`, and
    coded columns are categoricals whose categories are the full vocabulary.
    """
    from rucas.frames import load_table, load_view

    directory = output_dir(path)
    if name in table_names():
        return load_table(name, directory)
    if name in view_names():
        return load_view(name, directory)
    raise KeyError(f"no table or view named {name!r}; tables: {table_names()}; views: {view_names()}")


def tables(path: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table and view by name, as load() returns them."""
    return {name: load(name, path) for name in table_names() + view_names()}
