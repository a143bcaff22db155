"""Give a release's Datasette configuration its version and changes: the /changes page and a note on the home page.

A release folder holds a Datasette configuration directory (datasette/, copied from the build) whose
templates/ (a copy of build/publish/templates) has pages/changes.html, which includes the fragment
`rucas_release.html`. This writes that fragment from the release's diff, and adds a line to the home
page (metadata description_html) naming the version, its date and how many rows changed, linking to
/changes. A build that is not a release has no
fragment: pages/changes.html then includes rucas_not_a_release.html instead.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from rucas.build.release.diff import ChangedRow, DatasetDiff, RelationDiff
from rucas.build.release.report import short_pair

FRAGMENT = "rucas_release.html"
ROWS_SHOWN = 100
"""Rows listed per table or view on the page; the rest are counted (CHANGES and changes.json list all)."""


def _text(value: object) -> str:
    """Escaped for HTML, and braces made entities so that Jinja reads the fragment as plain text."""
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def _key(row: dict[str, object]) -> str:
    return ", ".join(f"{name}={value}" for name, value in row.items())


def _relation_html(diff: RelationDiff) -> list[str]:
    def was_and_now(row: ChangedRow) -> str:
        return "; ".join(f"{name}: {' -> '.join(short_pair(old, new))}" for name, (old, new) in row.columns.items())

    items = ([("added", _key(row), "") for row in diff.added] + [("removed", _key(row), "") for row in diff.removed]
             + [("changed", _key(row.key), was_and_now(row)) for row in diff.changed])
    parts = [f"<h3>{_text(diff.name)} ({_text(diff.kind)})</h3>"]
    if diff.note:
        parts.append(f"<p>{_text(diff.note)}</p>")
    if diff.columns_added or diff.columns_removed:
        parts.append(f"<p>Columns added: {_text(', '.join(diff.columns_added) or 'none')}; removed: "
                     f"{_text(', '.join(diff.columns_removed) or 'none')}</p>")
    if items:
        parts.append("<table><thead><tr><th>change</th><th>row</th><th>columns changed: was -> now</th></tr></thead><tbody>")
        parts += [f"<tr><td>{_text(kind)}</td><td>{_text(row)}</td><td>{_text(columns)}</td></tr>"
                  for kind, row, columns in items[:ROWS_SHOWN]]
        parts.append("</tbody></table>")
        if len(items) > ROWS_SHOWN:
            parts.append(f"<p>… and {len(items) - ROWS_SHOWN} more (see CHANGES in the release).</p>")
    return parts


def _counts(diff: DatasetDiff) -> tuple[int, int, int]:
    return (sum(len(r.added) for r in diff.tables), sum(len(r.removed) for r in diff.tables),
            sum(len(r.changed) for r in diff.tables))


def fragment_html(version: str, date: str, diff: DatasetDiff | None, bump: str | None) -> str:
    """The release fragment of the /changes page: version, date, previous release, and what changed."""
    parts = [f'<p class="rucas-release">Release <strong>{_text(version)}</strong>, released {_text(date)}.</p>']
    if diff is None:
        parts.append("<p>This is the first release: there is no earlier release to compare it with.</p>")
        return "\n".join(parts) + "\n"
    added, removed, changed = _counts(diff)
    parts.append(f"<p>Changes since release <strong>{_text(diff.old_version)}</strong>: {added} table row(s) "
                 f"added, {removed} removed, {changed} changed; kind of change: {_text(bump)}. Rows are matched "
                 "by primary key: a renamed id shows as a removal plus an addition.</p>")
    changed_relations = [relation for relation in diff.relations if not relation.unchanged]
    if not changed_relations:
        parts.append("<p>No table or view changed.</p>")
    for relation in changed_relations:
        parts += _relation_html(relation)
    return "\n".join(parts) + "\n"


def home_note(version: str, date: str, diff: DatasetDiff | None) -> str:
    """The home page line (HTML) naming the release and linking to /changes."""
    if diff is None:
        summary = "the first release"
    else:
        added, removed, changed = _counts(diff)
        summary = (f"since {html.escape(diff.old_version)}: {added} row(s) added, {removed} removed, "
                   f"{changed} changed")
    return (f'<p>Release <strong>{html.escape(version)}</strong> ({html.escape(date)}), '
            f'<a href="/changes">{summary}</a>.</p>')


def add_release_pages(config_dir: Path, version: str, date: str, diff: DatasetDiff | None,
                      bump: str | None) -> None:
    """Write the release fragment into config_dir/templates and put the release line on the home page
    (metadata.json description_html)."""
    templates = config_dir / "templates"
    templates.mkdir(exist_ok=True)
    (templates / FRAGMENT).write_text(fragment_html(version, date, diff, bump), encoding="utf-8")
    metadata_path = config_dir / "metadata.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    description = metadata.get("description_html") or f"<p>{html.escape(str(metadata.get('description', '')))}</p>"
    metadata["description_html"] = home_note(version, date, diff) + description
    metadata_path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
