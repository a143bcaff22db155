"""The README's promises: its test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_readme_gives_one_serve_and_one_test_command():
    serve, test = _readme_commands()
    assert serve.startswith("python3 -m venv .venv") and serve.endswith("rucas serve")
    assert test.startswith("python3 -m venv .venv") and test.endswith("pytest")


def test_ci_runs_the_readme_test_command():
    _, test = _readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()


def test_readme_counts_are_those_of_the_build(output_dir: Path):
    """The counts tables in the README are what `rucas stats --markdown` prints for the curated corpus."""
    import json

    from rucas.build.stats import markdown_counts, per_source_counts

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- counts:start -->\n", 1)[1].split("\n<!-- counts:end -->", 1)[0]
    manifest = json.loads((output_dir / "manifest.json").read_text(encoding="utf-8"))
    assert block == markdown_counts(manifest["row_counts"], per_source_counts(output_dir)), (
        "README counts are stale: paste the output of `rucas stats --markdown` between the counts markers")
