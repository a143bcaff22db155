"""Validation's worker processes end with the process that started them, even when it is killed."""

from __future__ import annotations

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
