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
from pyarrow import ipc

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
"""What a table name may be (the schema's names, and the build's own such as `_keys`): it becomes a file name."""


class TableFiles(MutableMapping[str, pa.Table]):
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

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def num_rows(self, name: str) -> int:
        """The rows of table `name`, read from its file's footer."""
        with pa.memory_map(str(self._path(name))) as source:
            reader = ipc.open_file(source)
            return sum(reader.get_batch(index).num_rows for index in range(reader.num_record_batches))


class ComputedTables(Mapping[str, pa.Table]):
    """Tables computed by `compute` each time one is asked for (nothing is kept): for a stage that reads each table
    once, such as storing the cache, while what they are made of stays on disk."""

    def __init__(self, names: Iterable[str], compute: Callable[[str], pa.Table]):
        self._names, self._compute = list(names), compute

    def __getitem__(self, name: str) -> pa.Table:
        if name not in self._names:
            raise KeyError(name)
        return self._compute(name)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def store_batches(tables: MutableMapping[str, pa.Table], name: str, schema: pa.Schema,
                  batches: Iterable[pa.RecordBatch]) -> None:
    """Store a table given as a stream of batches: into its file batch by batch in TableFiles (memory holds one
    batch), or as the table they make in any other mapping."""
    if isinstance(tables, TableFiles):
        tables.write_batches(name, schema, batches)
    else:
        tables[name] = pa.Table.from_batches(list(batches), schema)


def row_counts(tables: Mapping[str, pa.Table]) -> dict[str, int]:
    """The number of rows of each table, without reading any table's data."""
    if isinstance(tables, TableFiles):
        return {name: tables.num_rows(name) for name in tables}
    return {name: table.num_rows for name, table in tables.items()}
