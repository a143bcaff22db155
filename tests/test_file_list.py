"""A build's inputs and outputs are held as columns (FileList): the manifest they make is the one the entries as
dicts made, and what a rebuild decides from them (which inputs changed, which outputs it takes over) is exact."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from rucas.build.read.corpus import FINGERPRINT_COLUMNS, read_corpus
from rucas.build.read.file_list import INPUT_FIELDS, OUTPUT_FIELDS, FileList
from rucas.build.validate import cache
from rucas.build.write.manifest import manifest_text, write_manifest

INPUTS = [{"path": "annotations/a.yaml", "sha256": "1" * 64, "bytes": 10},
          {"path": "articles/a.txt", "sha256": "2" * 64, "bytes": 2_000},
          {"path": "articles/é-b.txt", "sha256": "3" * 64, "bytes": 0}]


def test_entries_come_back_as_they_went_in_with_the_manifests_key_order():
    inputs = FileList.from_entries(INPUTS)
    assert inputs.entries() == INPUTS
    assert [list(entry) for entry in inputs.entries()] == [list(INPUT_FIELDS)] * 3
    outputs = FileList.from_entries([{"path": "rucas.duckdb", "bytes": None, "sha256": None}], OUTPUT_FIELDS)
    assert outputs.json_lines() == ['{"path": "rucas.duckdb", "bytes": null, "sha256": null}']


def test_the_manifest_text_of_columns_is_that_of_the_same_entries_as_dicts():
    columns = {"version": "1", "inputs": FileList.from_entries(INPUTS), "outputs": FileList.empty(OUTPUT_FIELDS)}
    dicts = {"version": "1", "inputs": INPUTS, "outputs": []}
    assert manifest_text(columns) == manifest_text(dicts)
    assert json.loads(manifest_text(columns)) == dicts


def test_the_digest_hashes_each_path_and_hash_in_order():
    expected = hashlib.sha256("".join(f"{e['path']}\0{e['sha256']}\n" for e in INPUTS).encode()).hexdigest()
    assert FileList.from_entries(INPUTS).digest() == expected
    assert FileList.from_entries(INPUTS[::-1]).digest() != expected


def test_the_digest_of_any_path_and_of_a_missing_hash_is_that_of_their_lines_as_text():
    """The dataset's version is made from this digest: it is the same whatever computes it, for paths of other
    scripts and a hash not known (written None), and for no files at all."""
    entries = [{"path": "articles/é-日本.txt", "sha256": None, "bytes": 3},
               {"path": "annotations/emoji-\U0001f600.yaml", "sha256": "a" * 64, "bytes": None}]
    lines = "".join(f"{entry['path']}\0{entry['sha256']}\n" for entry in entries)
    assert FileList.from_entries(entries).digest() == hashlib.sha256(lines.encode()).hexdigest()
    assert FileList.empty().digest() == hashlib.sha256(b"").hexdigest()


def test_changed_paths_are_those_added_removed_or_with_another_hash():
    before = FileList.from_entries(INPUTS)
    after = FileList.from_entries([INPUTS[0], {**INPUTS[1], "sha256": "9" * 64},
                                   {"path": "articles/c.txt", "sha256": "4" * 64, "bytes": 1}])
    assert after.changed_paths(before) == {"articles/a.txt", "articles/é-b.txt", "articles/c.txt"}
    assert before.changed_paths(before) == set()


@pytest.mark.parametrize("entry", [{"sha256": "1", "bytes": 1}, {"path": 3, "sha256": "1", "bytes": 1},
                                   {"path": "a", "sha256": "1", "bytes": "many"}, "articles/a.txt"])
def test_a_damaged_manifest_entry_is_refused_not_misread(entry):
    with pytest.raises(ValueError):
        FileList.from_entries([INPUTS[0], entry])


def test_only_and_concatenation_keep_order_and_key_order():
    inputs = FileList.from_entries(INPUTS)
    assert inputs.only(["articles/a.txt", "nowhere"]).entries() == [INPUTS[1]]
    added = FileList.from_entries([{"path": "z", "bytes": 1, "sha256": "5" * 64}], OUTPUT_FIELDS)
    assert (inputs + added).entries()[-1] == {"path": "z", "sha256": "5" * 64, "bytes": 1}


def test_write_manifest_takes_known_outputs_over_and_hashes_the_rest(tmp_path: Path):
    (tmp_path / "b.txt").write_text("bee", encoding="utf-8")
    (tmp_path / "a.txt").write_text("ay", encoding="utf-8")
    (tmp_path / "rucas.duckdb").write_bytes(b"not reproducible")
    known = FileList.from_entries([{"path": "b.txt", "bytes": 99, "sha256": "taken over"},
                                   {"path": "gone.txt", "bytes": 1, "sha256": "not in the folder"}], OUTPUT_FIELDS)
    write_manifest(tmp_path / "manifest.json", version="v", inputs=FileList.from_entries(INPUTS), build_dir=tmp_path,
                   row_counts={}, known_outputs=known)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"] == [
        {"path": "a.txt", "bytes": 2, "sha256": hashlib.sha256(b"ay").hexdigest()},
        {"path": "b.txt", "bytes": 99, "sha256": "taken over"},
        {"path": "rucas.duckdb", "bytes": None, "sha256": None}]
    assert manifest["inputs"] == INPUTS


def test_write_manifest_gives_the_size_but_no_hash_of_rucas_db_and_of_the_link_to_it(tmp_path: Path):
    """A rebuild patches rucas.db in place, so its bytes follow the edits as well as the input: the manifest gives
    its size, not a hash (PATCHED_IN_PLACE); a release hashes the rucas.db it writes anew."""
    (tmp_path / "rucas.db").write_bytes(b"database")
    (tmp_path / "rucas.duckdb").write_bytes(b"not reproducible")
    (tmp_path / "datasette").mkdir()
    (tmp_path / "datasette" / "rucas.db").symlink_to("../rucas.db")
    (tmp_path / "z.txt").write_text("zed", encoding="utf-8")
    write_manifest(tmp_path / "manifest.json", version="v", inputs=FileList.from_entries(INPUTS), build_dir=tmp_path,
                   row_counts={})
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"] == [{"path": "datasette/rucas.db", "bytes": 8, "sha256": None},
                                   {"path": "rucas.db", "bytes": 8, "sha256": None},
                                   {"path": "rucas.duckdb", "bytes": None, "sha256": None},
                                   {"path": "z.txt", "bytes": 3, "sha256": hashlib.sha256(b"zed").hexdigest()}]


def test_write_manifest_hashes_a_file_named_like_rucas_db_elsewhere_in_the_build(tmp_path: Path):
    """Only the build's own rucas.db (and links to it) goes unhashed, not any file of that name."""
    (tmp_path / "rucas.db").write_bytes(b"database")
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "rucas.db").write_bytes(b"another file")
    write_manifest(tmp_path / "manifest.json", version="v", inputs=FileList.empty(), build_dir=tmp_path, row_counts={})
    outputs = {entry["path"]: entry for entry in json.loads((tmp_path / "manifest.json").read_text())["outputs"]}
    assert outputs["records/rucas.db"]["sha256"] == hashlib.sha256(b"another file").hexdigest()
    assert outputs["rucas.db"]["sha256"] is None


def test_the_inputs_digest_is_computed_once_and_is_that_of_the_paths_and_hashes():
    inputs = FileList.from_entries(INPUTS)
    assert inputs.digest() is inputs.digest()
    assert inputs.digest() == FileList.from_entries(INPUTS).digest()


def test_write_manifest_refuses_known_outputs_that_list_a_file_twice(tmp_path: Path):
    (tmp_path / "a.txt").write_text("ay", encoding="utf-8")
    twice = FileList.from_entries([{"path": "a.txt", "bytes": 2, "sha256": "x"}] * 2, OUTPUT_FIELDS)
    with pytest.raises(ValueError, match="twice"):
        write_manifest(tmp_path / "manifest.json", version="v", inputs=FileList.empty(), build_dir=tmp_path,
                       row_counts={}, known_outputs=twice)


def test_the_cache_keeps_each_files_fingerprint_and_hash_as_the_listing_gave_them(tmp_path: Path, curated_dir: Path):
    corpus = read_corpus(curated_dir)
    cache.save(tmp_path, {}, corpus.fingerprints(), {})
    known = cache.load_fingerprints(tmp_path)
    rows = [(path, (size, mtime, ctime, inode), sha) for path, size, mtime, ctime, inode, sha
            in zip(*(known.column(name).to_pylist() for name in FINGERPRINT_COLUMNS))]
    assert rows == sorted((file.relative, file.fingerprint, file.sha256) for file in corpus.files())


def test_each_entry_is_written_as_json_dumps_writes_it_whatever_its_path_holds():
    """Arrow quotes plain paths itself and hands the others to json's encoder: every ASCII character (each alone
    and among plain ones), letters of other scripts, one outside the Basic Multilingual Plane, null sizes and
    hashes, and the extremes of a size."""
    names = [chr(code) for code in range(128)] + [f"articles/a{chr(code)}b.txt" for code in range(128)]
    names += ['a"quoted\\back\tslash', "é/ü/日本.txt", "\x7f\x00control", "emoji-\U0001f600.txt", "", "~ !#[]"]
    sizes = [0, 1, None, 2**40, 2**63 - 1, -1]
    hashes = ["1" * 64, None, "2" * 64]
    odd = [{"path": name, "sha256": hashes[index % 3], "bytes": sizes[index % 6]} for index, name in enumerate(names)]
    for fields in (INPUT_FIELDS, OUTPUT_FIELDS):
        entries = [{name: entry[name] for name in fields} for entry in odd]
        assert FileList.from_entries(entries, fields).json_lines() == [json.dumps(entry) for entry in entries]
