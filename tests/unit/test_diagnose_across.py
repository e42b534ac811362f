"""The multi-host part of diagnose (pure): the path between two nodes, from recorded readings,
and the firewall walk (:func:`labcheck.hostside.fate_of`) it rests on."""

from __future__ import annotations

from dataclasses import replace

from labcheck.diagnosis import diagnose_snapshot, node_probes
from labcheck.hostside import fate_of, parse_ip_link, parse_iptables_save, parse_policies
from labcheck.probes import HostNet, ProbeResult, Reach, ReadResolvConf, Resolve, Sockets
from labcheck.snapshot import Container, Endpoint, Network, NodeState, Snapshot

OVERLAY = Network("appnet", "ov1", "overlay", scope="swarm", subnets=("10.218.1.0/24",),
                  options={"com.docker.network.driver.overlay.vxlanid_list": "4097"})
IPS = {"node1": "10.219.0.11", "node2": "10.219.0.12"}
DROP_4789 = "[7:420] -A INPUT -i lan0 -p udp -m udp --dport 4789 -j DROP\n"


def _box(name, ip, net=OVERLAY):
    return Container(name, f"id-{name}", state="running",
                     endpoints=(Endpoint(net.name, network_id=net.id, ipv4=ip),))


def _host_output(node, *, rules="", mtu=1500, ping="exit 0", saved=None):
    ip = IPS[node]
    if saved is None:
        saved = f"*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n{rules}COMMIT\n"
    return (f"@@ link\n1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN\n"
            f"5: lan0@if6: <BROADCAST,UP,LOWER_UP> mtu {mtu} state UP\n"
            f"@@ addr\n5: lan0    inet {ip}/24 brd 10.219.0.255 scope global lan0\n"
            f"@@ iptables\n{saved}"
            f"@@ ping\n{ping}\n")


def _lab(*, a_rules="", b_rules="", mtu=1500, net_b=OVERLAY, ping=True, swarm=True,
         same_node=False, b_saved=None, a_ping="exit 0"):
    a_node, b_node = "node1", "node2"
    relay, north = _box("relay", "10.218.1.2"), _box("north", "10.218.1.4", net_b)
    a_probes = [
        ProbeResult(ReadResolvConf("relay"), True, True, nameservers=("127.0.0.11",)),
        ProbeResult(Resolve("relay", "north"), True, True, "'north' resolves to 10.218.1.4"),
        ProbeResult(Reach("relay", "north"), True, ping, "north answers to ping" if ping
                    else "no answer from north"),
        ProbeResult(HostNet(peer=IPS[b_node]), True, True,
                    output=_host_output(a_node, rules=a_rules, mtu=mtu, ping=a_ping)),
    ]
    b_probes = [ProbeResult(HostNet(peer=IPS[a_node]), True, True,
                            output=_host_output(b_node, rules=b_rules, mtu=mtu,
                                                saved=b_saved))]
    meta1 = {"swarm": {"state": "active", "manager": True, "managers": ["10.219.0.11:2377"]}}
    meta2 = {"swarm": {"state": "active", "manager": False, "managers": ["10.219.0.11:2377"]}}
    if not swarm:
        meta2 = {"swarm": {"state": "inactive", "manager": False, "managers": []}}
    one = Snapshot(networks=(OVERLAY,), containers=(relay,) + ((north,) if same_node else ()),
                   probes=tuple(a_probes), meta=meta1)
    two = Snapshot(networks=(net_b,), containers=() if same_node else (north,),
                   probes=tuple(b_probes), meta=meta2)
    return Snapshot(nodes=(NodeState(a_node, IPS[a_node], one),
                           NodeState(b_node, IPS[b_node], two)))


def _failing(d):
    return [s.name for s in d.steps if s.ok is False]


def test_a_healthy_path_passes_every_step():
    d = diagnose_snapshot(_lab(), "relay", "north")
    assert d.where == "node1 -> node2, across hosts"
    assert [s.name for s in d.steps] == ["inspect", "overlay", "lan", "control", "vxlan", "mtu",
                                         "resolv.conf", "lookup", "connect", "listening"]
    assert d.first_failure is None, str(d)
    assert "VNI 4097" in d.step("overlay").evidence
    assert "node2 at 10.219.0.12 on lan0" in d.step("lan").evidence
    assert str(d).splitlines()[0] == "diagnose: relay -> north (node1 -> node2, across hosts)"


def test_a_host_whose_ping_gets_no_answer_fails_the_lan_step():
    d = diagnose_snapshot(_lab(a_ping="exit 1"), "relay", "north")
    assert d.first_failure.name == "lan", str(d)
    assert "node1's host gets no answer from node2's 10.219.0.12" in d.step("lan").evidence


#: What ``ip -o link`` printed on stderr on a node's host while another ``engine run``
#: session had namespaces in /run/netns (empty files in this mount namespace).
FOREIGN_NETNS = "Error: Peer netns reference is invalid.\n" * 4


def test_error_output_after_the_ping_says_nothing_about_it():
    # the runner hands back stdout, then stderr: a recording made before each section kept
    # its own error output has the other commands' complaints after the ping's verdict
    d = diagnose_snapshot(_lab(a_ping="exit 0\n" + FOREIGN_NETNS), "relay", "north")
    assert d.first_failure is None, str(d)
    failed = diagnose_snapshot(_lab(a_ping="exit 1\n" + FOREIGN_NETNS), "relay", "north")
    assert failed.first_failure.name == "lan", str(failed)


def test_a_host_script_that_stopped_before_the_ping_leaves_it_unsaid():
    d = diagnose_snapshot(_lab(a_ping=""), "relay", "north")
    assert d.step("lan").ok and "they ping each other" not in d.step("lan").evidence, str(d)


def test_the_host_script_keeps_every_error_in_its_own_section():
    script = HostNet(peer="10.219.0.12").command()
    assert script.startswith("{ ") and script.endswith("; } 2>&1")
    assert HostNet.ping_exit("@@ ping\nexit 2\n") == 2


def test_a_receiver_that_drops_4789_fails_the_vxlan_step_with_its_rule():
    d = diagnose_snapshot(_lab(b_rules=DROP_4789, ping=False), "relay", "north")
    assert d.first_failure.name == "vxlan", str(d)
    assert _failing(d) == ["vxlan", "connect"]
    assert d.step("vxlan").evidence == (
        "node2 stops udp/4789 from node1 (the overlay's data); DROP by INPUT rule '-i lan0 -p "
        "udp -m udp --dport 4789 -j DROP', 7 packets so far")


def test_the_replies_dropped_on_the_sender_fail_the_vxlan_step_too():
    d = diagnose_snapshot(_lab(a_rules=DROP_4789, ping=False), "relay", "north")
    assert d.first_failure.name == "vxlan"
    assert "node1 stops udp/4789 from node2" in d.step("vxlan").evidence
    assert "(the replies)" in d.step("vxlan").evidence


def test_an_accept_before_the_drop_lets_vxlan_in():
    rules = ("-A INPUT -i lan0 -s 10.219.0.0/24 -p udp -m udp --dport 4789 -j ACCEPT\n"
             + DROP_4789)
    assert diagnose_snapshot(_lab(b_rules=rules), "relay", "north").first_failure is None


def test_a_dropped_gossip_fails_the_control_step():
    rules = "-A INPUT -i lan0 -p udp -m udp --dport 7946 -j DROP\n"
    d = diagnose_snapshot(_lab(b_rules=rules), "relay", "north")
    assert d.first_failure.name == "control"
    assert "node2 stops udp/7946 from node1" in d.step("control").evidence


def test_a_node_out_of_the_swarm_fails_the_control_step():
    d = diagnose_snapshot(_lab(swarm=False), "relay", "north")
    assert d.first_failure.name == "control"
    assert "node2's swarm state is inactive" in d.step("control").evidence


def test_a_lan_smaller_than_the_overlay_needs_fails_the_mtu_step():
    d = diagnose_snapshot(_lab(mtu=1400), "relay", "north")
    assert d.first_failure.name == "mtu"
    assert "1450 (the default) + 50 bytes of VXLAN = 1500, more than" in d.step("mtu").evidence


def test_two_networks_of_one_name_fail_the_overlay_step():
    local = Network("appnet", "br2", "bridge", subnets=("10.216.32.0/24",))
    d = diagnose_snapshot(_lab(net_b=local), "relay", "north")
    assert d.first_failure.name == "overlay"
    assert "not the same one" in d.step("overlay").evidence


def test_unread_hosts_leave_the_host_steps_open():
    lab = _lab()
    nodes = tuple(replace(n, snapshot=replace(n.snapshot, probes=tuple(
        p for p in n.snapshot.probes if not isinstance(p.probe, HostNet)))) for n in lab.nodes)
    d = diagnose_snapshot(replace(lab, nodes=nodes), "relay", "north")
    assert {s.name: s.ok for s in d.steps}["vxlan"] is None
    assert d.first_failure is None


def test_a_firewall_that_cannot_be_read_leaves_its_steps_open():
    d = diagnose_snapshot(_lab(b_saved="sh: iptables-save: not found\n"), "relay", "north")
    assert (d.step("vxlan").ok, d.step("control").ok) == (None, None)
    assert "iptables-save on node2: sh: iptables-save: not found" in d.step("vxlan").evidence
    assert d.step("lan").ok and d.first_failure is None


def test_two_containers_on_one_node_claim_no_crossing():
    d = diagnose_snapshot(_lab(same_node=True), "relay", "north")
    assert d.where == "both on node1"
    assert "nothing crosses hosts" in d.steps[0].evidence
    assert "vxlan" not in [s.name for s in d.steps]


def test_each_node_runs_its_own_probes():
    plan = dict(node_probes(_lab(), "relay", "north", port=80))
    assert Reach("relay", "north", 80) in plan["node1"]
    assert HostNet(peer="10.219.0.12") in plan["node1"]
    assert plan["node2"] == (Sockets("north"), HostNet(peer="10.219.0.11"))
    same = dict(node_probes(_lab(same_node=True), "relay", "north"))
    assert list(same) == ["node1"]
    assert not any(isinstance(p, HostNet) for p in same["node1"])


# -- the firewall walk ---------------------------------------------------------------

def _fate(text, chain="INPUT", **kw):
    kw = {"protocol": "udp", "port": 4789, "interface": "lan0", "address": "10.219.0.11", **kw}
    return fate_of(parse_iptables_save(text), parse_policies(text), chain, **kw)


def test_a_policy_of_drop_decides_when_no_rule_does():
    fate = _fate("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n")
    assert (fate.verdict, fate.rule) == ("DROP", None)
    assert fate.describe() == "DROP by the policy of INPUT"


def test_jumps_into_user_chains_and_returns_are_followed():
    text = ("*filter\n:INPUT ACCEPT [0:0]\n:FW - [0:0]\n-A INPUT -j FW\n"
            "-A FW -s 10.219.0.13/32 -j RETURN\n-A FW -p udp -m multiport --dports 53,4789 "
            "-j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n")
    assert _fate(text).verdict == "REJECT"
    assert _fate(text, address="10.219.0.13").verdict == "ACCEPT"
    assert _fate(text, port=7946).verdict == "ACCEPT"


def test_other_interfaces_negations_and_established_only_rules_do_not_match():
    text = ("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i eth9 -p udp --dport 4789 -j DROP\n"
            "-A INPUT ! -i lan0 -p udp --dport 4789 -j DROP\n"
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j DROP\n"
            "-A INPUT -i lan+ -p udp --dport 4000:5000 -m limit --limit 1/s -j DROP\nCOMMIT\n")
    fate = _fate(text)
    assert fate.verdict == "ACCEPT"
    assert [r.spec for r in fate.maybe] == ["-i lan+ -p udp --dport 4000:5000 -m limit "
                                            "--limit 1/s -j DROP"]


def test_output_rules_read_the_way_out():
    text = ("*filter\n:OUTPUT ACCEPT [0:0]\n"
            "-A OUTPUT -o lan0 -d 10.219.0.12 -p udp -j DROP\nCOMMIT\n")
    assert _fate(text, chain="OUTPUT", address="10.219.0.12").verdict == "DROP"
    assert _fate(text, chain="OUTPUT", address="10.219.0.13").verdict == "ACCEPT"


def test_links_say_their_mtu_and_whether_they_are_up():
    up, down = parse_ip_link("5: lan0@if6: <BROADCAST,UP,LOWER_UP> mtu 1450 state UP\n"
                             "6: eth1: <BROADCAST> mtu 1500 state DOWN\n")
    assert (up.mtu, up.up, down.mtu, down.up) == (1450, True, 1500, False)
