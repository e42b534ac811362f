"""The Docker host's tools' output, read (labcheck.hostside), and the bridge_port check on
hand-made evidence: it passes only when the host's side shows the veth on the right bridge."""

from __future__ import annotations

import pytest

from labcheck.checks import kind
from labcheck.hostside import (
    added_rules,
    parse_ip_link,
    parse_iptables_save,
    parse_tcpdump,
    wiring,
)
from labcheck.probes import HostLinks, LinkIndexes, ProbeResult
from labcheck.render.hostside import host_diagram, host_side_probes, host_wiring
from labcheck.snapshot import (
    BRIDGE_NAME_OPTION,
    Container,
    Endpoint,
    Network,
    Snapshot,
    bridge_name,
)

# Recorded on Engine 20.10 (ip -o link on the host, abridged) and inside container 'left'.
HOST = "\n".join([
    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT",
    "2: docker0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN",
    "3: br-8b8f557841b0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP",
    "5: vethab808a6@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue "
    "master br-8b8f557841b0 state UP",
    "7: veth48276c5@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue "
    "master docker0 state UP",
    "9: vethfree@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP",
]) + "\n"
MAC = "02:42:0a:d6:00:02"


def _snap(host: ProbeResult, iflink: int = 5, options=None) -> Snapshot:
    return Snapshot(
        networks=(Network("wire", "8b8f557841b0" + "f" * 52, "bridge", options=options or {}),),
        containers=(Container("left", "c1", state="running",
                              endpoints=(Endpoint("wire", mac=MAC),)),),
        probes=(ProbeResult(LinkIndexes("left"), True, True,
                            output=f"eth0 4 {iflink} {MAC}\nlo 1 1 00:00:00:00:00:00\n"),
                host))


def _evaluate(snap: Snapshot, **params):
    return kind("bridge_port").evaluate(snap, {"container": "left", "network": "wire", **params})


HOST_OK = ProbeResult(HostLinks(), True, True, output=HOST)


def test_parse_ip_link_reads_index_name_peer_and_master():
    links = parse_ip_link(HOST)
    assert [(link.index, link.name, link.master) for link in links][3:] == [
        (5, "vethab808a6", "br-8b8f557841b0"), (7, "veth48276c5", "docker0"),
        (9, "vethfree", "")]
    assert links[3].is_veth_end and not links[2].is_veth_end


def test_bridge_name_from_option_id_or_default():
    assert bridge_name(Network("wire", "0123456789abcdef", "bridge")) == "br-0123456789ab"
    assert bridge_name(Network("w", "0123456789abcdef", "bridge",
                               options={BRIDGE_NAME_OPTION: "wire0"})) == "wire0"
    assert bridge_name(Network("bridge", "x", "bridge")) == "docker0"
    assert bridge_name(Network("over", "x", "overlay")) == ""


def test_bridge_port_passes_on_the_right_bridge():
    outcome = _evaluate(_snap(HOST_OK))
    assert outcome.status == "pass" and "vethab808a6" in outcome.message


@pytest.mark.parametrize(("iflink", "params", "options", "fragment"), [
    (7, {}, None, "which is a port of 'docker0', not of 'br-8b8f557841b0'"),
    (9, {}, None, "a port of no bridge"),
    (42, {}, None, "no peer among the Docker host's interfaces"),
    (5, {"bridge": "wire0"}, None, "is 'br-8b8f557841b0', not 'wire0'"),
    (5, {"bridge": "wire0"}, {BRIDGE_NAME_OPTION: "wire0"}, "not of 'wire0'"),
])
def test_bridge_port_fails_where_the_host_shows_otherwise(iflink, params, options, fragment):
    outcome = _evaluate(_snap(HOST_OK, iflink, options), **params)
    assert outcome.status == "fail" and fragment in outcome.message, outcome.message


def test_no_root_on_the_host_is_an_error_never_a_pass():
    why = "no root on the Docker host: commands on the Docker host run as uid 1000"
    outcome = _evaluate(_snap(ProbeResult(HostLinks(), False, False, detail=why)))
    assert outcome.status == "error" and "uid 1000" in outcome.message


def test_without_the_probes_it_is_an_error():
    snap = Snapshot(networks=_snap(HOST_OK).networks, containers=_snap(HOST_OK).containers)
    assert _evaluate(snap).status == "error"


def test_added_rules_are_the_new_ones_with_their_tables():
    before = parse_iptables_save("*nat\n-A DOCKER -i docker0 -j RETURN\nCOMMIT\n")
    after = parse_iptables_save(
        "*filter\n-A DOCKER -d 10.0.0.3/32 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n"
        "*nat\n-A DOCKER -i docker0 -j RETURN\n"
        "-A DOCKER -d 127.0.0.1/32 -p tcp --dport 8070 -j DNAT --to-destination 10.0.0.3:80\n")
    assert [(r.table, r.chain) for r in added_rules(before, after)] == [
        ("filter", "DOCKER"), ("nat", "DOCKER")]


def test_tcpdump_lines_become_who_asked_whom_what():
    text = """tcpdump: listening on any
09:25:49.307232 lo    In  IP 127.0.0.1.42379 > 127.0.0.11.44078: UDP, length 23
09:25:49.307969 lo    In  IP 127.0.0.11.53 > 127.0.0.1.42379: 44742 1/0/0 A 10.214.0.3 (44)
09:25:49.366967 eth0  Out IP 10.214.0.2 > 10.214.0.3: ICMP echo request, id 38, seq 0, length 64
09:25:49.367009 IP 10.214.0.3 > 10.214.0.2: ICMP echo reply, id 38, seq 0, length 64
09:25:50.000000 lo    In  IP 127.0.0.1.5000 > 127.0.0.11.53: 1234+ A? right. (23)
4 packets captured
"""
    names = {"10.214.0.2": "left", "10.214.0.3": "right", "127.0.0.11": "DNS",
             "127.0.0.1": "left (lo)"}
    packets = parse_tcpdump(text)
    assert [p.interface for p in packets] == ["lo", "lo", "eth0", "", "lo"]
    assert packets[0].destination_port == 44078
    assert [p.summary(names) for p in packets] == [
        ("left (lo)", "DNS", "UDP, not decoded (not port 53)"),
        ("DNS:53", "left (lo)", "DNS answer: A right"),
        ("left", "right", "ping: echo request"),
        ("right", "left", "ping: echo reply"),
        ("left (lo)", "DNS:53", "DNS question: A of right?"),
    ]


# -- the host's wiring (labcheck.hostside.wiring) and its diagram (labcheck.render.hostside) --

HAND = ("11: lc07-br: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n"
        "12: lc07-red@if2: <BROADCAST,UP> mtu 1500 master lc07-br state UP link-netns red-1\n")


def _two_networks() -> Snapshot:
    """left on wire; right on wire and the default bridge (two veths); loner's veth unplugged."""
    wire = Network("wire", "8b8f557841b0" + "f" * 52, "bridge")
    default = Network("bridge", "d" * 64, "bridge", options={BRIDGE_NAME_OPTION: "docker0"})
    boxes = (
        Container("left", "c1", state="running", endpoints=(Endpoint("wire", mac=MAC),)),
        Container("right", "c2", state="running",
                  endpoints=(Endpoint("wire", mac="02:42:0a:00:00:03"),
                             Endpoint("bridge", mac="02:42:0a:00:00:04"))),
        Container("loner", "c3", state="running",
                  endpoints=(Endpoint("bridge", mac="02:42:0a:00:00:05"),)),
        Container("off", "c4", state="exited", endpoints=(Endpoint("wire"),)),
    )
    inside = {"left": f"eth0 4 5 {MAC}\n",
              "right": "eth0 6 7 02:42:0a:00:00:04\neth1 10 11 02:42:0a:00:00:03\n",
              "loner": "eth0 8 9 02:42:0a:00:00:05\n"}
    host = HOST + ("11: veth77@if10: <UP> mtu 1500 master br-8b8f557841b0 state UP\n") + HAND
    probes = [ProbeResult(HostLinks(), True, True, output=host)]
    probes += [ProbeResult(LinkIndexes(name), True, True, output=text)
               for name, text in inside.items()]
    return Snapshot(networks=(wire, default), containers=boxes, probes=tuple(probes))


def test_host_side_probes_ask_the_host_and_each_plugged_container():
    assert host_side_probes(_two_networks()) == (
        HostLinks(), LinkIndexes("left"), LinkIndexes("loner"), LinkIndexes("right"))


def test_wiring_matches_each_veth_to_its_container_network_and_bridge():
    w = host_wiring(_two_networks(), bridges=["lc07-br"])
    assert [b.name for b in w.bridges] == ["br-8b8f557841b0", "docker0", "lc07-br"]
    assert [(p.name, p.peer, p.network) for p in w.bridge("br-8b8f557841b0").ports] == [
        ("vethab808a6", "left's eth0", "wire"), ("veth77", "right's eth1", "wire")]
    assert w.port_of("right", "bridge").name == "veth48276c5"
    assert w.port_of("right", "bridge").bridge == "docker0"
    assert [(p.name, p.peer) for p in w.loose] == [("vethfree", "loner's eth0")]
    hand = w.bridge("lc07-br")
    assert [(p.name, p.peer) for p in hand.ports] == [("lc07-red", "namespace red-1")]
    assert w.bridge("lc07-br").network == "" and w.available and w.unseen == ()


def test_wiring_says_what_it_could_not_read():
    snap = _two_networks()
    no_host = Snapshot(networks=snap.networks, containers=snap.containers,
                       probes=(ProbeResult(HostLinks(), False, False,
                                           detail="no root on the Docker host: rootless"),))
    w = host_wiring(no_host)
    assert not w.available and "rootless" in w.unseen[0]
    assert "rootless" in host_diagram(no_host).source
    partly = Snapshot(networks=snap.networks, containers=snap.containers,
                      probes=snap.probes[:2])                 # the host and left only
    assert [u.split(":")[0] for u in host_wiring(partly).unseen] == [
        "container loner", "container right"]


def test_host_diagram_draws_bridges_ports_and_veth_pairs_stably():
    source = host_diagram(_two_networks(), bridges=["lc07-br"]).source
    assert source == host_diagram(_two_networks(), bridges=["lc07-br"]).source
    for text in ("br-8b8f557841b0", "of network wire", "docker0", "lc07-br", "not Docker&#x27;s",
                 "vethab808a6", "veth48276c5", "container <B>right</B>", "namespace <B>red-1</B>",
                 "eth1", "veth pair", "port of"):
        assert text in source, text
    assert source.count("label=\"veth pair\"") == 5   # left, right (2), loner, the hand-made one
    assert "off" not in source                     # a stopped container has no veth


def test_host_diagram_of_a_wiring_with_a_bridge_not_on_the_host():
    missing = wiring(parse_ip_link(HOST), {}, {"wire0": "wirenet"})
    source = host_diagram(missing).source
    assert "wire0" in source and "(not on the host)" in source and "(no ports)" in source
