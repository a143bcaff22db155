"""What a build reports about itself: seconds and, on Linux, the peak memory of its processes per stage.

benchmarks/run.py reads these figures to say which stage sets a build's memory peak (issue 20)."""

from __future__ import annotations

import os
import sys

import pytest

from rucas.build.memory import PeakSampler, tree_rss_kib
from rucas.build.pipeline import BuildReport

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="read from Linux's /proc")


WRITTEN_BESIDE = {"sqlite", "sqlite views"}
"""The stages of the SQLite writer's own process (SqliteWriter): timed there, while the build's process runs its
stages; the writer's memory is counted in the peaks of those stages, and of sqlite wait."""


@linux
def test_every_stage_of_the_build_process_has_a_peak(built: BuildReport) -> None:
    assert set(built.stage_peak_rss_mib) == set(built.stage_seconds) - WRITTEN_BESIDE
    assert all(peak > 0 for peak in built.stage_peak_rss_mib.values())


def test_a_cold_build_times_the_sqlite_writer_and_the_wait_for_it(built: BuildReport) -> None:
    assert WRITTEN_BESIDE | {"flush", "sqlite wait", "duckdb", "duckdb views", "annotations"} <= set(built.stage_seconds)
    assert all(built.stage_seconds[stage] > 0 for stage in WRITTEN_BESIDE)


@linux
def test_a_stage_that_held_memory_shows_it_and_the_next_does_not() -> None:
    with PeakSampler() as memory:
        memory.take()
        ballast = bytearray(200 * 2**20)
        ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: 200 MiB resident
        held = memory.take()
        del ballast
        memory.take()
        after = memory.take()
    assert held is not None and after is not None
    assert held - after > 150


@linux
def test_the_tree_counts_children() -> None:
    go_read, go_write = os.pipe()
    ready_read, ready_write = os.pipe()
    mine = tree_rss_kib(os.getpid())
    child = os.fork()
    if child == 0:  # the child holds 100 MiB, says so, and waits until the parent has measured
        ballast = bytearray(100 * 2**20)
        ballast[::4096] = b"x" * len(ballast[::4096])
        os.write(ready_write, b"r")
        os.read(go_read, 1)
        os._exit(0)
    try:
        os.read(ready_read, 1)
        assert tree_rss_kib(child) > 90 * 1024
        assert tree_rss_kib(os.getpid()) > mine + 90 * 1024
    finally:
        os.write(go_write, b"x")
        os.waitpid(child, 0)


def test_the_builds_duckdb_connections_draw_no_progress_bar(tmp_path) -> None:
    """A build reports its stages on standard error; DuckDB's bar, drawn for queries over 2 s, went to standard
    output between them."""
    from rucas.build.write.duckdb_db import connect

    setting = "SELECT current_setting('enable_progress_bar')"
    written = connect(tmp_path / "rucas.duckdb")
    assert written.execute(setting).fetchone() == (False,)
    written.close()
    read = connect(tmp_path / "rucas.duckdb", read_only=True)
    assert read.execute(setting).fetchone() == (False,)
    read.close()


def test_a_cold_builds_progress_names_the_sqlite_writers_stages(tmp_path) -> None:
    from conftest import MINIMAL_CORPUS
    from rucas.build.pipeline import build

    said: list[str] = []
    report = build(MINIMAL_CORPUS, tmp_path / "out", said.append)
    (line,) = [message for message in said if "(the SQLite writer, beside the stages above)" in message]
    assert line.strip().startswith(f"sqlite: {report.stage_seconds['sqlite']:.2f} s, "
                                   f"sqlite views: {report.stage_seconds['sqlite views']:.2f} s")
    assert said.index(line) < next(i for i, message in enumerate(said) if message.strip().startswith("sqlite wait:"))
