"""Shared fixtures: the curated corpus built once per test session, and a small corpus to break."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest

from rucas.build.paths import default_curated_dir
from rucas.build.pipeline import BuildReport, build

TESTS_DIR = Path(__file__).resolve().parent
REPO_DIR = TESTS_DIR.parent
MINIMAL_CORPUS = TESTS_DIR / "fixtures" / "minimal"
ARTIFACTS_DIR = TESTS_DIR / "artifacts"


@pytest.fixture(scope="session")
def curated_dir() -> Path:
    """The real curated corpus, dataset/curated."""
    return default_curated_dir()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, curated_dir: Path) -> BuildReport:
    """The real corpus built once into a temporary output folder."""
    return build(curated_dir, tmp_path_factory.mktemp("rucas-build"))


@pytest.fixture(scope="session")
def output_dir(built: BuildReport) -> Path:
    """The output folder of the session build (parquet/, rucas.duckdb, rucas.db, ...)."""
    return built.output_dir


@pytest.fixture()
def duck(output_dir: Path):
    """A read-only DuckDB connection to the session build."""
    con = duckdb.connect(str(output_dir / "rucas.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def lite(output_dir: Path):
    """A read-only SQLite connection to the session build."""
    con = sqlite3.connect(f"file:{output_dir / 'rucas.db'}?mode=ro", uri=True)
    yield con
    con.close()


@pytest.fixture()
def minimal_corpus(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/minimal that a test may edit or break."""
    target = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave files for people to look at (screenshots, reports)."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR
