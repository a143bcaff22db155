"""A rebuild after articles change patches the previous build, and what it publishes equals a cold build.

Equal means: every Parquet file and every Web Annotation file byte-identical; in rucas.db
and in rucas.duckdb the same rows in every table (by key) and in every materialised view (in its order);
full-text indexes that pass SQLite's integrity check and find the same rows; the same precomputed facet counts.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from rucas.build.pipeline import BuildReport, build
from rucas.build.write.facet_counts import FACET_COUNTS
from rucas.build.write.manifest import MANIFEST_COLUMNS, read_manifest_files
from rucas.build.write.sqlite_db import FULL_TEXT
from rucas.queries import view_files
from rucas.schema import table_specs
from test_generated_corpus import edit_summary
from test_views import load_generator, normalise

pytestmark = pytest.mark.slow

ARTICLES = 40
SEED = 11
EDITED = "synthetic-000007"
REMOVED = "synthetic-000021"
SEARCHED_WORDS = ("Synthetic", "Corrected", "troops", "State")


def parquet_bytes(output: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((output / "parquet").glob("*.parquet"))}


def sqlite_content(output: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True)
    try:
        content = {spec.name: con.execute(f"SELECT * FROM {spec.name} ORDER BY {', '.join(spec.primary_key)}").fetchall()
                   for spec in table_specs()}
        content |= {view.name: con.execute(f"SELECT * FROM {view.name} ORDER BY rowid").fetchall()
                    for view in view_files()}
        content[FACET_COUNTS] = con.execute(f"SELECT * FROM {FACET_COUNTS} ORDER BY table_name, column_name, value").fetchall()
        stored = [name for (name,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                                                  "(name LIKE '\\_page\\_%' ESCAPE '\\' OR name LIKE '\\_chart\\_%' ESCAPE '\\')")]
        assert stored, "the page and chart tables are part of what a build publishes"
        content |= {name: con.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall() for name in stored}
        for table in FULL_TEXT:
            key = next(spec for spec in table_specs() if spec.name == table).primary_key[0]
            for word in SEARCHED_WORDS:
                content[f"{table}_fts {word}"] = con.execute(
                    f"SELECT {key} FROM {table} WHERE rowid IN (SELECT rowid FROM {table}_fts "
                    f"WHERE {table}_fts MATCH ?) ORDER BY {key}", (word,)).fetchall()
        return content
    finally:
        con.close()


def duckdb_content(output: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    try:
        content = {spec.name: con.execute(f"SELECT * FROM {spec.name} ORDER BY {', '.join(spec.primary_key)}").fetchall()
                   for spec in table_specs()}
        content |= {view.name: con.execute(f"SELECT * FROM {view.name}").fetchall() for view in view_files()}
        return {name: [tuple(map(normalise, row)) for row in rows] for name, rows in content.items()}
    finally:
        con.close()


def web_annotation_files(output: Path) -> dict[str, bytes]:
    folder = output / "annotations"
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*.jsonld"))}


def assert_manifest_describes_its_files(output: Path) -> None:
    build_dir = (output / "manifest.json").resolve().parent
    kept = output / ".cache" / MANIFEST_COLUMNS
    if kept.is_dir():  # what the next build reads instead of the JSON
        parsed, taken = read_manifest_files(output / "manifest.json"), read_manifest_files(output / "manifest.json", kept)
        assert parsed.header == taken.header and parsed.inputs.table.equals(taken.inputs.table) \
            and parsed.outputs.table.equals(taken.outputs.table)
    outputs = json.loads((output / "manifest.json").read_text())["outputs"]
    assert [entry["path"] for entry in outputs if entry["sha256"] is None] == \
        ["datasette/rucas.db", "rucas.db", "rucas.duckdb"]  # patched in place, or not byte-reproducible
    for entry in outputs:
        if entry["sha256"] is not None:
            data = (build_dir / entry["path"]).read_bytes()
            assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest()), entry["path"]
        elif entry["bytes"] is not None:
            assert (build_dir / entry["path"]).stat().st_size == entry["bytes"], entry["path"]


def assert_same_content(patched: Path, cold: Path) -> None:
    assert parquet_bytes(patched) == parquet_bytes(cold)
    assert web_annotation_files(patched) == web_annotation_files(cold) != {}
    assert_manifest_describes_its_files(patched)
    for engine, content in (("SQLite", sqlite_content), ("DuckDB", duckdb_content)):
        ours, theirs = content(patched), content(cold)
        for name in theirs:
            assert ours[name] == theirs[name], f"{engine} {name}: the patched build differs from the cold one"
    con = sqlite3.connect(patched / "rucas.db")
    try:
        for table in FULL_TEXT:
            con.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('integrity-check')")
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load_generator().generate_corpus(tmp_path_factory.mktemp("incremental") / "curated", ARTICLES, SEED)


@pytest.fixture()
def first(corpus: Path, tmp_path: Path) -> tuple[Path, BuildReport]:
    """A copy of the corpus and its first (cold) build."""
    curated = shutil.copytree(corpus, tmp_path / "curated")
    return curated, build(curated, tmp_path / "output")


def test_the_first_build_is_cold(first: tuple[Path, BuildReport]) -> None:
    assert not first[1].patched


def test_a_corrected_event_summary_is_patched_in_and_equals_a_cold_build(first, tmp_path: Path, monkeypatch) -> None:
    from rucas.build.arrow_tables import article_tables
    from rucas.build.table_files import SortedOnDemand

    curated, report = first
    before = parquet_bytes(report.output_dir)
    edit_summary(curated, EDITED)
    sorted_tables: list[str] = []
    sort = SortedOnDemand._sort
    monkeypatch.setattr(SortedOnDemand, "_sort", lambda self, name: sorted_tables.append(name) or sort(self, name))
    patched = build(curated, report.output_dir)
    monkeypatch.undo()
    reference = {spec.name for spec in table_specs()} - article_tables() - {"coding_agreement", "adjudications"}
    assert set(sorted_tables) == {"events"} | reference, "of the articles' tables, only the one whose Parquet file " \
        "is written again is sorted whole (the reference tables are read whole; the review tables are set sorted)"
    cold = build(curated, tmp_path / "cold", cache=False)
    assert patched.patched and not cold.patched
    assert_same_content(patched.output_dir, cold.output_dir)
    assert "event_countries" in patched.views_patched, "the summary is one of its columns"
    assert "actor_activity" not in patched.views_patched, "no actor's counts changed"
    assert set(patched.views_patched.values()) == {"in place"}, "a corrected summary moves no row"
    assert patched.recomputed == [], "no whole-corpus query shows events' summaries: none is computed again"
    after = parquet_bytes(patched.output_dir)
    assert after["events.parquet"] != before["events.parquet"]
    assert after["actors.parquet"] == before["actors.parquet"]
    assert (patched.build_dir / "parquet" / "actors.parquet").stat().st_nlink > 1, "unchanged: a hard link"
    assert after["event_actors.parquet"] == before["event_actors.parquet"]
    assert (patched.build_dir / "parquet" / "event_actors.parquet").stat().st_nlink > 1, \
        "the event's actors, taken out with it and put back as they were: the previous file, linked"
    lite = sqlite3.connect(f"file:{patched.output_dir / 'rucas.db'}?mode=ro", uri=True)
    assert lite.execute("SELECT count(*) FROM events_fts WHERE events_fts MATCH 'Corrected'").fetchone()[0] == 1
    assert lite.execute("SELECT count(*) FROM assistance_timeline WHERE summary LIKE 'Corrected%'").fetchone()[0] \
        == lite.execute("SELECT count(*) FROM assistance_timeline_live WHERE summary LIKE 'Corrected%'").fetchone()[0]


def test_a_build_that_writes_its_cache_whole_sorts_no_more_and_then_removes_the_segments_it_replaced(
        first, tmp_path: Path, monkeypatch) -> None:
    """Now and then a build writes the validation cache whole again (rucas.build.validate.cache.MAX_SEGMENTS). Its
    tables not sorted yet are still assembled from the segments it replaces: those stay until the build is done
    with the tables, and are removed then; it sorts no more tables than a build that adds a segment."""
    from rucas.build.table_files import SortedOnDemand
    from rucas.build.validate import cache

    curated, report = first
    cache_dir = report.output_dir / ".cache"
    before = {path.name for path in cache_dir.glob("rows-*")}
    edit_summary(curated, EDITED)
    monkeypatch.setattr(cache, "MAX_SEGMENTS", 1)
    sorted_tables: list[str] = []
    sort = SortedOnDemand._sort
    monkeypatch.setattr(SortedOnDemand, "_sort", lambda self, name: sorted_tables.append(name) or sort(self, name))
    patched = build(curated, report.output_dir)
    monkeypatch.undo()
    assert patched.patched and "sort" not in patched.stage_seconds
    assert "events" in sorted_tables and "statements" not in sorted_tables, "only the tables written again"
    after = {path.name for path in cache_dir.glob("rows-*")}
    assert len(after) == 1 and not after & before, "one segment, written whole; the replaced one is gone"
    again = build(curated, report.output_dir)
    assert again.articles_from_cache == ARTICLES, "the cache written whole holds every article"
    assert_same_content(patched.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)


def edit_first_event(curated: Path, source_id: str) -> None:
    """Give an article's first event another type and another year: what the panels, page figures and charts count."""
    path = curated / "annotations" / f"{source_id}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("\nevents:\n")
    head, events = text[:start], text[start:]
    kind = events.split("event_type: ", 1)[1].split("\n", 1)[0]
    events = events.replace(f"event_type: {kind}", f"event_type: {'REQUEST' if kind != 'REQUEST' else 'REJECT'}", 1)
    date = events.split("    date: ", 1)[1].split("\n", 1)[0]
    year = date.split("earliest: ", 1)[1][:4]
    events = events.replace(date, date.replace(year, str(int(year) - 3)), 1)
    path.write_text(head + events, encoding="utf-8")


def test_an_event_of_another_type_and_year_is_patched_in_and_computes_the_whole_corpus_figures_again(
        first, tmp_path: Path) -> None:
    curated, report = first
    edit_first_event(curated, EDITED)
    patched = build(curated, report.output_dir)
    cold = build(curated, tmp_path / "cold", cache=False)
    assert patched.patched and not cold.patched
    assert_same_content(patched.output_dir, cold.output_dir)
    assert {"country_month", "dyad_year", "_chart_timeline"} <= set(patched.recomputed), patched.recomputed
    assert "_chart_count_events" not in patched.recomputed, "no event came or went: their count stands"
    assert patched.views_patched["event_dates"] == "moved", "ordered by date: the event's rows take other places"
    assert patched.views_patched["country_month"] == "in place", \
        "a panel without a unit is computed whole; its rows keep their places, the changed counts are replaced there"
    assert "_page_review_statuses" not in patched.recomputed, "no review status changed"


def test_a_corrected_event_that_another_article_denies_is_patched_with_that_claim(corpus: Path, tmp_path: Path) -> None:
    curated = shutil.copytree(corpus, tmp_path / "curated")
    denying = curated / "annotations" / f"{REMOVED}.yaml"
    text = denying.read_text(encoding="utf-8")
    assert "\nclaims:\n" in text
    denying.write_text(text.replace("\nclaims:\n", f"\nclaims:\n  - {{statement_id: {REMOVED}-statement-0, "
                                                   f"event_id: {EDITED}-event-0, relation: denies}}\n", 1),
                       encoding="utf-8")
    output = build(curated, tmp_path / "output").output_dir
    edit_summary(curated, EDITED)
    patched = build(curated, output)
    assert patched.patched
    assert_same_content(output, build(curated, tmp_path / "cold", cache=False).output_dir)
    lite = sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True)
    assert lite.execute("SELECT count(*) FROM claims WHERE statement_id = ? AND event_id = ?",
                        (f"{REMOVED}-statement-0", f"{EDITED}-event-0")).fetchone()[0] == 1


def test_a_denial_from_another_article_that_changes_is_patched_into_the_requests_episodes(
        corpus: Path, tmp_path: Path) -> None:
    """request_episodes is patched by the request's article (its source_id); a denial coded in another article
    reaches the request's rows through its claim, which a change of that article takes out and puts back."""
    curated = shutil.copytree(corpus, tmp_path / "curated")
    request = next(match.group(1) for path in sorted((curated / "annotations").glob("*.yaml")) if path.stem != REMOVED
                   for match in re.finditer(r"- event_id: (\S+)\n    event_type: REQUEST\n", path.read_text("utf-8")))
    denying = curated / "annotations" / f"{REMOVED}.yaml"
    text = denying.read_text(encoding="utf-8")
    denying.write_text(text.replace("\nclaims:\n", f"\nclaims:\n  - {{statement_id: {REMOVED}-statement-0, "
                                                   f"event_id: {request}, relation: denies}}\n", 1), encoding="utf-8")
    output = build(curated, tmp_path / "output").output_dir

    def denial(folder: Path) -> list[tuple]:
        lite = sqlite3.connect(f"file:{folder / 'rucas.db'}?mode=ro", uri=True)
        try:
            return lite.execute("SELECT e.source_id, r.responders FROM request_episodes r JOIN events e "
                                "ON e.event_id = r.request_event_id WHERE r.request_event_id = ? AND r.response_id = ?",
                                (request, f"{REMOVED}-statement-0")).fetchall()
        finally:
            lite.close()

    (source_id, before), = denial(output)
    assert source_id != REMOVED, "the request is another article's"
    speaker = re.search(r"statement-0\n    speaker_id: (\S+)\n", denying.read_text("utf-8")).group(1)
    other = next(actor for actor in re.findall(r"speaker_id: (\S+)\n", denying.read_text("utf-8")) if actor != speaker)
    denying.write_text(denying.read_text("utf-8").replace(f"statement-0\n    speaker_id: {speaker}\n",
                                                          f"statement-0\n    speaker_id: {other}\n", 1), "utf-8")
    patched = build(curated, output)
    assert patched.patched and patched.views_patched.get("request_episodes") == "in place"
    assert "request_episodes" not in patched.recomputed, "it has a unit: patched, not computed whole"
    assert_same_content(output, build(curated, tmp_path / "cold", cache=False).output_dir)
    (_, after), = denial(output)
    assert after != before, "the denying speaker changed"


def test_a_removed_article_takes_all_its_rows_and_equals_a_cold_build(first, tmp_path: Path) -> None:
    curated, report = first
    (curated / "articles" / f"{REMOVED}.txt").unlink()
    (curated / "annotations" / f"{REMOVED}.yaml").unlink()
    patched = build(curated, report.output_dir)
    assert patched.patched
    assert_same_content(patched.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)
    lite = sqlite3.connect(f"file:{patched.output_dir / 'rucas.db'}?mode=ro", uri=True)
    for table in ("sources", "statements", "events", "source_overview"):
        assert lite.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", (REMOVED,)).fetchone()[0] == 0


def test_an_added_article_is_patched_in_and_equals_a_cold_build(corpus: Path, tmp_path: Path) -> None:
    curated = shutil.copytree(corpus, tmp_path / "curated")
    moved = tmp_path / "aside"
    moved.mkdir()
    for folder, suffix in (("articles", ".txt"), ("annotations", ".yaml")):
        shutil.move(curated / folder / f"{REMOVED}{suffix}", moved / f"{REMOVED}{suffix}")
    output = build(curated, tmp_path / "output").output_dir
    for folder, suffix in (("articles", ".txt"), ("annotations", ".yaml")):
        shutil.move(moved / f"{REMOVED}{suffix}", curated / folder / f"{REMOVED}{suffix}")
    patched = build(curated, output)
    assert patched.patched
    assert_same_content(output, build(curated, tmp_path / "cold", cache=False).output_dir)
    assert patched.views_patched["source_overview"] == "moved", "a new article's row takes a new place"
    assert patched.views_patched["country_month"] == "rewritten", "new country-months: the panel has more rows"


def test_a_changed_reference_file_makes_a_cold_build(first) -> None:
    curated, report = first
    path = curated / "reference" / "codebook.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not build(curated, report.output_dir).patched


def test_an_unchanged_input_keeps_every_table_and_view(first, tmp_path: Path) -> None:
    curated, report = first
    again = build(curated, report.output_dir)
    assert again.patched
    assert_same_content(again.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)


KILLED_WHILE_PATCHING = """
import os, signal, sys
from pathlib import Path
import rucas.build.write.incremental as incremental
from rucas.build.pipeline import build

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

incremental.patch_sqlite = die  # rucas.duckdb patched, rucas.db not yet
build(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_build_killed_while_patching_leaves_the_previous_build_and_the_next_one_patches(
        first, tmp_path: Path) -> None:
    import subprocess
    import sys

    curated, report = first
    before = {name: (report.output_dir / name).read_bytes() for name in ("rucas.db", "manifest.json")}
    edit_summary(curated, EDITED)
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_PATCHING, str(curated), str(report.output_dir)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert {name: (report.output_dir / name).read_bytes() for name in before} == before
    patched = build(curated, report.output_dir)
    assert patched.patched
    assert_same_content(patched.output_dir, build(curated, tmp_path / "cold", cache=False).output_dir)
