"""The build: round trips keep every value and type, rebuilds are byte-identical, failures change nothing."""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

import rucas
from rucas.build.read.errors import ValidationFailed
from rucas.build.pipeline import build, validate
from rucas.schema import table_specs

from conftest import MINIMAL_CORPUS


def _tree_digest(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def _published(output: Path) -> dict[str, str]:
    """Hash of every published output as a reader sees it (through the links)."""
    digests = {}
    for name in ("rucas.db", "rucas.duckdb", "datapackage.json", "manifest.json"):
        digests[name] = hashlib.sha256((output / name).read_bytes()).hexdigest()
    for path in sorted((output / "parquet").glob("*.parquet")):
        digests[f"parquet/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def _normal(value, kind: str):
    """One value in a form every engine's answer can be compared in."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "date" and isinstance(value, datetime.datetime):  # pandas: datetime64[ns] at midnight
        assert value == value.normalize(), f"{value} is not a whole day"
        return value.date()
    if kind == "date":
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    if kind == "double":
        return float(value)
    if kind == "integer":
        return int(value)
    return str(value)


@pytest.mark.parametrize("spec", table_specs(), ids=lambda s: s.name)
def test_round_trip_keeps_every_value_and_type(spec, output_dir: Path, duck):
    """curated -> Parquet -> DuckDB -> SQLite -> pandas: the same rows, the same values."""
    names = spec.column_names
    kinds = [c.kind for c in spec.columns]
    order = ", ".join(spec.primary_key)
    parquet_rows = [tuple(row[n] for n in names)
                    for row in pq.read_table(output_dir / "parquet" / f"{spec.name}.parquet").to_pylist()]
    duck_rows = duck.execute(f"SELECT {', '.join(names)} FROM {spec.name} ORDER BY {order}").fetchall()
    lite = sqlite3.connect(f"file:{output_dir / 'rucas.db'}?mode=ro", uri=True)
    lite_rows = lite.execute(f"SELECT {', '.join(names)} FROM {spec.name} ORDER BY {order}").fetchall()
    frame = rucas.load(spec.name, output_dir)
    pandas_rows = list(frame.astype(object).itertuples(index=False, name=None))

    def normal(rows):
        return [tuple(_normal(v, k) for v, k in zip(row, kinds)) for row in rows]

    assert normal(duck_rows) == normal(parquet_rows)
    assert normal(lite_rows) == normal(parquet_rows)
    assert normal(pandas_rows) == normal(parquet_rows)
    for row in duck_rows:
        for value, kind in zip(row, kinds):
            if value is not None:
                assert isinstance(value, {"date": datetime.date, "integer": int, "double": float}.get(kind, str))


def test_manifest_counts_match_the_tables_and_hash_every_input(output_dir: Path, duck, curated_dir: Path):
    manifest = json.loads((output_dir / "manifest.json").read_text())
    for spec in table_specs():
        (count,) = duck.execute(f"SELECT count(*) FROM {spec.name}").fetchone()
        assert manifest["row_counts"][spec.name] == count
    inputs = {item["path"]: item["sha256"] for item in manifest["inputs"]}
    for path in curated_dir.rglob("*"):
        if path.suffix in (".txt", ".yaml"):
            assert inputs[path.relative_to(curated_dir).as_posix()] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["version"].startswith(rucas.__version__ + "+")


def test_manifest_gives_the_size_and_hash_of_every_output_file(output_dir: Path):
    manifest = json.loads((output_dir / "manifest.json").read_text())
    build_dir = (output_dir / "manifest.json").resolve().parent
    listed = {entry["path"]: entry for entry in manifest["outputs"]}
    files = {path.relative_to(build_dir).as_posix() for path in build_dir.rglob("*")
             if path.is_file() and path.name != "manifest.json"}
    assert listed.keys() == files
    for name, entry in listed.items():
        if name == "rucas.duckdb":  # not byte-reproducible: listed without a hash
            assert entry["sha256"] is None
            continue
        if name in ("rucas.db", "datasette/rucas.db"):  # patched in place by rebuilds: its size, no hash
            assert (entry["bytes"], entry["sha256"]) == ((build_dir / name).stat().st_size, None), name
            continue
        data = (build_dir / name).read_bytes()
        assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest()), name


def test_a_build_writes_no_review_pages_and_ships_the_renderer_the_site_makes_them_with(output_dir: Path):
    build_dir = (output_dir / "manifest.json").resolve().parent
    listed = [entry["path"] for entry in json.loads((output_dir / "manifest.json").read_text())["outputs"]]
    assert not (build_dir / "review").exists() and not any(path.startswith("review/") for path in listed)
    renderer = build_dir / "datasette" / "plugins" / "review_page"
    assert sorted(path.name for path in renderer.iterdir()) == ["render.py", "review_page.css", "review_page.html"]
    assert {f"datasette/plugins/review_page/{path.name}" for path in renderer.iterdir()} <= set(listed)


def test_source_offsets_point_at_the_evidence(duck):
    for table in ("statements", "events", "event_conditions"):
        rows = duck.execute(
            f"SELECT t.evidence, substr(s.text, t.evidence_start + 1, t.evidence_end - t.evidence_start) "
            f"FROM {table} t JOIN sources s ON s.source_id = "
            + ("(SELECT source_id FROM events e WHERE e.event_id = t.event_id)" if table == "event_conditions"
               else "t.source_id")).fetchall()
        assert rows and all(evidence == sliced for evidence, sliced in rows), table


def test_a_rebuild_of_unchanged_input_is_byte_identical(tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    build(MINIMAL_CORPUS, first)
    build(MINIMAL_CORPUS, second)
    one, two = _published(first), _published(second)
    one.pop("rucas.duckdb"), two.pop("rucas.duckdb")  # DuckDB's file format is not byte-reproducible
    assert one == two
    build(MINIMAL_CORPUS, first)
    assert {k: v for k, v in _published(first).items() if k != "rucas.duckdb"} == two


@pytest.mark.slow
def test_cached_and_uncached_builds_of_a_generated_corpus_are_byte_identical(tmp_path: Path):
    """Article rows taken from the cache give the very bytes that validating every article gives."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate_corpus

    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 450, 7, MINIMAL_CORPUS / "reference" / "codebook.yaml")
    cached, uncached = tmp_path / "cached", tmp_path / "uncached"
    build(corpus, cached)  # fills the cache (450 articles: two worker processes)
    first_article = sorted((corpus / "annotations").iterdir())[0]
    first_article.write_text(first_article.read_text(encoding="utf-8").replace("Synthetic", "Synthetic,", 1),
                             encoding="utf-8")
    report = build(corpus, cached, incremental=False)  # every output written anew: only validation differs
    assert report.articles_from_cache == 449
    build(corpus, uncached, cache=False)
    one, two = _published(cached), _published(uncached)
    one.pop("rucas.duckdb"), two.pop("rucas.duckdb")  # DuckDB's file format is not byte-reproducible
    assert one == two


def test_a_failing_build_leaves_the_previous_outputs_untouched(minimal_corpus: Path, tmp_path: Path):
    output = tmp_path / "out"
    build(minimal_corpus, output)
    before = _published(output)
    annotation = next((minimal_corpus / "annotations").glob("*.yaml"))
    annotation.write_text(annotation.read_text().replace("modality: occurred", "modality: happened", 1))
    with pytest.raises(ValidationFailed):
        build(minimal_corpus, output)
    assert _published(output) == before
    assert not list((output / ".builds").glob("staging-*"))


def test_validate_writes_nothing(minimal_corpus: Path):
    before = _tree_digest(minimal_corpus)
    assert validate(minimal_corpus).row_counts["events"] == 2
    assert _tree_digest(minimal_corpus) == before
    assert not (minimal_corpus / ".builds").exists()


def test_readers_see_a_whole_build_through_the_published_links(tmp_path: Path):
    output = tmp_path / "out"
    build(MINIMAL_CORPUS, output)
    for name in ("parquet", "rucas.duckdb", "rucas.db", "manifest.json", "datapackage.json", "datasette"):
        assert (output / name).is_symlink() and (output / name).exists(), name
    con = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 2
    con.close()


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rucas.build.cli", *args], capture_output=True, text=True,
                          cwd=cwd)


def test_cli_validate_reports_file_line_and_exit_status_1(minimal_corpus: Path):
    annotation = next((minimal_corpus / "annotations").glob("*.yaml"))
    annotation.write_text(annotation.read_text().replace("actor_id_typo", "x").replace(
        "target: [russia]", "target: [rusia]", 1))
    result = _cli("validate", "--curated", str(minimal_corpus), "--quiet")
    assert result.returncode == 1
    assert f"{annotation.name}:" in result.stderr
    assert "'rusia' is not a known actors id" in result.stderr
    assert "nothing was written" in result.stderr


def test_cli_build_then_stats(minimal_corpus: Path, tmp_path: Path):
    output = tmp_path / "out"
    assert _cli("build", "--curated", str(minimal_corpus), "--output", str(output), "--quiet").returncode == 0
    stats = _cli("stats", "--output", str(output), "--json")
    assert stats.returncode == 0
    assert json.loads(stats.stdout)["row_counts"]["events"] == 2


@pytest.mark.parametrize("command", ["validate", "build", "serve", "stats"])
def test_every_command_has_help(command: str):
    result = _cli(command, "--help")
    assert result.returncode == 0 and "usage: rucas" in result.stdout


def test_gitignore_keeps_the_build_code(tmp_path: Path):
    repo = Path(__file__).resolve().parent.parent
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(["git", "check-ignore", "-q", "build/pipeline.py"], cwd=repo)
    assert result.returncode == 1, "a .gitignore rule swallows build/"
    outputs = subprocess.run(["git", "check-ignore", "-q", "dataset/rucas.db"], cwd=repo)
    assert outputs.returncode == 0


def test_copying_a_build_elsewhere_keeps_it_readable(tmp_path: Path):
    output = tmp_path / "out"
    build(MINIMAL_CORPUS, output)
    copy = tmp_path / "copy"
    shutil.copytree(output / ".builds" / "current", copy)
    assert rucas.load("events", copy).shape[0] == 2


def test_the_validation_cache_is_keyed_by_the_validation_code_and_not_by_the_writers_or_the_site():
    from rucas.build.validate.cache import validation_modules

    modules = set(validation_modules())
    assert {"rucas.build.validate.checks", "rucas.build.validate.rows", "rucas.build.read.documents",
            "rucas.schema.tables", "rucas.schema.codes"} <= modules
    assert not {name for name in modules if name.startswith(("rucas.build.write", "rucas.build.publish",
                                                               "rucas.queries", "rucas.build.pipeline"))}


def test_every_review_a_source_claims_is_published_with_its_stored_record(output_dir: Path, duck, curated_dir: Path):
    """A source that says adjudicated rests on both codings and the adjudication log: the build publishes them
    byte for byte under records/, beside the tables computed from them."""
    records = output_dir / "records"
    claimed = duck.execute("SELECT source_id, coder, second_coder, review_status FROM sources").fetchall()
    assert claimed and {status for *_, status in claimed} == {"adjudicated"}
    for source_id, coder, second_coder, _ in claimed:
        for relative in (f"codings/{coder}/{source_id}.yaml", f"codings/{second_coder}/{source_id}.yaml",
                         f"adjudications/{source_id}.yaml"):
            assert (records / relative).read_bytes() == (curated_dir / relative).read_bytes(), relative
    (decisions,) = duck.execute("SELECT count(*) FROM adjudications").fetchone()
    assert decisions > 0
