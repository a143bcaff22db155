"""Split an article's text into lines and sentences that keep their character offsets into the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING_QUOTES = "“\"«‘"
CLOSING_QUOTES = "”\"»’"


@dataclass(frozen=True)
class Piece:
    """A stretch of the article: its words exactly as written and the half-open span [start, end)."""

    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def lines_of(text: str) -> list[Piece]:
    """Every non-blank line of the text, stripped of surrounding white space, with its offsets."""
    pieces = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if stripped:
            start = match.start() + (len(line) - len(line.lstrip()))
            pieces.append(Piece(start, start + len(stripped), stripped))
    return pieces


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "gen", "col", "lt", "maj", "capt", "sgt", "st", "jr", "sr", "no", "vs",
                  "u.s", "u.n", "u.k", "e.g", "i.e", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                  "oct", "nov", "dec", "gov", "sen", "rep", "prof", "inc", "co", "corp"}
"""Words that end with a full stop without ending the sentence."""


def _sentence_end(line: str, position: int) -> int | None:
    """Where the sentence whose full stop, ? or ! is at `position` ends (after closing quotes), or None."""
    end = position + 1
    while end < len(line) and line[end] in CLOSING_QUOTES + ")":
        end += 1
    if end >= len(line) or not line[end].isspace():
        return None
    following = line[end:].lstrip()
    if not following or not (following[0].isupper() or following[0] in OPENING_QUOTES or following[0].isdigit()):
        return None
    if line[position] == ".":
        word = re.search(r"([\w.]+)$", line[:position])
        if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            return None
    return end


def _quote_depth(text: str) -> int:
    """How many quotations are open at the end of `text` (curly quotes nest; straight quotes pair up)."""
    depth = 0
    for char in text:
        if char == "“":
            depth += 1
        elif char == "”":
            depth = max(0, depth - 1)
    return depth + text.count('"') % 2


def sentences_of(line: Piece) -> list[Piece]:
    """The sentences of one line, never splitting inside an open quotation."""
    pieces: list[Piece] = []
    text = line.text
    begin = 0
    for position, char in enumerate(text):
        if char not in ".?!":
            continue
        end = _sentence_end(text, position)
        if end is None or _quote_depth(text[begin:end]) > 0:
            continue
        pieces.append(Piece(line.start + begin, line.start + end, text[begin:end]))
        begin = end + (len(text[end:]) - len(text[end:].lstrip()))
    if begin < len(text):
        pieces.append(Piece(line.start + begin, line.end, text[begin:]))
    return pieces
