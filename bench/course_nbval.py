"""Benchmark: the whole course under nbval, and the share spent waiting on the daemon.

    .venv/bin/python bench/course_nbval.py [--skip-nbval]

1. Wall time of ``pytest --nbval lessons/ --nbval-sanitize-with
   lessons/sanitize.cfg`` (what ``make test`` runs), against the goal of
   3 minutes on the course machine.
2. Each lesson executed again with nbclient, with a first cell that times
   every HTTP request docker-py sends to the daemon (API calls, execs of
   probes included), so the report can say which share of each lesson's
   time is spent waiting on the daemon, and which share is the kernel,
   Python and Graphviz. Probes run in parallel threads and their requests
   are added up, so the share is an upper bound.

Timings are noisy on a shared 2-core machine: read the ratios of one run,
never compare across runs. Lessons use fixed names, so do not run this while
the test suite runs the lessons.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
GOAL_SECONDS = 180.0

#: Runs first in the kernel: wraps requests' Session.send to add up the time spent in it.
_TIMER = """
import time as _lc_time
import requests as _lc_requests
_lc_waiting = [0.0, 0]
_lc_send = _lc_requests.Session.send
def _lc_timed_send(self, *args, **kwargs):
    started = _lc_time.perf_counter()
    try:
        return _lc_send(self, *args, **kwargs)
    finally:
        _lc_waiting[0] += _lc_time.perf_counter() - started
        _lc_waiting[1] += 1
_lc_requests.Session.send = _lc_timed_send
"""
_REPORT = "import json as _lc_json; print(_lc_json.dumps({'seconds': _lc_waiting[0], 'calls': _lc_waiting[1]}))"


def nbval_wall_time() -> tuple[float, int]:
    """Seconds for the nbval run of every lesson, and pytest's exit code."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "lessons/", "--nbval-sanitize-with",
         "lessons/sanitize.cfg", "-q", "-p", "no:cacheprovider",
         "-p", "labcheck.pytest_plugin"],     # as make test: clean-up, and the reference solutions run
        cwd=ROOT, capture_output=True, text=True, check=False)
    return time.monotonic() - started, done.returncode


def daemon_share(path: Path) -> dict[str, float]:
    """Execute one lesson with the timer; its wall time and the time waiting on the daemon."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(_TIMER))
    notebook.cells.append(nbformat.v4.new_code_cell(_REPORT))
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    client.execute()
    wall = time.monotonic() - started
    last = notebook.cells[-1].outputs
    waited = json.loads(last[0]["text"]) if last else {"seconds": 0.0, "calls": 0}
    return {"wall": wall, "daemon": float(waited["seconds"]), "calls": int(waited["calls"])}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--skip-nbval", action="store_true", help="only the per-lesson shares")
    args = parser.parse_args(argv)
    lessons = sorted(LESSONS.glob("[0-9][0-9]-*.ipynb"))
    if not args.skip_nbval:
        wall, code = nbval_wall_time()
        verdict = "within" if wall <= GOAL_SECONDS else "OVER"
        print(f"nbval, {len(lessons)} lessons: {wall:.1f} s ({wall / GOAL_SECONDS:.2f} of the "
              f"{GOAL_SECONDS:.0f} s goal: {verdict}); pytest exit code {code}")
    total_wall = total_daemon = 0.0
    for path in lessons:
        share = daemon_share(path)
        total_wall += share["wall"]
        total_daemon += share["daemon"]
        print(f"{path.name:42} {share['wall']:6.1f} s, waiting on the daemon "
              f"{share['daemon']:6.1f} s ({share['daemon'] / share['wall']:.0%}) "
              f"in {share['calls']} requests")
    if total_wall:
        print(f"{'all lessons':42} {total_wall:6.1f} s, waiting on the daemon "
              f"{total_daemon:6.1f} s ({total_daemon / total_wall:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
