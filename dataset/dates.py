"""Select rows by date when dates are intervals: rucas.during.

Every dated row of RUCAS has the closed interval [date_earliest, date_latest]. An empty (NaT)
date_earliest means the date could be any time up to date_latest (22 of the 43 events of the curated
corpus are ongoing situations known only "by" a day); an empty date_latest means any time from
date_earliest on; both empty, any time. A period [start, end] is closed; an omitted start or end leaves
that side unbounded.

- how="overlaps" (the default) keeps a row that could lie in the period: its date_latest is unknown or
  >= start, and its date_earliest is unknown or <= end. A row with no known bound is kept.
- how="within" keeps a row that certainly lies in the period: both its bounds are known,
  date_earliest >= start and date_latest <= end.

The canned query events_during (queries/canned) answers the same in SQL, in DuckDB, SQLite and Datasette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

HOW = ("overlaps", "within")
"""The two readings of "in a period": could lie in it, or certainly lies in it."""


def during(frame: pd.DataFrame, start: object = None, end: object = None,
           how: Literal["overlaps", "within"] = "overlaps", earliest: str = "date_earliest",
           latest: str = "date_latest") -> pd.DataFrame:
    """The rows of `frame` whose date interval [earliest, latest] lies in the period [start, end], read
    as the module says (`how`: overlaps or within). start and end are anything pandas compares with a
    date ("2012-01-01", a Timestamp, a date) or None for no bound on that side."""
    import pandas as pd

    if how not in HOW:
        raise ValueError(f"how must be one of {HOW}, not {how!r}")
    first = pd.to_datetime(frame[earliest])
    last = pd.to_datetime(frame[latest])
    keep = pd.Series(True, index=frame.index)
    if how == "overlaps":
        if start is not None:
            keep &= last.isna() | (last >= pd.Timestamp(start))
        if end is not None:
            keep &= first.isna() | (first <= pd.Timestamp(end))
    else:
        keep &= first.notna() & last.notna()
        if start is not None:
            keep &= first >= pd.Timestamp(start)
        if end is not None:
            keep &= last <= pd.Timestamp(end)
    return frame[keep.fillna(False).astype(bool)]
