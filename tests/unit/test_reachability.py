"""The reachability rules on a recorded snapshot, checked against the probes recorded with it.

``tests/fixtures/snapshot-live-topology.json`` was taken from a real daemon
together with ping and TCP probes between its containers (see
tests/integration/test_diagram_live.py), so each rule here is tested both
against what we expect and against what the daemon actually did.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labcheck.errors import ObjectNotFound
from labcheck.probes import ProbeResult, Reach
from labcheck.reachability import (
    LOCALHOST,
    Verdict,
    explain,
    find_container,
    reach_matrix,
)
from labcheck.snapshot import Snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures"
MATRIX = tuple(f"fx-{n}" for n in ("web", "db", "api", "legacy", "legacy2", "q1", "q2"))


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return Snapshot.load(FIXTURES / "snapshot-live-topology.json")


def test_shared_user_defined_network_reaches_by_name(snap):
    answer = explain(snap, "fx-web", "fx-db")
    assert answer.reachable and answer.name_resolves
    assert answer.probe == Reach("fx-web", "fx-db", None)
    text = "\n".join(answer.lines())
    assert "share internal user-defined bridge network 'fx-back'" in text
    assert "'fx-db', 'database'" in text  # the name and its alias resolve
    assert snap.container("fx-db").endpoint("fx-back").ipv4 in text


def test_default_bridge_reaches_by_address_only(snap):
    answer = explain(snap, "fx-legacy", "fx-legacy2")
    ip = snap.container("fx-legacy2").endpoint("bridge").ipv4
    assert answer.reachable and answer.name_resolves is False
    assert answer.probe == Reach("fx-legacy", ip, None)
    assert any("no embedded DNS" in r for r in answer.reasons)


def test_no_shared_network_is_isolated_with_a_fix(snap):
    answer = explain(snap, "fx-db", "fx-api")
    assert not answer.reachable
    assert "share no network" in answer.reasons[0]
    assert answer.hint == "docker network connect fx-front fx-db"


def test_icc_off_blocks_containers_on_the_same_network(snap):
    answer = explain(snap, "fx-q1", "fx-q2")
    assert not answer.reachable
    assert "enable_icc=false" in answer.reasons[0]


def test_published_port_is_reached_through_the_gateway(snap):
    answer = explain(snap, "fx-legacy", "fx-api", port=8080)
    binding = [p for p in snap.container("fx-api").published() if p.host_ip == "0.0.0.0"][0]
    gateway = snap.container("fx-legacy").endpoint("bridge").gateway
    assert answer.reachable
    assert answer.probe == Reach("fx-legacy", gateway, binding.host_port)
    assert "through the host" in answer.reasons[-1]


def test_loopback_only_publishing_does_not_help_other_containers(snap):
    answer = explain(snap, "fx-legacy", "fx-web", port=5000)
    assert not answer.reachable
    assert any("loopback only" in r for r in answer.reasons)


def test_internal_network_has_no_way_out_to_published_ports(snap):
    answer = explain(snap, "fx-db", "fx-api", port=8080)
    assert not answer.reachable
    assert any("internal network" in r for r in answer.reasons)


def test_host_mode_reaches_bridge_containers_by_address(snap):
    answer = explain(snap, "fx-hostbox", "fx-db", port=5432)
    assert answer.reachable and answer.name_resolves is False
    assert answer.probe.target == snap.container("fx-db").endpoint("fx-back").ipv4


def test_a_host_mode_target_is_reached_at_the_gateway(snap):
    answer = explain(snap, "fx-legacy", "fx-hostbox")
    assert answer.reachable
    assert answer.probe.target == snap.container("fx-legacy").endpoint("bridge").gateway


def test_none_mode_reaches_nothing(snap):
    for a, b in (("fx-nonebox", "fx-web"), ("fx-web", "fx-nonebox")):
        answer = explain(snap, a, b)
        assert not answer.reachable
        assert "network mode 'none'" in " ".join(answer.reasons)


def test_shared_namespace_is_localhost(snap):
    answer = explain(snap, "fx-sidecar", "fx-web", port=5000)
    assert answer.reachable
    assert answer.probe == Reach("fx-sidecar", LOCALHOST, 5000)
    assert "uses the network namespace of fx-web" in answer.reasons[0]


def test_stopped_container_is_unreachable_and_says_how_to_start_it(snap):
    to_stopped = explain(snap, "fx-web", "fx-stopped")
    assert not to_stopped.reachable and to_stopped.hint == "start it: docker start fx-stopped"
    from_stopped = explain(snap, "fx-stopped", "fx-web")
    assert not from_stopped.reachable and from_stopped.probe is None  # nothing can run in it


def test_unknown_container_names_the_closest(snap):
    with pytest.raises(ObjectNotFound) as err:
        find_container(snap, "fx-wbe")
    assert err.value.exit_code == 2
    assert "'fx-web'" in str(err.value)


def test_rules_agree_with_every_probe_recorded_from_the_real_daemon(snap):
    """Each recorded probe was chosen by the rules; the daemon's answer must match them."""
    matrix = reach_matrix(snap, MATRIX)
    assert all(cell.reaches is not None for cell in matrix.pairs())
    assert matrix.disagreements == [], matrix.to_text()
    for source, target, port in (("fx-web", "fx-db", 5432), ("fx-legacy", "fx-api", 8080),
                                 ("fx-hostbox", "fx-db", 5432), ("fx-legacy", "fx-web", 5000)):
        answer = explain(snap, source, target, port=port)
        verdict = Verdict(answer, snap.probe_result(answer.probe))
        assert verdict.probed and verdict.agrees, verdict.lines()


def test_matrix_text_marks_yes_no_and_unprobed(snap):
    matrix = reach_matrix(snap, MATRIX)
    text = matrix.to_text()
    row = next(line for line in text.splitlines() if line.startswith("fx-web "))
    assert row.split()[1:] == ["-", "yes", "yes", "no", "no", "no", "no"]
    unprobed = reach_matrix(Snapshot(networks=snap.networks, containers=snap.containers),
                            ["fx-web", "fx-db"])
    assert unprobed.cell("fx-web", "fx-db").symbol == "?"


# -- verdicts: rules against probe -----------------------------------------------------

def _verdict(snap, reachable_probe: bool, detail: str, port=None) -> Verdict:
    answer = explain(snap, "fx-web", "fx-db", port=port)
    return Verdict(answer, ProbeResult(answer.probe, ran=True, succeeded=reachable_probe,
                                       detail=detail))


def test_verdict_says_plainly_when_rules_and_probe_disagree(snap):
    verdict = _verdict(snap, False, "no answer from fx-db in time")
    assert verdict.agrees is False and verdict.reaches is False
    assert "DISAGREE" in verdict.lines()[-1]


def test_verdict_agrees_and_the_probe_decides(snap):
    verdict = _verdict(snap, True, "fx-db answers to ping")
    assert verdict.agrees and verdict.reaches
    assert verdict.lines()[-1] == "verdict: fx-web reaches fx-db (the rules and the probe agree)"


def test_refused_port_is_a_working_path_with_nothing_listening(snap):
    verdict = _verdict(snap, False, "fx-db refused the connection on port 81", port=81)
    assert verdict.agrees and not verdict.reaches
    assert "nothing listens on port 81" in verdict.lines()[-1]


def test_probe_that_could_not_run_leaves_the_rules_to_answer(snap):
    answer = explain(snap, "fx-web", "fx-db")
    verdict = Verdict(answer, ProbeResult(answer.probe, ran=False, succeeded=False,
                                          detail="container 'fx-web' is not running"))
    assert verdict.agrees is None and verdict.reaches is True
    assert "from the rules only" in verdict.lines()[-1]


# -- the CLI on a saved snapshot ----------------------------------------------------------

def test_cli_explain_exit_codes_on_a_saved_snapshot(capsys):
    from labcheck.cli import main

    path = str(FIXTURES / "snapshot-live-topology.json")
    assert main(["explain", "fx-web", "fx-db", "--port", "5432", "--snapshot", path]) == 0
    out = capsys.readouterr().out
    assert "the rules and the probe agree" in out
    assert main(["explain", "fx-q1", "fx-q2", "--snapshot", path]) == 1
    assert "enable_icc=false" in capsys.readouterr().out
    assert main(["explain", "fx-web", "fx-nobody", "--snapshot", path]) == 2
    err = capsys.readouterr().err
    assert "no container named 'fx-nobody'" in err and "Traceback" not in err


def test_explain_across_hosts_says_the_vxlan_path_or_why_there_is_none():
    from labcheck.snapshot import Container, Endpoint, Network, NodeState

    ov = Network("appnet", "ov" * 6, "overlay", scope="swarm", subnets=("10.218.0.0/24",),
                 options={"com.docker.network.driver.overlay.vxlanid_list": "4097"})

    def on(name, net, ip, net_id):
        return Container(name, name, state="running",
                         endpoints=(Endpoint(net, network_id=net_id, ipv4=ip),))

    one = NodeState("node1", "10.219.0.11", Snapshot(networks=(ov,), containers=(
        on("a", "appnet", "10.218.0.2", ov.id), on("c", "appnet", "10.218.0.4", ov.id))))
    two = NodeState("node2", "10.219.0.12", Snapshot(networks=(ov,), containers=(
        on("b", "appnet", "10.218.0.3", ov.id), on("island", "local", "10.216.32.2", "br1"))))
    lab = Snapshot(nodes=(one, two))
    across = explain(lab, "a", "b", port=80)
    text = "\n".join(across.lines())
    assert across.reachable and across.probe.container == "a"
    assert "UDP from 10.219.0.11 to 10.219.0.12 port 4789, VNI 4097" in text
    assert "7946/tcp+udp" in text and "2377/tcp" in text
    local = explain(lab, "a", "c")
    assert local.reachable and "both on node1: one Docker host" in local.reasons[0]
    apart = explain(lab, "a", "island")
    assert not apart.reachable and "only a swarm network (an overlay)" in "\n".join(apart.lines())
    with pytest.raises(ObjectNotFound, match="on any node"):
        explain(lab, "a", "nobody")
