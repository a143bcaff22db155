"""Every id or name that becomes part of a path is checked whole before it is used: none walks out of its folder.

The places: `rucas new` (the article's and annotation's files), `rucas check` (the files it reads),
and a release's folder and archive (named by the build's version). Cache files and Parquet files are
named by table names from schema/ and hashes, never by curated ids; the site maps no id to a file (rows,
review pages' included, are read from the database: test_site checks that /-/review/ answers 404 to
anything but a whole source id).
"""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS
from rucas.build.cli import main as rucas
from rucas.build.curate.source_ids import MAX_SOURCE_ID_LENGTH, source_id_problem
from rucas.build.pipeline import build
from rucas.build.release.release import ReleaseError, make_release
from rucas.build.release.version_scheme import is_dataset_version

ESCAPING_IDS = ["a/../../../pwned", "a/b", "../pwned", "/tmp/pwned", "a\\b", "ok-id\n", "ok-id/", ".", "..",
                "a" * (MAX_SOURCE_ID_LENGTH + 1), "", "Upper", "a--b", "-a"]


@pytest.mark.parametrize("source_id", ESCAPING_IDS)
def test_only_a_whole_slug_of_bounded_length_is_a_source_id(source_id: str):
    assert source_id_problem(source_id) is not None
    assert source_id_problem("eurasianet-russia-turns-down-kyrgyzstans-plea") is None


@pytest.mark.parametrize("source_id", ["a/../../../pwned", "a/b", "a" * 300, "x\n"])
def test_rucas_new_writes_nothing_for_an_id_that_is_no_source_id(tmp_path: Path, source_id: str, capsys):
    corpus = Path(shutil.copytree(MINIMAL_CORPUS, tmp_path / "work" / "curated"))
    before = sorted(p for p in tmp_path.rglob("*"))
    article = tmp_path / "page.txt"
    article.write_text("Russia Turns Down a Plea\n\nRussia said on Monday it would not send troops to the region.\n")
    assert rucas(["new", str(article), "--source-id", source_id, "--curated", str(corpus)]) == 1
    error = capsys.readouterr().err
    assert "cannot name the article's files" in error and "Fix: pass --source-id" in error
    assert sorted(p for p in tmp_path.rglob("*") if p != article) == before


def test_rucas_new_does_not_write_through_a_link_in_the_curated_folder(tmp_path: Path, capsys):
    corpus = Path(shutil.copytree(MINIMAL_CORPUS, tmp_path / "curated"))
    outside = tmp_path / "outside.txt"
    (corpus / "articles" / "planted.txt").symlink_to(outside)  # dangling: exists() would say no file is there
    article = tmp_path / "page.txt"
    article.write_text("Russia Turns Down a Plea\n\nRussia said on Monday it would not send troops to the region.\n")
    assert rucas(["new", str(article), "--source-id", "planted", "--curated", str(corpus)]) == 1
    assert "exists already" in capsys.readouterr().err
    assert not outside.exists()


@pytest.mark.parametrize("source_id", ["a/../../x", "../annotations/eurasianet-russia-turns-down-kyrgyzstans-plea",
                                       "a" * 300])
def test_rucas_check_refuses_an_id_that_is_no_source_id(source_id: str, capsys):
    assert rucas(["check", source_id, "--curated", str(MINIMAL_CORPUS)]) == 1
    assert "is not a source id" in capsys.readouterr().err


@pytest.mark.parametrize("version", ["0.1.0+../../../pwned", "../0.1.0+8ab8a272c719", "0.1.0+8ab8a272c719/x",
                                     "0.1.0"])
def test_a_release_is_named_only_by_a_whole_dataset_version(version: str):
    assert not is_dataset_version(version)
    assert is_dataset_version("0.1.0+8ab8a272c719") and is_dataset_version("1.2.0rc1+8ab8a272c719")


def test_a_build_whose_manifest_names_a_path_as_its_version_is_not_released(tmp_path: Path):
    output = build(MINIMAL_CORPUS, tmp_path / "out").output_dir
    manifest_path = output.resolve() / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["version"] = "0.1.0+../../../pwned"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ReleaseError, match="is not a dataset version"):
        make_release(output, tmp_path / "releases", released=datetime.date(2026, 11, 1))
    assert not (tmp_path / "pwned").exists() and not list((tmp_path / "releases").glob("*"))
