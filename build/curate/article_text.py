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
    """Where the sentence whose full stop, ? or ! is at `position` ends (after closing quotes), or None.

    Reads only the few characters around `position`, so that splitting a line is linear in its length."""
    end = position + 1
    while end < len(line) and line[end] in CLOSING_QUOTES + ")":
        end += 1
    if end >= len(line) or not line[end].isspace():
        return None
    following = _skip_space(line, end)
    if following == len(line) or not (line[following].isupper() or line[following] in OPENING_QUOTES
                                      or line[following].isdigit()):
        return None
    if line[position] == ".":
        word_start = position
        while word_start > 0 and (line[word_start - 1].isalnum() or line[word_start - 1] in "_."):
            word_start -= 1
        word = line[word_start:position]
        if word and (word.lower() in _ABBREVIATIONS or len(word) == 1):
            return None
    return end


def _skip_space(text: str, position: int) -> int:
    """The first position at or after `position` that is not white space (len(text) if none)."""
    while position < len(text) and text[position].isspace():
        position += 1
    return position


class _QuoteDepth:
    """How many quotations are open in text[begin:end], kept up to date as `end` moves forward (curly quotes
    nest; straight quotes pair up), so that each character is read once."""

    def __init__(self, text: str, begin: int):
        self.text, self.read, self.curly, self.straight = text, begin, 0, 0

    def at(self, end: int) -> int:
        for char in self.text[self.read:end]:
            if char == "“":
                self.curly += 1
            elif char == "”":
                self.curly = max(0, self.curly - 1)
            elif char == '"':
                self.straight += 1
        self.read = max(self.read, end)
        return self.curly + self.straight % 2


def sentences_of(line: Piece) -> list[Piece]:
    """The sentences of one line, never splitting inside an open quotation (linear in the line's length)."""
    pieces: list[Piece] = []
    text = line.text
    begin = 0
    depth = _QuoteDepth(text, begin)
    for position, char in enumerate(text):
        if char not in ".?!":
            continue
        end = _sentence_end(text, position)
        if end is None or depth.at(end) > 0:
            continue
        pieces.append(Piece(line.start + begin, line.start + end, text[begin:end]))
        begin = _skip_space(text, end)
        depth = _QuoteDepth(text, begin)
    if begin < len(text):
        pieces.append(Piece(line.start + begin, line.end, text[begin:]))
    return pieces
