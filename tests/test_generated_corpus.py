"""A generated corpus of a few hundred articles validates, builds, answers the same in both engines, and
rebuilds from the per-article cache exactly as it builds from nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from rucas.build.pipeline import BuildReport, build, validate
from rucas.queries import view_files

from test_views import assert_materialised_as_computed_live, assert_same_answer, connect, load_generator

ARTICLES = 300
SEED = 7
EDITED = "synthetic-000123"


def parquet_digests(output: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted((output / "parquet").glob("*.parquet"))}


def edit_summary(curated: Path, source_id: str) -> None:
    """Change one event summary, as a curator's correction would."""
    path = curated / "annotations" / f"{source_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'summary: "Synthetic event 0 ' in text
    path.write_text(text.replace('summary: "Synthetic event 0 ', 'summary: "Corrected synthetic event 0 ', 1),
                    encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load_generator().generate_corpus(tmp_path_factory.mktemp("generated") / "curated", ARTICLES, SEED)


@pytest.fixture(scope="module")
def first_build(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    return build(corpus, tmp_path_factory.mktemp("first-build"))


def test_the_generator_is_deterministic(corpus: Path, tmp_path: Path) -> None:
    again = load_generator().generate_corpus(tmp_path / "again", ARTICLES, SEED)
    for path in sorted(corpus.rglob("*.*")):
        assert (again / path.relative_to(corpus)).read_bytes() == path.read_bytes(), path.name


def test_a_generated_corpus_validates_with_the_proportions_of_real_articles(corpus: Path) -> None:
    rows = validate(corpus)
    counts = {table: rows.row_counts[table] for table in ("sources", "statements", "events", "event_conditions",
                                                           "claims")}
    assert counts["sources"] == ARTICLES
    assert 3 * ARTICLES <= counts["statements"] <= 6 * ARTICLES
    assert 4 * ARTICLES <= counts["events"] <= 8 * ARTICLES
    assert ARTICLES <= counts["event_conditions"] <= 3 * ARTICLES
    assert 2 * ARTICLES <= counts["claims"] <= 4 * ARTICLES


def test_the_generated_text_says_it_is_synthetic(corpus: Path) -> None:
    article = (corpus / "articles" / f"{EDITED}.txt").read_text(encoding="utf-8")
    assert "Synthetic article 123 about Synthetic State" in article


def test_every_view_gives_the_same_answer_in_both_engines_on_the_generated_corpus(first_build: BuildReport) -> None:
    engines = connect(first_build.output_dir, "generated")
    try:
        for view in view_files():
            result = assert_same_answer(engines, view.name, view.sql)
            assert_materialised_as_computed_live(engines, view)
            assert result.rows, f"{view.name} is empty on a generated corpus of {ARTICLES} articles"
    finally:
        engines.duck.close()
        engines.lite.close()


def test_a_cold_build_validates_every_article_and_caches_them(first_build: BuildReport) -> None:
    assert first_build.articles_from_cache == 0
    assert (first_build.output_dir / ".cache" / "current").exists()


def test_a_rebuild_after_one_edit_reuses_the_others_and_equals_a_cold_build(
        corpus: Path, first_build: BuildReport, tmp_path: Path) -> None:
    edited = tmp_path / "curated"
    shutil.copytree(corpus, edited)
    output = tmp_path / "output"
    shutil.copytree(first_build.output_dir / ".cache", output / ".cache")
    warm = build(edited, output)
    assert warm.articles_from_cache == ARTICLES
    edit_summary(edited, EDITED)
    rebuilt = build(edited, output)
    assert rebuilt.articles_from_cache == ARTICLES - 1
    cold = build(edited, tmp_path / "cold", cache=False)
    assert cold.articles_from_cache == 0
    assert parquet_digests(output) == parquet_digests(tmp_path / "cold")
    assert parquet_digests(output) != parquet_digests(first_build.output_dir)
    assert rebuilt.version == cold.version


def test_a_cached_rebuild_still_reports_a_new_error_with_its_file_and_line(
        corpus: Path, first_build: BuildReport, tmp_path: Path) -> None:
    from rucas.build.read.errors import ValidationFailed

    broken = tmp_path / "curated"
    shutil.copytree(corpus, broken)
    output = tmp_path / "output"
    shutil.copytree(first_build.output_dir / ".cache", output / ".cache")
    path = broken / "annotations" / f"{EDITED}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("speaker_id: synthetic-person-", "speaker_id: nobody-", 1),
                    encoding="utf-8")
    with pytest.raises(ValidationFailed) as failure:
        build(broken, output)
    cached_messages = [str(error) for error in failure.value.errors]
    with pytest.raises(ValidationFailed) as ordinary:
        validate(broken)
    assert cached_messages == [str(error) for error in ordinary.value.errors]
    assert any(f"{EDITED}.yaml:" in message and "is not a known actors id" in message for message in cached_messages)
