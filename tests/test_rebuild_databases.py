"""A patched build gets its databases without copying them where it can prove that safe, and its Datasette
inspect data from what it knows.

Without reflinks (ext4), the superseded build kept beside the current one is brought forward: its databases
are patched with the changes since ITS inputs, when no process holds it and no other name shares its files;
else the current build's are copied. Either way the result equals a cold build of the same input.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from rucas.build.pipeline import BuildReport, build
from rucas.build.write.incremental import clone_file
from rucas.build.write import web_annotations
from rucas.build.write.manifest import content_digest
from test_incremental import assert_same_content, edit_summary, web_annotation_files
from test_views import load_generator

pytestmark = pytest.mark.slow

ARTICLES = 30
SEED = 5
FIRST_EDIT, SECOND_EDIT = "synthetic-000007", "synthetic-000012"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load_generator().generate_corpus(tmp_path_factory.mktemp("rebuild") / "curated", ARTICLES, SEED)


@pytest.fixture()
def two_builds(corpus: Path, tmp_path: Path) -> tuple[Path, BuildReport, BuildReport]:
    """A copy of the corpus, its cold build, and a patched build after one edit (the cold one is now superseded)."""
    curated = shutil.copytree(corpus, tmp_path / "curated")
    cold = build(curated, tmp_path / "output")
    edit_summary(curated, FIRST_EDIT)
    return curated, cold, build(curated, tmp_path / "output")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clone_file_clones_or_leaves_nothing(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.write_bytes(os.urandom(100_000))
    if clone_file(source, tmp_path / "clone"):
        assert (tmp_path / "clone").read_bytes() == source.read_bytes()
    else:
        assert not (tmp_path / "clone").exists()


def test_the_first_rebuild_has_no_spare_and_copies(two_builds) -> None:
    _, _, patched = two_builds
    assert patched.patched and patched.databases in {"cloned", "copied"}


def early_copies(monkeypatch: pytest.MonkeyPatch) -> list:
    """The EarlyCopy objects the builds start (None where they start none)."""
    from rucas.build.write import incremental

    started, start = [], incremental.start_early_copy

    def recording(*args, **kwargs):
        started.append(start(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(incremental, "start_early_copy", recording)
    return started


def test_the_first_rebuild_copies_the_databases_while_it_validates_and_equals_a_cold_build(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if clone_file(corpus / "reference" / "actors.yaml", tmp_path / "probe"):
        pytest.skip("this file system clones files: a rebuild clones the databases and copies nothing")
    curated = shutil.copytree(corpus, tmp_path / "curated")
    started = early_copies(monkeypatch)
    cold = build(curated, tmp_path / "output")
    assert started == [None], "no published build yet: nothing to copy"
    cold_annotations = web_annotation_files(cold.build_dir)
    linking, link = [], web_annotations.link_files

    def recording_links(*args) -> None:
        linking.append(threading.current_thread().name)
        link(*args)

    monkeypatch.setattr(web_annotations, "link_files", recording_links)
    edit_summary(curated, FIRST_EDIT)
    first = build(curated, tmp_path / "output")
    assert linking == ["copying the current build's databases"], "linked once, beside validation, not after patching"
    assert first.databases == "copied" and started[-1] is not None and started[-1].used
    assert not (first.build_dir / "early-databases").exists()
    articles = lambda build_dir: build_dir / "annotations" / "articles"  # noqa: E731
    linked = {path.name for path in articles(first.build_dir).iterdir()
              if path.stat().st_ino == (articles(cold.build_dir) / path.name).stat().st_ino}
    assert linked == {path.name for path in articles(cold.build_dir).iterdir()} - {f"{FIRST_EDIT}.jsonld"}, \
        "every unchanged article's Web Annotations are the current build's file, linked while validating"
    assert web_annotation_files(cold.build_dir) == cold_annotations, "the edited article's file is a new one"
    assert_same_content(first.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)
    edit_summary(curated, SECOND_EDIT)
    assert build(curated, tmp_path / "output").databases == "spare"
    assert started[-1] is None, "a superseded build is there to be brought forward: nothing is copied early"
    assert not cold.build_dir.exists(), "the cold build, superseded by the first rebuild, was brought forward"


def test_a_rebuild_that_turns_out_cold_discards_the_early_copies(corpus: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a build may be patched is known only after validation: a changed reference file makes it cold."""
    if clone_file(corpus / "reference" / "actors.yaml", tmp_path / "probe"):
        pytest.skip("this file system clones files: nothing is copied early")
    curated = shutil.copytree(corpus, tmp_path / "curated")
    build(curated, tmp_path / "output")
    started = early_copies(monkeypatch)
    codebook = curated / "reference" / "codebook.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8") + "\n# a curator's comment\n", encoding="utf-8")
    rebuilt = build(curated, tmp_path / "output")
    assert not rebuilt.patched and started[-1] is not None and not started[-1].used
    assert not (rebuilt.build_dir / "early-databases").exists()
    assert not list((tmp_path / "output" / ".builds").glob("staging-*")), "nothing of the build is left aside"


def test_the_next_rebuild_brings_the_superseded_build_forward_and_equals_a_cold_build(
        two_builds, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    curated, cold, patched = two_builds
    if patched.databases == "cloned":
        pytest.skip("this file system clones: no spare is needed")
    edit_summary(curated, SECOND_EDIT)
    superseded = web_annotation_files(patched.build_dir)

    def no_links(*args: object) -> None:
        raise AssertionError("the spare's Web Annotations are moved in: none is linked from the current build")

    monkeypatch.setattr(web_annotations, "link_files", no_links)
    again = build(curated, cold.output_dir)
    assert again.databases == "spare"
    assert web_annotation_files(patched.build_dir) == superseded, \
        "the spare's Web Annotations are taken over, and the files it shares with the build it supersedes are kept"
    assert not cold.build_dir.exists(), "the spare's folder is used up"
    assert not list(cold.build_dir.parent.glob("staging-*")), "and removed once its Web Annotations were taken"
    assert patched.build_dir.exists(), "the build it supersedes is kept as the next spare"
    assert_same_content(again.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)


def test_a_spare_rebuild_takes_over_the_annotations_of_articles_unchanged_since_the_spare_and_no_others(
        two_builds, tmp_path) -> None:
    """The spare is two builds old: an article edited in the build after it, one removed and one added now."""
    curated, cold, patched = two_builds
    if patched.databases == "cloned":
        pytest.skip("this file system clones: no spare is needed")
    removed, added = "synthetic-000021", "synthetic-000003"
    for folder, suffix in (("articles", ".txt"), ("annotations", ".yaml")):
        (curated / folder / f"{removed}{suffix}").unlink()
        copy = (curated / folder / f"{added}{suffix}").read_text(encoding="utf-8").replace(added, "synthetic-000099")
        (curated / folder / f"synthetic-000099{suffix}").write_text(copy, encoding="utf-8")
    again = build(curated, cold.output_dir)
    assert again.databases == "spare"
    names = set(web_annotation_files(again.output_dir))
    assert f"articles/{removed}.jsonld" not in names and "articles/synthetic-000099.jsonld" in names
    assert_same_content(again.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)


def test_a_superseded_build_a_process_holds_open_is_left_as_it_was_and_the_databases_are_copied(
        two_builds, tmp_path) -> None:
    curated, cold, patched = two_builds
    if patched.databases == "cloned":
        pytest.skip("this file system clones: no spare is needed")
    held = {name: open(cold.build_dir / name, "rb") for name in ("rucas.db", "rucas.duckdb")}  # a reader's files
    try:
        before = {name: hashlib.sha256(handle.read()).hexdigest() for name, handle in held.items()}
        edit_summary(curated, SECOND_EDIT)
        again = build(curated, cold.output_dir)
        assert again.databases == "copied"
        for name, handle in held.items():  # read through the reader's own descriptors
            handle.seek(0)
            assert hashlib.sha256(handle.read()).hexdigest() == before[name], f"{name} was changed under its reader"
    finally:
        for handle in held.values():
            handle.close()
    assert_same_content(again.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)


def test_a_superseded_database_with_a_second_name_is_not_brought_forward(two_builds, tmp_path) -> None:
    curated, cold, patched = two_builds
    if patched.databases == "cloned":
        pytest.skip("this file system clones: no spare is needed")
    kept = tmp_path / "kept-by-someone.db"
    os.link(cold.build_dir / "rucas.db", kept)
    digest = file_digest(kept)
    edit_summary(curated, SECOND_EDIT)
    assert build(curated, cold.output_dir).databases == "copied"
    assert file_digest(kept) == digest


def test_the_inspect_file_of_a_patched_build_counts_every_table_and_names_the_content(two_builds, tmp_path) -> None:
    curated, _, patched = two_builds
    inspected = json.loads((patched.build_dir / "datasette" / "inspect-data.json").read_text(encoding="utf-8"))
    con = sqlite3.connect(f"file:{patched.build_dir / 'rucas.db'}?mode=ro", uri=True)
    try:
        names = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        con.close()
    assert {name: entry["count"] for name, entry in inspected["rucas"]["tables"].items()} == counts
    manifest = json.loads((patched.build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert inspected["rucas"]["hash"] == content_digest(manifest["inputs_sha256"], manifest["writer_sha256"])
    assert inspected["rucas"]["size"] == (patched.build_dir / "rucas.db").stat().st_size
    cold = build(curated, tmp_path / "cold", cache=False)
    cold_inspected = json.loads((cold.build_dir / "datasette" / "inspect-data.json").read_text(encoding="utf-8"))
    assert cold_inspected["rucas"]["hash"] == inspected["rucas"]["hash"], "the same rows, the same identity"
