"""Probe-based check kinds against live states built to fool them (the behaviour half
of tests/unit/test_check_evidence.py; see docs/writing-exercises.md, "Evidence").

Each test builds, on a real engine, what a student might do to get the point
without the skill, grades a one-off exercise on it, and shows that the check
fails with a message naming the real cause. Where it matters, the same
check on the honest state passes, so the failure is the fooling state's.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

import labcheck
from labcheck.exercises.loader import parse_exercise


def grade(docker_client, tmp_path, *checks: dict) -> dict[str, object]:
    """Grade ``checks`` (kind dicts with ids) as a one-off exercise: {id: result}."""
    text = json.dumps({"id": "evidence", "title": "evidence", "checks": list(checks)})
    exercise = parse_exercise(text, source="<evidence>")
    report = labcheck.check(exercise, client=docker_client,
                            hints_file=str(tmp_path / "hints.json"))
    return {r.check_id: r for r in report.results}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def host_server(tmp_path):
    """A plain Python web server on 127.0.0.1:<port> on the host; stopped afterwards."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1", "--directory", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_host_reaches_a_host_server_while_shop_publishes_nothing(lab, name, host_server,
                                                                 docker_client, tmp_path):
    """The issue's case (02-shop): shop publishes nothing; a Python server answers."""
    lab.network(name("shopnet"))
    lab.run(name("shop"), network=name("shopnet"), http=5000)
    results = grade(docker_client, tmp_path, {
        "id": "host-reaches-shop", "kind": "host_reaches", "port": host_server,
        "container": name("shop")})
    out = results["host-reaches-shop"]
    assert out.status == "fail", out.message
    assert f"answers on the host, but not through container {name('shop')!r}" in out.message
    assert "it publishes no ports" in out.message


def test_host_reaches_through_the_containers_own_binding(lab, name, docker_client, tmp_path):
    port = free_port()
    lab.run(name("shop"), http=5000, ports={5000: ("127.0.0.1", port)})
    out = grade(docker_client, tmp_path, {"id": "h", "kind": "host_reaches", "port": port,
                                          "container": name("shop")})["h"]
    assert out.status == "pass" and f"{name('shop')!r}'s own binding" in out.message


def test_a_missing_hex_named_container_is_not_matched_by_id_prefix(lab, name, docker_client,
                                                                    tmp_path):
    """The daemon takes a missing name for any container whose id starts with it;
    labcheck does not: every kind naming that container fails, saying it is missing."""
    lab.network(name("net"))
    lab.run(name("db"), network=name("net"), http=80)
    decoy = lab.run(name("decoy"), network=name("net"))
    prefix = docker_client.containers.get(decoy).id[:6]
    # the fool is real: the daemon itself runs a command "in" the missing container
    docker_client.api.exec_create(prefix, ["true"])
    results = grade(
        docker_client, tmp_path,
        {"id": "exists", "kind": "container_exists", "container": prefix},
        {"id": "resolves", "kind": "resolves", "from": prefix, "name": name("db")},
        {"id": "reaches", "kind": "reaches", "from": prefix, "to": name("db"), "port": 80},
        {"id": "resolver", "kind": "resolver", "container": prefix},
        {"id": "only-lo", "kind": "interfaces", "container": prefix, "only": ["eth0", "lo"]},
        {"id": "alias", "kind": "alias_records", "from": prefix, "alias": name("db"),
         "count": 1},
    )
    for check_id, out in results.items():
        assert out.status == "fail", (check_id, out.message)
        assert (f"container {prefix!r} does not exist" in out.message
                or f"no container is named {prefix!r}" in out.message), (check_id, out.message)


def test_a_name_answered_by_another_container(lab, name, docker_client, tmp_path):
    """db lives elsewhere; an impostor on web's network answers to the name 'db'."""
    lab.network(name("front"))
    lab.network(name("back"))
    lab.run(name("db"), network=name("back"), http=80)
    lab.run(name("impostor"), network=name("front"), aliases=[name("db")], http=80)
    lab.run(name("web"), network=name("front"))
    results = grade(
        docker_client, tmp_path,
        {"id": "resolves", "kind": "resolves", "from": name("web"), "name": name("db")},
        {"id": "reaches", "kind": "reaches", "from": name("web"), "to": name("db"),
         "port": 80},
        {"id": "http", "kind": "reaches", "from": name("web"), "to": name("db"),
         "port": 80, "protocol": "http"},
    )
    assert results["resolves"].status == "fail"
    assert f"({name('impostor')!r}), which is not container {name('db')!r}" in \
        results["resolves"].message
    for check_id in ("reaches", "http"):
        out = results[check_id]
        assert out.status == "fail", out.message
        assert f"({name('impostor')!r}), not to container {name('db')!r}" in out.message


def test_isolation_from_a_stopped_target_is_not_shown(lab, name, docker_client, tmp_path):
    lab.network(name("net"))
    lab.run(name("web"), network=name("net"))
    lab.run(name("db"), network=name("net"), start=False)
    results = grade(
        docker_client, tmp_path,
        {"id": "no-name", "kind": "not_resolves", "from": name("web"), "name": name("db")},
        {"id": "no-reach", "kind": "cannot_reach", "from": name("web"), "to": name("db")},
    )
    for out in results.values():
        assert out.status == "fail" and f"container {name('db')!r} is not running" in out.message


def test_a_resolv_conf_line_without_the_embedded_dns(lab, name, docker_client, tmp_path):
    """--dns 127.0.0.11 on the default bridge writes the line, not the server."""
    from labcheck.live.images import LAB_IMAGE

    docker_client.containers.run(LAB_IMAGE, ["sleep", "600"], name=name("old"), detach=True,
                                 labels=dict(lab.labels), dns=["127.0.0.11"])
    out = grade(docker_client, tmp_path,
                {"id": "dns", "kind": "resolver", "container": name("old")})["dns"]
    assert out.status == "fail" and "on no user-defined network" in out.message


def test_one_container_on_two_networks_is_not_two_records(lab, name, docker_client, tmp_path):
    lab.network(name("a"))
    lab.network(name("b"))
    lab.run(name("s1"), network=name("a"), aliases=["search"])
    lab.connect(name("s1"), name("b"), aliases=["search"])
    lab.run(name("web"), networks=[name("a"), name("b")])
    out = grade(docker_client, tmp_path, {"id": "rr", "kind": "alias_records",
                                          "from": name("web"), "alias": "search",
                                          "count": 2})["rr"]
    assert out.status == "fail", out.message
    # Engine 20.10's embedded DNS answers with one of s1's addresses; were it to give
    # both, the check counts containers, not records (the unit test shows that branch).
    assert ("belong to 1 container(s)" in out.message
            or "answers with 1 record(s)" in out.message), out.message


def test_sealed_settings_but_a_way_out(lab, name, docker_client, tmp_path):
    """Host mode passes 'not on the bridge' and 'publishes nothing'; the behaviour
    checks see the way out."""
    lab.run(name("hermit"), network_mode="host")
    results = grade(
        docker_client, tmp_path,
        {"id": "only-lo", "kind": "interfaces", "container": name("hermit")},
        {"id": "no-gateway", "kind": "cannot_reach", "from": name("hermit"), "to": "bridge",
         "via": "gateway"},
        {"id": "no-neighbour", "kind": "cannot_reach", "from": name("hermit"),
         "to": "neighbour", "via": "stand-in"},
        {"id": "not-on-bridge", "kind": "not_attached", "container": name("hermit"),
         "network": "bridge"},
    )
    assert results["not-on-bridge"].status == "pass"
    assert results["only-lo"].status == "fail" and "as well" in results["only-lo"].message
    for check_id in ("no-gateway", "no-neighbour"):
        assert results[check_id].status == "fail", results[check_id].message
        assert "but it should not" in results[check_id].message


def test_an_internal_flag_elsewhere_does_not_seal_a_container(lab, name, docker_client,
                                                               tmp_path):
    """02-backend: a network is internal, but the container is on an ordinary one too."""
    lab.network(name("back"), internal=True)
    lab.network(name("front"))
    lab.run(name("ledger"), networks=[name("back"), name("front")])
    lab.run(name("sealed"), network=name("back"))
    results = grade(
        docker_client, tmp_path,
        {"id": "internal", "kind": "network_internal", "network": name("back")},
        {"id": "ledger-out", "kind": "cannot_reach", "from": name("ledger"), "to": "world",
         "via": "stand-in"},
        {"id": "sealed-out", "kind": "cannot_reach", "from": name("sealed"), "to": "world",
         "via": "stand-in"},
    )
    assert results["internal"].status == "pass"
    assert results["ledger-out"].status == "fail"
    assert "but it should not" in results["ledger-out"].message
    assert results["sealed-out"].status == "pass", results["sealed-out"].message
