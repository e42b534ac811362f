"""What a student costs on the class hub, per engine kind, from ``make test-hub``'s figures.

``make test-hub`` (tests/hub/test_hub.py) logs three students in at once (two
with a rootless engine, one with the engine VM) and writes, per student,
``test-output/hub/figures.json``: the engine kind, seconds from pressing
"Sign in" to their server being ready and to lesson 01's first cell
answering, and the memory (PSS and RSS, summed over every process of their
Unix user: session, engine, JupyterLab, kernel, containers; for the VM, QEMU
with its 1 GiB guest) and CPU seconds after lesson 01's exercise. This script
prints them as a table, then per kind what they mean for this machine: how
many students its memory holds at that cost (80 % of MemTotal), and how many
its cores serve if every student does that much work within ten minutes.
Both are extrapolated from the students measured. It measures nothing
itself (the hub needs root and a browser); without a figures file it says
how to make one and exits 0.

Run: ``python bench/hub_class.py [FIGURES.json]`` (default: test-output/hub/figures.json,
else bench/hub_figures.json, the run recorded with the README's figures).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CANDIDATES = [HERE.parent / "test-output" / "hub" / "figures.json", HERE / "hub_figures.json"]
#: The window in which a class does lesson 01's first section and exercise (the CPU estimate).
WINDOW_S = 600


def main(argv: list[str]) -> int:
    paths = [Path(argv[0])] if argv else [p for p in CANDIDATES if p.exists()]
    if not paths:
        print("no figures yet: run make test-hub (root) first")
        return 0
    records = {k: v for k, v in json.loads(paths[0].read_text()).items()
               if not k.startswith("_")}
    print(f"from {paths[0]} ({len(records)} students at once)\n")
    print("| student | engine | login->ready s | login->first cell s | PSS MB | RSS MB | CPU s "
          "| restart->ready s |")
    print("|---|---|---|---|---|---|---|---|")
    kinds: dict[str, list[dict[str, float]]] = {}
    for name, r in records.items():
        use = r.get("usage_after_lesson", {})
        kind = r.get("engine", "rootless")
        kinds.setdefault(kind, []).append(use)
        print(f"| {name} | {kind} | {r.get('login_to_ready_s')} | "
              f"{r.get('login_to_first_cell_s')} | {use.get('pss_mb')} | {use.get('rss_mb')} | "
              f"{use.get('cpu_s')} | {r.get('restart_to_ready_s', '')} |")
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    cores = os.cpu_count() or 1
    print(f"\nthis machine: {total_mb / 1024:.1f} GiB, {cores} CPUs; extrapolated from the "
          "students above:")
    for kind, uses in sorted(kinds.items()):
        pss = statistics.median(float(u.get("pss_mb", 0)) for u in uses)
        cpu = statistics.median(float(u.get("cpu_s", 0)) for u in uses)
        if not pss or not cpu:
            continue
        print(f"- {kind} ({len(uses)} measured): {pss:.0f} MB and {cpu:.1f} CPU s per student "
              f"(medians): memory holds about {int(total_mb * 0.8 / pss)} such students at "
              f"80 %; the cores serve about {int(cores * WINDOW_S / cpu)} doing lesson 01's "
              f"section and exercise within {WINDOW_S // 60} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
