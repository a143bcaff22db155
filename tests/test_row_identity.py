"""Rows keep their identity across releases: a renamed id redirects, a deleted one is listed and never reused,
every row says when it first appeared and last changed, and a table loads as a release had it."""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import rucas
from rucas.build.pipeline import build
from rucas.build.release.release import ReleaseError, make_release

ANNOTATION = "annotations/eurasianet-russia-turns-down-kyrgyzstans-plea.yaml"
REFUSAL = "russia-refuses-kyrgyz-request-2010-06-12"
RENAMED_REFUSAL = "russia-declines-kyrgyz-request-2010-06-12"
REQUEST = "kyrgyzstan-asks-russia-for-troops-2010-06-12"
TIMAKOVA = "timakova-kyrgyz-conflict-is-internal"
DAYS = [datetime.date(2026, 11, 1), datetime.date(2026, 11, 2), datetime.date(2026, 11, 3)]
RENAME = f"""- table_name: events
  old_id: {REFUSAL}
  new_id: {RENAMED_REFUSAL}
  release: 0.1.0
  reason: the article says Russia declined
"""


def _edit(corpus: Path, relative: str, old: str, new: str, count: int | None = 1) -> None:
    path = corpus / relative
    text = path.read_text(encoding="utf-8")
    assert count is None or text.count(old) == count, f"{path}: expected {old!r} {count} time(s)"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _statement_block(corpus: Path) -> str:
    """Timakova's statement in the annotation, from its `- statement_id:` line to the blank line after it."""
    text = (corpus / ANNOTATION).read_text(encoding="utf-8")
    start = text.index(f"  - statement_id: {TIMAKOVA}")
    return text[start:text.index("\n\n", start) + 1]


def _delete_statement(corpus: Path) -> None:
    """Remove Timakova's statement, the corpus's only one, and the claim that cites it."""
    _edit(corpus, ANNOTATION, "statements:\n" + _statement_block(corpus), "statements: []\n")
    claim = next(line for line in (corpus / ANNOTATION).read_text(encoding="utf-8").splitlines()
                 if f"statement_id: {TIMAKOVA}, event_id" in line)
    _edit(corpus, ANNOTATION, "claims:\n" + claim, "claims: []")


def _restore_statement(corpus: Path, block: str) -> None:
    _edit(corpus, ANNOTATION, "statements: []\n", "statements:\n" + block)


def _release(corpus: Path, root: Path, name: str, day: datetime.date, releases: str = "releases") -> Path:
    output = build(corpus, root / f"build-{name}").output_dir
    return make_release(output, root / releases, released=day, curated_dir=corpus).release.folder


def _history(folder: Path, table: str, key: str) -> dict[str, tuple[str | None, str | None]]:
    rows = pq.read_table(folder / "parquet" / f"{table}.parquet", columns=[key, "first_release",
                                                                          "last_changed_release"]).to_pylist()
    return {row[key]: (row["first_release"], row["last_changed_release"]) for row in rows}


@pytest.fixture(scope="module")
def three_releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three releases of the minimal corpus: as it is; then the refusal's id renamed (with its alias entry) and
    Timakova's statement deleted; then the request's summary corrected. The second is made again, from the same
    first release, into another folder."""
    from conftest import MINIMAL_CORPUS

    root = tmp_path_factory.mktemp("identity")
    corpus = root / "curated"
    shutil.copytree(MINIMAL_CORPUS, corpus)
    first = _release(corpus, root, "first", DAYS[0])
    shutil.copytree(root / "releases", root / "releases-again")
    _edit(corpus, ANNOTATION, REFUSAL, RENAMED_REFUSAL, count=None)
    (corpus / "reference" / "id_renames.yaml").write_text(RENAME, encoding="utf-8")
    (root / "statement.yaml").write_text(_statement_block(corpus), encoding="utf-8")
    _delete_statement(corpus)
    second = _release(corpus, root, "second", DAYS[1])
    again = _release(corpus, root, "again", DAYS[1], releases="releases-again")
    summary = pq.read_table(second / "parquet" / "events.parquet").to_pylist()
    old_summary = next(row["summary"] for row in summary if row["event_id"] == REQUEST)
    _edit(corpus, ANNOTATION, old_summary, old_summary.rstrip(".") + " (corrected).")
    third = _release(corpus, root, "third", DAYS[2])
    return {"first": first, "second": second, "third": third, "again": again, "root": root, "corpus": corpus}


def test_a_renamed_event_is_listed_as_renamed_and_published_as_a_redirect(three_releases: dict[str, Path]):
    second = three_releases["second"]
    ids = json.loads((second / "changes.json").read_text(encoding="utf-8"))["ids"]
    assert ids["renamed"] == [{"table": "events", "old_id": REFUSAL, "new_id": RENAMED_REFUSAL,
                               "reason": "the article says Russia declined"}]
    assert f"renamed: events {REFUSAL} -> {RENAMED_REFUSAL}" in (second / "CHANGES").read_text(encoding="utf-8")
    redirects = pq.read_table(second / "parquet" / "redirects.parquet").to_pylist()
    assert [(r["table_name"], r["old_id"], r["new_id"]) for r in redirects] == [("events", REFUSAL, RENAMED_REFUSAL)]


def test_a_deleted_statement_is_listed_as_deleted(three_releases: dict[str, Path]):
    second = three_releases["second"]
    ids = json.loads((second / "changes.json").read_text(encoding="utf-8"))["ids"]
    assert {"table": "statements", "id": TIMAKOVA} in ids["deleted"]
    assert not any(row["table"] == "events" for row in ids["deleted"])  # the renamed refusal is no deletion
    assert f"deleted: statements {TIMAKOVA}" in (second / "CHANGES").read_text(encoding="utf-8")


def test_the_old_address_of_a_renamed_row_leads_to_its_new_page(three_releases: dict[str, Path]):
    from rucas.build.publish.serve import datasette_app

    async def get(path: str):
        return await datasette_app(three_releases["second"]).client.get(path)

    moved = asyncio.run(get(f"/rucas/events/{REFUSAL}"))
    assert moved.status_code == 301 and moved.headers["location"] == f"/rucas/events/{RENAMED_REFUSAL}"
    as_json = asyncio.run(get(f"/rucas/events/{REFUSAL}.json?_shape=objects"))
    assert as_json.headers["location"] == f"/rucas/events/{RENAMED_REFUSAL}.json?_shape=objects"
    assert asyncio.run(get(f"/rucas/events/{RENAMED_REFUSAL}")).status_code == 200
    assert asyncio.run(get("/rucas/events/no-such-event")).status_code == 404
    assert asyncio.run(get(f"/rucas/statements/{REFUSAL}")).status_code == 404  # only the table it was renamed in


def _release_edited(three_releases: dict[str, Path], tmp_path: Path, edit) -> Path:
    """Release, after the three, the third's corpus edited by `edit(corpus)`."""
    corpus = tmp_path / "curated"
    shutil.copytree(three_releases["corpus"], corpus)
    edit(corpus)
    releases = tmp_path / "releases"
    shutil.copytree(three_releases["root"] / "releases", releases)
    output = build(corpus, tmp_path / "build").output_dir
    return make_release(output, releases, released=datetime.date(2026, 11, 4), curated_dir=corpus).release.folder


def test_reusing_a_deleted_statement_id_for_another_fact_is_refused_at_its_line(three_releases: dict[str, Path],
                                                                                tmp_path: Path):
    block = (three_releases["root"] / "statement.yaml").read_text(encoding="utf-8")
    other = block.replace("a spokeswoman for President Dmitry Medvedev", "the Kremlin's spokeswoman")
    assert other != block
    with pytest.raises(ReleaseError) as refused:
        _release_edited(three_releases, tmp_path, lambda corpus: _restore_statement(corpus, other))
    corpus = tmp_path / "curated"
    line = next(number for number, text in enumerate((corpus / ANNOTATION).read_text().splitlines(), start=1)
                if f"statement_id: {TIMAKOVA}" in text)
    message = str(refused.value)
    assert f"{corpus / ANNOTATION}:{line}: statements id {TIMAKOVA} was deleted in an earlier release" in message
    assert "Fix: give this row a new id" in message


def test_a_deleted_statement_restored_as_it_was_takes_its_id_and_first_release_back(three_releases: dict[str, Path],
                                                                                    tmp_path: Path):
    block = (three_releases["root"] / "statement.yaml").read_text(encoding="utf-8")
    folder = _release_edited(three_releases, tmp_path, lambda corpus: _restore_statement(corpus, block))
    assert _history(folder, "statements", "statement_id") == {TIMAKOVA: (three_releases["first"].name, folder.name)}


def test_reusing_a_renamed_away_id_is_refused(three_releases: dict[str, Path], tmp_path: Path):
    with pytest.raises(ReleaseError, match=f"events id {REFUSAL} was renamed away in "):
        _release_edited(three_releases, tmp_path,
                        lambda corpus: _edit(corpus, ANNOTATION, f"event_id: {REQUEST}", f"event_id: {REFUSAL}"))


def test_first_and_last_changed_release_follow_each_row_through_three_releases(three_releases: dict[str, Path]):
    versions = [three_releases[name].name for name in ("first", "second", "third")]
    first = _history(three_releases["first"], "events", "event_id")
    assert first == {REQUEST: (versions[0], versions[0]), REFUSAL: (versions[0], versions[0])}
    second = _history(three_releases["second"], "events", "event_id")
    assert second == {REQUEST: (versions[0], versions[0]), RENAMED_REFUSAL: (versions[0], versions[1])}
    third = _history(three_releases["third"], "events", "event_id")
    assert third == {REQUEST: (versions[0], versions[2]), RENAMED_REFUSAL: (versions[0], versions[1])}
    sources = _history(three_releases["third"], "sources", "source_id")
    assert set(sources.values()) == {(versions[0], versions[0])}
    import sqlite3

    con = sqlite3.connect(three_releases["third"] / "rucas.db")
    try:
        in_sqlite = dict((row_id, (a, b)) for row_id, a, b in con.execute(
            "SELECT event_id, first_release, last_changed_release FROM events"))
    finally:
        con.close()
    assert in_sqlite == third


def test_a_build_that_is_not_a_release_leaves_the_row_history_empty(three_releases: dict[str, Path]):
    build_dir = three_releases["root"] / "build-third"
    assert set(_history(build_dir, "events", "event_id").values()) == {(None, None)}


def test_the_row_history_changes_no_row_in_the_diff(three_releases: dict[str, Path]):
    changes = json.loads((three_releases["third"] / "changes.json").read_text(encoding="utf-8"))
    changed = [(relation["name"], row["key"], sorted(row["columns"]))
               for relation in changes["relations"] if relation["kind"] == "table" for row in relation["changed"]]
    assert changed == [("events", {"event_id": REQUEST}, ["summary"])]


def test_a_release_with_row_history_is_byte_for_byte_the_same_made_again(three_releases: dict[str, Path]):
    second, again = three_releases["second"], three_releases["again"]
    assert second.name == again.name
    assert (second / "SHA256SUMS").read_bytes() == (again / "SHA256SUMS").read_bytes()
    archive = f"rucas-{second.name}.tar.gz"
    assert (second / archive).read_bytes() == (again / archive).read_bytes()


def test_load_as_of_a_version_or_a_day_reads_the_table_as_that_release_had_it(three_releases: dict[str, Path],
                                                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RUCAS_RELEASES_DIR", str(three_releases["root"] / "releases"))
    first = rucas.load("events", as_of=three_releases["first"].name)
    assert set(first["event_id"]) == {REQUEST, REFUSAL}
    assert first.attrs["rucas_version"] == three_releases["first"].name
    on_the_second_day = rucas.load("statements", as_of=DAYS[1].isoformat())
    assert TIMAKOVA not in set(on_the_second_day["statement_id"])
    assert on_the_second_day.attrs["rucas_version"] == three_releases["second"].name
    with pytest.raises(LookupError, match=rf"no release '9\.9\.9'.*{re.escape(three_releases['first'].name)}"):
        rucas.load("events", as_of="9.9.9")
    with pytest.raises(LookupError, match="no release was made on or before 2020-01-01"):
        rucas.load("events", as_of="2020-01-01")


def test_a_curator_cannot_write_the_row_history(tmp_path: Path):
    from conftest import MINIMAL_CORPUS
    from rucas.build.read.errors import ValidationFailed

    corpus = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, corpus)
    _edit(corpus, ANNOTATION, f"  - event_id: {REQUEST}\n", f"  - event_id: {REQUEST}\n    first_release: 0.0.1\n")
    with pytest.raises(ValidationFailed, match="unknown key 'first_release'"):
        build(corpus, tmp_path / "build")
