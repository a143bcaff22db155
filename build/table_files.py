"""Tables a build keeps on disk between its stages, so that its memory holds one table at a time, not the corpus.

A build's validation writes what its workers produce, and each sorted table, as uncompressed Arrow IPC files in a
folder of its staging folder (`TableFiles`); every later stage reads a table when it needs it, memory-mapped, and
drops it when done: the pages it read leave the process with the table. The same stages run on a plain dict of
tables where nothing is written (a notebook, the tests): both are a `MutableMapping[str, pa.Table]`, and the code
that fills and reads them is the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ipc

from rucas.build.arrow_tables import Conditions, having, rows_having, sort_table, sorted_batches
from rucas.schema import table_spec

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
"""What a table name may be (the schema's names, and the build's own such as `_keys`): it becomes a file name."""


class _Named:
    """What a mapping of tables answers from the names it lists (`_names`, in their order): whether it has a table,
    its names (a copy: the mapping may change while they are gone through), and how many."""

    _names: list[str]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)


class TableFiles(_Named, MutableMapping[str, pa.Table]):
    """Tables stored one file each (<name>.arrow) in `directory`, which the caller made and removes. Reading a table
    maps its file (no copy); setting one writes it. Iteration is in the order the tables were first set."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._names: list[str] = []

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"{name!r} is not a table name (lower-case letters, digits and _)")
        return self.directory / f"{name}.arrow"

    def __setitem__(self, name: str, table: pa.Table) -> None:
        table = table.unify_dictionaries()  # the IPC file format allows one dictionary per column
        self.write_batches(name, table.schema, table.to_batches())

    def write_batches(self, name: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> None:
        """Write table `name` from a stream of batches, each written before the next is asked for (their
        dictionaries must be the same in every batch, as sorted_batches makes them)."""
        path = self._path(name)
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
        if name not in self._names:
            self._names.append(name)

    def __getitem__(self, name: str) -> pa.Table:
        if name not in self._names:
            raise KeyError(name)
        with pa.memory_map(str(self._path(name))) as source:
            return ipc.open_file(source).read_all()

    def __delitem__(self, name: str) -> None:
        if name not in self._names:
            raise KeyError(name)
        self._path(name).unlink()
        self._names.remove(name)

    def num_rows(self, name: str) -> int:
        """The rows of table `name`, read from its file's footer."""
        with pa.memory_map(str(self._path(name))) as source:
            reader = ipc.open_file(source)
            return sum(reader.get_batch(index).num_rows for index in range(reader.num_record_batches))


class ComputedTables(_Named, Mapping[str, pa.Table]):
    """Tables computed by `compute` each time one is asked for (nothing is kept): for a stage that reads each table
    once, such as storing the cache, while what they are made of stays on disk."""

    def __init__(self, names: Iterable[str], compute: Callable[[str], pa.Table]):
        self._names, self._compute = list(names), compute

    def __getitem__(self, name: str) -> pa.Table:
        if name not in self._names:
            raise KeyError(name)
        return self._compute(name)


def store_batches(tables: MutableMapping[str, pa.Table], name: str, schema: pa.Schema,
                  batches: Iterable[pa.RecordBatch]) -> None:
    """Store a table given as a stream of batches: into its file batch by batch in TableFiles (memory holds one
    batch), or as the table they make in any other mapping."""
    if isinstance(tables, TableFiles):
        tables.write_batches(name, schema, batches)
    else:
        tables[name] = pa.Table.from_batches(list(batches), schema)


Assemble = Callable[[str], tuple[pa.Table, pa.ChunkedArray | None]]
"""Gives a table's rows in no order (the schema's columns), and which of them belong to it (None: all)."""


class SortedOnDemand(_Named, MutableMapping[str, pa.Table]):
    """The published tables, each sorted (rucas.build.arrow_tables.sorted_batches) when it is first asked for and
    kept in `store` (TableFiles, or a dict), from the rows `assemble(name)` gives; tables set are stored as they are.

    A stage that needs only some rows of a table asks `rows_having`, which finds them without sorting the table
    when it is not sorted yet. A patched build thus sorts only the tables whose Parquet file it writes again: at
    100,000 articles, sorting every table took 2.35 s of the 4.96 s a rebuild spent validating, though an edited
    summary changes one table. What `assemble` reads must stay where it is until every table is sorted
    (`sort_all`)."""

    def __init__(self, store: MutableMapping[str, pa.Table], names: Iterable[str], assemble: Assemble):
        self.store, self._assemble = store, assemble
        self._names = list(names)
        self._unsorted = set(self._names)

    def _sort(self, name: str) -> None:
        rows, keep = self._assemble(name)
        store_batches(self.store, name, rows.schema, sorted_batches(table_spec(name), rows, keep))
        del rows, keep
        pa.default_memory_pool().release_unused()  # the copies the sort made go back to the system
        self._unsorted.discard(name)

    @property
    def all_sorted(self) -> bool:
        """Whether every table is sorted (its rows no longer read from where `assemble` reads them)."""
        return not self._unsorted

    def sort_all(self) -> None:
        """Sort every table not sorted yet, one at a time: the store then holds every table, and these tables may be
        handed to another process (pickled: the store, and the names in their order)."""
        for name in self._names:
            if name in self._unsorted:
                self._sort(name)

    def __getstate__(self) -> dict[str, object]:
        if self._unsorted:
            raise TypeError(f"tables not sorted yet ({', '.join(sorted(self._unsorted))}) cannot be handed to another "
                            "process: call sort_all first")
        return {"store": self.store, "_names": self._names, "_unsorted": set(), "_assemble": None}

    def rows_having(self, name: str, conditions: Conditions) -> pa.Table:
        """The rows of table `name` whose column is one of its values for any of `conditions`, in the table's
        order; of a table not sorted yet, those rows alone are sorted (the same rows, in the same order)."""
        if name not in self._unsorted:
            return rows_having(self[name], conditions)
        rows, keep = self._assemble(name)
        wanted = having(rows, conditions)
        return sort_table(table_spec(name), rows, wanted if keep is None else pc.and_(wanted, keep))

    def num_rows(self, name: str) -> int:
        """The rows of table `name` (of one not sorted yet, counted without sorting it)."""
        if name not in self._unsorted:
            return self.store.num_rows(name) if isinstance(self.store, TableFiles) else self.store[name].num_rows
        rows, keep = self._assemble(name)
        return rows.num_rows if keep is None else pc.sum(keep).as_py() or 0

    def __getitem__(self, name: str) -> pa.Table:
        if name in self._unsorted:
            self._sort(name)
        return self.store[name]

    def __setitem__(self, name: str, table: pa.Table) -> None:
        self.store[name] = table
        self._unsorted.discard(name)
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        if name not in self._names:
            raise KeyError(name)
        if name in self._unsorted:
            self._unsorted.discard(name)
        else:
            del self.store[name]
        self._names.remove(name)


def rows_of(tables: Mapping[str, pa.Table], name: str, conditions: Conditions) -> pa.Table:
    """The rows of table `name` of `tables` whose column is one of its values for any of `conditions`, in the
    table's order; where `tables` sorts on demand (SortedOnDemand), without sorting the whole table."""
    if isinstance(tables, SortedOnDemand):
        return tables.rows_having(name, conditions)
    return rows_having(tables[name], conditions)


def row_counts(tables: Mapping[str, pa.Table]) -> dict[str, int]:
    """The number of rows of each table, without reading any table's data (nor sorting one)."""
    if isinstance(tables, (TableFiles, SortedOnDemand)):
        return {name: tables.num_rows(name) for name in tables}
    return {name: table.num_rows for name, table in tables.items()}
