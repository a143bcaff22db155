"""The documentation is tested: its generated blocks equal what their definitions give, and every command and
option of the CLI is documented (as sqlite-utils' tests/test_docs.py and `cog --check` guard its docs)."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import pytest
from rucas.build.cli import main
from rucas.build.publish.reference_doc import BLOCK, DOCUMENTS, REPO, RENDERERS, DocInputs, update_documents
from rucas.build.read.layout import curated_inputs
from rucas.schema import TABLE_MODELS


def test_every_generated_block_is_what_its_definition_gives(output_dir: Path, curated_dir: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    stale = update_documents(DocInputs(output_dir, curated_dir, cli=_cli_parser(monkeypatch)), check=True)
    assert not stale, f"stale generated blocks {stale}: run `rucas docs`"


def test_rucas_docs_check_passes_on_fresh_documents(output_dir: Path):
    assert main(["docs", "--check", "--output", str(output_dir)]) == 0


def test_rucas_docs_check_names_a_stale_block_and_rucas_docs_rewrites_it(output_dir: Path, curated_dir: Path,
                                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in DOCUMENTS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, tmp_path / name)
    reference = tmp_path / "REFERENCE.md"
    fresh = reference.read_text(encoding="utf-8")
    start = fresh.index("<!-- generated:counts:start -->\n") + len("<!-- generated:counts:start -->\n")
    reference.write_text(fresh[:start] + "| hand-typed | 1 |\n" + fresh[start:], encoding="utf-8")
    inputs = DocInputs(output_dir, curated_dir, cli=_cli_parser(monkeypatch))
    assert update_documents(inputs, check=True, root=tmp_path) == ["REFERENCE.md: counts"]
    assert reference.read_text(encoding="utf-8") != fresh
    assert update_documents(inputs, root=tmp_path) == ["REFERENCE.md: counts"]
    assert reference.read_text(encoding="utf-8") == fresh


def test_every_block_the_documents_hold_has_a_renderer_and_every_renderer_a_block():
    found = [match.group("name") for name in DOCUMENTS
             for match in BLOCK.finditer((REPO / name).read_text(encoding="utf-8"))]
    assert set(found) == set(RENDERERS)
    assert "inputs" in [m.group("name") for m in BLOCK.finditer((REPO / "dataset/curated/README.md").read_text())]


def test_the_curated_input_format_names_every_published_table():
    assert {item.table for item in curated_inputs()} == {model.__tablename__ for model in TABLE_MODELS}


class _Parser(Exception):
    def __init__(self, parser: argparse.ArgumentParser):
        self.parser = parser


def _cli_parser(monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    """The `rucas` parser as main() builds it (caught when main asks it to parse)."""
    def catch(self, *args, **kwargs):
        raise _Parser(self)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", catch)
    try:
        main(["--help"])
    except _Parser as caught:
        return caught.parser
    raise AssertionError("main() did not parse its arguments")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(subparsers.choices)


def _section(docs: str, command: str) -> str:
    """The reference's section on one command (from its heading to the next)."""
    return docs.split(f"### `rucas {command}`", 1)[-1].split("\n#", 1)[0] if f"### `rucas {command}`" in docs else ""


def test_every_command_and_option_is_documented(monkeypatch: pytest.MonkeyPatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    docs = readme + (REPO / "REFERENCE.md").read_text(encoding="utf-8")
    missing = []
    for command, sub in _commands(_cli_parser(monkeypatch)).items():
        if not re.search(rf"\brucas {re.escape(command)}\b", readme):
            missing.append(f"rucas {command}")
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and f"`{option}`" not in _section(docs, command):
                    missing.append(f"rucas {command} {option}")
    assert not missing, f"document these in README.md (or REFERENCE.md): {missing}"
