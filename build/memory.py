"""How much memory a process tree holds: what the build reports per stage and what benchmarks/run.py samples.

Linux only (read from /proc); elsewhere the figures are None. Nothing here changes what the kernel counts:
the peak is found by sampling, not by resetting the process's high-water mark (which would also change
what `time -v` or a parent's wait4 reports as its maximum resident set)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

SAMPLE_SECONDS = 0.05
"""How often the sampler reads /proc: 20 reads a second, each some tens of microseconds."""


def tree_rss_kib(pid: int) -> int:
    """Resident set (KiB) of `pid` plus its descendants, from /proc (0 for processes already gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


class PeakSampler:
    """Samples the summed resident set of this process and its children (the validation's workers) in a daemon
    thread; `take()` gives the peak (MiB) since the previous `take()` and starts the next period."""

    def __init__(self) -> None:
        self.available = Path(f"/proc/{os.getpid()}/status").exists()
        self._peak = 0
        self._period = 0  # how many periods take() has ended: a sample read in an ended period is not counted
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakSampler:
        if self.available:
            self._peak = tree_rss_kib(os.getpid())
            self._thread = threading.Thread(target=self._run, name="rucas-memory-sampler", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.wait(SAMPLE_SECONDS):
            with self._lock:
                period = self._period
            now = tree_rss_kib(pid)
            with self._lock:
                if period == self._period:  # a take() in between ended the period this sample was read in
                    self._peak = max(self._peak, now)

    def take(self) -> float | None:
        """The peak (MiB) since the last take (or the start), including a sample taken now; None off Linux."""
        if not self.available:
            return None
        now = tree_rss_kib(os.getpid())
        with self._lock:
            peak, self._peak = max(self._peak, now), now
            self._period += 1
        return round(peak / 1024, 1)
