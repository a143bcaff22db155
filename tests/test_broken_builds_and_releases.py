"""`rucas diff` and `rucas release` answer a damaged build or release with a message naming it, never a traceback.

A side whose Parquet files no longer match its manifest.json (a table deleted, truncated or altered)
is not compared at all: a deleted table would otherwise read as the table removed from the dataset.
A killed release leaves a staging folder that the next release removes, once its marker proves it is
RUCAS's and its writer has ended; folders it cannot prove are its own are never removed.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS
from rucas.build.cli import main as rucas
from rucas.build.pipeline import build
from rucas.build.release.release import ReleaseError, make_release
from rucas.build.release.staging import MARKER_SUFFIX, release_staging, remove_stale_staging

DAY = datetime.date(2026, 11, 1)


@pytest.fixture(scope="module")
def minimal_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal corpus built once; tests copy its build before damaging it."""
    return build(MINIMAL_CORPUS, tmp_path_factory.mktemp("minimal")).output_dir


def _copy(output: Path, target: Path) -> Path:
    shutil.copytree(output.resolve() / ".builds" / "current", target)
    return target


def _diff(old: Path, new: Path, capsys) -> tuple[int, str]:
    status = rucas(["diff", str(old), str(new)])
    return status, capsys.readouterr().err


def test_diff_of_a_build_whose_table_was_deleted_says_it_no_longer_matches_its_manifest(minimal_output, tmp_path,
                                                                                        capsys):
    damaged = _copy(minimal_output, tmp_path / "damaged")
    (damaged / "parquet" / "claims.parquet").unlink()
    status, error = _diff(minimal_output, damaged, capsys)
    assert status == 1
    assert "no longer matches its manifest.json (parquet/claims.parquet is missing)" in error and "Fix:" in error


def test_diff_of_a_truncated_parquet_file_names_the_file(minimal_output, tmp_path, capsys):
    damaged = _copy(minimal_output, tmp_path / "damaged")
    events = damaged / "parquet" / "events.parquet"
    events.write_bytes(events.read_bytes()[:100])
    status, error = _diff(minimal_output, damaged, capsys)
    assert status == 1 and "parquet/events.parquet differs from it: 100 bytes" in error


def test_diff_of_a_corrupt_duckdb_file_names_the_file(minimal_output, tmp_path, capsys):
    damaged = _copy(minimal_output, tmp_path / "damaged")
    (damaged / "rucas.duckdb").write_bytes(os.urandom(5000))
    status, error = _diff(minimal_output, damaged, capsys)
    assert status == 1 and f"{damaged / 'rucas.duckdb'}: cannot be opened by DuckDB" in error and "Fix:" in error


@pytest.mark.parametrize("damage", ["missing folder", "no manifest", "corrupt manifest", "manifest of no build"])
def test_diff_of_a_folder_that_holds_no_readable_build_says_so(minimal_output, tmp_path, capsys, damage):
    other = tmp_path / "other"
    if damage != "missing folder":
        _copy(minimal_output, other)
    if damage == "no manifest":
        (other / "manifest.json").unlink()
    elif damage == "corrupt manifest":
        (other / "manifest.json").write_text('{"version": ')
    elif damage == "manifest of no build":
        (other / "manifest.json").write_text('["a list"]')
    status, error = _diff(minimal_output, other, capsys)
    assert status == 1 and str(other) in error and "Fix:" in error


def test_diff_of_two_whole_builds_still_compares_them(minimal_output, tmp_path, capsys):
    copy = _copy(minimal_output, tmp_path / "copy")
    assert rucas(["diff", str(minimal_output), str(copy)]) == 0
    assert "Kind of change: none" in capsys.readouterr().out


@pytest.fixture()
def first_release(minimal_output: Path, tmp_path: Path) -> Path:
    """A releases folder holding one release of the minimal corpus."""
    releases = tmp_path / "releases"
    make_release(minimal_output, releases, released=DAY)
    return releases


def test_a_release_against_a_corrupt_previous_release_names_it(minimal_output, first_release, tmp_path, capsys):
    previous = next(p for p in first_release.iterdir() if not p.name.startswith("."))
    (previous / "parquet" / "events.parquet").write_bytes(b"PAR1 truncated")
    status = rucas(["release", "--output", str(minimal_output), "--to", str(tmp_path / "next"), "--previous",
                    str(previous), "--date", "2026-11-02"])
    error = capsys.readouterr().err
    assert status == 1 and "the previous release" in error and "no longer matches its manifest.json" in error
    assert not (tmp_path / "next").exists() or not [p for p in (tmp_path / "next").iterdir()
                                                    if not p.name.startswith(".")]


def test_a_release_folder_with_a_corrupt_release_record_is_named(minimal_output, first_release, tmp_path, capsys):
    released = next(p for p in first_release.iterdir() if not p.name.startswith("."))
    previous = released.rename(first_release / "0.0.9+000000000000")  # an earlier release, its record damaged
    (previous / "release.json").write_text("{")
    status = rucas(["release", "--output", str(minimal_output), "--to", str(first_release), "--date", "2026-11-02"])
    error = capsys.readouterr().err
    assert status == 1 and f"{previous / 'release.json'}: cannot be read as a release record" in error
    assert "Fix: restore the release folder from its archive" in error


def _killed_release_staging(releases: Path) -> Path:
    """Start a release's staging in another process and kill it there, as Ctrl-C or a crash would."""
    script = ("import os, signal, sys\nfrom pathlib import Path\n"
              "from rucas.build.release.staging import release_staging\n"
              "with release_staging(Path(sys.argv[1])) as staging:\n"
              "    (staging / 'parquet').mkdir()\n    (staging / 'parquet' / 'big.parquet').write_bytes(b'x' * 100000)\n"
              "    print(staging, flush=True)\n    os.kill(os.getpid(), signal.SIGKILL)\n")
    result = subprocess.run([sys.executable, "-c", script, str(releases)], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    return Path(result.stdout.strip())


def test_the_next_release_removes_the_staging_folder_of_a_killed_one(minimal_output, tmp_path):
    releases = tmp_path / "releases"
    releases.mkdir()
    left = _killed_release_staging(releases)
    assert left.is_dir() and Path(str(left) + MARKER_SUFFIX).is_file()
    make_release(minimal_output, releases, released=DAY)
    assert not left.exists() and not Path(str(left) + MARKER_SUFFIX).exists()
    assert [p.name for p in releases.iterdir()] == [json.loads((p / "release.json").read_text())["version"]
                                                     for p in releases.iterdir()]


def test_a_staging_folder_without_a_marker_or_of_a_running_release_is_never_removed(tmp_path):
    releases = tmp_path / "releases"
    foreign = releases / ".staging-not-rucas"
    foreign.mkdir(parents=True)
    (foreign / "data.txt").write_text("someone else's\n")
    with release_staging(releases) as running:
        assert remove_stale_staging(releases) == []
        assert running.is_dir()
    assert foreign.is_dir() and not running.exists()
