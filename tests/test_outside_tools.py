"""The published files open in the tools users install on their own: the DuckDB 1.5 command line
(`pip install duckdb-cli`) and Frictionless (`frictionless validate`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rucas.schema import table_specs
from rucas.queries import view_files

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' installs it")
    return found


def test_the_duckdb_1_5_cli_opens_rucas_duckdb_and_runs_every_view(output_dir: Path, duck) -> None:
    cli = _tool("duckdb")
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.5."), f"the test extra pins the 1.5 CLI, found {version}"
    script = " UNION ALL ".join(f"SELECT '{view.name}' AS view, count(*) AS n FROM {view.name}"
                                for view in view_files())
    result = subprocess.run([cli, "-readonly", "-json", str(output_dir / "rucas.duckdb"), "-c", script + ";"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    counts = {row["view"]: row["n"] for row in json.loads(result.stdout)}
    assert counts == {view.name: duck.execute(f"SELECT count(*) FROM {view.name}").fetchone()[0]
                      for view in view_files()}


def test_the_duckdb_cli_finds_russias_refusal_and_the_dataset_version(output_dir: Path) -> None:
    manifest = json.loads((output_dir / "manifest.json").read_text())
    sql = ("SELECT rucas_version() AS version, refused_by, reason_type FROM refusals "
           "WHERE refused_to LIKE '%Kyrgyzstan%' ORDER BY reason_type;")
    result = subprocess.run([_tool("duckdb"), "-readonly", "-json", str(output_dir / "rucas.duckdb"), "-c", sql],
                            capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == [
        {"version": manifest["version"], "refused_by": "Russia", "reason_type": "alliance_consultation"},
        {"version": manifest["version"], "refused_by": "Russia", "reason_type": "legal_mandate"}]


def test_frictionless_validate_finds_the_data_package_valid(output_dir: Path) -> None:
    result = subprocess.run([_tool("frictionless"), "validate", "--json", "datapackage.json"], cwd=output_dir,
                            capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(result.stdout)
    errors = [(task["name"], error["message"]) for task in report["tasks"] for error in task["errors"]]
    assert report["valid"] and result.returncode == 0, errors[:10]
    assert len(report["tasks"]) == len(table_specs())  # one per table
