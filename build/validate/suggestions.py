"""Refuse the guesses `rucas new` wrote into an annotation until a curator has accepted or deleted each one.

`rucas new` marks every guess: a mapping it guessed carries `suggested: true`, and what it
found but could not place (actor mentions, candidate new actors) sits in a top-level
`suggestions:` block. Validation calls `refuse_unreviewed_suggestions` once per annotation;
it reports each marker at its line and then removes the markers from the parsed document, so
that the rest of validation reads the entries as the curator will have them once accepted.
"""

from __future__ import annotations

from typing import Any

from rucas.build.read.documents import DocList, DocMap
from rucas.build.read.errors import CurationError

SUGGESTED_KEY = "suggested"
"""The key that marks one guessed mapping (a source block, a statement) as not yet reviewed."""

SUGGESTIONS_BLOCK = "suggestions"
"""The top-level key holding what `rucas new` found but could not turn into rows."""

ACCEPT_FIX = f"accept it by deleting `{SUGGESTED_KEY}: true`, or delete the entry."


def _what(mapping: DocMap, document: DocMap) -> str:
    """A short name for a suggested mapping: the source block, or its id when it has one."""
    if mapping is document.get("source"):
        return "the source: block"
    for key in ("statement_id", "event_id", "condition_id"):
        if isinstance(mapping.get(key), str):
            return f"{key.removesuffix('_id')} {mapping[key]}"
    return "entry"


def refuse_unreviewed_suggestions(document: Any, path: str, errors: list[CurationError]) -> Any:
    """Record an error for every suggestion marker in a parsed annotation, then remove the markers.

    Returns the same document (changed in place) so the call can sit on one line of validation.
    """
    if not isinstance(document, DocMap):
        return document
    if SUGGESTIONS_BLOCK in document:
        block = document[SUGGESTIONS_BLOCK]
        found = ", ".join(f"{len(v)} {k.replace('_', ' ')}" for k, v in block.items()
                          if isinstance(v, list)) if isinstance(block, dict) else ""
        errors.append(CurationError(
            path, document.line_of(SUGGESTIONS_BLOCK),
            f"suggestion not yet reviewed: the {SUGGESTIONS_BLOCK}: block written by rucas new"
            + (f" ({found})" if found else "") + " is still here.",
            "use what it found (add new actors to reference/actors.yaml, actor ids to about:, addressees: "
            f"and actors:), then delete the whole {SUGGESTIONS_BLOCK}: block."))
        del document[SUGGESTIONS_BLOCK]
    pending: list[Any] = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, DocMap):
            if SUGGESTED_KEY in node:
                value = node[SUGGESTED_KEY]
                marker = f"`{SUGGESTED_KEY}: {str(value).lower() if isinstance(value, bool) else value}`"
                errors.append(CurationError(path, node.line_of(SUGGESTED_KEY),
                                            f"suggestion not yet reviewed ({_what(node, document)} marked {marker}).",
                                            ACCEPT_FIX))
                del node[SUGGESTED_KEY]
            pending.extend(node.values())
        elif isinstance(node, DocList):
            pending.extend(node)
    return document
