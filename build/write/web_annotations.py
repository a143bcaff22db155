"""Write every coded row's evidence as a W3C Web Annotation: annotations/articles/<source_id>.jsonld (and, for a
release, all.jsonld).

One annotation per row of statements, events, event_conditions and claims (a claim has no evidence of its
own: its span is its statement's, the words that assert or deny the event). The model is the W3C Web
Annotation Data Model (https://www.w3.org/TR/annotation-model/), serialised as JSON-LD with its context:

- `motivation` is "identifying": the annotation says which coded row the words report, i.e. it identifies
  what the target describes (the model's own example of identifying is a link to an event record).
- `body` is two resources: the row itself (`urn:rucas:row:<table>:<key>`, with dcterms:isPartOf its table
  `urn:rucas:table:<table>` and dcterms:identifier its key; purpose "identifying"), and a TextualBody, a
  one-line summary of the row for people (purpose "describing").
- `target` is a SpecificResource: its `source` is the article (its URL when known, else
  `urn:rucas:source:<source_id>`) with `schema:sha256`, the SHA-256 of the stored article text (UTF-8,
  sources.text_sha256) that the selectors index, which may differ from the page at the URL; its `selector`
  lists a TextQuoteSelector and a TextPositionSelector of the same span (rucas.build.write.text_selectors,
  offsets in code points of the stored text).
- Each file is an AnnotationCollection holding its annotations in one embedded AnnotationPage; the
  annotations inside it take the collection's @context. The key order and file bytes depend on the tables
  only, so an incremental build writes the same files as a cold one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_string
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rucas.build.arrow_tables import batches_in_order, plain_values
from rucas.build.table_files import rows_of
from rucas.build.write.text_selectors import position_selector, quote_context, text_quote_selector

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MOTIVATION = "identifying"
ANNOTATED_TABLES = ("statements", "events", "event_conditions", "claims")
"""The tables whose rows carry an evidence span, in the order their annotations are listed."""
ALL_FILE = "all.jsonld"
ARTICLES_FOLDER = "articles"
ITEM_INDENT = "   "
"""An annotation's indent inside its collection (collection > first > items)."""


def source_iri(source_id: str, url: str | None) -> str:
    """The article as a web resource: its URL where known, else a stable URN of its id."""
    return url or f"urn:rucas:source:{source_id}"


def row_iri(table: str, key: str) -> str:
    """The IRI of a published row: table and primary key (a composite key joined by commas, as rucas.cite)."""
    return f"urn:rucas:row:{table}:{key}"


def article_resource(iri: str, language: str | None, text_sha256: str) -> dict[str, object]:
    """The target's source: the article (`iri`, from source_iri) as a Text, with the hash of its stored text."""
    return {"id": iri, "type": "Text", "language": language, "schema:sha256": text_sha256}


def annotation(*, table: str, key: str, summary: str, article: dict[str, object], exact: str, prefix: str,
               suffix: str, start: int, end: int) -> dict:
    """The Web Annotation of one evidence row (see the module docstring), without @context (its page gives it):
    the row `key` of `table`, summarised for people by `summary`, whose words text[start:end] (`exact`, between
    `prefix` and `suffix`) are in `article` (article_resource)."""
    return {
        "id": f"urn:rucas:annotation:{table}:{key}",
        "type": "Annotation",
        "motivation": MOTIVATION,
        "body": [
            {"id": row_iri(table, key), "purpose": "identifying",
             "dcterms:isPartOf": {"id": f"urn:rucas:table:{table}"}, "dcterms:identifier": key},
            {"type": "TextualBody", "purpose": "describing", "value": summary, "format": "text/plain",
             "language": "en"},
        ],
        "target": {
            "type": "SpecificResource",
            "source": article,
            "selector": [text_quote_selector(exact, prefix, suffix), position_selector(start, end)],
        },
    }


def collection(collection_id: str, label: str, annotations: list[dict]) -> dict:
    """An AnnotationCollection with its annotations in one embedded AnnotationPage (none when it has none)."""
    document: dict[str, object] = {"@context": CONTEXT, "id": collection_id, "type": "AnnotationCollection",
                                   "label": label, "total": len(annotations)}
    if annotations:
        page = f"{collection_id}:page-1"
        document["first"] = {"id": page, "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0,
                             "items": annotations}
        document["last"] = page
    return document


def document_text(document: object) -> str:
    """How every annotation file writes a JSON document: `json.dumps(document, indent=1, ensure_ascii=False)`."""
    return json.dumps(document, indent=1, ensure_ascii=False)


# Writing: every file is document_text of its collection, byte for byte. The standard library encodes an
# indented document in pure Python (about 0.5 ms per annotation), so the text is laid out once, from the
# definitions above encoded by document_text with markers in place of their values (a _Template), and each
# annotation's text is that layout with its values' JSON put in. A value's JSON does not depend on where it
# stands (json escapes character by character, and no string holds a raw line break), so the text is the one
# document_text writes; tests/test_web_annotations.py compares the two.

_MARK = "\ue000"
"""Encloses a slot's name in the document a template is laid out from (a private-use character no value given
to the layout holds)."""


def _slot(name: str) -> str:
    return f"{_MARK}{name}{_MARK}"


def _json_value(value: object) -> str:
    """A string, integer or null as document_text writes it (quick for the two commonest kinds)."""
    if value.__class__ is str:
        return _encode_string(value)
    if value.__class__ is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


class _Template:
    """JSON text with named slots: a slot that was a whole string is filled with a value's JSON (string, number
    or null), a slot inside a string with the escaped characters of a string."""

    _SLOTS = re.compile(f'"{_MARK}(\\w+){_MARK}"|{_MARK}(\\w+){_MARK}')

    def __init__(self, text: str) -> None:
        pieces = self._SLOTS.split(text)
        self.slots = [(whole or inside, whole is not None) for whole, inside in zip(pieces[1::3], pieces[2::3])]
        self.literals = pieces[::3]

    def fill(self, values: dict[str, str]) -> str:
        """The text with every slot filled from `values` (name: the value's JSON, see _json_value; a string's for
        a slot inside a string)."""
        text = [self.literals[0]]
        for (name, whole), literal in zip(self.slots, self.literals[1:]):
            text += (values[name] if whole else values[name][1:-1], literal)
        return "".join(text)

    def partial(self, values: dict[str, str]) -> _Template:
        """The template with the slots named in `values` (name: the value's JSON) filled, the others kept."""
        filled = _Template.__new__(_Template)
        filled.slots, filled.literals = [], [self.literals[0]]
        for (name, whole), literal in zip(self.slots, self.literals[1:]):
            if name in values:
                value = values[name]
                if not whole:
                    if not value.startswith('"'):
                        raise ValueError(f"slot {name} stands inside a string; {value} is not one")
                    value = value[1:-1]
                filled.literals[-1] += value + literal
            else:
                filled.slots.append((name, whole))
                filled.literals.append(literal)
        return filled


def _layout(document: object, indent: str = "") -> _Template:
    """The template of document_text(document) (its leaves slot markers), each line after the first indented by
    `indent` as it is nested in a collection."""
    return _Template(indent + document_text(document).replace("\n", "\n" + indent))


_ITEM = _layout(annotation(table=_slot("table"), key=_slot("key"), summary=_slot("summary"),
                           article=article_resource(_slot("source"), _slot("language"), _slot("sha256")),
                           exact=_slot("exact"), prefix=_slot("prefix"), suffix=_slot("suffix"),
                           start=_slot("start"), end=_slot("end")), ITEM_INDENT)
"""One annotation's text in a collection's items (ITEM_INDENT deep)."""


def _collection_layout() -> tuple[_Template, _Template]:
    """The text of a collection before and after its annotations (joined by ",\n", each an _ITEM)."""
    document = collection(_slot("id"), _slot("label"), [_slot("items")])
    document["total"] = _slot("total")
    head, tail = document_text(document).split(ITEM_INDENT + json.dumps(_slot("items"), ensure_ascii=False))
    return _Template(head), _Template(tail + "\n")


_HEAD, _TAIL = _collection_layout()


def _collection_text(collection_id: str, label: str, total: int) -> tuple[str, str]:
    """The text of a collection of `total` annotations before and after them (joined by ",\n"); one whole text
    and "" when it holds none."""
    if not total:
        return document_text(collection(collection_id, label, [])) + "\n", ""
    values = {"id": _encode_string(collection_id), "label": _encode_string(label), "total": _json_value(total)}
    return _HEAD.fill(values), _TAIL.fill(values)


def _article_collection(source_id: str, total: int) -> tuple[str, str]:
    return _collection_text(f"urn:rucas:annotations:{source_id}", f"Evidence of the rows coded from {source_id}", total)


def _all_collection(total: int) -> tuple[str, str]:
    return _collection_text("urn:rucas:annotations", "Evidence of every coded row of RUCAS", total)


@dataclass(frozen=True)
class WrittenFile:
    """A file write_web_annotations wrote (not one it linked to the previous build's): its size and SHA-256,
    computed from the bytes as they were written, so that nobody needs to read the file again to hash it."""

    bytes: int
    sha256: str


def write_web_annotations(tables: Mapping[str, pa.Table], directory: Path, *, previous: Path | None = None,
                          changed: set[str] | None = None) -> dict[str, WrittenFile]:
    """Write directory/articles/<source_id>.jsonld for every article, one article at a time (each file as
    document_text of its collection writes it); return the files written, by path relative to `directory`, with
    their size and hash. (The whole corpus in one file, all.jsonld, is a release's: write_all_annotations.)

    With `previous` (the annotations folder of the build this one is patched from) and `changed` (the source ids
    whose files were added, changed or removed since that build), an unchanged article's file is a link to its
    previous one (not among the files returned); only changed articles (and those whose claims quote a changed
    article's event) are encoded again, from their rows alone (annotated_rows: a table that sorts on demand is
    not sorted for them). `previous` may be `directory` itself, holding that build's files (moved in from the
    superseded build whose databases were patched: no link to make, and none of 100,000 files to remove with it):
    then every other entry is removed first, so that a changed article's file, a hard link that published builds
    share, is replaced by a new file, never written into."""
    articles = directory / ARTICLES_FOLDER
    articles.mkdir(parents=True, exist_ok=True)
    if previous is not None and changed is not None:
        changed = changed | _claiming_articles(tables, changed)
        tables = annotated_rows(tables, changed)
    else:
        changed = None  # without a previous build, every article is written
    evidence = evidence_table(tables)
    if changed is not None:  # the rows of other articles that the changed articles' summaries quote
        evidence = evidence.filter(pc.is_in(evidence.column("source_id"),
                                            value_set=pa.array(sorted(changed), pa.string())))
    counts = _annotation_counts(tables["sources"], evidence)
    kept: set[str] = set()
    in_place = previous is not None and os.path.samefile(previous, directory)
    if previous is not None:
        with os.scandir(previous / ARTICLES_FOLDER) as entries:
            names = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
        if changed is not None:  # every article of `previous` that is not among them is unchanged, and still there
            present = {name[:-len(".jsonld")] for name, _ in names if name.endswith(".jsonld")}
            kept = present - changed
        if in_place:  # of what the folder holds, only the unchanged articles' files are taken over
            with os.scandir(directory) as entries:
                others = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries
                          if entry.name != ARTICLES_FOLDER]
            for path, folder in [(directory / name, folder) for name, folder in others] + \
                    [(articles / name, folder) for name, folder in names
                     if not (name.endswith(".jsonld") and name[:-len(".jsonld")] in kept)]:
                if folder:
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
    encoded = _encoded_articles(tables["sources"], evidence, set(counts) - kept if kept else None)
    written: dict[str, WrittenFile] = {}
    for source_id in sorted(counts.keys() - kept):
        encoded_id, total, items = next(encoded)
        assert encoded_id == source_id, (encoded_id, source_id)
        name = f"{source_id}.jsonld"
        article_head, article_tail = _article_collection(source_id, total)
        content = article_head.encode("utf-8") + items.encode("utf-8") + article_tail.encode("utf-8")
        _write_file(articles / name, content)
        written[f"{ARTICLES_FOLDER}/{name}"] = WrittenFile(len(content), hashlib.sha256(content).hexdigest())
    if kept and not in_place:
        link_files(previous / ARTICLES_FOLDER, articles, [f"{source_id}.jsonld" for source_id in sorted(kept)])
    return written


def link_files(source: Path, target: Path, names: list[str]) -> None:
    """Make each file `names` of folder `source` a hard link in folder `target` (both opened once: each link is one
    call on two names, not on two paths)."""
    source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
    try:
        target_fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for name in names:
                os.link(name, name, src_dir_fd=source_fd, dst_dir_fd=target_fd, follow_symlinks=False)
        finally:
            os.close(target_fd)
    finally:
        os.close(source_fd)


def write_all_annotations(directory: Path) -> WrittenFile:
    """Write directory/all.jsonld, one collection of every annotation of directory/articles/ (as write_web_annotations
    wrote them), in source_id order: the bytes document_text gives the collection of all of them, made from the
    article files' own bytes (nothing is encoded again). Raises ValueError naming a file that is not an article's
    collection as written."""
    files = sorted((entry.name[:-len(".jsonld")], entry.path) for entry in os.scandir(directory / ARTICLES_FOLDER)
                   if entry.name.endswith(".jsonld"))
    totals = {source_id: _file_total(path) for source_id, path in files}
    head, tail = _all_collection(sum(totals.values()))
    first = True
    with _HashedFile(directory / ALL_FILE) as whole:
        whole.write(head.encode("utf-8"))
        for source_id, path in files:
            if not totals[source_id]:
                continue
            article_head, article_tail = (part.encode("utf-8") for part in _article_collection(source_id,
                                                                                                totals[source_id]))
            with open(path, "rb") as file:
                content = file.read()
            if not (content.startswith(article_head) and content.endswith(article_tail)):
                raise ValueError(f"{path}: not the annotation collection of {source_id} as the build writes it")
            whole.write((b"" if first else b",\n") + content[len(article_head):len(content) - len(article_tail)])
            first = False
        whole.write(tail.encode("utf-8"))
    assert whole.written is not None
    return whole.written


def _file_total(path: str) -> int:
    """How many annotations the article file at `path` holds (its collection's "total", near its start)."""
    with open(path, encoding="utf-8") as file:
        start = file.read(4096)
    try:
        return int(start.split('"total": ', 1)[1].split(",", 1)[0].split("\n", 1)[0])
    except (IndexError, ValueError):
        raise ValueError(f"{path}: no \"total\" where an annotation collection has it") from None


def _write_file(path: Path, content: bytes) -> None:
    """Create (or replace) the file at `path` holding `content`: one open, write and close, no text layer."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


class _HashedFile:
    """A file written from the start, hashed as it is written (`written` once it is closed)."""

    def __init__(self, path: Path) -> None:
        self.path, self.digest, self.size = path, hashlib.sha256(), 0
        self.written: WrittenFile | None = None

    def __enter__(self) -> _HashedFile:
        self.file = open(self.path, "wb", buffering=1 << 20)
        return self

    def write(self, content: bytes) -> None:
        self.file.write(content)
        self.digest.update(content)
        self.size += len(content)

    def __exit__(self, *exc_info: object) -> None:
        self.file.close()
        self.written = WrittenFile(self.size, self.digest.hexdigest())


EVIDENCE_COLUMNS = ("source_id", "rank", "row", "key", "start", "end", "summary")
"""evidence_table's columns: the article, the row's table (its place in ANNOTATED_TABLES), the row's place in
its table, its key, its evidence span and its one-line summary."""


def evidence_table(tables: Mapping[str, pa.Table]) -> pa.Table:
    """Every annotated row (EVIDENCE_COLUMNS): a statement's summary names its speaker (its id if the actors
    lack it), an event's is its own, a condition's and a claim's quote their event's; a condition is in its
    event's article and a claim in its statement's, with its statement's span. Rows are looked up by key with
    Arrow (index_in and take, no Python objects per row). Raises ValueError naming a row whose event or
    statement is missing."""
    statements, events = tables["statements"], tables["events"]

    def text(column: pa.ChunkedArray) -> pa.ChunkedArray:
        return pc.cast(column, pa.string())

    def lookup(table: pa.Table, column: str, keys: pa.Table, key: str, *, required: bool = True) -> pa.Array:
        """The positions in `keys` of the rows whose `key` each row's `column` names."""
        found = pc.index_in(table.column(column), value_set=keys.column(key))
        if required and found.null_count:
            row = table.filter(pc.is_null(found)).slice(0, 1).to_pylist()[0]
            raise ValueError(f"{row}: no row of the table holding {key} has {row[column]!r}; the tables are not a "
                             "validated corpus")
        return found

    speakers = lookup(statements, "speaker_id", tables["actors"], "actor_id", required=False)
    conditions = tables["event_conditions"]
    condition_events = lookup(conditions, "event_id", events, "event_id")
    claims = tables["claims"]
    claim_statements, claim_events = (lookup(claims, "statement_id", statements, "statement_id"),
                                      lookup(claims, "event_id", events, "event_id"))
    columns = {  # source_id, key, start, end, summary
        "statements": (statements.column("source_id"), statements.column("statement_id"),
                       statements.column("evidence_start"), statements.column("evidence_end"),
                       pc.binary_join_element_wise(
                           "Statement by ", pc.coalesce(tables["actors"].column("name").take(speakers),
                                                        statements.column("speaker_id")),
                           " (", text(statements.column("quote_kind")), ")", "")),
        "events": (events.column("source_id"), events.column("event_id"), events.column("evidence_start"),
                   events.column("evidence_end"), events.column("summary")),
        "event_conditions": (events.column("source_id").take(condition_events), conditions.column("condition_id"),
                             conditions.column("evidence_start"), conditions.column("evidence_end"),
                             pc.binary_join_element_wise("Condition ", conditions.column("condition_type"), " of: ",
                                                         events.column("summary").take(condition_events), "")),
        "claims": (statements.column("source_id").take(claim_statements),
                   pc.binary_join_element_wise(claims.column("statement_id"), claims.column("event_id"), ","),
                   statements.column("evidence_start").take(claim_statements),
                   statements.column("evidence_end").take(claim_statements),
                   pc.binary_join_element_wise("The statement ", text(claims.column("relation")), ": ",
                                               events.column("summary").take(claim_events), "")),
    }
    schema = pa.schema([("source_id", pa.string()), ("rank", pa.int8()), ("row", pa.int64()), ("key", pa.string()),
                        ("start", pa.int64()), ("end", pa.int64()), ("summary", pa.string())])
    parts = []
    for rank, name in enumerate(ANNOTATED_TABLES):
        source_id, key, start, end, summary = columns[name]
        rows = tables[name].num_rows
        parts.append(pa.table([text(source_id), pa.repeat(pa.scalar(rank, pa.int8()), rows),
                               pa.array(np.arange(rows, dtype=np.int64)), text(key), start, end, text(summary)],
                              schema=schema))  # made by Arrow and numpy: no Python int per row
    return pa.concat_tables(parts)


def _annotation_counts(sources: pa.Table, evidence: pa.Table) -> dict[str, int]:
    """How many annotations each article has (every article, none or more)."""
    counts = dict.fromkeys(sources.column("source_id").to_pylist(), 0)
    for entry in pc.value_counts(evidence.column("source_id")).to_pylist():
        if entry["values"] not in counts:
            raise ValueError(f"{entry['counts']} annotated row(s) of article {entry['values']!r}, which is not among "
                             "the sources")
        counts[entry["values"]] = entry["counts"]
    return counts


_BATCH = 4096
"""Rows (or articles) taken from the Arrow tables at a time while encoding: memory stays bounded by a batch."""


def _sorted_rows(table: pa.Table, order: pa.Array, columns: tuple[str, ...]) -> Iterator[tuple]:
    """The rows of `table` in the order of the indices `order`, as tuples of `columns`, a batch at a time (taken
    from the chunks that hold them: rucas.build.arrow_tables.batches_in_order)."""
    for batch in batches_in_order(table.select(list(columns)), order, _BATCH):
        yield from zip(*(batch.column(name).to_pylist() for name in columns))


def _encoded_articles(sources: pa.Table, evidence: pa.Table, only: set[str] | None) -> Iterator[tuple[str, int, str]]:
    """(source_id, number of annotations, their text joined by ",\n") of every article (or of those in `only`),
    in source_id order; an article's annotations in ANNOTATED_TABLES order, then their tables' row order."""
    if only is not None:
        selected = pa.array(sorted(only), pa.string())
        sources = sources.filter(pc.is_in(sources.column("source_id"), value_set=selected))
        evidence = evidence.filter(pc.is_in(evidence.column("source_id"), value_set=selected))
    rows = _sorted_rows(evidence, pc.sort_indices(evidence, [("source_id", "ascending"), ("rank", "ascending"),
                                                             ("row", "ascending")]), EVIDENCE_COLUMNS)
    row = next(rows, None)
    templates = [_ITEM.partial({"table": _encode_string(table)}) for table in ANNOTATED_TABLES]
    for source_id, url, language, text, text_sha256 in _sorted_rows(
            sources, pc.sort_indices(sources, [("source_id", "ascending")]),
            ("source_id", "url", "language", "text", "text_sha256")):
        iri, language, text_sha256 = (_encode_string(source_iri(source_id, url)), _json_value(language),
                                      _json_value(text_sha256))
        items = []
        while row is not None and row[0] == source_id:
            _, rank, _, key, start, end, summary = row
            prefix, suffix = quote_context(text, start, end)
            items.append(templates[rank].fill({"key": _encode_string(key), "summary": _json_value(summary),
                                               "source": iri, "language": language, "sha256": text_sha256,
                                               "exact": _encode_string(text[start:end]),
                                               "prefix": _encode_string(prefix), "suffix": _encode_string(suffix),
                                               "start": _json_value(start), "end": _json_value(end)}))
            row = next(rows, None)
        yield source_id, len(items), ",\n".join(items)
    if row is not None:
        raise ValueError(f"{ANNOTATED_TABLES[row[1]]} {row[3]}: its article {row[0]!r} is not among the sources")


def _claiming_articles(tables: Mapping[str, pa.Table], source_ids: set[str]) -> set[str]:
    """The articles whose claims are about events of `source_ids`: a claim's summary quotes its event's."""
    events = rows_of(tables, "events", [("source_id", pa.array(sorted(source_ids), pa.string()))])
    claims = rows_of(tables, "claims", [("event_id", plain_values(events.column("event_id")))])
    statements = rows_of(tables, "statements", [("statement_id", plain_values(claims.column("statement_id")))])
    return set(plain_values(statements.column("source_id")).to_pylist())


def annotated_rows(tables: Mapping[str, pa.Table], source_ids: set[str]) -> dict[str, pa.Table]:
    """The rows evidence_table needs for the annotations of the articles `source_ids`, each table's in its order
    (rucas.build.table_files.rows_of): their sources, statements and events; the claims of their statements (a
    claim is annotated in its statement's article) and the events those are about, of any article; the conditions
    of those events; the speakers among the actors. evidence_table then annotates some rows of other articles (the
    events the claims quote), which the caller leaves out."""
    ids = pa.array(sorted(source_ids), pa.string())
    statements = rows_of(tables, "statements", [("source_id", ids)])
    claims = rows_of(tables, "claims", [("statement_id", plain_values(statements.column("statement_id")))])
    events = rows_of(tables, "events", [("source_id", ids), ("event_id", plain_values(claims.column("event_id")))])
    return {"sources": rows_of(tables, "sources", [("source_id", ids)]), "statements": statements, "claims": claims,
            "events": events,
            "event_conditions": rows_of(tables, "event_conditions",
                                        [("event_id", plain_values(events.column("event_id")))]),
            "actors": rows_of(tables, "actors", [("actor_id", plain_values(statements.column("speaker_id")))])}
