"""The check vocabulary against the real daemon: isolation, aliases, static
IPs, network modes and HTTP, with the negative checks shown passing and then
failing once the isolation is broken."""

from __future__ import annotations

import random

import pytest

from labcheck.exercises import parse_exercise
from labcheck.grading import grade
from labcheck.live.grading import collect_for

EXERCISE = """\
id: vocabulary
title: Isolation, aliases, addresses and modes
lesson: test
checks:
  - {id: back-subnet, kind: network_subnet, network: back, subnet: "SUBNET.0/24", gateway: "SUBNET.1"}
  - {id: back-internal, kind: network_internal, network: back}
  - {id: b-ip, kind: static_ip, container: b, network: back, ip: "SUBNET.10"}
  - {id: b-alias, kind: has_alias, container: b, network: back, alias: svc}
  - {id: svc-two, kind: alias_records, from: c, alias: svc, count: 2}
  - {id: h-none, kind: network_mode, container: h, mode: none}
  - {id: s-shares-a, kind: network_mode, container: s, mode: "container:a"}
  - {id: c-http-b, kind: reaches, from: c, to: b, port: 80, protocol: http}
  - {id: c-ping-b-ip, kind: reaches, from: c, to: b, via: ip}
  - {id: a-embedded, kind: resolver, container: a}
  - {id: a-not-back, kind: not_attached, container: a, network: back}
  - {id: a-no-name-b, kind: not_resolves, from: a, name: b}
  - {id: a-no-ip-b, kind: cannot_reach, from: a, to: b, via: ip, port: 80}
"""

NEGATIVE = {"a-not-back", "a-no-name-b", "a-no-ip-b"}


@pytest.fixture
def exercise(unique):
    """The exercise on a random subnet, bound to names unique to this test."""
    subnet = f"10.{random.randint(231, 250)}.{random.randint(1, 250)}"
    source = parse_exercise(EXERCISE.replace("SUBNET", subnet), "vocabulary.yaml")
    bound = source.bind(source.binding_for(suffix=unique))
    return bound, bound.binding.name, subnet


def _networks(lab, n, subnet):
    lab.network(n("front"))
    lab.network(n("back"), subnet=f"{subnet}.0/24", gateway=f"{subnet}.1", internal=True)


def test_vocabulary_on_a_live_topology(lab, exercise, docker_client):
    ex, n, subnet = exercise
    _networks(lab, n, subnet)
    lab.run(n("a"), network=n("front"))
    lab.run(n("b"), network=n("back"), ip=f"{subnet}.10", aliases=["svc"], http=80)
    lab.run(n("c"), network=n("back"), aliases=["svc"])
    lab.run(n("h"), network_mode="none")
    lab.run(n("s"), network_mode=f"container:{n('a')}")

    isolated = grade(ex, collect_for(ex, docker_client))
    assert isolated.passed, isolated.to_text(show_hidden=True)

    lab.connect(n("a"), n("back"))  # breaks the isolation the exercise asks for
    broken = grade(ex, collect_for(ex, docker_client))
    failed = {r.check_id for r in broken.failed()}
    assert failed == NEGATIVE, broken.to_text(show_hidden=True)
    assert "as well as" in broken.result("a-not-back").message
    assert "should not" in broken.result("a-no-name-b").message
    assert f"share network '{n('back')}'" in broken.result("a-no-ip-b").message


def test_negative_checks_fail_when_their_container_is_stopped(lab, exercise, docker_client):
    ex, n, subnet = exercise
    _networks(lab, n, subnet)
    lab.run(n("a"), network=n("front"), start=False)  # a probe from 'a' cannot run
    lab.run(n("b"), network=n("back"), ip=f"{subnet}.10", http=80)
    seen = []
    snapshot = collect_for(ex, docker_client, progress=lambda *step: seen.append(step))
    assert seen and seen[-1][:2] == (len(snapshot.probes), len(snapshot.probes))  # passed on
    report = grade(ex, snapshot)
    for check_id in ("a-no-name-b", "a-no-ip-b"):
        result = report.result(check_id)
        assert result.status == "fail" and "not running" in result.message, result.message
