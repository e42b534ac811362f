"""Record tests/fixtures/snapshot-live-topology.json again from a real daemon.

    .venv/bin/python tests/tools/record_live_fixture.py

It builds the topology of tests/integration/test_diagram_live.py with fixed
``fx-`` names (so run it alone, not beside the test suite), records the
state and the reachability probes, saves the course's part of it, and
removes everything it made (label ``io.labcheck.lesson=fixture``). Then
write the golden diagrams again (tests/tools/update_golden.py) and review
both diffs.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _topology_module():
    path = TESTS / "integration" / "test_diagram_live.py"
    spec = importlib.util.spec_from_file_location("live_topology", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    from labcheck import Lab, collect, connect, run_probes

    topo = _topology_module()
    client = connect()
    lab = Lab("fixture", client=client)

    def fixed(base: str) -> str:
        return f"fx-{base}"

    lab.reset()
    try:
        topo.build_topology(lab, fixed, sidecar=False)
        time.sleep(0.3)
        detail = [fixed(n) for n in topo.MATRIX + ("hostbox", "nonebox", "stopped", "sidecar")]
        before = collect(client, detail=detail)
        results = run_probes(client, topo._probes_for(before, fixed), timeout=2)
        topo.add_sidecar(lab, fixed)
        snap = collect(client, detail=detail).with_probes(results)
        topo._mine(snap, "fixture").save(topo.LIVE_FIXTURE)
        print(f"recorded {topo.LIVE_FIXTURE.relative_to(TESTS.parent)}")
    finally:
        lab.reset()
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
