"""Timing processes side by side: fresh processes, medians, ratios of runs made in the same rounds."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
# The tests' quick JIT tier must not leak into a benchmark: production runs the full JIT.
DROPPED_ENV = ("LAKEHOUSE_JVM_OPTS", "LAKEHOUSE_ROOT", "PYSPARK_SUBMIT_ARGS")
# ... unless asked for by name: the harness's own test runs the scenarios' processes with the tests' JVM options
# (their figures are not measurements; what the test checks is that every step runs and agrees).
JVM_OPTS_ENV = "BENCH_JVM_OPTS"
# How often a timed process is asked whether it exited, and every how many of those its descendants (the JVM)
# are looked for: scanning them at each poll took about 13% of a core beside the process it timed.
POLL_SECONDS = 0.01
FAMILY_EVERY = 25


class BenchError(RuntimeError):
    """A benchmarked process failed; the message holds the end of its stderr."""


def clean_env() -> dict[str, str]:
    """The environment of a benchmarked process: the repository's code, no test-only JVM options (but those
    named by BENCH_JVM_OPTS)."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    if JVM_OPTS_ENV in os.environ:
        env["LAKEHOUSE_JVM_OPTS"] = os.environ[JVM_OPTS_ENV]
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "lib"), str(REPO)])
    return env


def timed(argv: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[float, str]:
    """Wall time and stdout of one fresh process, JVM start included, `env` added; BenchError if it fails."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, *argv], env={**clean_env(), **(env or {})}, stdout=out,
                                   stderr=err)
        tree = psutil.Process(process.pid)
        family: set[psutil.Process] = set()
        polls = 0
        while process.poll() is None:
            if polls % FAMILY_EVERY == 0:
                with contextlib.suppress(psutil.Error):
                    family.update(tree.children(recursive=True))
            polls += 1
            time.sleep(POLL_SECONDS)
        # The JVM outlives Python by about 0.3 s: count it, or the next run pays.
        wait_until_exited(family, timeout=120)
        elapsed = time.perf_counter() - started
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"{' '.join(argv)} exited {process.returncode}: {stderr[-2000:]}")
    return elapsed, stdout


def exited(process: psutil.Process) -> bool:
    """Gone, or a zombie: the JVM, orphaned when Python exits, waits there until init reaps it.

    The init of the machine the figures come from reaps orphans every 2 s. Waiting for the process
    to disappear added up to 2 s to every run and put its end on a whole second.
    """
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until_exited(processes: set[psutil.Process], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not all(exited(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.01)


@dataclass
class Rounds:
    """Times of several variants run in alternation (A B A B ...), so machine drift hits all alike."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])

    def ratio(self, name: str, base: str) -> float:
        """Median over rounds of time(name) / time(base) in the same round."""
        pairs = zip(self.times[name], self.times[base], strict=True)
        return statistics.median(a / b for a, b in pairs)

    def summary(self) -> dict[str, object]:
        return {name: {"median_s": round(self.median(name), 3), "runs_s": [round(t, 3) for t in ts]}
                for name, ts in self.times.items()}


def alternate(variants: dict[str, Callable[[], float]], rounds: int) -> Rounds:
    """Run every variant once per round, the order rotated each round; each callable returns seconds."""
    result = Rounds({name: [] for name in variants})
    names = list(variants)
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            seconds = variants[name]()
            result.times[name].append(seconds)
            print(f"  round {r + 1}: {name} {seconds:.1f}s", file=sys.stderr, flush=True)
    return result
