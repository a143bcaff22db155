"""A build killed at any point, or racing another build, never leaves a half-written dataset behind.

Builds run in subprocesses. To kill one at a chosen point without test hooks in the build, the
subprocess wraps one of the build's own functions so that the process SIGKILLs itself there
(mid-way through Parquet, DuckDB or SQLite, just before or during the publish step); one test
also kills a build from outside as soon as its staging folder reaches the DuckDB stage.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from rucas.build.pipeline import build
from rucas.build.publish.atomic import BUILDS, OUTPUT_NAMES, build_lock

from conftest import MINIMAL_CORPUS

ANNOTATION = "annotations/eurasianet-russia-turns-down-kyrgyzstans-plea.yaml"

BUILD_SCRIPT = textwrap.dedent('''
    """Build argv[2] into argv[3]; with argv[1] naming a point, SIGKILL this process there."""
    import os, signal, sys, time
    from pathlib import Path

    point, curated, output = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    import pyarrow.parquet
    import rucas.build.write.duckdb_db, rucas.build.write.sqlite_writer, rucas.build.publish.atomic, rucas.build.pipeline

    if point == "parquet":  # the third Parquet file half-written
        original_write_table, written = pyarrow.parquet.write_table, []
        def write_table(table, where, **options):
            written.append(where)
            original_write_table(table, where, **options)
            if len(written) == 3:
                with open(where, "r+b") as handle:
                    handle.truncate(os.path.getsize(where) // 2)
                die()
        pyarrow.parquet.write_table = write_table
    elif point == "cache":  # the validation cache half-saved
        import rucas.build.validate.cache
        original_write_ipc, saved = rucas.build.validate.cache._write_ipc, []
        def write_ipc(table, path, *holds):
            saved.append(path)
            original_write_ipc(table, path, *holds)
            if len(saved) == 3:
                with open(path, "r+b") as handle:
                    handle.truncate(os.path.getsize(path) // 2)
                die()
        rucas.build.validate.cache._write_ipc = write_ipc
    elif point == "duckdb":  # every table loaded, views not yet created, nothing committed
        rucas.build.write.duckdb_db.create_views = lambda *args, **kwargs: die()
    elif point == "sqlite":  # DuckDB written, its SQLite writer (a process of its own) not done: killed with the build
        def die_when_told(writer):
            print(writer.pid, flush=True)
            die()
        rucas.build.write.sqlite_writer.SqliteWriter.duckdb_written = die_when_told
    elif point == "sqlite-writer":  # the SQLite writer's process killed from outside: the build fails
        original_init = rucas.build.write.sqlite_writer.SqliteWriter.__init__
        def start_then_kill(writer, *args):
            original_init(writer, *args)
            os.kill(writer.pid, signal.SIGKILL)
        rucas.build.write.sqlite_writer.SqliteWriter.__init__ = start_then_kill
    elif point == "before-publish":  # every output complete and synced, not yet renamed into place
        original_fsync_tree = rucas.build.publish.atomic._fsync_tree
        def fsync_then_die(root, *flushed):
            original_fsync_tree(root, *flushed)
            die()
        rucas.build.publish.atomic._fsync_tree = fsync_then_die
    elif point == "during-publish":  # renamed to its final folder, `current` not yet swapped
        os.symlink = lambda *args, **kwargs: die()
    elif point == "pause-before-publish":  # hold the lock until the test says go
        original_fsync_tree = rucas.build.publish.atomic._fsync_tree
        def pause(root, *flushed):
            (output / "paused").write_text("")
            while not (output / "go").exists():
                time.sleep(0.01)
            original_fsync_tree(root, *flushed)
        rucas.build.publish.atomic._fsync_tree = pause
    elif point != "none":
        raise SystemExit(f"unknown point {point}")
    report = rucas.build.pipeline.build(curated, output)
    print(report.version)
''')

KILL_POINTS = ["cache", "parquet", "duckdb", "sqlite", "before-publish", "during-publish"]


def start_build(curated: Path, output: Path, point: str = "none") -> subprocess.Popen:
    """Start a build of `curated` into `output` in a new Python process (killed at `point`, if given)."""
    return subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, point, str(curated), str(output)],
                            cwd=output.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def published(output: Path) -> dict[str, str]:
    """SHA-256 of every published output as a reader sees it, through the links."""
    digests = {}
    for name in OUTPUT_NAMES:
        top = output / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            digests[path.relative_to(output).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def assert_whole_build(output: Path) -> dict:
    """Every published file matches the manifest, and both databases hold the manifest's row counts."""
    manifest = json.loads((output / "manifest.json").read_text())
    for entry in manifest["outputs"]:
        path = output / entry["path"]
        assert path.exists(), f"{entry['path']} is listed in the manifest but missing"
        if entry["sha256"]:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
        if entry["bytes"] is not None:  # rucas.db too, which the manifest gives no hash
            assert path.stat().st_size == entry["bytes"], entry["path"]
    lite = sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True)
    try:
        assert lite.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table, count in manifest["row_counts"].items():
            assert lite.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count, table
    finally:
        lite.close()
    duck = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    try:
        for table, count in manifest["row_counts"].items():
            assert duck.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count, table
    finally:
        duck.close()
    return manifest


@pytest.fixture()
def corpus_a(tmp_path: Path) -> Path:
    """The minimal corpus."""
    return Path(shutil.copytree(MINIMAL_CORPUS, tmp_path / "corpus-a"))


@pytest.fixture()
def corpus_b(tmp_path: Path) -> Path:
    """The minimal corpus with one more actor and no claims: different counts in two tables."""
    corpus = Path(shutil.copytree(MINIMAL_CORPUS, tmp_path / "corpus-b"))
    actors = corpus / "reference" / "actors.yaml"
    actors.write_text(actors.read_text() + "- actor_id: fixture-extra-actor\n  name: Extra actor\n"
                      "  actor_type: person\n  description: An actor only corpus B has.\n")
    annotation = corpus / ANNOTATION
    text = annotation.read_text()
    annotation.write_text(text[: text.index("\nclaims:")] + "\n")
    return corpus


@pytest.fixture()
def output(tmp_path: Path, corpus_a: Path) -> Path:
    """An output folder that already holds a good build of corpus A."""
    output = tmp_path / "out"
    build(corpus_a, output)
    return output


def test_the_two_corpora_differ_in_two_tables(output: Path, corpus_b: Path, tmp_path: Path):
    other = build(corpus_b, tmp_path / "other")
    counts_a = assert_whole_build(output)["row_counts"]
    assert other.row_counts["actors"] == counts_a["actors"] + 1
    assert counts_a["claims"] > 0 == other.row_counts["claims"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_killed_mid_write_leaves_the_previous_outputs_and_the_next_build_succeeds(
        point: str, output: Path, corpus_b: Path):
    before = published(output)
    version_before = json.loads((output / "manifest.json").read_text())["version"]
    status, printed = finish(start_build(corpus_b, output, point))
    assert status == -signal.SIGKILL, printed
    assert published(output) == before
    assert assert_whole_build(output)["version"] == version_before

    status, printed = finish(start_build(corpus_b, output))
    assert status == 0, printed
    manifest = assert_whole_build(output)
    assert manifest["version"] != version_before and manifest["row_counts"]["claims"] == 0
    builds = output / BUILDS
    assert not list(builds.glob("staging-*")), "the next build removes what the killed one left"


def test_the_sqlite_writer_ends_with_a_build_killed(output: Path, corpus_b: Path):
    status, printed = finish(start_build(corpus_b, output, "sqlite"))
    assert status == -signal.SIGKILL, printed
    writer = int(printed.split()[0])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{writer}").exists() and "Z" not in _state(writer):
        assert time.monotonic() < deadline, f"the SQLite writer {writer} outlived its build"
        time.sleep(0.01)


def _state(pid: int) -> str:
    """A process's state letter from /proc (Z: a zombie, ended; empty once gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def test_a_build_whose_sqlite_writer_is_killed_fails_and_publishes_nothing(output: Path, corpus_b: Path):
    before = published(output)
    status, printed = finish(start_build(corpus_b, output, "sqlite-writer"))
    assert status == 1, printed
    assert "the SQLite writer ended without finishing rucas.db" in printed
    assert published(output) == before
    assert finish(start_build(corpus_b, output))[0] == 0
    assert assert_whole_build(output)["row_counts"]["claims"] == 0


def test_a_build_killed_from_outside_when_it_reaches_duckdb_leaves_the_previous_outputs(
        output: Path, corpus_b: Path):
    before = published(output)
    process = start_build(corpus_b, output)
    deadline = time.monotonic() + 60
    killed = False
    while process.poll() is None and time.monotonic() < deadline:
        if any((staging / "rucas.duckdb").exists() for staging in (output / BUILDS).glob("staging-*")):
            process.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.0005)
    status, printed = finish(process)
    if killed and status == -signal.SIGKILL:
        assert published(output) == before
    else:  # the build outran the poll: then it must have published whole
        assert status == 0, printed
    assert_whole_build(output)
    assert finish(start_build(corpus_b, output))[0] == 0
    assert assert_whole_build(output)["row_counts"]["claims"] == 0


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, finish(process)[1]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


@pytest.mark.slow
def test_a_second_build_waits_for_the_lock_of_the_first(output: Path, corpus_a: Path, corpus_b: Path):
    first = start_build(corpus_b, output, "pause-before-publish")
    _wait_for(output / "paused", first)
    with pytest.raises(BlockingIOError), build_lock(output, wait=False):
        pass
    staging_of_first = set((output / BUILDS).glob("staging-*"))
    assert len(staging_of_first) == 1
    second = start_build(corpus_a, output)
    time.sleep(2)  # room for the second build to reach the lock (it must not get past it)
    assert second.poll() is None
    assert set((output / BUILDS).glob("staging-*")) == staging_of_first
    (output / "go").write_text("")
    assert finish(first)[0] == 0
    assert finish(second)[0] == 0
    manifest = assert_whole_build(output)
    assert manifest["row_counts"]["claims"] > 0, "the build that took the lock last published last"


@pytest.mark.slow
def test_two_builds_started_at_once_publish_one_whole_dataset(corpus_a: Path, corpus_b: Path, tmp_path: Path):
    output = tmp_path / "raced"
    output.mkdir()
    for _ in range(3):
        builds = [start_build(corpus_a, output), start_build(corpus_b, output)]
        assert [finish(process)[0] for process in builds] == [0, 0]
        assert_whole_build(output)
    assert len(list((output / BUILDS).glob("build-*"))) <= 2, "current and one previous build remain"
    assert not list((output / BUILDS).glob("staging-*"))


def _counts_sqlite(output: Path) -> tuple[int, int]:
    con = sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True)
    try:
        return (con.execute("SELECT count(*) FROM actors").fetchone()[0],
                con.execute("SELECT count(*) FROM claims").fetchone()[0])
    finally:
        con.close()


def _counts_duckdb(output: Path) -> tuple[int, int]:
    con = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    try:
        return (con.execute("SELECT count(*) FROM actors").fetchone()[0],
                con.execute("SELECT count(*) FROM claims").fetchone()[0])
    finally:
        con.close()


def _read_until(stop: threading.Event, read, output: Path, seen: list, failures: list) -> None:
    while not stop.is_set():
        try:
            seen.append(read(output))
        except Exception as exc:  # noqa: BLE001 - every failed read is a finding
            failures.append(repr(exc))
        stop.wait(0.01)  # leave the builds some of the two cores


@pytest.mark.slow
def test_readers_during_builds_see_the_old_or_the_new_dataset_whole(output: Path, corpus_b: Path, tmp_path: Path):
    pair_a = _counts_sqlite(output)
    pair_b = _counts_sqlite(build(corpus_b, tmp_path / "reference-b").output_dir)
    stop = threading.Event()
    seen: dict[str, list] = {"sqlite": [], "duckdb": []}
    failures: list[str] = []
    readers = [threading.Thread(target=_read_until, args=(stop, read, output, seen[name], failures))
               for name, read in (("sqlite", _counts_sqlite), ("duckdb", _counts_duckdb))]
    for reader in readers:
        reader.start()
    statuses: list[int] = []
    try:
        for index in range(4):
            status, printed = finish(start_build(corpus_b if index % 2 == 0 else tmp_path / "corpus-a", output))
            statuses.append(status)
            assert status == 0, printed
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert statuses == [0] * 4
    assert not failures, failures[:5]
    for name, pairs in seen.items():
        assert pairs, f"no {name} read completed"
        assert set(pairs) <= {pair_a, pair_b}, f"{name} saw a mixed dataset: {set(pairs) - {pair_a, pair_b}}"
    assert {pair_a, pair_b} <= set(seen["sqlite"]) | set(seen["duckdb"]), "readers saw both datasets"



@pytest.mark.slow
def test_a_build_held_open_by_a_server_is_kept_through_later_builds(corpus_a: Path, corpus_b: Path, tmp_path: Path):
    """A server (like `rucas serve`) opens the build's rucas.db by its real path and opens more connections later."""
    output = tmp_path / "served"
    output.mkdir()
    assert finish(start_build(corpus_a, output))[0] == 0  # in another process: this one holds nothing open
    served = (output / "rucas.db").resolve()
    pair_a = _counts_sqlite(output)
    held = sqlite3.connect(f"file:{served}?mode=ro", uri=True)
    try:
        for corpus in (corpus_b, corpus_a, corpus_b):
            assert finish(start_build(corpus, output))[0] == 0
        assert served.exists()
        later = sqlite3.connect(f"file:{served}?mode=ro", uri=True)
        assert (later.execute("SELECT count(*) FROM actors").fetchone()[0],
                later.execute("SELECT count(*) FROM claims").fetchone()[0]) == pair_a
        later.close()
    finally:
        held.close()
    assert finish(start_build(corpus_a, output))[0] == 0
    assert not served.exists(), "once let go, a superseded build is removed by the next build"


def test_a_corrupt_validation_cache_is_ignored(output: Path, corpus_b: Path):
    caches = [path for path in (output / ".cache").rglob("*") if path.is_file()]
    assert caches, "the build keeps a validation cache under <output>/.cache"
    for path in caches:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2] + b"garbage")
    status, printed = finish(start_build(corpus_b, output))
    assert status == 0, printed
    assert assert_whole_build(output)["row_counts"]["claims"] == 0


def test_outputs_flushed_while_waiting_are_not_flushed_again_and_nothing_is_left_out(tmp_path: Path, monkeypatch):
    import rucas.build.publish.atomic as atomic

    staging = tmp_path / "staging"
    for relative in ("annotations/articles/a.jsonld", "annotations/articles/b.jsonld", "parquet/events.parquet",
                     "rucas.duckdb", "rucas.db", "datasette/metadata.json"):
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        (staging / relative).write_text(relative)
    flushed: list[str] = []
    monkeypatch.setattr(atomic, "_fsync", lambda path: flushed.append(Path(path).relative_to(tmp_path).as_posix()))
    (staging / "records").symlink_to(staging / "parquet")  # a link is not flushed early: its entry is flushed later
    (tmp_path / "published.json").write_text("a published build's file")
    os.link(tmp_path / "published.json", staging / "datasette" / "taken-over.json")  # flushed when it was published
    done = atomic.flush_finished(staging, ("annotations", "parquet", "rucas.duckdb", "records", "not-written"))
    assert done == ("annotations", "parquet", "rucas.duckdb")
    early = list(flushed)
    atomic.flush_staging(staging, done)
    late = flushed[len(early):]
    every = {path.relative_to(tmp_path).as_posix() for path in [staging, *staging.rglob("*")]
             if not path.is_symlink() and path.name != "taken-over.json"}
    assert sorted(flushed) == sorted(every), "each file and folder flushed once; a hard link to a published file not"
    assert set(early) == {path for path in every if path.split("/")[1:2] in (["annotations"], ["parquet"],
                                                                             ["rucas.duckdb"])}
    assert late[-1] == "staging" and "staging/rucas.db" in late
    assert late.index("staging/datasette/metadata.json") < late.index("staging/datasette") < late.index("staging")
