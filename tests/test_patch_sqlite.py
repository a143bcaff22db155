"""How a rebuild patches rucas.db in place.

It keeps every foreign key: SQLite checks the rows a patch deletes and inserts (and the rows that point at
them) when it commits, and a patch that breaks a reference stops the build, naming it. Validation never hands
the writer such a patch (its checks across files refuse dangling references); this is the writer's own guard,
which replaced a check of every table after each patch.

It keeps the planner's statistics of a changed table until its row count has moved by more than a tenth."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from rucas.build.write.incremental import patch_sqlite
from rucas.build.write.table_change import TableChange
from rucas.schema import table_specs

SPECS = {spec.name: spec for spec in table_specs()}


def published(output_dir: Path, table: str) -> pa.Table:
    return pq.read_table(output_dir / "parquet" / f"{table}.parquet")


@pytest.fixture()
def patched_copy(output_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "rucas.db"
    shutil.copyfile(output_dir / "rucas.db", copy)
    return copy


def rows_of(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_patch_inserting_a_row_that_points_at_no_actor_stops_naming_the_table(output_dir: Path,
                                                                                  patched_copy: Path) -> None:
    taking_part = published(output_dir, "event_actors").slice(0, 1)
    dangling = taking_part.set_column(taking_part.schema.get_field_index("actor_id"), "actor_id",
                                      pa.array(["no-such-actor"], taking_part.schema.field("actor_id").type))
    change = TableChange(SPECS["event_actors"], taking_part.slice(0, 0), dangling)
    with pytest.raises(RuntimeError, match="foreign key check failed.*event_actors"):
        patch_sqlite(patched_copy, {"event_actors": change}, [])


def test_a_patch_deleting_an_actor_that_rows_still_point_at_stops(output_dir: Path, patched_copy: Path) -> None:
    actors = published(output_dir, "actors")
    (used,) = rows_of(patched_copy, "SELECT actor_id FROM event_actors ORDER BY event_id, actor_id LIMIT 1")[0]
    speaking = actors.filter(pc.equal(actors["actor_id"], used))
    change = TableChange(SPECS["actors"], speaking, actors.slice(0, 0))
    with pytest.raises(RuntimeError, match="foreign key check failed"):
        patch_sqlite(patched_copy, {"actors": change}, [])


def test_a_patch_that_keeps_every_reference_commits(output_dir: Path, patched_copy: Path) -> None:
    taking_part = published(output_dir, "event_actors")
    before = rows_of(patched_copy, "SELECT count(*) FROM event_actors")
    first = taking_part.slice(0, 1)
    patch_sqlite(patched_copy, {"event_actors": TableChange(SPECS["event_actors"], first, first)}, [])
    assert rows_of(patched_copy, "SELECT count(*) FROM event_actors") == before
    assert rows_of(patched_copy, "PRAGMA foreign_key_check") == []


def statistics(path: Path, table: str) -> list[tuple]:
    return rows_of(path, f"SELECT idx, stat FROM sqlite_stat1 WHERE tbl = '{table}' ORDER BY idx")


def test_a_patch_moving_a_few_rows_keeps_the_statistics_and_one_moving_many_takes_them_again(
        output_dir: Path, patched_copy: Path) -> None:
    taking_part = published(output_dir, "event_actors")
    taken = statistics(patched_copy, "event_actors")
    assert taken and int(taken[0][1].split()[0]) == taking_part.num_rows
    one = taking_part.slice(0, 1)
    patch_sqlite(patched_copy, {"event_actors": TableChange(SPECS["event_actors"], one, taking_part.slice(0, 0))}, [])
    assert statistics(patched_copy, "event_actors") == taken, "one row fewer of many: the statistics stand"
    many = taking_part.slice(1, taking_part.num_rows // 5)
    patch_sqlite(patched_copy, {"event_actors": TableChange(SPECS["event_actors"], many, taking_part.slice(0, 0))}, [])
    (now,) = rows_of(patched_copy, "SELECT count(*) FROM event_actors")[0]
    assert now == taking_part.num_rows - 1 - many.num_rows
    assert {int(stat.split()[0]) for _, stat in statistics(patched_copy, "event_actors")} == {now}


def test_moved_rows_take_their_new_places_and_the_others_keep_their_order_and_indexes(tmp_path: Path) -> None:
    """A view's table holds row k at rowid k; a patch that moves some rows (gone from three places, back at three
    others) gives the table a cold build would write: the same order, renumbered 1..n, with its indexes and its
    planner statistics."""
    from rucas.build.write.incremental import move_rows
    from rucas.build.write.patch_views import MOVED, ViewPatch
    from rucas.queries import view_files

    view = view_files()[0]
    con = sqlite3.connect(tmp_path / "rucas.db", isolation_level=None)
    con.execute(f"CREATE TABLE {view.name} (k TEXT, d INTEGER)")
    con.execute(f"CREATE INDEX {view.name}_d_idx ON {view.name} (d)")
    rows = [(f"r{i:02d}", 10 * i) for i in range(1, 21)]  # in order of d: row k at rowid k
    con.executemany(f"INSERT INTO {view.name} (rowid, k, d) VALUES (?, ?, ?)", [(i, *row) for i, row in enumerate(rows, 1)])
    con.execute("ANALYZE")
    statistics = con.execute("SELECT * FROM sqlite_stat1 ORDER BY idx").fetchall()
    # r03 moves to the end, r15 to the front, r08 between r11 and r12; one new row r99 arrives between r05 and r06
    changed = {"r03": 205, "r15": 5, "r08": 115}
    expected = sorted([(k, changed.get(k, d)) for k, d in rows] + [("r99", 55)], key=lambda row: row[1])
    new_rows = sorted([(k, d) for k, d in expected if k in changed or k == "r99"], key=lambda row: row[1])
    patch = ViewPatch(view, MOVED, pa.table({"k": [k for k, _ in new_rows], "d": [d for _, d in new_rows]}),
                      [3, 8, 15], [expected.index(row) + 1 for row in new_rows],
                      pa.table({"k": ["r03", "r08", "r15"], "d": [30, 80, 150]}))
    move_rows(con, patch)
    assert con.execute(f"SELECT rowid, k, d FROM {view.name} ORDER BY rowid").fetchall() == \
        [(i, *row) for i, row in enumerate(expected, 1)]
    assert con.execute(f"SELECT k FROM {view.name} INDEXED BY {view.name}_d_idx WHERE d > 100 ORDER BY d").fetchall() \
        == [(k,) for k, d in expected if d > 100]
    assert con.execute("SELECT * FROM sqlite_stat1 ORDER BY idx").fetchall() == statistics
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
