"""Datasette plugin (loaded by `rucas serve` with --plugins-dir): a table's permission rules are read from the
metadata once per table and instance, not once per check.

Datasette 0.65.5 decides `view-table` from `Datasette._table_permission_allows(database, table)`, which deep-copies
every metadata source on each call (140 kB of metadata for RUCAS's site, about 2 ms) and is called for every table
and view a page may show: about 130 times for the front page and the database page, two thirds of their time. Its
answer depends on nothing but the metadata, so this plugin keeps each answer on the instance it was computed for
and hands back copies. It keeps nothing, and every call goes to Datasette as before, when any other plugin supplies
metadata (the `get_metadata` hook, whose answers may change), and it takes an answer again when the instance's
metadata is replaced. It wraps only the method of this Datasette version (a release without it is left alone) and
only on the instances it starts in, never the class.

It is self-contained (Datasette and the standard library only), like the other plugins in this folder.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from datasette import hookimpl
from datasette.plugins import pm

METHOD = "_table_permission_allows"
"""The Datasette method (0.65.5) whose answers are kept."""


def _metadata_from_plugins() -> bool:
    """Whether any plugin supplies metadata through the `get_metadata` hook."""
    return bool(pm.hook.get_metadata.get_hookimpls())


def kept_answers(datasette, compute: Callable[[str, str], list]) -> Callable[[str, str], list]:
    """`compute` (database, table) -> permission rules, answered once per table while the instance's metadata
    is the same object and no plugin supplies metadata; each caller gets its own copy."""
    kept: dict[str, object] = {"metadata": None, "answers": {}}

    def rules(database: str, table: str) -> list:
        if _metadata_from_plugins():
            return compute(database, table)
        if kept["metadata"] is not datasette._metadata_local:  # replaced (held here, so never an id reused)
            kept["metadata"], kept["answers"] = datasette._metadata_local, {}
        answers = kept["answers"]
        if (database, table) not in answers:
            if len(answers) >= 10_000:  # a bound: far more tables than any RUCAS site has
                answers.clear()
            answers[(database, table)] = compute(database, table)
        return copy.deepcopy(answers[(database, table)])

    return rules


@hookimpl
def startup(datasette):
    original = getattr(datasette, METHOD, None)
    if callable(original) and not getattr(original, "_rucas_kept", False):
        rules = kept_answers(datasette, original)
        rules._rucas_kept = True
        setattr(datasette, METHOD, rules)
