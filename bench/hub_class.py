"""What a student costs on the class hub, from ``make test-hub``'s measurements.

``make test-hub`` (tests/hub/test_hub.py) logs three students in at once and
writes, per student, ``test-output/hub/figures.json``: seconds from pressing
"Sign in" to their server being ready and to lesson 01's first cell
answering, and the memory (PSS and RSS, summed over every process of their
Unix user: session, rootlesskit, dockerd, containerd, shim, JupyterLab,
kernel, containers) and CPU seconds after lesson 01's exercise. This script
prints them as a table and what they mean for this machine's size: how many
students its memory holds at that cost (80 % of MemTotal). It measures
nothing itself (the hub needs root and a browser); without a figures file
it says how to make one and exits 0.

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


def main(argv: list[str]) -> int:
    paths = [Path(argv[0])] if argv else [p for p in CANDIDATES if p.exists()]
    if not paths:
        print("no figures yet: run make test-hub (root) first")
        return 0
    records = {k: v for k, v in json.loads(paths[0].read_text()).items()
               if not k.startswith("_")}
    print(f"from {paths[0]} ({len(records)} students at once, rootless engine each)\n")
    print("| student | login->ready s | login->first cell s | PSS MB | RSS MB | CPU s |")
    print("|---|---|---|---|---|---|")
    pss = []
    for name, r in records.items():
        use = r.get("usage_after_lesson", {})
        pss.append(float(use.get("pss_mb", 0)))
        print(f"| {name} | {r.get('login_to_ready_s')} | {r.get('login_to_first_cell_s')} | "
              f"{use.get('pss_mb')} | {use.get('rss_mb')} | {use.get('cpu_s')} |")
    restart = [r["restart_to_ready_s"] for r in records.values() if "restart_to_ready_s" in r]
    if restart:
        print(f"\nserver restart to ready (engine data kept): {restart[0]} s")
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    per = statistics.median(pss) if pss else 0
    if per:
        print(f"\nmemory: {per:.0f} MB per student (PSS, median); this machine has "
              f"{total_mb / 1024:.1f} GiB: about {int(total_mb * 0.8 / per)} students at 80 % "
              f"of it; {os.cpu_count()} CPUs (a lesson's cells are short bursts; logins at "
              "once are what queue)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
