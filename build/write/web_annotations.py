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


def web_annotations(tables: dict[str, pa.Table]) -> dict[str, list[dict]]:
    """Every evidence row's annotation, by source_id (every article, in source_id order; a row's order as in
    evidence_rows)."""
    sources = {row["source_id"]: row for row in _rows(tables["sources"], "source_id", "url", "language", "text",
                                                          "text_sha256")}
    by_source: dict[str, list[dict]] = {source_id: [] for source_id in sorted(sources)}
    for row in evidence_rows(tables):
        by_source[row["source_id"]].append(annotation(row, sources[row["source_id"]]))
    return by_source


def _write(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_web_annotations(tables: dict[str, pa.Table], directory: Path) -> None:
    """Write directory/articles/<source_id>.jsonld for every article and directory/all.jsonld for the corpus."""
    (directory / ARTICLES_FOLDER).mkdir(parents=True, exist_ok=True)
    by_source = web_annotations(tables)
    for source_id, annotations in by_source.items():
        _write(directory / ARTICLES_FOLDER / f"{source_id}.jsonld",
               collection(f"urn:rucas:annotations:{source_id}", f"Evidence of the rows coded from {source_id}",
                          annotations))
    _write(directory / ALL_FILE, collection("urn:rucas:annotations", "Evidence of every coded row of RUCAS",
                                            [item for annotations in by_source.values() for item in annotations]))
