"""rucas_permission_rules.py keeps a table's permission rules once per table and instance: every check answers as
Datasette's own method does (a denial in the metadata still denies), replaced metadata is read again, and a plugin
that supplies metadata turns the keeping off."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

from rucas.build.publish.serve import datasette_app
from rucas.build.publish.settings import DATABASE_NAME

from test_datasette import build_published


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_published(tmp_path_factory.mktemp("permission-rules"))


def _counting(app: Datasette) -> list[tuple[str, str]]:
    """Count the calls that reach Datasette's own method (under the plugin's keeping)."""
    calls: list[tuple[str, str]] = []
    original = type(app)._table_permission_allows

    def counted(database: str, table: str) -> list:
        calls.append((database, table))
        return original(app, database, table)

    app._table_permission_allows = counted  # what the plugin wraps at startup
    return calls


def _run(app: Datasette, job):
    async def go():
        await app.invoke_startup()
        return await job()

    return asyncio.run(go())


def _names(published: Path) -> list[str]:
    import sqlite3

    con = sqlite3.connect(f"file:{published / 'rucas.db'}?mode=ro", uri=True)
    names = [name for (name,) in con.execute("select name from sqlite_master where type in ('table', 'view')")]
    con.close()
    return names


def test_every_table_and_view_gets_datasettes_own_answer_and_two_pages_ask_it_once_per_table(published: Path):
    app = datasette_app(published)
    calls = _counting(app)
    names = _names(published)

    async def job():
        kept = [app._table_permission_allows(DATABASE_NAME, name) for name in names]
        own = [type(app)._table_permission_allows(app, DATABASE_NAME, name) for name in names]
        for path in ("/", "/rucas", "/", "/rucas"):
            assert (await app.client.get(path)).status_code == 200
        return kept, own

    kept, own = _run(app, job)
    assert kept == own
    assert len(calls) == len(set(calls)), "a table's rules were read from the metadata more than once"


def _with_denial(published: Path) -> Datasette:
    """The published site with `events` (and only it) open to the actor root alone."""
    config = published / "datasette"
    metadata = json.loads((config / "metadata.json").read_text(encoding="utf-8"))
    metadata["databases"][DATABASE_NAME]["tables"]["events"]["allow"] = {"id": "root"}
    return Datasette([str(published / "rucas.db")], metadata=metadata, plugins_dir=str(config / "plugins"))


def test_a_denial_in_the_metadata_still_denies_every_time(published: Path):
    app = _with_denial(published)

    async def job():
        answers = []
        for _ in range(3):
            answers.append((await app.client.get("/rucas/events.json")).status_code)
            answers.append(await app.permission_allowed(None, "view-table", (DATABASE_NAME, "events")))
            answers.append(await app.permission_allowed({"id": "root"}, "view-table", (DATABASE_NAME, "events")))
            answers.append((await app.client.get("/rucas/actors.json")).status_code)
        return answers

    assert _run(app, job) == [403, False, True, 200] * 3


def test_replaced_metadata_is_read_again(published: Path):
    app = datasette_app(published)

    async def job():
        before = await app.permission_allowed(None, "view-table", (DATABASE_NAME, "events"), default=True)
        metadata = json.loads(json.dumps(app._metadata_local))
        metadata["databases"][DATABASE_NAME]["tables"]["events"]["allow"] = False
        app._metadata_local = metadata
        after = await app.permission_allowed(None, "view-table", (DATABASE_NAME, "events"), default=True)
        return before, after

    assert _run(app, job) == (True, False)


class _MetadataPlugin:
    """A plugin that supplies metadata (a denial of `actors`) through the get_metadata hook."""

    @hookimpl
    def get_metadata(self, datasette, key, database, table):
        return {"databases": {DATABASE_NAME: {"tables": {"actors": {"allow": False}}}}}


def test_with_a_plugin_supplying_metadata_every_check_goes_to_datasette(published: Path):
    app = datasette_app(published)
    calls = _counting(app)
    plugin = _MetadataPlugin()
    pm.register(plugin, name="test-metadata-plugin")
    try:
        async def job():
            return [await app.permission_allowed(None, "view-table", (DATABASE_NAME, "actors")) for _ in range(3)]

        assert _run(app, job) == [False, False, False]
    finally:
        pm.unregister(plugin)
    assert calls.count((DATABASE_NAME, "actors")) == 3
