"""Provenance checks: every article says truthfully who coded it, and every note cites something a reader can open.

Two rules of the curation workflow, checked on the validated rows:

* `review_provenance`: the `source:` block names its coder, and its second coder and adjudicator as far as its
  `review_status` (single-coded, double-coded, adjudicated, test_data) says they exist; the roles themselves are
  codes of codebook.yaml's coder_roles (checked across files), and whether the stored codings and adjudication
  log support the status is checked after validation (rucas.build.review.records).
* `notes_citing_unshipped_files`: a note (any column whose name ends in `note`, in any table)
  may cite a URL or a file that ships with RUCAS, never a private file such as a research
  notebook ("facts.md section 4") that the reader cannot open.

Both run where each row is validated: on an article's own rows (`validate_article`) and on the
reference files (`validate_reference`), so a cached article has passed them already.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rucas.build.read.errors import CurationError
from rucas.schema import table_spec
from rucas.schema.codes import ReviewStatus

if TYPE_CHECKING:
    from rucas.build.validate.rows import Rows

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


@functools.cache
def note_columns(table: str) -> tuple[str, ...]:
    """The columns of `table` whose name ends in `note`, in the table's order: the notes of its rows."""
    return tuple(name for name in table_spec(table).column_names if name.endswith("note"))


def cited_files(note: str) -> list[str]:
    """File names a note cites (`facts.md`, `reference/roles.yaml`), ignoring anything inside a URL."""
    if "." not in note:  # every cited name has a dot before its suffix
        return []
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


def _source_error(origin: Any, column: str, message: str, fix: str) -> CurationError:
    return CurationError(origin.path, origin.line_of(column), message, fix)


def review_provenance(rows: Rows, today: datetime.date | None = None) -> list[CurationError]:
    """One error per article whose `source:` block contradicts its review_status (the files are checked later).

    single-coded names no second_coder, adjudicator or adjudicated_on; double-coded names a second_coder (other
    than the coder) and no adjudicator yet; adjudicated names both coders, the adjudicator and adjudicated_on, a
    day neither before the article was published nor after `today` (by default the UTC day now).
    """
    today = today or datetime.datetime.now(datetime.UTC).date()
    errors: list[CurationError] = []
    for row, origin in zip(rows.tables.get("sources", []), rows.origins.get("sources", [])):
        status, source_id = row.get("review_status"), row.get("source_id")
        coder, second = row.get("coder"), row.get("second_coder")
        if second is not None and second == coder:
            errors.append(_source_error(origin, "second_coder", f"article {source_id!r}: second_coder is the coder "
                                        f"({coder!r}); a second coding is by someone else.",
                                        "name the second coder's role, or remove second_coder."))
        if status == ReviewStatus.test_data.value:
            continue
        named = [column for column in ("second_coder", "adjudicator", "adjudicated_on") if row.get(column) is not None]
        wanted = {ReviewStatus.single_coded.value: (),
                  ReviewStatus.double_coded.value: ("second_coder",),
                  ReviewStatus.adjudicated.value: ("second_coder", "adjudicator", "adjudicated_on")}.get(status, ())
        for column in named:
            if column not in wanted:
                errors.append(_source_error(origin, column, f"article {source_id!r} is {status} but names {column}.",
                                            f"remove {column}, or set review_status to what was done (double-coded "
                                            "when a second coding is stored, adjudicated when its log is)."))
        missing = [column for column in wanted if row.get(column) is None]
        if missing:
            errors.append(_source_error(origin, "review_status", f"article {source_id!r} is {status} but gives no "
                                        f"{' and '.join(missing)}.", f"write {', '.join(missing)} (roles of "
                                        "codebook.yaml coder_roles; the day as YYYY-MM-DD), or lower the status."))
        day = row.get("adjudicated_on")
        if status == ReviewStatus.adjudicated.value and day is not None:
            published = row.get("date_earliest")
            if published is not None and day < published:
                errors.append(_source_error(origin, "adjudicated_on", f"article {source_id!r} was adjudicated on "
                                            f"{day}, before it was published ({published}).",
                                            "write the day the adjudication was completed."))
            elif day > today:
                errors.append(_source_error(origin, "adjudicated_on", f"article {source_id!r} was adjudicated on "
                                            f"{day}, a day still to come.", "write the day the adjudication was "
                                            "completed (not a planned one)."))
    return errors


def notes_citing_unshipped_files(rows: Rows, shipped: Iterable[str] | None = None) -> list[CurationError]:
    """One error per note that cites a .md/.txt/.yaml/.csv file which does not ship with RUCAS.

    URLs are always accepted (the reader can open them); so are files of the repository or
    package such as `dataset/curated/README.md`.
    """
    files = shipped_files() if shipped is None else frozenset(shipped)
    errors: list[CurationError] = []
    for table in sorted(rows.tables):
        notes = note_columns(table)
        if not notes:
            continue
        for row, origin in zip(rows.tables[table], rows.origins[table]):
            for column in notes:
                note = row.get(column)
                if not isinstance(note, str):
                    continue
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
