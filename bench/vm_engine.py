"""The engine VM against a native daemon: each operation's ratio, and time to ready.

Runs only where the VM image is built (``labcheck engine build``); prints a
note and exits 0 elsewhere. The native side is the daemon the environment
names without the VM (``--native DOCKER_HOST`` to choose another, e.g. a
private engine). Times are medians; the machine is shared, so only the
ratios mean something, and no goal fails the run.

    python bench/vm_engine.py [--repeat N] [--native HOST] [--lesson]

``--lesson`` also times lesson 01 under nbval on both engines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from typing import Callable

from labcheck import connect
from labcheck.live.images import ensure_lab_image
from labcheck.live.vm import qemu
from labcheck.live.vm.paths import EnginePaths

LABEL = {"io.labcheck.bench": "vm-" + uuid.uuid4().hex[:8]}


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def operations(host: str | None, repeat: int) -> dict[str, float]:
    client = connect(environ={"DOCKER_HOST": host} if host else None)
    ensure_lab_image(client)
    image = "labcheck/lab:1"
    results: dict[str, float] = {}
    results["network create+remove"] = median_seconds(
        lambda: client.networks.create("bench-" + uuid.uuid4().hex[:8], labels=LABEL).remove(),
        repeat)
    made = []

    def run() -> None:
        made.append(client.containers.run(image, ["sleep", "300"], detach=True, labels=LABEL))

    results["containers.run detached"] = median_seconds(run, repeat)
    target = made[0]
    results["exec_run true"] = median_seconds(lambda: target.exec_run(["true"]), repeat)
    results["exec_run nslookup"] = median_seconds(
        lambda: target.exec_run(["nslookup", "-type=a", "localhost"]), repeat)
    results["remove(force)"] = median_seconds(lambda: made.pop().remove(force=True),
                                              min(repeat, len(made)))
    for ct in made:
        ct.remove(force=True)
    client.close()
    return results


def lesson_seconds(host: str | None) -> float:
    env = dict(os.environ)
    env.pop("DOCKER_HOST", None)
    if host:
        env["DOCKER_HOST"] = host
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                    "lessons/01-default-bridge.ipynb", "--nbval-sanitize-with",
                    "lessons/sanitize.cfg", "-p", "labcheck.pytest_plugin"], env=env,
                   check=False, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--native", default=os.environ.get("DOCKER_HOST"))
    parser.add_argument("--lesson", action="store_true")
    args = parser.parse_args()
    paths = EnginePaths.default()
    if not paths.image_present() or qemu.qemu_binary() is None:
        print("skipped: no engine VM image here (labcheck engine build) or no QEMU")
        return 0
    qemu.stop(paths)
    ready = []
    for _ in range(3):
        started = time.perf_counter()
        state = qemu.start(paths)
        ready.append(time.perf_counter() - started)
        qemu.stop(paths)
    state = qemu.start(paths)
    try:
        print(f"engine VM: {state.accel}, {state.cpus} CPU, {state.memory_mib} MiB; "
              f"start to API answering (saved state): median {statistics.median(ready):.1f} s "
              f"of {', '.join(f'{r:.1f}' for r in ready)}")
        vm = operations(state.docker_host, args.repeat)
        native = operations(args.native, args.repeat)
        print(f"{'operation':28} {'native ms':>10} {'VM ms':>10} {'VM/native':>10}")
        for name in vm:
            print(f"{name:28} {native[name] * 1000:10.0f} {vm[name] * 1000:10.0f} "
                  f"{vm[name] / native[name]:10.1f}")
        if args.lesson:
            lv, ln = lesson_seconds(state.docker_host), lesson_seconds(args.native)
            print(f"{'lesson 01 nbval (s)':28} {ln:10.1f} {lv:10.1f} {lv / ln:10.1f}")
    finally:
        qemu.stop(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
