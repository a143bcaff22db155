"""The `rucas` command answers a curator's mistakes with a message and exit status 1, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS


def _rucas(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "rucas"
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


@pytest.fixture()
def invalid_corpus(tmp_path: Path) -> Path:
    corpus = Path(shutil.copytree(MINIMAL_CORPUS, tmp_path / "curated"))
    annotation = next((corpus / "annotations").iterdir())
    annotation.write_text(annotation.read_text(encoding="utf-8").replace("modality: occurred", "modality: maybe", 1),
                          encoding="utf-8")
    return corpus


@pytest.mark.parametrize("command", [["stats"], ["serve", "--port", "1"]])
def test_a_command_that_builds_first_reports_invalid_input_without_a_traceback(command, invalid_corpus, tmp_path):
    result = _rucas(*command, "--output", str(tmp_path / "no-build-yet"), env={"RUCAS_CURATED_DIR": str(invalid_corpus)})
    assert result.returncode == 1
    assert "modality 'maybe' is not one of" in result.stderr and " Fix: " in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "no-build-yet" / "manifest.json").exists()


def test_output_that_is_a_file_is_refused_with_a_message(tmp_path):
    afile = tmp_path / "output.txt"
    afile.write_text("not a folder\n")
    result = _rucas("build", "--curated", str(MINIMAL_CORPUS), "--output", str(afile), "--quiet")
    assert result.returncode == 1
    assert "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr
    assert afile.read_text() == "not a folder\n"


def test_validate_refuses_an_empty_corpus(tmp_path):
    corpus = Path(shutil.copytree(MINIMAL_CORPUS, tmp_path / "curated"))
    for folder in ("articles", "annotations"):
        for file in (corpus / folder).iterdir():
            file.unlink()
    result = _rucas("validate", "--curated", str(corpus), "--no-cache", "--quiet")
    assert result.returncode == 1 and "the corpus has no articles" in result.stderr
