"""Write rucas.db in a process of its own, beside the build's other stages (SqliteWriter).

SQLite writes a database with one thread. Run in the build's process, its tables, indexes and view tables (about
76 s of a cold build at 100,000 articles) left the machine's second core idle; in a process of its own they are
written while the build writes Parquet, DuckDB and the Web Annotations.

The process is a new interpreter running this module (`python -P -m rucas.build.write.sqlite_writer`, with the
build's import path: _same_imports), not a fork of the build (which would inherit its threads and count its memory
twice) nor a multiprocessing spawn (which runs the caller's script again when that script has no
`if __name__ == "__main__":` guard: a build started from such a script would start another build).

The two talk through a pipe each way, in pickles: the build hands over what to write, then says when DuckDB is
written; the writer hands back its stages' seconds, or the exception that stopped it.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from rucas.queries import SqlFile

DUCKDB_WRITTEN = "duckdb written"
"""What the build sends the writer when the DuckDB file whose view tables it copies is finished."""


class SqliteWriter:
    """write_sqlite (rucas.build.write.sqlite_db) run in a process of its own, started at once.

    The writer writes the tables first, then waits until `duckdb_written()` says that `duckdb_path` is finished
    before it copies the views' tables from it. `finish()` waits for it and returns its stages' seconds, or raises
    what made it fail; `stop()` ends it if it is still running (a build that fails elsewhere). `tables` must be
    picklable: a build's tables, once all sorted (rucas.build.table_files.SortedOnDemand.sort_all), are handed over
    as their folder and names, and read from the files there."""

    def __init__(self, tables: Mapping[str, pa.Table], path: Path, views: list[SqlFile], duckdb_path: Path):
        to_writer, ours_out = os.pipe()
        ours_in, from_writer = os.pipe()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-m", __name__, str(to_writer), str(from_writer), str(os.getpid())],
                pass_fds=(to_writer, from_writer), stdin=subprocess.DEVNULL, env=_same_imports())
        except BaseException:
            os.close(ours_out)
            os.close(ours_in)
            raise
        finally:  # the writer's ends of the pipes are its own now
            os.close(to_writer)
            os.close(from_writer)
        self._out: IO[bytes] = open(ours_out, "wb")
        self._in: IO[bytes] = open(ours_in, "rb")
        self._told = False
        self._send((tables, path, views, duckdb_path))

    @property
    def pid(self) -> int:
        """The writer's process id."""
        return self._process.pid

    @property
    def exit_code(self) -> int | None:
        """The writer's exit code once it has ended and been waited for (None before)."""
        return self._process.returncode

    def _send(self, message: Any) -> None:
        try:
            pickle.dump(message, self._out, protocol=pickle.HIGHEST_PROTOCOL)
            self._out.flush()
        except (BrokenPipeError, ValueError):  # the writer has ended already (or was stopped): finish() says how
            pass

    def duckdb_written(self) -> None:
        """Tell the writer that the DuckDB file is finished: it may copy the views' tables from it now."""
        if not self._told:
            self._told = True
            self._send(DUCKDB_WRITTEN)

    def finish(self) -> dict[str, float]:
        """Wait for the database to be written; its stages' seconds ("sqlite", "sqlite views"). Raises the
        writer's own exception if it failed, and RuntimeError if it ended without saying (killed)."""
        self.duckdb_written()
        try:
            outcome, value = pickle.load(self._in)
        except (EOFError, pickle.UnpicklingError):
            self._process.wait()
            raise RuntimeError(f"the SQLite writer ended without finishing rucas.db (exit code "
                               f"{self._process.returncode}: killed, or out of memory?); nothing was published. "
                               f"Run the build again.") from None
        finally:
            self._close()
        self._process.wait()
        if outcome == "failed":
            raise value
        return value

    def stop(self) -> None:
        """End the writer if it is still running, and wait for it (its file is left half written)."""
        self._close()
        if self._process.poll() is None:
            self._process.terminate()
        self._process.wait()

    def _close(self) -> None:
        for stream in (self._out, self._in):
            try:
                stream.close()
            except BrokenPipeError:  # what was left unsent: the writer has ended
                pass


def _same_imports() -> dict[str, str]:
    """The environment for the writer: this one, with PYTHONPATH set to this process's import path, so that the
    writer imports the modules the build imported (the same rucas, not another one installed), and (with -P) not
    whatever the working folder holds."""
    path = [os.path.abspath(entry or os.curdir) for entry in sys.path]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def _serve(commands: IO[bytes], results: IO[bytes]) -> None:
    """The writer's side: read what to write, write it, hand back ("done", seconds by stage) or ("failed",
    exception). It leaves without writing the views if the build closes the pipe instead of saying that DuckDB
    is written."""
    from rucas.build.write.sqlite_db import write_sqlite

    tables, path, views, duckdb_path = pickle.load(commands)
    stages: dict[str, float] = {}
    last = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal last
        now = time.perf_counter()
        stages[stage] = round(stages.get(stage, 0.0) + now - last, 4)
        last = now

    def duckdb_written() -> None:
        nonlocal last
        if pickle.load(commands) != DUCKDB_WRITTEN:  # EOFError when the build stopped: nothing more to write
            raise RuntimeError("the SQLite writer was told something other than that DuckDB is written")
        last = time.perf_counter()  # the wait is not one of the writer's stages

    try:
        write_sqlite(tables, path, views, duckdb_path, lap=lap, duckdb_written=duckdb_written)
    except EOFError:
        return
    except BaseException as exc:  # handed to the build, which raises it
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle and unpickle is handed over as its text
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        pickle.dump(("failed", exc), results)
        return
    pickle.dump(("done", stages), results)


def main(argv: list[str]) -> int:
    """`python -m rucas.build.write.sqlite_writer COMMANDS RESULTS PARENT`: serve the build `PARENT` through the
    pipes whose descriptors are COMMANDS and RESULTS, and end with it."""
    from rucas.build.validate.corpus import die_with_parent

    commands, results, parent = (int(value) for value in argv)
    die_with_parent(parent)
    with open(commands, "rb") as reading, open(results, "wb") as writing:
        try:
            _serve(reading, writing)
        except EOFError:  # the build ended before handing anything over
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
