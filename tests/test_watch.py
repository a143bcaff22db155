"""`rucas validate --watch`: after each save the corpus is validated again, listing only the files the kernel
reported changed, and every validation reports exactly what `rucas validate` reports at that moment."""

from __future__ import annotations

import os
import random
import selectors
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rucas.build import pipeline
from rucas.build.read import corpus as listing
from rucas.build.read import watch as watching
from rucas.build.read.errors import ValidationFailed
from rucas.build.read.watch import CuratedWatch, WatchedCorpus, WatchUnavailable
from rucas.build.review.records import ReviewCheck
from rucas.build.validate.corpus import save_cache, validate_corpus

from test_incremental_validation import EDIT_KINDS, _outcome, restore_a_file
from test_views import load_generator

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watching needs Linux's inotify")

SOURCE = "eurasianet-russia-turns-down-kyrgyzstans-plea"
WAIT = 30.0
"""The most seconds a test waits for the kernel to report a change it has just made (it is reported at once)."""


def _round_outcome(outcome: object) -> list[str] | dict[str, int]:
    if isinstance(outcome, ValidationFailed):
        return [str(error) for error in outcome.errors]
    return outcome.row_counts


def _columns(files: listing.ListedFiles) -> dict[str, list]:
    return {"ids": list(files), **{name: column.to_pylist() for name, column in files.fingerprint_columns().items()},
            "sha256": files.sha256s().to_pylist()}


def _rewrite(path: Path, text: str) -> None:
    """Save `text` where it is, as an editor writing in place does."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


# listing again only what changed


def test_a_file_changed_in_place_is_listed_again_alone_and_the_listing_is_what_listing_the_folder_gives(
        minimal_corpus: Path):
    before = listing.read_corpus(minimal_corpus)
    annotation = minimal_corpus / "annotations" / f"{SOURCE}.yaml"
    _rewrite(annotation, annotation.read_text(encoding="utf-8") + "\n# checked again\n")
    again = listing.listed_again(minimal_corpus, "annotations", before.listings["annotations"], {SOURCE})
    assert again is not None and again.errors == []
    assert _columns(again.files) == _columns(listing.read_corpus(minimal_corpus).annotations)
    assert before.annotations[SOURCE].sha256 != again.files[SOURCE].sha256  # the new bytes, not the old hash
    assert _columns(before.listings["annotations"].files)["sha256"] != _columns(again.files)["sha256"]


def test_changing_a_listing_leaves_the_listing_it_came_from_as_it_was(minimal_corpus: Path):
    files = listing.read_corpus(minimal_corpus).annotations
    kept = _columns(files)
    changed = files.changed({SOURCE: (1, 2, 3, 4)})
    assert _columns(files) == kept
    assert [column[0].as_py() for column in changed.fingerprint_columns().values()] == [1, 2, 3, 4]
    assert changed[SOURCE].fingerprint == (1, 2, 3, 4)
    with pytest.raises(KeyError):
        files.changed({"not-listed": (1, 2, 3, 4)})


@pytest.mark.parametrize("change", ["removed", "made a folder", "too large", "not listed"])
def test_a_changed_file_that_is_no_longer_an_ordinary_listed_file_sends_the_folder_to_be_listed_again(
        minimal_corpus: Path, change: str):
    before = listing.read_corpus(minimal_corpus).listings["articles"]
    article = minimal_corpus / "articles" / f"{SOURCE}.txt"
    changed = {SOURCE}
    if change == "removed":
        article.unlink()
    elif change == "made a folder":
        article.unlink()
        article.mkdir()
    elif change == "too large":
        article.write_bytes(b"x" * (listing.MAX_FILE_BYTES + 1))
    else:
        changed = {"another-article"}
    assert listing.listed_again(minimal_corpus, "articles", before, changed) is None


def test_a_folder_whose_listing_found_an_entry_wrong_is_listed_again_whole(minimal_corpus: Path):
    (minimal_corpus / "articles" / "Not A Source Id.txt").write_text("x", encoding="utf-8")
    before = listing.read_corpus(minimal_corpus).listings["articles"]
    assert before.errors
    assert listing.listed_again(minimal_corpus, "articles", before, {SOURCE}) is None


def test_folders_handed_to_read_corpus_are_not_listed_again(minimal_corpus: Path, monkeypatch: pytest.MonkeyPatch):
    first = listing.read_corpus(minimal_corpus)
    listed: list[str] = []
    list_folder = listing._list_folder
    monkeypatch.setattr(listing, "_list_folder", lambda root, shown, folder, *rest: listed.append(folder)
                        or list_folder(root, shown, folder, *rest))
    second = listing.read_corpus(minimal_corpus, listed={"articles": first.listings["articles"]})
    assert listed == ["annotations"]
    assert second.articles is first.articles
    assert second.fingerprints().equals(first.fingerprints())


# what the kernel reports


def _changes(watch: CuratedWatch) -> watching.Changes:
    changes = watch.wait(WAIT)
    assert changes, "the change was not reported"
    return changes


def test_the_watch_reports_a_file_saved_in_place_and_ignores_hidden_files(minimal_corpus: Path):
    annotation = minimal_corpus / "annotations" / f"{SOURCE}.yaml"
    with CuratedWatch(minimal_corpus) as watch:
        (minimal_corpus / "annotations" / f".{SOURCE}.yaml.swp").write_text("editor", encoding="utf-8")
        _rewrite(annotation, annotation.read_text(encoding="utf-8"))
        changes = _changes(watch)
    assert changes.in_place == {"articles": set(), "annotations": {SOURCE}}
    assert changes.relist == set() and not changes.rewatch
    assert changes.paths == {f"annotations/{SOURCE}.yaml"}


def test_the_watch_lists_a_folder_again_when_an_entry_is_made_removed_or_renamed(minimal_corpus: Path):
    with CuratedWatch(minimal_corpus) as watch:
        (minimal_corpus / "articles" / "another-article.txt").write_text("text", encoding="utf-8")
        assert _changes(watch).relist == {"articles"}
        os.rename(minimal_corpus / "annotations" / f"{SOURCE}.yaml", minimal_corpus / "annotations" / "renamed.yaml")
        assert _changes(watch).relist == {"annotations"}
        (minimal_corpus / "articles" / "another-article.txt").unlink()
        assert _changes(watch).relist == {"articles"}


def test_a_change_outside_the_article_folders_lists_nothing_again(minimal_corpus: Path):
    actors = minimal_corpus / "reference" / "actors.yaml"
    with CuratedWatch(minimal_corpus) as watch:
        _rewrite(actors, actors.read_text(encoding="utf-8"))
        changes = _changes(watch)
    assert changes.paths == {"reference/actors.yaml"}
    assert changes.relist == set() and changes.in_place == {"articles": set(), "annotations": set()}


def test_a_folder_made_later_is_watched_too(minimal_corpus: Path):
    with CuratedWatch(minimal_corpus) as watch:
        (minimal_corpus / "codings" / "coder-a").mkdir(parents=True)
        assert _changes(watch).rewatch
        (minimal_corpus / "codings" / "coder-a" / f"{SOURCE}.yaml").write_text("x", encoding="utf-8")
        assert "codings/coder-a/" + f"{SOURCE}.yaml" in _changes(watch).paths


def test_an_article_folder_moved_away_is_listed_again_and_watched_anew(minimal_corpus: Path):
    with CuratedWatch(minimal_corpus) as watch:
        os.rename(minimal_corpus / "articles", minimal_corpus / "elsewhere")
        changes = _changes(watch)
        assert "articles" in changes.relist and changes.rewatch
        os.rename(minimal_corpus / "elsewhere", minimal_corpus / "articles")
        _changes(watch)
        (minimal_corpus / "articles" / f"{SOURCE}.txt").write_text("changed", encoding="utf-8")
        assert _changes(watch).in_place["articles"] == {SOURCE}  # the folder back in place is watched


def test_without_inotify_the_watch_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch, minimal_corpus: Path):
    monkeypatch.setattr(watching.sys, "platform", "darwin")
    with pytest.raises(WatchUnavailable, match="inotify"):
        CuratedWatch(minimal_corpus)


# every validation of a watch is the validation of that moment


@pytest.mark.parametrize("seed", [3])
def test_each_validation_of_a_watch_reports_what_validating_from_nothing_reports(tmp_path: Path, seed: int):
    original = load_generator().generate_corpus(tmp_path / "original", 24, seed)
    curated, cache_dir = tmp_path / "curated", tmp_path / "cache"
    shutil.copytree(original, curated)
    save_cache(cache_dir, validate_corpus(curated, cache_dir, after=ReviewCheck(curated)))
    rng = random.Random(seed)
    edits, seen, kinds = 24, [], set()

    def report(round: pipeline.WatchRound) -> None:
        seen.append(_round_outcome(round.outcome))
        assert seen[-1] == _outcome(curated, None), f"round {len(seen)}, after {kinds}"
        if len(seen) > edits:
            return
        if rng.random() < 0.2:
            restore_a_file(curated, rng, original)
        else:
            edit = rng.choice(EDIT_KINDS)
            edit(curated, rng)
            kinds.add(edit.__name__)
        readme = curated / "reference" / "roles.yaml"  # saved unchanged: a change to wait for even if the edit
        _rewrite(readme, readme.read_text(encoding="utf-8"))  # found nothing to change

    pipeline.validate_watching(curated, cache_dir, report, rounds=edits + 1)
    assert len(seen) == edits + 1 and len(kinds) >= 4
    assert any(isinstance(outcome, list) for outcome in seen) and isinstance(seen[0], dict)


def test_a_watch_lists_only_the_changed_file_after_an_edit(minimal_corpus: Path, monkeypatch: pytest.MonkeyPatch):
    listed: list[tuple[str, str | None]] = []
    list_folder = listing._list_folder
    monkeypatch.setattr(listing, "_list_folder", lambda root, shown, folder, suffix, only: listed.append((folder, only))
                        or list_folder(root, shown, folder, suffix, only))
    annotation = minimal_corpus / "annotations" / f"{SOURCE}.yaml"
    text = annotation.read_text(encoding="utf-8")
    outcomes: list[object] = []

    def report(round: pipeline.WatchRound) -> None:
        outcomes.append(round)
        if len(outcomes) == 1:
            listed.clear()
            _rewrite(annotation, text.replace("event_type: ", "event_type: NOT_A_CODE_", 1))

    pipeline.validate_watching(minimal_corpus, None, report, rounds=2)
    assert listed == [("annotations", SOURCE)]
    assert isinstance(outcomes[0].outcome, pipeline.Validated) and outcomes[0].changed is None
    assert isinstance(outcomes[1].outcome, ValidationFailed)
    assert "is not in the codebook" in str(outcomes[1].outcome.errors[0])
    assert outcomes[1].changed.paths == {f"annotations/{SOURCE}.yaml"}


def test_a_watch_keeps_no_listing_that_a_change_made_untrue(minimal_corpus: Path):
    watched = WatchedCorpus(minimal_corpus)
    first = watched.read()
    changes = watching.Changes()
    changes.relist.add("articles")
    watched.changed(changes)
    second = watched.read()
    assert second.articles is not first.articles and second.annotations is first.annotations


# the command


def test_rucas_validate_watch_prints_a_verdict_after_each_save(minimal_corpus: Path):
    annotation = minimal_corpus / "annotations" / f"{SOURCE}.yaml"
    text = annotation.read_text(encoding="utf-8")
    command = [sys.executable, "-m", "rucas.build.cli", "validate", "--watch", "--no-cache", "--curated",
               str(minimal_corpus)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        verdicts = selectors.DefaultSelector()
        verdicts.register(process.stdout, selectors.EVENT_READ)

        def verdict() -> str:
            deadline = time.monotonic() + 120
            assert verdicts.select(max(0.0, deadline - time.monotonic())), "no verdict came"
            return process.stdout.readline().strip()

        assert verdict().startswith("valid: ")
        _rewrite(annotation, text.replace("event_type: ", "event_type: NOT_A_CODE_", 1))
        assert verdict() == "1 error(s)"
        _rewrite(annotation, text)
        assert verdict().startswith("valid: ")
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=60)
    assert "is not in the codebook" in errors and f"changed: annotations/{SOURCE}.yaml" in errors
    assert "watching" in errors


def test_rucas_validate_watch_says_what_to_do_where_it_cannot_watch(minimal_corpus: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]):
    from rucas.build import cli

    monkeypatch.setattr(watching.sys, "platform", "win32")
    assert cli.main(["validate", "--watch", "--no-cache", "--curated", str(minimal_corpus)]) == 2
    assert "run `rucas validate` after each save" in capsys.readouterr().err


def test_rucas_validate_watch_of_a_missing_folder_says_what_validate_says(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]):
    from rucas.build import cli

    assert cli.main(["validate", "--watch", "--no-cache", "--curated", str(tmp_path / "missing")]) == 1
    assert "the curated folder does not exist" in capsys.readouterr().err


def test_the_watch_hears_changes_when_its_descriptor_is_numbered_above_selects_limit(minimal_corpus: Path):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("this system allows too few open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with CuratedWatch(minimal_corpus) as watch:
            assert watch.descriptor > 1024
            (minimal_corpus / "articles" / f"{SOURCE}.txt").write_text("changed", encoding="utf-8")
            assert _changes(watch).in_place["articles"] == {SOURCE}
    finally:
        for descriptor in held:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
