"""Curation errors: each names the file, the line, what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rucas.build.read.places import Where

MAX_MESSAGE = 300
"""Longest message or fix shown (values quoted in a message are cut, never echoed in full)."""


def _cut(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


@dataclass(frozen=True)
class CurationError:
    """One problem in the curated input, located to a file and a line.

    `line` may be given as a `Where` (a place in a YAML document) while validating; it is turned
    into a line number by `locate_errors` before errors are reported.
    """

    path: str
    line: int | Where
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {_cut(self.message)}"
        return f"{text} Fix: {_cut(self.fix)}" if self.fix else text

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line if isinstance(self.line, int) else 0, self.message, self.fix)


TextOf = Callable[[str], "str | None"]
"""Returns the text of a curated file by the name errors show it under (None when it cannot be read)."""


def locate_errors(errors: list[CurationError], text_of: TextOf) -> list[CurationError]:
    """Replace every `Where` by its line, reading each file with such errors once."""
    from rucas.build.read.lines import lines_of

    pending: dict[str, list[int]] = {}
    for index, error in enumerate(errors):
        if not isinstance(error.line, int):
            pending.setdefault(error.path, []).append(index)
    located = list(errors)
    for path, indexes in pending.items():
        text = text_of(path)
        lines = lines_of(text, [errors[i].line for i in indexes]) if text is not None else [1] * len(indexes)
        for index, line in zip(indexes, lines):
            located[index] = CurationError(path, line, errors[index].message, errors[index].fix)
    return located


class ValidationFailed(Exception):
    """Raised when the curated input has errors; nothing has been written."""

    def __init__(self, errors: list[CurationError], text_of: TextOf | None = None):
        if any(not isinstance(error.line, int) for error in errors):
            errors = locate_errors(errors, text_of or (lambda _: None))
        self.errors = sorted(set(errors), key=CurationError.sort_key)
        super().__init__(f"{len(self.errors)} curation error(s):\n" + "\n".join(map(str, self.errors)))


def display_path(path: Path) -> str:
    """A path as the curator should see it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)
