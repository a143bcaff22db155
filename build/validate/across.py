"""The checks that span files, run on compact columns of the assembled Arrow tables.

Every row carries ORIGIN, a short text saying which file and which place in it the row came
from; only the key, reference and code columns are read here, and a row's origin is decoded
only when it is reported. The same function checks a corpus whether its article rows were just
validated or came from the cache: there is one path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rucas.build.read.documents import Where
from rucas.build.read.layout import CURATED_CODEBOOKS
from rucas.build.validate.cache import ARTICLE_KEY
from rucas.build.validate.citations import uncitable_citations, uncitable_domains
from rucas.build.read.errors import CurationError, TextOf, locate_errors
from rucas.build.validate.rows import GROUPS, RowOrigin
from rucas.schema import TableSpec, table_spec, table_specs

ORIGIN = "__origin"
"""Extra column of the assembled tables: where each row was written (see `encode_origin`)."""

CODED_COLUMNS = {**{codebook: codebook for codebook in CURATED_CODEBOOKS.values()},
                 "coder": "coder_role", "second_coder": "coder_role", "adjudicator": "coder_role"}
"""Columns whose values must be codes of a curated codebook, and that codebook (exact, case-sensitive)."""

MAX_REPORTED = 200
"""Errors of one kind reported one by one before the rest are counted in a single line."""

_COLUMN_KEYS = {column: (group, key) for group, keys in GROUPS.items() for key, column in keys.items()}


def encode_origin(origin: RowOrigin, root: str) -> str:
    """A row's origin as text: file, a tab, then `=` and the place of a whole-row entry, or `>` and its mapping.

    A file inside the curated folder (whose shown name starts with `root`) is stored relative to it, so
    that cached origins stay true when the folder is moved or copied."""
    mode = ">" if origin.column_keys else "="
    place = origin.line
    path = f"@{origin.path[len(root):]}" if origin.path.startswith(root) else origin.path
    if isinstance(place, int):
        return f"{path}\t{mode}{place}\t"
    return f"{path}\t{mode}\t" + "\x1f".join([s if s.__class__ is str else f"#{s}" for s in place])


def decode_origin(text: str, root: str, column: str | None = None) -> tuple[str, int | Where]:
    """The file (shown under the curated folder `root`) and place of `column` of a row whose origin is `text`."""
    path, mode_line, steps = text.split("\t")
    path = root + path[1:] if path.startswith("@") else path
    mode, line = mode_line[0], mode_line[1:]
    if line:
        return path, int(line)
    where = Where(int(s[1:]) if s.startswith("#") else s for s in steps.split("\x1f")) if steps else Where()
    if mode == ">" and column is not None:
        where = where / _COLUMN_KEYS[column][0] / _COLUMN_KEYS[column][1] if column in _COLUMN_KEYS else where / column
    return path, where


def _error(origin: str, root: str, column: str | None, message: str, fix: str) -> CurationError:
    path, place = decode_origin(origin, root, column)
    return CurationError(path, place, message, fix)


def _key_column(table: pa.Table, spec: TableSpec) -> pa.Array:
    """The primary key of every row as one text column (columns joined by a unit separator)."""
    if len(spec.primary_key) == 1:
        column = table.column(spec.primary_key[0])
        return column.cast(pa.string()) if not pa.types.is_string(column.type) else column
    parts = [table.column(name).cast(pa.string()) for name in spec.primary_key]
    return pc.binary_join_element_wise(*parts, "\x1f")


def _check_unique(spec: TableSpec, table: pa.Table, errors: list[CurationError], root: str, text_of: TextOf) -> set[Any]:
    """Errors for repeated keys; returns the keys that repeat."""
    keys = _key_column(table, spec)
    counts = pc.value_counts(keys)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
    if not len(repeated):
        return set()
    mask = pc.is_in(keys, value_set=repeated)
    rows = table.filter(mask)
    row_keys = keys.filter(mask).to_pylist()
    by_key: dict[Any, list[str]] = defaultdict(list)
    for key, origin in zip(row_keys, rows.column(ORIGIN).to_pylist()):
        by_key[key].append(origin)
    for key, origins in sorted(by_key.items()):
        located = locate_errors([_error(origin, root, spec.primary_key[0], "", "") for origin in origins], text_of)
        located.sort(key=CurationError.sort_key)
        first = located[0]
        for error in located[1:]:
            errors.append(CurationError(error.path, error.line, f"duplicate {spec.name} key "
                                        f"{str(key).replace(chr(31), ', ')[:120]} (first defined at {first.path}:{first.line}).",
                                        "give each entry its own id, or remove the repeat."))
    return set(by_key)


def _unknown_reference_fix(table: str, value: Any) -> str:
    where = {"actors": "reference/actors.yaml", "sources": "an article and its annotation",
             "statements": "the statements: of an annotation", "events": "the events: of an annotation",
             "alliances": "reference/alliances.yaml"}.get(table, table)
    return f"correct the spelling of {str(value)[:60]!r}, or add it to {where}."


def _report_rows(table: pa.Table, mask: pa.Array, column: str, message, fix, errors: list[CurationError],
                 root: str) -> None:
    """An error for every row where `mask` holds (the first MAX_REPORTED, then one line counting the rest)."""
    rows = table.filter(mask).select([column, ORIGIN])
    values, origins = rows.column(column).to_pylist(), rows.column(ORIGIN).to_pylist()
    order = sorted(range(len(values)), key=lambda i: origins[i])
    for i in order[:MAX_REPORTED]:
        errors.append(_error(origins[i], root, column, message(values[i]), fix(values[i])))
    if len(order) > MAX_REPORTED:
        path, place = decode_origin(origins[order[MAX_REPORTED]], root, column)
        errors.append(CurationError(path, place, f"and {len(order) - MAX_REPORTED} more rows like the ones above "
                                    f"({column}).", "fix the ones above first, then validate again."))


def _code_fix(codebook: str, value: str, allowed: list[str]) -> str:
    folded = {code.casefold(): code for code in allowed}
    if value.casefold() in folded:
        return f"write {folded[value.casefold()]!r} (codes are case-sensitive)."
    section = next(s for s, c in CURATED_CODEBOOKS.items() if c == codebook)
    listed = ", ".join(sorted(allowed)) if len(allowed) <= 30 else f"{len(allowed)} codes, see codebook.yaml {section}"
    return f"use one of: {listed}; or add it to codebook.yaml {section} with a label and definition."


@dataclass
class HeldKeys:
    """The check columns (check_columns: keys, references, codes, notes, with ORIGIN and ARTICLE_KEY) of a corpus
    validated before as a whole, and which of its articles are `gone` (changed or removed since; the reference
    files' rows, key "", always are). Nothing held is the same as a validation from scratch."""

    tables: Mapping[str, pa.Table] = field(default_factory=dict)
    gone: frozenset[str] = frozenset({""})
    _whole_masks: dict[str, pa.ChunkedArray] = field(default_factory=dict, repr=False, compare=False)

    def table(self, spec: TableSpec) -> pa.Table | None:
        return self.tables.get(spec.name)

    def mapped(self) -> HeldKeys:
        """These held keys with every table mapped once, for as long as the copy lives (the tables of a cache are
        read from their files each time they are asked for, and let go with them: rucas.build.validate.cache
        .load_keys). Mapping a table already mapped costs nothing."""
        return replace(self, tables={name: self.tables[name] for name in self.tables})

    def gone_rows(self, name: str) -> pa.ChunkedArray:
        """True for each held row of table `name` whose article is gone (computed once per table: the count of
        kept rows and the keys of gone ones both ask, over up to 1.2 million rows at 100,000 articles)."""
        if name not in self._whole_masks:
            self._whole_masks[name] = self._gone_mask(self.tables[name])
        return self._whole_masks[name]

    def _gone_mask(self, table: pa.Table) -> pa.ChunkedArray:
        """True for the rows whose article is gone (read on the dictionary's indices, not on 64-character keys)."""
        gone = pa.array(sorted(self.gone), pa.string())
        masks = []
        positions_in: dict[tuple[int, ...], pa.Array] = {}  # the chunks of a cache file share one dictionary
        for chunk in table.column(ARTICLE_KEY).chunks:
            if pa.types.is_dictionary(chunk.type):
                dictionary = tuple(buffer.address for buffer in chunk.dictionary.buffers() if buffer)
                if dictionary not in positions_in:  # the dictionary's 100,000 keys looked up once, not per chunk,
                    # among the few gone keys (a table of the gone keys, not of the 100,000: 1 ms against 5)
                    positions_in[dictionary] = pc.indices_nonzero(pc.is_in(chunk.dictionary, value_set=gone))
                masks.append(_one_of(chunk.indices, positions_in[dictionary].cast(chunk.indices.type)))
            else:
                masks.append(pc.is_in(chunk, value_set=gone))
        return pa.chunked_array(masks, pa.bool_())

    def kept(self, table: pa.Table) -> pa.Table:
        """The rows of `table` (some held rows) whose article is not gone."""
        return table.filter(pc.invert(self._gone_mask(table))) if table.num_rows else table

    def kept_rows(self, name: str) -> int:
        """How many held rows of table `name` belong to articles not gone."""
        table = self.tables.get(name)
        if table is None or not table.num_rows:
            return 0
        return table.num_rows - sum(mask.true_count for mask in self.gone_rows(name).chunks)


FEW_VALUES = 8
"""Up to this many values, `_one_of` compares with each in turn instead of hashing every row."""


def _one_of(indices: pa.Array, wanted: pa.Array) -> pa.Array:
    """True for each of `indices` (integers, no nulls) that is one of `wanted`. A gone article's rows are found by
    their dictionary index, and an edit makes one or two articles gone: comparing 1.2 million indices with one
    value took 0.7 ms, hashing them for pc.is_in 8.4 ms; many values are looked up by is_in."""
    if len(wanted) > FEW_VALUES or indices.null_count:
        return pc.is_in(indices, value_set=wanted)
    mask = pa.repeat(False, len(indices))
    for value in wanted:
        mask = pc.or_(mask, pc.equal(indices, value))
    return mask


def _held_where(held: HeldKeys, spec: TableSpec, column: str, values: pa.Array, columns: list[str]) -> pa.Table:
    """Held rows of `spec` still in the corpus whose `column` is one of `values` (only `columns`)."""
    table = held.table(spec)
    if table is None or not table.num_rows or not len(values):
        return pa.table({name: pa.array([], pa.string()) for name in columns})
    hits = table.filter(pc.is_in(table.column(column), value_set=values.cast(table.schema.field(column).type)))
    return held.kept(hits).select(columns)


def _stack(tables: list[pa.Table], columns: list[str]) -> pa.Table:
    """Tables of the same check columns as one (dictionaries decoded to text)."""
    plain = []
    for table in tables:
        table = table.select(columns)
        plain.append(pa.table({name: (table.column(name).cast(table.schema.field(name).type.value_type)
                                      if pa.types.is_dictionary(table.schema.field(name).type) else table.column(name))
                               for name in columns}))
    schema = next((t.schema for t in plain if t.num_rows), plain[0].schema)
    return pa.concat_tables([t.cast(schema) for t in plain])


def check_across(tables: dict[str, pa.Table], failed_keys: dict[str, set[str]],
                 unreadable: dict[str, CurationError], root: str, text_of: TextOf, *,
                 published: bool = True, held: HeldKeys | None = None) -> list[CurationError]:
    """Unique keys, resolving references and codebook values across every file.

    `tables` hold the check columns of every row read in this run, with its ORIGIN column; `held`, the check
    columns of a corpus validated before as a whole (so consistent in itself), of which the articles `held.gone`
    are changed or removed. Only what this run adds or removes is checked: its keys against every key, its
    references and codes against every key and code, and the held rows that refer to a key or a code no longer
    there. Without `held`, every row is new: the same checks over the whole corpus.

    References to entries that had errors of their own (`failed_keys`) are not reported again; references into a
    reference file that could not be read at all (`unreadable`) are folded into one line under that file's error.
    `root` is how the curated folder is shown (origins are stored relative to it); `text_of` reads a
    file's text, to name the line where a repeated key was first defined. Notes citing uncitable sources are
    refused only in rows to be `published`: a stored coding (codings/<role>/) is a record of what its coder wrote,
    kept byte for byte, and its citations are judged when the adjudicated annotation is.
    """
    held = (held or HeldKeys()).mapped()  # the checks ask for held tables 76 times at 100,000 articles
    errors: list[CurationError] = []
    new_keys: dict[str, pa.Array] = {}
    for spec in table_specs():
        table = tables[spec.name]
        first = spec.primary_key[0]
        again = _held_where(held, spec, first, pc.unique(table.column(first)), [*spec.primary_key, ORIGIN])
        _check_unique(spec, _stack([again, table], [*spec.primary_key, ORIGIN]), errors, root, text_of)
        if len(spec.primary_key) == 1:
            extra = pa.array(sorted(failed_keys.get(spec.name, ())), pa.string())
            new_keys[spec.name] = pa.concat_arrays([pc.unique(table.column(first)).cast(pa.string()), extra])

    def unknown(target: str, values: pa.Array) -> pa.Array:
        """The values (text, unique, not null) that are no key of `target` now."""
        spec = table_spec(target)
        values = values.filter(pc.invert(pc.is_in(values, value_set=new_keys[target])))
        found = _held_where(held, spec, spec.primary_key[0], values, [spec.primary_key[0]]).column(0).cast(pa.string())
        return values.filter(pc.invert(pc.is_in(values, value_set=found.combine_chunks())))

    removed = {name: unknown(name, _gone_values(held, table_spec(name))) for name in new_keys}
    codebook = tables["codebook"]
    unchecked: dict[str, int] = defaultdict(int)
    for spec in table_specs():
        table = tables[spec.name]
        for column in spec.columns:
            if column.references:
                target = column.references[0]
                values = pc.drop_null(pc.unique(table.column(column.name))).cast(pa.string())
                wrong = pa.concat_arrays([unknown(target, values), removed[target]])
            elif column.name in CODED_COLUMNS:
                if "codebook" in unreadable:
                    continue
                listed = CODED_COLUMNS[column.name]
                allowed = codebook.filter(pc.equal(codebook.column("codebook"), listed)).column("code")
                refused = pa.array(sorted(failed_keys.get(f"codebook:{listed}", ())), pa.string())  # reported there
                known = pa.concat_arrays([*allowed.cast(pa.string()).chunks, refused])
                values = pc.drop_null(pc.unique(table.column(column.name))).cast(pa.string())
                wrong = pa.concat_arrays([values.filter(pc.invert(pc.is_in(values, value_set=known))),
                                          _removed_codes(held, listed, known)])
            else:
                continue
            bad = _stack([table, _held_where(held, spec, column.name, pc.unique(wrong), [column.name, ORIGIN])],
                         [column.name, ORIGIN]) if len(wrong) else None
            if bad is None or not bad.num_rows:
                continue
            missing = pc.is_in(bad.column(column.name), value_set=wrong)
            if column.references:
                if not pc.any(missing).as_py():
                    continue
                if target in unreadable:
                    unchecked[target] += pc.sum(missing.cast(pa.int64())).as_py()
                    continue
                _report_rows(bad, missing, column.name,
                             lambda value, c=column.name, t=target: f"{c} {str(value)[:60]!r} is not a known {t} id.",
                             lambda value, t=target: _unknown_reference_fix(t, value), errors, root)
            elif pc.any(missing).as_py():
                codes = allowed.to_pylist()
                _report_rows(bad, missing, column.name,
                             lambda value, c=column.name: f"{c} {str(value)[:60]!r} is not in the codebook.",
                             lambda value, c=listed: _code_fix(c, value, codes), errors, root)
    for target, count in unchecked.items():
        cause = unreadable[target]
        errors.append(CurationError(cause.path, cause.line, f"then: {count} reference(s) to {target} in other files "
                                    "could not be checked.", "fix the error above; they are checked again then."))
    if published and "codebook" not in unreadable:
        domains = uncitable_domains(codebook)
        noted = {name: table for name, table in tables.items() if table.num_rows}
        if held.tables and domains != _held_domains(held):
            noted = {name: _stack([held.kept(held.tables[name]), table], table.column_names)
                     if name in held.tables else table for name, table in tables.items()}
        for citation in uncitable_citations(noted, domains):
            origin = noted[citation.table].column(ORIGIN)[citation.row].as_py()
            errors.append(_error(origin, root, citation.column, citation.message, citation.fix))
    members = tables["alliance_members"]
    if members.num_rows:
        values = pc.drop_null(pc.unique(members.column("basis"))).cast(pa.string())
        wrong = unknown("sources", values.filter(pc.not_equal(values, "reference")))
        bad = pc.is_in(members.column("basis").cast(pa.string()), value_set=wrong)
        if pc.any(bad).as_py():
            _report_rows(members, bad, "basis", lambda value: f"basis {str(value)[:60]!r} is neither 'reference' nor a "
                         "source_id.", lambda value: "write reference (and cite it in note), or the id of the attesting "
                         "article.", errors, root)
    return errors


def _gone_values(held: HeldKeys, spec: TableSpec) -> pa.Array:
    """The keys (first key column, as text) that held rows of articles now gone had."""
    table = held.table(spec)
    if table is None or not table.num_rows:
        return pa.array([], pa.string())
    column = table.select([spec.primary_key[0]]).filter(held.gone_rows(spec.name)).column(0).cast(pa.string())
    return pc.drop_null(pc.unique(column.combine_chunks()))


def _removed_codes(held: HeldKeys, listed: str, known: pa.Array) -> pa.Array:
    """Codes of codebook `listed` that the held codebook had and `known` lacks (the reference files are re-read)."""
    table = held.tables.get("codebook")
    if table is None or not table.num_rows:
        return pa.array([], pa.string())
    codes = table.filter(pc.equal(table.column("codebook").cast(pa.string()), listed)).column("code").cast(pa.string())
    codes = pc.unique(codes.combine_chunks())
    return codes.filter(pc.invert(pc.is_in(codes, value_set=known)))


def _held_domains(held: HeldKeys) -> list[str]:
    """The uncitable domains of the held codebook (what the held notes were checked against)."""
    table = held.tables.get("codebook")
    return uncitable_domains(_stack([table], ["codebook", "code"])) if table is not None else []
