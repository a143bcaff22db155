"""What the README's prose says about the data is what the data says.

The README explains the coding rules with examples from the curated articles ("the CSTO Military Committee
met on 8–9 April 2015"). Lists and counts are generated (REFERENCE.md, `rucas docs`); these examples are
prose, so each one is checked here against the build: a fact the README states and the data contradicts
fails, and so does an example the README no longer states (remove it here too, or restore it there).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
D = datetime.date

# (words the README uses, SQL over the build, the rows that SQL must return)
EXAMPLES = [
    ("Military Committee met on 8–9 April 2015",
     "SELECT date_earliest, date_latest FROM events WHERE event_type = 'CONSULT' AND evidence LIKE 'The CSTO, comprising%'",
     [(D(2015, 4, 8), D(2015, 4, 9))]),
    ("the Karimov–Putin exchange of 10 December 2014",
     "SELECT date_earliest, date_latest FROM events WHERE event_type = 'REQUEST' AND evidence LIKE '%Karimov urging%'",
     [(D(2014, 12, 10), D(2014, 12, 10))]),
    ("the CSTO meeting of 14 June 2010",
     "SELECT date_earliest, modality FROM events WHERE event_type = 'CONSULT' AND evidence LIKE '%will be held on Monday, June 14%'",
     [(D(2010, 6, 14), "planned")]),
    ("Osh: 75 dead, almost 1,000 injured, up to 6,000 fled",
     "SELECT fatalities, injured, displaced FROM events WHERE location_name = 'Osh'",
     [(75, 1000, 6000)]),
    ("Medvedev's presidency ends on 6 May 2012, Putin's begins on\n  7 May",
     "SELECT person_id, date_earliest, date_latest FROM actor_roles WHERE organization_id = 'russia' "
     "AND date_earliest BETWEEN '2008-01-01' AND '2012-12-31' ORDER BY date_earliest",
     [("dmitry-medvedev", D(2008, 5, 7), D(2012, 5, 6)), ("vladimir-putin", D(2012, 5, 7), None)]),
    ("the SCO meeting of 28 July 2021",
     "SELECT date_earliest, date_latest FROM events WHERE event_type = 'CONSULT' AND evidence LIKE '%Shanghai Cooperation Organization%'",
     [(D(2021, 7, 28), D(2021, 7, 28))]),
    ("the Sputnik interview of 22 July 2021",
     "SELECT DISTINCT date_earliest FROM statements WHERE speaker_id = 'andrey-rudenko'",
     [(D(2021, 7, 22),)]),
    ("Tashkent meeting of 16 July 2021",
     "SELECT date_earliest, location_name FROM events WHERE event_type = 'CONSULT' AND evidence LIKE 'The importance of concerted efforts%'",
     [(D(2021, 7, 16), "Tashkent")]),
    ("the independent analyst Rafik Saifullin is not attached to the Uzbek state",
     "SELECT count(*) FROM actor_roles WHERE person_id = 'rafik-saifullin'",
     [(0,)]),
]


@pytest.mark.parametrize(("words", "sql", "expected"), EXAMPLES, ids=[words[:40] for words, _, _ in EXAMPLES])
def test_an_example_the_readme_gives_is_what_the_data_says(duck, words: str, sql: str, expected: list[tuple]) -> None:
    assert words in README, f"the README no longer says {words!r}: remove the example here, or restore it there"
    assert duck.execute(sql).fetchall() == expected, f"the README says {words!r}, the data does not"


def test_the_readme_counts_the_prepared_views_it_ships() -> None:
    """"RUCAS ships thirteen prepared views": the number is the number of view files."""
    from rucas.queries import view_files

    numbers = {10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen"}
    assert f"RUCAS ships {numbers[len(view_files())]} prepared views" in README
