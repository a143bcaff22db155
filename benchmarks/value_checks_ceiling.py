"""How much of validation the per-value checks cost: the most that checking values per column could save.

Issue 20 proposes checking values per column, vectorised, instead of one value at a time in Python
(`rucas.build.validate.rows.coerce_value`, called by `read_row` for every column of every row). This script
measures the ceiling of that change: it validates the same articles (`_validate_jobs`, what a validation worker
runs) with `coerce_value` as it is, and with it replaced by a function that checks nothing (it only turns date
text into dates, which later checks need). A vectorised check costs more than nothing, so the saving of any
such design is below the difference measured here. Runs alternate, and medians are compared (the machine is
shared). Nothing here is used by the build.

    .venv/bin/python benchmarks/value_checks_ceiling.py benchmarks/corpora/10k --articles 3000 --runs 5
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("curated", type=Path, help="a generated corpus (benchmarks/generate.py)")
    parser.add_argument("--articles", type=int, default=3000, help="how many of its articles to validate per run")
    parser.add_argument("--runs", type=int, default=5, help="runs of each kind, alternating")
    args = parser.parse_args(argv)

    import rucas.build.validate.rows as rows
    from rucas.build.read.corpus import read_corpus
    from rucas.build.validate.corpus import _Job, _validate_jobs

    corpus = read_corpus(args.curated)
    ids = corpus.source_ids().to_pylist()[:args.articles]
    jobs = [_Job(source_id, source_id, corpus.articles[source_id], corpus.annotations[source_id])
            for source_id in ids]
    checked = rows.coerce_value
    calls = [0]

    def counted(column: Any, value: Any) -> tuple[Any, str | None, str | None]:
        calls[0] += 1
        return checked(column, value)

    def unchecked(column: Any, value: Any) -> tuple[Any, str | None, str | None]:
        if column.kind == "date" and isinstance(value, str):
            return datetime.date.fromisoformat(value), None, None
        return value, None, None

    def seconds(coerce: Any) -> float:
        rows.coerce_value = coerce
        try:
            start = time.perf_counter()
            _validate_jobs(jobs, "")
            return time.perf_counter() - start
        finally:
            rows.coerce_value = checked

    seconds(counted)  # warms the caches of both kinds, and counts the values checked
    with_checks, without = [], []
    for _ in range(args.runs):
        with_checks.append(seconds(checked))
        without.append(seconds(unchecked))
    a, b = statistics.median(with_checks), statistics.median(without)
    print(f"{len(jobs):,} article(s), {calls[0]:,} values checked by read_row")
    print("with the checks:    " + ", ".join(f"{t:.3f}" for t in with_checks) + f" s; median {a:.3f} s")
    print("without any check:  " + ", ".join(f"{t:.3f}" for t in without) + f" s; median {b:.3f} s")
    print(f"ceiling of the saving: {1 - b / a:.1%} of the articles' validation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
