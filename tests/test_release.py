"""Releases a researcher can pin, diff and cite: stable ids, exact CHANGES, reproducible bytes, pinned loads."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tarfile
from pathlib import Path

import duckdb
import pytest
import rucas
import yaml
from rucas.build.cli import main
from rucas.build.pipeline import build
from rucas.build.release.archive import write_archive
from rucas.build.release.citation import citation_cff
from rucas.build.release.diff import ChangedRow, DatasetDiff, RelationDiff, diff_builds
from rucas.build.release.release import ReleaseError, make_release
from rucas.build.release.site import FRAGMENT
from rucas.build.release.version_scheme import required_bump, version_warning
from rucas.queries import view_files
from rucas.schema import table_specs

REPO = Path(__file__).resolve().parent.parent
FIRST_DAY = datetime.date(2026, 11, 1)
SECOND_DAY = datetime.date(2026, 11, 2)

MINIMAL_ANNOTATION = "annotations/eurasianet-russia-turns-down-kyrgyzstans-plea.yaml"
REFUSAL = "russia-refuses-kyrgyz-request-2010-06-12"
"""The minimal corpus's event of Russia refusing Kyrgyzstan's request, the row the edits below touch."""

CSTO_MEETING = "csto-security-council-meeting-on-kyrgyzstan-2010-06-14"
"""In the curated corpus, the CSTO security council meeting called for 14 June 2010."""


def _edit(corpus: Path, relative: str, old: str, new: str) -> None:
    """Replace text that occurs exactly once in one curated file."""
    path = corpus / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected {old!r} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _primary_keys(folder: Path) -> dict[str, set[tuple]]:
    con = duckdb.connect()
    try:
        return {spec.name: set(con.execute(f"SELECT {', '.join(spec.primary_key)} FROM "
                                           f"read_parquet('{folder / 'parquet' / spec.name}.parquet')").fetchall())
                for spec in table_specs()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def minimal_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal corpus, built as it is."""
    from conftest import MINIMAL_CORPUS

    return build(MINIMAL_CORPUS, tmp_path_factory.mktemp("minimal-build")).output_dir


def _build_edited(tmp_path: Path, relative: str, old: str, new: str) -> Path:
    from conftest import MINIMAL_CORPUS

    corpus = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, corpus)
    _edit(corpus, relative, old, new)
    return build(corpus, tmp_path / "build").output_dir


# --- keys and stable ids ------------------------------------------------------------------------------


def test_every_view_states_a_key_that_identifies_its_rows(duck):
    for view in view_files():
        assert view.key, f"{view.path}: state the view's key with a `-- key: column, column` line"
        columns = ", ".join(view.key)
        duplicates = duck.sql(f"SELECT {columns}, count(*) FROM {view.name} GROUP BY ALL HAVING count(*) > 1").fetchall()
        assert duplicates == [], f"{view.name}: its key ({columns}) repeats: {duplicates[:3]}"


@pytest.mark.slow
def test_editing_one_events_summary_changes_no_other_rows_id(minimal_build: Path, tmp_path: Path):
    edited = _build_edited(tmp_path, MINIMAL_ANNOTATION, "Russia declines immediate military assistance",
                           "Russia refuses immediate military assistance")
    assert _primary_keys(edited) == _primary_keys(minimal_build)
    diff = diff_builds(minimal_build, edited)
    assert [(r.name, [c.key for c in r.changed], [list(c.columns) for c in r.changed])
            for r in diff.tables if not r.unchanged] == [("events", [{"event_id": REFUSAL}], [["summary"]])]
    assert all(not r.added and not r.removed for r in diff.relations)
    assert required_bump(diff)[0] == "patch"


@pytest.mark.slow
def test_a_renamed_event_id_shows_as_a_removal_plus_an_addition(minimal_build: Path, tmp_path: Path):
    from conftest import MINIMAL_CORPUS

    corpus = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, corpus)
    annotation = corpus / MINIMAL_ANNOTATION
    annotation.write_text(annotation.read_text(encoding="utf-8").replace(REFUSAL, "russia-declines-kyrgyz-request"),
                          encoding="utf-8")
    diff = diff_builds(minimal_build, build(corpus, tmp_path / "build").output_dir)
    events = diff.of("events")
    assert events.removed == [{"event_id": REFUSAL}]
    assert events.added == [{"event_id": "russia-declines-kyrgyz-request"}]
    assert events.changed == []
    assert {row["event_id"] for row in diff.of("claims").removed} == {REFUSAL}
    assert required_bump(diff)[0] == "major"


def test_removed_rows_need_a_major_release_added_rows_a_minor_and_corrections_a_patch():
    def one_table(**changes) -> DatasetDiff:
        return DatasetDiff("0.1.0+aaa", "0.1.1+bbb", [RelationDiff("events", "table", ("event_id",), 2, 2, **changes)])

    assert required_bump(one_table(removed=[{"event_id": "x"}]))[0] == "major"
    assert required_bump(one_table(added=[{"event_id": "y"}]))[0] == "minor"
    assert required_bump(one_table(columns_removed=["summary"]))[0] == "major"
    corrected = one_table(changed=[ChangedRow({"event_id": "x"}, {"summary": ("old", "new")})])
    assert required_bump(corrected)[0] == "patch"
    assert required_bump(one_table())[0] == "none"
    assert version_warning(one_table(added=[{"event_id": "y"}])) is not None  # 0.1.0 -> 0.1.1 is only a patch
    assert version_warning(DatasetDiff("0.1.0+aaa", "0.2.0+bbb", one_table(added=[{"event_id": "y"}]).relations)) is None


# --- diff ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_diff_json_lists_per_table_and_view_the_rows_added_removed_and_changed(minimal_build: Path, tmp_path: Path):
    edited = _build_edited(tmp_path, MINIMAL_ANNOTATION, "Russia declines immediate military assistance",
                           "Russia refuses immediate military assistance")
    out = tmp_path / "changes.json"
    assert main(["diff", str(minimal_build), str(edited), "--format", "json", "--out", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["old_version"] == rucas.manifest(minimal_build)["version"]
    assert document["new_version"] == rucas.manifest(edited)["version"]
    assert document["required_bump"] == "patch"
    names = [relation["name"] for relation in document["relations"]]
    assert names == [spec.name for spec in table_specs()] + [view.name for view in view_files()]
    for relation in document["relations"]:
        assert set(relation) >= {"name", "kind", "compared_by", "rows_old", "rows_new", "added", "removed", "changed"}
    events = document["relations"][names.index("events")]
    assert events["compared_by"] == ["event_id"]
    assert events["changed"] == [{"key": {"event_id": REFUSAL},
                                  "columns": {"summary": {
                                      "old": "Russia declines immediate military assistance to Kyrgyzstan.",
                                      "new": "Russia refuses immediate military assistance to Kyrgyzstan."}}}]
    timeline = document["relations"][names.index("assistance_timeline")]
    assert [row["key"] for row in timeline["changed"]] == [{"event_id": REFUSAL}]
    assert main(["diff", str(minimal_build), str(edited), "--out", str(tmp_path / "CHANGES")]) == 0
    text = (tmp_path / "CHANGES").read_text(encoding="utf-8")
    assert f"~ event_id={REFUSAL}: summary" in text


# --- releases of the curated corpus --------------------------------------------------------------------


@pytest.fixture(scope="module")
def curated_releases(tmp_path_factory: pytest.TempPathFactory, curated_dir: Path, output_dir: Path) -> dict[str, Path]:
    """Two releases of the curated corpus with one edit between them, and the first released again twice: from a
    second, independent cold build of the same input into another folder, and from a patched build of it (the
    edit made and undone in the folder of the second release's build)."""
    root = tmp_path_factory.mktemp("releases")
    first = make_release(output_dir, root / "releases", released=FIRST_DAY).release.folder
    corpus = root / "curated"
    shutil.copytree(curated_dir, corpus)
    _edit(corpus, "annotations/eurasianet-russia-turns-down-kyrgyzstans-plea.yaml",
          "to formulate a response to the Kyrgyz crisis", "to agree a response to the Kyrgyz crisis")
    edited = build(corpus, root / "edited-build").output_dir
    second = make_release(edited, root / "releases", released=SECOND_DAY).release.folder
    rebuilt = build(curated_dir, root / "rebuilt", cache=False).output_dir
    assert main(["release", "--output", str(rebuilt), "--to", str(root / "releases-again"),
                 "--date", FIRST_DAY.isoformat()]) == 0
    (again,) = (root / "releases-again").iterdir()
    _edit(corpus, "annotations/eurasianet-russia-turns-down-kyrgyzstans-plea.yaml",
          "to agree a response to the Kyrgyz crisis", "to formulate a response to the Kyrgyz crisis")
    undone = build(corpus, edited)
    assert undone.patched, "the build of the undone edit must patch the edited build"
    patched = make_release(edited, root / "releases-patched", released=FIRST_DAY).release.folder
    return {"first": first, "second": second, "again": again, "patched": patched, "releases": root / "releases"}


@pytest.mark.slow
def test_two_releases_with_one_edit_have_changes_naming_exactly_that_edit(curated_releases: dict[str, Path]):
    first, second = curated_releases["first"], curated_releases["second"]
    changes = json.loads((second / "changes.json").read_text(encoding="utf-8"))
    assert changes["old_version"] == json.loads((first / "release.json").read_text())["version"]
    tables = set(rucas.table_names())
    edits = [(relation["name"], row["key"], row["columns"])
             for relation in changes["relations"] if relation["name"] in tables for row in relation["changed"]]
    assert edits == [("events", {"event_id": CSTO_MEETING}, {"summary": {
        "old": "A meeting of the CSTO security council is scheduled for 14 June 2010 to formulate a response to "
               "the Kyrgyz crisis.",
        "new": "A meeting of the CSTO security council is scheduled for 14 June 2010 to agree a response to the "
               "Kyrgyz crisis."}})]
    # Views follow from the tables: only rows of that event change, and only in its summary.
    followed = [(row["key"], set(row["columns"])) for relation in changes["relations"]
                if relation["name"] not in tables for row in relation["changed"]]
    assert all(key["event_id"] == CSTO_MEETING and columns == {"summary"} for key, columns in followed)
    assert all(not relation["added"] and not relation["removed"] for relation in changes["relations"])
    text = (second / "CHANGES").read_text(encoding="utf-8")
    changed_lines = {line.strip() for line in text.splitlines() if line.lstrip().startswith(("~", "+", "-"))}
    assert f"~ event_id={CSTO_MEETING}: summary" in changed_lines
    assert all(line.startswith(f"~ event_id={CSTO_MEETING}") and line.endswith(": summary") for line in changed_lines)
    assert "Kind of change: patch" in text


@pytest.mark.slow
@pytest.mark.parametrize("other", ["again", "patched"])
def test_a_release_of_the_same_input_is_byte_for_byte_the_same_from_a_cold_or_a_patched_build(
        curated_releases: dict[str, Path], other: str):
    first, again = curated_releases["first"], curated_releases[other]
    assert (first / "SHA256SUMS").read_bytes() == (again / "SHA256SUMS").read_bytes()
    archive = f"rucas-{first.name}.tar.gz"
    assert (first / archive).read_bytes() == (again / archive).read_bytes()


RELEASE_SITE_FILES = {"datasette/metadata.json", f"datasette/templates/{FRAGMENT}"}
"""The build's files the release changes on purpose (its version and changes on the site), which README.txt says
differ from the copied manifest."""


@pytest.mark.slow
@pytest.mark.parametrize("which", ["first", "patched"])
def test_a_releases_manifest_and_inspect_data_describe_its_own_rucas_db(curated_releases: dict[str, Path], which: str):
    from rucas.build.write.sqlite_db import table_counts

    release = curated_releases[which]
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    stale = [entry["path"] for entry in manifest["outputs"] if entry["sha256"] is not None
             and entry["path"] not in RELEASE_SITE_FILES
             and ((release / entry["path"]).stat().st_size, hashlib.sha256((release / entry["path"]).read_bytes())
                  .hexdigest()) != (entry["bytes"], entry["sha256"])]
    assert stale == []  # datasette/rucas.db, a link to ../rucas.db, included
    assert [entry["path"] for entry in manifest["outputs"] if entry["sha256"] is None] == ["rucas.duckdb"], \
        "the build's manifest gave rucas.db no hash; the release's, written anew, has one"
    inspected = json.loads((release / "datasette" / "inspect-data.json").read_text(encoding="utf-8"))["rucas"]
    database = release / "rucas.db"
    assert inspected["hash"] == hashlib.sha256(database.read_bytes()).hexdigest()
    assert inspected["size"] == database.stat().st_size
    assert {name: table["count"] for name, table in inspected["tables"].items()} == table_counts(database, {})


@pytest.mark.slow
def test_sha256sums_and_the_archive_cover_every_release_file_but_the_duckdb_file(curated_releases: dict[str, Path]):
    second = curated_releases["second"]
    listed = {}
    for line in (second / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
        assert hashlib.sha256((second / name).read_bytes()).hexdigest() == digest, name
    assert "rucas.duckdb" not in listed and "CHANGES" in listed and "CITATION.cff" in listed
    assert {"parquet/events.parquet", "rucas.db", "datapackage.json", "changes.json"} <= set(listed)
    with tarfile.open(second / f"rucas-{second.name}.tar.gz") as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}
        assert all(m.mtime == archive.getmembers()[0].mtime and m.uid == 0 for m in archive.getmembers())
    assert members == set(listed) | {"SHA256SUMS"}


@pytest.mark.slow
def test_a_release_cites_its_version_and_date(curated_releases: dict[str, Path]):
    second = curated_releases["second"]
    cff = yaml.safe_load((second / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["version"] == second.name
    assert cff["date-released"] == SECOND_DAY.isoformat()
    assert cff["type"] == "dataset" and cff["license"] == "CC-BY-4.0"


@pytest.mark.slow
def test_load_reads_the_release_it_is_asked_for_and_says_which(curated_releases: dict[str, Path], monkeypatch):
    monkeypatch.setenv("RUCAS_RELEASES_DIR", str(curated_releases["releases"]))
    first, second = curated_releases["first"].name, curated_releases["second"].name
    assert rucas.release_versions() == [first, second]
    for version, words in ((first, "to formulate a response"), (second, "to agree a response")):
        events = rucas.load("events", version=version)
        assert events.attrs["rucas_version"] == version
        assert words in events.set_index("event_id").loc[CSTO_MEETING, "summary"]
    assert rucas.load("assistance_timeline", version=first).attrs["rucas_version"] == first
    with pytest.raises(LookupError, match="give the full version"):
        rucas.load("events", version=first.split("+")[0])


@pytest.mark.slow
def test_the_release_site_shows_its_version_changes_and_review_pages(curated_releases: dict[str, Path], output_dir: Path):
    from rucas.build.publish.serve import datasette_app

    async def page(folder: Path, path: str) -> str:
        response = await datasette_app(folder).client.get(path)
        assert response.status_code == 200, path
        return response.text

    second = curated_releases["second"]
    changes = asyncio.run(page(second, "/changes"))
    assert f"Release <strong>{second.name}</strong>, released {SECOND_DAY}" in changes
    assert f"event_id={CSTO_MEETING}" in changes
    assert "to formulate a response" in changes and "to agree a response" in changes  # was and now
    assert f"Release <strong>{second.name}</strong>" in asyncio.run(page(second, "/"))
    assert "not a release" in asyncio.run(page(output_dir, "/changes"))
    with sqlite3.connect(f"file:{second / 'rucas.db'}?mode=ro", uri=True) as con:
        (source_id,) = con.execute("SELECT source_id FROM events WHERE event_id = ?", [CSTO_MEETING]).fetchone()
    review = asyncio.run(page(second, f"/-/review/{source_id}"))  # rendered from the release's own database
    assert f'id="event-{CSTO_MEETING}"' in review and "to agree a response" in review


@pytest.mark.slow
def test_a_release_is_never_overwritten(curated_releases: dict[str, Path], output_dir: Path):
    with pytest.raises(ReleaseError, match="exists already"):
        make_release(output_dir, curated_releases["releases"], released=FIRST_DAY)


# --- what a release refuses, and the pieces it is made of ------------------------------------------------


@pytest.mark.slow
def test_a_build_that_differs_from_its_manifest_is_not_released(minimal_build: Path, tmp_path: Path):
    damaged = tmp_path / "damaged"
    shutil.copytree(minimal_build.resolve() / ".builds" / "current", damaged, symlinks=False)
    (damaged / "parquet" / "events.parquet").write_bytes(b"not parquet")
    with pytest.raises(ReleaseError, match="not a clean build"):
        make_release(damaged, tmp_path / "releases", released=FIRST_DAY)


@pytest.mark.slow
def test_a_release_writes_its_databases_from_the_checked_parquet_files_alone(curated_releases: dict[str, Path],
                                                                            output_dir: Path, tmp_path: Path):
    """rucas.duckdb has no hash in the manifest, so a change made to it in the build passes verify_build: the
    release must not take it over, into rucas.duckdb or into rucas.db made from its view tables."""
    changed = tmp_path / "changed"
    shutil.copytree(output_dir.resolve() / ".builds" / "current", changed, symlinks=True)  # datasette/rucas.db a link
    con = duckdb.connect(str(changed / "rucas.duckdb"))
    try:
        con.execute("UPDATE assistance_timeline SET initiators = 'a reader''s change'")
        con.execute("UPDATE events SET summary = 'a reader''s change'")
    finally:
        con.close()
    released = make_release(changed, tmp_path / "releases", released=FIRST_DAY).release.folder
    assert (released / "SHA256SUMS").read_bytes() == (curated_releases["first"] / "SHA256SUMS").read_bytes()
    con = duckdb.connect(str(released / "rucas.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM assistance_timeline WHERE initiators = 'a reader''s change'").fetchone() \
            == con.execute("SELECT count(*) FROM events WHERE summary = 'a reader''s change'").fetchone() == (0,)
    finally:
        con.close()


@pytest.mark.slow
def test_a_build_written_by_other_code_is_not_released(minimal_build: Path, tmp_path: Path):
    other = tmp_path / "other-code"
    shutil.copytree(minimal_build.resolve() / ".builds" / "current", other, symlinks=False)
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    manifest["writer_sha256"] = "0" * 64
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"written by other code .* Fix: run `rucas build` with this code"):
        make_release(other, tmp_path / "releases", released=FIRST_DAY)
    assert not (tmp_path / "releases").exists()


@pytest.mark.slow
def test_without_a_date_a_build_of_uncommitted_files_asks_for_one(minimal_build: Path, tmp_path: Path):
    from conftest import MINIMAL_CORPUS

    corpus = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, corpus)
    with pytest.raises(ReleaseError, match="--date"):
        make_release(minimal_build, tmp_path / "releases", curated_dir=corpus)
    assert main(["release", "--output", str(minimal_build), "--to", str(tmp_path / "r"), "--date", "1 Nov"]) == 2


@pytest.mark.slow
def test_without_a_date_a_release_is_dated_by_the_last_commit_of_the_curated_files(output_dir: Path, curated_dir: Path,
                                                                                  tmp_path: Path):
    import subprocess

    status = subprocess.run(["git", "-C", str(curated_dir), "status", "--porcelain", "--", "."],
                            capture_output=True, text=True, check=False)
    if status.returncode != 0 or status.stdout.strip():
        pytest.skip("dataset/curated is not a clean git checkout here, so there is no commit to date a release by")
    committed = subprocess.run(["git", "-C", str(curated_dir), "log", "-1", "--format=%cs", "--", "."],
                               capture_output=True, text=True, check=True).stdout.strip()
    release = make_release(output_dir, tmp_path / "releases", curated_dir=curated_dir).release
    assert release.date == committed


def test_an_archive_of_equal_files_has_equal_bytes_whatever_their_times(tmp_path: Path):
    archives = []
    for attempt, seconds in enumerate((1_000_000, 2_000_000)):
        folder = tmp_path / f"copy{attempt}"
        (folder / "sub").mkdir(parents=True)
        for name in ("b.txt", "sub/a.txt"):
            (folder / name).write_text(name, encoding="utf-8")
            os.utime(folder / name, (seconds, seconds))
        write_archive(tmp_path / f"{attempt}.tar.gz", folder, ["sub/a.txt", "b.txt"], "top", 0)
        archives.append((tmp_path / f"{attempt}.tar.gz").read_bytes())
    assert archives[0] == archives[1]
    with tarfile.open(tmp_path / "0.tar.gz") as archive:
        assert archive.getnames() == ["top", "top/b.txt", "top/sub", "top/sub/a.txt"]


def test_the_repository_citation_is_the_generated_one_for_the_package_version():
    text = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert text == citation_cff(rucas.__version__), (
        "CITATION.cff is stale: run `python -m rucas.build.release.citation > CITATION.cff`")
    cff = yaml.safe_load(text)
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset" and cff["license"] == "CC-BY-4.0"
    assert all(isinstance(author.get("name"), str) for author in cff["authors"])
    assert {"message", "title", "version"} <= set(cff) and "date-released" not in cff


def test_readme_documents_the_release_and_diff_commands_and_every_option(capsys):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in ("release", "diff"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", capsys.readouterr().out)) - {"--help"}
        assert options, command
        assert re.search(rf"rucas {command}\b", readme), f"README: document `rucas {command}`"
        for option in sorted(options):
            assert re.search(rf"rucas {command}\b[^\n]*{re.escape(option)}\b", readme), (
                f"README: show `rucas {command} {option}` with what it does")
