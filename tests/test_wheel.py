"""A wheel installed into a fresh virtual environment loads the data with no manual build step."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(out), str(REPO)], check=True, capture_output=True)
    (path,) = out.glob("rucas-*.whl")
    return path


def test_wheel_installs_only_the_rucas_package(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"rucas"}
    for module in ("rucas/__init__.py", "rucas/schema/tables.py", "rucas/build/pipeline.py",
                   "rucas/queries/__init__.py", "rucas/curated/reference/actors.yaml", "rucas/spark.py",
                   "rucas/build/publish/site_plugin.py", "rucas/build/publish/templates/index.html",
                   "rucas/build/publish/static/site.css", "rucas/build/review_page/review_page.html",
                   "rucas/queries/pages/event_claims.sql", "rucas/queries/charts/timeline.sql",
                   "rucas/build/write/incremental.py", "rucas/build/publish/datasette_plugins/rucas_limits.py",
                   "rucas/build/review_page/render.py", "rucas/build/review_page/review_page.css"):
        assert module in names
    assert any(n.startswith("rucas/curated/articles/") and n.endswith(".txt") for n in names)
    assert not any(n.endswith((".parquet", ".duckdb", ".db")) for n in names), "outputs are built, not shipped"
    assert not (REPO / "build" / "lib").exists(), "setuptools' scratch folder must not land in build/ (our package)"


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_loads_events_without_a_build_step(wheel: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUCAS_", "PYTHON"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    script = (
        "import rucas\n"
        "events = rucas.load('events')\n"
        "assert len(events) > 0 and str(events['date_earliest'].dtype) == 'datetime64[ns]'\n"
        "every = rucas.tables()\n"
        "print(len(events), len(every))\n"
    )
    result = subprocess.run([str(python), "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    events, tables = map(int, result.stdout.split())
    assert events > 0 and tables >= 13
    assert (tmp_path / "cache" / "rucas").is_dir(), "the build went to the user's cache, not site-packages"
