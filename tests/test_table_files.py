"""A build keeps its tables on disk between stages (rucas.build.table_files): what it reads back is what it wrote,
validation spilled to files gives exactly the tables, cache and key columns it gives in memory (with worker
processes too), and the spill folder never reaches a published build."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import MINIMAL_CORPUS
from rucas.build.pipeline import SPILL, build
from rucas.build.table_files import ComputedTables, TableFiles, row_counts
from rucas.build.validate import corpus as validation
from rucas.build.validate.corpus import validate_corpus
from rucas.schema import table_specs

from test_views import load_generator


def test_a_table_reads_back_as_written_with_its_dictionaries_and_order_of_names(tmp_path: Path) -> None:
    files = TableFiles(tmp_path / "tables")
    kinds = pa.array(["a", "b", "a"]).dictionary_encode()
    files["second"] = pa.table({"id": [3, 1, 2], "kind": kinds})
    files["first"] = pa.table({"id": pa.array([], pa.int64())})
    assert list(files) == ["second", "first"]
    assert files["second"].equals(pa.table({"id": [3, 1, 2], "kind": kinds}))
    assert files["first"].num_rows == 0
    assert row_counts(files) == {"second": 3, "first": 0}
    assert "third" not in files and "second" in files
    with pytest.raises(KeyError):
        files["third"]
    del files["first"]
    assert list(files) == ["second"] and not (tmp_path / "tables" / "first.arrow").exists()


def test_a_chunked_table_with_different_dictionaries_is_stored_whole(tmp_path: Path) -> None:
    one = pa.table({"kind": pa.array(["x", "y"]).dictionary_encode()})
    two = pa.table({"kind": pa.array(["z", "x"]).dictionary_encode()})
    files = TableFiles(tmp_path)
    files["kinds"] = pa.concat_tables([one, two])
    assert files["kinds"].column("kind").to_pylist() == ["x", "y", "z", "x"]


@pytest.mark.parametrize("name", ["../outside", "a/b", "", "Capital", "x.arrow", "/etc/passwd"])
def test_a_name_that_is_not_a_table_name_never_becomes_a_path(tmp_path: Path, name: str) -> None:
    files = TableFiles(tmp_path / "tables")
    with pytest.raises(ValueError, match="not a table name"):
        files[name] = pa.table({"id": [1]})
    assert os.listdir(tmp_path) == ["tables"] and not os.listdir(tmp_path / "tables")


def test_computed_tables_compute_each_time_and_know_their_names() -> None:
    asked: list[str] = []
    tables = ComputedTables(["a", "b"], lambda name: asked.append(name) or pa.table({"name": [name]}))
    assert list(tables) == ["a", "b"] and "c" not in tables
    assert tables["a"].column("name").to_pylist() == ["a"]
    tables["a"]
    assert asked == ["a", "a"]
    with pytest.raises(KeyError):
        tables["c"]


def _as_rows(tables) -> dict[str, list[dict]]:
    return {name: tables[name].to_pylist() for name in tables}


def _as_row_sets(tables) -> dict[str, list[str]]:
    """Each table's rows in any order (the workers' parts arrive in the order they finish)."""
    return {name: sorted(repr(sorted(row.items())) for row in tables[name].to_pylist()) for name in tables}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More articles than validation hands to worker processes, so that the workers spill too."""
    return load_generator().generate_corpus(tmp_path_factory.mktemp("spilled") / "curated",
                                            validation.PARALLEL_MIN_ARTICLES + 50, 11)


@pytest.mark.parametrize("which", ["minimal", "generated"])
def test_validation_spilled_to_files_gives_what_it_gives_in_memory(which: str, generated: Path,
                                                                   tmp_path: Path) -> None:
    curated = MINIMAL_CORPUS if which == "minimal" else generated
    in_memory = validate_corpus(curated)
    spilled = validate_corpus(curated, spill=tmp_path / "spill")
    assert isinstance(spilled.tables.store, TableFiles) and not isinstance(in_memory.tables.store, TableFiles)
    assert not list((tmp_path / "spill" / "tables").iterdir()), "spilled, a table is sorted when asked for"
    assert _as_rows(spilled.tables) == _as_rows(in_memory.tables)
    assert _as_row_sets(spilled.cache_tables) == _as_row_sets(in_memory.cache_tables)
    assert _as_row_sets(spilled.key_tables) == _as_row_sets(in_memory.key_tables)
    schema_order = [spec.name for spec in table_specs()]
    assert list(spilled.tables) == list(in_memory.tables) == schema_order, \
        "the tables are listed in the schema's order (the manifest's row counts follow it)"
    if which == "generated":  # the workers wrote their rows as files, one folder per task, four tasks a worker
        parts = [entry for entry in os.listdir(tmp_path / "spill") if entry.startswith("part-")]
        assert len(parts) >= 8


def test_the_spill_folder_stays_in_staging_and_is_never_published(tmp_path: Path) -> None:
    report = build(MINIMAL_CORPUS, tmp_path / "out")
    assert not (report.build_dir / SPILL).exists()
    manifest = (report.build_dir / "manifest.json").read_text(encoding="utf-8")
    assert SPILL not in manifest
    assert not list((tmp_path / "out" / ".builds").glob("staging-*"))


def test_sorting_with_rows_to_leave_out_equals_sorting_what_is_left(generated: Path) -> None:
    """A rebuild sorts the cache's rows as they are, leaving out those of changed articles by `keep`: the table is
    the one a sort of the remaining rows gives, byte for byte (dictionaries, chunks and all)."""
    from rucas.build.arrow_tables import sort_table
    from rucas.schema import table_spec

    tables = validate_corpus(generated).tables
    for name in ("events", "statements", "event_actors", "sources"):
        spec, table = table_spec(name), tables[name]
        shuffled = pa.concat_tables([table.slice(table.num_rows // 2), table.slice(0, table.num_rows // 2)])
        keep = pa.chunked_array([pa.array([index % 3 != 0 for index in range(table.num_rows)])])
        expected = sort_table(spec, shuffled.filter(keep))
        assert sort_table(spec, shuffled, keep).equals(expected)
        assert sort_table(spec, shuffled, keep).num_rows == table.num_rows - -(-table.num_rows // 3)
        assert sort_table(spec, shuffled).equals(table)
        nothing = pa.chunked_array([pa.array([False] * table.num_rows)])
        assert sort_table(spec, shuffled, nothing).equals(table.slice(0, 0).combine_chunks())


def test_a_sorted_table_comes_in_chunks_of_fixed_rows_whatever_chunks_its_rows_arrived_in(tmp_path: Path) -> None:
    """The order of rows and the chunks they come in make no difference to the sorted table, nor to its Parquet
    file's bytes; it comes in chunks of CHUNK_ROWS rows, a code column's with one dictionary."""
    from rucas.build.arrow_tables import CHUNK_ROWS, sort_table
    from rucas.build.write.parquet import write_parquet
    from rucas.schema import table_spec

    spec = table_spec("event_conditions")
    rows = 2 * CHUNK_ROWS + 100
    ids = [f"c{(n * 7919) % rows:06d}" for n in range(rows)]  # every id once, out of order
    table = pa.table({"condition_id": ids, "text": [f"words of {i}" * (len(i) % 5) for i in ids],
                      "kind": pa.array([i[-1] for i in ids]).dictionary_encode()})
    as_one = sort_table(spec, table)
    cuts = [0, 5, 6, 1000, CHUNK_ROWS + 3, rows]
    as_many = sort_table(spec, pa.concat_tables(table.slice(a, b - a) for a, b in zip(cuts, cuts[1:])))
    assert as_one.column("condition_id").to_pylist() == sorted(ids)
    assert as_one.column("text").to_pylist() == [f"words of {i}" * (len(i) % 5) for i in sorted(ids)]
    assert as_many.equals(as_one)
    for table_ in (as_one, as_many):
        for column in ("text", "kind"):
            assert [len(chunk) for chunk in table_.column(column).chunks] == [CHUNK_ROWS, CHUNK_ROWS, 100]
        dictionaries = [chunk.dictionary for chunk in table_.column("kind").chunks]
        assert all(dictionary.equals(dictionaries[0]) for dictionary in dictionaries)
    paths = [write_parquet({"t": sorted_}, tmp_path / name)["t"] for name, sorted_ in (("one", as_one),
                                                                                        ("many", as_many))]
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_a_sorted_table_written_batch_by_batch_reads_back_as_the_sorted_table(tmp_path: Path) -> None:
    from rucas.build.arrow_tables import CHUNK_ROWS, sort_table, sorted_batches
    from rucas.build.table_files import store_batches
    from rucas.schema import table_spec

    spec = table_spec("event_conditions")
    ids = [f"c{(n * 7919) % (CHUNK_ROWS + 9):06d}" for n in range(CHUNK_ROWS + 9)]
    table = pa.table({"condition_id": ids, "kind": pa.array([i[-1] for i in ids]).dictionary_encode()})
    files, plain = TableFiles(tmp_path / "tables"), {}
    for tables in (files, plain):
        store_batches(tables, "t", table.schema, sorted_batches(spec, table))
        store_batches(tables, "empty", table.schema, sorted_batches(spec, table.slice(0, 0)))
    assert files["t"].equals(sort_table(spec, table)) and plain["t"].equals(files["t"])
    assert files["t"].column("condition_id").to_pylist() == sorted(ids)
    assert files["empty"].num_rows == plain["empty"].num_rows == 0 and files["empty"].schema == table.schema


def test_a_table_whose_rows_are_all_left_out_is_one_empty_batch_as_a_table_without_rows() -> None:
    from rucas.build.arrow_tables import sorted_batches
    from rucas.schema import table_spec

    spec = table_spec("event_conditions")
    table = pa.table({"condition_id": ["b", "a"], "kind": pa.array(["x", "y"]).dictionary_encode()})
    none_kept = list(sorted_batches(spec, table, pa.chunked_array([[False, False]])))
    no_rows = list(sorted_batches(spec, table.slice(0, 0)))
    assert [batch.num_rows for batch in none_kept] == [batch.num_rows for batch in no_rows] == [0]
    assert none_kept[0].schema == no_rows[0].schema == table.schema


def test_rows_taken_in_a_given_order_from_many_chunks_are_the_rows_of_arrows_take() -> None:
    """The Web Annotations read their evidence in article order, a batch at a time, from a table of many chunks:
    each batch is taken from the chunks that hold its rows, and gives what Arrow's take gives."""
    import numpy as np
    from rucas.build.arrow_tables import batches_in_order

    rows = 1000
    whole = pa.table({"key": [f"k{n:04d}" for n in range(rows)], "start": list(range(rows)),
                      "code": pa.array([("a", "b", "c")[n % 3] for n in range(rows)]).dictionary_encode()})
    chunked = pa.Table.from_batches(whole.to_batches(max_chunksize=37))
    order = pa.array(np.random.default_rng(7).permutation(rows))
    batches = list(batches_in_order(chunked, order, 64))
    assert [batch.num_rows for batch in batches] == [64] * 15 + [40]
    taken = pa.Table.from_batches(batches)
    assert taken.cast(whole.schema).to_pylist() == whole.take(order).to_pylist()
    assert len({batch.column(2).dictionary.to_pylist().__repr__() for batch in batches}) == 1, "one dictionary"
    assert list(batches_in_order(chunked, order.slice(0, 0), 64)) == []


def _sorted_tables_after_an_edit(curated: Path, tmp_path: Path):
    """A cache saved from `curated`, one article's summary edited since, and the validation of the edited corpus
    with a spill folder (so its tables are sorted when asked for), which takes the other articles' rows from it."""
    from rucas.build.validate.corpus import save_cache

    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(curated, cache_dir))
    path = curated / "annotations" / "synthetic-000007.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('summary: "Synthetic event 0 ', 'summary: "Edited: synthetic event 0 ', 1),
                    encoding="utf-8")
    validated = validate_corpus(curated, cache_dir, spill=tmp_path / "spill")
    assert (validated.reused, validated.validated) == (39, 1) and validated.cache_segments
    return cache_dir, validated


def test_rows_asked_of_a_table_not_sorted_yet_are_its_sorted_rows_and_leave_it_unsorted(tmp_path: Path) -> None:
    """A patched build reads a few rows of most tables (those of the changed articles): they come in the sorted
    table's order without that table being sorted, and its row count without reading it."""
    from rucas.build.table_files import rows_of

    curated = load_generator().generate_corpus(tmp_path / "curated", 40, 5)
    _, validated = _sorted_tables_after_an_edit(curated, tmp_path)
    expected = validate_corpus(curated).tables  # sorted at once, in memory
    wanted = {"sources": ("source_id", ["synthetic-000007", "synthetic-000030", "synthetic-000001"]),
              "events": ("source_id", ["synthetic-000007", "synthetic-000012"]),
              "event_actors": ("event_id", [row["event_id"] for row in expected["events"].to_pylist()[3:40:4]])}
    for name, (column, values) in wanted.items():
        conditions = [(column, pa.array(values, pa.string()))]
        found = rows_of(validated.tables, name, conditions)
        assert found.to_pylist() == rows_of(expected, name, conditions).to_pylist() != []
        assert validated.tables.num_rows(name) == expected[name].num_rows
    assert not list((tmp_path / "spill" / "tables").iterdir()), "no table was sorted to find those rows"
    assert row_counts(validated.tables) == row_counts(expected)
    assert _as_rows(validated.tables) == _as_rows(expected)


def test_a_cache_written_whole_keeps_the_files_of_the_tables_not_sorted_yet_until_they_are_let_go(
        tmp_path: Path, monkeypatch) -> None:
    """The tables not sorted yet are assembled from the cache's files. Saving the cache whole sorts nothing: the
    segments it supersedes stay while those tables may read them, the tables then read what they would have read
    before, and the segments go once the caller lets the tables go (remove_unused_segments)."""
    from rucas.build.validate import cache
    from rucas.build.validate.corpus import save_cache

    curated = load_generator().generate_corpus(tmp_path / "curated", 40, 5)
    monkeypatch.setattr(cache, "MAX_SEGMENTS", 1)  # the cache of one segment is then written whole after an edit
    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(curated, cache_dir))
    path = curated / "annotations" / "synthetic-000007.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('summary: "Synthetic event 0 ', 'summary: "Edited: '
                                                             'synthetic event 0 ', 1), encoding="utf-8")
    validated = validate_corpus(curated, cache_dir, spill=tmp_path / "spill")
    assert (validated.reused, validated.validated) == (39, 1) and validated.cache_written_whole
    old_segments = {path.name for path in cache_dir.glob("rows-*")}
    save_cache(cache_dir, validated)
    assert not list((tmp_path / "spill" / "tables").iterdir()), "no table was sorted to store the cache"
    assert cache.usable(cache_dir)
    (new_segment,) = {path.name for path in cache_dir.glob("rows-*")} - old_segments
    assert old_segments < {path.name for path in cache_dir.glob("rows-*")}, "superseded, still read: kept"
    assert _as_rows(validated.tables) == _as_rows(validate_corpus(curated).tables)
    cache.remove_unused_segments(cache_dir)
    assert [path.name for path in cache_dir.glob("rows-*")] == [new_segment]
    again = validate_corpus(curated, cache_dir)
    assert (again.reused, again.validated) == (40, 0), "the new segment holds every article"


def test_a_cache_removes_only_segment_folders_no_cache_lists(tmp_path: Path) -> None:
    """A segment no cache lists (superseded, or left by a build that stopped) is removed; nothing else is: not the
    current cache's segments, nor a folder not named as a segment, nor a link to a folder elsewhere."""
    from rucas.build.validate import cache
    from rucas.build.validate.corpus import save_cache

    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(MINIMAL_CORPUS))
    (current,) = [path.name for path in cache_dir.glob("rows-*")]
    left = cache_dir / "rows-0123456789ab"
    left.mkdir()
    (left / "meta.json").write_text("{}", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("a user's file", encoding="utf-8")
    (cache_dir / "rows-abcdefabcdef").symlink_to(elsewhere, target_is_directory=True)
    (cache_dir / "rows-mine").mkdir()
    cache.remove_unused_segments(cache_dir)
    assert sorted(path.name for path in cache_dir.glob("rows-*")) == sorted([current, "rows-abcdefabcdef",
                                                                             "rows-mine"])
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "a user's file"


def test_a_table_set_is_stored_as_it_is_and_a_removed_one_is_gone(tmp_path: Path) -> None:
    from rucas.build.table_files import SortedOnDemand

    assembled: list[str] = []

    def assemble(name: str):
        assembled.append(name)
        return pa.table({"event_id": ["e2", "e1", "e3"], "summary": ["two", "one", "three"]}), None

    tables = SortedOnDemand(TableFiles(tmp_path / "tables"), ["events"], assemble)
    tables["coding_agreement"] = pa.table({"field": ["b", "a"]})
    assert list(tables) == ["events", "coding_agreement"] and assembled == []
    assert tables["coding_agreement"].column("field").to_pylist() == ["b", "a"], "set tables are not sorted"
    assert tables["events"].column("event_id").to_pylist() == ["e1", "e2", "e3"] and assembled == ["events"]
    tables["events"]
    assert assembled == ["events"], "a table is sorted once"
    del tables["coding_agreement"]
    assert list(tables) == ["events"] and "coding_agreement" not in tables


def test_tables_are_handed_to_another_process_sorted_and_in_the_schemas_order(tmp_path: Path) -> None:
    """The SQLite writer's process is handed the tables: only once every one is sorted, and in the order of their
    names, not the order their files were written in (the review tables are set before the others are sorted)."""
    from rucas.build.table_files import SortedOnDemand

    def assemble(name: str):
        return pa.table({"event_id": ["e2", "e1"], "summary": ["two", "one"]}), None

    tables = SortedOnDemand(TableFiles(tmp_path / "tables"), ["events", "coding_agreement"], assemble)
    tables["coding_agreement"] = pa.table({"field": ["a"]})
    with pytest.raises(TypeError, match="sort_all first"):
        pickle.dumps(tables)
    tables.sort_all()
    handed = pickle.loads(pickle.dumps(tables))
    assert list(handed) == ["events", "coding_agreement"]
    assert handed["events"].column("summary").to_pylist() == ["one", "two"]
