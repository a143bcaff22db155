"""A published release is read in place over HTTP: by rucas.load(url=...) and by the DuckDB 1.5 command line.

The release is served from 127.0.0.1 by a small handler that answers Range requests (206 Partial
Content), as web servers and object stores do and as DuckDB's httpfs extension needs; Python's
http.server answers every request with the whole file.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import rucas
from rucas.build.pipeline import build
from rucas.build.release.release import make_release
from rucas.remote import RemoteFileError

BIN = Path(sys.executable).parent
RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """Serves a folder, answering `Range: bytes=a-b` (and `bytes=a-`) with 206 and that part of the file."""

    requests_seen: list[tuple[str, str, int]] = []
    """(method, path, status) of every request, for the tests to read."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        wanted = RANGE.match(self.headers.get("Range", ""))
        if not wanted or not path.is_file():
            self.requests_seen.append((self.command, self.path, 200 if path.is_file() else 404))
            return super().send_head()
        size = path.stat().st_size
        start, end = int(wanted.group(1)), min(int(wanted.group(2) or size - 1), size - 1)
        if start >= size or start > end:
            self.requests_seen.append((self.command, self.path, 416))
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.requests_seen.append((self.command, self.path, 206))
        handle = open(path, "rb")  # noqa: SIM115 - closed by copyfile's caller, as in the base class
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Part(handle, end - start + 1)

    def end_headers(self) -> None:
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


class _Part:
    """A file object that reads no further than `length` bytes from where it stands."""

    def __init__(self, handle, length: int):
        self.handle, self.left = handle, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the minimal corpus."""
    root = tmp_path_factory.mktemp("http-release")
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", root / "curated")
    report = build(root / "curated", root / "output")
    return make_release(report.output_dir, root / "releases", released=datetime.date(2026, 11, 1)).release.folder


@pytest.fixture(scope="module")
def served(release: Path):
    """The releases folder served on 127.0.0.1; yields the release's URL."""
    handler = type("Handler", (RangeRequestHandler,), {"requests_seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *args: handler(*args, directory=str(release.parent)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{release.name}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_test_server_answers_range_requests_with_the_part_asked_for(served, release: Path) -> None:
    url, _ = served
    request = urllib.request.Request(f"{url}/parquet/events.parquet", headers={"Range": "bytes=0-3"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206 and response.read() == b"PAR1"
        size = (release / "parquet" / "events.parquet").stat().st_size
        assert response.headers["Content-Range"] == f"bytes 0-3/{size}"
    request = urllib.request.Request(f"{url}/parquet/events.parquet", headers={"Range": f"bytes={size - 4}-"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read() == b"PAR1"


def test_load_reads_a_table_over_http_as_it_reads_the_release_on_disk(served, release: Path) -> None:
    url, _ = served
    remote, local = rucas.load("events", url=url), rucas.load("events", path=release)
    pd.testing.assert_frame_equal(remote, local)
    assert remote.attrs["rucas_version"] == json.loads((release / "manifest.json").read_text())["version"]
    assert str(remote["date_earliest"].dtype) == "datetime64[ns]"


def test_load_reads_a_view_over_http(served, release: Path) -> None:
    url, _ = served
    pd.testing.assert_frame_equal(rucas.load("refusals", url=url), rucas.load("refusals", path=release))


def test_load_refuses_a_parquet_file_that_differs_from_the_manifest(served, release: Path, tmp_path: Path) -> None:
    url, _ = served
    changed = release.parent / "changed"
    shutil.copytree(release, changed)
    shutil.copyfile(changed / "parquet" / "actors.parquet", changed / "parquet" / "events.parquet")
    with pytest.raises(RemoteFileError, match="differs from manifest.json"):
        rucas.load("events", url=url.rsplit("/", 1)[0] + "/changed")


def _httpfs_extension(cli: str, cache: Path) -> Path:
    """The httpfs extension built for this DuckDB CLI's version, from the PyPI package duckdb-extension-httpfs.

    The package depends on the Python duckdb of the same version (1.5.x), which RUCAS (duckdb 2) cannot
    install beside its own, so it is downloaded without dependencies (`pip download --no-deps`) and
    the CLI loads the file by path."""
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout.split()[0]
    found = sorted(cache.glob(f"**/extensions/{version}/httpfs.duckdb_extension"))
    if not found:
        wheels = cache / "wheels"
        result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(wheels),
                                 f"duckdb-extension-httpfs=={version.removeprefix('v')}"],
                                capture_output=True, text=True, timeout=300, check=False)
        if result.returncode != 0:
            pytest.skip(f"duckdb-extension-httpfs=={version.removeprefix('v')} could not be downloaded: "
                        f"{result.stderr.strip()[-300:]}")
        for wheel in wheels.glob("*.whl"):
            shutil.unpack_archive(wheel, cache / "unpacked", format="zip")
        found = sorted(cache.glob(f"**/extensions/{version}/httpfs.duckdb_extension"))
    assert found, f"the duckdb-extension-httpfs package holds no extension for DuckDB {version}"
    return found[0]


def test_the_duckdb_cli_reads_a_parquet_file_of_the_release_over_http_with_range_requests(
        served, release: Path, request: pytest.FixtureRequest) -> None:
    url, handler = served
    cli = shutil.which("duckdb", path=str(BIN)) or shutil.which("duckdb")
    assert cli, "the DuckDB CLI is not installed: pip install -e '.[test]' installs it"
    extension = _httpfs_extension(cli, Path(request.config.cache.mkdir("duckdb-httpfs")))
    handler.requests_seen.clear()
    sql = (f"LOAD '{extension}'; SELECT event_id, event_type FROM read_parquet('{url}/parquet/events.parquet') "
           "ORDER BY event_id;")
    result = subprocess.run([cli, "-json", "-c", sql], capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "HOME": str(request.config.cache.mkdir("duckdb-home"))})
    assert result.returncode == 0, result.stderr
    expected = rucas.load("events", path=release)[["event_id", "event_type"]].sort_values("event_id")
    assert json.loads(result.stdout) == [{"event_id": event_id, "event_type": event_type} for event_id, event_type
                                         in zip(expected["event_id"], expected["event_type"].astype(str))]
    statuses = [status for _, path, status in handler.requests_seen if path.endswith("/events.parquet")]
    assert 206 in statuses, f"DuckDB read the file without range requests: {handler.requests_seen}"
