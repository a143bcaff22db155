"""Each class of curation error is reported with its file, its line and a fix; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from rucas.build.read.errors import ValidationFailed
from rucas.build.pipeline import validate

ANNOTATION = "annotations/eurasianet-russia-turns-down-kyrgyzstans-plea.yaml"


def _edit(corpus: Path, relative: str, old: str, new: str) -> int:
    """Replace the first `old` in a curated file by `new`; return the 1-based line of the change."""
    path = corpus / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def _errors(corpus: Path) -> list:
    with pytest.raises(ValidationFailed) as failure:
        validate(corpus)
    return failure.value.errors


CASES = [
    # (what, file, old, new, words expected in the message)
    ("wrong type", ANNOTATION, "fatalities: null", "fatalities: seventy-five", "must be a whole number"),
    ("unknown enum value", ANNOTATION, "quote_kind: direct", "quote_kind: verbatim", "is not one of direct, reported"),
    ("unknown actor reference", ANNOTATION, "target: [russia]", "target: [rusia]", "'rusia' is not a known actors id"),
    ("unknown codebook code", ANNOTATION, "event_type: REQUEST", "event_type: PLEAD", "'PLEAD' is not in the codebook"),
    ("evidence not found", ANNOTATION, "made an appeal to Russia", "made a plea to Russia", "was not found"),
    ("evidence found twice", ANNOTATION, 'evidence: "Russia is not prepared to offer immediate military assistance"',
     'evidence: "Kyrgyz"', "occurs"),
    ("evidence outside the body", ANNOTATION, 'evidence: "in accordance with the UN Charter"',
     'evidence: "Help keep our journalism open to all"', "outside the article body"),
    ("earliest after latest", ANNOTATION,
     "date: {earliest: 2010-06-12, latest: 2010-06-12, precision: day, basis: stated, note: \"On June 12\"}",
     "date: {earliest: 2010-06-13, latest: 2010-06-12, precision: range, basis: stated, note: \"On June 12\"}",
     "is after latest"),
    ("ill-formed month interval", ANNOTATION,
     "date: {earliest: 2010-06-12, latest: 2010-06-12, precision: day, basis: stated, note: \"On June 12\"}",
     "date: {earliest: 2010-06-12, latest: 2010-06-30, precision: month, basis: stated, note: \"On June 12\"}",
     "precision month"),
    ("unknown key", ANNOTATION, "summary: Russia declines", "sumary: Russia declines", "unknown key 'sumary'"),
    ("invalid YAML", ANNOTATION, "modality: occurred", "modality: occurred: twice", "not valid YAML"),
    ("malformed QID", "reference/actors.yaml", "wikidata_qid: Q159", "wikidata_qid: 159", "must be text"),
    ("malformed ISO code", "reference/actors.yaml", "country_iso3: KGZ", "country_iso3: Kg", "required form"),
]


@pytest.mark.parametrize("what, relative, old, new, expected", CASES, ids=[c[0] for c in CASES])
def test_error_names_file_line_and_fix(minimal_corpus: Path, what, relative, old, new, expected):
    line = _edit(minimal_corpus, relative, old, new)
    errors = _errors(minimal_corpus)
    matching = [e for e in errors if expected in e.message]
    assert matching, f"{what}: no error mentions {expected!r}: {[str(e) for e in errors]}"
    error = matching[0]
    assert error.path.endswith(Path(relative).name)
    assert error.fix, "every error says how to fix it"
    if what not in ("evidence found twice",):
        assert abs(error.line - line) <= 1, f"{what}: reported line {error.line}, change at line {line}"


def test_duplicate_ids_name_both_places(minimal_corpus: Path):
    path = minimal_corpus / ANNOTATION
    text = path.read_text()
    path.write_text(text.replace("event_id: russia-refuses-kyrgyz-request-2010-06-12",
                                 "event_id: kyrgyzstan-asks-russia-for-troops-2010-06-12", 1))
    errors = _errors(minimal_corpus)
    duplicate = [e for e in errors if "duplicate events key" in e.message]
    assert duplicate and "first defined at" in duplicate[0].message


def test_membership_that_ends_before_it_starts(minimal_corpus: Path):
    line = _edit(minimal_corpus, "reference/memberships.yaml", "  joined_date: 2002-10-07\n  status: member\n  basis: reference\n  note: Fixture row.\n- alliance_id: csto\n  actor_id: kyrgyzstan",
                 "  joined_date: 2002-10-07\n  status: member\n  basis: reference\n  note: Fixture row.\n- alliance_id: csto\n  actor_id: kyrgyzstan\n  left_date: 1999-01-01")
    errors = _errors(minimal_corpus)
    assert any("ends (1999-01-01) on or before it starts" in e.message for e in errors)
    assert line > 0


def test_overlapping_memberships_of_one_member(minimal_corpus: Path):
    path = minimal_corpus / "reference/memberships.yaml"
    path.write_text(path.read_text() + "- alliance_id: csto\n  actor_id: russia\n  joined_date: 2005-01-01\n"
                    "  status: suspended\n  basis: reference\n  note: overlapping on purpose.\n")
    errors = _errors(minimal_corpus)
    assert any("overlap" in e.message and e.path.endswith("memberships.yaml") for e in errors)


def test_a_role_held_by_a_state_is_refused(minimal_corpus: Path):
    _edit(minimal_corpus, "reference/roles.yaml", "person_id: natalya-timakova", "person_id: russia")
    errors = _errors(minimal_corpus)
    assert any("is a state, not a person" in e.message for e in errors)


def test_all_errors_are_reported_at_once(minimal_corpus: Path):
    _edit(minimal_corpus, ANNOTATION, "quote_kind: direct", "quote_kind: verbatim")
    _edit(minimal_corpus, ANNOTATION, "target: [russia]", "target: [rusia]")
    _edit(minimal_corpus, "reference/actors.yaml", "actor_type: media", "actor_type: newspaper")
    assert len(_errors(minimal_corpus)) >= 3


def test_a_term_still_running_is_a_range_with_an_open_end(minimal_corpus: Path):
    _edit(minimal_corpus, "reference/roles.yaml",
          "date: {earliest: 2008-05-01, latest: 2012-05-31, precision: range",
          "date: {earliest: 2008-05-01, latest: null, precision: range")
    assert validate(minimal_corpus).row_counts["actor_roles"] == 2


def test_a_day_without_its_date_is_refused(minimal_corpus: Path):
    _edit(minimal_corpus, "reference/roles.yaml",
          "date: {earliest: 2008-05-01, latest: 2012-05-31, precision: range",
          "date: {earliest: 2008-05-01, latest: null, precision: day")
    assert any("needs both earliest and latest" in e.message for e in _errors(minimal_corpus))
