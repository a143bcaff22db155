"""Whatever a curated file holds, validation answers with curation errors (or rows), never a traceback.

Hypothesis feeds arbitrary YAML documents, random edits of the valid minimal annotation and
reference files, and random bytes to the validator in place of one curated file.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rucas.build.read.corpus import CuratedFile, read_corpus
from rucas.build.validate.corpus import save_cache, validate_corpus
from rucas.build.read.errors import CurationError, ValidationFailed
from rucas.build.validate.evidence import EvidenceNotFound, find_evidence_span

from conftest import MINIMAL_CORPUS

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CORPUS = read_corpus(MINIMAL_CORPUS)
SOURCE_ID = next(iter(CORPUS.annotations))
ANNOTATION = CORPUS.annotations[SOURCE_ID]
VALID_ANNOTATION = yaml.safe_load(ANNOTATION.data)
VALID_REFERENCE = {name: yaml.safe_load(file.data) for name, file in CORPUS.reference.items()}

KEYS = st.sampled_from(["source", "statements", "events", "claims", "date", "evidence", "event_id", "actors",
                        "earliest", "latest", "precision", "basis", "note", "location", "latitude", "occurrence",
                        "body", "starts_with", "ends_with", "conditions", "fatalities", "actor_id", "x"])
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30)
           | st.dates(min_value=datetime.date(1, 1, 1)) | st.sampled_from(["REQUEST", "russia", "day", "stated"]))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                         | st.dictionaries(KEYS | st.text(max_size=8), inner, max_size=6), max_leaves=40)


def _with_file(name: str, data: bytes) -> Any:
    """The minimal corpus with one curated file ('annotation' or a reference name) replaced by `data`."""
    corpus = dataclasses.replace(CORPUS, reference=dict(CORPUS.reference), errors=list(CORPUS.errors))
    if name == "annotation":
        corpus.annotations = CORPUS.annotations.replaced(SOURCE_ID, dataclasses.replace(ANNOTATION, _data=data,
                                                                                         _sha256=None))
    else:
        corpus.reference[name] = dataclasses.replace(CORPUS.reference[name], _data=data, _sha256=None)
    return corpus


def validates_or_explains(name: str, data: bytes) -> list[CurationError]:
    """Validate the corpus with one file replaced; return its errors (none when valid). Anything else fails."""
    try:
        validate_corpus(_with_file(name, data))
    except ValidationFailed as failure:
        assert failure.errors and all(isinstance(e, CurationError) for e in failure.errors)
        for error in failure.errors:
            assert isinstance(error.line, int) and error.line >= 1 and error.message and error.fix, error
            assert len(str(error)) < 2000, "an error message stays short"
        return failure.errors
    return []


def _dump(document: Any) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def _containers(node: Any) -> list[Any]:
    """Every mapping and list in a document, outermost first."""
    if not isinstance(node, dict | list):
        return []
    children = node.values() if isinstance(node, dict) else node
    return [node] + [inner for child in children for inner in _containers(child)]


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """A copy of `document` with a few values replaced, keys removed or added, items duplicated."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        containers = _containers(document)
        if not containers:
            return draw(DOCUMENTS)
        node = draw(st.sampled_from(containers))
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if action == "add" or not keys:
            if isinstance(node, dict):
                node[draw(KEYS)] = draw(DOCUMENTS)
            else:
                node.append(draw(DOCUMENTS))
            continue
        key = draw(st.sampled_from(keys))
        if action == "replace":
            node[key] = draw(DOCUMENTS)
        elif action == "delete":
            del node[key]
        elif isinstance(node, list):
            node.append(copy.deepcopy(node[key]))
    return document


def test_the_unmutated_minimal_corpus_is_valid():
    assert validates_or_explains("annotation", ANNOTATION.data) == []


@SETTINGS
@given(DOCUMENTS)
def test_any_yaml_document_as_an_annotation_gives_only_curation_errors(document):
    validates_or_explains("annotation", _dump(document))


@SETTINGS
@given(mutated(VALID_ANNOTATION))
def test_any_edit_of_a_valid_annotation_gives_only_curation_errors(document):
    validates_or_explains("annotation", _dump(document))


@SETTINGS
@given(st.sampled_from(sorted(VALID_REFERENCE)).flatmap(lambda name: st.tuples(st.just(name),
                                                                               mutated(VALID_REFERENCE[name]))))
def test_any_edit_of_a_reference_file_gives_only_curation_errors(name_and_document):
    name, document = name_and_document
    validates_or_explains(name, _dump(document))


@SETTINGS
@given(st.data())
def test_any_edit_of_the_annotation_text_gives_only_curation_errors(data):
    text = ANNOTATION.data.decode("utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    inserted = data.draw(st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`, \n\tQ0123456789abc\\")
                                                          + ["\u200b", "\u202e", "\x85", "\x00", "\ufeff", "\x1b", "~"]),
                                 max_size=12))
    validates_or_explains("annotation", (text[:start] + inserted + text[end:]).encode("utf-8"))


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_an_annotation_give_only_curation_errors(data):
    assert validates_or_explains("annotation", data)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_a_reference_file_give_only_curation_errors(data):
    assert validates_or_explains("actors", data)


@SETTINGS
@given(st.text(max_size=60), st.text(max_size=6), st.none() | st.integers(-3, 5))
def test_evidence_is_found_exactly_or_explained(text, words, occurrence):
    try:
        span = find_evidence_span(text, words, occurrence)
    except EvidenceNotFound as problem:
        assert str(problem) and problem.fix
    else:
        assert text[span.start:span.end] == words


def test_the_article_can_be_any_bytes_without_a_traceback():
    for data in (b"", b"\xff\xfe", b"\x00", "ab\u2028c".encode(), b"\xef\xbb\xbfRussia"):
        article = CORPUS.articles[SOURCE_ID]
        corpus = dataclasses.replace(CORPUS, articles=CORPUS.articles.replaced(
            SOURCE_ID, dataclasses.replace(article, _data=data, _sha256=None)))
        try:
            validate_corpus(corpus)
        except ValidationFailed as failure:
            assert failure.errors


def _outcome(validate) -> list[str] | None:
    """The sorted error texts of a validation, or None when it succeeds."""
    try:
        validate()
    except ValidationFailed as failure:
        return [str(error) for error in failure.errors]
    return None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(VALID_ANNOTATION))
def test_a_cached_validation_gives_the_same_tables_and_errors_as_an_uncached_one(document):
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(shutil.copytree(MINIMAL_CORPUS, Path(scratch) / "curated"))
        cache_dir = Path(scratch) / "cache"
        save_cache(cache_dir, validate_corpus(corpus))  # a cache holding the valid original
        (corpus / "annotations" / f"{SOURCE_ID}.yaml").write_bytes(_dump(document))
        uncached = _outcome(lambda: validate_corpus(corpus))
        cached = _outcome(lambda: validate_corpus(corpus, cache_dir, workers=1))
        assert cached == uncached
        if uncached is None:
            assert _tables(corpus, cache_dir) == _tables(corpus, None)


def _tables(corpus: Path, cache_dir: Path | None) -> dict[str, Any]:
    return {name: table.to_pylist() for name, table in validate_corpus(corpus, cache_dir, workers=1).tables.items()}
