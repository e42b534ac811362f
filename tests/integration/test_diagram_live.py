"""Diagrams of a live topology (whose builder also records tests/fixtures/snapshot-live-*.json).

``build_topology`` makes every kind of attachment the course teaches: a
user-defined bridge, an internal one, one with ICC off, the default bridge,
host and none mode, ``container:<other>`` sharing, published ports (loopback
and all addresses), aliases, and a created-but-never-started container.

To record the fixture again (alone: it uses fixed ``fx-`` names), run the
script ``tests/tools/record_live_fixture.py``.
"""

from __future__ import annotations

import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

import pytest

from labcheck.live.collect import collect
from labcheck.reachability import explain, matrix_probes, reach_matrix
from labcheck.live.probes import run_probes
from labcheck.render.diagram import diagram, render
from labcheck.snapshot import Snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures"
LIVE_FIXTURE = FIXTURES / "snapshot-live-topology.json"

#: The containers whose reachability the recorded fixture measures.
MATRIX = ("web", "db", "api", "legacy", "legacy2", "q1", "q2")
#: (source, target, port) whose TCP probes the fixture records as well.
PORT_PAIRS = (("web", "db", 5432), ("legacy", "api", 8080), ("legacy", "web", 5000),
              ("web", "db", 81), ("hostbox", "db", 5432))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_topology(lab, name: Callable[[str], str], *, sidecar: bool = True) -> None:
    """Every kind of attachment, on the real daemon, named through ``name``."""
    lab.network(name("front"))
    lab.network(name("back"), internal=True)
    lab.network(name("quiet"), options={"com.docker.network.bridge.enable_icc": "false"})
    lab.run(name("web"), network=name("front"), networks=[name("front"), name("back")],
            aliases=["www"], http=5000, ports={5000: ("127.0.0.1", _free_port())})
    lab.run(name("db"), network=name("back"), aliases=["database"], http=5432)
    lab.run(name("api"), network=name("front"), http=8080, ports={8080: None})
    lab.run(name("q1"), network=name("quiet"), http=80)
    lab.run(name("q2"), network=name("quiet"))
    lab.run(name("legacy"), http=80)
    lab.run(name("legacy2"))
    lab.run(name("hostbox"), network_mode="host")
    lab.run(name("nonebox"), network_mode="none")
    lab.run(name("stopped"), network=name("front"), start=False)
    if sidecar:
        add_sidecar(lab, name)


def add_sidecar(lab, name: Callable[[str], str]) -> None:
    """A container in ``container:web`` mode. On engine 20.10 starting one drops
    web's names from the embedded DNS, so name probes must run before it."""
    lab.run(name("sidecar"), network_mode=f"container:{name('web')}")


def _mine(snapshot: Snapshot, lesson: str) -> Snapshot:
    """Only this lesson's containers and networks, plus the networks they use."""
    boxes = tuple(c for c in snapshot.containers if c.labels.get("io.labcheck.lesson") == lesson)
    used = {n for c in boxes for n in c.networks}
    nets = tuple(n for n in snapshot.networks
                 if n.labels.get("io.labcheck.lesson") == lesson or n.name in used)
    return Snapshot(networks=nets, containers=boxes, probes=snapshot.probes,
                    taken_at=snapshot.taken_at, engine_version=snapshot.engine_version,
                    api_version=snapshot.api_version,
                    labcheck_version=snapshot.labcheck_version, meta=dict(snapshot.meta))


def _probes_for(snapshot: Snapshot, name: Callable[[str], str]):
    names = [name(n) for n in MATRIX]
    probes = list(matrix_probes(snapshot, names))
    for source, target, port in PORT_PAIRS:
        probe = explain(snapshot, name(source), name(target), port=port).probe
        if probe is not None:
            probes.append(probe)
    return probes


@pytest.mark.dot
def test_live_topology_renders_svg_with_every_object(lab, name):
    build_topology(lab, name)
    snap = collect(lab.client, detail=[name("web"), name("db")])
    graph = diagram(_mine(snap, lab.lesson))
    svg = render(graph, "svg").decode("utf-8")
    root = ET.fromstring(svg)  # well-formed SVG
    assert root.tag.endswith("svg")
    svg = "\n".join(root.itertext())  # the drawn text ('-' is &#45; in the markup)
    for base in ("front", "back", "quiet", "web", "db", "api", "q1", "q2", "legacy",
                 "hostbox", "nonebox", "stopped", "sidecar"):
        assert name(base) in svg, base
    web = snap.container(name("web"))
    for endpoint in web.endpoints:
        assert endpoint.ipv4 in svg
    published = web.published()[0]
    assert f"127.0.0.1:{published.host_port}" in svg
    assert "aliases: www" in svg and "aliases: database" in svg
    assert "network: container:" + name("web") in svg
    assert "internal" in svg and "ICC off" in svg and "no DNS" in svg


def test_default_selection_draws_only_course_objects(lab, name, docker_client):
    lab.network(name("front"))
    lab.run(name("web"), network=name("front"))
    stranger = docker_client.api.create_network(name("stranger"))  # no labcheck labels
    try:
        snap = collect(docker_client)
        shown = diagram(snap).source
        everything = diagram(snap, all=True).source
    finally:
        docker_client.api.remove_network(stranger["Id"])
    assert name("web") in shown and name("front") in shown
    assert name("stranger") not in shown
    assert name("stranger") in everything


def test_matrix_layer_from_live_probes_matches_the_rules(lab, name):
    build_topology(lab, name, sidecar=False)
    time.sleep(0.3)
    snap = collect(lab.client, detail=[name(n) for n in MATRIX])
    snap = snap.with_probes(run_probes(lab.client, _probes_for(snap, name), timeout=2))
    matrix = reach_matrix(snap, [name(n) for n in MATRIX])
    assert matrix.cell(name("web"), name("db")).reaches is True
    assert matrix.cell(name("db"), name("api")).reaches is False
    assert matrix.cell(name("q1"), name("q2")).reaches is False  # ICC off
    assert matrix.cell(name("legacy"), name("legacy2")).reaches is True
    assert matrix.disagreements == [], matrix.to_text()
    dot = diagram(_mine(snap, lab.lesson), matrix=matrix).source
    assert "does not reach (probed)" in dot
