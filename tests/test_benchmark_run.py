"""benchmarks/run.py's accounting of CPU time (issue 20): a measured process's CPU includes the processes it waited
for, and the report says what the cold build's CPU time allows on the machine's cores."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def run():
    """benchmarks/run.py as a module (benchmarks/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("rucas_benchmarks_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


SPIN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"
"""A Python program that keeps one core busy for `seconds` of its own CPU time."""


def test_the_cpu_time_of_a_measured_process_includes_the_child_it_waited_for(run):
    child = SPIN.format(seconds=0.4)
    parent = (f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {child!r}], check=True)\n"
              + SPIN.format(seconds=0.2))
    measured = run.run_measured([sys.executable, "-c", parent])
    assert measured.cpu_seconds >= 0.6  # the child's 0.4 s and the parent's own 0.2 s
    assert measured.cpu_seconds <= measured.seconds * 1.1  # one after the other: never more than one core at a time


def test_the_report_bounds_the_cold_build_by_its_cpu_time_over_the_cores(run):
    result = run.SizeResult("100k", 100_000, cores=2, baseline={"duckdb_jsonl_to_parquet": 10.0,
                                                                 "sqlite_insert_fts5": 30.0},
                            baseline_cpu_seconds=45.0)
    result.cold = run.Measured(250.0, 900.0, "", 1600.0, cpu_seconds=460.0)
    lines = "\n".join(run.cpu_lines([result]))
    assert "| 100,000 | 2 | cold build | 250.00 s | 460.00 s | 1.84 |" in lines
    assert "| 100,000 | 2 | baseline | 40.00 s | 45.00 s | 1.12 |" in lines
    # 460 s of CPU on 2 cores: no schedule ends before 230 s, 5.75x the 40 s baseline; 3x is 120 s, which needs
    # at most 240 s of CPU, 52% of 460
    assert "ends before 230.00 s (5.8x the baseline; the build took 1.09 times that bound)" in lines
    assert "Three times the baseline is 120.00 s" in lines
    assert "at most 240.00 s of CPU, 52% of what it is" in lines


def test_results_of_runs_before_cpu_was_measured_still_report(run):
    result = run.SizeResult("100k", 100_000, baseline={"duckdb_jsonl_to_parquet": 10.0, "sqlite_insert_fts5": 30.0})
    result.cold = run.Measured(250.0, 900.0, "", 1600.0)
    lines = run.cpu_lines([result])
    assert not any("cold build" in line for line in lines)
    assert not any("no schedule" in line for line in lines)


def test_the_ceiling_of_value_checks_compares_the_same_articles_with_and_without_them(capsys):
    """benchmarks/value_checks_ceiling.py runs, and leaves the checks in place when it is done."""
    import rucas.build.validate.rows as rows

    spec = importlib.util.spec_from_file_location("rucas_benchmarks_ceiling", RUN.parent / "value_checks_ceiling.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    checked = rows.coerce_value
    minimal = Path(__file__).resolve().parent / "fixtures" / "minimal"
    articles = len(list((minimal / "annotations").glob("*.yaml")))
    assert module.main([str(minimal), "--articles", "5", "--runs", "1"]) == 0
    printed = capsys.readouterr().out
    assert f"{articles} article(s), " in printed and "values checked by read_row" in printed
    assert "ceiling of the saving:" in printed
    assert rows.coerce_value is checked


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watching needs Linux's inotify")
def test_the_watch_is_timed_from_each_save_to_its_verdict_and_leaves_the_corpus_as_it_was(run, tmp_path: Path):
    from test_views import load_generator

    curated = load_generator().generate_corpus(tmp_path / "curated", 6, 1)
    before = {path: path.read_bytes() for path in sorted(curated.rglob("*")) if path.is_file()}
    seconds = run.watch_latencies(curated, tmp_path / "cache", [1, 2])
    assert len(seconds) == 2 and all(0 < each < run.WATCH_WAIT_SECONDS for each in seconds)
    assert {path: path.read_bytes() for path in sorted(curated.rglob("*")) if path.is_file()} == before


def test_the_watch_figure_is_the_median_of_its_edits_and_older_results_show_it_unmeasured(run):
    result = run.SizeResult("100k", 100_000)
    rows = {measure: (figure, met) for measure, figure, _, met in run.target_rows(result)}
    watching = next(measure for measure in rows if "--watch" in measure)
    assert rows[watching] == ("-", None)
    result.watch_one = [0.9, 0.4, 1.3]
    rows = {measure: (figure, met) for measure, figure, _, met in run.target_rows(result)}
    assert rows[watching] == ("0.90 s", True)
