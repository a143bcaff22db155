"""Provenance is checked like any other rule: a review status the source block contradicts, or a note citing a
file the reader cannot open, stops the build with file:line, what is wrong and the fix (exit status 1).
(Statuses against the stored codings and logs: tests/test_adjudication.py.)

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


def test_a_single_coded_article_is_valid_and_says_who_coded_it(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE, "  review_status: single-coded\n")
    status, stderr = _validate(minimal_corpus, capsys)
    assert status == 0, stderr


def test_an_article_without_a_coder_is_refused(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, "  coder: coder-a\n", "")
    _refused(minimal_corpus, capsys, ANNOTATION, 1, "coder is required")


def test_a_review_status_from_before_the_vocabulary_is_refused(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE, "  review_status: reviewed\n")
    _refused(minimal_corpus, capsys, ANNOTATION, 11, "review_status")


def test_a_double_coded_article_must_name_its_second_coder(minimal_corpus: Path, capsys: Capture):
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE, "  review_status: double-coded\n")
    _refused(minimal_corpus, capsys, ANNOTATION, 11, "is double-coded but gives no second_coder")


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
def test_a_cached_build_refuses_a_double_coded_article_without_codings_like_a_full_validation(
        minimal_corpus: Path, tmp_path: Path):
    output = tmp_path / "out"
    assert _cli("build", "--curated", str(minimal_corpus), "--output", str(output), "--quiet").returncode == 0
    _edit(minimal_corpus, ANNOTATION, REVIEW_LINE, "  second_coder: coder-b\n  review_status: double-coded\n")
    result = _cli("build", "--curated", str(minimal_corpus), "--output", str(output), "--quiet")
    assert result.returncode == 1
    assert f"{ANNOTATION}:12: " in result.stderr and "codings/coder-a/" in result.stderr


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


def test_no_curated_note_cites_an_uncitable_domain_or_an_unpinned_wikipedia_page(duck) -> None:
    """Every note of the published tables cites pages a scholar accepts: no AI-written encyclopedia, fan wiki,
    mirror or redirector listed in codebook.yaml (uncitable_domains), and Wikipedia only by revision."""
    from rucas.build.validate.citations import cited_urls, is_unpinned_wikipedia, uncitable_domain_of

    domains = [code for (code,) in duck.execute(
        "SELECT code FROM codebook WHERE codebook = 'uncitable_domain'").fetchall()]
    assert {"grokipedia.com", "fandom.com", "nemzeti.net"} <= set(domains)
    cited: list[str] = []
    for (table,) in duck.execute("SELECT table_name FROM information_schema.columns "
                                 "WHERE column_name LIKE '%note' GROUP BY table_name").fetchall():
        for (column,) in duck.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = ? AND column_name LIKE '%note'", [table]).fetchall():
            for (note,) in duck.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall():
                cited += cited_urls(note)
    assert len(cited) > 20
    assert [url for url in cited if uncitable_domain_of(url, domains) or is_unpinned_wikipedia(url)] == []


def test_each_erratum_of_a_stored_coding_names_a_commit_that_keeps_the_file_as_it_was() -> None:
    """An erratum says where the coding as adjudicated is kept; that file must hash to its was_sha256."""
    import hashlib
    import re

    import yaml

    repo = Path(__file__).resolve().parents[1]
    if subprocess.run(["git", "-C", str(repo), "rev-parse"], capture_output=True).returncode != 0:
        pytest.skip("not a git repository: the commits the errata name cannot be read")
    checked = 0
    for log_path in sorted((repo / "dataset" / "curated" / "adjudications").glob("*.yaml")):
        log = yaml.safe_load(log_path.read_text(encoding="utf-8"))
        for erratum in log.get("errata") or []:
            role = log[erratum["file"]]
            commit = re.search(r"git show ([0-9a-f]{7,40}):", erratum["original"]).group(1)
            kept = subprocess.run(["git", "-C", str(repo), "show",
                                   f"{commit}:dataset/curated/codings/{role}/{log_path.name}"],
                                  capture_output=True, check=True).stdout
            assert hashlib.sha256(kept).hexdigest() == erratum["was_sha256"], f"{log_path.name}: {erratum['file']}"
            checked += 1
    assert checked == 3, "the IRIN article's two codings and the RFE/RL article's first carry errata"
