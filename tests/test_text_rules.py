"""Every text column of every table meets the text rules of its form, declared once in rucas.schema.

A text column has one form (id, code, language, url, text, article), derived from its declaration
in schema/tables.py; the rules of each form (length bound, trimmed, no YAML 1.1 words, ASCII ids and
codes with look-alike letters named, http(s) URLs, ISO 639-1 languages) live in
rucas.build.validate.rows.coerce_value. These tests prove no column escapes them.
"""

from __future__ import annotations

import pytest
from conftest import MINIMAL_CORPUS
from rucas.build.validate import checks, rows
from rucas.build.validate.corpus import validate_corpus
from rucas.schema import table_specs
from rucas.schema.tables import MAX_LENGTH

TEXT_COLUMNS = [(spec.name, column) for spec in table_specs() for column in spec.columns if column.kind == "text"]

FILLED_BY_THE_BUILD = {
    ("sources", "source_id"): "the article's file name, checked as an id when the corpus is listed",
    ("sources", "text"): "the article file itself, bounded by the file-size limit",
    ("sources", "text_sha256"): "computed",
    ("statements", "source_id"): "the annotation's own id",
    ("events", "source_id"): "the annotation's own id",
    ("event_conditions", "event_id"): "the event the condition is written under",
    ("statement_actors", "statement_id"): "the statement the list is written under",
    ("event_actors", "event_id"): "the event the list is written under",
    ("actor_aliases", "actor_id"): "the actor the aliases are written under",
    ("codebook", "codebook"): "the codebook.yaml section, checked against the known sections",
}
"""Text columns whose values no curator writes, and where each comes from."""

NOT_READ_FROM_CURATED_FILES = {"coding_agreement", "adjudications"}
"""Tables computed by `rucas agreement` or read from adjudication logs by rucas.build.review, not by
rucas.build.validate.checks."""


@pytest.mark.parametrize("table, column", TEXT_COLUMNS, ids=[f"{t}.{c.name}" for t, c in TEXT_COLUMNS])
def test_every_text_column_has_a_form_and_a_length_bound(table, column):
    assert column.form in MAX_LENGTH and column.max_length == MAX_LENGTH[column.form]


@pytest.mark.parametrize("table, column", TEXT_COLUMNS, ids=[f"{t}.{c.name}" for t, c in TEXT_COLUMNS])
def test_every_text_column_refuses_padding_yaml_words_and_values_over_its_bound(table, column):
    for value in (" padded", "padded ", "no", "Yes", "~", "x" * (column.max_length + 1)):
        assert rows.coerce_value(column, value)[1], f"{table}.{column.name} accepted {value[:20]!r}"


@pytest.mark.parametrize("table, column", [(t, c) for t, c in TEXT_COLUMNS if c.form in ("id", "code")],
                         ids=[f"{t}.{c.name}" for t, c in TEXT_COLUMNS if c.form in ("id", "code")])
def test_every_id_and_code_column_names_a_look_alike_letter(table, column):
    _, problem, fix = rows.coerce_value(column, "REJ\u0415CT")
    assert "U+0415 (CYRILLIC CAPITAL LETTER IE)" in problem and "Latin letter E" in fix


def test_every_text_column_a_curator_writes_is_read_by_the_rules_of_its_form(monkeypatch, tmp_path):
    """Validating the minimal corpus, with one id rename entry, passes every such column (written or not)
    through coerce_value."""
    import shutil

    corpus = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, corpus)
    (corpus / "reference" / "id_renames.yaml").write_text(
        "- table_name: events\n  old_id: an-old-event-id\n  new_id: a-new-event-id\n  release: 0.1.0\n"
        "  reason: the date in the id was wrong\n", encoding="utf-8")
    seen: set[int] = set()
    original = rows.coerce_value

    def watched(column, value):
        seen.add(id(column))
        return original(column, value)

    monkeypatch.setattr(rows, "coerce_value", watched)
    monkeypatch.setattr(checks, "coerce_value", watched)
    validate_corpus(corpus, tables=False)
    skipped = [f"{table}.{column.name}" for table, column in TEXT_COLUMNS
               if id(column) not in seen and (table, column.name) not in FILLED_BY_THE_BUILD
               and table not in NOT_READ_FROM_CURATED_FILES]
    assert skipped == []


def test_the_url_rule_takes_real_addresses_and_refuses_broken_ones():
    url = next(column for table, column in TEXT_COLUMNS if column.form == "url")
    assert rows.coerce_value(url, "https://eurasianet.org/russia-turns-down-kyrgyzstans-plea-for-military-support")[1] is None
    assert rows.coerce_value(url, "http://www.kremlin.ru/events/president/news/7983")[1] is None
    for broken in ("www.eurasianet.org", "https://eurasianet.org/a b", 'https://x.org/"onclick', "https://", "ftp://x.org/a",
                   "javascript:alert(1)", "https://[::1"):
        assert rows.coerce_value(url, broken)[1], broken


def test_the_curation_guide_states_the_bounds_the_schema_declares():
    from conftest import TESTS_DIR
    from rucas.schema.tables import DATE_RANGE

    guide = (TESTS_DIR.parent / "dataset" / "curated" / "README.md").read_text(encoding="utf-8")
    assert f"between\n{DATE_RANGE[0]} and {DATE_RANGE[1]}" in guide
    for form in ("id", "code", "text"):
        assert f"at most {MAX_LENGTH[form]:,}" in guide or f"at most {MAX_LENGTH[form]} " in guide, form


def test_every_code_of_the_schema_and_the_curated_codebook_has_the_code_form():
    import re

    import yaml
    from conftest import TESTS_DIR
    from rucas.schema.derive import codebook_rows
    from rucas.schema.tables import CODE_PATTERN

    curated = yaml.safe_load((TESTS_DIR.parent / "dataset" / "curated" / "reference" / "codebook.yaml").read_text())
    codes = [row["code"] for row in codebook_rows()] + [str(entry["code"]) for entries in curated.values() for entry in entries]
    assert [code for code in codes if not re.fullmatch(CODE_PATTERN, code)] == []
