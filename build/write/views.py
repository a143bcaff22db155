"""Create the prepared views of queries/views in a database, in an order that satisfies their dependencies."""

from __future__ import annotations

import re
from collections.abc import Callable

from rucas.queries import SqlFile


def create_views(execute: Callable[[str], object], views: list[SqlFile], errors: tuple[type[BaseException], ...],
                 name: Callable[[SqlFile], str] = lambda view: view.name) -> None:
    """Run CREATE VIEW for every view (named `name(view)`), retrying those that depend on views not yet created.

    A view that reads another view (refusals reads assistance_timeline) reads it under the name it is
    created with here, so that live views read live views."""
    pending = list(views)
    while pending:
        failed: list[tuple[SqlFile, BaseException]] = []
        for view in pending:
            try:
                execute(f"CREATE VIEW {name(view)} AS\n{_reading_views_as(view.sql, views, name)}")
            except errors as exc:  # noqa: PERF203 - a dependency may not exist yet
                failed.append((view, exc))
        if len(failed) == len(pending):
            details = "; ".join(f"{v.path.name}: {e}" for v, e in failed)
            raise RuntimeError(f"could not create views: {details}")
        pending = [view for view, _ in failed]


def _reading_views_as(sql: str, views: list[SqlFile], name: Callable[[SqlFile], str]) -> str:
    """`sql` with every other view's name replaced by the name that view is created with."""
    renamed = {view.name: name(view) for view in views if name(view) != view.name}
    if not renamed:
        return sql
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, renamed)) + r")\b")
    return pattern.sub(lambda match: renamed[match.group(1)], sql)
