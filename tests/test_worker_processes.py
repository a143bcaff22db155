"""Validation's worker processes end with the process that started them, even when it is killed."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import MINIMAL_CORPUS

VALIDATION_THAT_HANGS_IN_ITS_WORKERS = """
import os, sys, time
from pathlib import Path
import rucas.build.validate.corpus as corpus

def hang(source_id, article, annotation):
    (Path(sys.argv[2]) / str(os.getpid())).write_text("started")
    time.sleep(600)

corpus.PARALLEL_MIN_ARTICLES = 0   # the worker pool even for one article
corpus.validate_article = hang     # workers (forked) validate by hanging
corpus.validate_corpus(Path(sys.argv[1]), workers=2, tables=False)
"""


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


def _poll(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_killing_validation_ends_its_worker_processes_within_seconds(tmp_path: Path) -> None:
    started = tmp_path / "workers"
    started.mkdir()
    parent = subprocess.Popen([sys.executable, "-c", VALIDATION_THAT_HANGS_IN_ITS_WORKERS, str(MINIMAL_CORPUS), str(started)])
    try:
        assert _poll(lambda: any(started.iterdir()), 60), "no worker started"
        workers = [int(path.name) for path in started.iterdir()]
        assert all(_running(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        assert _poll(lambda: not any(_running(pid) for pid in workers), 10), f"workers {workers} outlived their parent"
    finally:
        parent.kill()
        for path in started.iterdir():
            if _running(int(path.name)):
                os.kill(int(path.name), signal.SIGKILL)


def test_a_cold_validation_makes_the_records_of_a_tasks_files_when_the_task_is_handed_over(
        tmp_path: Path) -> None:
    """The workers are handed their articles a few tasks ahead of those they finished: the parent never holds a
    record (CuratedFile) of every file at once, which at 100,000 articles was 200,000 records at its peak."""
    from test_views import load_generator

    from rucas.build.read.corpus import CuratedFile, read_corpus
    from rucas.build.validate import corpus as validation

    curated = load_generator().generate_corpus(tmp_path / "curated", validation.PARALLEL_MIN_ARTICLES + 50, 11)
    listed = read_corpus(curated)
    files = len(listed.articles) + len(listed.annotations)
    alive: list[int] = []

    def count(done: int, total: int) -> None:
        alive.append(sum(isinstance(thing, CuratedFile) for thing in gc.get_objects()))

    validated = validation.validate_corpus(listed, workers=2, counter=count, tables=False)
    articles = len(listed.articles)
    size = max(1, min(validation.CHUNK, articles // (2 * 4)))
    assert validated.validated == articles and len(alive) >= 8
    assert max(alive) <= 2 * size * (2 * validation.IN_FLIGHT + 1) < files
