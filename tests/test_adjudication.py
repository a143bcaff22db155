"""An article's review status is only what its stored codings and adjudication log support, and a release
publishes adjudicated articles only.

The corpus is a copy of tests/fixtures/minimal with tests/fixtures/double-coded laid over it: two test
codings of its article and a log deciding each of their four disagreements.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import TESTS_DIR
from rucas.build.cli import main
from rucas.build.pipeline import build
from rucas.build.release.release import ReleaseError, make_release

DOUBLE_CODED = TESTS_DIR / "fixtures" / "double-coded"
SOURCE_ID = "eurasianet-russia-turns-down-kyrgyzstans-plea"
ANNOTATION = f"annotations/{SOURCE_ID}.yaml"
LOG = f"adjudications/{SOURCE_ID}.yaml"
PROVENANCE = "  coder: coder-a\n  review_status: test_data\n"
ADJUDICATED = ("  coder: coder-a\n  second_coder: coder-b\n  adjudicator: adjudicator\n  adjudicated_on: 2026-12-01\n"
               "  review_status: adjudicated\n")
"""The annotation's provenance once adjudicated: lines 10 to 14."""
Capture = pytest.CaptureFixture[str]


def _edit(corpus: Path, relative: str, old: str, new: str) -> None:
    path = corpus / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture()
def adjudicated(minimal_corpus: Path) -> Path:
    """The minimal corpus, its article adjudicated with both test codings and their log."""
    for folder in ("codings", "adjudications", "annotations"):
        shutil.copytree(DOUBLE_CODED / folder, minimal_corpus / folder, dirs_exist_ok=True)
    assert ADJUDICATED in (minimal_corpus / ANNOTATION).read_text(encoding="utf-8")
    return minimal_corpus


def _errors(corpus: Path, capsys: Capture) -> list[str]:
    capsys.readouterr()
    status = main(["validate", "--curated", str(corpus), "--quiet", "--no-cache"])
    lines = [line for line in capsys.readouterr().err.splitlines() if ": " in line and " Fix: " in line]
    assert (status == 0) == (not lines)
    return lines


def _refused_at(corpus: Path, capsys: Capture, relative: str, line: int, message: str) -> None:
    errors = _errors(corpus, capsys)
    assert any(f"{relative}:{line}: " in error and message in error for error in errors), errors


def test_an_article_adjudicated_with_its_codings_and_a_complete_log_is_valid(adjudicated: Path, capsys: Capture):
    assert _errors(adjudicated, capsys) == []


def test_a_double_coded_article_needs_only_its_two_codings(adjudicated: Path, capsys: Capture):
    _edit(adjudicated, ANNOTATION, "  adjudicator: adjudicator\n  adjudicated_on: 2026-12-01\n  review_status: adjudicated\n",
          "  review_status: double-coded\n")
    (adjudicated / LOG).unlink()
    assert _errors(adjudicated, capsys) == []


def test_a_double_coded_article_without_its_second_coding_is_refused(adjudicated: Path, capsys: Capture):
    _edit(adjudicated, ANNOTATION, "  adjudicator: adjudicator\n  adjudicated_on: 2026-12-01\n  review_status: adjudicated\n",
          "  review_status: double-coded\n")
    (adjudicated / "codings" / "coder-b" / f"{SOURCE_ID}.yaml").unlink()
    _refused_at(adjudicated, capsys, ANNOTATION, 12, f"codings/coder-b/{SOURCE_ID}.yaml does not exist")


def test_an_adjudicated_article_without_its_log_is_refused(adjudicated: Path, capsys: Capture):
    (adjudicated / LOG).unlink()
    _refused_at(adjudicated, capsys, ANNOTATION, 14, f"is adjudicated, but {adjudicated}/{LOG} does not exist")


def test_a_log_whose_hash_is_not_the_codings_is_refused(adjudicated: Path, capsys: Capture):
    coding = adjudicated / "codings" / "coder-b" / f"{SOURCE_ID}.yaml"
    coding.write_text(coding.read_text(encoding="utf-8") + "# changed after the adjudication\n", encoding="utf-8")
    _refused_at(adjudicated, capsys, LOG, 5, "second_sha256 is not the hash of codings/coder-b/")


def _erratum(corpus: Path, was: str, now: str, which: str = "second") -> Path:
    """Change the second coding after its adjudication (a comment line, which no comparison reads) and record
    the change as an erratum of the log with the hashes `was` and `now` ("" for the real ones)."""
    coding = corpus / "codings" / "coder-b" / f"{SOURCE_ID}.yaml"
    before = hashlib.sha256(coding.read_bytes()).hexdigest()
    coding.write_text(coding.read_text(encoding="utf-8") + "# a citation replaced after the adjudication\n",
                      encoding="utf-8")
    after = hashlib.sha256(coding.read_bytes()).hexdigest()
    log = corpus / LOG
    log.write_text(log.read_text(encoding="utf-8") + f"errata:\n- file: {which}\n  was_sha256: {was or before}\n"
                   f"  now_sha256: {now or after}\n  by: maintainer\n  on: 2026-12-05\n"
                   "  original: a commit of the repository\n  change: a citation replaced\n", encoding="utf-8")
    return coding


def test_a_coding_changed_after_its_adjudication_is_valid_with_its_erratum(adjudicated: Path, capsys: Capture):
    _erratum(adjudicated, "", "")
    assert _errors(adjudicated, capsys) == []


def test_an_erratum_must_follow_on_from_the_hash_adjudicated(adjudicated: Path, capsys: Capture):
    _erratum(adjudicated, "0" * 64, "")
    assert any("was_sha256 is not" in error for error in _errors(adjudicated, capsys))


def test_an_erratum_must_end_at_the_codings_hash_now(adjudicated: Path, capsys: Capture):
    coding = _erratum(adjudicated, "", "")
    coding.write_text(coding.read_text(encoding="utf-8") + "# changed again, unrecorded\n", encoding="utf-8")
    assert any("it changed after the erratum" in error for error in _errors(adjudicated, capsys))


def test_an_erratum_of_the_other_coding_does_not_cover_this_one(adjudicated: Path, capsys: Capture):
    _erratum(adjudicated, "", "", which="first")
    assert any("was_sha256 is not" in error for error in _errors(adjudicated, capsys))
    assert any("second_sha256 is not the hash of codings/coder-b/" in error for error in _errors(adjudicated, capsys))


def test_an_incomplete_erratum_is_refused(adjudicated: Path, capsys: Capture):
    _erratum(adjudicated, "", "")
    _edit(adjudicated, LOG, "  by: maintainer\n", "")
    assert any("an erratum has file, was_sha256" in error and "missing: by" in error
               for error in _errors(adjudicated, capsys))


def test_a_log_missing_a_disagreement_is_refused(adjudicated: Path, capsys: Capture):
    path = adjudicated / LOG
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("  - disagreement: eurasianet-russia-turns-down-kyrgyzstans-plea/events/")],
                    encoding="utf-8")
    _refused_at(adjudicated, capsys, LOG, 8, f"disagreement {SOURCE_ID}/events/kyrgyzstan-asks-russia-for-troops-"
                "2010-06-12~- has no decision")


def test_a_log_deciding_a_disagreement_that_does_not_exist_is_refused(adjudicated: Path, capsys: Capture):
    path = adjudicated / LOG
    path.write_text(path.read_text(encoding="utf-8") + (
        f"  - disagreement: {SOURCE_ID}/events.modality/russia-refuses-kyrgyz-request-2010-06-12~russia-declines-assistance\n"
        "    decision: first\n    published: occurred\n    reason: Both said occurred.\n    consulted: null\n"),
        encoding="utf-8")
    _refused_at(adjudicated, capsys, LOG, 29, "no disagreement")


def test_a_decision_for_the_first_coding_publishes_the_first_codings_value(adjudicated: Path, capsys: Capture):
    _edit(adjudicated, LOG, "    published: day\n", "    published: range\n")
    _refused_at(adjudicated, capsys, LOG, 21, "decision first, but published ('range') is not the first coding's value")


def test_an_adjudication_dated_in_the_future_is_refused(adjudicated: Path, capsys: Capture):
    later = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=2)
    _edit(adjudicated, ANNOTATION, "adjudicated_on: 2026-12-01", f"adjudicated_on: {later.isoformat()}")
    _refused_at(adjudicated, capsys, ANNOTATION, 13, "a day still to come")


def test_the_second_coder_cannot_be_the_coder(adjudicated: Path, capsys: Capture):
    _edit(adjudicated, ANNOTATION, "second_coder: coder-b", "second_coder: coder-a")
    _refused_at(adjudicated, capsys, ANNOTATION, 11, "second_coder is the coder ('coder-a')")


def test_a_single_coded_article_names_no_adjudicator(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, PROVENANCE, "  coder: coder-a\n  adjudicator: adjudicator\n"
          "  review_status: single-coded\n")
    _refused_at(minimal_corpus, capsys, ANNOTATION, 11, "is single-coded but names adjudicator")


def test_a_role_outside_the_codebooks_coder_roles_is_refused(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, "  coder: coder-a\n", "  coder: rucas-curation-team\n")
    _refused_at(minimal_corpus, capsys, ANNOTATION, 10, "coder 'rucas-curation-team' is not in the codebook")


def test_a_role_differing_only_by_case_is_refused_with_its_spelling(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, "  coder: coder-a\n", "  coder: Coder-A\n")
    errors = _errors(minimal_corpus, capsys)
    assert any(f"{ANNOTATION}:10: " in e and "write 'coder-a' (codes are case-sensitive)" in e for e in errors), errors


def test_a_status_outside_the_vocabulary_is_refused(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, "review_status: test_data", "review_status: reviewed")
    _refused_at(minimal_corpus, capsys, ANNOTATION, 11, "review_status")


@pytest.mark.slow
def test_the_build_publishes_the_agreement_and_every_decision(adjudicated: Path, tmp_path: Path):
    report = build(adjudicated, tmp_path / "out", cache=False)
    assert report.row_counts["adjudications"] == 4
    con = duckdb.connect(str(report.build_dir / "rucas.duckdb"), read_only=True)
    try:
        decided = con.sql("SELECT key, decision, published_value, adjudicator FROM adjudications "
                          "WHERE field = 'events.date_precision'").fetchall()
        assert decided == [(f"{SOURCE_ID}/events.date_precision/russia-refuses-kyrgyz-request-2010-06-12"
                            "~russia-declines-assistance", "first", "day", "adjudicator")]
        corpus = con.sql("SELECT units, disagreements, first_coder, second_coder FROM coding_agreement "
                         "WHERE scope = 'corpus' AND field = 'events'").fetchall()
        assert corpus == [(2, 1, "coder-a", "coder-b")]
        assert con.sql("SELECT review_status FROM sources").fetchall() == [("adjudicated",)]
    finally:
        con.close()


@pytest.mark.slow
def test_a_release_publishes_adjudicated_articles_and_refuses_others(adjudicated: Path, tmp_path: Path):
    done = build(adjudicated, tmp_path / "adjudicated", cache=False).output_dir
    assert make_release(done, tmp_path / "releases", released=datetime.date(2026, 12, 2)).release.folder.is_dir()
    _edit(adjudicated, ANNOTATION, ADJUDICATED, "  coder: coder-a\n  review_status: single-coded\n")
    single = build(adjudicated, tmp_path / "single", cache=False).output_dir
    with pytest.raises(ReleaseError, match=rf"1 article\(s\) are not adjudicated.*{SOURCE_ID} \(single-coded\)"):
        make_release(single, tmp_path / "releases", released=datetime.date(2026, 12, 3))
