"""Validating from the cache checks across files only what the changed articles add or remove, and reports exactly
what validating from nothing reports: over a series of random edits (repeated ids, dangling references, removed
rows that others refer to, unknown codes, removed articles and actors), edit after edit."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from rucas.build.read.errors import ValidationFailed
from rucas.build.review.records import ReviewCheck
from rucas.build.validate.corpus import save_cache, validate_corpus

from test_views import load_generator

ARTICLES = 24
EDITS = 40


def _outcome(curated: Path, cache_dir: Path | None) -> list[str] | dict[str, int]:
    """The errors of validating `curated` (as the curator reads them), or the row counts when it is valid."""
    try:
        return validate_corpus(curated, cache_dir, tables=False, after=ReviewCheck(curated)).row_counts
    except ValidationFailed as failure:
        return [str(error) for error in failure.errors]


def _annotation(curated: Path, rng: random.Random) -> Path:
    return rng.choice(sorted((curated / "annotations").glob("*.yaml")))


def _replace_one(path: Path, pattern: str, make: callable, rng: random.Random) -> None:
    """Replace one random match of `pattern` in the file by make(match)."""
    text = path.read_text(encoding="utf-8")
    matches = list(re.finditer(pattern, text, re.MULTILINE))
    if not matches:
        return
    match = rng.choice(matches)
    path.write_text(text[:match.start()] + make(match) + text[match.end():], encoding="utf-8")


def _other_id(curated: Path, rng: random.Random, kind: str) -> str:
    """An id of kind statement or event written in another annotation."""
    text = _annotation(curated, rng).read_text(encoding="utf-8")
    found = re.findall(rf"{kind}_id: (synthetic-\d+-{kind}-\d+)", text)
    return rng.choice(found) if found else "synthetic-nothing"


def repeat_an_id(curated: Path, rng: random.Random) -> None:
    kind = rng.choice(["statement", "event"])
    taken = _other_id(curated, rng, kind)
    _replace_one(_annotation(curated, rng), rf"(?<=- {kind}_id: )\S+", lambda m: taken, rng)


def refer_to_another_articles_event(curated: Path, rng: random.Random) -> None:
    taken = _other_id(curated, rng, "event")
    _replace_one(_annotation(curated, rng), r"(?<=event_id: )synthetic-\d+-event-\d+(?=, relation)", lambda m: taken, rng)


def refer_to_an_unknown_actor(curated: Path, rng: random.Random) -> None:
    _replace_one(_annotation(curated, rng), r"(?<=speaker_id: )\S+", lambda m: "synthetic-person-unknown", rng)


def write_an_unknown_code(curated: Path, rng: random.Random) -> None:
    _replace_one(_annotation(curated, rng), r"(?<=event_type: )\S+", lambda m: rng.choice(["NOPE", "consult"]), rng)


def remove_an_event_others_may_claim(curated: Path, rng: random.Random) -> None:
    path = _annotation(curated, rng)
    _replace_one(path, r"(?<=- event_id: synthetic-\d{6}-event-)\d+", lambda m: m.group(0) + "9", rng)


def remove_an_article(curated: Path, rng: random.Random) -> None:
    path = _annotation(curated, rng)
    if len(list((curated / "annotations").glob("*.yaml"))) > ARTICLES // 2:
        path.unlink()
        (curated / "articles" / f"{path.stem}.txt").unlink()


def remove_an_actor(curated: Path, rng: random.Random) -> None:
    path = curated / "reference" / "actors.yaml"
    text = path.read_text(encoding="utf-8")
    entries = re.split(r"(?m)^(?=- actor_id: )", text)
    persons = [i for i, entry in enumerate(entries) if entry.startswith("- actor_id: synthetic-person-")]
    if persons:
        entries.pop(rng.choice(persons))
        path.write_text("".join(entries), encoding="utf-8")


def restore_a_file(curated: Path, rng: random.Random, original: Path) -> None:
    """Put one annotation (and its article) back as generated: edits are undone as well as made."""
    path = rng.choice(sorted((original / "annotations").glob("*.yaml")))
    shutil.copy2(path, curated / "annotations" / path.name)
    shutil.copy2(original / "articles" / f"{path.stem}.txt", curated / "articles" / f"{path.stem}.txt")


EDIT_KINDS = [repeat_an_id, refer_to_another_articles_event, refer_to_an_unknown_actor, write_an_unknown_code,
              remove_an_event_others_may_claim, remove_an_article, remove_an_actor]


@pytest.mark.parametrize("seed", [1, 2])
def test_validating_from_the_cache_reports_what_validating_from_nothing_reports(tmp_path: Path, seed: int):
    original = load_generator().generate_corpus(tmp_path / "original", ARTICLES, seed)
    curated = tmp_path / "curated"
    shutil.copytree(original, curated)
    cache_dir = tmp_path / "cache"
    save_cache(cache_dir, validate_corpus(curated, cache_dir, after=ReviewCheck(curated)))
    rng = random.Random(seed)
    kinds_seen, messages = set(), ""
    for _ in range(EDITS):
        if rng.random() < 0.2:
            restore_a_file(curated, rng, original)
        else:
            edit = rng.choice(EDIT_KINDS)
            edit(curated, rng)
            kinds_seen.add(edit.__name__)
        from_cache = _outcome(curated, cache_dir)
        assert from_cache == _outcome(curated, None)
        messages += "\n".join(from_cache) if isinstance(from_cache, list) else ""
        if not isinstance(from_cache, list) and rng.random() < 0.5:  # a build saves the cache of a valid corpus
            save_cache(cache_dir, validate_corpus(curated, cache_dir, after=ReviewCheck(curated)))
    assert len(kinds_seen) >= 5
    assert "duplicate" in messages and "is not a known" in messages and "is not in the codebook" in messages


def _validated_then_changed(tmp_path: Path, curated_dir: Path, change: callable) -> tuple[list[str] | dict, list[str] | dict]:
    """What validating from the cache and from nothing report after `change` to the reference files of a corpus
    whose cache was saved while it was valid."""
    curated, cache_dir = tmp_path / "curated", tmp_path / "cache"
    shutil.copytree(curated_dir, curated)
    save_cache(cache_dir, validate_corpus(curated, cache_dir, after=ReviewCheck(curated)))
    codebook = curated / "reference" / "codebook.yaml"
    codebook.write_text(change(codebook.read_text(encoding="utf-8")), encoding="utf-8")
    return _outcome(curated, cache_dir), _outcome(curated, None)


def test_a_domain_newly_listed_as_uncitable_is_found_in_the_notes_of_unchanged_articles(tmp_path: Path,
                                                                                         curated_dir: Path):
    from_cache, from_nothing = _validated_then_changed(tmp_path, curated_dir, lambda text: text.replace(
        "uncitable_domains:\n", "uncitable_domains:\n  - code: tass.com\n    label: a test\n    definition: A test.\n", 1))
    assert from_cache == from_nothing
    assert any("on tass.com, which codebook.yaml lists as uncitable" in error for error in from_cache)


def test_a_code_removed_from_the_codebook_is_reported_where_unchanged_articles_use_it(tmp_path: Path,
                                                                                      curated_dir: Path):
    def remove_consult(text: str) -> str:
        entry = re.search(r"  - code: CONSULT\n(    .*\n)*", text)
        return text[:entry.start()] + text[entry.end():]

    from_cache, from_nothing = _validated_then_changed(tmp_path, curated_dir, remove_consult)
    assert from_cache == from_nothing
    assert any("event_type 'CONSULT' is not in the codebook" in error for error in from_cache)
