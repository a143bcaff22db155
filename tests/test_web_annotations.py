"""Every coded row's evidence is published as a W3C Web Annotation that finds its words again, or says it cannot.

The structure is checked against a JSON Schema written here from the requirements of the Web Annotation
Data Model (W3C Recommendation, 23 February 2017, https://www.w3.org/TR/annotation-model/): the MUSTs of
§3.1 (Annotation), §3.2.5 (TextualBody), §4 (SpecificResource), §4.2.4 (TextQuoteSelector), §4.2.5
(TextPositionSelector) and §5 (AnnotationCollection, AnnotationPage), and the SHOULDs this project keeps.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rucas.build.pipeline import build
from rucas.build.release.release import make_release
from rucas.build.write.text_selectors import CONTEXT_CHARS, quote_context, quote_selector, reanchor
from rucas.build.write.web_annotations import (ANNOTATED_TABLES, annotation, article_resource, collection,
                                               write_all_annotations, write_web_annotations)

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

MOTIVATIONS = ["assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
               "identifying", "linking", "moderating", "questioning", "replying", "tagging"]
"""The model's motivations (§3.3.5), also the values of a body's purpose."""

IRI = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$"}
NON_NEGATIVE = {"type": "integer", "minimum": 0}


def _one_or_more(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "array", "minItems": 1, "items": schema}]}


def _has_type(name: str) -> dict:
    return {"oneOf": [{"const": name}, {"type": "array", "contains": {"const": name}}]}


CONTEXT = {"oneOf": [{"const": ANNO_CONTEXT}, {"type": "array", "minItems": 2, "contains": {"const": ANNO_CONTEXT}}]}
"""§3.1: one or more @context values, the model's among them, and a single value given as a string."""

WEB_ANNOTATION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "textQuoteSelector": {  # §4.2.4: exact exactly once; prefix and suffix at most once
            "type": "object", "required": ["type", "exact"],
            "properties": {"type": {"const": "TextQuoteSelector"}, "exact": {"type": "string", "minLength": 1},
                           "prefix": {"type": "string"}, "suffix": {"type": "string"}},
        },
        "textPositionSelector": {  # §4.2.5: start and end exactly once, non-negative integers
            "type": "object", "required": ["type", "start", "end"],
            "properties": {"type": {"const": "TextPositionSelector"}, "start": NON_NEGATIVE, "end": NON_NEGATIVE},
        },
        "selector": {"oneOf": [{"$ref": "#/$defs/textQuoteSelector"}, {"$ref": "#/$defs/textPositionSelector"}]},
        "source": {"type": "object", "required": ["id"], "properties": {"id": IRI}},
        "specificResource": {  # §4: exactly one source; selectors describe the same segment
            "type": "object", "required": ["source"],
            "properties": {"type": {"const": "SpecificResource"}, "source": {"$ref": "#/$defs/source"},
                           "selector": _one_or_more({"$ref": "#/$defs/selector"}),
                           "purpose": {"enum": MOTIVATIONS}},
        },
        "textualBody": {  # §3.2.5: value exactly once
            "type": "object", "required": ["type", "value"],
            "properties": {"type": {"const": "TextualBody"}, "value": {"type": "string"},
                           "purpose": {"enum": MOTIVATIONS}, "format": {"type": "string"},
                           "language": {"type": "string"}},
        },
        "externalBody": {  # §3.2.1: a web resource, identified by its IRI
            "type": "object", "required": ["id"],
            "properties": {"id": IRI, "purpose": {"enum": MOTIVATIONS}},
            "not": {"required": ["value"]},
        },
        "body": {"oneOf": [IRI, {"$ref": "#/$defs/textualBody"}, {"$ref": "#/$defs/externalBody"}]},
        "annotation": {  # §3.1: @context (given by the page here), id, type Annotation, target; §3.3.5 motivation
            "type": "object", "required": ["id", "type", "target"],
            "properties": {"@context": CONTEXT, "id": IRI, "type": _has_type("Annotation"),
                           "motivation": _one_or_more({"enum": MOTIVATIONS}),
                           "body": _one_or_more({"$ref": "#/$defs/body"}),
                           "target": _one_or_more({"oneOf": [IRI, {"$ref": "#/$defs/specificResource"}]})},
        },
        "page": {  # §5.2: id, type AnnotationPage, items; partOf and startIndex kept
            "type": "object", "required": ["id", "type", "items", "partOf", "startIndex"],
            "properties": {"id": IRI, "type": _has_type("AnnotationPage"), "partOf": IRI, "startIndex": NON_NEGATIVE,
                           "items": {"type": "array", "items": {"$ref": "#/$defs/annotation"}}},
        },
    },
    # §5.1: @context, id, type AnnotationCollection; label and total kept; first and last when it has annotations
    "type": "object", "required": ["@context", "id", "type", "label", "total"],
    "properties": {"@context": CONTEXT, "id": IRI, "type": _has_type("AnnotationCollection"),
                   "label": {"type": "string"}, "total": NON_NEGATIVE, "first": {"$ref": "#/$defs/page"},
                   "last": IRI},
    "if": {"properties": {"total": {"minimum": 1}}}, "then": {"required": ["first", "last"]},
}


_WHOLE: dict[Path, dict] = {}
"""all.jsonld made (as a release makes it) from each build's article files, once per build."""


def _documents(output: Path) -> dict[str, dict]:
    """Every annotation file of the build in `output`, and the all.jsonld a release of it carries."""
    folder = output / "annotations"
    documents = {path.relative_to(folder).as_posix(): json.loads(path.read_text(encoding="utf-8"))
                 for path in sorted(folder.rglob("*.jsonld"))}
    assert "all.jsonld" not in documents, "a build leaves all.jsonld to releases"
    if output not in _WHOLE:
        import shutil
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            shutil.copytree(folder / "articles", Path(scratch) / "articles")
            write_all_annotations(Path(scratch))
            _WHOLE[output] = json.loads((Path(scratch) / "all.jsonld").read_text(encoding="utf-8"))
    return documents | {"all.jsonld": _WHOLE[output]}


def _items(document: dict) -> list[dict]:
    return document["first"]["items"] if "first" in document else []


def _texts(output: Path) -> dict[str, str]:
    sources = pq.read_table(output / "parquet" / "sources.parquet", columns=["source_id", "text"]).to_pylist()
    return {row["source_id"]: row["text"] for row in sources}


def _evidence(output: Path) -> dict[str, tuple[str, int, int]]:
    """Every annotated row's annotation id with the evidence its row holds (a claim: its statement's)."""
    read = {name: pq.read_table(output / "parquet" / f"{name}.parquet").to_pylist() for name in ANNOTATED_TABLES}
    statements = {row["statement_id"]: row for row in read["statements"]}
    spans = {f"urn:rucas:annotation:statements:{row['statement_id']}": row for row in read["statements"]}
    spans |= {f"urn:rucas:annotation:events:{row['event_id']}": row for row in read["events"]}
    spans |= {f"urn:rucas:annotation:event_conditions:{row['condition_id']}": row for row in read["event_conditions"]}
    spans |= {f"urn:rucas:annotation:claims:{row['statement_id']},{row['event_id']}": statements[row["statement_id"]]
              for row in read["claims"]}
    return {key: (row["evidence"], row["evidence_start"], row["evidence_end"]) for key, row in spans.items()}


def test_the_schema_is_a_valid_json_schema_and_refuses_what_the_model_forbids() -> None:
    jsonschema.Draft202012Validator.check_schema(WEB_ANNOTATION_SCHEMA)
    annotation_schema = {**WEB_ANNOTATION_SCHEMA, "$ref": "#/$defs/annotation"}
    good = {"id": "urn:x:1", "type": "Annotation", "target": {"source": {"id": "urn:x:text"}, "selector": [
        {"type": "TextQuoteSelector", "exact": "a"}, {"type": "TextPositionSelector", "start": 0, "end": 1}]}}
    for key in ("id", "type", "target"):
        assert not jsonschema.Draft202012Validator(annotation_schema).is_valid(
            {name: value for name, value in good.items() if name != key}), f"an annotation without {key}"
    broken_position = json.loads(json.dumps(good))
    del broken_position["target"]["selector"][1]["end"]
    assert not jsonschema.Draft202012Validator(annotation_schema).is_valid(broken_position)
    assert not jsonschema.Draft202012Validator(annotation_schema).is_valid({**good, "motivation": "proving"})


def test_every_annotation_file_follows_the_web_annotation_model(output_dir: Path) -> None:
    validator = jsonschema.Draft202012Validator(WEB_ANNOTATION_SCHEMA)
    documents = _documents(output_dir)
    assert "all.jsonld" in documents
    for name, document in documents.items():
        errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]
        assert not errors, f"annotations/{name}: {errors[:5]}"
        assert document["total"] == len(_items(document))
        for item in _items(document):
            assert item["motivation"] == "identifying"
            assert [selector["type"] for selector in item["target"]["selector"]] == ["TextQuoteSelector",
                                                                                      "TextPositionSelector"]


def test_every_statement_event_condition_and_claim_has_one_annotation_of_its_evidence(output_dir: Path) -> None:
    documents = _documents(output_dir)
    every = {item["id"]: item for item in _items(documents["all.jsonld"])}
    per_article = [item for name, document in documents.items() if name != "all.jsonld" for item in _items(document)]
    expected = _evidence(output_dir)
    assert len(every) == len(_items(documents["all.jsonld"])), "annotation ids are unique"
    assert set(every) == set(expected)
    assert sorted(per_article, key=lambda item: item["id"]) == sorted(every.values(), key=lambda item: item["id"])
    for annotation_id, (evidence, start, end) in expected.items():
        quote, position = every[annotation_id]["target"]["selector"]
        assert (quote["exact"], position["start"], position["end"]) == (evidence, start, end), annotation_id
        assert len(quote["prefix"]) <= CONTEXT_CHARS and len(quote["suffix"]) <= CONTEXT_CHARS


def test_every_annotation_names_its_article_the_hash_of_its_text_and_the_row_it_supports(output_dir: Path) -> None:
    sources = {row["source_id"]: row for row in pq.read_table(output_dir / "parquet" / "sources.parquet").to_pylist()}
    for name, document in _documents(output_dir).items():
        if name == "all.jsonld":
            continue
        source = sources[name.removeprefix("articles/").removesuffix(".jsonld")]
        for item in _items(document):
            target = item["target"]["source"]
            assert target["id"] == (source["url"] or f"urn:rucas:source:{source['source_id']}")
            assert target["schema:sha256"] == hashlib.sha256(source["text"].encode("utf-8")).hexdigest()
            row, summary = item["body"]
            table, key = row["id"].removeprefix("urn:rucas:row:").split(":", 1)
            assert table in ANNOTATED_TABLES and row["dcterms:identifier"] == key
            assert row["dcterms:isPartOf"] == {"id": f"urn:rucas:table:{table}"}
            assert summary["type"] == "TextualBody" and summary["value"]


def test_every_annotation_reanchors_to_exactly_its_evidence_in_the_stored_text(output_dir: Path) -> None:
    sources = pq.read_table(output_dir / "parquet" / "sources.parquet", columns=["source_id", "url", "text"])
    texts = {row["url"] or f"urn:rucas:source:{row['source_id']}": row["text"] for row in sources.to_pylist()}
    for name, document in _documents(output_dir).items():
        for item in _items(document):
            anchor = reanchor(item, texts[item["target"]["source"]["id"]])
            _, position = item["target"]["selector"]
            assert anchor.anchored and (anchor.start, anchor.end) == (position["start"], position["end"]), \
                f"{name} {item['id']}: {anchor.orphan}"


@pytest.fixture(scope="module")
def refusal(output_dir: Path) -> tuple[dict, str]:
    """The annotation of Russia's refusal of Kyrgyzstan's request (Eurasianet) and its article's text."""
    document = _documents(output_dir)["articles/eurasianet-russia-turns-down-kyrgyzstans-plea.jsonld"]
    item = next(item for item in _items(document) if item["id"].startswith("urn:rucas:annotation:events:")
                and "refus" in item["id"])
    return item, _texts(output_dir)["eurasianet-russia-turns-down-kyrgyzstans-plea"]


def test_an_annotation_whose_words_were_edited_is_an_orphan(refusal: tuple[dict, str]) -> None:
    item, text = refusal
    quote, position = item["target"]["selector"]
    middle = (position["start"] + position["end"]) // 2
    edited = text[:middle] + "[edited]" + text[middle:]
    anchor = reanchor(item, edited)
    assert not anchor.anchored and anchor.start is None and "no longer in the text" in anchor.orphan


def test_an_annotation_whose_words_moved_is_an_orphan_and_is_not_moved(refusal: tuple[dict, str]) -> None:
    item, text = refusal
    edited = "A correction was added at the top.\n\n" + text
    anchor = reanchor(item, edited)
    assert not anchor.anchored and anchor.start is None and "not moved" in anchor.orphan


def test_an_edit_elsewhere_in_the_article_leaves_an_annotation_anchored(refusal: tuple[dict, str]) -> None:
    item, text = refusal
    edited = text + "\n\nA note appended at the end."
    assert reanchor(item, edited).anchored


def test_a_quote_that_occurs_twice_takes_the_context_that_tells_its_occurrences_apart() -> None:
    repeated = "Russia declined to send troops."
    text = "y" * 100 + repeated + " " + "y" * 100 + repeated + " " + "y" * 100
    second = text.rindex(repeated)
    selector = quote_selector(text, second, second + len(repeated))
    assert len(selector["prefix"]) > CONTEXT_CHARS, "32 characters of y's precede both occurrences"
    annotation = {"target": {"selector": [selector, {"type": "TextPositionSelector", "start": second,
                                                     "end": second + len(repeated)}]}}
    assert reanchor(annotation, text).start == second
    short = {**selector, "prefix": selector["prefix"][-CONTEXT_CHARS:], "suffix": selector["suffix"][:CONTEXT_CHARS]}
    ambiguous = {"target": {"selector": [short, annotation["target"]["selector"][1]]}}
    assert "more than once" in reanchor(ambiguous, text).orphan


def test_a_release_carries_the_annotations_with_their_checksums(minimal_corpus: Path, tmp_path: Path) -> None:
    report = build(minimal_corpus, tmp_path / "output")
    release = make_release(report.output_dir, tmp_path / "releases", released=datetime.date(2026, 11, 1))
    folder = release.release.folder
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8")
    article = "annotations/articles/eurasianet-russia-turns-down-kyrgyzstans-plea.jsonld"
    manifest_paths = {entry["path"] for entry in json.loads((folder / "manifest.json").read_text())["outputs"]}
    assert f"  {article}\n" in sums and article in manifest_paths
    assert (folder / article).read_bytes() == (report.build_dir / article).read_bytes()
    assert "  annotations/all.jsonld\n" in sums and not (report.build_dir / "annotations" / "all.jsonld").exists()
    whole = json.loads((folder / "annotations" / "all.jsonld").read_text(encoding="utf-8"))
    assert _items(whole) == _items(json.loads((folder / article).read_text(encoding="utf-8")))


def test_every_annotation_file_is_the_json_the_standard_library_writes_of_it(output_dir: Path) -> None:
    for path in sorted((output_dir / "annotations").rglob("*.jsonld")):
        text = path.read_bytes().decode("utf-8")
        assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n", path


HOSTILE_TEXT = ('He said: "Stop\\now" \u2028 at 100% \u2014 \u00abok\u00bb\x07 \ue000slot\ue000 {done}. '
                'Then: "Stop\\now" again, %s and %(x)s.\n\tEnd.')
"""An article text with what JSON escapes (quotes, backslash, control characters), what it does not (U+2028,
non-ASCII, a private-use character) and what a format string would read (%, braces)."""


def _hostile_tables() -> dict[str, pa.Table]:
    """Three articles: a (no URL) and b (a URL with % and quotes) share HOSTILE_TEXT, c has no coded rows; a's
    statement claims b's event, and one speaker is not among the actors. Rows are not in article order."""
    sha = hashlib.sha256(HOSTILE_TEXT.encode("utf-8")).hexdigest()
    first, second = HOSTILE_TEXT.index('"Stop'), HOSTILE_TEXT.rindex('"Stop')
    return {
        "actors": pa.table({"actor_id": ["x"], "name": ['Ann "A" \\ Actor\u2028']}),
        "sources": pa.table({"source_id": ["c", "b", "a"], "url": [None, 'https://example.org/b?q=100%25&x="y"', None],
                             "language": ["en", "ru", "en"], "text": [HOSTILE_TEXT] * 3, "text_sha256": [sha] * 3}),
        "statements": pa.table({"statement_id": ["s2", "s1"], "source_id": ["b", "a"], "speaker_id": ["nobody", "x"],
                                "quote_kind": pa.array(["reported", "direct"]).dictionary_encode(),
                                "evidence_start": [second, first], "evidence_end": [second + 11, first + 11]}),
        "events": pa.table({"event_id": ["e2", "e1"], "source_id": ["b", "a"],
                            "summary": ['Talks\tended "badly" at 100%s', "Stop {now}"],
                            "evidence_start": [0, 3], "evidence_end": [7, len(HOSTILE_TEXT)]}),
        "event_conditions": pa.table({"condition_id": ["c1"], "event_id": ["e2"], "condition_type": ["request_\\x"],
                                      "evidence_start": [9], "evidence_end": [20]}),
        "claims": pa.table({"statement_id": ["s1"], "event_id": ["e2"],
                            "relation": pa.array(["asserts"]).dictionary_encode()}),
    }


def _expected(table: str, key: str, summary: str, source: str, language: str, start: int, end: int) -> dict:
    prefix, suffix = quote_context(HOSTILE_TEXT, start, end)
    return annotation(table=table, key=key, summary=summary,
                      article=article_resource(source, language, hashlib.sha256(HOSTILE_TEXT.encode()).hexdigest()),
                      exact=HOSTILE_TEXT[start:end], prefix=prefix, suffix=suffix, start=start, end=end)


def test_annotations_of_hostile_text_are_written_as_json_dumps_writes_their_documents(tmp_path: Path) -> None:
    first, second = HOSTILE_TEXT.index('"Stop'), HOSTILE_TEXT.rindex('"Stop')
    url = 'https://example.org/b?q=100%25&x="y"'
    articles = {
        "a": [_expected("statements", "s1", 'Statement by Ann "A" \\ Actor\u2028 (direct)', "urn:rucas:source:a", "en",
                        first, first + 11),
              _expected("events", "e1", "Stop {now}", "urn:rucas:source:a", "en", 3, len(HOSTILE_TEXT)),
              _expected("claims", "s1,e2", 'The statement asserts: Talks\tended "badly" at 100%s', "urn:rucas:source:a",
                        "en", first, first + 11)],
        "b": [_expected("statements", "s2", "Statement by nobody (reported)", url, "ru", second, second + 11),
              _expected("events", "e2", 'Talks\tended "badly" at 100%s', url, "ru", 0, 7),
              _expected("event_conditions", "c1", 'Condition request_\\x of: Talks\tended "badly" at 100%s', url, "ru",
                        9, 20)],
        "c": [],
    }
    written = write_web_annotations(_hostile_tables(), tmp_path)
    for source_id, items in articles.items():
        expected = collection(f"urn:rucas:annotations:{source_id}", f"Evidence of the rows coded from {source_id}",
                              items)
        assert (tmp_path / "articles" / f"{source_id}.jsonld").read_bytes() == \
            (json.dumps(expected, indent=1, ensure_ascii=False) + "\n").encode("utf-8"), source_id
    assert sorted(written) == ["articles/a.jsonld", "articles/b.jsonld", "articles/c.jsonld"]
    assert not (tmp_path / "all.jsonld").exists()
    whole = write_all_annotations(tmp_path)  # as a release makes it, from the article files
    every = collection("urn:rucas:annotations", "Evidence of every coded row of RUCAS",
                       [item for items in articles.values() for item in items])
    assert (tmp_path / "all.jsonld").read_bytes() == (json.dumps(every, indent=1, ensure_ascii=False) + "\n").encode()
    for name, file in written.items() | {"all.jsonld": whole}.items():
        content = (tmp_path / name).read_bytes()
        assert (file.bytes, file.sha256) == (len(content), hashlib.sha256(content).hexdigest()), name


def test_all_jsonld_refuses_an_article_file_that_is_not_as_the_build_writes_it(tmp_path: Path) -> None:
    write_web_annotations(_hostile_tables(), tmp_path)
    path = tmp_path / "articles" / "b.jsonld"
    path.write_text(path.read_text(encoding="utf-8").replace('"type": "AnnotationCollection"', '"type": "X"'),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="b.jsonld: not the annotation collection of b"):
        write_all_annotations(tmp_path)


def test_a_condition_of_an_event_no_article_has_is_refused_with_its_row(tmp_path: Path) -> None:
    tables = _hostile_tables()
    tables["event_conditions"] = pa.table({"condition_id": ["c9"], "event_id": ["e9"], "condition_type": ["x"],
                                           "evidence_start": [0], "evidence_end": [1]})
    with pytest.raises(ValueError, match="c9.*'e9'"):
        write_web_annotations(tables, tmp_path)


@given(text=st.text("ab", max_size=24), exact=st.text("ab", min_size=1, max_size=3),
       prefix=st.text("ab", max_size=3), suffix=st.text("ab", max_size=3))
def test_a_quote_anchors_only_where_its_words_alone_stand_between_its_prefix_and_suffix(
        text: str, exact: str, prefix: str, suffix: str) -> None:
    where = [start for start in range(len(prefix), len(text) - len(exact) + 1)
             if text[start - len(prefix):start] == prefix and text[start:start + len(exact)] == exact
             and text[start + len(exact):start + len(exact) + len(suffix)] == suffix]
    start = where[0] if where else 0
    item = {"target": {"selector": [
        {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
        {"type": "TextPositionSelector", "start": start, "end": start + len(exact)}]}}
    anchor = reanchor(item, text)
    assert anchor.anchored == (len(where) == 1)
    assert anchor.orphan is None or ("more than once" in anchor.orphan) == (len(where) > 1)
