"""A validation cache whose files were swapped, copied or damaged is refused and rebuilt, never misread."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS
from rucas.build.pipeline import build
from rucas.build.validate.corpus import save_cache, validate_corpus


def _warm_cache(tmp_path: Path) -> Path:
    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(MINIMAL_CORPUS))
    return cache_dir


def _rows_folder(cache_dir: Path) -> Path:
    return cache_dir / (cache_dir / "current").read_text(encoding="utf-8").strip()


def _swap(one: Path, other: Path) -> None:
    parked = one.with_name(one.name + ".parked")
    one.rename(parked)
    other.rename(one)
    parked.rename(other)


def test_a_warm_cache_hands_back_the_article(tmp_path: Path):
    assert validate_corpus(MINIMAL_CORPUS, _warm_cache(tmp_path), tables=False).reused == 1


@pytest.mark.parametrize("first, second", [("events.arrow", "statements.arrow"), ("sources.arrow", "claims.arrow"),
                                           ("events.arrow", "../fingerprints.arrow")])
def test_swapped_cache_files_are_refused_and_the_article_validated_again(tmp_path: Path, first: str, second: str):
    cache_dir = _warm_cache(tmp_path)
    rows = _rows_folder(cache_dir)
    _swap(rows / first, (rows / second).resolve())
    validated = validate_corpus(MINIMAL_CORPUS, cache_dir, tables=False)
    assert (validated.reused, validated.validated) == (0, 1)
    assert validated.row_counts == validate_corpus(MINIMAL_CORPUS, tables=False).row_counts


def test_a_cache_file_copied_from_another_validation_code_is_refused(tmp_path: Path, monkeypatch):
    from rucas.build.validate import cache

    cache_dir = _warm_cache(tmp_path)
    monkeypatch.setattr(cache, "code_digest", lambda: "another validation code")
    assert cache.load_articles(cache_dir, {"any"}).tables == {}
    assert cache.load_fingerprints(cache_dir) == {}


def test_a_build_over_a_cache_with_swapped_files_publishes_what_a_cold_build_does(tmp_path: Path):
    warm = build(MINIMAL_CORPUS, tmp_path / "warm")
    rows = _rows_folder(warm.output_dir / ".cache")
    _swap(rows / "events.arrow", rows / "sources.arrow")
    again = build(MINIMAL_CORPUS, tmp_path / "warm", incremental=False)
    assert again.articles_from_cache == 0
    cold = build(MINIMAL_CORPUS, tmp_path / "cold", cache=False)
    assert again.row_counts == cold.row_counts
