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


def find_evidence_span(text: str, words: str, occurrence: int | None = None) -> Span:
    """Locate `words` in `text`.

    Without `occurrence` the words must occur exactly once; with it, the 1-based N-th
    occurrence is taken. Raises EvidenceNotFound with a fix the curator can apply.
    """
    if not words:
        raise EvidenceNotFound("evidence is empty.", "copy the exact words of the article.")
    positions: list[int] = []
    start = text.find(words)
    while start != -1:
        positions.append(start)
        start = text.find(words, start + 1)
    if not positions:
        hint = ""
        folded = " ".join(words.split())
        if folded != words and folded in " ".join(text.split()):
            hint = " The words occur with different spacing or line breaks."
        elif words.lower() in text.lower():
            hint = " The words occur with different upper/lower case."
        elif any(q in words for q in "\"'") or any(q in text for q in "“”‘’"):
            hint = " Check the quotation marks and apostrophes: copy them from the article (“ ” ’)."
        raise EvidenceNotFound(
            f"evidence {_shorten(words)!r} was not found in the article.{hint}",
            "copy the words exactly from the article text, character for character.",
        )
    if occurrence is not None:
        if not 1 <= occurrence <= len(positions):
            raise EvidenceNotFound(
                f"occurrence: {occurrence} asked for, but {_shorten(words)!r} occurs {len(positions)} time(s).",
                f"use an occurrence between 1 and {len(positions)}.",
            )
        start = positions[occurrence - 1]
    elif len(positions) > 1:
        raise EvidenceNotFound(
            f"evidence {_shorten(words)!r} occurs {len(positions)} times in the article "
            f"(at offsets {', '.join(map(str, positions[:5]))}).",
            "lengthen the quote until it is unique, or add `occurrence: N` (1-based) to pick one.",
        )
    else:
        start = positions[0]
    return Span(start, start + len(words))
