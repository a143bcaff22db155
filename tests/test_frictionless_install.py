"""The README's Frictionless command works from a fresh environment: `pip install "frictionless[pandas,parquet]"`
then `frictionless validate dataset/datapackage.json` (plain `pip install frictionless` cannot read Parquet and
answers 'Please install "frictionless"'). Slow: it makes a virtual environment and installs from the registry."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


def readme_install_command() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"pip install (\"frictionless\[[^\]]+\]\")", readme)[:1]
    return command.strip('"')


def test_the_readmes_frictionless_command_validates_the_package_in_a_fresh_environment(
        output_dir: Path, tmp_path: Path) -> None:
    requirement = readme_install_command()
    assert requirement == "frictionless[pandas,parquet]"
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=120)
    python = tmp_path / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", requirement], check=True, timeout=600)
    result = subprocess.run([str(tmp_path / "venv" / "bin" / "frictionless"), "validate", "--json",
                             "datapackage.json"], cwd=output_dir, capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report["errors"] or [t["errors"] for t in report["tasks"]], indent=1)[:2000]
