"""Benchmark: snapshot cost for 5 and 50 containers; a probe wave against ``docker exec``.

1. Snapshot: ``collect()`` with 5, then 50 containers of this run on the
   daemon (created, not started: the list endpoint reports both alike), plus
   whatever else the daemon holds. For each: the median time of ``REPEAT``
   snapshots and the number of HTTP requests sent to the daemon. Goal: the
   request count does not grow with the containers.
2. Probes: the same 8 questions (2 resolves, 2 pings, 2 TCP connects,
   2 HTTP GETs) asked as one wave of labcheck probes (concurrent, bounded by
   ``timeout`` inside the container), and as 8 sequential ``docker exec`` CLI
   calls running the same commands, alternately, ``ROUNDS`` times in this one
   run; both must agree on every answer. The ratio of medians is the result
   (timings on a shared 2-core machine are noisy; never assert seconds).

Everything is labelled with a lesson unique to this run and removed at the end.
Run: ``python bench/snapshot_and_probes.py`` (exit 1 when a goal is missed).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labcheck.live.collect import collect  # noqa: E402
from labcheck.live.daemon import connect  # noqa: E402
from labcheck.live.images import ensure_lab_image  # noqa: E402
from labcheck.live.lab import Lab  # noqa: E402
from labcheck.probes import HttpGet, Reach, Resolve  # noqa: E402
from labcheck.live.probes import run_probes  # noqa: E402

REPEAT = 5
ROUNDS = 3
TIMEOUT = 2


class RequestCounter:
    """Counts the HTTP requests a docker client sends (wraps its session's send)."""

    def __init__(self, client) -> None:
        self.count = 0
        self._api = client.api
        send = client.api.send

        def counting(request, **kwargs):
            self.count += 1
            return send(request, **kwargs)

        client.api.send = counting

    def close(self) -> None:
        del self._api.send


def measure_snapshot(client) -> tuple[float, int, int]:
    """(median ms, requests per snapshot, containers seen)."""
    counter = RequestCounter(client)
    times = []
    try:
        for _ in range(REPEAT):
            before = counter.count
            started = time.perf_counter()
            snap = collect(client)
            times.append((time.perf_counter() - started) * 1000)
            calls = counter.count - before
    finally:
        counter.close()
    return statistics.median(times), calls, len(snap.containers)


def probe_wave(client, suffix: str):
    a, b = f"bench-a-{suffix}", f"bench-b-{suffix}"
    probes = [
        Resolve(a, name=b), Resolve(b, name=a),
        Reach(a, target=b), Reach(b, target=a),
        Reach(a, target=b, port=80), Reach(b, target=a, port=80),
        HttpGet(a, target=b, port=80), HttpGet(b, target=a, port=80),
    ]
    return probes


def run_wave(client, probes) -> tuple[float, list[bool], list[str]]:
    started = time.perf_counter()
    results = run_probes(client, probes, timeout=TIMEOUT)
    took = (time.perf_counter() - started) * 1000
    return took, [r.succeeded for r in results], [r.detail for r in results]


def run_cli(docker: str, probes) -> tuple[float, list[bool], list[str]]:
    started = time.perf_counter()
    results = []
    for probe in probes:
        done = subprocess.run([docker, "exec", probe.container, *probe.command(TIMEOUT)],
                              capture_output=True, text=True, timeout=60)
        results.append(probe.interpret(done.returncode, done.stdout + done.stderr))
    took = (time.perf_counter() - started) * 1000
    return took, [r.succeeded for r in results], [r.detail or r.output for r in results]


def main() -> int:
    docker = shutil.which("docker")
    client = connect()
    ensure_lab_image(client)
    suffix = uuid.uuid4().hex[:8]
    lab = Lab(f"bench-{suffix}", client=client)
    ok = True
    try:
        net = lab.network(f"bench-net-{suffix}")
        print("== snapshot: time and API requests (median of", REPEAT, "snapshots)")
        rows = []
        for index in range(5):
            lab.run(f"bench-c{index}-{suffix}", network=net, start=False)
        rows.append(("5 containers", *measure_snapshot(client)))
        for index in range(5, 50):
            lab.run(f"bench-c{index}-{suffix}", network=net, start=False)
        rows.append(("50 containers", *measure_snapshot(client)))
        for label, ms, calls, seen in rows:
            print(f"  {label:<14} {ms:8.1f} ms  {calls} requests  ({seen} containers on "
                  "the daemon)")
        constant = rows[0][2] == rows[1][2]
        print(f"  requests constant: {'yes' if constant else 'NO'}; time ratio 50/5: "
              f"{rows[1][1] / rows[0][1]:.2f}")
        ok &= constant

        print(f"== 8 probes: one labcheck wave vs 8 sequential docker exec CLI calls "
              f"(median of {ROUNDS} rounds)")
        lab.run(f"bench-a-{suffix}", network=net, http=80)
        lab.run(f"bench-b-{suffix}", network=net, http=80)
        probes = probe_wave(client, suffix)
        wave_times, cli_times = [], []
        if docker is None:
            print("  the docker CLI is not installed: only the wave is timed")
        for _ in range(ROUNDS):
            ms, wave_answers, wave_details = run_wave(client, probes)
            wave_times.append(ms)
            if not all(wave_answers):
                print("  some probes failed:", *wave_details, sep="\n    ")
                ok = False
            if docker:
                ms, cli_answers, cli_details = run_cli(docker, probes)
                cli_times.append(ms)
                if cli_answers != wave_answers:
                    print("  the CLI disagrees:", *cli_details, sep="\n    ")
                    ok = False
        wave = statistics.median(wave_times)
        print(f"  labcheck wave   {wave:8.1f} ms")
        if cli_times:
            cli = statistics.median(cli_times)
            print(f"  docker exec x8  {cli:8.1f} ms")
            print(f"  ratio (cli / wave): {cli / wave:.1f}x faster as a wave")
    finally:
        removed = lab.reset()
        client.close()
        if removed.errors:
            print("cleanup:", *removed.errors, sep="\n  ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
