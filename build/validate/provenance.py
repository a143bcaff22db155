"""Provenance checks: every published article was reviewed, and every note cites something a reader can open.

Two rules of the curation workflow, checked on the validated rows:

* `unreviewed_articles`: an annotation is published only after a second person reviewed it
  (`review_status: reviewed`, with a reviewer other than the coder and a review date).
* `notes_citing_unshipped_files`: a note (any column whose name ends in `note`, in any table)
  may cite a URL or a file that ships with RUCAS, never a private file such as a research
  notebook ("facts.md section 4") that the reader cannot open.

Both run where each row is validated: on an article's own rows (`validate_article`) and on the
reference files (`validate_reference`), so a cached article has passed them already.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rucas.build.validate.errors import CurationError
from rucas.schema.codes import ReviewStatus

if TYPE_CHECKING:
    from rucas.build.validate.checks import Rows

CITED_FILE_SUFFIXES = ("md", "txt", "yaml", "yml", "csv")
"""Extensions of files a note might cite; a cited file with one of these must ship with RUCAS."""

_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_CITED_FILE = re.compile(
    r"(?<![\w.-])(/?(?:[\w.-]+/)*[\w-][\w.-]*\.(?:" + "|".join(CITED_FILE_SUFFIXES) + r"))(?![\w-])",
    re.IGNORECASE,
)
_SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "parquet", "artifacts", "corpora", "releases", "review",
                              "datasette"})
"""Folders of generated files (build outputs, benchmark corpora, test artifacts), never cited."""


def note_columns(row: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The (column, text) pairs of a row whose column name ends in `note` and whose value is text."""
    for column, value in row.items():
        if column.endswith("note") and isinstance(value, str):
            yield column, value


def cited_files(note: str) -> list[str]:
    """File names a note cites (`facts.md`, `reference/roles.yaml`), ignoring anything inside a URL."""
    return _CITED_FILE.findall(_URL.sub(" ", note))


@functools.cache
def shipped_files() -> frozenset[str]:
    """Paths (with '/' separators, relative to their root) of every file RUCAS ships.

    That is every file of the installed packages (rucas, rucas.schema, rucas.build, rucas.queries)
    and, in a source checkout, every file of the repository outside hidden folders and build
    outputs. A cited name is accepted when one of these paths equals it or ends with it.
    """
    import importlib.util

    from rucas.build.paths import package_root

    packages = ("rucas", "rucas.schema", "rucas.build", "rucas.queries")  # found, not imported
    roots = {Path(importlib.util.find_spec(package).origin).resolve().parent for package in packages}
    checkout = package_root().parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "schema").is_dir():
        roots.add(checkout)
    found: set[str] = set()
    for root in roots:
        for path in _walk(root):
            found.add(path.relative_to(root).as_posix())
            found.add(f"{root.name}/{path.relative_to(root).as_posix()}")
    found.discard("")
    return frozenset(found)


def _walk(root: Path) -> Iterator[Path]:
    for entry in root.iterdir():
        if entry.name.startswith(".") or entry.name in _SKIPPED_FOLDERS or entry.is_symlink():
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.is_file():
            yield entry


def is_shipped(cited: str, shipped: Iterable[str] | None = None) -> bool:
    """Whether a cited file name or path is a file of RUCAS (`dataset/` may stand for the `rucas` package)."""
    files = shipped_files() if shipped is None else frozenset(shipped)
    wanted = {cited, cited.removeprefix("dataset/")}
    return any(path == name or path.endswith("/" + name) for path in files for name in wanted)


def unreviewed_articles(rows: Rows) -> list[CurationError]:
    """One error per article whose annotation is not marked reviewed by someone other than its coder.

    `test_data` (generated or trimmed articles of tests and benchmarks) passes; `unreviewed` does not, and a
    `reviewed` annotation must name its reviewer and review date.
    """
    errors: list[CurationError] = []
    for row, origin in zip(rows.tables.get("sources", []), rows.origins.get("sources", [])):
        status = row.get("review_status")
        where = origin.path
        if status == ReviewStatus.test_data.value:
            continue
        if status != ReviewStatus.reviewed.value:
            errors.append(CurationError(
                where, origin.line_of("review_status"),
                f"article {row.get('source_id')!r} has not been reviewed (review_status: {status}); "
                "only reviewed articles are published.",
                "have a second person check every row against the article and its cited sources, then "
                "set review_status: reviewed, reviewer: <their project handle> and review_date: <the day>."))
            continue
        if not row.get("coder") or not row.get("reviewer") or not row.get("review_date"):
            missing = " and ".join(name for name in ("coder", "reviewer", "review_date") if not row.get(name))
            errors.append(CurationError(
                where, origin.line_of("review_status"),
                f"article {row.get('source_id')!r} is marked reviewed but gives no {missing}.",
                "write who coded and who reviewed it (project handles, not guessed names) and the day the "
                "review was completed."))
        elif row.get("reviewer") == row.get("coder"):
            errors.append(CurationError(
                where, origin.line_of("reviewer"),
                f"article {row.get('source_id')!r} was reviewed by its own coder ({row.get('coder')!r}).",
                "have someone other than the coder review it, and write their handle as reviewer."))
    return errors


def notes_citing_unshipped_files(rows: Rows, shipped: Iterable[str] | None = None) -> list[CurationError]:
    """One error per note that cites a .md/.txt/.yaml/.csv file which does not ship with RUCAS.

    URLs are always accepted (the reader can open them); so are files of the repository or
    package such as `dataset/curated/README.md`.
    """
    files = shipped_files() if shipped is None else frozenset(shipped)
    errors: list[CurationError] = []
    for table in sorted(rows.tables):
        for row, origin in zip(rows.tables[table], rows.origins[table]):
            for column, note in note_columns(row):
                for cited in cited_files(note):
                    if is_shipped(cited, files):
                        continue
                    errors.append(CurationError(
                        origin.path, origin.line_of(column),
                        f"{table}.{column} cites {cited!r}, a file that RUCAS does not publish, "
                        "so a reader cannot check it.",
                        "cite what the fact rests on in a form a reader can open (a URL, or a public document "
                        "and its section); if nothing public supports it, leave the value empty and say so "
                        "in the note."))
    return errors
