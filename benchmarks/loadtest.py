"""A bounded load test of the published Datasette: N concurrent clients for S seconds on 127.0.0.1.

Starts Datasette exactly as `rucas serve` does (rucas.build.publish.serve.datasette_command) on a free
port of 127.0.0.1, then runs `--clients` asyncio clients that request table, view, facet and
search pages in turn until `--seconds` have passed or each has made `--max-requests` requests,
stops the server and prints throughput, latency percentiles and every error.

    python benchmarks/loadtest.py --curated tests/fixtures/minimal --clients 50 --seconds 30
    python benchmarks/loadtest.py --output dataset            # an existing build
    python benchmarks/loadtest.py --clients 50 --hostile 3     # plus 3 clients sending hostile requests

Hostile clients (`--hostile N`) cycle through HOSTILE: queries made of very slow steps, a query that
never ends, a cross join stopped by the time limit, malformed parameters and paths, a POST to a canned
query. Their refusals (4xx) are expected; a 5xx or a dropped connection counts as an error. The light
pages are everything else, and their p95 is what hostile requests must not spoil.

Only the loopback address is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from urllib.parse import quote

import httpx

from rucas.build.publish.serve import datasette_command
from rucas.queries import view_files

HOST = "127.0.0.1"


def pages(output_dir: Path) -> list[tuple[str, str]]:
    """(kind, path) of the pages each client requests in turn: tables, views, facets and searches.

    Search words are taken from the build itself (the first word of the first source's title and
    of the first statement's evidence), so that searches find rows in any corpus."""
    import sqlite3

    con = sqlite3.connect(f"file:{output_dir / 'rucas.db'}?mode=ro", uri=True)
    try:
        title = con.execute("SELECT title FROM sources ORDER BY source_id LIMIT 1").fetchone()
        evidence = con.execute("SELECT evidence FROM statements ORDER BY statement_id LIMIT 1").fetchone()
    finally:
        con.close()
    source_word = (title[0].split() or ["Russia"])[0].strip(".,'\"") if title else "Russia"
    statement_word = (evidence[0].split() or ["Russia"])[0].strip(".,'\"") if evidence else "Russia"
    listed = [
        ("table", "/rucas/events"),
        ("table", "/rucas/statements"),
        ("table", "/rucas/actors.json"),
        ("table", "/rucas/sources?_col=source_id&_col=title&_col=publisher"),
        ("facet", "/rucas/events?_facet=event_type&_facet=modality"),
        ("facet", "/rucas/statements.json?_facet=quote_kind&_facet=speaker_id"),
        ("facet", "/rucas/actors?_facet=actor_type&_facet=country_iso3"),
        ("search", f"/rucas/sources?_search={source_word}&_col=title"),
        ("search", f"/rucas/statements.json?_search={statement_word}"),
        ("search", f"/rucas/events?_search={source_word}"),
    ]
    listed += [("view", f"/rucas/{view.name}") for view in view_files()]
    return listed


def _sql(sql: str) -> str:
    return "/rucas.json?sql=" + quote(sql)


HOSTILE: list[tuple[str, str]] = [
    ("GET", _sql("select length(hex(zeroblob(150000000))) union all select length(hex(zeroblob(150000000)))")),
    ("GET", _sql("select printf('%.*c', 2000000000, 'x')")),
    ("GET", _sql("with recursive forever(n) as (select 1 union all select n + 1 from forever) "
                 "select count(*) from forever")),
    ("GET", _sql("select count(*) from statements a, statements b, statements c")),
    ("GET", _sql("select length(hex(zeroblob(400000))) from statements")),
    ("GET", "/rucas/events?_sort=no_such_column"),
    ("GET", "/rucas/event_actors/some-event"),
    ("POST", "/rucas/actor_record"),
]
"""(method, path) of the requests a hostile client sends in turn."""


@dataclass
class Results:
    """What every request did: its kind, latency and status (or the exception it raised)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    """Statuses of the hostile requests."""
    requests: int = 0


async def client(number: int, base: str, plan: list[tuple[str, str]], deadline: float, max_requests: int,
                 http: httpx.AsyncClient, results: Results) -> None:
    """One client: request the pages in turn (starting at its own offset) until the deadline or the cap."""
    for index in range(max_requests):
        if time.monotonic() >= deadline:
            return
        kind, path = plan[(number + index) % len(plan)]
        started = time.perf_counter()
        try:
            response = await http.get(base + path)
            await response.aread()
            status = response.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        elapsed = time.perf_counter() - started
        results.requests += 1
        results.latencies[kind].append(elapsed)
        if status != 200:
            results.errors[f"{status} {path}"] += 1


async def hostile_client(number: int, base: str, deadline: float, max_requests: int, http: httpx.AsyncClient,
                         results: Results) -> None:
    """One hostile client: send HOSTILE in turn; a 4xx is the expected refusal, a 5xx or no answer an error."""
    for index in range(max_requests):
        if time.monotonic() >= deadline:
            return
        method, path = HOSTILE[(number + index) % len(HOSTILE)]
        started = time.perf_counter()
        try:
            response = await http.request(method, base + path, data={"actor_id": "x"} if method == "POST" else None)
            await response.aread()
            status = response.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        results.requests += 1
        results.latencies["hostile"].append(time.perf_counter() - started)
        results.statuses[str(status)] += 1
        if not isinstance(status, int) or status >= 500:
            results.errors[f"{status} {method} {path}"] += 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(output_dir: Path) -> tuple[subprocess.Popen, str]:
    """Start Datasette on a free loopback port; return the process and its base URL once it answers."""
    port = _free_port()
    process = subprocess.Popen(datasette_command(output_dir, HOST, port), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("datasette exited before answering")
        try:
            if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("datasette did not answer within 60 s")


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def run(base: str, plan: list[tuple[str, str]], clients: int, seconds: float, max_requests: int,
              hostile: int = 0) -> tuple[Results, float]:
    """Run the clients (and `hostile` hostile clients) against base; return the results and the seconds taken."""
    results = Results()
    limits = httpx.Limits(max_connections=clients + hostile, max_keepalive_connections=clients + hostile)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(client(n, base, plan, deadline, max_requests, http, results) for n in range(clients)),
                             *(hostile_client(n, base, deadline, max_requests, http, results) for n in range(hostile)))
        return results, time.monotonic() - started


def summary(results: Results, wall: float, clients: int) -> dict[str, object]:
    """Throughput, latency percentiles (ms) per kind and overall, and the errors."""
    every = [value for values in results.latencies.values() for value in values]
    light = [value for kind, values in results.latencies.items() if kind != "hostile" for value in values]

    def figures(values: list[float]) -> dict[str, float]:
        return {"requests": len(values), "p50_ms": round(statistics.median(values) * 1000, 1),
                "p95_ms": round(percentile(values, 0.95) * 1000, 1),
                "p99_ms": round(percentile(values, 0.99) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}

    return {"clients": clients, "seconds": round(wall, 1), "requests": results.requests,
            "throughput_rps": round(results.requests / wall, 1), "errors": sum(results.errors.values()),
            "error_detail": dict(results.errors), "overall": figures(every),
            "light": figures(light) if light else None, "hostile_statuses": dict(results.statuses),
            "by_kind": {kind: figures(values) for kind, values in sorted(results.latencies.items())}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="an existing build to serve")
    parser.add_argument("--curated", type=Path, help="build this curated folder into a temporary folder first")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--hostile", type=int, default=0, help="clients sending hostile requests (HOSTILE)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="cap per client (the test is bounded)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON only")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 500 or not 0 <= args.hostile <= 20 or not 0 < args.seconds <= 600:
        parser.error("use 1-500 clients, 0-20 hostile clients and at most 600 seconds")
    with tempfile.TemporaryDirectory(prefix="rucas-loadtest-") as scratch:
        output = args.output
        if output is None:
            from rucas.build.paths import default_curated_dir
            from rucas.build.pipeline import build

            output = build(args.curated or default_curated_dir(), Path(scratch) / "output").output_dir
        manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
        process, base = start_server(output)
        try:
            plan = pages(output)
            results, wall = asyncio.run(run(base, plan, args.clients, args.seconds, args.max_requests, args.hostile))
            alive = httpx.get(f"{base}/rucas/actors.json", timeout=30).status_code == 200
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    report = summary(results, wall, args.clients)
    report["dataset"] = {"version": manifest["version"], "rows": sum(manifest["row_counts"].values()),
                         "sources": manifest["row_counts"].get("sources")}
    report["server_answers_after"] = alive
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['clients']} clients, {report['seconds']} s, {report['requests']} requests, "
              f"{report['throughput_rps']} req/s, {report['errors']} errors, "
              f"p50 {report['overall']['p50_ms']} ms, p99 {report['overall']['p99_ms']} ms "
              f"(dataset {report['dataset']['version']}, {report['dataset']['rows']} rows)")
        for kind, figures in [*report["by_kind"].items(), ("light", report["light"])]:
            if figures:
                print(f"  {kind:<7} {figures['requests']:>6} requests  p50 {figures['p50_ms']:>7} ms  "
                      f"p95 {figures['p95_ms']:>7} ms  p99 {figures['p99_ms']:>7} ms  max {figures['max_ms']:>7} ms")
        if report["hostile_statuses"]:
            print(f"  hostile statuses: {report['hostile_statuses']}")
        for what, count in report["error_detail"].items():
            print(f"  error {what}: {count}")
    return 0 if report["errors"] == 0 and alive else 1


if __name__ == "__main__":
    sys.exit(main())
