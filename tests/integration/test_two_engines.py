"""One topology on two engines at once: labcheck's verdicts are the same on both.

The engine under test (DOCKER_HOST, or the machine's daemon) and a second one
(``LABCHECK_OTHER_DOCKER_HOST``: the test matrix, labcheck.live.engines.matrix, sets it to Debian
unstable's engine in its own network namespace, or to the machine's daemon in
the pass on that engine) each get the same topology and the same exercise
solutions, from one process. Grading reports, the rules' and the probes'
reachability, the names each container answers to and the diagram must agree;
only ids, addresses and MACs may differ. Without a second engine the tests
skip, naming the variable; in CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import load_fixture, test_binding  # noqa: E402
from test_diagram_live import MATRIX, _mine, _probes_for, build_topology  # noqa: E402

import labcheck  # noqa: E402
from labcheck import LabcheckError, connect  # noqa: E402
from labcheck.live.collect import collect  # noqa: E402
from labcheck.live.images import ensure_lab_image  # noqa: E402
from labcheck.live.lab import Lab  # noqa: E402
from labcheck.live.probes import run_probes  # noqa: E402
from labcheck.reachability import explain, reach_matrix  # noqa: E402
from labcheck.render.diagram import diagram  # noqa: E402
from labcheck.snapshot import Snapshot  # noqa: E402

pytestmark = pytest.mark.docker

OTHER = "LABCHECK_OTHER_DOCKER_HOST"


@pytest.fixture(scope="module")
def other_client(docker_client):
    host = os.environ.get(OTHER)
    if not host:
        reason = (f"no second engine: {OTHER} is not set (make test sets it; or start "
                  f"one with labcheck engine start NAME and set it to its DOCKER_HOST)")
        if os.environ.get("CI"):
            pytest.fail(f"CI runs these tests with a second engine, but {reason}")
        pytest.skip(reason)
    try:
        client = connect(environ={"DOCKER_HOST": host})
    except LabcheckError as exc:
        pytest.fail(f"{OTHER}={host} does not answer: {exc}")
    ensure_lab_image(client)
    yield client
    client.close()


@pytest.fixture
def other_lab(other_client, unique) -> Iterator[Lab]:
    """The same lesson label as ``lab``, on the second engine; reset after."""
    the_lab = Lab(f"test-{unique}", client=other_client)
    yield the_lab
    the_lab.reset()


def _masked(text: str, snapshot: Snapshot) -> str:
    """``text`` with what differs between engines by nature replaced: ids, IPv4
    addresses and subnets, MACs, host ports, the engine's version."""
    for box in snapshot.containers:
        text = text.replace(box.id, "ID").replace(box.short_id, "ID")
    for net in snapshot.networks:
        text = text.replace(net.id, "NETID").replace(net.id[:12], "NETID")
    text = re.sub(r"\b\d{1,3}(\.\d{1,3}){3}(/\d+)?\b", "IP", text)
    text = re.sub(r"\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b", "MAC", text)
    text = re.sub(r"(IP|\]):\d+", r"\1:PORT", text)
    return text.replace(snapshot.engine_version or "\0", "VERSION")


def _dns_names(snapshot: Snapshot, names: list[str]) -> dict[tuple[str, str], list[str]]:
    """(container, network) -> the names that network's DNS gives it, ids masked."""
    out = {}
    for box in snapshot.containers:
        if box.name in names:
            for endpoint in box.endpoints:
                aliases = endpoint.aliases or ()
                out[(box.name, endpoint.network)] = sorted(
                    "ID" if a == box.short_id else a for a in aliases)
    return out


def _observe(lab: Lab, name: Callable[[str], str]) -> dict[str, object]:
    """Everything labcheck says about the topology built on ``lab``'s engine."""
    names = [name(n) for n in MATRIX]
    snap = collect(lab.client, detail=names)
    snap = snap.with_probes(run_probes(lab.client, _probes_for(snap, name), timeout=2))
    matrix = reach_matrix(snap, names)
    mine = _mine(snap, lab.lesson)
    return {
        "engine": snap.engine_version,
        "probed": {(c.source, c.target): c.reaches for c in matrix.pairs()},
        "rules": {(a, b): explain(snap, a, b).reachable for a in names for b in names if a != b},
        "disagreements": [(c.source, c.target) for c in matrix.disagreements],
        "dns_names": _dns_names(snap, names),
        "diagram": _masked(diagram(mine).source, mine).splitlines(),
    }


def test_one_topology_two_engines_same_verdicts(lab, other_lab, name):
    build_topology(lab, name, sidecar=False)
    build_topology(other_lab, name, sidecar=False)
    here, there = _observe(lab, name), _observe(other_lab, name)
    engines = f"{here.pop('engine')} and {there.pop('engine')}"
    assert here["disagreements"] == [] and there["disagreements"] == [], engines
    for key in here:
        assert here[key] == there[key], f"{key} differs between engines {engines}"
    # the names the engines' DNS gives: name, alias, short id on every engine
    assert here["dns_names"][(name("web"), name("front"))] == \
        sorted(["ID", name("web"), "www"]), here["dns_names"]


@pytest.mark.parametrize("variant", [None, "alias-missing", "guest-on-teamnet"])
def test_one_exercise_two_engines_same_report(lab, other_lab, unique, tmp_path, variant):
    exercise = "03-separate-names"
    fixture = load_fixture(exercise)
    names = test_binding(exercise, unique)
    reports = []
    for where in (lab, other_lab):
        build = fixture.solution if variant is None else fixture.BROKEN[variant][0]
        build(where, names)
        report = labcheck.check(exercise, client=where.client, names=dict(names.names),
                                ports=dict(names.ports), hints_file=str(tmp_path / "hints.json"))
        reports.append(report)
    here, there = ({r.check_id: r.status for r in report.results} for report in reports)
    assert here == there, (reports[0].to_text(show_hidden=True),
                           reports[1].to_text(show_hidden=True))
    assert reports[0].score == reports[1].score
    assert (reports[0].score == reports[0].max_score) == (variant is None)
