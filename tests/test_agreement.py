"""Krippendorff's alpha gives the published values, and two codings are compared unit by unit with stable keys.

The alpha examples are those of Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability",
Annenberg School for Communication, University of Pennsylvania, https://repository.upenn.edu/asc_papers/43.
The codings compared are tests/fixtures/double-coded laid over a copy of tests/fixtures/minimal.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import TESTS_DIR
from rucas.build.cli import main
from rucas.build.review.agreement import compare_codings
from rucas.build.review.alpha import krippendorff_alpha
from rucas.build.review.matching import match_by_span

DOUBLE_CODED = TESTS_DIR / "fixtures" / "double-coded"
SOURCE_ID = "eurasianet-russia-turns-down-kyrgyzstans-plea"

_ = None
FOUR_OBSERVERS = [  # Krippendorff (2011), section C: 4 observers, 12 units, missing values
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]


def _units(observers: list[list[object]]) -> list[tuple[object, ...]]:
    return list(zip(*observers))


def test_alpha_of_four_observers_with_missing_values_is_0_743_nominal_and_0_849_interval():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C."""
    assert krippendorff_alpha(_units(FOUR_OBSERVERS), "nominal") == pytest.approx(0.743, abs=0.0005)
    assert krippendorff_alpha(_units(FOUR_OBSERVERS), "interval") == pytest.approx(0.849, abs=0.0005)


def test_alpha_of_two_observers_nominal_is_0_692():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section B: two observers, 12 units."""
    first = "a a b b d c c c e d d a".split()
    second = "b a b b b c c c e d d d".split()
    assert krippendorff_alpha(_units([first, second]), "nominal") == pytest.approx(0.692, abs=0.0005)


def test_alpha_of_two_observers_binary_is_0_095():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section A: binary data, two observers."""
    first = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    second = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha(_units([first, second]), "nominal") == pytest.approx(0.095, abs=0.0005)


def test_alpha_is_undefined_when_every_value_is_the_same():
    assert krippendorff_alpha([("REJECT", "REJECT"), ("REJECT", "REJECT")]) is None


def test_alpha_is_undefined_with_fewer_than_two_pairable_values():
    assert krippendorff_alpha([("REJECT", None), (None, "OFFER")]) is None
    assert krippendorff_alpha([]) is None


def test_alpha_does_not_depend_on_the_order_of_units_or_coders():
    reordered = [list(reversed(row)) for row in reversed(FOUR_OBSERVERS)]
    assert krippendorff_alpha(_units(reordered), "interval") == pytest.approx(
        krippendorff_alpha(_units(FOUR_OBSERVERS), "interval"))


# --- matching ----------------------------------------------------------------------------------------------------


def _unit(unit_id: str, start: int, end: int) -> dict[str, object]:
    return {"event_id": unit_id, "evidence_start": start, "evidence_end": end}


def test_a_unit_whose_quotation_moved_by_a_few_characters_still_matches():
    (pair,) = match_by_span([_unit("a", 100, 180)], [_unit("b", 106, 184)], "event_id")
    assert (pair.first_id, pair.second_id) == ("a", "b")


def test_a_unit_found_by_one_coder_only_stands_alone():
    pairs = match_by_span([_unit("a", 100, 180), _unit("c", 300, 340)], [_unit("b", 100, 180)], "event_id")
    assert [(p.first_id, p.second_id) for p in pairs] == [("a", "b"), ("c", None)]


def test_each_unit_matches_the_unit_it_overlaps_most():
    pairs = match_by_span([_unit("long", 0, 100)], [_unit("part", 0, 20), _unit("whole", 0, 95)], "event_id")
    assert [(p.first_id, p.second_id) for p in pairs] == [(None, "part"), ("long", "whole")]


# --- two codings of one article ------------------------------------------------------------------------------------


@pytest.fixture()
def double_coded(minimal_corpus: Path) -> Path:
    """The minimal corpus with the two codings of tests/fixtures/double-coded."""
    shutil.copytree(DOUBLE_CODED / "codings", minimal_corpus / "codings")
    return minimal_corpus


def test_two_codings_disagree_on_the_missing_request_the_refusals_date_and_a_condition_type(double_coded: Path):
    agreement = compare_codings(double_coded, "coder-a", "coder-b")
    assert agreement.errors == []
    assert [d.key for d in agreement.disagreements()] == [
        f"{SOURCE_ID}/conditions.condition_type/russia-kyrgyz-refusal-csto-consultations"
        "~russia-kyrgyz-refusal-csto-consultations",
        f"{SOURCE_ID}/events.date_earliest/russia-refuses-kyrgyz-request-2010-06-12~russia-declines-assistance",
        f"{SOURCE_ID}/events.date_precision/russia-refuses-kyrgyz-request-2010-06-12~russia-declines-assistance",
        f"{SOURCE_ID}/events/kyrgyzstan-asks-russia-for-troops-2010-06-12~-",
    ]


def test_the_statement_quoted_from_two_words_later_is_the_same_unit(double_coded: Path):
    article = compare_codings(double_coded, "coder-a", "coder-b").articles[SOURCE_ID]
    statements = {f.field: f for f in article.fields}["statements"]
    assert (statements.units, statements.disagreeing) == (1, 0)
    claims = {f.field: f for f in article.fields}["claims"]
    assert (claims.units, claims.disagreeing) == (1, 0)


def test_sentences_coded_by_one_coder_only_lower_the_unitising_alpha(double_coded: Path):
    article = compare_codings(double_coded, "coder-a", "coder-b").articles[SOURCE_ID]
    sentences = {f.field: f for f in article.fields}["sentences"]
    assert sentences.disagreeing == 1  # the sentence of the request only coder-a coded
    assert sentences.alpha is not None and sentences.alpha < 1


def test_disagreement_keys_do_not_change_when_the_entries_are_reordered(double_coded: Path):
    before = [d.key for d in compare_codings(double_coded, "coder-a", "coder-b").disagreements()]
    coding = double_coded / "codings" / "coder-a" / f"{SOURCE_ID}.yaml"
    text = coding.read_text(encoding="utf-8")
    head, events = text.split("events:\n", 1)
    events, claims = events.split("\nclaims:", 1)
    first, second = events.split("  - event_id: russia-refuses-kyrgyz-request-2010-06-12")
    coding.write_text(f"{head}events:\n  - event_id: russia-refuses-kyrgyz-request-2010-06-12{second.rstrip()}\n"
                      f"{first}\nclaims:{claims}", encoding="utf-8")
    assert compare_codings(double_coded, "coder-a", "coder-b").errors == []
    assert [d.key for d in compare_codings(double_coded, "coder-a", "coder-b").disagreements()] == before


def test_rucas_agreement_prints_alpha_per_field_and_every_disagreement_key(double_coded: Path, capsys):
    assert main(["agreement", "--curated", str(double_coded)]) == 0
    out = capsys.readouterr().out
    assert "events.date_precision" in out and f"{SOURCE_ID}/events/kyrgyzstan-asks-russia-for-troops-2010-06-12~-" in out
    assert main(["agreement", "--curated", str(double_coded), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["disagreements"]) == 4 and report["articles"][SOURCE_ID][0]["field"] == "sentences"


def test_rucas_agreement_names_the_file_and_line_of_an_invalid_coding(double_coded: Path, capsys):
    coding = double_coded / "codings" / "coder-b" / f"{SOURCE_ID}.yaml"
    coding.write_text(coding.read_text(encoding="utf-8").replace("event_type: REJECT", "event_type: REFUSE"),
                      encoding="utf-8")
    assert main(["agreement", "--curated", str(double_coded)]) == 1
    err = capsys.readouterr().err
    assert f"codings/coder-b/{SOURCE_ID}.yaml:23: event_type 'REFUSE' is not in the codebook" in err
    assert "Fix:" in err


def test_a_coding_names_its_folders_role_as_coder(double_coded: Path):
    coding = double_coded / "codings" / "coder-b" / f"{SOURCE_ID}.yaml"
    coding.write_text(coding.read_text(encoding="utf-8").replace("coder: coder-b", "coder: coder-a"), encoding="utf-8")
    (error,) = compare_codings(double_coded, "coder-a", "coder-b").errors
    assert error.line == 10
    assert error.message == "this coding is in codings/coder-b/ but names coder 'coder-a'."


def test_a_coding_with_the_guides_provenance_lines_is_read_as_single_coded(double_coded: Path):
    """The coder's guide told coders to write reviewer: null, review_date: null, review_status: unreviewed; a
    coding keeps those bytes (its hash is adjudicated) and is compared as what they say: single-coded."""
    coding = double_coded / "codings" / "coder-b" / f"{SOURCE_ID}.yaml"
    coding.write_text(coding.read_text(encoding="utf-8").replace(
        "  review_status: single-coded\n", "  reviewer: null\n  review_date: null\n  review_status: unreviewed\n"),
        encoding="utf-8")
    agreement = compare_codings(double_coded, "coder-a", "coder-b")
    assert agreement.errors == [] and len(agreement.disagreements()) == 4


def test_alpha_agrees_with_the_krippendorff_package_on_random_reliability_data():
    """An independent implementation (PyPI `krippendorff`, by Castro) gives the same alpha on 200 random
    reliability tables of 2-5 coders, 3-30 units and a fifth of the values missing, nominal and interval."""
    import random

    krippendorff = pytest.importorskip("krippendorff")
    np = pytest.importorskip("numpy")
    rng = random.Random(20261205)
    compared = 0
    for _ in range(200):
        coders, count = rng.randint(2, 5), rng.randint(3, 30)
        observers = [[rng.randint(1, 5) if rng.random() > 0.2 else None for _ in range(count)] for _ in range(coders)]
        data = np.array([[np.nan if v is None else v for v in row] for row in observers], dtype=float)
        for level in ("nominal", "interval"):
            ours = krippendorff_alpha(_units(observers), level)
            try:
                theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
            except ValueError:  # the package refuses data with one value or no pairable unit: alpha is undefined
                assert ours is None
                continue
            if ours is None:
                assert np.isnan(theirs) or theirs == pytest.approx(0.0) or theirs == pytest.approx(1.0)
                continue
            assert ours == pytest.approx(theirs, abs=1e-9)
            compared += 1
    assert compared > 300
