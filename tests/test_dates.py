"""Dates are intervals: rucas.during in pandas and the canned query events_during (over the view
event_dates) in DuckDB and SQLite keep the same rows, with one stated reading of unknown bounds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import rucas
from rucas.queries import canned_queries, view_files

EVENT_DATES = {v.name: v for v in view_files()}["event_dates"]
EVENTS_DURING = {q.name: q for q in canned_queries()}["events_during"]

EVENTS = [  # event_id, date_earliest, date_latest
    ("known-day-2012", "2012-05-01", "2012-05-01"),
    ("interval-2011-2012", "2011-06-01", "2012-02-01"),
    ("interval-1998-2003", "1998-09-11", "2003-03-13"),
    ("by-2015-unknown-start", None, "2015-04-13"),
    ("by-2009-unknown-start", None, "2009-12-31"),
    ("from-2013-unknown-end", "2013-03-01", None),
    ("from-2016-unknown-end", "2016-01-01", None),
    ("unknown-both", None, None),
]

PERIODS = [("2010-01-01", "2013-12-31"), ("2012-05-01", "2012-05-01"), ("", "2010-12-31"), ("2014-01-01", ""), ("", "")]


def frame() -> pd.DataFrame:
    events = pd.DataFrame(EVENTS, columns=["event_id", "date_earliest", "date_latest"])
    for column in ("date_earliest", "date_latest"):
        events[column] = pd.to_datetime(events[column])
    return events


def create_events(con, date_type: str) -> None:
    con.execute(f"CREATE TABLE events (event_id TEXT, date_earliest {date_type}, date_latest {date_type}, "
                "date_precision TEXT, event_type TEXT, modality TEXT, summary TEXT, source_id TEXT)")
    for event_id, first, last in EVENTS:
        con.execute("INSERT INTO events VALUES (?, ?, ?, 'range', 'REQUEST', 'occurred', 'A test event.', 'test')",
                    [event_id, first, last])
    con.execute(f"CREATE VIEW event_dates AS {EVENT_DATES.sql}")


@pytest.fixture(scope="module")
def engines():
    lite = sqlite3.connect(":memory:")
    create_events(lite, "TEXT")
    duck = duckdb.connect()
    create_events(duck, "DATE")
    yield lite, duck
    lite.close()
    duck.close()


def in_pandas(start: str, end: str, how: str) -> list[str]:
    kept = rucas.during(frame(), start or None, end or None, how=how)
    return sorted(kept.event_id)


@pytest.mark.parametrize("how", ["overlaps", "within"])
@pytest.mark.parametrize("start,end", PERIODS)
def test_pandas_duckdb_and_sqlite_keep_the_same_events(engines, start: str, end: str, how: str) -> None:
    lite, duck = engines
    parameters = {"from_date": start, "until_date": end, "how": how}
    in_sqlite = sorted(row[0] for row in lite.execute(EVENTS_DURING.sql, parameters))
    in_duckdb = sorted(row[0] for row in duck.execute(EVENTS_DURING.duckdb_sql, parameters).fetchall())
    assert in_sqlite == in_duckdb == in_pandas(start, end, how)


def test_overlaps_keeps_an_unknown_bound_open_on_its_side() -> None:
    assert in_pandas("2010-01-01", "2013-12-31", "overlaps") == sorted([
        "known-day-2012", "interval-2011-2012", "by-2015-unknown-start", "from-2013-unknown-end", "unknown-both"])


def test_within_needs_both_bounds_known_and_inside() -> None:
    assert in_pandas("2010-01-01", "2013-12-31", "within") == ["interval-2011-2012", "known-day-2012"]
    assert in_pandas("", "", "within") == sorted(
        ["known-day-2012", "interval-2011-2012", "interval-1998-2003"])


def test_an_empty_how_means_overlaps_and_an_unknown_how_matches_nothing(engines) -> None:
    lite, _ = engines
    empty = lite.execute(EVENTS_DURING.sql, {"from_date": "2014-01-01", "until_date": "", "how": ""}).fetchall()
    assert sorted(row[0] for row in empty) == in_pandas("2014-01-01", "", "overlaps")
    assert lite.execute(EVENTS_DURING.sql, {"from_date": "", "until_date": "", "how": "maybe"}).fetchall() == []
    with pytest.raises(ValueError, match="how must be one of"):
        rucas.during(frame(), how="maybe")  # type: ignore[arg-type]


def test_the_best_date_says_what_kind_of_day_it_is(engines) -> None:
    lite, duck = engines
    sql = "SELECT event_id, CAST(best_date AS TEXT), best_kind FROM event_dates ORDER BY event_id"
    rows = lite.execute(sql).fetchall()
    assert rows == duck.execute(sql).fetchall()
    assert dict((event_id, (best, kind)) for event_id, best, kind in rows) == {
        "known-day-2012": ("2012-05-01", "day"),
        "interval-2011-2012": ("2012-02-01", "interval_latest"),
        "interval-1998-2003": ("2003-03-13", "interval_latest"),
        "by-2015-unknown-start": ("2015-04-13", "latest_only"),
        "by-2009-unknown-start": ("2009-12-31", "latest_only"),
        "from-2013-unknown-end": ("2013-03-01", "earliest_only"),
        "from-2016-unknown-end": ("2016-01-01", "earliest_only"),
        "unknown-both": (None, "unknown"),
    }


def test_the_curated_events_known_only_by_a_day_are_not_dropped_by_a_period(output_dir: Path) -> None:
    events = rucas.load("events", output_dir)
    by_only = events[events.date_earliest.isna() & (events.date_latest >= "2010-01-01")]
    assert len(by_only) > 0
    since_2010 = rucas.during(events, "2010-01-01")
    assert set(by_only.event_id) <= set(since_2010.event_id)
    assert len(since_2010) > len(events[events.date_earliest >= "2010-01-01"])
