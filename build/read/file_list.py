"""Files by path with their SHA-256 and size, held as Arrow columns: a build's inputs and outputs as its manifest
lists them.

A corpus of 100,000 articles has 200,000 inputs and a build of it 100,000 outputs. Held as one dict per file
(the manifest's JSON shape), the inputs, the cache's fingerprints and the previous build's manifest took about
400 MiB for the whole of a rebuild; as columns they take about 40 MiB. The manifest's text is made from the
columns (FileList.json_lines), entry by entry as before.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring_ascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

INPUT_FIELDS = ("path", "sha256", "bytes")
"""The keys of a manifest's input entry, in the order the manifest writes them."""
OUTPUT_FIELDS = ("path", "bytes", "sha256")
"""The keys of a manifest's output entry, in the order the manifest writes them."""

_TYPES = {"path": pa.string(), "sha256": pa.string(), "bytes": pa.int64()}


PLAIN_JSON_TEXT = r"^[ !#-\[\]-~]*$"
"""Text that JSON writes as it is, between quotes: printable ASCII but the quote and the backslash (json.dumps
escapes every other character, with ensure_ascii)."""


def _json_texts(column: pa.Array) -> pa.Array:
    """Each path, hash or size of `column` as JSON, as json.dumps writes it (ASCII only; null as null). Text of
    PLAIN_JSON_TEXT is quoted as it is, by Arrow; any other is encoded by json's own encoder, one value at a time
    (a file name with an accent, a quote or a control character), so both give json.dumps's text."""
    if pa.types.is_integer(column.type):  # sizes (_TYPES)
        return pc.fill_null(pc.cast(column, pa.string()), "null")
    text = pc.binary_join_element_wise('"', column, '"', "")
    escaped = pc.invert(pc.fill_null(pc.match_substring_regex(column, PLAIN_JSON_TEXT), True))
    if pc.any(escaped).as_py():
        encoded = [encode_basestring_ascii(value) for value in column.filter(escaped).to_pylist()]
        text = pc.replace_with_mask(text, escaped, pa.array(encoded, pa.string()))
    return pc.fill_null(text, "null")


@dataclass(frozen=True)
class FileList:
    """Files (path, sha256, bytes; sha256 and bytes may be null, as for outputs whose bytes differ between
    identical builds) in a given order, as the columns of an Arrow table whose column order is the key order of
    each entry in the manifest (INPUT_FIELDS or OUTPUT_FIELDS)."""

    table: pa.Table

    @staticmethod
    def from_columns(paths: list[str], sha256: list[str | None], sizes: list[int | None],
                     fields: tuple[str, ...] = INPUT_FIELDS) -> FileList:
        """Files from a column of paths, one of hashes and one of sizes, all in the same order."""
        columns = {"path": paths, "sha256": sha256, "bytes": sizes}
        return FileList(pa.table({name: pa.array(columns[name], _TYPES[name]) for name in fields}))

    @staticmethod
    def from_entries(entries: list[Mapping[str, object]], fields: tuple[str, ...] = INPUT_FIELDS) -> FileList:
        """Files from manifest entries (mappings with path, sha256 and bytes), in their order, converted by Arrow
        in one step. Raises ValueError when an entry is no mapping, lacks a path or has a value of the wrong type."""
        try:
            rows = pa.array(entries, pa.struct([(name, _TYPES[name]) for name in fields]))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as problem:
            raise ValueError(f"an entry is not a file's entry ({problem})") from problem
        table = pa.Table.from_struct_array(rows)
        if rows.null_count or table.column("path").null_count:
            raise ValueError("an entry has no path")
        return FileList(table)

    @staticmethod
    def empty(fields: tuple[str, ...] = INPUT_FIELDS) -> FileList:
        """No files."""
        return FileList.from_columns([], [], [], fields)

    def __len__(self) -> int:
        return self.table.num_rows

    def __add__(self, other: FileList) -> FileList:
        """These files, then `other`'s (in this list's key order)."""
        return FileList(pa.concat_tables([self.table, other.table.select(self.table.column_names)]))

    @property
    def paths(self) -> list[str]:
        """Every file's path, in order."""
        return self.table.column("path").to_pylist()

    def entries(self) -> list[dict[str, object]]:
        """The files as manifest entries (a dict each, keys in this list's order)."""
        return self.table.to_pylist()

    def json_lines(self) -> list[str]:
        """Each file's manifest entry as JSON text, keys in this list's order: what `json.dumps` of the entry gives
        (tests/test_file_list.py), joined by Arrow from each column's JSON (_json_texts) instead of a dict per file
        (300,000 entries at 100k articles: 1.07 s through json.dumps, 0.57 s value by value in Python)."""
        parts: list[pa.Array | str] = []
        for index, name in enumerate(self.table.column_names):
            parts += [("{" if index == 0 else ", ") + f"{json.dumps(name)}: ",
                      _json_texts(self.table.column(name).combine_chunks())]
        return pc.binary_join_element_wise(*parts, "}", "").to_pylist()

    def digest(self) -> str:
        """One hash over every file's path and hash, in order: for the inputs, the identity of the curated corpus.
        Computed once (a list is never changed): a build asks for it three times, 0.12 s each at 200,000 inputs."""
        if "_digest" not in self.__dict__:
            digest = hashlib.sha256()
            for path, sha256 in zip(self.table.column("path").to_pylist(), self.table.column("sha256").to_pylist()):
                digest.update(f"{path}\0{sha256}\n".encode())
            self.__dict__["_digest"] = digest.hexdigest()  # frozen: set past the dataclass's guard, once
        return self.__dict__["_digest"]

    def only(self, paths: Iterable[str]) -> FileList:
        """The files whose path is one of `paths`, in this list's order."""
        wanted = pa.array(paths if isinstance(paths, list) else list(paths), pa.string())  # duplicates do no harm
        return FileList(self.table.filter(pc.is_in(self.table.column("path"), value_set=wanted)))

    def sorted(self) -> FileList:
        """The files ordered by path."""
        return FileList(self.table.sort_by("path"))

    def changed_paths(self, other: FileList) -> set[str]:
        """Paths in one list and not the other, or with another hash in each."""
        mine = self.table.select(["path", "sha256"])
        theirs = other.table.select(["path", "sha256"]).rename_columns(["path", "other"])
        joined = mine.join(theirs, "path", join_type="full outer")
        same = pc.fill_null(pc.equal(joined.column("sha256"), joined.column("other")), False)
        return set(joined.filter(pc.invert(same)).column("path").to_pylist())

    def sizes(self) -> dict[str, int | None]:
        """Each file's size by path (for a few files: a dict is made of every one)."""
        return dict(zip(self.table.column("path").to_pylist(), self.table.column("bytes").to_pylist()))
