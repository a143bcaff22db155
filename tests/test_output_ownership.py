"""A build replaces only what RUCAS made in the output folder; anything else stops it before it changes a file.

RUCAS's own: the links it publishes (to .builds/current/<name>) and the folders .builds/ and .cache/
once they hold its made-by-rucas marker (or, in a checkout built before markers, only names a build
gives). A failed build (a full disk, a corrupt previous build) says what to do and leaves the
published build as it was.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import socket
from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS
from rucas.build.cli import main as rucas
from rucas.build.publish.atomic import MARKER, OUTPUT_NAMES


def _tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links not followed) with the SHA-256 of its bytes or its link target."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _build(output: Path, *extra: str) -> int:
    return rucas(["build", "--curated", str(MINIMAL_CORPUS), "--output", str(output), "--quiet", *extra])


@pytest.fixture()
def users_folder(tmp_path: Path) -> Path:
    """A folder of the user's own that happens to use the names a build publishes."""
    folder = tmp_path / "my-project"
    (folder / "annotations").mkdir(parents=True)
    (folder / "annotations" / "notes.md").write_text("my annotations\n")
    (folder / "parquet").mkdir()
    (folder / "parquet" / "survey.parquet").write_bytes(b"my data")
    (folder / "manifest.json").write_text('{"mine": true}\n')
    for name in ("rucas.db", "rucas.duckdb"):
        (folder / name).write_bytes(b"my database")
    (folder / "datasette").mkdir()
    (folder / "datasette" / "metadata.json").write_text("{}\n")
    return folder


@pytest.mark.parametrize("name", ["parquet", "manifest.json", "rucas.db", "rucas.duckdb", "datasette"])
def test_a_build_never_replaces_a_users_file_or_folder_of_a_published_name(tmp_path: Path, name: str, capsys):
    output = tmp_path / "out"
    output.mkdir()
    own = output / name
    if "." in name:
        own.write_text("mine\n")
    else:
        own.mkdir()
        (own / "notes.txt").write_text("mine\n")
    before = _tree(output)
    assert _build(output) == 1
    error = capsys.readouterr().err
    assert str(own) in error and "was not made by RUCAS" in error and "Fix:" in error
    assert _tree(output) == before  # nothing deleted, nothing added (no .builds/ either)


def test_a_folder_full_of_the_users_outputs_is_left_exactly_as_it_was(users_folder: Path, capsys):
    before = _tree(users_folder)
    assert _build(users_folder) == 1
    assert "Nothing was changed" in capsys.readouterr().err
    assert _tree(users_folder) == before


def test_serve_refuses_a_users_folder_before_building_into_it(users_folder: Path, capsys):
    before = _tree(users_folder)
    assert rucas(["serve", "--output", str(users_folder), "--port", "1"]) == 1
    assert "was not made by RUCAS" in capsys.readouterr().err
    assert _tree(users_folder) == before


@pytest.mark.parametrize("folder", [".builds", ".cache"])
def test_a_hidden_folder_of_another_tool_under_a_build_name_is_not_taken_over(tmp_path: Path, folder: str, capsys):
    output = tmp_path / "out"
    (output / folder).mkdir(parents=True)
    (output / folder / "settings.toml").write_text("another tool\n")
    before = _tree(output)
    assert _build(output) == 1
    assert f"{output / folder}: exists and was not made by RUCAS" in capsys.readouterr().err
    assert _tree(output) == before


def test_publish_config_writes_only_into_a_new_empty_or_own_folder(tmp_path: Path, capsys):
    output = tmp_path / "out"
    assert _build(output) == 0
    theirs = tmp_path / "theirs"
    (theirs / "templates").mkdir(parents=True)
    (theirs / "templates" / "index.html").write_text("my site\n")
    assert rucas(["publish-config", "--output", str(output), "--to", str(theirs)]) == 1
    assert "was not made by RUCAS" in capsys.readouterr().err
    assert (theirs / "templates" / "index.html").read_text() == "my site\n"
    ours = tmp_path / "ours"
    assert rucas(["publish-config", "--output", str(output), "--to", str(ours)]) == 0
    assert rucas(["publish-config", "--output", str(output), "--to", str(ours)]) == 0  # its own: written again
    assert (ours / MARKER).is_file() and (ours / "metadata.json").is_file()


def test_the_first_build_into_a_new_or_empty_folder_publishes_links_and_marks_its_folders(tmp_path: Path):
    for output in (tmp_path / "new", tmp_path / "empty"):
        if output.name == "empty":
            output.mkdir()
        assert _build(output) == 0
        assert _build(output) == 0  # and rebuilds over its own links
        for name in OUTPUT_NAMES:
            assert os.readlink(output / name) == f".builds/current/{name}"
        assert (output / ".builds" / MARKER).is_file() and (output / ".cache" / MARKER).is_file()


def test_a_checkout_built_before_markers_is_recognised_by_its_links_and_builds_again(tmp_path: Path):
    output = tmp_path / "dataset"
    assert _build(output) == 0
    for folder in (".builds", ".cache"):
        (output / folder / MARKER).unlink()  # as a build made before markers left it
    (output / "__init__.py").write_text("# the package's own file beside the outputs\n")
    assert _build(output, "--cold") == 0
    assert (output / ".builds" / MARKER).is_file()
    assert (output / "__init__.py").read_text() == "# the package's own file beside the outputs\n"


def test_a_corrupt_manifest_of_its_own_build_is_replaced_by_a_cold_build(tmp_path: Path, capsys):
    output = tmp_path / "out"
    assert _build(output) == 0
    (output / ".builds" / "current" / "manifest.json").write_text('{"version": "0.1')
    assert rucas(["stats", "--output", str(output)]) == 1
    error = capsys.readouterr().err
    assert "manifest.json: cannot be read as a build's manifest" in error and "Fix: run `rucas build`" in error
    assert _build(output) == 0
    assert rucas(["stats", "--output", str(output), "--json"]) == 0


def test_a_full_disk_during_a_build_is_a_message_and_the_previous_build_stays(tmp_path: Path, monkeypatch, capsys):
    import rucas.build.write.parquet as parquet

    output = tmp_path / "out"
    assert _build(output) == 0
    before = _tree(output.resolve() / ".builds" / "current")
    current = os.readlink(output / ".builds" / "current")

    def disk_full(tables, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "actors.parquet").write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device", str(directory / "actors.parquet"))

    monkeypatch.setattr(parquet, "write_parquet", disk_full)
    capsys.readouterr()
    assert _build(output, "--cold") == 1
    error = capsys.readouterr().err
    assert "no space left on the device" in error and "Fix: free space" in error
    assert os.readlink(output / ".builds" / "current") == current
    assert _tree(output.resolve() / ".builds" / "current") == before
    assert not list((output / ".builds").glob("staging-*"))  # the half-written build gave its space back


@pytest.mark.parametrize("command", ["build", "stats", "serve"])
def test_an_output_path_that_is_a_file_is_refused_with_a_message(tmp_path: Path, command: str, capsys):
    afile = tmp_path / "output"
    afile.write_text("a file\n")
    assert rucas([command, "--output", str(afile)]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert afile.read_text() == "a file\n"


def test_a_cache_path_that_is_a_file_is_refused_with_a_message(tmp_path: Path, capsys):
    output = tmp_path / "out"
    output.mkdir()
    (output / ".cache").write_text("a file\n")
    assert _build(output) == 1
    assert f"{output / '.cache'}: exists and was not made by RUCAS" in capsys.readouterr().err
    assert rucas(["validate", "--curated", str(MINIMAL_CORPUS), "--cache-dir", str(output / ".cache"),
                  "--quiet"]) == 0  # validation only reads a cache: one it cannot read is no cache
    assert (output / ".cache").read_text() == "a file\n"


def test_a_build_of_a_copied_checkout_keeps_the_users_files_beside_the_outputs(tmp_path: Path):
    output = tmp_path / "out"
    assert _build(output) == 0
    (output / "my-notes.txt").write_text("mine\n")
    shutil.copytree(output / "annotations", tmp_path / "annotations-copy")  # reading outputs is fine
    assert _build(output, "--cold") == 0
    assert (output / "my-notes.txt").read_text() == "mine\n"


def test_a_build_removes_the_review_link_of_an_older_build_and_leaves_a_users_review_folder(tmp_path: Path):
    output = tmp_path / "out"
    assert _build(output) == 0
    (output / "review").symlink_to(".builds/current/review")  # builds wrote review pages there once
    assert _build(output, "--cold") == 0
    assert not os.path.lexists(output / "review")
    (output / "review").mkdir()
    (output / "review" / "notes.md").write_text("mine\n")
    assert _build(output, "--cold") == 0
    assert (output / "review" / "notes.md").read_text() == "mine\n"


def test_serve_and_publish_config_read_a_release_folder_without_refusing_it(tmp_path: Path, capsys):
    import datetime

    from rucas.build.release.release import make_release

    output = tmp_path / "out"
    assert _build(output) == 0
    release = make_release(output, tmp_path / "releases", released=datetime.date(2026, 11, 1)).release.folder
    before = _tree(release)
    with socket.socket() as taken:  # a port in use: serving gets as far as listening, then stops with a message
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert rucas(["serve", "--output", str(release), "--port", str(taken.getsockname()[1])]) == 1
    error = capsys.readouterr().err
    assert "was not made by RUCAS" not in error and "rucas serve:" in error
    assert rucas(["publish-config", "--output", str(release), "--to", str(tmp_path / "config")]) == 0
    assert _tree(release) == before
