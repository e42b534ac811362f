"""labcheck.drivers against the real daemon: every answer agrees with what happens.

Each test branches on the survey's answer and checks the daemon's real
behaviour for that answer, so on a machine that has ipvlan (or IPVS) the
same test proves the other outcome.

The swarm tests change the shared daemon while they run: they are short,
leave the swarm at once, and skip when a swarm they did not make exists.
"""

from __future__ import annotations

import ipaddress
import os
import time

import pytest

from labcheck.drivers import GWBRIDGE
from labcheck.live.drivers import SwarmSession, VethLan, survey
from labcheck.errors import UsageError
from labcheck.lab import http_command
from labcheck.probes import HttpGet, Reach, Resolve
from labcheck.live.probes import run_probes


@pytest.fixture
def found(docker_client):
    return survey(docker_client)


@pytest.fixture
def lan(lab, found, docker_client):
    """A veth LAN owned by this test, removed afterwards."""
    if not found.platform.host_root:
        pytest.skip("a veth LAN needs root on the Docker host (labcheck.docker_host)")
    the_lan = VethLan.for_owner(lab.lesson, docker_client)
    yield the_lan
    the_lan.remove()


def _gateway(docker_client, network: str) -> tuple[str, int]:
    """The macvlan network's gateway and prefix. Up to 28 IPAM gives a macvlan network made
    without --gateway the subnet's first address as its gateway; 29 gives it none
    (docs/engine-versions.md): then the first address is still the LAN side's to take."""
    from labcheck.snapshot import Network
    net = Network.from_api(docker_client.api.inspect_network(network))
    prefix = int(net.subnets[0].split("/")[1])
    major = int(docker_client.version()["Version"].split(".")[0])
    assert bool(net.gateways) == (major < 29), (major, net.gateways)
    first = str(next(ipaddress.ip_network(net.subnets[0], strict=False).hosts()))
    return (net.gateways[0] if net.gateways else first), prefix


def test_survey_reads_this_daemon(found, docker_client):
    info = docker_client.info()
    assert found.platform.kernel == info["KernelVersion"]
    assert [a.feature for a in found] == ["bridge", "host", "none", "macvlan", "ipvlan",
                                         "overlay", "service-vip"]
    assert found["bridge"].runs and found["none"].runs


def test_host_mode_sees_the_host_interfaces_and_none_only_loopback(lab, name, found):
    if not found.platform.local:
        pytest.skip("comparing with the host's interfaces needs a daemon on this machine")
    hosty, sealed = lab.run(name("hosty"), network_mode="host"), lab.run(name("sealed"),
                                                                         network_mode="none")
    inside = lab.exec(hosty, "ip -o link")[1]
    for link in os.listdir("/sys/class/net"):
        assert f" {link}:" in inside or f" {link}@" in inside
    code, links = lab.exec(sealed, "ip -o link")
    assert code == 0 and [ln.split(":")[1].strip() for ln in links.splitlines()] == ["lo"]


def test_macvlan_on_a_veth_parent(lab, name, lan, found, docker_client):
    if not found["macvlan"].runs:
        pytest.skip(found["macvlan"].reason)
    lan.create()
    assert lan.exists()
    net = lab.network(name("mv"), driver="macvlan", options={"parent": lan.parent})
    gateway, prefix = _gateway(docker_client, net)
    lan.set_neighbour_address(f"{gateway}/{prefix}")
    a, b = lab.run(name("mva"), network=net), lab.run(name("mvb"), network=net)
    by_name, to_lan = run_probes(docker_client, [Reach(a, b), Reach(a, gateway)], timeout=2)
    assert by_name.succeeded, by_name.detail
    assert to_lan.succeeded, to_lan.detail
    mac = docker_client.api.inspect_container(a)["NetworkSettings"]["Networks"][net]["MacAddress"]
    assert lan.ping(docker_client.api.inspect_container(a)["NetworkSettings"]["Networks"][net]
                    ["IPAddress"])
    unused = str(ipaddress.ip_network(f"{gateway}/{prefix}", strict=False)[200])
    assert not lan.ping(unused)           # no container there: the ping can fail
    neighbours = lan.in_namespace("ip", "neigh", "show").stdout
    assert mac.lower() in neighbours.lower()
    lab.reset()
    lan.remove()
    assert not lan.exists()


def test_ipvlan_runs_exactly_when_the_survey_says(lab, name, lan, found):
    if found["ipvlan"].runs is False and "root" in found["ipvlan"].reason:
        pytest.skip(found["ipvlan"].reason)
    lan.create()
    net = lab.network(name("ipv"), driver="ipvlan", options={"parent": lan.parent})
    if found["ipvlan"].runs:
        lab.run(name("ipva"), network=net)
    else:
        with pytest.raises(UsageError, match="operation not supported"):
            lab.run(name("ipva"), network=net)


def _swarm_state(docker_client) -> str:
    return docker_client.info()["Swarm"]["LocalNodeState"]


@pytest.fixture
def no_swarm(docker_client, found, lab):
    """The daemon is in no swarm; whatever swarm the test leaves behind is taken down."""
    if not found["overlay"].runs:
        pytest.skip(found["overlay"].reason)
    if _swarm_state(docker_client) != "inactive":
        pytest.skip("the daemon is already in a swarm; these tests only use swarms they make")
    had_gwbridge = bool(docker_client.api.networks(names=[GWBRIDGE]))
    yield had_gwbridge
    leftover = SwarmSession.existing(lab)
    if leftover is not None and leftover.created:
        leftover.end()


def test_overlay_on_a_single_node_swarm_and_full_clean_up(lab, name, no_swarm, docker_client,
                                                          found):
    had_gwbridge = no_swarm
    with SwarmSession.start(lab) as swarm:
        assert swarm.created and _swarm_state(docker_client) == "active"
        net = lab.network(name("ov"), driver="overlay", attachable=True)
        a = lab.run(name("ova"), network=net, http=80)
        b = lab.run(name("ovb"), network=net)
        resolve, ping, get = run_probes(docker_client, [Resolve(b, a), Reach(b, a),
                                                        HttpGet(b, a, port=80)], timeout=2)
        assert resolve.succeeded and ping.succeeded and get.succeeded, (resolve, ping, get)
        service = docker_client.services.create(
            docker_client.images.get(lab.image).id, http_command(80),
            name=name("svc"), labels=lab.labels, networks=[net])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(
                t.get("Status", {}).get("State") == "running" for t in service.tasks()):
            time.sleep(0.3)
        tasks, vip = run_probes(docker_client, [Resolve(b, f"tasks.{name('svc')}"),
                                                HttpGet(b, name("svc"), port=80)], timeout=2)
        assert tasks.succeeded, tasks.detail
        assert vip.succeeded is found["service-vip"].runs, vip.detail
    assert _swarm_state(docker_client) == "inactive"
    assert bool(docker_client.api.networks(names=[GWBRIDGE])) == had_gwbridge
    assert not docker_client.api.networks(names=[net])


def test_a_swarm_the_lesson_did_not_make_is_never_left(lab, name, no_swarm, docker_client):
    had_gwbridge = no_swarm
    docker_client.swarm.init(advertise_addr="127.0.0.1", listen_addr="127.0.0.1:2377")
    try:
        with SwarmSession.start(lab) as swarm:
            assert not swarm.created
            net = lab.network(name("ov"), driver="overlay", attachable=True)
            lab.run(name("ova"), network=net)
        assert _swarm_state(docker_client) == "active"
        assert not docker_client.api.networks(names=[net])
    finally:
        docker_client.swarm.leave(force=True)
        if not had_gwbridge:
            for entry in docker_client.api.networks(names=[GWBRIDGE]):
                docker_client.api.remove_network(entry["Id"])


def test_a_rerun_recognises_its_own_swarm(lab, no_swarm, docker_client):
    first = SwarmSession.start(lab)
    try:
        again = SwarmSession.start(lab)
        assert again.created and again.gwbridge_preexisting == first.gwbridge_preexisting
    finally:
        first.end()
    assert _swarm_state(docker_client) == "inactive"
