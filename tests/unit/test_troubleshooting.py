"""Lesson 06's pure parts: scenario descriptions, the reveal of an exercise, the
diagnosis steps read from a hand-made snapshot, and the /proc/net/tcp parser."""

from __future__ import annotations

import pytest

from labcheck.diagnosis import HOST, diagnose_snapshot, diagnosis_probes, find_target
from labcheck.errors import ObjectNotFound, UsageError
from labcheck.exercises import list_exercises, load_exercise
from labcheck.exercises.loader import ExerciseFileError, parse_exercise
from labcheck.grading import grade
from labcheck.probes import (HostReach, ProbeResult, Reach, ReadResolvConf, Resolve, Sockets,
                             parse_proc_net_tcp)
from labcheck.report import Report
from labcheck.scenarios import SCENARIOS, scenario_info
from labcheck.snapshot import Container, Endpoint, Network, PortBinding, Snapshot


# -- scenarios and their exercises ---------------------------------------------------

def test_every_scenario_has_an_exercise_with_a_reveal_and_hidden_checks():
    exercises = {e.id: e for e in list_exercises() if e.lesson == "06"}
    assert set(exercises) == set(SCENARIOS)
    assert len(SCENARIOS) >= 6
    for ex in exercises.values():
        assert ex.reveal, ex.id
        assert any(c.hidden for c in ex.checks) or ex.id == "06-port-taken", ex.id


def test_symptom_uses_the_real_names():
    text = SCENARIOS["06-loopback"].symptom_for({"shopper": "shopper-x", "web": "web-x"})
    assert "shopper-x" in text and "web-x" in text and "{" not in text


def test_unknown_scenario_names_the_closest():
    with pytest.raises(UsageError, match="06-typo"):
        scenario_info("06-typoo")


# -- reveal: shown only on a pass ------------------------------------------------------

_TINY = """
id: tiny
title: T
reveal: the fault was X
checks:
  - {id: net, kind: network_exists, network: appnet}
"""


def test_reveal_is_shown_only_when_every_check_passes():
    ex = parse_exercise(_TINY, "tiny.yaml")
    assert ex.reveal == "the fault was X"
    failing = grade(ex, Snapshot())
    assert not failing.passed and failing.revealed == ""
    assert "the fault was X" not in failing.to_text() + failing.to_html()
    assert "reveal" not in failing.to_json()
    passing = grade(ex, Snapshot(networks=(Network(name="appnet", id="n1", driver="bridge"),)))
    assert passing.passed and passing.revealed == "the fault was X"
    assert "the fault was X" in passing.to_text() and "the fault was X" in passing.to_html()
    assert Report.from_json(passing.to_json()).revealed == "the fault was X"


def test_reveal_must_be_text():
    with pytest.raises(ExerciseFileError, match="reveal"):
        parse_exercise(_TINY.replace("reveal: the fault was X", "reveal: [1]"), "t.yaml")


def test_an_exercise_without_reveal_reveals_nothing():
    assert load_exercise("05-three-tier").reveal == ""


# -- /proc/net/tcp ---------------------------------------------------------------------

def test_proc_net_tcp_keeps_only_listeners():
    text = ("  sl  local_address rem_address   st\n"
            "   0: 0100007F:0050 00000000:0000 0A\n"
            "   1: 0200000A:0050 0300000A:D2F0 01\n")
    assert parse_proc_net_tcp(text) == ("127.0.0.1:80",)
    result = Sockets("web").interpret(0, text)
    assert result.succeeded and result.addresses == ("127.0.0.1:80",)
    assert result.detail == "listening: 127.0.0.1:80"


# -- diagnosis ---------------------------------------------------------------------------

def _ok(probe, **kw):
    return ProbeResult(probe, ran=True, succeeded=True, detail=kw.pop("detail", "ok"), **kw)


def _no(probe, detail):
    return ProbeResult(probe, ran=True, succeeded=False, detail=detail)


def _shop(web_state="running", ports=()):
    return Snapshot(
        networks=(Network(name="shop", id="n1", driver="bridge"),),
        containers=(
            Container(name="shopper", id="c1", state="running",
                      endpoints=(Endpoint("shop", ipv4="10.0.0.2", aliases=("shopper",)),)),
            Container(name="web", id="c2", state=web_state, ports=ports,
                      endpoints=(Endpoint("shop", ipv4="10.0.0.3",
                                          aliases=("web", "www")),)),
        ))


def test_loopback_listener_is_the_evidence_after_a_refused_connect():
    snap = _shop()
    probes = diagnosis_probes(snap, "shopper", "web", 80)
    assert Sockets("web") in probes and Reach("shopper", "10.0.0.3", 80) in probes
    snap = snap.with_probes([
        _ok(ReadResolvConf("shopper"), nameservers=("127.0.0.11",)),
        _ok(Resolve("shopper", "web"), addresses=("10.0.0.3",)),
        _no(Reach("shopper", "web", 80), "web refused the connection on port 80"),
        _no(Reach("shopper", "10.0.0.3", 80), "refused"),
        _ok(Sockets("web"), addresses=("127.0.0.1:80",)),
    ])
    d = diagnose_snapshot(snap, "shopper", "web", 80)
    assert [s.name for s in d.steps] == ["inspect", "resolv.conf", "lookup", "connect",
                                         "listening", "explain"]
    assert d.first_failure.name == "connect"
    assert d.step("listening").ok is False and "127.0.0.1:80 only" in d.step("listening").evidence
    assert "first failing step: connect" in str(d)


def test_every_step_passing_says_the_path_works():
    snap = _shop().with_probes([
        _ok(ReadResolvConf("shopper"), nameservers=("127.0.0.11",)),
        _ok(Resolve("shopper", "web"), addresses=("10.0.0.3",)),
        _ok(Reach("shopper", "web", 80)), _ok(Reach("shopper", "10.0.0.3", 80)),
        _ok(Sockets("web"), addresses=("0.0.0.0:80",)),
    ])
    d = diagnose_snapshot(snap, "shopper", "web", 80)
    assert d.first_failure is None and "the path works" in str(d)


def test_a_host_resolver_fails_the_resolv_conf_step():
    snap = _shop().with_probes([_ok(ReadResolvConf("shopper"), nameservers=("10.9.0.1",))])
    assert diagnose_snapshot(snap, "shopper", "web", 80).first_failure.name == "resolv.conf"


def test_alias_on_another_network_fails_inspect():
    snap = Snapshot(
        networks=(Network(name="back", id="n1", driver="bridge"),
                  Network(name="admin", id="n2", driver="bridge")),
        containers=(
            Container(name="api", id="c1", state="running",
                      endpoints=(Endpoint("back", ipv4="10.0.0.2", aliases=("api",)),)),
            Container(name="db", id="c2", state="running",
                      endpoints=(Endpoint("back", ipv4="10.0.0.3", aliases=("db",)),
                                 Endpoint("admin", ipv4="10.1.0.3",
                                          aliases=("db", "database")))),
        ))
    assert find_target(snap, "database")[1] == ("admin",)
    step = diagnose_snapshot(snap, "api", "database", 5432).first_failure
    assert step.name == "inspect" and "only on admin" in step.evidence


def _vault():
    """fetcher on an internal network; mirror on the default bridge, published on its gateway."""
    return Snapshot(
        networks=(Network(name="vault", id="n1", driver="bridge", internal=True),
                  Network(name="bridge", id="n2", driver="bridge")),
        containers=(
            Container(name="fetcher", id="c1", state="running",
                      endpoints=(Endpoint("vault", ipv4="10.0.0.2", gateway="10.0.0.1",
                                          aliases=("fetcher",)),)),
            Container(name="mirror", id="c2", state="running",
                      ports=(PortBinding(80, host_ip="10.1.0.1", host_port=8065),),
                      endpoints=(Endpoint("bridge", ipv4="10.1.0.2", gateway="10.1.0.1"),)),
        ))


def test_an_internal_source_is_told_it_needs_a_way_out_not_a_shared_network():
    """An address URL through the host (the published port): the fix is a network that is
    not internal; "Docker isolates networks" would send the student to the wrong repair."""
    step = diagnose_snapshot(_vault(), "fetcher", "mirror", 80).step("inspect")
    assert step.ok is False
    assert "no way out" in step.evidence and "not internal" in step.evidence
    assert "isolates networks" not in step.evidence


def test_no_line_of_a_diagnosis_is_longer_than_its_width():
    from labcheck.diagnosis import WIDTH

    text = str(diagnose_snapshot(_vault(), "fetcher", "mirror", 80))
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    assert "no way out" in " ".join(text.split())      # wrapped, nothing lost


def test_a_typo_is_answered_with_the_closest_alias():
    with pytest.raises(ObjectNotFound, match="'www'"):
        find_target(_shop(), "wwx")
    step = diagnose_snapshot(_shop(), "shopper", "wbe", 80).first_failure
    assert step.name == "inspect" and "did you mean 'web'" in step.evidence


def test_from_the_host_a_port_held_by_another_container_is_named():
    snap = Snapshot(containers=(
        Container(name="old", id="c1", state="running",
                  ports=(PortBinding(80, host_ip="127.0.0.1", host_port=8066),)),
        Container(name="blog", id="c2", state="created",
                  ports=(PortBinding(80, host_ip="127.0.0.1", host_port=8066),)),
    ))
    assert diagnosis_probes(snap, HOST, "blog", 8066) == (HostReach(port=8066),)
    snap = snap.with_probes([_ok(HostReach(port=8066))])
    step = diagnose_snapshot(snap, HOST, "blog", 8066).first_failure
    assert step.name == "inspect" and "published by old" in step.evidence


def test_from_the_host_a_container_on_no_network_is_named():
    """Engine 29 after a failed start: blog runs with network mode bridge but no endpoint."""
    snap = Snapshot(containers=(
        Container(name="blog", id="c2", state="running", network_mode="bridge"),
    )).with_probes([_no(HostReach(port=8066), "connection refused")])
    step = diagnose_snapshot(snap, HOST, "blog", 8066).first_failure
    assert step.name == "inspect" and "runs on no network" in step.evidence


def test_from_the_host_the_container_port_is_followed_inside():
    ports = (PortBinding(80, host_ip="127.0.0.1", host_port=8062),)
    snap = _shop(ports=ports).with_probes([
        _no(HostReach(port=8062), "closed at once"),
        _ok(Sockets("web"), addresses=("[::]:8080",))])
    d = diagnose_snapshot(snap, HOST, "web", 8062)
    assert d.step("inspect").ok and d.first_failure.name == "connect"
    assert "nothing listens on port 80" in d.step("listening").evidence


def test_the_check_panel_shows_the_reveal_only_after_a_pass():
    pytest.importorskip("ipywidgets")
    from labcheck.widgets import ExercisePanel

    ex = parse_exercise(_TINY, "tiny.yaml")
    state = {"snap": Snapshot()}
    panel = ExercisePanel("tiny", check=lambda _id, progress=None: grade(ex, state["snap"]),
                          hints=_NoHints())
    panel.button.click()
    assert "the fault was X" not in panel.output.outputs[0]["data"]["text/html"]
    state["snap"] = Snapshot(networks=(Network(name="appnet", id="n1", driver="bridge"),))
    panel.button.click()
    assert "the fault was X" in panel.output.outputs[0]["data"]["text/html"]


class _NoHints:
    def shown(self):
        return []

    def remaining(self):
        return 0

    def reveal(self):
        return None
