"""Run Datasette on the published SQLite database: immutable, with precomputed counts, bound to localhost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SETTINGS = {
    "sql_time_limit_ms": 2000,
    "max_returned_rows": 2000,
    "facet_time_limit_ms": 500,
    "allow_download": True,
    "default_page_size": 50,
}
"""Datasette settings chosen for a small read-only dataset on a small machine."""


def ensure_built(output_dir: Path) -> None:
    """Build into output_dir if it holds no published build yet."""
    if not (output_dir / "manifest.json").exists():
        from rucas.build.paths import default_curated_dir
        from rucas.build.pipeline import build, stderr_progress

        build(default_curated_dir(), output_dir, stderr_progress)


def datasette_command(output_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The datasette command line that serves output_dir (also what the README shows for plain datasette)."""
    database = (output_dir / "rucas.db").resolve()
    config_dir = output_dir / "datasette"
    inspect_file = config_dir / "inspect-data.json"
    command = [sys.executable, "-m", "datasette", "serve", "-i", str(database),
               "--inspect-file", str(inspect_file), "--metadata", str(config_dir / "metadata.json"),
               "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, json.dumps(value) if isinstance(value, bool) else str(value)]
    return command


def serve(output_dir: Path, host: str = "127.0.0.1", port: int = 8001, rebuild: bool = False) -> int:
    """Serve the dataset until interrupted; return Datasette's exit status."""
    if rebuild:
        from rucas.build.paths import default_curated_dir
        from rucas.build.pipeline import build, stderr_progress

        build(default_curated_dir(), output_dir, stderr_progress)
    ensure_built(output_dir)
    command = datasette_command(output_dir, host, port)
    print(f"serving RUCAS on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
