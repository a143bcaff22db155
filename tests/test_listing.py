"""Listing the curated folders: a large folder is listed in a second process beside the other, and whatever that
process does (fails, dies, is left waiting), the listing is the same and no process is left behind."""

from __future__ import annotations

import os

import pyarrow as pa
import pytest
from rucas.build.read import corpus as listing


@pytest.fixture()
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the processes forked during a test (each must be gone when side_by_side returns)."""
    made: list[int] = []
    fork = os.fork

    def recorded() -> int:
        child = fork()
        if child:
            made.append(child)
        return child

    monkeypatch.setattr(listing.os, "fork", recorded)
    return made


def _reaped(child: int) -> bool:
    try:
        os.waitpid(child, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_second_function_runs_in_another_process_and_its_result_comes_back(forks: list[int]):
    parent = os.getpid()
    big = "x" * 1_000_000  # larger than a pipe's buffer: handed over while the first runs or after
    here, aside = listing.side_by_side(lambda: os.getpid(), lambda: (os.getpid(), big))
    assert here == parent and aside[0] != parent and aside[1] == big
    assert len(forks) == 1 and _reaped(forks[0])


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_when_the_other_process_fails_the_second_function_runs_here(forks: list[int], failure: str):
    parent = os.getpid()

    def aside() -> str:
        if os.getpid() != parent:
            if failure == "dies":
                os._exit(3)
            raise RuntimeError("failed in the child")
        return "run here"

    assert listing.side_by_side(lambda: "first", aside) == ("first", "run here")
    assert len(forks) == 1 and _reaped(forks[0])


def test_when_the_first_function_fails_the_other_process_is_not_left_waiting(forks: list[int]):
    def here() -> None:
        raise ValueError("the first failed")

    with pytest.raises(ValueError, match="the first failed"):
        listing.side_by_side(here, lambda: "y" * 1_000_000)  # the child blocks on the full pipe until it is closed
    assert len(forks) == 1 and _reaped(forks[0])


def test_a_files_record_is_one_object_while_held_and_its_hash_is_kept_without_it(monkeypatch: pytest.MonkeyPatch):
    import gc
    import hashlib

    from conftest import MINIMAL_CORPUS

    corpus = listing.read_corpus(MINIMAL_CORPUS)
    source_id = corpus.source_ids()[0].as_py()
    held = corpus.articles[source_id]
    assert corpus.articles[source_id] is held, "one record per file while it is held: its bytes are read once"
    expected = hashlib.sha256((MINIMAL_CORPUS / "articles" / f"{source_id}.txt").read_bytes()).hexdigest()
    assert corpus.articles.sha256s(pa.array([source_id])).to_pylist() == [expected]
    del held
    gc.collect()
    read: list[str] = []
    real_read = listing.CuratedFile._read
    monkeypatch.setattr(listing.CuratedFile, "_read", lambda file: read.append(file.relative) or real_read(file))
    assert corpus.articles.sha256s().to_pylist()[corpus.source_ids().to_pylist().index(source_id)] == expected
    assert corpus.articles[source_id].sha256 == expected
    assert read == [], "the hash is kept in the listing's column, not in the record let go"


def test_a_listing_handed_back_by_the_other_process_answers_as_the_one_made_here():
    """The second process hands its ListedFiles back pickled: the same ids, fingerprints and hashes, and records made
    again from them when asked for."""
    import pickle

    from conftest import MINIMAL_CORPUS

    files = listing.read_corpus(MINIMAL_CORPUS).annotations
    hashes = files.sha256s()  # every hash computed here and kept in the column
    handed = pickle.loads(pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL))
    assert list(handed) == list(files) and len(handed) == len(files) >= 1
    assert handed.fingerprint_columns() == files.fingerprint_columns()
    assert handed.sha256s().equals(hashes)
    source_id = list(files)[-1]
    assert source_id in handed and "no-such-article" not in handed and 7 not in handed
    assert handed[source_id].data == files[source_id].data and handed[source_id] is not files[source_id]
    with pytest.raises(KeyError):
        handed["no-such-article"]


def test_every_kind_of_entry_is_a_file_or_an_error_naming_it(tmp_path):
    """The folder's plain files are taken as columns, every other entry is looked at on its own: each is a file of
    the folder (a link to one inside the curated folder) or an error naming it, whatever its name's bytes."""
    root = tmp_path / "curated"
    folder = root / "annotations"
    folder.mkdir(parents=True)
    (folder / "good-one.yaml").write_text("source: {}\n", encoding="utf-8")
    (folder / "zz-target.yaml").write_text("source: {}\n", encoding="utf-8")
    (folder / "linked.yaml").symlink_to(folder / "zz-target.yaml")
    (tmp_path / "outside.yaml").write_text("source: {}\n", encoding="utf-8")
    (folder / "outside-link.yaml").symlink_to(tmp_path / "outside.yaml")
    (folder / "nested.yaml").mkdir()
    os.mkfifo(folder / "pipe.yaml")
    (folder / "too-large.yaml").write_bytes(b"#" * (listing.MAX_FILE_BYTES + 1))
    (folder / "at-the-limit.yaml").write_bytes(b"#" * listing.MAX_FILE_BYTES)
    (folder / "Capital.yaml").write_text("", encoding="utf-8")
    (folder / "caf\u00e9.yaml").write_text("", encoding="utf-8")
    (folder / "notes.txt").write_text("", encoding="utf-8")
    (folder / ".hidden.yaml").write_text("", encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"bad-\xff.yaml"), "wb") as undecodable:
        undecodable.write(b"")

    found = listing._list_folder(root, "curated", "annotations", ".yaml", None)

    by_id = dict(zip(found.ids, zip(*(found.fields[name] for name in listing.FINGERPRINT_FIELDS))))
    assert sorted(by_id) == ["at-the-limit", "good-one", "linked", "zz-target"]
    target = os.stat(folder / "zz-target.yaml")
    assert by_id["linked"] == by_id["zz-target"] == (target.st_size, target.st_mtime_ns, target.st_ctime_ns,
                                                      target.st_ino), "a link inside is its target's file"
    for name in ("good-one", "at-the-limit"):  # the ordinary files, taken without a look of their own
        info = os.lstat(folder / f"{name}.yaml")
        assert by_id[name] == (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    messages = {error.path: error.message for error in found.errors}
    assert set(messages) == {f"curated/annotations/{name}" for name in (
        "outside-link.yaml", "nested.yaml", "pipe.yaml", "too-large.yaml", "Capital.yaml", "caf\u00e9.yaml",
        "notes.txt", repr("bad-\udcff.yaml"))}
    assert "points outside the curated folder" in messages["curated/annotations/outside-link.yaml"]
    assert "folder inside annotations/" in messages["curated/annotations/nested.yaml"]
    assert "a named pipe" in messages["curated/annotations/pipe.yaml"]
    assert "byte limit" in messages["curated/annotations/too-large.yaml"]
    assert "not a valid source id" in messages["curated/annotations/Capital.yaml"]
    assert "not a valid source id" in messages[f"curated/annotations/{repr('bad-' + chr(0xdcff) + '.yaml')}"]
    assert "unexpected file" in messages["curated/annotations/notes.txt"]
