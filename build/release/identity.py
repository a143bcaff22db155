"""The id promise, checked at release: an id names one fact for ever; one that disappears is deleted or renamed.

Against the releases before it (a Ledger, rucas.build.release.history), a new release's rows are checked:

- an id of the previous release that the new one lacks is renamed when reference/id_renames.yaml has an
  entry for it (published as the redirects table) whose new id is in the new release, else deleted; both
  are listed in CHANGES and changes.json;
- an id that an earlier release held and a later one deleted may come back only with the values it had
  (a deletion undone); an id a redirect took away never comes back;
- a redirect must take away an id a release held, the old id must be gone and the new one be there.

A breach raises IdPromiseError naming the curated file and line that holds the id, and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rucas.build.release.history import Ledger, history_tables, read_redirects, read_rows, same_values

RENAMES_FILE = "reference/id_renames.yaml"


class IdPromiseError(ValueError):
    """The new release breaks the id promise; the message names file:line and the fix."""


@dataclass(frozen=True)
class Rename:
    """An id renamed in this release (an entry of reference/id_renames.yaml that takes effect)."""

    table: str
    old_id: str
    new_id: str
    reason: str


@dataclass(frozen=True)
class IdChanges:
    """The ids of the previous release the new one lacks: renamed (with their new id) or deleted."""

    previous_version: str | None
    renamed: tuple[Rename, ...]
    deleted: tuple[tuple[str, str], ...]
    """(table, id) of each deleted row."""

    def text(self) -> str:
        """The CHANGES section: one line per renamed and per deleted id."""
        if self.previous_version is None:
            return ""
        lines = ["", "Ids (every id of the previous release that this one lacks: renamed, or deleted for good)"]
        lines += [f"  renamed: {r.table} {r.old_id} -> {r.new_id} ({r.reason})" for r in self.renamed]
        lines += [f"  deleted: {table} {row_id}" for table, row_id in self.deleted]
        if not self.renamed and not self.deleted:
            lines.append("  (none: every id of the previous release is still here)")
        return "\n".join(lines) + "\n"

    def document(self) -> dict[str, object]:
        """The same for changes.json."""
        return {"renamed": [{"table": r.table, "old_id": r.old_id, "new_id": r.new_id, "reason": r.reason}
                            for r in self.renamed],
                "deleted": [{"table": table, "id": row_id} for table, row_id in self.deleted]}


def where_written(curated_dir: Path | None, key: str, value: str, files: list[str]) -> str:
    """'path:line' of the first of `files` (relative to curated_dir) with a line `key: value`, else the files' folder."""
    pattern = re.compile(rf"^[\s-]*{{?\s*{re.escape(key)}:\s*['\"]?{re.escape(value)}['\"]?\s*[,}}]?\s*$")
    loose = re.compile(rf"[\s{{,-]{re.escape(key)}:\s*['\"]?{re.escape(value)}['\"]?\s*[,}}]")
    for relative in files if curated_dir is not None else []:
        path = curated_dir / relative
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            if pattern.match(line) or loose.search(" " + line):
                return f"{path}:{number}"
    return f"{curated_dir or 'the curated folder'} ({key}: {value})"


def _curated_files(build_dir: Path) -> list[str]:
    """The curated YAML files the build was made from (its manifest's inputs), reference files first."""
    import json

    inputs = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    names = [str(item["path"]) for item in inputs if str(item["path"]).endswith(".yaml")]
    return sorted(names, key=lambda name: (not name.startswith("reference/"), name))


def check_ids(ledger: Ledger, build_dir: Path, curated_dir: Path | None) -> IdChanges:
    """The renamed and deleted ids of the build about to be released, against the releases in `ledger`;
    IdPromiseError when the build breaks the promise (see the module docstring)."""
    files = _curated_files(build_dir)
    redirects = read_redirects(build_dir)
    problems: list[str] = []
    renamed: list[Rename] = []
    deleted: list[tuple[str, str]] = []
    for spec in history_tables():
        table, (key,) = spec.name, spec.primary_key
        rows = read_rows(build_dir, spec) or {}
        present = ledger.present.get(table, set())
        records = ledger.rows.get(table, {})
        away = ledger.renamed_away.get(table, {})
        entries = [r for r in redirects if r["table_name"] == table]
        taken = {str(r["old_id"]) for r in entries}
        for entry in entries:
            old_id, new_id = str(entry["old_id"]), str(entry["new_id"])
            at = where_written(curated_dir, "old_id", old_id, [RENAMES_FILE])
            if ledger.versions and not ledger.ever_held(table, old_id):
                problems.append(f"{at}: {table} id {old_id} is renamed, but no release held it. Fix: name the id "
                                "as the last release has it (see its parquet or site), or remove the entry.")
            elif new_id not in rows:
                problems.append(f"{at}: {table} id {old_id} is renamed to {new_id}, which is not in the build. Fix: "
                                f"write new_id as the row's id in the curated files.")
            elif old_id in present and old_id not in rows:
                renamed.append(Rename(table, old_id, new_id, str(entry["reason"])))
        for row_id in sorted(rows):
            if row_id in taken or row_id in away:
                problems.append(f"{where_written(curated_dir, key, row_id, files)}: {table} id {row_id} was renamed "
                                f"away{' in ' + away[row_id] if row_id in away else ''} and may not be used again (an "
                                "id names one fact for ever). Fix: give this row a new id.")
            elif row_id not in present and row_id in records and not same_values(records[row_id].values,
                                                                                 rows[row_id]):
                problems.append(f"{where_written(curated_dir, key, row_id, files)}: {table} id {row_id} was deleted "
                                "in an earlier release and is used again for a different fact (an id names one fact "
                                "for ever). Fix: give this row a new id; only a row restored with the very values it "
                                "had may take its old id back.")
        deleted += [(table, row_id) for row_id in sorted(present - set(rows) - taken)]
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise IdPromiseError("the build breaks the id promise (README: 'Ids: a promise, and when one may change'):\n"
                             + "\n".join(f"  {problem}" for problem in shown))
    previous = ledger.versions[-1] if ledger.versions else None
    return IdChanges(previous, tuple(renamed), tuple(deleted))
