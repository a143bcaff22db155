"""Measure what RUCAS costs as the corpus grows: validation, builds, rebuilds, sizes and query latency.

For each size (1k, 10k, 100k articles by default) this generates a synthetic corpus (see
generate.py), then measures, each build step in its own subprocess so that its peak RSS and
CPU time can be read: `rucas validate` (no cache), a cold build with its per-stage breakdown, a rebuild
after one article changed, `rucas validate` after another changed (cache warm), the output
sizes, and the baseline the machine allows for the same rows (DuckDB reading them as JSON
Lines and writing the same Parquet; sqlite3 inserting them with FTS5). Then the latency
(median, p95) of every view in DuckDB and SQLite and of Datasette's table, view, facet and
search pages through its own client. Results are written to benchmarks/RESULTS.md.

    python benchmarks/run.py                    # 1k, 10k and 100k
    python benchmarks/run.py --sizes 1k         # quick
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import html
import importlib.util
import json
import math
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import duckdb

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))

from generate import generate_corpus
from rucas.build.memory import tree_rss_kib
from rucas.build.write.sqlite_db import FULL_TEXT
from datasette_dashboards import replace_opts_in_query
from rucas.build.publish.dashboards import DASHBOARD_SLUG, dashboards
from rucas.build.publish.settings import DATABASE_NAME
from rucas.queries import view_files
from rucas.schema import table_specs
from rucas.schema.derive import sqlite_ddl

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
CODEBOOK = REPO / "tests" / "fixtures" / "minimal" / "reference" / "codebook.yaml"
"""Benchmarks use the minimal fixture's codebook, so their corpora do not change as the real one grows."""
PAGE = 100
"""Rows on a first page: what Datasette shows and what a view's latency is measured for."""

BUILD_SNIPPET = """
import json, sys
from pathlib import Path
from rucas.build.pipeline import build
report = build(Path(sys.argv[1]), Path(sys.argv[2]), cache=sys.argv[3] == "cache")
print(json.dumps({"stage_seconds": report.stage_seconds, "row_counts": report.row_counts,
                  "articles_from_cache": report.articles_from_cache, "patched": report.patched,
                  "views_patched": report.views_patched, "stage_peak_rss_mib": report.stage_peak_rss_mib,
                  "databases": report.databases, "recomputed": report.recomputed}))
"""

SPARK_SNIPPET = """
import json, sys, time
start = time.perf_counter()
from pyspark.sql import SparkSession
import rucas.spark
from rucas.queries import view_files
spark = (SparkSession.builder.master("local[2]").config("spark.driver.memory", "2g")
         .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "4").getOrCreate())
session = time.perf_counter() - start
start = time.perf_counter()
rucas.spark.register(spark, sys.argv[1])
timings = {"session": session, "register": time.perf_counter() - start, "views": {}}
for view in view_files():
    start = time.perf_counter()
    rows = len(spark.sql(f"SELECT * FROM {view.name}").collect())
    timings["views"][view.name] = [rows, time.perf_counter() - start]
spark.stop()
print(json.dumps(timings))
"""
"""rucas.spark on a build: start a local session (2 cores, 2 GiB, no UI, 127.0.0.1), register, collect each view."""

VALIDATE_RUNS = 3
"""`rucas validate` after one edit is run this many times (the same edit; validate reads the cache and never
writes it, so every run does the same work) and the best whole-process time is the figure."""

WATCH_EDITS = 3
"""With `rucas validate --watch` running (cache warm), this many annotations are edited one after another (each
edit undone after its verdict); the median of the seconds from each save to its verdict is the figure."""

WATCH_WAIT_SECONDS = 1800.0
"""The longest the benchmark waits for a verdict of the watch before giving up (the first validates the corpus)."""

TARGETS_AT = 100_000
"""The corpus size at which issue 20's targets are stated."""

MACHINE_MEMORY_GIB = 16
"""The laptop the projection is for: the largest corpus whose projected cold-build peak fits in this memory."""

PAGE_TARGET_MS = 250.0


@dataclass
class Measured:
    """One subprocess: its wall time, peak RSS (largest single process, MiB) and what it printed."""

    seconds: float
    peak_rss_mib: float
    output: str
    sampled_rss_mib: float | None = None
    """Peak of the summed RSS of the process and its children, sampled every 50 ms (None in older results)."""
    cpu_seconds: float | None = None
    """User and system CPU time of the process and of every process it started and waited for (its validation
    workers, the SQLite writer), as wait4 reports it (None in older results). Divided by the wall time: how many
    of the machine's cores it kept busy on average."""


def run_measured(command: list[str]) -> Measured:
    """Run `command`, wait for it with wait4 and return its wall time, peak RSS and CPU time.

    Two memory figures: ru_maxrss of the child (Linux carries the high-water mark of the forking
    benchmark process across exec, so it overstates a small child of a large parent), and the
    peak of the summed RSS of the child and its worker processes, sampled every 50 ms.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], tree_rss_kib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return Measured(seconds, usage.ru_maxrss / 1024, stdout, peak[0] / 1024, usage.ru_utime + usage.ru_stime)


def rucas(*args: str) -> list[str]:
    return [sys.executable, "-m", "rucas.build.cli", *args]


def build_command(curated: Path, output: Path, cache: bool = True) -> list[str]:
    return [sys.executable, "-c", BUILD_SNIPPET, str(curated), str(output), "cache" if cache else "no-cache"]


def edit_one_article(curated: Path, index: int) -> Path:
    """Change one event summary in article `index`'s annotation (as a curator's fix would); return the file."""
    path = curated / "annotations" / f"synthetic-{index:06d}.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "summary: \"Synthetic event 0 "
    assert marker in text, path
    path.write_text(text.replace(marker, "summary: \"Synthetic event 0 (edited) ", 1), encoding="utf-8")
    return path


def watch_latencies(curated: Path, cache_dir: Path, indexes: list[int]) -> list[float]:
    """Start `rucas validate --watch` (with `cache_dir`), wait for its first verdict, then edit the annotation of
    each article of `indexes` in turn (edit_one_article) and time each save to its verdict line; each edit is undone
    (and its verdict waited for) before the next. Returns the seconds of each edit's verdict."""
    import selectors

    process = subprocess.Popen(rucas("validate", "--watch", "--quiet", "--curated", str(curated), "--cache-dir",
                                     str(cache_dir)), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               cwd=REPO)
    lines = selectors.DefaultSelector()
    lines.register(process.stdout, selectors.EVENT_READ)

    def verdict() -> str:
        if not lines.select(WATCH_WAIT_SECONDS):
            raise RuntimeError(f"rucas validate --watch gave no verdict in {WATCH_WAIT_SECONDS:.0f} s")
        line = process.stdout.readline()
        if not line.startswith("valid: "):
            raise RuntimeError(f"rucas validate --watch said {line.strip()[:200]!r}, not that the corpus is valid")
        return line

    seconds_each = []
    try:
        verdict()
        for index in indexes:
            started = time.perf_counter()
            edited = edit_one_article(curated, index)
            try:
                verdict()
                seconds_each.append(time.perf_counter() - started)
            finally:
                undo_edit(edited)
            verdict()
    finally:
        process.terminate()
        process.wait()
    return seconds_each


def edit_event_type_and_year(curated: Path, index: int) -> tuple[Path, str]:
    """Give the first event of article `index` another type and its date bounds a year three years earlier (what
    the panels, page figures and charts count, so a patched build computes them again); return the file and its
    text before."""
    path = curated / "annotations" / f"synthetic-{index:06d}.yaml"
    before = path.read_text(encoding="utf-8")
    start = before.index("\nevents:\n")
    events = before[start:]
    kind = events.split("event_type: ", 1)[1].split("\n", 1)[0]
    events = events.replace(f"event_type: {kind}", f"event_type: {'REQUEST' if kind != 'REQUEST' else 'REJECT'}", 1)
    date = events.split("    date: ", 1)[1].split("\n", 1)[0]
    year = date.split("earliest: ", 1)[1][:4] if "earliest: 1" in date or "earliest: 2" in date else None
    if year is not None:
        events = events.replace(date, date.replace(year, str(int(year) - 3)), 1)
    path.write_text(before[:start] + events, encoding="utf-8")
    return path, before


def undo_edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(" (edited)", ""), encoding="utf-8")


def size_of(path: Path) -> int:
    path = path.resolve()
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mib(n: float) -> str:
    return f"{n / 2**20:,.1f} MiB"


# --- the baseline ----------------------------------------------------------------------------------------


def baseline(output: Path, work: Path) -> tuple[dict[str, float], float]:
    """Time DuckDB JSON Lines -> Parquet and sqlite3 inserts + FTS5 for the same rows as the build.

    The JSON Lines files are exported from the build first (not timed); the sqlite3 rows are
    read into Python first (not timed): what is timed is what the build itself must do. Returns
    the seconds of each part and the CPU seconds of both (this process's, DuckDB's threads included).
    """
    work.mkdir(parents=True, exist_ok=True)
    parquet = output / "parquet"
    con = duckdb.connect()
    for spec in table_specs():
        con.execute(f"COPY (SELECT * FROM read_parquet('{parquet / spec.name}.parquet')) "
                    f"TO '{work / spec.name}.jsonl' (FORMAT json)")
    con.execute("SET threads = 2")
    start, cpu = time.perf_counter(), cpu_seconds()
    for spec in table_specs():
        columns = ", ".join(f"'{c}': '{t}'" for c, t in con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{parquet / spec.name}.parquet'))"
        ).fetchall())
        con.execute(f"COPY (SELECT * FROM read_json('{work / spec.name}.jsonl', format='newline_delimited', "
                    f"columns={{{columns}}})) TO '{work / spec.name}.parquet' "
                    "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9)")
    duck_seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    rows = {spec.name: con.execute(f"SELECT * FROM read_parquet('{parquet / spec.name}.parquet')").fetchall()
            for spec in table_specs()}
    con.close()
    path = work / "baseline.db"
    path.unlink(missing_ok=True)
    start, cpu_before = time.perf_counter(), cpu_seconds()
    lite = sqlite3.connect(path, isolation_level=None)
    lite.execute("PRAGMA journal_mode = OFF")
    lite.execute("PRAGMA synchronous = OFF")
    lite.execute("BEGIN")
    for spec in table_specs():
        lite.execute(sqlite_ddl(spec))
        marks = ", ".join("?" for _ in spec.column_names)
        lite.executemany(f"INSERT INTO {spec.name} VALUES ({marks})", rows[spec.name])
    for table, columns in FULL_TEXT.items():
        names = ", ".join(columns)
        lite.execute(f"CREATE VIRTUAL TABLE {table}_fts USING fts5({names}, content='{table}', content_rowid='rowid')")
        lite.execute(f"INSERT INTO {table}_fts (rowid, {names}) SELECT rowid, {names} FROM {table}")
    lite.execute("COMMIT")
    lite.close()
    sqlite_seconds, cpu = time.perf_counter() - start, cpu + cpu_seconds() - cpu_before
    shutil.rmtree(work)
    return {"duckdb_jsonl_to_parquet": duck_seconds, "sqlite_insert_fts5": sqlite_seconds}, cpu


def cpu_seconds() -> float:
    """User and system CPU time this process has used so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- query latency ---------------------------------------------------------------------------------------


def percentiles(times: list[float]) -> tuple[float, float]:
    """Median and p95 (nearest rank) of a list of milliseconds."""
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


class Interrupter:
    """Cancels a query on `con` (DuckDB or sqlite3) that runs longer than `seconds`."""

    def __init__(self, con, seconds: float):
        self.con, self.seconds, self.timer = con, seconds, None

    def __enter__(self) -> Self:
        self.timer = threading.Timer(self.seconds, self.con.interrupt)
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def latency(con, sql: str, repeat: int, budget: float, timeout: float) -> tuple[float, float, int]:
    """Median and p95 in milliseconds of running `sql` to the last row, and the number of timed runs.

    After one warm-up: `repeat` runs, or fewer (at least 3) when they would take more than
    `budget` seconds, or just the warm-up when it alone took longer than `budget`. A run cut
    off after `timeout` seconds counts as infinity.
    """
    def run() -> float:
        start = time.perf_counter()
        try:
            with Interrupter(con, timeout):
                con.execute(sql).fetchall()
        except (sqlite3.OperationalError, duckdb.InterruptException):
            return math.inf
        return (time.perf_counter() - start) * 1000

    first = run()
    if first > budget * 1000:
        return first, first, 1
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < repeat and (len(times) < 3 or time.perf_counter() < deadline):
        times.append(run())
    return (*percentiles(times), len(times))


def view_latencies(output: Path, repeat: int, budget: float, timeout: float) -> list[tuple]:
    """For each view: (view, engine and form, first-page median, p95, runs, count(*) median, p95, runs) in ms.

    Each view is measured in two forms: its materialised table (<name>, what Datasette serves and
    rucas.load reads) and its live SQL (the view <name>_live, computed on every read)."""
    duck = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    lite = sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True, check_same_thread=False)
    results = []
    for view in view_files():
        for engine, con in (("DuckDB", duck), ("SQLite", lite)):
            for form, name in (("table", view.name), ("live", f"{view.name}_live")):
                page = latency(con, f"SELECT * FROM {name} LIMIT {PAGE}", repeat, budget, timeout)
                count = latency(con, f"SELECT count(*) FROM {name}", repeat, budget, timeout)
                results.append((view.name, f"{engine} {form}", *page, *count))
    duck.close()
    lite.close()
    return results


WAITS = ("sqlite wait",)
"""Stages that are a wait for another process's stages (BuildReport.stage_seconds), not work of their own."""


def materialisation_share(stages: dict[str, float]) -> str:
    """Seconds spent computing and storing the materialised views, and what they add to the rest of the build's
    work (its stages' seconds but the waits; some of them run beside each other)."""
    views = stages["duckdb views"] + stages["sqlite views"]
    rest = sum(seconds for stage, seconds in stages.items() if stage not in WAITS) - views
    return f"{views:.1f} s, adding {100 * views / rest:.0f}% to the other {rest:.1f} s"


def datasette_latencies(output: Path, repeat: int, budget: float) -> list[tuple[str, str, float, float, str]]:
    """(page kind, path, median ms, p95 ms, statuses) for table, view, facet and search pages via Datasette's client.

    A page that Datasette answers with an error (e.g. its SQL time limit) is timed all the same
    and its status recorded.
    """
    from rucas.build.publish.serve import datasette_app

    app = datasette_app(output)
    lite = sqlite3.connect(f"file:{output / 'rucas.db'}?mode=ro", uri=True)
    word = lite.execute("SELECT evidence FROM statements ORDER BY statement_id LIMIT 1").fetchone()[0].split()[1]
    catalogue = lite.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
    article = lite.execute("SELECT source_id FROM sources ORDER BY source_id LIMIT 1").fetchone()[0]
    event = lite.execute("SELECT event_id FROM events ORDER BY event_id LIMIT 1").fetchone()[0]
    lite.close()
    pages = [("front page", "/"), ("database page", "/rucas")]
    pages += [("view sorted", "/rucas/statement_details?_sort_desc=date_earliest"),
              ("view sorted", "/rucas/source_overview?_sort_desc=statements"),
              ("view facet", "/rucas/alliance_context?_facet=membership&_facet=alliance_type"),
              ("view facet", "/rucas/assistance_timeline?_facet=event_type&_facet=modality")]
    pages += [("facet", "/rucas/events?_facet=event_type&_facet=location_country_iso3&_facet=modality"),
              ("facet", "/rucas/statements?_facet=speaker_id&_facet=quote_kind"),
              ("search", f"/rucas/statements?_search={word}"), ("search", f"/rucas/events?_search={word}"),
              ("search", f"/rucas/sources?_search={word}")]

    async def listed() -> list[tuple[str, str]]:
        """Every page the front page and the database page link to (what a reader can click: tables, views,
        canned queries, with the front page's example parameters too, the reliability page, the dashboard),
        an article's and an event's own page and review page, and every request the dashboard's charts make."""
        kinds = {view.name: "view" for view in view_files()} | {
            name: ("live view" if kind == "view" else "table") for name, kind in catalogue}
        found: dict[str, str] = {}
        for start in ("/", "/rucas"):
            for href in re.findall(r'href="(/[^"#]*)"', (await app.client.get(start)).text):
                path = html.unescape(href)
                if path in ("/", "/rucas") or path.startswith("/-/static") or path.split("?")[0].endswith(".db"):
                    continue  # measured first, or not a page: a stylesheet, the database file's download
                name = path.removeprefix("/rucas/").split("?")[0]
                kind = "site page" if not path.startswith("/rucas/") else kinds.get(name, "canned query")
                found.setdefault(path, kind + (" (an example)" if "?" in path else ""))
        found |= {f"/rucas/sources/{article}": "row page", f"/-/review/{article}": "review page",
                  f"/rucas/events/{event}": "row page"}
        for slug, chart in dashboards(DATABASE_NAME)[DASHBOARD_SLUG]["charts"].items():
            sql = replace_opts_in_query(chart["query"], {})  # what the dashboard asks for with no filter set
            found[f"/rucas.json?sql={urllib.parse.quote(sql)}&_shape=array"] = f"dashboard chart {slug}"
        return [(kind, path) for path, kind in found.items()]

    async def measure() -> list[tuple[str, str, float, float, str]]:
        await app.invoke_startup()
        results = []
        for kind, path in [*pages[:2], *await listed(), *pages[2:]]:
            await app.client.get(path)
            times: list[float] = []
            statuses: set[int] = set()
            deadline = time.perf_counter() + budget
            while len(times) < repeat and (len(times) < 3 or time.perf_counter() < deadline):
                start = time.perf_counter()
                response = await app.client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                statuses.add(response.status_code)
            results.append((kind, path, *percentiles(times), ",".join(map(str, sorted(statuses)))))
        return results

    return asyncio.run(measure())


# --- one size --------------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    label: str
    articles: int
    generate_seconds: float | None = None
    validate: Measured | None = None
    cold: Measured | None = None
    cold_report: dict = field(default_factory=dict)
    rebuild_first: Measured | None = None
    rebuild_first_report: dict = field(default_factory=dict)
    rebuild_counted: Measured | None = None
    """A rebuild after an edit of an event's type and year (edit_event_type_and_year), which the whole-corpus
    figures count: the benchmark's other rebuilds change a summary, which none of them reads."""
    rebuild_counted_report: dict = field(default_factory=dict)
    """The first rebuild after the cold build: no superseded build exists yet, so its databases are copied."""
    rebuild: Measured | None = None
    rebuild_report: dict = field(default_factory=dict)
    """The next rebuild (after another edit): what a curator's loop of edits costs (BuildReport.databases says how
    its databases came: cloned, spare or copied)."""
    validate_one: Measured | None = None
    validate_one_runs: list[float] = field(default_factory=list)
    """Whole-process seconds of each `rucas validate` run after the edit; validate_one is the best of them."""
    watch_one: list[float] = field(default_factory=list)
    """With `rucas validate --watch` running, the seconds from each of WATCH_EDITS saves to its verdict."""
    baseline: dict[str, float] = field(default_factory=dict)
    baseline_cpu_seconds: float | None = None
    """CPU seconds of the baseline's two timed parts (None in older results)."""
    cores: int = 0
    """The cores this process could run on when the size was measured (0 in older results)."""
    sizes: dict[str, int] = field(default_factory=dict)
    views: list = field(default_factory=list)
    pages: list = field(default_factory=list)
    spark: dict = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)
    run_started: str = ""
    """When the run that measured this size began (UTC, ISO 8601): the report shows one run's sizes only."""


def corpus_for(label: str, articles: int, seed: int, corpora: Path, progress) -> tuple[Path, float | None]:
    """The corpus of `articles` articles, generated unless an identical one is already there."""
    target = corpora / label
    stamp = target / "README.md"
    expected = f"A synthetic corpus of {articles} articles (seed {seed})"
    codebook = target / "reference" / "codebook.yaml"
    if stamp.exists() and stamp.read_text(encoding="utf-8").startswith(expected) and codebook.exists() \
            and codebook.read_bytes() == CODEBOOK.read_bytes() and len(list((target / "annotations").iterdir())) == articles:
        return target, None
    progress(f"[{label}] generating {articles:,} articles")
    start = time.perf_counter()
    generate_corpus(target, articles, seed, CODEBOOK)
    return target, time.perf_counter() - start


def measure_size(label: str, articles: int, args: argparse.Namespace, progress, checkpoint) -> SizeResult:
    """Every measurement for one size; `checkpoint(result)` is called after each, so a partial run still reports."""
    result = SizeResult(label, articles)
    result.load = (os.getloadavg()[0], 0.0)
    result.cores = len(os.sched_getaffinity(0))
    curated, result.generate_seconds = corpus_for(label, articles, args.seed, args.corpora, progress)
    output = args.work / label
    shutil.rmtree(output, ignore_errors=True)
    if articles <= args.validate_up_to:
        progress(f"[{label}] rucas validate (no cache)")
        result.validate = run_measured(rucas("validate", "--curated", str(curated), "--no-cache", "--quiet"))
    checkpoint(result)
    progress(f"[{label}] cold build")
    result.cold = run_measured(build_command(curated, output))
    result.cold_report = json.loads(result.cold.output.strip().splitlines()[-1])
    build_dir = (output / ".builds" / "current").resolve()
    result.sizes = {"parquet/": size_of(build_dir / "parquet"), "rucas.duckdb": size_of(build_dir / "rucas.duckdb"),
                    "rucas.db": size_of(build_dir / "rucas.db"), "datasette/": size_of(build_dir / "datasette"),
                    "annotations/": size_of(build_dir / "annotations"),
                    "cache (.cache/)": size_of(output / ".cache"), "curated input": size_of(curated)}
    checkpoint(result)
    for index, first in ((articles // 2, True), (articles // 4, False)):
        edited = edit_one_article(curated, index)
        try:  # the first rebuild after a cold build copies the databases; the next brings the superseded build forward
            progress(f"[{label}] {'first ' if first else ''}rebuild after one article changed")
            measured = run_measured(build_command(curated, output))
            report = json.loads(measured.output.strip().splitlines()[-1])
            if first:
                result.rebuild_first, result.rebuild_first_report = measured, report
            else:
                result.rebuild, result.rebuild_report = measured, report
        finally:
            undo_edit(edited)
        checkpoint(result)
    edited, before = edit_event_type_and_year(curated, articles // 5)
    try:
        progress(f"[{label}] rebuild after an event's type and year changed")
        result.rebuild_counted = run_measured(build_command(curated, output))
        result.rebuild_counted_report = json.loads(result.rebuild_counted.output.strip().splitlines()[-1])
    finally:
        edited.write_text(before, encoding="utf-8")
    checkpoint(result)
    edited = edit_one_article(curated, articles // 3)
    try:
        progress(f"[{label}] rucas validate of one changed article (cache warm), best of {VALIDATE_RUNS}")
        runs = [run_measured(rucas("validate", "--curated", str(curated), "--cache-dir", str(output / ".cache"),
                                   "--quiet")) for _ in range(VALIDATE_RUNS)]
        result.validate_one = min(runs, key=lambda measured: measured.seconds)
        result.validate_one_runs = [measured.seconds for measured in runs]
    finally:
        undo_edit(edited)
    checkpoint(result)
    progress(f"[{label}] rucas validate --watch: {WATCH_EDITS} saves, each to its verdict")
    result.watch_one = watch_latencies(curated, output / ".cache", [articles // 3 + 1 + i for i in range(WATCH_EDITS)])
    checkpoint(result)
    progress(f"[{label}] baseline")
    result.baseline, result.baseline_cpu_seconds = baseline(output, args.work / f"{label}-baseline")
    checkpoint(result)
    if articles <= args.views_up_to:
        progress(f"[{label}] view latencies")
        result.views = view_latencies(output, args.repeat, args.budget, args.timeout)
        checkpoint(result)
    progress(f"[{label}] Datasette latencies")
    result.pages = datasette_latencies(output, args.repeat, args.budget)
    checkpoint(result)
    if articles <= args.spark_up_to and importlib.util.find_spec("pyspark") and shutil.which("java"):
        progress(f"[{label}] Spark (rucas.spark)")
        measured = run_measured([sys.executable, "-c", SPARK_SNIPPET, str(output)])
        result.spark = json.loads(measured.output.strip().splitlines()[-1])
        checkpoint(result)
    result.load = (result.load[0], os.getloadavg()[0])
    if not args.keep:
        shutil.rmtree(output, ignore_errors=True)
    return result


# --- the report ------------------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    import pyarrow
    import rucas

    return [f"- CPU: {cpu}; nproc {os.cpu_count()}; memory {memory / 2**30:.1f} GiB",
            (f"- Python {platform.python_version()}, duckdb {duckdb.__version__}, SQLite {sqlite3.sqlite_version}, "
            f"pyarrow {pyarrow.__version__}, rucas {rucas.__version__}; {platform.platform()}")]


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} s"


NOT_MEASURED = (AttributeError, KeyError, IndexError, TypeError, ZeroDivisionError, statistics.StatisticsError)
"""What asking for a figure that was not measured (in this run, or in results of an older run) raises."""


def safe(make) -> str:
    """A table cell, or '-' for a figure not measured (yet)."""
    try:
        return make()
    except NOT_MEASURED:
        return "-"


def rss(measured: Measured) -> str:
    """The sampled peak of the process tree when measured, else ru_maxrss (marked)."""
    if measured.sampled_rss_mib:
        return f"{measured.sampled_rss_mib:,.0f} MiB"
    return f"{measured.peak_rss_mib:,.0f} MiB (ru_maxrss)"


def ms(median: float, p95: float, runs: int) -> str:
    """'median / p95' in ms; one run is shown alone, a run cut off by the timeout as 'timed out'."""
    if math.isinf(median):
        return "timed out"
    return f"{median:,.0f} (1 run)" if runs == 1 else f"{median:,.1f} / {p95:,.1f}"


def validate_cell(r: SizeResult) -> str:
    if r.validate:
        return seconds(r.validate.seconds)
    return f"{seconds(r.cold_report['stage_seconds']['validate'])} (build stage)"


def page_count_under(r: SizeResult) -> tuple[int, int]:
    """(pages whose p95 is under PAGE_TARGET_MS with status 200, pages measured)."""
    return sum(1 for page in r.pages if page[3] < PAGE_TARGET_MS and page[4] == "200"), len(r.pages)


def target_rows(r: SizeResult) -> list[tuple[str, str, str, bool | None]]:
    """Issue 20's figures at one size: (measure, measured, target, met)."""
    def row(measure: str, make, target: str, met) -> tuple[str, str, str, bool | None]:
        try:
            return measure, make(), target, met()
        except NOT_MEASURED:
            return measure, "-", target, None

    return [
        row("peak memory of a cold build (all processes)", lambda: rss(r.cold), "<= 2 GiB",
            lambda: r.cold.sampled_rss_mib <= 2048),
        row("peak memory of a rebuild after one edit", lambda: rss(r.rebuild), "<= 1 GiB",
            lambda: r.rebuild.sampled_rss_mib <= 1024),
        row(f"`rucas validate` after one edit, whole process, best of {VALIDATE_RUNS}",
            lambda: seconds(r.validate_one.seconds), "<= 1 s", lambda: r.validate_one.seconds <= 1.0),
        row(f"the same with `rucas validate --watch` running: from the save to the verdict, median of {WATCH_EDITS}",
            lambda: seconds(statistics.median(r.watch_one)), "<= 1 s",
            lambda: statistics.median(r.watch_one) <= 1.0),
        row("`rucas build` after one edit", lambda: seconds(r.rebuild.seconds), "<= 10 s",
            lambda: r.rebuild.seconds <= 10.0),
        row("the same, the first rebuild after a cold build (databases copied)", lambda: seconds(r.rebuild_first.seconds),
            "<= 10 s", lambda: r.rebuild_first.seconds <= 10.0),
        row("the same, an edit of an event's type and year (the panels, page figures and charts computed again)",
            lambda: seconds(r.rebuild_counted.seconds), "<= 10 s", lambda: r.rebuild_counted.seconds <= 10.0),
        row("cold build against the baseline", lambda: f"{seconds(r.cold.seconds)} against "
            f"{seconds(sum(r.baseline.values()))} = {r.cold.seconds / sum(r.baseline.values()):.1f}x", "<= 3x",
            lambda: r.cold.seconds / sum(r.baseline.values()) <= 3.0),
        row(f"Datasette pages under {PAGE_TARGET_MS:.0f} ms p95", lambda: "{} of {}".format(*page_count_under(r)),
            "all", lambda: page_count_under(r)[0] == page_count_under(r)[1] and r.pages != []),
    ]


def linear_fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """(intercept, slope) of the line through the two largest sizes' points (articles, value)."""
    (n1, y1), (n2, y2) = sorted(points)[-2:]
    slope = (y2 - y1) / (n2 - n1)
    return y1 - slope * n1, slope


def growth_lines(results: list[SizeResult], at: int = 1_000_000) -> list[str]:
    """How each cold-build stage and each figure grows between the two largest sizes measured, the line through
    them projected to `at` articles, and the largest corpus whose projected cold-build peak fits in memory."""
    sized = [r for r in results if r.cold_report]
    if len(sized) < 2:
        return ["Growth needs two sizes measured in one run."]
    small, large = sorted(sized, key=lambda r: r.articles)[-2:]
    factor = large.articles / small.articles
    lines = [(f"Measured ratios from {small.articles:,} to {large.articles:,} articles ({factor:.0f}x the articles); "
              f"'linear' means the ratio is within 0.8-1.25 of {factor:.0f}. The projection to {at:,} articles is "
              f"the straight line through the two points (value = a + b x articles), which assumes each cost keeps "
              f"growing as it did between them."), "",
             f"| measure | {small.label} | {large.label} | ratio | per 1,000 articles at {large.label} | projected "
             f"at {at:,} |", "| --- | --- | --- | --- | --- | --- |"]

    def line(name: str, a: float | None, b: float | None, unit: str) -> None:
        if a is None or b is None:
            lines.append(f"| {name} | - | - | - | - | - |")
            return
        intercept, slope = linear_fit([(small.articles, a), (large.articles, b)])
        ratio = b / a if a else math.inf
        shape = "linear" if 0.8 * factor <= ratio <= 1.25 * factor else ("sublinear" if ratio < 0.8 * factor
                                                                          else "superlinear")
        per = 1000 * b / large.articles
        shown = (lambda v: f"{v:,.2f} s") if unit == "s" else (lambda v: f"{v:,.0f} MiB")
        lines.append(f"| {name} | {shown(a)} | {shown(b)} | {ratio:.1f}x ({shape}) | {shown(per)} | "
                     f"{shown(intercept + slope * at)} |")

    stages = list(dict.fromkeys([*small.cold_report["stage_seconds"], *large.cold_report["stage_seconds"]]))
    for stage in stages:
        line(f"cold: {stage}", small.cold_report["stage_seconds"].get(stage),
             large.cold_report["stage_seconds"].get(stage), "s")
    for name, get in (("cold build, wall", lambda r: r.cold.seconds),
                      ("baseline (DuckDB + sqlite3)", lambda r: sum(r.baseline.values())),
                      ("first rebuild after one edit, wall", lambda r: r.rebuild_first.seconds),
                      ("rebuild after one edit, wall", lambda r: r.rebuild.seconds),
                      ("rebuild after an edit of type and year, wall", lambda r: r.rebuild_counted.seconds),
                      ("validate one edit, whole process", lambda r: r.validate_one.seconds),
                      ("validate one edit, watching (save to verdict, median)",
                       lambda r: statistics.median(r.watch_one))):
        line(name, *(safe_value(lambda r=r: get(r)) for r in (small, large)), "s")
    for name, get in (("cold build, peak memory", lambda r: r.cold.sampled_rss_mib),
                      ("first rebuild, peak memory", lambda r: r.rebuild_first.sampled_rss_mib),
                      ("rebuild, peak memory", lambda r: r.rebuild.sampled_rss_mib)):
        line(name, *(safe_value(lambda r=r: get(r)) for r in (small, large)), "MiB")
    memory = [safe_value(lambda r=r: r.cold.sampled_rss_mib) for r in (small, large)]
    if None not in memory:
        intercept, slope = linear_fit([(small.articles, memory[0]), (large.articles, memory[1])])
        budget = MACHINE_MEMORY_GIB * 1024
        if slope > 0:
            fits = int((budget - intercept) / slope)
            lines += ["", (f"Largest corpus whose projected cold-build peak fits in {MACHINE_MEMORY_GIB} GiB: about "
                           f"{fits:,} articles ({intercept:,.0f} MiB + {slope * 1000:,.1f} MiB per 1,000 articles; "
                           f"the operating system and other programs need some of those {MACHINE_MEMORY_GIB} GiB, "
                           f"so the practical limit is lower). Disk: the outputs grow as the table of sizes shows.")]
        else:
            lines += ["", f"The cold build's peak memory did not grow from {small.label} to {large.label}; no "
                          f"memory limit follows from these two points."]
    return lines


def cpu_lines(results: list[SizeResult]) -> list[str]:
    """The CPU time of each measured process beside its wall time, and what the cold build's CPU time says of the
    3x target: on `cores` cores no schedule of that work ends before CPU time / cores."""
    lines = ["### CPU time", "",
             ("User and system CPU seconds of each measured process and of the processes it waited for (validation "
              "workers, the SQLite writer), as wait4 reports them; *cores busy* is CPU / wall, the cores kept busy "
              "on average. The baseline's CPU is its own process's during its two timed parts (DuckDB's threads "
              "included)."), "",
             "| articles | cores | process | wall | CPU | cores busy |", "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        for name, measured in (("cold build", r.cold), ("first rebuild", r.rebuild_first), ("rebuild", r.rebuild),
                               ("rebuild, type and year", r.rebuild_counted), ("validate one", r.validate_one)):
            if measured is not None and measured.cpu_seconds is not None:
                lines.append(f"| {r.articles:,} | {r.cores or '-'} | {name} | {seconds(measured.seconds)} | "
                             f"{seconds(measured.cpu_seconds)} | {measured.cpu_seconds / measured.seconds:.2f} |")
        if r.baseline_cpu_seconds is not None and r.baseline:
            wall = sum(r.baseline.values())
            lines.append(f"| {r.articles:,} | {r.cores or '-'} | baseline | {seconds(wall)} | "
                         f"{seconds(r.baseline_cpu_seconds)} | {r.baseline_cpu_seconds / wall:.2f} |")
    at = max((r for r in results if r.cold is not None and r.cold.cpu_seconds and r.baseline and r.cores),
             key=lambda r: r.articles, default=None)
    if at is not None:
        wall, target = at.cold.seconds, 3 * sum(at.baseline.values())
        bound = at.cold.cpu_seconds / at.cores
        lines += ["", (f"At {at.articles:,} articles the cold build spent {seconds(at.cold.cpu_seconds)} of CPU in "
                       f"{seconds(wall)}: on {at.cores} cores no schedule of that work ends before "
                       f"{seconds(bound)} ({bound / sum(at.baseline.values()):.1f}x the baseline; the build took "
                       f"{wall / bound:.2f} times that bound). Three times the baseline is {seconds(target)}: "
                       f"reaching it needs the work itself cut to at most {seconds(target * at.cores)} of CPU, "
                       f"{target * at.cores / at.cold.cpu_seconds:.0%} of what it is, however it is scheduled.")]
    return lines


def safe_value(make) -> float | None:
    try:
        return float(make())
    except NOT_MEASURED:
        return None


def report(results: list[SizeResult], started: datetime.datetime) -> str:
    lines = ["# RUCAS benchmarks", "",
             (f"Written by `python benchmarks/run.py` on {started:%Y-%m-%d %H:%M} UTC. Synthetic corpora from "
              "`benchmarks/generate.py` (seed 1, the minimal fixture's codebook). The machine is shared with other "
              "engineers' test runs: the load average (1 min) before and after each size is given, and figures "
              "under load are slower than on an idle machine. '-' marks a figure not measured."),
             "", "## Machine", "", *machine(), ""]
    at = max((r for r in results if r.cold_report), key=lambda r: r.articles, default=None)
    if at is not None:
        lines += [f"## Issue 20's targets (stated for {TARGETS_AT:,} articles) at {at.articles:,} articles", "",
                  f"Load average (1 min) {at.load[0]:.1f} before this size and {at.load[1]:.1f} after it.", "",
                  "| measure | measured | target | met |", "| --- | --- | --- | --- |"]
        lines += [f"| {measure} | {figure} | {target} | {'-' if met is None else ('yes' if met else 'no')} |"
                  for measure, figure, target, met in target_rows(at)]
        lines += ["", "## Growth and the projection to 1,000,000 articles", "", *growth_lines(results), ""]
    lines += ["## Build cost", "",
              ("Wall seconds. Peak RSS is the peak of the summed resident sets of the build process and its "
               "worker processes, sampled every 50 ms; figures marked ru_maxrss are the largest single process "
               "instead (see the notes). *Cold* starts with no output and no cache. *First rebuild* follows an "
               "edit of one annotation (the databases are copied: no superseded build exists yet); *rebuild* follows "
               "an edit of another (the superseded build is brought forward when nothing holds it). *Validate one* is validation after another annotation changed, with the "
               "cache of the cold build warm: `rucas validate` as a curator runs it, the whole process (start-up "
               f"and imports included), best of {VALIDATE_RUNS} runs (all runs in brackets). *Watching* is the same "
               "with `rucas validate --watch` running: the seconds from saving an edited annotation to the watch's "
               f"verdict, the median of {WATCH_EDITS} edits (each in brackets). *Baseline* is the same rows through DuckDB (JSON "
               "Lines -> Parquet) plus sqlite3 (executemany + FTS5), timed in the same run."), "",
              ("| articles | load before/after | generate | validate (no cache) | cold build | peak RSS | baseline "
               "(DuckDB + sqlite3) | cold / baseline | first rebuild (1 changed) | rebuild (1 changed) | rebuild RSS "
               "(first / next) | validate one | watching |"),
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append("| " + " | ".join([
            f"{r.articles:,}", safe(lambda r=r: f"{r.load[0]:.1f} / {r.load[1]:.1f}"), seconds(r.generate_seconds),
            safe(lambda r=r: validate_cell(r)), safe(lambda r=r: seconds(r.cold.seconds)),
            safe(lambda r=r: rss(r.cold)),
            safe(lambda r=r: f"{seconds(r.baseline['duckdb_jsonl_to_parquet'])} + "
                             f"{seconds(r.baseline['sqlite_insert_fts5'])}"),
            safe(lambda r=r: f"{r.cold.seconds / sum(r.baseline.values()):.1f}x"),
            safe(lambda r=r: f"{seconds(r.rebuild_first.seconds)} (databases {r.rebuild_first_report['databases']})"),
            safe(lambda r=r: f"{seconds(r.rebuild.seconds)} (databases {r.rebuild_report['databases']})"),
            safe(lambda r=r: f"{rss(r.rebuild_first)} / {rss(r.rebuild)}"),
            safe(lambda r=r: f"{seconds(r.validate_one.seconds)} (runs: "
                             + ", ".join(f"{t:.2f}" for t in r.validate_one_runs) + ")"),
            safe(lambda r=r: f"{seconds(statistics.median(r.watch_one))} (edits: "
                             + ", ".join(f"{t:.2f}" for t in r.watch_one) + ")")]) + " |")
    stages = list(dict.fromkeys(stage for r in results for rep in (r.cold_report, r.rebuild_first_report, r.rebuild_report,
                                                                r.rebuild_counted_report)
                                for stage in rep.get("stage_seconds", {})))
    lines += ["", ("### Stages (BuildReport.stage_seconds; starting Python and importing rucas is the rest of the "
                   "wall time; with the cache, files are read during validate; *cache* stores it; *duckdb views* "
                   "computes the materialised views, *sqlite views* stores their rows; a rebuild has *diff* "
                   "(finding changed rows), *copy* (the previous databases), *patch* (tables) and *patch views*; *annotations* "
                   "writes the W3C Web Annotations; *manifest* "
                   "lists and hashes the outputs, *publish* flushes them to disk, swaps and removes superseded builds. "
                   "In a cold build *sqlite* and *sqlite views* are timed in the SQLite writer's own process, which "
                   "runs beside *parquet*, *duckdb*, *duckdb views*, *annotations* and *flush* (the finished outputs "
                   "flushed to disk); *sqlite wait* is the build's wait for the writer after those, so a cold build's "
                   "stages add up to more than its wall time; the writer's stages have no peak of their own: its "
                   "memory is in the peaks of the stages it ran beside)"), "",
              "| articles | build | " + " | ".join(stages) + " |", "| --- | --- | " + " | ".join("---" for _ in stages) + " |"]
    for r in results:
        for name, rep in (("cold", r.cold_report), ("first rebuild", r.rebuild_first_report), ("rebuild", r.rebuild_report),
                          ("rebuild, type and year", r.rebuild_counted_report)):
            lines.append(f"| {r.articles:,} | {name} | "
                         + " | ".join(safe(lambda rep=rep, s=s: f"{rep['stage_seconds'][s]:.2f}") for s in stages) + " |")
    lines += ["", ("Peak of the summed resident sets of the build's processes during each stage (MiB; "
                   "BuildReport.stage_peak_rss_mib, sampled every 50 ms by the build itself, workers included):"), "",
              "| articles | build | " + " | ".join(stages) + " |", "| --- | --- | " + " | ".join("---" for _ in stages) + " |"]
    for r in results:
        for name, rep in (("cold", r.cold_report), ("first rebuild", r.rebuild_first_report), ("rebuild", r.rebuild_report),
                          ("rebuild, type and year", r.rebuild_counted_report)):
            lines.append(f"| {r.articles:,} | {name} | "
                         + " | ".join(safe(lambda rep=rep, s=s: f"{rep['stage_peak_rss_mib'][s]:,.0f}") for s in stages)
                         + " |")
    lines += ["", *cpu_lines(results)]
    lines += ["", "Materialising the views (*duckdb views* + *sqlite views*) as a share of the cold build's stages:"]
    for r in results:
        lines.append(f"- {r.articles:,} articles: " + safe(lambda r=r: materialisation_share(r.cold_report['stage_seconds'])))
    lines += ["", ("Views the rebuild patched (BuildReport.views_patched: *in place*; *moved* when rows took other "
                   "places, the others renumbered; *rewritten* when a view without a unit was computed whole):")]
    for r in results:
        lines.append(f"- {r.articles:,} articles: " + safe(lambda r=r: ", ".join(
            f"{name} {how}" for name, how in r.rebuild_report["views_patched"].items()) or "none changed"))
    lines += ["", ("Whole-corpus queries the rebuilds computed again (BuildReport.recomputed: views without a unit, "
                   "page figures, dashboard charts, computed only when the edit changed a column they read):")]
    for r in results:
        for name, rep in (("summary edited", r.rebuild_report), ("type and year edited", r.rebuild_counted_report)):
            lines.append(f"- {r.articles:,} articles, {name}: "
                         + safe(lambda rep=rep: ", ".join(rep["recomputed"]) or "none"))
    outputs = ["parquet/", "rucas.duckdb", "rucas.db", "datasette/", "annotations/", "cache (.cache/)", "curated input"]
    lines += ["", "### Rows and output sizes", "", "| articles | rows | " + " | ".join(outputs) + " |",
              "| --- | --- | " + " | ".join("---" for _ in outputs) + " |"]
    for r in results:
        rows = safe(lambda r=r: f"{sum(r.cold_report['row_counts'].values()):,}")
        lines.append(f"| {r.articles:,} | {rows} | "
                     + " | ".join(safe(lambda r=r, o=o: mib(r.sizes[o])) for o in outputs) + " |")
    measured = [r for r in results if r.views]
    lines += ["", "## Query latency", "",
              (f"Milliseconds, median / p95 over up to 20 runs after one warm-up (fewer, at least 3, when they take "
               "over 10 s; only the warm-up when it alone takes over 10 s). *First page* is "
               f"`SELECT * FROM view LIMIT {PAGE}` (what a reader sees first); *count* is `SELECT count(*)` over the "
               "whole view; *table* is the view's materialised table, *live* its SQL run on every read (<name>_live)."), "",
              "| view | engine | " + " | ".join(f"{r.label} first page | {r.label} count" for r in measured) + " |",
              "| --- | --- | " + " | ".join("--- | ---" for _ in measured) + " |"]
    if measured:
        for index, (name, engine, *_) in enumerate(measured[0].views):
            cells = [safe(lambda r=r, i=index: f"{ms(r.views[i][2], r.views[i][3], r.views[i][4])} | "
                                               f"{ms(r.views[i][5], r.views[i][6], r.views[i][7])}") for r in measured]
            lines.append(f"| {name} | {engine} | " + " | ".join(cells) + " |")
    sparked = [r for r in results if r.spark]
    if sparked:
        lines += ["", "### Spark (`rucas.spark.register`, local[2], 2 GiB; every row collected to the driver)", "",
                  "| step | " + " | ".join(f"{r.label} rows | {r.label} seconds" for r in sparked) + " |",
                  "| --- | " + " | ".join("--- | ---" for _ in sparked) + " |",
                  "| start the session | " + " | ".join(f"| {r.spark['session']:.1f}" for r in sparked) + " |",
                  "| register | " + " | ".join(f"| {r.spark['register']:.1f}" for r in sparked) + " |"]
        for name in sparked[0].spark["views"]:
            lines.append(f"| {name} | " + " | ".join(
                safe(lambda r=r, name=name: f"{r.spark['views'][name][0]:,} | {r.spark['views'][name][1]:.1f}")
                for r in sparked) + " |")
    served = [r for r in results if r.pages]
    if served:
        lines += ["", "### Datasette pages (through `datasette.app.Datasette(...).client`)", "",
                  "| page | path | " + " | ".join(r.label for r in served) + " |",
                  "| --- | --- | " + " | ".join("---" for _ in served) + " |"]
        for index, (kind, path, *_) in enumerate(served[0].pages):
            cells = [safe(lambda r=r, i=index: f"{r.pages[i][2]:.1f} / {r.pages[i][3]:.1f}"
                          + ("" if r.pages[i][4] == "200" else f" (HTTP {r.pages[i][4]})")) for r in served]
            shown = path.split("_search=")[0] + ("_search=..." if "_search=" in path else "")
            shown = shown.split("?sql=")[0] + ("?sql=..." if "?sql=" in shown else "")
            lines.append(f"| {kind} | `{shown}` | " + " | ".join(cells) + " |")
    notes = BENCHMARKS / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def load_results(folder: Path, run_started: str) -> list[SizeResult]:
    """Every size measured so far by the run that began at `run_started` (saved by checkpoints), smallest first."""
    known = {f.name for f in dataclasses.fields(SizeResult)}
    results = []
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("run_started") != run_started:
            continue
        data = {key: value for key, value in data.items() if key in known}
        for name in ("validate", "cold", "rebuild_first", "rebuild", "rebuild_counted", "validate_one"):
            data[name] = Measured(**data[name]) if data.get(name) else None
        data["load"] = tuple(data["load"])
        results.append(SizeResult(**data))
    return sorted(results, key=lambda r: r.articles)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k",
                        help=f"comma-separated, of {', '.join(SIZES)} or numbers of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query (after one warm-up)")
    parser.add_argument("--corpora", type=Path, default=BENCHMARKS / "corpora", help="where corpora are generated")
    parser.add_argument("--work", type=Path, default=BENCHMARKS / "corpora" / "outputs", help="where builds go")
    parser.add_argument("--results", type=Path, default=BENCHMARKS / "RESULTS.md")
    parser.add_argument("--budget", type=float, default=10.0,
                        help="seconds per query after which fewer repeats are run (at least 3)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds after which one query run is cut off")
    parser.add_argument("--validate-up-to", type=int, default=10_000,
                        help="run `rucas validate` without cache separately only up to this many articles; above "
                        "it the cold build's validate stage is the figure (same work)")
    parser.add_argument("--views-up-to", type=int, default=10_000_000,
                        help="measure every view's first page and count (tables and live SQL, both engines) only up "
                        "to this many articles; the live SQL alone takes most of an hour at 100k")
    parser.add_argument("--keep", action="store_true", help="keep the build outputs")
    parser.add_argument("--spark-up-to", type=int, default=10_000,
                        help="run every view in Spark (rucas.spark, local[2]) up to this many articles, if "
                        "pyspark and Java are installed")
    args = parser.parse_args(argv)
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SIZES and not s.isdigit()]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; use {', '.join(SIZES)} or a number of articles")
    started = datetime.datetime.now(datetime.UTC)

    def progress(message: str) -> None:
        print(f"{datetime.datetime.now(datetime.UTC):%H:%M:%S} {message}", file=sys.stderr, flush=True)

    saved = args.work / "results"
    saved.mkdir(parents=True, exist_ok=True)

    def checkpoint(current: SizeResult) -> None:
        """Save this size's figures and rewrite the report (of this run's sizes: the targets, ratios and
        projection compare sizes measured in one run, under the same code and machine state)."""
        current.load = (current.load[0], os.getloadavg()[0])
        current.run_started = started.isoformat()
        (saved / f"{current.label}.json").write_text(json.dumps(dataclasses.asdict(current)), encoding="utf-8")
        args.results.write_text(report(load_results(saved, started.isoformat()), started), encoding="utf-8")

    for label in labels:
        checkpoint(measure_size(label, SIZES.get(label) or int(label), args, progress, checkpoint))
        progress(f"[{label}] done; wrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
