"""Benchmark: draw 100 containers on 20 networks (DOT, then SVG with ``dot``).

The snapshot is synthetic (no daemon): 20 user-defined bridges (one
internal, one with ICC off), 100 containers, each on one to three of them,
a quarter publishing a port, a few stopped, plus host, none and
``container:<other>`` modes; then the same with an Expected layered on top.

Timings on a shared machine are noisy, so the goal is stated two ways,
both measured in this one run:

- absolute: DOT + SVG of the plain diagram in under ``GOAL_SECONDS`` (1 s);
- relative: building the DOT text costs at most ``GOAL_DOT_SHARE`` of the
  whole (``dot``'s layout is the floor anyone pays to draw it).

Run: ``python bench/diagram_100.py`` (exit 1 when a goal is missed,
exit 0 with a note when Graphviz is not installed).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labcheck.errors import GraphvizMissing  # noqa: E402
from labcheck.expected import Expected, ExpectedPort  # noqa: E402
from labcheck.render.diagram import diagram, render  # noqa: E402
from labcheck.snapshot import Container, Endpoint, Network, PortBinding, Snapshot  # noqa: E402

NETWORKS = 20
CONTAINERS = 100
GOAL_SECONDS = 1.0
GOAL_DOT_SHARE = 0.25
RUNS = 5
LABELS = {"io.labcheck.owner": "labcheck", "io.labcheck.lesson": "bench"}


def synthetic() -> Snapshot:
    """100 containers on 20 networks, with every kind of attachment represented."""
    nets = []
    for i in range(NETWORKS):
        options = {"com.docker.network.bridge.enable_icc": "false"} if i == 7 else {}
        nets.append(Network(name=f"net{i:02d}", id=f"{i:064x}", driver="bridge",
                            subnets=(f"10.{100 + i}.0.0/24",), gateways=(f"10.{100 + i}.0.1",),
                            internal=i == 3, options=options, labels=dict(LABELS)))
    boxes = []
    for i in range(CONTAINERS):
        name = f"box{i:03d}"
        mode = "host" if i == 10 else "none" if i == 11 else \
            "container:box000" if i == 12 else f"net{i % NETWORKS:02d}"
        endpoints: tuple[Endpoint, ...] = ()
        if not mode.startswith(("host", "none", "container:")):
            nets_of = sorted({i % NETWORKS, (i * 7) % NETWORKS,
                              (i * 13) % NETWORKS})[: 1 + i % 3]
            endpoints = tuple(Endpoint(f"net{n:02d}", f"{n:064x}", ipv4=f"10.{100 + n}.0.{2 + i}",
                                       gateway=f"10.{100 + n}.0.1",
                                       aliases=(name, f"alias{i}") if i % 5 == 0 else (name,))
                              for n in nets_of)
        ports = (PortBinding(80, "tcp", "127.0.0.1", 20000 + i),) if i % 4 == 0 else ()
        state = "exited" if i % 17 == 0 and i else "running"
        boxes.append(Container(name=name, id=f"{1000 + i:064x}", image="labcheck/lab:1",
                               state=state, labels=dict(LABELS), network_mode=mode,
                               endpoints=endpoints, ports=ports))
    return Snapshot(networks=tuple(nets), containers=tuple(boxes))


def expectation() -> Expected:
    return Expected(networks=("net00", "net01", "missing"),
                    containers=("box000", "box001", "ghost"),
                    attachments=(("box000", "net00"), ("box001", "net05"), ("ghost", "missing")),
                    forbidden_attachments=(("box020", "net00"),),
                    ports=(ExpectedPort("box000", 80, 20000, "127.0.0.1"),
                           ExpectedPort("box001", 8080, 18080)))


def best(func, runs: int = RUNS) -> tuple[float, float]:
    """(fastest, median) seconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> int:
    snap = synthetic()
    print(f"synthetic snapshot: {len(snap.networks)} networks, {len(snap.containers)} containers")
    dot_best, dot_median = best(lambda: diagram(snap).source)
    exp = expectation()
    exp_best, _ = best(lambda: diagram(snap, expected=exp).source)
    graph = diagram(snap)
    print(f"DOT text:               best {dot_best * 1000:7.1f} ms, median "
          f"{dot_median * 1000:7.1f} ms ({len(graph.source)} characters)")
    print(f"DOT text with Expected: best {exp_best * 1000:7.1f} ms")
    try:
        render(graph, "svg")
    except GraphvizMissing as exc:
        print(f"SVG: not measured: {exc}")
        return 0
    both_best, both_median = best(lambda: render(diagram(snap), "svg"), runs=3)
    svg_size = len(render(graph, "svg"))
    share = dot_best / both_best
    print(f"DOT + SVG:              best {both_best * 1000:7.1f} ms, median "
          f"{both_median * 1000:7.1f} ms ({svg_size} bytes of SVG)")
    print(f"goal: DOT + SVG under {GOAL_SECONDS:.1f} s: "
          f"{'met' if both_best < GOAL_SECONDS else 'MISSED'} ({both_best:.2f} s)")
    print(f"goal: DOT text at most {GOAL_DOT_SHARE:.0%} of the whole: "
          f"{'met' if share <= GOAL_DOT_SHARE else 'MISSED'} ({share:.1%})")
    return 0 if both_best < GOAL_SECONDS and share <= GOAL_DOT_SHARE else 1


if __name__ == "__main__":
    sys.exit(main())
