"""Create the prepared views of queries/views in a database, in an order that satisfies their dependencies."""

from __future__ import annotations

from collections.abc import Callable

from rucas.queries import SqlFile


def create_views(execute: Callable[[str], object], views: list[SqlFile], errors: tuple[type[BaseException], ...],
                 name: Callable[[SqlFile], str] = lambda view: view.name) -> None:
    """Run CREATE VIEW for every view (named `name(view)`), retrying those that depend on views not yet created."""
    pending = list(views)
    while pending:
        failed: list[tuple[SqlFile, BaseException]] = []
        for view in pending:
            try:
                execute(f"CREATE VIEW {name(view)} AS\n{view.sql}")
            except errors as exc:  # noqa: PERF203 - a dependency may not exist yet
                failed.append((view, exc))
        if len(failed) == len(pending):
            details = "; ".join(f"{v.path.name}: {e}" for v, e in failed)
            raise RuntimeError(f"could not create views: {details}")
        pending = [view for view, _ in failed]
