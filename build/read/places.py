"""A place in a curated YAML document (`Where`): what the fast reader keeps instead of line numbers, and what
errors carry until rucas.build.read.lines turns it into a line."""

from __future__ import annotations


class Where(tuple):
    """A place in a curated document: the keys and list indexes that lead to it from the top (a tuple of them)."""

    __slots__ = ()

    @property
    def path(self) -> tuple[str | int, ...]:
        return tuple(self)

    def __truediv__(self, step: str | int) -> Where:
        return Where((*self, step))

    def joined(self, steps: tuple[str | int, ...]) -> Where:
        """The place `steps` further down."""
        return Where(self + steps)

    def __str__(self) -> str:
        text = ""
        for step in self:
            text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
        return text or "(top)"

    def __repr__(self) -> str:
        return f"Where({str(self)!r})"
