"""Guess where an article's body lies in a saved web page: from the headline to the last paragraph.

Pages saved as text carry menus before the article and newsletter pitches, share buttons,
"popular" lists and footers after it. The body is taken to be the densest run of prose
lines (long lines that end a sentence), extended back to the headline just above it and
forward to an author's sign-off just below it. Everything here is a guess for a curator to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rucas.build.curate.article_text import Piece, lines_of
from rucas.build.curate.dateline import find_dates

PROSE_MIN_WORDS = 12
"""A line with fewer words is a menu item, caption, byline or headline rather than a paragraph."""

MAX_GAP_LINES = 3
"""Short lines (datelines, sub-headings, photo credits) allowed between two paragraphs of one body."""

BOILERPLATE = re.compile(
    r"newsletter|sign up|subscribe|share this|share on|follow us|support (us|our)|become a member|donate|"
    r"cookie|all rights reserved|copyright|©|terms of (use|service)|privacy policy|read more|related (articles|stories)|"
    r"leave a reply|comments?\b|required fields|this article was (produced|published|originally)|"
    r"your email|advertis|skip to main content|log ?in\b|sign in|search using keywords|most (read|popular)",
    re.IGNORECASE,
)
"""Words of the things around an article that are not the article."""

SIGN_OFF = re.compile(r"^(--|—|–)\s*\w[\w .'-]{1,60}$")
"""An author's sign-off under the last paragraph, e.g. '-- Joanna Paraszczuk': the body ends there."""


@dataclass(frozen=True)
class BodyGuess:
    """The guessed body: its span, the headline line (if one was found) and the last line."""

    start: int
    end: int
    headline: Piece | None
    last_line: Piece


def is_prose(line: Piece) -> bool:
    """Whether a line reads as a paragraph of the article (long, ends a sentence, not boilerplate)."""
    return (line.words >= PROSE_MIN_WORDS and line.text[-1] in ".?!\"”’)"
            and not BOILERPLATE.search(line.text))


def _is_headline(line: Piece) -> bool:
    return (3 <= line.words <= 30 and not BOILERPLATE.search(line.text) and not find_dates(line.text)
            and line.text[-1] not in ".:,;" and (line.text[0].isupper() or line.text[0] in "“\"'‘"))


def guess_body(text: str) -> BodyGuess | None:
    """The body span of `text`, or None when no line reads as a paragraph."""
    lines = lines_of(text)
    prose = [i for i, line in enumerate(lines) if is_prose(line)]
    if not prose:
        return None
    runs: list[list[int]] = [[prose[0]]]
    for index in prose[1:]:
        between = lines[runs[-1][-1] + 1:index]
        if len(between) <= MAX_GAP_LINES and not any(SIGN_OFF.match(line.text) for line in between):
            runs[-1].append(index)
        else:
            runs.append([index])
    best = max(runs, key=lambda run: sum(len(lines[i].text) for i in run))
    first, last = best[0], best[-1]
    if last + 1 < len(lines) and SIGN_OFF.match(lines[last + 1].text):
        last += 1
    headline = None
    for index in range(first - 1, max(-1, first - 1 - 2 * MAX_GAP_LINES), -1):
        line = lines[index]
        if BOILERPLATE.search(line.text):
            break
        if _is_headline(line):
            headline = line
            break
    start = headline.start if headline else lines[first].start
    return BodyGuess(start, lines[last].end, headline, lines[last])
