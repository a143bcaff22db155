"""W3C text selectors for a span of an article's stored text, and finding the span again from them.

A span is described twice, as the Web Annotation Data Model allows (https://www.w3.org/TR/annotation-model/
§4.2.4 and §4.2.5): a TextQuoteSelector (the exact words, with a prefix and a suffix of at most
CONTEXT_CHARS characters each, longer only where that is needed to make the quote unique in the text) and a
TextPositionSelector (start and end, in Unicode code points of the stored text, 0-based, end exclusive: the
same offsets as evidence_start and evidence_end). `reanchor` finds a span again from both and refuses to
move it: if the quote with its context is gone, occurs more than once, or is no longer where the position
says, the annotation is an orphan.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_CHARS = 32
"""The usual length of a TextQuoteSelector's prefix and suffix (fewer at the text's ends)."""


def _quote_positions(text: str, exact: str, prefix: str, suffix: str, limit: int = 2) -> list[int]:
    """The offsets (at most `limit`) where `exact` occurs in `text` preceded by `prefix` and followed by `suffix`:
    wherever the quote with its context, prefix + exact + suffix, occurs (overlapping occurrences too), plus
    len(prefix). One search for the whole context, not one per occurrence of the quote alone."""
    context = prefix + exact + suffix
    found: list[int] = []
    position = text.find(context)
    while position != -1 and len(found) < limit:
        found.append(position + len(prefix))
        position = text.find(context, position + 1)
    return found


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix of text[start:end] in its TextQuoteSelector: up to CONTEXT_CHARS characters either
    side, the context doubled until the quote with it occurs once (at worst the whole text around it)."""
    exact, width = text[start:end], CONTEXT_CHARS
    while True:
        prefix, suffix = text[max(0, start - width):start], text[end:end + width]
        whole = len(prefix) == start and len(suffix) == len(text) - end
        if whole or _quote_positions(text, exact, prefix, suffix) == [start]:
            return prefix, suffix
        width *= 2


def text_quote_selector(exact: str, prefix: str, suffix: str) -> dict[str, str]:
    """A TextQuoteSelector: the quoted words with the context before and after them."""
    return {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}


def quote_selector(text: str, start: int, end: int) -> dict[str, str]:
    """The TextQuoteSelector of text[start:end], with the context quote_context gives it."""
    return text_quote_selector(text[start:end], *quote_context(text, start, end))


def position_selector(start: int, end: int) -> dict[str, object]:
    """The TextPositionSelector of [start, end): code points of the stored text, end exclusive."""
    return {"type": "TextPositionSelector", "start": start, "end": end}


@dataclass(frozen=True)
class Anchor:
    """Where an annotation's selectors put it in a text, or why they put it nowhere."""

    start: int | None
    end: int | None
    orphan: str | None = None
    """Why the annotation no longer anchors (None when it does): it is reported, never moved."""

    @property
    def anchored(self) -> bool:
        return self.orphan is None


def _selector(annotation: dict, kind: str) -> dict:
    selectors = annotation["target"]["selector"]
    found = [selector for selector in (selectors if isinstance(selectors, list) else [selectors])
             if selector.get("type") == kind]
    if len(found) != 1:
        raise ValueError(f"annotation {annotation.get('id')}: {len(found)} {kind}s, expected one")
    return found[0]


def reanchor(annotation: dict, text: str) -> Anchor:
    """Find the span of `annotation` (a Web Annotation with one TextQuoteSelector and one TextPositionSelector)
    in `text`: the quote with its prefix and suffix must occur exactly once, at the position the
    TextPositionSelector gives. Anything else is an orphan, with the reason."""
    quote, position = _selector(annotation, "TextQuoteSelector"), _selector(annotation, "TextPositionSelector")
    exact = quote["exact"]
    found = _quote_positions(text, exact, quote.get("prefix", ""), quote.get("suffix", ""))
    if not found:
        return Anchor(None, None, f"the quote {exact[:60]!r} with its context is no longer in the text")
    if len(found) > 1:
        return Anchor(None, None, f"the quote {exact[:60]!r} with its context occurs more than once")
    start, end = found[0], found[0] + len(exact)
    if (start, end) != (position["start"], position["end"]):
        return Anchor(None, None, f"the quote is now at [{start}, {end}), its TextPositionSelector says "
                                  f"[{position['start']}, {position['end']}): not moved")
    return Anchor(start, end)
