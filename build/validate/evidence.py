"""Find the curator's verbatim words in an article and turn them into character offsets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A half-open character span [start, end) of an article's text (Python code points)."""

    start: int
    end: int


class EvidenceNotFound(ValueError):
    """The words do not occur in the text, or occur more often than the curator allowed for."""

    def __init__(self, message: str, fix: str):
        self.fix = fix
        super().__init__(message)


def _shorten(words: str, limit: int = 70) -> str:
    return words if len(words) <= limit else words[: limit - 1] + "…"


def _occurrences(text: str, words: str, first: int, limit: int) -> list[int]:
    """The offsets of the first `limit` (possibly overlapping) occurrences, starting from the known first one."""
    positions = [first]
    while len(positions) < limit:
        start = text.find(words, positions[-1] + 1)
        if start == -1:
            break
        positions.append(start)
    return positions


MAX_OCCURRENCE = 1000
"""The largest `occurrence:` a curator may give; a quote that common must be lengthened instead."""


def _count(text: str, words: str) -> str:
    """How often `words` occurs (overlapping occurrences included), as text; "more than 1,000" past MAX_OCCURRENCE."""
    import itertools
    import re

    if len(words) == 1 or words[0] not in words[1:]:
        count = text.count(words)  # no occurrence can overlap another
    else:
        count = sum(1 for _ in itertools.islice(re.finditer(f"(?={re.escape(words)})", text), MAX_OCCURRENCE + 1))
    return f"more than {MAX_OCCURRENCE:,}" if count > MAX_OCCURRENCE else str(count)


def _not_found_hint(text: str, words: str) -> str:
    """Why words that are not in the text may look as if they were (spacing, case, Unicode form, quotation marks)."""
    import unicodedata

    folded = " ".join(words.split())
    if folded != words and folded in " ".join(text.split()):
        return " The words occur with different spacing or line breaks."
    if words.lower() in text.lower():
        return " The words occur with different upper/lower case."
    composed = unicodedata.normalize("NFC", words)
    if composed in unicodedata.normalize("NFC", text):
        form, other = ("NFC", "NFD") if composed == words else ("NFD", "NFC")
        return (f" The words are in Unicode {form} form (accents as {'one character' if form == 'NFC' else 'separate marks'})"
                f" while the article writes them in the other ({other}).")
    if any(q in words for q in "\"'") or any(q in text for q in "“”‘’"):
        return " Check the quotation marks and apostrophes: copy them from the article (“ ” ’)."
    return ""


def find_evidence_span(text: str, words: str, occurrence: int | None = None, what: str = "evidence") -> Span:
    """Locate `words` in `text`.

    Without `occurrence` the words must occur exactly once; with it, the 1-based N-th
    occurrence is taken. `what` names the words in messages: `evidence`, or a key such as
    `body.ends_with` that takes no `occurrence:` (its fixes then never suggest one).
    Raises EvidenceNotFound with a fix the curator can apply.
    """
    if not words:
        raise EvidenceNotFound(f"{what} is empty.", "copy the exact words of the article.")
    if occurrence is not None and not 1 <= occurrence <= MAX_OCCURRENCE:
        raise EvidenceNotFound(f"occurrence: {occurrence} is outside 1..{MAX_OCCURRENCE:,}.",
                               "give the 1-based number of the occurrence, or lengthen the quote until it is rarer.")
    first = text.find(words)
    if first == -1:
        positions: list[int] = []
    elif occurrence is not None and occurrence > 1:
        positions = _occurrences(text, words, first, occurrence)
    else:
        second = text.find(words, first + 1)
        positions = [first] if second == -1 else _occurrences(text, words, first, 5)
    if not positions:
        hint = _not_found_hint(text, words)
        raise EvidenceNotFound(
            f"{what} {_shorten(words)!r} was not found in the article.{hint}",
            "copy the words from the article itself (select and copy them from the article file), character for "
            "character." if "Unicode" in hint else "copy the words exactly from the article text, character for character.",
        )
    if occurrence is not None:
        if not 1 <= occurrence <= len(positions):
            count = _count(text, words)
            raise EvidenceNotFound(
                f"occurrence: {occurrence} asked for, but {_shorten(words)!r} occurs {count} time(s).",
                f"use an occurrence between 1 and {count}.",
            )
        start = positions[occurrence - 1]
    elif len(positions) > 1:
        raise EvidenceNotFound(
            f"{what} {_shorten(words)!r} occurs {_count(text, words)} times in the article "
            f"(first at offsets {', '.join(map(str, positions[:5]))}).",
            "lengthen the quote until it is unique, or add `occurrence: N` (1-based) to pick one."
            if what == "evidence" else f"lengthen {what} until it occurs only once in the article.",
        )
    else:
        start = positions[0]
    return Span(start, start + len(words))
