"""Run every benchmark in bench/ in turn (``make bench``).

Each ``bench/*.py`` script (except this one and names starting with ``_``)
runs in its own process with this Python, one after the other so they do
not disturb each other's timings. Its output is shown and also saved to
``bench/results/<name>.txt``. The exit code is 1 if any script failed
(a benchmark exits 1 when it misses its goal).

Run: ``python bench/run.py [NAME ...]`` (names without ``.py`` pick scripts).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def scripts(names: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py")
                   if p.name != Path(__file__).name and not p.name.startswith("_"))
    if names:
        found = [p for p in found if p.stem in names]
    return found


def main(argv: list[str]) -> int:
    chosen = scripts(argv[1:])
    if not chosen:
        print(f"no benchmark matches {' '.join(argv[1:]) or '(any)'} in bench/")
        return 2
    RESULTS.mkdir(exist_ok=True)
    failed = []
    for script in chosen:
        print(f"### {script.name}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent,
                              capture_output=True, text=True)
        output = done.stdout + (f"\n[stderr]\n{done.stderr}" if done.stderr.strip() else "")
        print(output.rstrip())
        (RESULTS / f"{script.stem}.txt").write_text(output)
        took = time.perf_counter() - started
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        print(f"### {script.name}: {status} in {took:.1f} s\n", flush=True)
        if done.returncode != 0:
            failed.append(script.name)
    print(f"{len(chosen) - len(failed)} of {len(chosen)} benchmarks met their goals"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
