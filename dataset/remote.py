"""Read a published build or release in place over HTTP(S): its manifest, and its files checked against it.

`rucas.load(name, url=...)` comes here. Python's own urllib fetches each file whole into memory (no DuckDB
extension is needed: DuckDB's httpfs extension is not published for the Python DuckDB 2 that RUCAS uses);
a Parquet file is checked against the SHA-256 its manifest.json gives before pyarrow reads it. A view is
computed by DuckDB from the folder's rucas.duckdb, fetched into a temporary folder (DuckDB cannot open a
database over HTTP without httpfs; rucas.duckdb has no hash in the manifest, its bytes are not reproducible).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

TIMEOUT_SECONDS = 60


class RemoteFileError(ValueError):
    """A file read over HTTP is not the one the folder's manifest describes."""


def _address(url: str, relative: str) -> str:
    return url.rstrip("/") + "/" + relative


def fetch(url: str, relative: str) -> bytes:
    """The bytes of `relative` (a "/"-separated path) under the folder at `url`."""
    with urllib.request.urlopen(_address(url, relative), timeout=TIMEOUT_SECONDS) as response:
        return response.read()


def remote_manifest(url: str) -> dict:
    """The manifest.json of the build or release folder at `url`."""
    return json.loads(fetch(url, "manifest.json").decode("utf-8"))


def fetch_checked(url: str, relative: str, manifest: dict) -> bytes:
    """The bytes of `relative`, refused (RemoteFileError) unless their SHA-256 is the one the manifest gives."""
    data = fetch(url, relative)
    expected = next((entry["sha256"] for entry in manifest["outputs"] if entry["path"] == relative), None)
    if expected is None:
        raise RemoteFileError(f"{_address(url, relative)}: manifest.json lists no hash for it")
    if hashlib.sha256(data).hexdigest() != expected:
        raise RemoteFileError(f"{_address(url, relative)}: its SHA-256 differs from manifest.json's; the folder "
                              "was changed after it was built, or the download was cut")
    return data


def load_remote_table(name: str, url: str, manifest: dict) -> pd.DataFrame:
    """A published table, read over HTTP from parquet/<name>.parquet under `url`, typed as rucas.load types it."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from rucas.frames import table_frame

    data = fetch_checked(url, f"parquet/{name}.parquet", manifest)
    return table_frame(name, pq.read_table(pa.BufferReader(data)))


def load_remote_view(name: str, url: str) -> pd.DataFrame:
    """A prepared view, computed by DuckDB from the rucas.duckdb under `url` (fetched into a temporary folder)."""
    from rucas.frames import load_view

    with tempfile.TemporaryDirectory(prefix="rucas-remote-") as folder:
        (Path(folder) / "rucas.duckdb").write_bytes(fetch(url, "rucas.duckdb"))
        return load_view(name, Path(folder))
