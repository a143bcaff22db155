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


def _stored_view(tmp_path: Path, rows: list[tuple[str, int]]):
    """A view's table in a new SQLite file as a cold build writes it, holding `rows` (key, d) in order, with an index
    on d besides its own; returns the connection and the view."""
    from rucas.build.write.materialise import sqlite_store
    from rucas.queries import view_files

    view = next(view for view in view_files() if len(view.key) == 1)
    con = sqlite3.connect(tmp_path / "rucas.db", isolation_level=None)
    sqlite_store(con, view.name, pa.table({view.key[0]: [k for k, _ in rows], "d": [d for _, d in rows]}), [])
    con.execute(f"CREATE INDEX {view.name}_d_idx ON {view.name} (d)")
    con.execute("ANALYZE")
    return con, view


def test_a_views_table_is_written_with_room_between_its_rowids(tmp_path: Path) -> None:
    from rucas.build.write.materialise import ROWID_STEP

    con, view = _stored_view(tmp_path, [(f"r{i:02d}", 10 * i) for i in range(1, 6)])
    assert con.execute(f"SELECT rowid, {view.key[0]} FROM {view.name} ORDER BY rowid").fetchall() == \
        [(i * ROWID_STEP, f"r{i:02d}") for i in range(1, 6)]


def test_moved_rows_go_between_their_new_neighbours_and_no_other_row_is_renumbered(tmp_path: Path) -> None:
    """A patch that moves some rows (gone from three places, back at three others) and adds one gives the table the
    order a cold build would write, and every row it did not move keeps its rowid, index entries and statistics."""
    from rucas.build.write.incremental import place_rows
    from rucas.build.write.patch_views import MOVED, ViewPatch

    rows = [(f"r{i:02d}", 10 * i) for i in range(1, 21)]  # in order of d
    con, view = _stored_view(tmp_path, rows)
    key = view.key[0]
    rowids_before = dict(con.execute(f"SELECT {key}, rowid FROM {view.name}").fetchall())
    statistics = con.execute("SELECT * FROM sqlite_stat1 ORDER BY idx").fetchall()
    # r03 moves to the end, r15 to the front, r08 between r11 and r12; a new row r99 arrives between r05 and r06
    changed = {"r03": 205, "r15": 5, "r08": 115}
    expected = sorted([(k, changed.get(k, d)) for k, d in rows] + [("r99", 55)], key=lambda row: row[1])
    new_rows = [row for row in expected if row[0] in changed or row[0] == "r99"]
    assert [k for k, _ in new_rows] == ["r15", "r99", "r08", "r03"]
    patch = ViewPatch(view, MOVED, pa.table({key: [k for k, _ in new_rows], "d": [d for _, d in new_rows]}),
                      pa.table({key: ["r03", "r08", "r15"], "d": [30, 80, 150]}),
                      after=[None, ("r05",), ("r11",), ("r20",)])
    place_rows(con, patch)
    assert con.execute(f"SELECT {key}, d FROM {view.name} ORDER BY rowid").fetchall() == expected
    assert con.execute(f"SELECT {key} FROM {view.name} INDEXED BY {view.name}_d_idx WHERE d > 100 ORDER BY d"
                       ).fetchall() == [(k,) for k, d in expected if d > 100]
    untouched = {k: rowid for k, rowid in con.execute(f"SELECT {key}, rowid FROM {view.name}")
                 if k not in changed and k != "r99"}
    assert untouched == {k: rowid for k, rowid in rowids_before.items() if k not in changed}
    assert con.execute("SELECT * FROM sqlite_stat1 ORDER BY idx").fetchall() == statistics
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_rows_put_one_by_one_into_one_gap_number_the_table_again_when_it_is_full(tmp_path: Path) -> None:
    """Each row put right after r01 halves the room left there: sixteen fit between r01 and the row after it, and
    the seventeenth numbers the table again as a cold build numbers it (row k at rowid k * ROWID_STEP) before it goes
    where it belongs; so does the thirty-third, in the table numbered again."""
    from rucas.build.write.incremental import place_rows
    from rucas.build.write.materialise import ROWID_STEP
    from rucas.build.write.patch_views import MOVED, ViewPatch

    con, view = _stored_view(tmp_path, [("r01", 10), ("r02", 2000)])
    key = view.key[0]
    expected = [("r01", 10), ("r02", 2000)]
    last = 2 * ROWID_STEP  # r02's rowid
    for i in range(34):  # each new row just after r01, before the one put there last time
        row = (f"n{i:02d}", 1000 - i)
        patch = ViewPatch(view, MOVED, pa.table({key: [row[0]], "d": [row[1]]}),
                          pa.table({key: pa.array([], pa.string()), "d": pa.array([], pa.int64())}), after=[("r01",)])
        place_rows(con, patch)
        expected.insert(1, row)
        stored = con.execute(f"SELECT rowid, {key}, d FROM {view.name} ORDER BY rowid").fetchall()
        assert [(k, d) for _, k, d in stored] == expected
        if i in (16, 32):  # the 17th and 33rd: numbered again (the second time a table numbered before)
            assert [rowid for rowid, _, _ in stored] == [ROWID_STEP, ROWID_STEP + ROWID_STEP // 2] + \
                [k * ROWID_STEP for k in range(2, len(stored))], "numbered 1..n again, then the new row after r01"
        else:
            assert stored[-1][0] == last, f"row {i + 1} fits in the gap: r02 keeps its rowid"
        last = stored[-1][0]
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
