"""The README's promises: its test command is the one CI runs. (Its counts moved to REFERENCE.md, whose
generated blocks tests/test_docs.py keeps equal to a build.)"""

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
