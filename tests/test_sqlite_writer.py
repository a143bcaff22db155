"""The SQLite writer runs in a process of its own beside the build's other stages (SqliteWriter): it writes the
same file as write_sqlite run in the build's process, says why it failed, and ends when told to."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from rucas.build.validate.corpus import validate_corpus
from rucas.build.write.duckdb_db import write_duckdb
from rucas.build.write.sqlite_db import write_sqlite
from rucas.build.write.sqlite_writer import SqliteWriter, _same_imports
from rucas.queries import view_files

from conftest import MINIMAL_CORPUS


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, pa.Table], Path]:
    """The minimal corpus's tables and the DuckDB file written from them."""
    tables = dict(validate_corpus(MINIMAL_CORPUS).tables)
    duckdb_path = tmp_path_factory.mktemp("duckdb") / "rucas.duckdb"
    write_duckdb(tables, duckdb_path, view_files(), "0.0.0+test")
    return tables, duckdb_path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_writer_process_writes_the_same_bytes_as_the_build_process(written, tmp_path: Path) -> None:
    tables, duckdb_path = written
    write_sqlite(tables, tmp_path / "here.db", view_files(), duckdb_path)
    writer = SqliteWriter(tables, tmp_path / "aside.db", view_files(), duckdb_path)
    writer.duckdb_written()
    stages = writer.finish()
    assert sha256(tmp_path / "aside.db") == sha256(tmp_path / "here.db")
    assert set(stages) == {"sqlite", "sqlite views"} and all(seconds > 0 for seconds in stages.values())


def test_a_writer_stopped_by_a_failing_build_ends(written, tmp_path: Path) -> None:
    tables, duckdb_path = written
    writer = SqliteWriter(tables, tmp_path / "aside.db", view_files(), duckdb_path)
    writer.stop()
    assert writer.exit_code is not None
    writer.stop()  # a second stop (the build's cleanup after a failed finish) is harmless


def test_a_writer_that_fails_raises_its_own_error_in_the_build(written, tmp_path: Path) -> None:
    tables, duckdb_path = written
    statements = tables["statements"]
    speaker = statements.column("speaker_id")[0].as_py()
    broken = dict(tables)  # the first statement's speaker is no longer an actor: the foreign key check fails
    broken["actors"] = tables["actors"].filter(pc.not_equal(tables["actors"].column("actor_id"), speaker))
    writer = SqliteWriter(broken, tmp_path / "aside.db", view_files(), duckdb_path)
    writer.duckdb_written()
    with pytest.raises(Exception, match="FOREIGN KEY|foreign key"):
        writer.finish()
    assert writer.exit_code == 0  # it said why and left; it did not crash


def test_a_build_started_from_a_script_without_a_main_guard_builds_once(tmp_path: Path) -> None:
    """A writer started by multiprocessing's spawn would run such a script again in its process (a second build
    into the same folder, which removed the first one's staging folder and its tables): the writer is a new
    interpreter running its own module instead."""
    script = tmp_path / "build_it.py"
    script.write_text(f"from pathlib import Path\nfrom rucas.build.pipeline import build\n"
                      f"print('started', flush=True)\n"
                      f"build(Path({str(MINIMAL_CORPUS)!r}), Path({str(tmp_path / 'out')!r}))\n")
    finished = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.count("started") == 1
    assert (tmp_path / "out" / "rucas.db").is_file()


def test_the_writer_imports_the_rucas_the_build_imported(tmp_path: Path, monkeypatch) -> None:
    """Not another one installed, and nothing of the working folder: a `pyarrow.py` there is not imported."""
    (tmp_path / "pyarrow.py").write_text("raise SystemExit('the working folder was imported')\n")
    monkeypatch.chdir(tmp_path)
    tables = dict(validate_corpus(MINIMAL_CORPUS).tables)
    write_duckdb(tables, tmp_path / "rucas.duckdb", view_files(), "0.0.0+test")
    writer = SqliteWriter(tables, tmp_path / "rucas.db", view_files(), tmp_path / "rucas.duckdb")
    writer.duckdb_written()
    writer.finish()
    import rucas

    probe = subprocess.run([sys.executable, "-P", "-c", "import rucas; print(rucas.__file__)"], capture_output=True,
                           text=True, env=_same_imports(), cwd=tmp_path)
    assert probe.stdout.strip() == rucas.__file__
