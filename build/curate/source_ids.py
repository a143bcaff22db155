"""Whether a text may be a source id: the name an article's files, review page and rows are stored under."""

from __future__ import annotations

from rucas.build.read.corpus import SLUG

MAX_SOURCE_ID_LENGTH = 200
"""The longest source id: its files (`<id>.yaml`) must fit the 255-byte limit on a file name, with room."""


def source_id_problem(source_id: str) -> str | None:
    """Why `source_id` cannot name files (a sentence), or None when it can: the whole text must be
    lower-case letters, digits and single hyphens (no '/', '..' or anything else that walks out of a
    folder), at most MAX_SOURCE_ID_LENGTH characters."""
    if len(source_id) > MAX_SOURCE_ID_LENGTH:
        return f"is {len(source_id)} characters long, over the limit of {MAX_SOURCE_ID_LENGTH}"
    if not SLUG.fullmatch(source_id):
        return "is not lower-case letters, digits and single hyphens"
    return None
