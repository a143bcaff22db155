"""Write every coded row's evidence as a W3C Web Annotation: annotations/articles/<source_id>.jsonld and all.jsonld.

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

import json
import os
from collections.abc import Iterator
from json.encoder import encode_basestring as _encode_string
from pathlib import Path

import pyarrow as pa

from rucas.build.write.text_selectors import position_selector, quote_selector

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MOTIVATION = "identifying"
ANNOTATED_TABLES = ("statements", "events", "event_conditions", "claims")
"""The tables whose rows carry an evidence span, in the order their annotations are listed."""
ALL_FILE = "all.jsonld"
ARTICLES_FOLDER = "articles"


def source_iri(source_id: str, url: str | None) -> str:
    """The article as a web resource: its URL where known, else a stable URN of its id."""
    return url or f"urn:rucas:source:{source_id}"


def row_iri(table: str, key: str) -> str:
    """The IRI of a published row: table and primary key (a composite key joined by commas, as rucas.cite)."""
    return f"urn:rucas:row:{table}:{key}"


def _rows(table: pa.Table, *columns: str) -> list[dict]:
    return table.select(list(columns)).to_pylist()


def evidence_rows(tables: dict[str, pa.Table]) -> list[dict]:
    """Every annotated row as (table, key, source_id, start, end, summary), in ANNOTATED_TABLES order then key order."""
    names = {row["actor_id"]: row["name"] for row in _rows(tables["actors"], "actor_id", "name")}
    statements = _rows(tables["statements"], "statement_id", "source_id", "speaker_id", "quote_kind",
                       "evidence_start", "evidence_end")
    events = _rows(tables["events"], "event_id", "source_id", "summary", "evidence_start", "evidence_end")
    by_statement, by_event = {row["statement_id"]: row for row in statements}, {row["event_id"]: row for row in events}
    found = [{"table": "statements", "key": row["statement_id"], "source_id": row["source_id"],
              "start": row["evidence_start"], "end": row["evidence_end"],
              "summary": f"Statement by {names.get(row['speaker_id'], row['speaker_id'])} ({row['quote_kind']})"}
             for row in statements]
    found += [{"table": "events", "key": row["event_id"], "source_id": row["source_id"],
               "start": row["evidence_start"], "end": row["evidence_end"], "summary": row["summary"]}
              for row in events]
    for row in _rows(tables["event_conditions"], "condition_id", "event_id", "condition_type", "evidence_start",
                     "evidence_end"):
        event = by_event[row["event_id"]]
        found.append({"table": "event_conditions", "key": row["condition_id"], "source_id": event["source_id"],
                      "start": row["evidence_start"], "end": row["evidence_end"],
                      "summary": f"Condition {row['condition_type']} of: {event['summary']}"})
    for row in _rows(tables["claims"], "statement_id", "event_id", "relation"):
        statement = by_statement[row["statement_id"]]
        found.append({"table": "claims", "key": f"{row['statement_id']},{row['event_id']}",
                      "source_id": statement["source_id"], "start": statement["evidence_start"],
                      "end": statement["evidence_end"],
                      "summary": f"The statement {row['relation']}: {by_event[row['event_id']]['summary']}"})
    return found


def annotation(row: dict, source: dict) -> dict:
    """The Web Annotation of one evidence row (see the module docstring), without @context (its page gives it)."""
    text = source["text"]
    return {
        "id": f"urn:rucas:annotation:{row['table']}:{row['key']}",
        "type": "Annotation",
        "motivation": MOTIVATION,
        "body": [
            {"id": row_iri(row["table"], row["key"]), "purpose": "identifying",
             "dcterms:isPartOf": {"id": f"urn:rucas:table:{row['table']}"}, "dcterms:identifier": row["key"]},
            {"type": "TextualBody", "purpose": "describing", "value": row["summary"], "format": "text/plain",
             "language": "en"},
        ],
        "target": {
            "type": "SpecificResource",
            "source": {"id": source_iri(source["source_id"], source["url"]), "type": "Text",
                       "language": source["language"], "schema:sha256": source["text_sha256"]},
            "selector": [quote_selector(text, row["start"], row["end"]), position_selector(row["start"], row["end"])],
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


def annotations_by_source(tables: dict[str, pa.Table]) -> Iterator[tuple[str, list[dict]]]:
    """Every article's annotations, one article at a time (in source_id order; a row's order as in
    evidence_rows), so that no more than one article's annotations are held at once."""
    sources = {row["source_id"]: row for row in _rows(tables["sources"], "source_id", "url", "language", "text",
                                                          "text_sha256")}
    rows_by_source: dict[str, list[dict]] = {source_id: [] for source_id in sorted(sources)}
    for row in evidence_rows(tables):
        rows_by_source[row["source_id"]].append(row)
    for source_id, rows in rows_by_source.items():
        yield source_id, [annotation(row, sources[source_id]) for row in rows]


def indented_json(value: object, level: int = 0) -> str:
    """`json.dumps(value, indent=1, ensure_ascii=False)` as it reads nested `level` deep (its first line not
    indented), for the values an annotation holds. The standard library encodes an indented document in pure
    Python (about 0.5 ms per annotation); this writes the same text about ten times faster."""
    if value.__class__ is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + " " * (level + 1)
        return ("{" + inner + ("," + inner).join(f"{_encode_string(key)}: {indented_json(item, level + 1)}"
                                                  for key, item in value.items()) + "\n" + " " * level + "}")
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = "\n" + " " * (level + 1)
        return "[" + inner + ("," + inner).join(indented_json(item, level + 1) for item in value) + "\n" + " " * level + "]"
    return json.dumps(value)  # numbers (and str subclasses): as the standard encoder writes them


_ITEMS = "\0items\0"
"""Stands for the annotations while a collection's text is laid out around them."""


def _collection_text(collection_id: str, label: str, total: int) -> tuple[str, str]:
    """The text of a collection of `total` annotations before and after them (joined by ",\n", each written as
    ITEM_INDENT + indented_json(annotation, 3)); one whole text and "" when it holds none."""
    if not total:
        return indented_json(collection(collection_id, label, [])) + "\n", ""
    document = collection(collection_id, label, [_ITEMS])
    document["total"] = total
    head, tail = indented_json(document).split(ITEM_INDENT + _encode_string(_ITEMS))
    return head, tail + "\n"


ITEM_INDENT = "   "
"""An annotation's indent inside its collection (collection > first > items)."""


def _article_collection(source_id: str, total: int) -> tuple[str, str]:
    return _collection_text(f"urn:rucas:annotations:{source_id}", f"Evidence of the rows coded from {source_id}", total)


def _all_collection(total: int) -> tuple[str, str]:
    return _collection_text("urn:rucas:annotations", "Evidence of every coded row of RUCAS", total)


def write_web_annotations(tables: dict[str, pa.Table], directory: Path, *, previous: Path | None = None,
                          changed: set[str] | None = None) -> None:
    """Write directory/articles/<source_id>.jsonld for every article and directory/all.jsonld for the corpus,
    one article at a time (each file as `json.dumps(collection, indent=1, ensure_ascii=False)` writes it).

    With `previous` (the annotations folder of the build this one is patched from) and `changed` (the source ids
    whose rows may differ), an unchanged article's file is a link to its previous one and its annotations' text
    in all.jsonld is copied from the previous all.jsonld; only changed articles are encoded again."""
    articles = directory / ARTICLES_FOLDER
    articles.mkdir(parents=True, exist_ok=True)
    counts = _annotation_counts(tables)
    if previous is not None and changed is not None:
        changed = changed | _claiming_articles(tables, changed)
    reuse = _PreviousAnnotations(previous, changed, counts) if previous is not None and changed is not None else None
    if reuse is None:
        encoded: Iterator[tuple[str, list[dict]]] = annotations_by_source(tables)
    else:  # only the articles whose annotations cannot be reused are encoded
        encoded = annotations_by_source(_tables_of(tables, {s for s in counts if not reuse.unchanged(s, counts[s])}))
    head, tail = _all_collection(sum(counts.values()))
    first = True
    with open(directory / ALL_FILE, "w", encoding="utf-8", newline="") as whole:
        whole.write(head)
        for source_id in sorted(counts):
            name = f"{source_id}.jsonld"
            if reuse is not None and reuse.unchanged(source_id, counts[source_id]):
                os.link(previous / ARTICLES_FOLDER / name, articles / name)
                if counts[source_id]:
                    whole.write("" if first else ",\n")
                    reuse.copy_items(source_id, whole)
                    first = False
                continue
            encoded_id, annotations = next(encoded)
            assert encoded_id == source_id, (encoded_id, source_id)
            items = ",\n".join(ITEM_INDENT + indented_json(item, 3) for item in annotations)
            article_head, article_tail = _article_collection(source_id, len(annotations))
            (articles / name).write_text(article_head + items + article_tail, encoding="utf-8", newline="")
            if annotations:
                whole.write(("" if first else ",\n") + items)
                first = False
        whole.write(tail)


def _annotation_counts(tables: dict[str, pa.Table]) -> dict[str, int]:
    """How many annotations each article has (every article, none or more)."""
    counts = dict.fromkeys(tables["sources"].column("source_id").to_pylist(), 0)
    for row in evidence_rows(tables):
        counts[row["source_id"]] += 1
    return counts


def _claiming_articles(tables: dict[str, pa.Table], source_ids: set[str]) -> set[str]:
    """The articles whose claims are about events of `source_ids`: a claim's summary quotes its event's."""
    import pyarrow.compute as pc

    events = tables["events"].filter(pc.is_in(tables["events"].column("source_id"),
                                              value_set=pa.array(sorted(source_ids), pa.string())))
    claims = tables["claims"].filter(pc.is_in(tables["claims"].column("event_id"),
                                              value_set=pa.array(events.column("event_id").to_pylist(), pa.string())))
    statements = tables["statements"].filter(pc.is_in(tables["statements"].column("statement_id"),
                                                      value_set=pa.array(claims.column("statement_id").to_pylist(),
                                                                         pa.string())))
    return set(statements.column("source_id").to_pylist())


def _tables_of(tables: dict[str, pa.Table], source_ids: set[str]) -> dict[str, pa.Table]:
    """The rows evidence_rows reads for some articles: their sources, statements, events, conditions and claims."""
    import pyarrow.compute as pc

    def where(table: pa.Table, column: str, values) -> pa.Table:
        return table.filter(pc.is_in(table.column(column), value_set=pa.array(values, table.schema.field(column).type)))

    statements = where(tables["statements"], "source_id", sorted(source_ids))
    events = where(tables["events"], "source_id", sorted(source_ids))
    return {"actors": tables["actors"], "sources": where(tables["sources"], "source_id", sorted(source_ids)),
            "statements": statements, "events": events,
            "event_conditions": where(tables["event_conditions"], "event_id", events.column("event_id").to_pylist()),
            "claims": where(tables["claims"], "statement_id", statements.column("statement_id").to_pylist())}


class _PreviousAnnotations:
    """The previous build's annotation files: where each article's annotations are in its all.jsonld."""

    def __init__(self, previous: Path, changed: set[str], counts: dict[str, int]):
        self.previous, self.changed = previous, changed
        self.offsets: dict[str, tuple[int, int]] = {}
        self.source = open(previous / ALL_FILE, "rb")
        head = self.source.read(4096)
        marker = b'\n  "items": [\n'
        position = head.index(marker) + len(marker) if marker in head else 0
        self.present: set[str] = set()
        for entry in sorted(os.scandir(previous / ARTICLES_FOLDER), key=lambda entry: entry.name):
            if not entry.name.endswith(".jsonld"):
                continue
            source_id = entry.name[:-len(".jsonld")]
            self.present.add(source_id)
            total = counts[source_id] if source_id in counts and source_id not in changed else self._total(entry.path)
            if total:
                article_head, article_tail = _article_collection(source_id, total)
                length = entry.stat().st_size - len(article_head.encode("utf-8")) - len(article_tail.encode("utf-8"))
                self.offsets[source_id] = (position, length)
                position += length + len(",\n")

    @staticmethod
    def _total(path: str) -> int:
        """How many annotations the previous file at `path` holds (read for a changed or removed article)."""
        with open(path, encoding="utf-8") as file:
            start = file.read(4096)
        return int(start.split('"total": ', 1)[1].split(",", 1)[0].split("\n", 1)[0])

    def unchanged(self, source_id: str, count: int) -> bool:
        """Whether the article's previous file and text can be reused: unchanged, with the same annotation count."""
        if source_id in self.changed or source_id not in self.present:
            return False
        return (source_id in self.offsets) == (count > 0)

    def copy_items(self, source_id: str, whole) -> None:
        """Append the article's annotations, as the previous all.jsonld has them, to `whole`."""
        offset, length = self.offsets[source_id]
        self.source.seek(offset)
        chunk = self.source.read(length)
        if not (chunk.startswith(ITEM_INDENT.encode() + b"{") and chunk.endswith(b"}")):
            raise ValueError(f"{self.previous / ALL_FILE}: the annotations of {source_id} are not where its file says")
        whole.write(chunk.decode("utf-8"))
