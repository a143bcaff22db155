"""The databases are written in bounded batches, and the views' tables carry only the indexes a page reads.

Rows reach SQLite a batch at a time (rucas.build.write.sqlite_values.insert_batches) in the order they
come, whether from a whole Arrow table or from DuckDB's stream of a view's table; DuckDB spills to a
folder beside its file that is gone before anything is published; a view's own row page and its facet
filters find their rows through an index, while its counts are left unindexed. A Parquet file is cut into row
groups that a reader asking for a few keys can skip, and a patched build's diff reads only the rows of the new
tables that can be the new versions of the rows it replaces.
"""

from __future__ import annotations

import sqlite3

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from rucas.build.pipeline import BuildReport
from rucas.build.write.incremental import _replaced_candidates
from rucas.build.write.parquet import ROW_GROUP_ROWS, write_parquet
from rucas.schema import table_spec
from rucas.build.write.duckdb_db import spill_directory
from rucas.build.write.sqlite_values import batches, insert_batches

ROWS = pa.table({"n": list(range(7)), "day": pa.array([None, *range(6)], pa.int32()),
                 "ok": [True, False, None, True, True, False, True]})


def stored(rows: pa.Table | pa.RecordBatchReader) -> list[tuple]:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (n INTEGER, day INTEGER, ok INTEGER)")
    insert_batches(con, "INSERT INTO t VALUES (?, ?, ?)", rows)
    return con.execute("SELECT * FROM t ORDER BY rowid").fetchall()


def test_a_table_is_cut_into_batches_of_at_most_the_size_asked_in_its_order() -> None:
    cut = list(batches(ROWS, size=3))
    assert [batch.num_rows for batch in cut] == [3, 3, 1]
    assert pa.Table.from_batches(cut).equals(ROWS)


def test_a_stream_of_batches_is_stored_as_the_whole_table_is() -> None:
    stream = pa.RecordBatchReader.from_batches(ROWS.schema, ROWS.to_batches(max_chunksize=2))
    expected = [(n, None if n == 0 else n - 1, {True: 1, False: 0, None: None}[ok])
                for n, ok in zip(range(7), ROWS.column("ok").to_pylist())]
    assert stored(ROWS) == stored(stream) == expected


def test_duckdb_spills_beside_its_file_and_nothing_of_it_is_published(built: BuildReport) -> None:
    duckdb_file = built.build_dir / "rucas.duckdb"
    assert spill_directory(duckdb_file) == duckdb_file.parent / "rucas.duckdb.tmp"
    assert not spill_directory(duckdb_file).exists()


def test_a_views_row_page_and_its_facet_filters_read_an_index(lite: sqlite3.Connection) -> None:
    def plan(sql: str) -> str:
        return " ".join(str(row) for row in lite.execute(f"EXPLAIN QUERY PLAN {sql}", ("x",)))

    assert "alliance_context_event_id_idx" in plan("SELECT * FROM alliance_context WHERE event_id = ?")
    assert "alliance_context_membership_idx" in plan("SELECT count(*) FROM alliance_context WHERE membership = ?")
    assert "country_month_country_iso3_idx" in plan("SELECT * FROM country_month WHERE country_iso3 = ?")


def test_no_page_reads_a_views_counts_by_an_index_so_they_have_none(lite: sqlite3.Connection) -> None:
    indexed = {row[0] for row in lite.execute("SELECT name FROM pragma_index_list('country_month')")}
    assert indexed == {"country_month_country_iso3_idx", "country_month_side_idx"}


def test_a_patched_build_runs_duckdb_with_the_cold_builds_threads_and_spill_folder_and_within_the_patch_limit(
        minimal_corpus, tmp_path, monkeypatch) -> None:
    from rucas.build.pipeline import build
    from rucas.build.write import duckdb_db, incremental

    settings = "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
    seen: list[tuple] = []
    real = incremental.connect

    def recording(path, read_only=False, **limit):
        con = real(path, read_only, **limit)
        seen.append(con.execute(settings).fetchall()[0])
        return con

    monkeypatch.setattr(incremental, "connect", recording)
    output = tmp_path / "out"
    build(minimal_corpus, output)
    (annotation,) = (minimal_corpus / "annotations").glob("*.yaml")
    text = annotation.read_text(encoding="utf-8")
    annotation.write_text(text.replace("to restore order in Osh.", "to restore order in the city of Osh.", 1),
                          encoding="utf-8")
    report = build(minimal_corpus, output)
    assert report.patched and seen
    cold = duckdb_db.connect(tmp_path / "cold.duckdb")
    memory, threads, _ = cold.execute(settings).fetchall()[0]
    cold.close()
    patch = duckdb_db.connect(tmp_path / "patch.duckdb", memory_limit=duckdb_db.PATCH_MEMORY_LIMIT)
    (patch_memory,) = patch.execute("SELECT current_setting('memory_limit')").fetchall()[0]
    patch.close()
    assert patch_memory != memory
    assert {limit for limit, _, _ in seen} <= {memory, patch_memory} and patch_memory in {limit for limit, _, _ in seen}
    for limit, workers, spill in seen:
        assert workers == threads and spill.endswith("rucas.duckdb.tmp")
    assert not spill_directory(report.build_dir / "rucas.duckdb").exists()


def test_a_parquet_file_is_cut_into_row_groups_a_reader_of_a_few_keys_skips(tmp_path) -> None:
    keys = [f"gen-{n:06d}" for n in range(2 * ROW_GROUP_ROWS + 5)]
    path = write_parquet({"sources": pa.table({"source_id": keys, "n": range(len(keys))})}, tmp_path)["sources"]
    file = pq.ParquetFile(path)
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [ROW_GROUP_ROWS,
                                                                                         ROW_GROUP_ROWS, 5]
    (fragment,) = ds.dataset(path).get_fragments()
    wanted = ds.field("source_id").isin([keys[ROW_GROUP_ROWS + 7]])
    assert [group.id for group in fragment.split_by_row_group(wanted)[0].row_groups] == [1]
    assert pq.read_table(path, filters=wanted).column("n").to_pylist() == [ROW_GROUP_ROWS + 7]


def test_the_diff_looks_for_replaced_rows_among_those_of_the_same_first_key_nulls_matching_nulls() -> None:
    spec = table_spec("event_conditions")
    first = spec.primary_key[0]
    new = pa.table({first: pa.array(["e1", "e2", None, "e3"]).dictionary_encode(), "n": [1, 2, 3, 4]})
    deleted = pa.table({first: pa.array(["e2", None, "e9"])})
    assert _replaced_candidates({"event_conditions": new}, spec, deleted).column("n").to_pylist() == [2, 3]
