"""Curation errors: each names the file, the line, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class CurationError:
    """One problem in the curated input, located to a file and line."""

    path: str
    line: int
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.message}"
        return f"{text} Fix: {self.fix}" if self.fix else text


class ValidationFailed(Exception):
    """Raised when the curated input has errors; nothing has been written."""

    def __init__(self, errors: list[CurationError]):
        self.errors = sorted(set(errors))
        super().__init__(f"{len(self.errors)} curation error(s):\n" + "\n".join(map(str, self.errors)))


def display_path(path: Path) -> str:
    """A path as the curator should see it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
