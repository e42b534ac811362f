"""Every check kind against a state built to fool it (see docs/writing-exercises.md,
"Evidence: what each kind takes and what would fool it").

Each test builds, as a hand-made snapshot, the state a student (or a bad
day) would use to get the point without the skill, and shows that the check
fails with a message naming the real cause. The behaviour halves, which need
a real engine, are in tests/integration/test_check_evidence.py; together
they cover every kind (``test_every_kind_has_a_fooling_test``).
"""

from __future__ import annotations

import pytest

from labcheck.checks import KINDS, Check, kind
from labcheck.probes import (HostReach, Interfaces, Listening, ProbeResult, Reach,
                             ReadResolvConf, Resolve)
from labcheck.snapshot import Container, Endpoint, Network, PortBinding, Snapshot

#: Ids that start with the hex-letter names an exercise could use.
CAFE_ID = "cafe" + "0" * 60
BEEF_ID = "beef" + "1" * 60

APPNET = Network("appnet", "a" * 64, "bridge", subnets=("10.214.5.0/24",),
                 gateways=("10.214.5.1",))
BRIDGE = Network("bridge", "d" * 64, "bridge", subnets=("10.213.0.0/24",),
                 gateways=("10.213.0.1",),
                 options={"com.docker.network.bridge.default_bridge": "true"})
# A network whose id starts with 'beef', which has every property asked of 'beef'.
DECOY_NET = Network("decoy", BEEF_ID, "macvlan", subnets=("10.214.9.0/24",),
                    gateways=("10.214.9.1",), internal=True, attachable=True)
# A running container whose id starts with 'cafe', which has every property asked of 'cafe'.
DECOY = Container("decoy", CAFE_ID, state="running", network_mode="none",
                  endpoints=(Endpoint("appnet", ipv4="10.214.5.9", aliases=("www",)),),
                  ports=(PortBinding(80, host_ip="127.0.0.1", host_port=8080),))
WEB = Container("web", "e" * 64, state="running",
                endpoints=(Endpoint("appnet", ipv4="10.214.5.2", aliases=("web",)),))


def run(kind_name: str, snap: Snapshot, **params) -> object:
    the_kind = kind(kind_name)
    for p in the_kind.params:
        if p.name not in params and p.default is not None:
            params[p.name] = p.default
    return Check("c", kind_name, params).evaluate(snap)


def ran(probe, ok=True, **kw) -> ProbeResult:
    return ProbeResult(probe, ran=True, succeeded=ok, detail=kw.pop("detail", "ok"), **kw)


def decoys(*probes) -> Snapshot:
    return Snapshot(networks=(APPNET, BRIDGE, DECOY_NET), containers=(DECOY, WEB),
                    probes=tuple(probes))


# -- the named network is missing; another network's id starts with its name ------

@pytest.mark.parametrize(("kind_name", "params"), [
    ("network_exists", {}),
    ("network_driver", {"driver": "macvlan"}),
    ("network_subnet", {"subnet": "10.214.9.0/24"}),
    ("network_internal", {}),
    ("network_attachable", {}),
    ("network_mtu", {"at_most": 1400}),
])
def test_network_kinds_take_only_the_network_with_that_name(kind_name, params):
    out = run(kind_name, decoys(), network="beef", **params)
    assert out.status == "fail" and "network 'beef' does not exist" in out.message


# -- the named container is missing; another container's id starts with its name --

@pytest.mark.parametrize(("kind_name", "params", "cause"), [
    ("container_exists", {}, "container 'cafe' does not exist"),
    ("container_running", {}, "container 'cafe' does not exist"),
    ("attached", {"network": "appnet"}, "container 'cafe' does not exist"),
    ("not_attached", {"network": "bridge"}, "container 'cafe' does not exist"),
    ("has_alias", {"network": "appnet", "alias": "www"}, "container 'cafe' does not exist"),
    ("static_ip", {"network": "appnet", "ip": "10.214.5.9"}, "container 'cafe' does not exist"),
    ("network_mode", {"mode": "none"}, "container 'cafe' does not exist"),
    ("published", {"container_port": 80, "host_port": 8080, "host_ip": "127.0.0.1"},
     "container 'cafe' does not exist"),
    ("not_published", {"container_port": 5432}, "container 'cafe' does not exist"),
])
def test_container_kinds_take_only_the_container_with_that_name(kind_name, params, cause):
    out = run(kind_name, decoys(), container="cafe", **params)
    assert out.status == "fail" and cause in out.message


def test_network_mode_container_takes_only_that_name():
    side = Container("side", "5" * 64, state="running", network_mode=f"container:{CAFE_ID}")
    snap = Snapshot(containers=(DECOY, side))
    out = run("network_mode", snap, container="side", mode="container:cafe")
    assert out.status == "fail" and "not 'container:cafe'" in out.message
    # the real owner, named exactly, passes: the daemon's full id is followed
    assert run("network_mode", snap, container="side", mode="container:decoy").status == "pass"


# -- probe kinds: the probe's answer must come from the named container ----------

@pytest.mark.parametrize(("kind_name", "params", "probe"), [
    ("resolves", {"from": "cafe", "name": "web"}, Resolve("cafe", "web")),
    ("not_resolves", {"from": "cafe", "name": "ghost"}, Resolve("cafe", "ghost")),
    ("alias_records", {"from": "cafe", "alias": "web", "count": 1}, Resolve("cafe", "web")),
    ("resolver", {"container": "cafe"}, ReadResolvConf("cafe")),
    ("reaches", {"from": "cafe", "to": "web", "via": "ip"}, Reach("cafe", "10.214.5.2")),
    ("cannot_reach", {"from": "cafe", "to": "web", "via": "ip"}, Reach("cafe", "10.214.5.2")),
    ("interfaces", {"container": "cafe"}, Interfaces("cafe")),
])
def test_probe_kinds_fail_when_the_named_container_is_missing(kind_name, params, probe):
    """A recorded answer under the name (as an id-prefix match would give) counts for
    nothing when no container has that exact name."""
    answer = ran(probe, ok=kind_name not in ("not_resolves", "cannot_reach"),
                 addresses=("10.214.5.2",), nameservers=("127.0.0.11",), interfaces=("lo",))
    out = run(kind_name, decoys(answer), **params)
    assert out.status == "fail" and "no container is named 'cafe'" in out.message


def test_probe_kinds_fail_from_a_stopped_container():
    stopped = Container("idle", "7" * 64, state="exited",
                        endpoints=(Endpoint("appnet"),))
    silent = ran(Reach("idle", "10.214.5.2"), ok=False, detail="no answer")
    snap = Snapshot(networks=(APPNET,), containers=(stopped, WEB), probes=(silent,))
    out = run("cannot_reach", snap, **{"from": "idle", "to": "web", "via": "ip"})
    assert out.status == "fail" and "'idle' is not running" in out.message


def test_host_reaches_a_port_the_named_container_does_not_publish():
    """02-shop: shop publishes nothing, a plain web server answers on 127.0.0.1:8022."""
    shop = Container("shop", "5" * 64, state="running", endpoints=(Endpoint("appnet"),),
                     ports=(PortBinding(5000),))
    snap = Snapshot(networks=(APPNET,), containers=(shop,),
                    probes=(ran(HostReach(port=8022), detail="127.0.0.1:8022 answers on the host"),))
    out = run("host_reaches", snap, port=8022, container="shop")
    assert out.status == "fail"
    assert "but not through container 'shop': it publishes no ports" in out.message
    assert "another program on this machine" in out.message


def test_host_reaches_a_port_another_container_publishes():
    shop = Container("shop", "5" * 64, state="running", ports=(PortBinding(5000),))
    other = Container("other", "6" * 64, state="running",
                      ports=(PortBinding(80, host_ip="127.0.0.1", host_port=8022),))
    snap = Snapshot(containers=(shop, other), probes=(ran(HostReach(port=8022)),))
    out = run("host_reaches", snap, port=8022, container="shop")
    assert out.status == "fail" and "container 'other' publishes it" in out.message


def test_host_reaches_passes_through_the_named_binding_and_says_so():
    shop = Container("shop", "5" * 64, state="running",
                     ports=(PortBinding(5000, host_ip="127.0.0.1", host_port=8022),))
    snap = Snapshot(containers=(shop,), probes=(ran(HostReach(port=8022)),))
    out = run("host_reaches", snap, port=8022, container="shop")
    assert out.status == "pass" and "through container 'shop''s own binding" in out.message
    # a binding on another address than the one probed is not the way in
    elsewhere = Container("shop", "5" * 64, state="running",
                          ports=(PortBinding(5000, host_ip="10.0.0.5", host_port=8022),))
    snap = Snapshot(containers=(elsewhere,), probes=(ran(HostReach(port=8022)),))
    assert run("host_reaches", snap, port=8022, container="shop").status == "fail"


def test_host_reaches_host_mode_needs_the_containers_own_listener():
    web = Container("hostweb", "5" * 64, state="running", network_mode="host")
    params = {"port": 8041, "container": "hostweb"}
    probes = kind("host_reaches").probes(params, Snapshot(containers=(web,)))
    assert Listening("hostweb", 8041) in probes
    answer = ran(HostReach(port=8041))
    nobody = ran(Listening("hostweb", 8041), ok=False,
                 detail="port 8041 is listened on, but by no process of this container")
    out = run("host_reaches", Snapshot(containers=(web,), probes=(answer, nobody)), **params)
    assert out.status == "fail" and "but not from container 'hostweb'" in out.message
    held = ran(Listening("hostweb", 8041), detail="a process of 'hostweb' listens")
    out = run("host_reaches", Snapshot(containers=(web,), probes=(answer, held)), **params)
    assert out.status == "pass" and "served by container 'hostweb' itself" in out.message


def test_host_reaches_a_missing_container_named_by_an_id_prefix():
    snap = Snapshot(containers=(DECOY,), probes=(ran(HostReach(port=8080)),))
    out = run("host_reaches", snap, port=8080, container="cafe")
    assert out.status == "fail" and "container 'cafe' does not exist" in out.message


def test_resolver_line_without_an_embedded_dns_behind_it():
    """--dns 127.0.0.11 on the default bridge writes the line, not the server."""
    box = Container("old", "8" * 64, state="running", endpoints=(Endpoint("bridge"),))
    snap = Snapshot(networks=(BRIDGE,), containers=(box,),
                    probes=(ran(ReadResolvConf("old"), nameservers=("127.0.0.11",)),))
    out = run("resolver", snap, container="old")
    assert out.status == "fail" and "on no user-defined network" in out.message


def test_alias_records_from_one_container_twice():
    both = Container("s1", "9" * 64, state="running",
                     endpoints=(Endpoint("appnet", ipv4="10.214.5.3"),
                                Endpoint("bridge", ipv4="10.213.0.3")))
    snap = Snapshot(networks=(APPNET, BRIDGE), containers=(WEB, both),
                    probes=(ran(Resolve("web", "search"), addresses=("10.213.0.3", "10.214.5.3")),))
    out = run("alias_records", snap, **{"from": "web", "alias": "search", "count": 2})
    assert out.status == "fail" and "belong to 1 container(s)" in out.message


def test_reaches_by_name_answered_by_another_container():
    db = Container("db", "1" * 64, state="running", endpoints=(Endpoint("back", ipv4="10.214.6.4"),))
    impostor = Container("impostor", "2" * 64, state="running",
                         endpoints=(Endpoint("appnet", ipv4="10.214.5.7", aliases=("db",)),))
    probes = (ran(Reach("web", "db", port=5432)),
              ran(Resolve("web", "db"), addresses=("10.214.5.7",)))
    snap = Snapshot(networks=(APPNET,), containers=(WEB, db, impostor), probes=probes)
    out = run("reaches", snap, **{"from": "web", "to": "db", "port": 5432})
    assert out.status == "fail" and "10.214.5.7 ('impostor'), not to container 'db'" in out.message


def test_resolves_to_another_container():
    db = Container("db", "1" * 64, state="running", endpoints=(Endpoint("back", ipv4="10.214.6.4"),))
    snap = Snapshot(containers=(WEB, db, DECOY),
                    probes=(ran(Resolve("web", "db"), addresses=("10.214.5.9",)),))
    out = run("resolves", snap, **{"from": "web", "name": "db"})
    assert out.status == "fail" and "10.214.5.9 ('decoy'), which is not container 'db'" in out.message


def test_not_resolves_and_cannot_reach_a_stopped_target():
    """A stopped container's name never resolves and it answers nothing: that is no
    isolation."""
    db = Container("db", "1" * 64, state="exited", endpoints=(Endpoint("appnet"),))
    snap = Snapshot(networks=(APPNET,), containers=(WEB, db),
                    probes=(ran(Resolve("web", "db"), ok=False, detail="'db' does not resolve"),
                            ran(Reach("web", "db"), ok=False, detail="bad address")))
    out = run("not_resolves", snap, **{"from": "web", "name": "db"})
    assert out.status == "fail" and "container 'db' is not running" in out.message
    out = run("cannot_reach", snap, **{"from": "web", "to": "db"})
    assert out.status == "fail" and "container 'db' is not running" in out.message


def test_interfaces_of_a_bridged_container():
    snap = decoys(ran(Interfaces("web"), interfaces=("eth0", "lo")))
    out = run("interfaces", snap, container="web")
    assert out.status == "fail" and "eth0 as well" in out.message


def test_python_check_probes_only_the_named_container(tmp_path):
    """A python check reads the same probe results: one that did not run in the
    named container says so, and the function sees it."""
    (tmp_path / "evidence_checks.py").write_text(
        "from labcheck.probes import Resolve\n"
        "def resolves(snapshot, source, name):\n"
        "    r = snapshot.probe_result(Resolve(source, name))\n"
        "    return bool(r and r.succeeded), (r.detail if r else 'not probed')\n")
    probe = Resolve("cafe", "web")
    why = "no container is named 'cafe' (the daemon would take container 'decoy', ...)"
    snap = decoys(ProbeResult(probe, ran=False, succeeded=False, detail=why))
    check = Check("p", "python", {"function": "evidence_checks:resolves",
                                  "folder": str(tmp_path),
                                  "args": {"source": "cafe", "name": "web"},
                                  "probes": [{"kind": "resolve", "container": "cafe",
                                              "name": "web"}]})
    out = check.evaluate(snap)
    assert out.status == "fail" and "no container is named 'cafe'" in out.message


def test_bridge_port_docker_says_attached_but_the_host_cable_is_out():
    """The daemon lists web on appnet; on the host its veth is a port of no bridge (unplugged
    with ip link set ... nomaster), or a decoy's peer is the one on the bridge: both fail."""
    from labcheck.probes import HostLinks, LinkIndexes

    mac = "02:42:0a:d6:05:02"
    web = Container("web", "e" * 64, state="running",
                    endpoints=(Endpoint("appnet", ipv4="10.214.5.2", mac=mac),))
    bridge = "br-" + "a" * 12
    host = ran(HostLinks(), output=f"5: vethweb@if4: <UP> mtu 1500 state UP\n"
                                   f"9: vethdecoy@if8: <UP> mtu 1500 master {bridge} state UP\n")
    inside = ran(LinkIndexes("web"), output=f"eth0 4 5 {mac}\nlo 1 1 00:00:00:00:00:00\n")
    snap = Snapshot(networks=(APPNET,), containers=(web, DECOY), probes=(host, inside))
    out = run("bridge_port", snap, container="web", network="appnet")
    assert out.status == "fail" and "vethweb" in out.message and "no bridge" in out.message
    # the probe from a container named by an id prefix never ran: no pass from the decoy
    decoy_probe = ProbeResult(LinkIndexes("cafe"), ran=False, succeeded=False,
                              detail="no container is named 'cafe'")
    snap = Snapshot(networks=(APPNET,), containers=(DECOY,), probes=(host, decoy_probe))
    out = run("bridge_port", snap, container="cafe", network="appnet")
    assert out.status == "fail" and "no container is named 'cafe'" in out.message


def test_every_kind_has_a_fooling_test():
    import inspect
    import sys
    from pathlib import Path

    here = inspect.getsource(sys.modules[__name__])
    live = (Path(__file__).parents[1] / "integration" / "test_check_evidence.py").read_text()
    untested = [k for k in KINDS if f'"{k}"' not in here and f'"{k}"' not in live
                and f"kind: {k}" not in live]
    assert untested == []


# -- across hosts -----------------------------------------------------------------------

def _hosts(**per_node):
    from labcheck.snapshot import NodeState

    return Snapshot(nodes=tuple(NodeState(name, f"10.219.0.1{i}", state)
                                for i, (name, state) in enumerate(per_node.items(), 1)))


def _evaluate(kind_name, snap, node, **params):
    the_kind = kind(kind_name)
    for p in the_kind.params:
        if p.default is not None:
            params.setdefault(p.name, p.default)
    return Check("c", kind_name, params, node=node).evaluate(snap)


def test_crosses_hosts_is_not_fooled_by_a_twin_or_a_network_of_the_same_name():
    shop = Network("shop", "ov" * 32, "overlay", scope="swarm")
    other = Network("shop", "o2" * 32, "overlay", scope="swarm")   # another swarm's 'shop'

    def on(name, net, ip):
        return Container(name, name * 8, state="running",
                         endpoints=(Endpoint("shop", network_id=net.id, ipv4=ip),))

    answered = ProbeResult(Reach("front", "store"), ran=True, succeeded=True, detail="ok")
    # a twin 'store' next to front answers the probe; the real one is on node3
    twin = _hosts(node1=Snapshot(networks=(shop,), containers=(on("front", shop, "10.218.0.2"),
                                                               on("store", shop, "10.218.0.9")),
                                 probes=(answered,)),
                  node3=Snapshot(networks=(shop,), containers=(on("store", shop, "10.218.0.3"),)))
    out = _evaluate("crosses_hosts", twin, "node1", **{"from": "front", "to": "store"})
    assert out.status == "fail" and "both on node1" in out.message
    # two overlays called shop (different ids): the probe's success proves no crossing
    apart = _hosts(node1=Snapshot(networks=(shop,), containers=(on("front", shop, "10.218.0.2"),),
                                  probes=(answered,)),
                   node3=Snapshot(networks=(other,), containers=(on("store", other, "10.218.0.3"),)))
    out = _evaluate("crosses_hosts", apart, "node1", **{"from": "front", "to": "store"})
    assert out.status == "fail" and "share no network across hosts" in out.message
    # the probe ran in a 'front' of another host: not the one the check names
    elsewhere = _hosts(node1=Snapshot(), node2=Snapshot(
        networks=(shop,), containers=(on("front", shop, "10.218.0.2"),), probes=(answered,)),
        node3=Snapshot(networks=(shop,), containers=(on("store", shop, "10.218.0.3"),)))
    out = _evaluate("crosses_hosts", elsewhere, "node1", **{"from": "front", "to": "store"})
    assert out.status == "fail" and "does not exist on node1 (it is on node2)" in out.message


def test_same_network_is_not_fooled_by_one_name_and_driver_on_two_hosts():
    one = Network("shop", "ov" * 32, "overlay", scope="swarm")
    two = Network("shop", "o2" * 32, "overlay", scope="swarm")
    snap = _hosts(node1=Snapshot(networks=(one,)), node2=Snapshot(networks=(two,)))
    out = _evaluate("same_network", snap, "", network="shop", nodes=["node1", "node2"])
    assert out.status == "fail" and "not one network" in out.message


def test_service_tasks_counts_neither_look_alikes_nor_stopped_tasks():
    from labcheck.checks.nodes import SERVICE_LABEL

    named_like = Container("api.1.abc", "c1", state="running")              # no service label
    stopped = Container("api.2.def", "c2", state="exited", labels={SERVICE_LABEL: "api"})
    running = Container("api.3.ghi", "c3", state="running", labels={SERVICE_LABEL: "api"})
    snap = _hosts(node1=Snapshot(containers=(named_like,)), node2=Snapshot(containers=(stopped,)),
                  node3=Snapshot(containers=(running,)))
    out = _evaluate("service_tasks", snap, "", service="api", nodes=["node1", "node2", "node3"])
    assert out.status == "fail" and "runs no task on node1, node2" in out.message
