"""Serve the published SQLite database with Datasette: immutable, counts precomputed, bound to localhost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rucas.build.publish.config_directory import PLUGINS_DIR, write_config
from rucas.build.publish.settings import DATABASE_NAME, SETTINGS

CONFIG_DIR = "datasette"
"""The configuration directory inside an output folder (written by every build)."""


def config_dir(output_dir: Path) -> Path:
    """The Datasette configuration directory of output_dir."""
    return output_dir / CONFIG_DIR


def publish_config(output_dir: Path, directory: Path | None = None) -> Path:
    """(Re)write the Datasette configuration directory for the build in output_dir; return it.

    The build writes it already; this serves builds made before, or a copy elsewhere (`directory`)."""
    database = output_dir / f"{DATABASE_NAME}.db"
    if not database.exists():
        raise FileNotFoundError(f"{output_dir}: no {DATABASE_NAME}.db here; run `rucas build` first")
    target = directory or config_dir(output_dir)
    write_config(target, database, absolute_link=directory is not None)
    return target


def _resolved(output_dir: Path) -> tuple[Path, Path]:
    """The real config directory of the current build and the database it links to."""
    config = config_dir(output_dir).resolve()
    return config, (config / f"{DATABASE_NAME}.db").resolve()


def _setting_value(value: int | bool) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def datasette_command(output_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The datasette command line that `rucas serve` runs: the database immutable (-i), with the build's
    inspect file, metadata and SETTINGS, on host:port. Paths are resolved once, through the config
    directory, so that the database, inspect file and metadata all belong to the same build even if
    another build is published meanwhile."""
    config, database = _resolved(output_dir)
    command = [sys.executable, "-m", "datasette", "serve",
               "-i", str(database),
               "--inspect-file", str(config / "inspect-data.json"),
               "--metadata", str(config / "metadata.json"),
               "--template-dir", str(config / "templates"),
               "--plugins-dir", str(config / "plugins"),
               "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, _setting_value(value)]
    if (config / "templates").is_dir():  # a release's pages (rucas.build.release.site)
        command += ["--template-dir", str(config / "templates")]
    return command


def datasette_app(output_dir: Path):  # -> datasette.app.Datasette
    """The Datasette application that datasette_command serves, built in-process (for tests and notebooks)."""
    from datasette.app import Datasette

    config, database = _resolved(output_dir)
    return Datasette(
        immutables=[str(database)],
        inspect_data=json.loads((config / "inspect-data.json").read_text(encoding="utf-8")),
        metadata=json.loads((config / "metadata.json").read_text(encoding="utf-8")),
        settings=dict(SETTINGS),
        template_dir=str(config / "templates"),
        plugins_dir=str(config / "plugins"),
    )


class PortInUse(OSError):
    """The address `rucas serve` was asked to listen on is taken."""


def port_is_free(host: str, port: int) -> bool:
    """Whether something could listen on host:port now."""
    import errno
    import socket

    try:
        with socket.create_server((host, port)):
            return True
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        return False


def free_port_after(host: str, port: int, tries: int = 100) -> int | None:
    """The first port after `port` on host that is free now (of the next `tries`), or None."""
    return next((candidate for candidate in range(port + 1, min(port + 1 + tries, 65536))
                 if port_is_free(host, candidate)), None)


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse, with a hint naming a port that is free now, if nothing could listen on host:port."""
    import errno

    if port_is_free(host, port):
        return
    free = free_port_after(host, port)
    hint = f"e.g. `rucas serve --port {free}` (free now)" if free else "none of the next 100 ports is free"
    raise PortInUse(errno.EADDRINUSE, f"port {port} on {host} is already in use (another server?); "
                    f"choose a free one with --port, {hint}")


def serve(output_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Serve the build in output_dir until interrupted: this process becomes Datasette (signals reach it
    directly). Raises PortInUse if host:port is taken, FileNotFoundError (saying to run `rucas build`) if
    output_dir holds no build; `rucas serve` builds first when there is none (rucas.build.pipeline.ensure_built)."""
    check_port_free(host, port)
    if not (config_dir(output_dir) / "inspect-data.json").exists():
        publish_config(output_dir)
    command = datasette_command(output_dir, host, port)
    print(f"serving RUCAS on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if os.name == "posix":
        os.execv(command[0], command)
    return subprocess.call(command)
