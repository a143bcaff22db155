"""A validation cache whose files were swapped, copied or damaged is refused and rebuilt, never misread."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS
from rucas.build.pipeline import build
from rucas.build.validate.corpus import save_cache, validate_corpus
from rucas.build.read.errors import ValidationFailed


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


@pytest.mark.parametrize("tables", [True, False], ids=["build", "validate only"])
@pytest.mark.parametrize("first, second", [("events.arrow", "statements.arrow"), ("sources.arrow", "claims.arrow"),
                                           ("events.arrow", "../fingerprints.arrow")])
def test_swapped_cache_files_are_refused_and_the_article_validated_again(tmp_path: Path, first: str, second: str,
                                                                         tables: bool):
    """A build reads every cached table, and refuses the cache when one holds another; validating without tables
    reads of the cached rows only the `sources` files (which articles they hold), so a swap among the others
    changes nothing it reads: the article's result stands, and the counts are a cold validation's either way."""
    cache_dir = _warm_cache(tmp_path)
    rows = _rows_folder(cache_dir)
    _swap(rows / first, (rows / second).resolve())
    validated = validate_corpus(MINIMAL_CORPUS, cache_dir, tables=tables)
    read = tables or "sources.arrow" in (first, second)
    assert (validated.reused, validated.validated) == ((0, 1) if read else (1, 0))
    assert validated.row_counts == validate_corpus(MINIMAL_CORPUS, tables=False).row_counts


def test_a_cache_file_copied_from_another_validation_code_is_refused(tmp_path: Path, monkeypatch):
    import pyarrow as pa
    from rucas.build.validate import cache

    cache_dir = _warm_cache(tmp_path)
    monkeypatch.setattr(cache, "code_digest", lambda: "another validation code")
    assert cache.load_articles(cache_dir, pa.array(["any"], pa.string())).tables == {}
    assert cache.load_fingerprints(cache_dir) is None
    assert cache.load_keys(cache_dir) == {}


def test_a_build_over_a_cache_with_swapped_files_publishes_what_a_cold_build_does(tmp_path: Path):
    warm = build(MINIMAL_CORPUS, tmp_path / "warm")
    rows = _rows_folder(warm.output_dir / ".cache")
    _swap(rows / "events.arrow", rows / "sources.arrow")
    again = build(MINIMAL_CORPUS, tmp_path / "warm", incremental=False)
    assert again.articles_from_cache == 0
    cold = build(MINIMAL_CORPUS, tmp_path / "cold", cache=False)
    assert again.row_counts == cold.row_counts


# --- segments: a build adds the articles it validated to the cache's segments, and rewrites it whole now and then


def _segments_of(cache_dir: Path) -> list[str]:
    import json

    return json.loads((_rows_folder(cache_dir) / "meta.json").read_text(encoding="utf-8"))["segments"]


def _edit(curated: Path, number: int) -> None:
    path = curated / "annotations" / f"synthetic-{number:06d}.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'summary: "Synthetic event 0 ' in text
    path.write_text(text.replace('summary: "Synthetic event 0 ', f'summary: "Edit {number}: synthetic event 0 ', 1),
                    encoding="utf-8")


def _rows(tables) -> dict[str, list[dict]]:
    return {name: tables[name].to_pylist() for name in tables}


def test_a_save_after_one_edit_adds_a_segment_of_that_article_and_the_whole_validates_as_from_nothing(tmp_path: Path):
    from rucas.build.validate import cache
    from test_views import load_generator

    curated = load_generator().generate_corpus(tmp_path / "curated", 40, 5)
    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(curated, cache_dir))
    first = _segments_of(cache_dir)
    assert len(first) == 1
    _edit(curated, 7)
    validated = validate_corpus(curated, cache_dir)
    assert (validated.reused, validated.validated) == (39, 1)
    assert validated.cache_segments == first
    assert {row["source_id"] for row in validated.cache_tables["sources"].to_pylist()} == {"synthetic-000007"}
    save_cache(cache_dir, validated)
    second = _segments_of(cache_dir)
    assert second[:-1] == first and len(second) == 2
    assert sorted(path.name for path in cache_dir.glob("rows-*")) == sorted(second)
    again = validate_corpus(curated, cache_dir)
    assert (again.reused, again.validated) == (40, 0)
    assert _rows(again.tables) == _rows(validate_corpus(curated).tables)
    held = cache.load_keys(cache_dir)
    assert {name: table.num_rows for name, table in held.items()} != {}
    # the first segment's 40 rows (the edited article's old row among them), and its new row
    assert held["sources"].num_rows == 40 + 1


def test_the_cache_is_written_whole_again_when_a_tenth_of_it_is_stale_or_it_has_max_segments(tmp_path: Path,
                                                                                             monkeypatch):
    from rucas.build.validate import cache
    from test_views import load_generator

    curated = load_generator().generate_corpus(tmp_path / "curated", 20, 6)
    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(curated, cache_dir))
    counts = []
    for number in (1, 2, 3):  # 1 and 2 of 20 stale: extended; 3 of 20 (15 %): whole
        _edit(curated, number)
        save_cache(cache_dir, validate_corpus(curated, cache_dir))
        counts.append(len(_segments_of(cache_dir)))
    assert counts == [2, 3, 1]
    assert len(list(cache_dir.glob("rows-*"))) == 1
    monkeypatch.setattr(cache, "MAX_SEGMENTS", 2)
    counts = []
    for number in (4, 5):
        _edit(curated, number)
        save_cache(cache_dir, validate_corpus(curated, cache_dir))
        counts.append(len(_segments_of(cache_dir)))
    assert counts == [2, 1]
    assert _rows(validate_corpus(curated, cache_dir).tables) == _rows(validate_corpus(curated).tables)


@pytest.mark.parametrize("listed", ["../elsewhere", "rows-missing", "not-a-segment"])
def test_a_segment_list_naming_what_is_not_a_segment_makes_the_cache_empty(tmp_path: Path, listed: str):
    import json

    cache_dir = _warm_cache(tmp_path)
    meta_path = _rows_folder(cache_dir) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["segments"] = [listed, *meta["segments"]]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    validated = validate_corpus(MINIMAL_CORPUS, cache_dir, tables=False)
    assert (validated.reused, validated.validated) == (0, 1)


def test_a_warm_cache_spares_the_access_check_of_files_it_hashed_but_a_touched_file_is_asked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import os
    import shutil

    from rucas.build.read import corpus as listing

    curated = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, curated)
    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(curated))
    asked: list[str] = []
    refused: set[str] = set()

    def access(path, mode) -> bool:
        asked.append(os.path.basename(path))
        return os.path.basename(path) not in refused

    monkeypatch.setattr(listing.os, "access", access)
    assert validate_corpus(curated, cache_dir, tables=False).reused == 1
    assert asked == [], "every file has the fingerprint it had when the cache's run hashed it"
    (annotation,) = (curated / "annotations").iterdir()
    times = annotation.stat()
    os.utime(annotation, ns=(times.st_atime_ns, times.st_mtime_ns + 1))  # its ctime changes, as with chmod
    refused.add(annotation.name)
    with pytest.raises(ValidationFailed, match="cannot be read \\(permission denied\\)"):
        validate_corpus(curated, cache_dir, tables=False)
    assert asked == [annotation.name]


def _twelve_cached_then_one_edited(tmp_path: Path) -> tuple[Path, Path]:
    """A generated corpus of twelve articles and its warm cache; then synthetic-000007's annotation edited."""
    from test_views import load_generator

    curated = load_generator().generate_corpus(tmp_path / "curated", 12, 5)
    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(curated, cache_dir))
    _edit(curated, 7)
    return curated, cache_dir


def test_an_articles_key_is_taken_from_the_cache_only_while_its_id_and_both_files_hashes_are_those_it_was_made_of(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import pyarrow as pa
    from rucas.build.validate import cache

    curated, cache_dir = _twelve_cached_then_one_edited(tmp_path)
    validated = validate_corpus(curated, cache_dir)
    ids, articles, annotations, keys = (validated.article_keys.column(name).combine_chunks()
                                        for name in cache.KEY_COLUMNS)
    hashed: list[str] = []
    computed = cache.article_keys(ids, articles, annotations)  # every key hashed anew
    assert keys.equals(computed)
    real_sha256 = cache.hashlib.sha256

    def counted(data: bytes):
        hashed.append(data.split(b"\0")[1].decode())
        return real_sha256(data)

    monkeypatch.setattr(cache.hashlib, "sha256", counted)
    assert cache.article_keys(ids, articles, annotations, cache_dir).equals(computed)
    assert hashed == ["synthetic-000007"], "only the edited article's key is not the one kept"
    other = pa.array(["0" * 64] * len(ids), pa.string())  # other bytes of every annotation: no key is the kept one
    expected = cache.article_keys(ids, articles, other)
    hashed.clear()
    assert cache.article_keys(ids, articles, other, cache_dir).equals(expected)
    assert len(hashed) == len(ids)
    swapped = ids[::-1]  # each id with another article's hashes
    expected = cache.article_keys(swapped, articles, annotations)
    hashed.clear()
    assert cache.article_keys(swapped, articles, annotations, cache_dir).equals(expected)
    assert len(hashed) == len(ids)


def test_a_warm_validation_after_one_edit_reads_the_reference_files_and_that_articles_two_files_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from rucas.build.read import corpus as listing

    curated, cache_dir = _twelve_cached_then_one_edited(tmp_path)
    read: list[str] = []
    real_read = listing.CuratedFile._read

    def recorded(file: listing.CuratedFile) -> bytes:
        read.append(file.relative)
        return real_read(file)

    monkeypatch.setattr(listing.CuratedFile, "_read", recorded)
    validated = validate_corpus(curated, cache_dir)
    assert (validated.reused, validated.validated) == (11, 1)
    assert {path for path in read if not path.startswith("reference/")} == {
        "articles/synthetic-000007.txt", "annotations/synthetic-000007.yaml"}
    # what the build records of the inputs is what a listing without the cache hashes
    assert validated.inputs.table.equals(validate_corpus(curated).inputs.table)
    assert validated.fingerprints.equals(listing.read_corpus(curated).fingerprints())


def test_validating_without_tables_reads_of_the_cached_rows_only_which_articles_they_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`rucas validate` (no tables) needs of the cached rows only which articles they belong to (the `sources` files);
    the check columns it reads are the key files. A build reads every cached table."""
    from rucas.build.validate import cache

    curated, cache_dir = _twelve_cached_then_one_edited(tmp_path)
    read: list[str] = []
    real_read = cache._read_ipc
    monkeypatch.setattr(cache, "_read_ipc", lambda path, holds: read.append(path.name) or real_read(path, holds))
    checked = validate_corpus(curated, cache_dir, tables=False)
    assert (checked.reused, checked.validated) == (11, 1)
    rows_read = {name for name in read if not name.startswith("keys-") and name not in (cache.FINGERPRINTS,
                                                                                          cache.ARTICLE_KEYS)}
    assert rows_read == {"sources.arrow"}
    read.clear()
    built = validate_corpus(curated, cache_dir)
    assert (built.reused, built.validated) == (11, 1) and built.row_counts == checked.row_counts
    assert {"sources.arrow", "events.arrow", "statements.arrow", "claims.arrow"} <= set(read)
