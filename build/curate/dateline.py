"""Find the publication date that an article's dateline states, and only a date it states in full."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from rucas.build.curate.article_text import Piece

MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_FORMS = [
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(st|nd|rd|th)?,?\s+(?P<year>(19|20)\d\d)\b", re.IGNORECASE),
    re.compile(rf"\b(?P<day>\d{{1,2}})(st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>(19|20)\d\d)\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>(19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
]
"""A full date as datelines write it: 'Jun 12, 2010', '12 June 2010', '2010-06-12'. Day, month and year all stated."""

DATELINE_MAX_WORDS = 14
"""A line holding a date is a dateline (byline, time, place) when it is this short; longer lines are prose."""

PLACE_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+,\s")
"""A paragraph opening with a place in capitals, e.g. 'MOSCOW, June 12, 2010 (Reuters) -'."""


AMENDED = re.compile(r"\b(updated|modified|edited|revised|corrected)\b[^0-9]*$", re.IGNORECASE)
"""Words before a date that make it the date of a later change, not of publication."""

PUBLISHED = re.compile(r"\b(published|posted|first published)\b[^0-9]*$", re.IGNORECASE)
"""Words before a date that say it is the publication date."""


@dataclass(frozen=True)
class StatedDate:
    """A date written in full in the text: the day, the words as written and the line they are on."""

    day: datetime.date
    words: str
    line: Piece


def find_dates(text: str) -> list[tuple[datetime.date, re.Match[str]]]:
    """Every full date written in `text` that is a real day, in order of position."""
    found = []
    for form in DATE_FORMS:
        for match in form.finditer(text):
            month = match.group("month")
            number = int(month) if month.isdigit() else MONTHS[month.lower()]
            try:
                found.append((datetime.date(int(match.group("year")), number, int(match.group("day"))), match))
            except ValueError:
                continue
    return sorted(found, key=lambda item: item[1].start())


def dateline_date(lines: list[Piece]) -> StatedDate | None:
    """The first date stated by a dateline among `lines` (the lines around the headline and first paragraph).

    A dateline is a short line holding a full date, or a first paragraph that opens with a
    place in capitals followed by a full date. Dates inside prose are not publication dates.
    """
    for line in lines:
        dates = [(day, match) for day, match in find_dates(line.text)
                 if not AMENDED.search(line.text[max(0, match.start() - 20):match.start()])]
        if not dates:
            continue
        published = [item for item in dates if PUBLISHED.search(line.text[max(0, item[1].start() - 20):item[1].start()])]
        day, match = (published or dates)[0]
        if line.words <= DATELINE_MAX_WORDS or (PLACE_DATELINE.match(line.text) and match.start() < 40):
            return StatedDate(day, match.group(), line)
    return None
