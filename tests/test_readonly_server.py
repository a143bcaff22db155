"""The served database cannot be changed through Datasette, and a runaway query is stopped, not served forever.

A real Datasette server, started as `rucas serve` starts it (rucas.build.publish.serve.datasette_command),
listens on 127.0.0.1 for this module; every request goes through its ?sql= interface.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rucas.build.pipeline import build
from rucas.build.publish.serve import datasette_command

from conftest import MINIMAL_CORPUS

WRITES = {
    "insert": "insert into codebook (codebook, code, label, definition) values ('x', 'y', 'z', 'w')",
    "update": "update actors set name = 'changed'",
    "delete": "delete from actors",
    "replace": "replace into actors (actor_id, name, actor_type) values ('x', 'x', 'state')",
    "create table": "create table scratch (x)",
    "create view": "create view scratch as select 1",
    "create trigger": "create trigger t after insert on actors begin delete from actors; end",
    "drop table": "drop table actors",
    "drop view": "drop view if exists v",
    "alter table": "alter table actors add column extra text",
    "vacuum": "vacuum",
    "reindex": "reindex",
    "attach": "attach database '/tmp/rucas-attack.db' as attack",
    "attach in-memory": "attach database ':memory:' as scratch",
    "detach": "detach database main",
    "load_extension": "select load_extension('/tmp/rucas-attack.so')",
    "pragma user_version": "pragma user_version = 7",
    "pragma journal_mode": "pragma journal_mode = wal",
    "pragma writable_schema": "pragma writable_schema = 1",
    "pragma query_only": "pragma query_only = 0",
    "with ... delete": "with gone as (select actor_id from actors) delete from actors where actor_id in gone",
    "select then drop": "select 1; drop table actors",
    "begin": "begin immediate",
    "savepoint": "savepoint s",
}
"""Statements that would change the database or reach outside it, each sent through ?sql=."""

RUNAWAY = "with recursive forever(n) as (select 1 union all select n + 1 from forever) select count(*) from forever"
"""A query that never ends on its own."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding a build of the minimal corpus."""
    tmp = tmp_path_factory.mktemp("served")
    curated = shutil.copytree(MINIMAL_CORPUS, tmp / "curated")
    return build(Path(curated), tmp / "output").output_dir


@pytest.fixture(scope="module")
def server(published: Path) -> Iterator[str]:
    """A Datasette server on 127.0.0.1 serving the build; yields its base URL."""
    port = _free_port()
    process = subprocess.Popen(datasette_command(published, "127.0.0.1", port),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "datasette exited"
        try:
            if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "datasette did not start within 60 s"
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _sql(base: str, sql: str, timeout: float = 30) -> httpx.Response:
    return httpx.get(f"{base}/rucas.json", params={"sql": sql, "_shape": "array"}, timeout=timeout)


def _counts(base: str) -> list[dict]:
    response = _sql(base, "select (select count(*) from actors) as actors, (select count(*) from codebook) as codes, "
                          "(select group_concat(name) from actors) as names")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_server_answers_a_read(server: str):
    assert _counts(server)[0]["actors"] > 0


@pytest.mark.parametrize("sql", WRITES.values(), ids=WRITES.keys())
def test_a_write_through_sql_is_refused_and_changes_nothing(sql: str, server: str, published: Path):
    database = published / "rucas.db"
    before, counts = _file_digest(database), _counts(server)
    response = _sql(server, sql)
    assert response.status_code >= 400, f"accepted: {sql!r} -> {response.status_code} {response.text[:200]}"
    assert _counts(server) == counts
    assert _file_digest(database) == before


def test_the_pragma_functions_datasette_allows_do_not_write(server: str, published: Path):
    before = _file_digest(published / "rucas.db")
    response = _sql(server, "select * from pragma_table_info('actors')")
    assert response.status_code == 200 and response.json()
    assert _file_digest(published / "rucas.db") == before


def test_a_post_to_the_database_does_not_write(server: str, published: Path):
    before = _file_digest(published / "rucas.db")
    response = httpx.post(f"{server}/rucas", data={"sql": WRITES["delete"]}, timeout=30)
    assert response.status_code >= 400
    assert _file_digest(published / "rucas.db") == before
    assert _counts(server)[0]["actors"] > 0


def test_a_query_that_never_ends_is_stopped_and_the_server_keeps_answering(server: str):
    response = _sql(server, RUNAWAY, timeout=60)
    assert response.status_code >= 400
    assert "too long" in response.text.lower()
    assert _counts(server)[0]["actors"] > 0
    assert httpx.get(f"{server}/rucas/actors.json", timeout=30).status_code == 200


def test_a_write_that_passes_the_select_check_is_refused_by_the_read_only_connection(server: str):
    response = _sql(server, WRITES["with ... delete"])
    assert response.status_code == 400
    assert "readonly database" in response.json()["error"]


# --- hostile requests: bounded cost, client errors answered as such -----------------------------------

OVERSIZED = {
    "a 150 MB blob": "select length(hex(zeroblob(150000000)))",
    "a 2 GB string": "select length(printf('%.*c', 2000000000, 'x'))",
    "a 2 MB string by repetition": "select length(replace(hex(zeroblob(1000000)), '0', '00'))",
    "a 2 GB format width": "select length(format('%2000000000d', 1))",
    "a 2 GB precision as text": "select length(printf('%.*c', '2000000000', 'x'))",
}
"""Queries whose single steps would build strings or blobs far larger than anything RUCAS stores."""

MALFORMED = {
    "_sort on an unknown column": "/rucas/actors?_sort=no_such_column",
    "_sort_desc on an unknown column": "/rucas/statement_details.json?_sort_desc=no_such_column",
    "_sort and _sort_desc together": "/rucas/actors?_sort=name&_sort_desc=name",
    "a row path with too few key values": "/rucas/event_actors/some-event",
    "a row path with two of three key values": "/rucas/event_actors/some-event,some-actor",
    "a _through that is not JSON": "/rucas/actors?_through=x",
    "a non-numeric _timelimit on a query": "/rucas.json?sql=select+1&_timelimit=soon",
    "a non-numeric _timelimit on a table": "/rucas/actors?_timelimit=soon",
}
"""Requests whose own parameters or path are wrong; Datasette 0.65 answered each with HTTP 500."""


@pytest.mark.parametrize("sql", OVERSIZED.values(), ids=OVERSIZED.keys())
def test_a_query_building_an_oversized_value_gets_no_such_value(sql: str, server: str):
    response = _sql(server, sql)
    if response.status_code == 200:
        assert response.json() == [{next(iter(response.json()[0])): None}], response.text[:200]
    else:
        assert response.status_code == 400, response.text[:200]
        assert any(words in response.text for words in ("too big", "raised exception")), response.text[:200]


def test_values_as_long_as_an_article_are_still_served(server: str):
    response = _sql(server, "select length(hex(zeroblob(400000))) as n, printf('%5.1f|%-3s|%*d', 3.14159, 'a', 4, 7) as f")
    assert response.status_code == 200 and response.json() == [{"n": 800000, "f": "  3.1|a  |   7"}]


def test_attach_is_refused_by_the_connection_limits(server: str):
    response = _sql(server, "select * from pragma_database_list")
    assert response.status_code == 200 and [row["name"] for row in response.json()] == ["main"]


@pytest.mark.parametrize("path", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_request_is_a_client_error_not_a_server_error(path: str, server: str):
    response = httpx.get(server + path, timeout=30)
    assert response.status_code == 400, f"{path}: {response.status_code} {response.text[:200]}"


@pytest.mark.parametrize("path", ["/rucas/actor_record", "/rucas/alliance_members_on_date", "/rucas/actors"])
def test_a_post_anywhere_is_refused_as_not_allowed(path: str, server: str):
    response = httpx.post(server + path, data={"actor_id": "russia"}, timeout=30)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_pages_still_answer_after_hostile_requests(server: str):
    for path in MALFORMED.values():
        httpx.get(server + path, timeout=30)
    for sql in OVERSIZED.values():
        _sql(server, sql)
    assert httpx.get(f"{server}/rucas/statement_details.json", timeout=30).status_code == 200
    assert _counts(server)[0]["actors"] > 0
