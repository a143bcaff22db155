"""Provenance is checked like any other rule: an unreviewed article, or a note citing a file the reader
cannot open, stops the build with file:line, what is wrong and the fix (exit status 1).

Each test breaks a private copy of tests/fixtures/minimal in one place. The fixture itself is test
data (`review_status: test_data`, line 11 of its annotation). `rucas validate` runs in-process
(`rucas.build.cli.main`, the same entry point as the console script); the cached builds run the CLI
in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rucas.build.cli import main
from rucas.build.validate.provenance import cited_files, is_shipped

ANNOTATION = "annotations/eurasianet-russia-turns-down-kyrgyzstans-plea.yaml"
REVIEW_LINE = "  review_status: test_data\n"
Capture = pytest.CaptureFixture[str]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rucas.build.cli", *args], capture_output=True, text=True)


def _edit(corpus: Path, relative: str, old: str, new: str) -> None:
    path = corpus / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _validate(corpus: Path, capsys: Capture) -> tuple[int, str]:
    """Exit status and stderr of `rucas validate --curated <corpus> --quiet --no-cache`."""
    capsys.readouterr()
    status = main(["validate", "--curated", str(corpus), "--quiet", "--no-cache"])
    return status, capsys.readouterr().err


def _refused(corpus: Path, capsys: Capture, relative: str, line: int, message: str) -> None:
    status, stderr = _validate(corpus, capsys)
    assert status == 1, stderr
    located = [text for text in stderr.splitlines() if f"{relative}:{line}: " in text]
    assert any(message in text and " Fix: " in text for text in located), stderr


def test_an_unreviewed_article_is_refused_at_its_review_status_line(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE, "  review_status: unreviewed\n")
    _refused(minimal_corpus, capsys, ANNOTATION, 11, "has not been reviewed (review_status: unreviewed)")


def test_an_article_marked_reviewed_must_name_coder_reviewer_and_review_date(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE, "  review_status: reviewed\n")
    _refused(minimal_corpus, capsys, ANNOTATION, 11, "is marked reviewed but gives no coder and reviewer and review_date")


def test_an_article_reviewed_by_its_own_coder_is_refused(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE,
          "  coder: rucas-curation-team\n  reviewer: rucas-curation-team\n  review_date: 2026-11-30\n"
          "  review_status: reviewed\n")
    _refused(minimal_corpus, capsys, ANNOTATION, 12, "was reviewed by its own coder ('rucas-curation-team')")


def test_an_article_reviewed_by_someone_else_is_accepted(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE,
          "  coder: rucas-curation-team\n  reviewer: rucas-audit-2026-11\n  review_date: 2026-11-30\n"
          "  review_status: reviewed\n")
    status, stderr = _validate(minimal_corpus, capsys)
    assert status == 0, stderr


def test_a_date_note_citing_the_unpublished_research_notes_is_refused(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, "note: \"Dateline 'Jun 12, 2010'.\"", "note: \"Verified in facts.md section 4.\"")
    _refused(minimal_corpus, capsys, ANNOTATION, 7, "sources.date_note cites 'facts.md', a file that RUCAS does not publish")


def test_a_reference_note_citing_a_private_path_is_refused(minimal_corpus: Path, capsys: Capture):
    path = minimal_corpus / "reference" / "memberships.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[5] == "  note: Fixture row."
    lines[5] = "  note: Dates from /work/research/facts.md section 3."
    path.write_text("\n".join(lines), encoding="utf-8")
    _refused(minimal_corpus, capsys, "reference/memberships.yaml", 6,
             "alliance_members.note cites '/work/research/facts.md', a file that RUCAS does not publish")


def test_a_note_citing_an_unshipped_csv_is_refused(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, "note: \"Dateline 'Jun 12, 2010'.\"", "note: \"Dateline; cross-checked in my_dates.csv.\"")
    _refused(minimal_corpus, capsys, ANNOTATION, 7, "cites 'my_dates.csv'")


def test_notes_may_cite_urls_and_files_that_ship_with_rucas(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, "note: \"Dateline 'Jun 12, 2010'.\"",
          "note: \"Dateline; rules in dataset/curated/README.md; see https://example.org/notes/facts.md.\"")
    status, stderr = _validate(minimal_corpus, capsys)
    assert status == 0, stderr


@pytest.mark.slow
def test_a_cached_build_refuses_an_unreviewed_article_like_a_full_validation(minimal_corpus: Path, tmp_path: Path):
    output = tmp_path / "out"
    assert _cli("build", "--curated", str(minimal_corpus), "--output", str(output), "--quiet").returncode == 0
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE, "  review_status: unreviewed\n")
    result = _cli("build", "--curated", str(minimal_corpus), "--output", str(output), "--quiet")
    assert result.returncode == 1
    assert f"{ANNOTATION}:11: " in result.stderr and "has not been reviewed" in result.stderr


@pytest.mark.slow
def test_a_cached_build_refuses_a_reference_note_citing_an_unpublished_file(minimal_corpus: Path, tmp_path: Path):
    output = tmp_path / "out"
    assert _cli("build", "--curated", str(minimal_corpus), "--output", str(output), "--quiet").returncode == 0
    path = minimal_corpus / "reference" / "memberships.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  note: Fixture row.", "  note: See facts.md.", 1),
                    encoding="utf-8")
    result = _cli("build", "--curated", str(minimal_corpus), "--output", str(output), "--quiet")
    assert result.returncode == 1
    assert "reference/memberships.yaml:6: " in result.stderr and "cites 'facts.md'" in result.stderr


def test_cited_files_ignores_urls_and_numbers():
    assert cited_files("see facts.md section 4 and https://example.org/x/notes.txt; 38.533 N; U.S.") == ["facts.md"]
    assert cited_files("Terms from /work/research/facts.md section 2") == ["/work/research/facts.md"]


def test_shipped_files_include_the_curation_guide_but_not_private_notes():
    assert is_shipped("dataset/curated/README.md")
    assert is_shipped("reference/roles.yaml")
    assert not is_shipped("facts.md")
    assert not is_shipped("/work/research/facts.md")
