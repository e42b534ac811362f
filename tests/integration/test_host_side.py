"""Lesson 07's readings of the Docker host, against the real engine: the parsers of
labcheck.hostside on what the host's own ip, iptables-save and tcpdump print there,
and the firewall facts that differ by engine version (docs/engine-versions.md).

Everything runs on the Docker host through labcheck.docker_host, as the lesson does.
"""

from __future__ import annotations

import re
import socket

import pytest

from labcheck.hostside import (
    added_rules,
    parse_ip_link,
    parse_iptables_save,
    parse_tcpdump,
)
from labcheck.live.dockerhost import DockerHost, docker_host
from labcheck.snapshot import Network, bridge_name

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def host(docker_client) -> DockerHost:
    the_host = docker_host(docker_client)
    if not the_host.access().ok:
        pytest.skip(str(the_host.access()))
    return the_host


def _version(client) -> int:
    found = re.match(r"(\d+)\.", client.version()["Version"])
    assert found
    return int(found[1])


def _ip(client, container: str, network: str) -> str:
    attrs = client.api.inspect_container(container)
    return attrs["NetworkSettings"]["Networks"][network]["IPAddress"]


def test_each_containers_peer_is_a_port_of_its_networks_bridge(host, docker_client, lab, name):
    net = lab.network(name("wire"))
    lab.run(name("a"), network=net)
    lab.run(name("b"))                                        # the default bridge
    bridge = bridge_name(Network.from_api(docker_client.api.inspect_network(net)))
    default = bridge_name(Network.from_api(docker_client.api.inspect_network("bridge")))
    links = {link.index: link for link in parse_ip_link(host.run("ip -o link").check().stdout)}
    for box, expected in ((name("a"), bridge), (name("b"), default)):
        peer = int(docker_client.containers.get(box).exec_run(
            ["cat", "/sys/class/net/eth0/iflink"]).output)
        assert links[peer].master == expected and links[peer].is_veth_end, (box, links[peer])
    assert bridge.startswith("br-") and bridge in {link.name for link in links.values()}


def test_publishing_adds_dnat_and_accept_and_per_version_rules(host, docker_client, lab, name):
    net = lab.network(name("pub"))
    bridge = bridge_name(Network.from_api(docker_client.api.inspect_network(net)))
    before = parse_iptables_save(host.run("iptables-save").check().stdout)
    with socket.socket() as sock:                             # a host port free right now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lab.run(name("web"), network=net, http=80, ports={80: ("127.0.0.1", port)})
    after = parse_iptables_save(host.run("iptables-save").check().stdout)
    ip = _ip(docker_client, name("web"), net)
    new = [r for r in added_rules(before, after) if ip in r.spec or str(port) in r.spec]
    assert any(r.table == "nat" and r.chain == "DOCKER" and f"--dport {port}" in r.spec
               and f"--to-destination {ip}:80" in r.spec for r in new), new
    assert any(r.table == "filter" and r.chain == "DOCKER" and f"-d {ip}/32" in r.spec
               and f"! -i {bridge}" in r.spec and "ACCEPT" in r.spec for r in new), new
    hairpin = any(r.table == "nat" and r.chain == "POSTROUTING" and "MASQUERADE" in r.spec
                  for r in new)
    raw_drop = any(r.table == "raw" and "DROP" in r.spec for r in new)
    major = _version(docker_client)
    assert raw_drop == (major >= 28), (major, new)
    # the hairpin MASQUERADE went in 28.0 while the userland proxy is on (the default);
    # a daemon with "userland-proxy": false keeps it (measured on 29.7.2)
    proxy_on = dict((docker_client.info().get("FirewallBackend") or {}).get("Info") or []).get(
        "EnableUserlandProxy", "true") == "true"
    if not 25 <= major < 28:                                  # measured on 20.10, 28.5, 29.7
        assert hairpin == (major < 28 or not proxy_on), (major, proxy_on, new)
    lab.reset()                                               # removing it removes its rules
    gone = parse_iptables_save(host.run("iptables-save").check().stdout)
    assert not [r for r in gone if f"{ip}:80" in r.spec or f"-d {ip}/32" in r.spec]


def test_the_embedded_dns_nat_and_a_capture_of_a_lookup_and_a_ping(host, docker_client, lab,
                                                                   name):
    net = lab.network(name("dns"))
    lab.run(name("left"), network=net)
    lab.run(name("right"), network=net)
    left = docker_client.containers.get(name("left"))
    pid = left.attrs["State"]["Pid"]
    nat = parse_iptables_save(host.run(f"nsenter -t {pid} -n iptables-save -t nat").check().stdout)
    ports = [re.search(r":(\d+)$", r.spec)[1] for r in nat
             if "-d 127.0.0.11/32" in r.spec and "-p udp" in r.spec and "DNAT" in r.spec]
    assert len(ports) == 1, nat
    if host.run("command -v tcpdump").exit_code != 0:
        pytest.skip("the Docker host has no tcpdump")
    right_ip = _ip(docker_client, name("right"), net)
    script = (f"nsenter -t {pid} -n timeout 20 tcpdump -nn -l -c 4 -i any "
              "'icmp or host 127.0.0.11' 2>&1")
    with host.start(script) as job:
        assert job.wait_for("listening on", timeout=30)
        assert right_ip in left.exec_run(["nslookup", "-type=a", name("right")]).output.decode()
        assert left.exec_run(["ping", "-c", "1", "-W", "2", right_ip]).exit_code == 0
        packets = parse_tcpdump(job.result(timeout=30).stdout)
    who = {_ip(docker_client, name("left"), net): "left", right_ip: "right",
           "127.0.0.11": "dns", "127.0.0.1": "lo"}
    assert [p.summary(who) for p in packets] == [
        ("lo", "dns", "UDP, not decoded (not port 53)"),
        ("dns:53", "lo", "DNS answer: A right"),
        ("left", "right", "ping: echo request"),
        ("right", "left", "ping: echo reply")]
    assert packets[0].destination_port == int(ports[0])       # the DNAT rule's port


def test_the_host_side_wiring_of_a_container_on_two_networks(host, docker_client, lab, name):
    """Lab.host_snapshot() collects the evidence; labcheck.host_wiring joins it: each of the
    container's two veths is a port of its network's bridge, and the diagram draws both."""
    from labcheck.render.hostside import host_diagram, host_wiring

    net = lab.network(name("wire"))
    lab.run(name("two"), network=net, networks=["bridge"])
    lab.run(name("one"), network=net)
    snap = lab.host_snapshot()
    wired = host_wiring(snap)
    bridge = bridge_name(Network.from_api(docker_client.api.inspect_network(net)))
    assert wired.available and wired.unseen == () and wired.loose == ()
    assert wired.port_of(name("two"), net).bridge == bridge
    assert wired.port_of(name("two"), "bridge").bridge == "docker0"
    assert wired.port_of(name("one"), net).bridge == bridge
    assert sorted(p.container for p in wired.bridge(bridge).ports) == sorted(
        [name("one"), name("two")])
    source = host_diagram(snap).source
    assert bridge in source and source.count('label="veth pair"') == 3
