"""The outputs political scientists analyse: the country codes crosswalk, the country-month and dyad-year
panels and the request episodes, as facts of the curated corpus. Their parity across DuckDB, SQLite and Spark
is tested with every view (tests/test_views.py, tests/test_spark.py). The curated annotations are being
adjudicated, so the facts select events by type, actors and dates, never by event id."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from rucas.build.pipeline import build
from rucas.build.read.errors import CurationError
from test_views import Engines, records


@pytest.fixture()
def curated(duck: duckdb.DuckDBPyConnection, lite: sqlite3.Connection) -> Engines:
    return Engines("curated", duck, lite)


def test_every_country_of_the_data_has_a_row_in_the_crosswalk(curated: Engines) -> None:
    used = records(curated, "SELECT country_iso3 FROM actors WHERE country_iso3 IS NOT NULL "
                            "UNION SELECT location_country_iso3 FROM events WHERE location_country_iso3 IS NOT NULL "
                            "UNION SELECT country_iso3 FROM actors WHERE actor_type = 'state' ORDER BY 1")
    listed = {row["country_iso3"] for row in records(curated, "SELECT country_iso3 FROM country_codes ORDER BY 1")}
    assert {row["country_iso3"] for row in used} <= listed


def test_every_state_has_its_cow_and_gw_codes_or_a_note_saying_why_not(curated: Engines) -> None:
    rows = records(curated, "SELECT c.* FROM country_codes c JOIN actors a ON a.country_iso3 = c.country_iso3 "
                            "WHERE a.actor_type = 'state' ORDER BY c.country_iso3")
    assert rows
    for row in rows:
        assert "correlatesofwar.org" in row["note"] and "ksgleditsch.com" in row["note"]
        assert row["cow_code"] is not None or "COW" in row["note"]


def test_russia_kyrgyzstan_and_uzbekistan_carry_their_cow_and_gw_numbers(curated: Engines) -> None:
    rows = {r["country_iso3"]: (r["cow_code"], r["cow_abbreviation"], r["gw_code"])
            for r in records(curated, "SELECT * FROM country_codes ORDER BY country_iso3")}
    assert rows["RUS"] == (365, "RUS", 365)
    assert rows["KGZ"] == (703, "KYR", 703)
    assert rows["UZB"] == (704, "UZB", 704)
    assert rows["KAZ"] == (705, "KZK", 705)


def test_an_actor_whose_country_is_not_in_the_crosswalk_is_refused(minimal_corpus: Path, tmp_path: Path) -> None:
    from rucas.build.read.corpus import read_corpus
    from rucas.build.validate.checks import validate_reference

    path = minimal_corpus / "reference" / "country_codes.yaml"
    path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                              if "country_iso3: KGZ" not in line) + "\n", encoding="utf-8")
    errors: list[CurationError] = validate_reference(read_corpus(minimal_corpus)).errors
    assert any("KGZ" in error.message and "country_codes.yaml" in error.message for error in errors), errors


def kyrgyz_request_of_2010(engines: Engines) -> list[dict[str, object]]:
    return records(engines, "SELECT * FROM request_episodes WHERE requesters LIKE '%Kyrgyz%' "
                            "AND asked = 'Russia' AND request_date_earliest = '2010-06-12'")


def test_kyrgyz_request_of_2010_was_refused_by_russia_with_its_conditions(curated: Engines) -> None:
    rows = kyrgyz_request_of_2010(curated)
    assert rows
    refusals = [r for r in rows if r["response_kind"] == "refusal"]
    assert len(refusals) == 1
    refusal = refusals[0]
    assert (refusal["responders"], refusal["responder_side"], refusal["response_date_earliest"]) == (
        "Russia", "asked", "2010-06-12")
    assert set(refusal["response_conditions"].split("; ")) >= {"alliance_consultation", "legal_mandate"}
    assert (refusal["days_to_response_min"], refusal["days_to_response_max"]) == (0, 0)
    assert (refusal["first_answer_days_min"], refusal["first_answer_days_max"]) == (0, 0)
    assert "csto" in refusal["shared_alliances"].split("; ")


def test_uzbekistans_weapons_request_in_the_irin_article_drew_a_denial(curated: Engines) -> None:
    rows = records(curated, "SELECT r.* FROM request_episodes r JOIN events e ON e.event_id = r.request_event_id "
                            "WHERE e.source_id LIKE 'irin-%' AND r.requesters LIKE '%Uzbekistan%' AND r.asked = 'Russia' ORDER BY r.response_kind, r.response_id")
    denials = [r for r in rows if r["response_kind"] == "denial"]
    assert denials, rows
    assert {r["responders"] for r in denials} == {"Abdulaziz Komilov"}
    assert {r["responder_side"] for r in denials} == {"requester"}


def test_a_request_without_response_has_one_row_with_empty_response_columns(curated: Engines) -> None:
    rows = records(curated, "SELECT * FROM request_episodes WHERE response_kind IS NULL")
    for row in rows:
        assert row["response_id"] is None and row["days_to_response_min"] is None
    requests = records(curated, "SELECT request_event_id, count(*) AS n FROM request_episodes "
                                "WHERE response_kind IS NULL GROUP BY request_event_id ORDER BY 1")
    assert all(r["n"] == 1 for r in requests)


def test_the_kyrgyz_june_2010_month_counts_its_request_and_russias_refusal(curated: Engines) -> None:
    cells = {(r["country_iso3"], r["side"]): r for r in records(
        curated, "SELECT * FROM country_month WHERE year = 2010 AND month = 6")}
    assert cells[("KGZ", "initiator")]["requests_certain"] >= 1
    assert cells[("KGZ", "target")]["refusals_certain"] >= 1
    assert cells[("KGZ", "target")]["conditions_certain"] >= 2
    assert cells[("RUS", "initiator")]["refusals_certain"] >= 1
    assert (cells[("KGZ", "initiator")]["cow_code"], cells[("KGZ", "initiator")]["gw_code"]) == (703, 703)


def test_certain_counts_never_exceed_possible_ones_in_either_panel(curated: Engines) -> None:
    for view in ("country_month", "dyad_year"):
        for row in records(curated, f"SELECT * FROM {view}"):
            for kind in ("requests", "offers", "refusals", "conditions", "deployments"):
                assert row[f"{kind}_certain"] <= row[f"{kind}_possible"], (view, row)


def test_russia_to_kyrgyzstan_in_2010_is_a_refusal_dyad_year(curated: Engines) -> None:
    (row,) = records(curated, "SELECT * FROM dyad_year WHERE initiator_iso3 = 'RUS' AND target_iso3 = 'KGZ' "
                              "AND year = 2010")
    assert (row["refusals_certain"], row["initiator_cow_code"], row["target_gw_code"]) == (1, 365, 703)


def test_an_event_with_an_open_start_counts_as_possible_in_its_known_months_only(tmp_path: Path) -> None:
    from conftest import MINIMAL_CORPUS
    from test_views import connect

    curated = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, curated)
    (annotation,) = (curated / "annotations").glob("*.yaml")
    text = annotation.read_text(encoding="utf-8")
    marker = "date: {earliest: 2010-06-12, latest: 2010-06-12, precision: day, basis: stated, note: \"On June 12\"}"
    assert marker in text
    text = text.replace(marker, "date: {earliest: null, latest: 2010-06-12, precision: unknown, basis: inferred, "
                                "note: \"Test fixture.\"}", 1)
    annotation.write_text(text, encoding="utf-8")
    engines = connect(build(curated, tmp_path / "output").output_dir, "open start")
    try:
        rows = records(engines, "SELECT year, month, requests_certain, requests_possible FROM country_month "
                                "WHERE country_iso3 = 'KGZ' AND side = 'initiator'")
        assert rows == [{"year": 2010, "month": 6, "requests_certain": 0, "requests_possible": 1}]
    finally:
        engines.duck.close()
        engines.lite.close()
