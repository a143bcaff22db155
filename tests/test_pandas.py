"""pandas users get one date type and one dtype per column, wherever they load it from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import rucas
from rucas.schema import table_specs
from rucas.schema.derive import pandas_dtypes


def test_event_dates_compare_with_iso_strings_and_resample_by_year(output_dir: Path) -> None:
    events = rucas.load("events", output_dir)
    assert str(events.date_earliest.dtype) == "datetime64[ns]"
    since_2010 = events[events.date_earliest >= "2010-01-01"]
    assert len(since_2010) and (since_2010.date_earliest.dt.year >= 2010).all()
    per_year = events.dropna(subset=["date_earliest"]).set_index("date_earliest").resample("YS").size()
    assert per_year.loc["2010-01-01"] == len(events[events.date_earliest.dt.year == 2010])
    stored = pq.read_table(output_dir / "parquet" / "events.parquet", columns=["date_earliest"])
    assert events.date_earliest.isna().sum() == stored.column("date_earliest").null_count > 0, "unknown is NaT"


def test_a_column_has_the_same_dtype_in_its_table_and_in_every_view(output_dir: Path) -> None:
    table_dtypes: dict[str, set[str]] = {}
    for spec in table_specs():
        for column, dtype in pandas_dtypes(spec).items():
            table_dtypes.setdefault(column, set()).add(str(dtype))
    mismatched = []
    for view in rucas.view_names():
        frame = rucas.load(view, output_dir)
        for column in frame.columns:
            if column in table_dtypes and str(frame[column].dtype) not in table_dtypes[column]:
                mismatched.append((view, column, str(frame[column].dtype), table_dtypes[column]))
        for column in frame.columns:
            if "date" in column and column not in ("date_note", "date_precision", "date_basis"):
                assert str(frame[column].dtype) == "datetime64[ns]", (view, column, frame[column].dtype)
    assert not mismatched


def test_coded_columns_are_categoricals_over_the_whole_vocabulary_in_views_too(output_dir: Path) -> None:
    timeline = rucas.load("assistance_timeline", output_dir)
    events = rucas.load("events", output_dir)
    assert isinstance(timeline.modality.dtype, pd.CategoricalDtype)
    assert list(timeline.modality.cat.categories) == list(events.modality.cat.categories)
    assert "denied" in timeline.modality.cat.categories
