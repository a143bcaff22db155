"""Render a DatasetDiff for people (the CHANGES text) and for programs (the changes.json document)."""

from __future__ import annotations

import datetime
import decimal
import json

from rucas.build.release.diff import DatasetDiff, RelationDiff
from rucas.build.release.version_scheme import required_bump

CHANGES_FORMAT = 1
"""Version of the changes.json layout; raised when a key is renamed or removed."""

VALUE_WIDTH = 60
"""Values longer than this are shortened in the text report (the JSON keeps them whole)."""


def _plain(value: object) -> object:
    """A value as JSON holds it: dates in ISO 8601, decimals as numbers."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _plain_row(row: dict[str, object]) -> dict[str, object]:
    return {name: _plain(value) for name, value in row.items()}


def relation_document(diff: RelationDiff) -> dict[str, object]:
    """One table's or view's changes as a JSON-ready dict."""
    return {
        "name": diff.name,
        "kind": diff.kind,
        "compared_by": list(diff.key) if diff.key else "whole rows (multiset)",
        "rows_old": diff.rows_old,
        "rows_new": diff.rows_new,
        "note": diff.note or None,
        "columns_added": diff.columns_added,
        "columns_removed": diff.columns_removed,
        "added": [_plain_row(row) for row in diff.added],
        "removed": [_plain_row(row) for row in diff.removed],
        "changed": [{"key": _plain_row(row.key),
                     "columns": {name: {"old": _plain(old), "new": _plain(new)}
                                 for name, (old, new) in row.columns.items()}}
                    for row in diff.changed],
    }


def changes_document(diff: DatasetDiff) -> dict[str, object]:
    """The whole diff as a JSON-ready dict (the layout of changes.json and `rucas diff --format json`)."""
    bump, why = required_bump(diff)
    return {
        "format": CHANGES_FORMAT,
        "old_version": diff.old_version,
        "new_version": diff.new_version,
        "required_bump": bump,
        "required_bump_reason": why,
        "summary": {relation.name: {"added": len(relation.added), "removed": len(relation.removed),
                                    "changed": len(relation.changed)} for relation in diff.relations},
        "relations": [relation_document(relation) for relation in diff.relations],
    }


def changes_json(diff: DatasetDiff) -> str:
    """changes_document as JSON text with stable bytes."""
    return json.dumps(changes_document(diff), indent=2, ensure_ascii=False) + "\n"


def _short(value: object) -> str:
    text = "∅" if value is None else str(_plain(value))
    text = text.replace("\n", "⏎")
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def short_pair(old: object, new: object) -> tuple[str, str]:
    """Both values shortened around the first character where they differ, so the edit stays visible."""
    old_text, new_text = (("∅" if v is None else str(_plain(v))).replace("\n", "⏎") for v in (old, new))
    if max(len(old_text), len(new_text)) <= VALUE_WIDTH:
        return old_text, new_text
    same = 0
    while same < min(len(old_text), len(new_text)) and old_text[same] == new_text[same]:
        same += 1
    start = max(0, same - VALUE_WIDTH // 3)

    def window(text: str) -> str:
        piece = text[start:start + VALUE_WIDTH]
        return ("…" if start else "") + piece + ("…" if start + VALUE_WIDTH < len(text) else "")

    return window(old_text), window(new_text)


def _key_text(row: dict[str, object]) -> str:
    return ", ".join(f"{name}={_short(value)}" for name, value in row.items())


def _relation_lines(diff: RelationDiff) -> list[str]:
    if diff.rows_old is None:
        return [f"  {diff.name}: new {diff.kind}, {diff.rows_new} row(s)"]
    if diff.rows_new is None:
        return [f"  {diff.name}: {diff.kind} removed (had {diff.rows_old} row(s))"]
    counts = ", ".join(f"{n} {what}" for n, what in ((len(diff.added), "added"), (len(diff.removed), "removed"),
                                                      (len(diff.changed), "changed")) if n)
    lines = [f"  {diff.name}: {counts or 'rows unchanged'} ({diff.rows_new} rows, was {diff.rows_old})"]
    if diff.note:
        lines.append(f"    ({diff.note})")
    lines += [f"    column added: {name}" for name in diff.columns_added]
    lines += [f"    column removed: {name}" for name in diff.columns_removed]
    lines += [f"    + {_key_text(row)}" for row in diff.added]
    lines += [f"    - {_key_text(row)}" for row in diff.removed]
    for row in diff.changed:
        lines.append(f"    ~ {_key_text(row.key)}: {', '.join(row.columns)}")
        for name, (old, new) in row.columns.items():
            old_text, new_text = short_pair(old, new)
            lines.append(f"        {name}: {old_text} -> {new_text}")
    return lines


def _section(title: str, relations: list[RelationDiff]) -> list[str]:
    changed = [relation for relation in relations if not relation.unchanged]
    lines = [title]
    for relation in changed:
        lines += _relation_lines(relation)
    same = len(relations) - len(changed)
    if same:
        lines.append(f"  ({'all' if not changed else 'the other'} {same} unchanged)")
    return lines


def changes_text(diff: DatasetDiff) -> str:
    """The diff for people: per table, then per view, rows added (+), removed (-) and changed (~) by key,
    with the columns that changed and their old and new values (long values shortened)."""
    bump, why = required_bump(diff)
    lines = [f"RUCAS changes from {diff.old_version} to {diff.new_version}",
             f"Kind of change: {bump} ({why})",
             "Rows are matched by primary key; a renamed id shows as a removal (-) plus an addition (+).",
             ""]
    lines += _section("Tables", diff.tables)
    lines += ["", *_section("Views (derived from the tables)", diff.views)]
    return "\n".join(lines) + "\n"
