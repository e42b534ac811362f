"""The check vocabulary on hand-made snapshots: every kind passes and fails,
negative checks never pass when their probe did not run, misconceptions get
their own messages, and addresses come from the snapshot."""

from __future__ import annotations

import pytest

from labcheck.checks import KINDS, Binding, Check, kind
from labcheck.probes import (HostReach, HttpGet, Interfaces, ProbeResult, Reach,
                             ReadResolvConf, Resolve)
from labcheck.snapshot import Container, Endpoint, Network, PortBinding, Snapshot

FRONT = Network("front", "f" * 12, "bridge", subnets=("10.214.1.0/24",),
                gateways=("10.214.1.1",), attachable=True)
BACK = Network("back", "b" * 12, "bridge", subnets=("10.214.2.0/24",), internal=True)
DEFAULT = Network("bridge", "d" * 12, "bridge", subnets=("10.213.0.0/24",),
                  options={"com.docker.network.bridge.default_bridge": "true"})


def box(name, *endpoints, state="running", ports=(), mode="default", ident=None):
    return Container(name, ident or (name * 12)[:12], state=state, status=state,
                     endpoints=tuple(endpoints), ports=tuple(ports), network_mode=mode)


WEB = box("web", Endpoint("front", ipv4="10.214.1.2", aliases=("web", "www")),
          ports=(PortBinding(5000, host_ip="127.0.0.1", host_port=8000),))
API = box("api", Endpoint("back", ipv4="10.214.2.3"), Endpoint("front", ipv4="10.214.1.3"))
DB = box("db", Endpoint("back", ipv4="10.214.2.4", aliases=("db",)),
         ports=(PortBinding(5432),))
OLD = box("old", Endpoint("bridge", ipv4="10.213.0.5"), state="exited")
LEGACY = box("legacy", Endpoint("bridge", ipv4="10.213.0.6"))


def snap(*probes, containers=(WEB, API, DB, OLD, LEGACY)):
    return Snapshot(networks=(DEFAULT, FRONT, BACK), containers=tuple(containers),
                    probes=tuple(probes))


def ok(probe, **kw):
    return ProbeResult(probe, ran=True, succeeded=True, detail="ok", **kw)


def no(probe, detail="no", ran=True):
    return ProbeResult(probe, ran=ran, succeeded=False, detail=detail)


def run(kind_name, snapshot, **params):
    """Evaluate like an exercise would: defaults filled in by the loader's rules."""
    the_kind = kind(kind_name)
    for p in the_kind.params:
        if p.name not in params and p.default is not None:
            params[p.name] = p.default
    return Check("c", kind_name, params).evaluate(snapshot)


# -- networks -------------------------------------------------------------------

def test_network_checks_pass_and_fail():
    s = snap()
    assert run("network_exists", s, network="front").status == "pass"
    assert "docker network create nope" in run("network_exists", s, network="nope").full_message
    assert run("network_driver", s, network="front", driver="bridge").status == "pass"
    out = run("network_driver", s, network="front", driver="overlay")
    assert out.status == "fail" and "--driver overlay" in out.full_message
    assert run("network_subnet", s, network="front", subnet="10.214.1.0/24",
               gateway="10.214.1.1").status == "pass"
    out = run("network_subnet", s, network="front", subnet="172.30.0.0/24")
    assert out.status == "fail" and "--subnet 172.30.0.0/24" in out.full_message
    assert run("network_internal", s, network="back").status == "pass"
    assert run("network_internal", s, network="front").status == "fail"
    assert run("network_internal", s, network="front", value=False).status == "pass"
    assert run("network_attachable", s, network="front").status == "pass"
    assert "--attachable" in run("network_attachable", s, network="back").full_message
    out = run("network_mtu", s, network="front", at_most=1400)
    assert out.status == "fail" and "sets no MTU" in out.message
    assert "driver.mtu=1400" in out.full_message


def test_network_mtu_takes_the_option_at_most_the_path():
    def net(mtu):
        return Snapshot(networks=(Network("shopnet", "n1", "bridge",
                                          options={"com.docker.network.driver.mtu": mtu}),))
    assert run("network_mtu", net("1400"), network="shopnet", at_most=1400).status == "pass"
    assert run("network_mtu", net("1380"), network="shopnet", at_most=1400).status == "pass"
    out = run("network_mtu", net("9000"), network="shopnet", at_most=1400)
    assert out.status == "fail" and "MTU of 9000, more than the path's 1400" in out.message
    assert run("network_mtu", net("0"), network="shopnet", at_most=1400).status == "fail"


# -- containers -----------------------------------------------------------------

def test_container_exists_and_running():
    s = snap()
    assert run("container_exists", s, container="old").status == "pass"
    assert run("container_exists", s, container="ghost").status == "fail"
    assert run("container_running", s, container="web").status == "pass"
    out = run("container_running", s, container="old")
    assert out.status == "fail" and "docker start old" in out.full_message


def test_attached_names_the_fix():
    s = snap()
    assert run("attached", s, container="api", networks=["front", "back"]).status == "pass"
    out = run("attached", s, container="web", network="back")
    assert out.status == "fail"
    assert out.full_message.startswith("container 'web' is not attached to network 'back'")
    assert "Try: docker network connect back web" in out.full_message
    out = run("attached", s, container="api", network="back", only=True)
    assert out.status == "fail" and "docker network disconnect front api" in out.full_message


def test_not_attached_and_the_both_networks_misconception():
    s = snap()
    assert run("not_attached", s, container="db", network="front").status == "pass"
    out = run("not_attached", s, container="api", network="front")
    assert out.status == "fail"
    assert "as well as 'back'" in out.full_message and "not isolated" in out.full_message
    # a missing container proves nothing: never a pass
    assert run("not_attached", s, container="ghost", network="front").status == "fail"


def test_has_alias_reads_aliases_and_errors_without_detail():
    s = snap()
    assert run("has_alias", s, container="web", network="front", alias="www").status == "pass"
    out = run("has_alias", s, container="web", network="front", alias="api")
    assert out.status == "fail" and "--alias api" in out.full_message
    assert run("has_alias", s, container="api", network="front", alias="x").status == "error"


def test_static_ip_and_network_mode():
    s = snap(containers=(WEB, box("h", mode="host"), box("side", mode="container:" + WEB.id)))
    assert run("static_ip", s, container="web", network="front", ip="10.214.1.2").status == "pass"
    out = run("static_ip", s, container="web", network="front", ip="10.214.1.50")
    assert out.status == "fail" and "--ip 10.214.1.50" in out.full_message
    assert run("network_mode", s, container="h", mode="host").status == "pass"
    assert run("network_mode", s, container="h", mode="none").status == "fail"
    assert run("network_mode", s, container="side", mode="container:web").status == "pass"
    out = run("network_mode", s, container="side", mode="container:h")
    assert out.status == "fail" and "container:web" in out.full_message


# -- ports ----------------------------------------------------------------------

def test_published_as_asked_and_the_all_interfaces_misconception():
    s = snap()
    params = dict(container="web", container_port=5000, host_port=8000, host_ip="127.0.0.1")
    assert run("published", s, **params).status == "pass"
    wide = box("web", ports=(PortBinding(5000, host_ip="0.0.0.0", host_port=8000),
                             PortBinding(5000, host_ip="::", host_port=8000)))
    out = run("published", snap(containers=(wide,)), **params)
    assert out.status == "fail" and "0.0.0.0:8000" in out.full_message
    assert "-p 127.0.0.1:8000:5000" in out.full_message
    assert run("published", snap(containers=(wide,)), container="web", container_port=5000,
               host_port=8000).status == "pass"
    out = run("published", s, container="web", container_port=5000, host_port=9000)
    assert out.status == "fail" and "not 9000" in out.full_message
    assert run("published", s, container="db", container_port=5432, host_port=5432).status == "fail"


def test_not_published():
    s = snap()
    assert run("not_published", s, container="db").status == "pass"  # exposed, not published
    assert run("not_published", s, container="web", container_port=9999).status == "pass"
    out = run("not_published", s, container="web")
    assert out.status == "fail" and "127.0.0.1:8000->5000/tcp" in out.full_message
    assert run("not_published", s, container="ghost").status == "fail"


def test_host_reaches_uses_its_probe():
    probe = HostReach(port=8000)
    assert run("host_reaches", snap(ok(probe)), port=8000).status == "pass"
    out = run("host_reaches", snap(no(probe, "127.0.0.1:8000 does not answer")), port=8000,
              container="old")
    assert out.status == "fail" and "docker start old" in out.full_message
    assert run("host_reaches", snap(), port=8000).status == "error"  # probe never run


def _recorded_29_blog(shape):
    """The container recorded on Engine 29.7.2 after a start failed on a taken port."""
    import json
    from pathlib import Path
    path = Path(__file__).parent.parent / "fixtures" / "engine29-start-failed-on-no-network.json"
    return Container.from_api(json.loads(path.read_text())[shape])


@pytest.mark.parametrize("shape", ["inspect", "list"])
def test_host_reaches_names_a_container_on_no_network(shape):
    """Engine 29: a start that failed on a taken host port took 'blog' off the default
    bridge; started again, it runs on no network. The check says so, not "does not
    publish" (the container asked for the port and the engine dropped it)."""
    blog = _recorded_29_blog(shape)
    assert blog.is_running and blog.is_on_no_network and blog.network_mode == "bridge"
    assert blog.published() == ()
    probe = HostReach(port=8066)
    failed = no(probe, "127.0.0.1:8066 does not answer on the host: connection refused")
    out = run("host_reaches", snap(failed, containers=(WEB, blog)), port=8066, container="blog")
    assert out.status == "fail"
    assert "runs on no network" in out.message and "Engine 29" in out.message
    assert "docker network connect bridge blog" in out.full_message
    assert "does not publish" not in out.message


def test_a_container_on_its_network_or_host_or_none_is_not_on_no_network():
    assert not WEB.is_on_no_network and not LEGACY.is_on_no_network
    assert not box("h", mode="host").is_on_no_network
    assert not box("n", mode="none").is_on_no_network
    assert not box("s", mode="container:web").is_on_no_network
    assert not box("c", state="created").is_on_no_network    # not started: nothing to say
    assert box("u", mode="front").is_on_no_network


# -- names ----------------------------------------------------------------------

def test_resolves_compares_with_the_snapshot_addresses():
    probe = Resolve("api", "db")
    assert run("resolves", snap(ok(probe, addresses=("10.214.2.4",))), **{"from": "api",
               "name": "db"}).status == "pass"
    out = run("resolves", snap(ok(probe, addresses=("10.214.1.2",))), **{"from": "api",
              "name": "db"})
    assert out.status == "fail" and "'web'" in out.full_message
    out = run("resolves", snap(no(Resolve("web", "db"), "'db' does not resolve")),
              **{"from": "web", "name": "db"})
    assert out.status == "fail" and "share no network" in out.full_message


def test_resolves_default_bridge_misconception():
    out = run("resolves", snap(no(Resolve("legacy", "web"), "'web' does not resolve")),
              **{"from": "legacy", "name": "web"})
    assert "the default bridge has no embedded DNS" in out.full_message
    out = run("resolves", snap(ok(Resolve("old", "web"), addresses=("10.214.1.2",))),
              **{"from": "old", "name": "web"})
    assert out.status == "fail" and "'old' is not running" in out.full_message


def test_resolves_through_an_alias_to_a_named_container():
    probe = Resolve("api", "database")
    s = snap(ok(probe, addresses=("10.214.2.4",)))
    assert run("resolves", s, **{"from": "api", "name": "database", "to": "db"}).status == "pass"


def test_not_resolves_both_outcomes_and_never_passes_unrun():
    probe = Resolve("web", "db")
    assert run("not_resolves", snap(no(probe)), **{"from": "web", "name": "db"}).status == "pass"
    out = run("not_resolves", snap(ok(probe, addresses=("10.214.2.4",))),
              **{"from": "web", "name": "db"})
    assert out.status == "fail" and "should not" in out.full_message
    unrun = no(probe, "container 'web' is not running", ran=False)
    assert run("not_resolves", snap(unrun), **{"from": "web", "name": "db"}).status == "fail"
    assert run("not_resolves", snap(), **{"from": "web", "name": "db"}).status == "error"


def test_alias_records_counts_answers():
    probe = Resolve("web", "search")
    two = ok(probe, addresses=("10.214.1.2", "10.214.1.3"))
    assert run("alias_records", snap(two), **{"from": "web", "alias": "search",
               "count": 2}).status == "pass"
    out = run("alias_records", snap(two), **{"from": "web", "alias": "search", "count": 3})
    assert out.status == "fail" and "not 3" in out.full_message


def test_resolver_embedded_or_host():
    probe = ReadResolvConf("web")
    embedded = ok(probe, nameservers=("127.0.0.11",))
    copied = ok(probe, nameservers=("10.213.0.1",))
    assert run("resolver", snap(embedded), container="web").status == "pass"
    out = run("resolver", snap(copied), container="web")
    assert out.status == "fail" and "default bridge" in out.full_message
    assert run("resolver", snap(copied), container="web", expect="host").status == "pass"
    assert run("resolver", snap(embedded), container="web", expect="host").status == "fail"


# -- reachability ---------------------------------------------------------------

def test_reaches_by_name_port_and_http():
    tcp = Reach("api", "db", port=5432)
    named = ok(Resolve("api", "db"), addresses=("10.214.2.4",))
    assert run("reaches", snap(ok(tcp), named),
               **{"from": "api", "to": "db", "port": 5432}).status == "pass"
    # the name led to another container: the answer is not db's
    stranger = ok(Resolve("api", "db"), addresses=("10.214.1.2",))
    out = run("reaches", snap(ok(tcp), stranger), **{"from": "api", "to": "db", "port": 5432})
    assert out.status == "fail" and "10.214.1.2 ('web'), not to container 'db'" in out.full_message
    out = run("reaches", snap(no(tcp, "db refused the connection on port 5432")),
              **{"from": "api", "to": "db", "port": 5432})
    assert out.status == "fail" and "listening on port 5432" in out.full_message
    http = HttpGet("api", "web", port=5000)
    good = ProbeResult(http, ran=True, succeeded=True, http_status=200, detail="HTTP 200")
    params = {"from": "api", "to": "web", "port": 5000, "protocol": "http"}
    to_web = ok(Resolve("api", "web"), addresses=("10.214.1.2",))
    assert run("reaches", snap(good, to_web), **params).status == "pass"
    assert run("reaches", snap(good, to_web), **params, status=404).status == "fail"


def test_reaches_by_ip_reads_the_address_from_the_snapshot():
    params = {"from": "web", "to": "db", "via": "ip"}
    s = snap()
    (probe,) = kind("reaches").probes(params, s)
    assert probe == Reach("web", "10.214.2.4")  # db's real address, not written anywhere
    assert kind("reaches").probes(params, None) == ()  # needs the state first
    assert run("reaches", snap(ok(probe)), **params).status == "pass"


def test_cannot_reach_isolation_and_the_shared_network_note():
    params = {"from": "api", "to": "web", "via": "ip"}
    (probe,) = kind("cannot_reach").probes(params, snap())
    assert run("cannot_reach", snap(no(probe, "no answer")), **params).status == "pass"
    out = run("cannot_reach", snap(ok(probe)), **params)
    assert out.status == "fail" and "share network 'front'" in out.full_message
    assert "a container on both networks" in out.full_message
    stopped = no(probe, "container 'api' is not running", ran=False)
    assert run("cannot_reach", snap(stopped), **params).status == "fail"
    assert run("cannot_reach", snap(), **params).status == "error"


def test_reaches_and_cannot_reach_the_gateway_of_a_network():
    params = {"from": "api", "to": "front", "via": "gateway"}
    (probe,) = kind("cannot_reach").probes(params, snap())
    assert probe == Reach("api", "10.214.1.1")
    assert run("cannot_reach", snap(no(probe, "network is unreachable")), **params).status == "pass"
    out = run("cannot_reach", snap(ok(probe)), **params)
    assert out.status == "fail" and "the gateway of network 'front'" in out.full_message
    assert run("reaches", snap(ok(probe)), **params).status == "pass"
    out = run("reaches", snap(), **{**params, "to": "nowhere"})
    assert out.status == "fail" and "'nowhere' does not exist" in out.full_message


def test_cannot_reach_a_stopped_target_shows_nothing():
    params = {"from": "web", "to": "old"}
    probes = kind("cannot_reach").probes(params, snap())
    out = run("cannot_reach", snap(*(no(p, "bad address") for p in probes)), **params)
    assert out.status == "fail" and "'old' is not running" in out.full_message


def test_interfaces_only_loopback():
    probe = Interfaces("web")
    lo = ProbeResult(probe, ran=True, succeeded=True, detail="", interfaces=("lo",))
    both = ProbeResult(probe, ran=True, succeeded=True, detail="", interfaces=("eth0", "lo"))
    assert run("interfaces", snap(lo), container="web").status == "pass"
    out = run("interfaces", snap(both), container="web")
    assert out.status == "fail" and "eth0 as well" in out.full_message
    assert run("interfaces", snap(lo), container="old").status == "fail"
    assert run("interfaces", snap(), container="web").status == "error"


def test_bridge_port_reads_the_host_side():
    from labcheck.probes import HostLinks, LinkIndexes

    mac = "02:42:0a:00:00:02"
    net = Network("wire", "8b8f557841b0" + "0" * 52, "bridge")
    left = Container("left", "c1", state="running", endpoints=(Endpoint("wire", mac=mac),))
    inside = ok(LinkIndexes("left"), output=f"eth0 4 5 {mac}\n")
    on_bridge = ok(HostLinks(), output="5: veth1@if4: <UP> mtu 1500 master br-8b8f557841b0\n")
    on_docker0 = ok(HostLinks(), output="5: veth1@if4: <UP> mtu 1500 master docker0\n")
    good = Snapshot(networks=(net,), containers=(left,), probes=(inside, on_bridge))
    assert run("bridge_port", good, container="left", network="wire").status == "pass"
    named = run("bridge_port", good, container="left", network="wire", bridge="wire0")
    assert named.status == "fail" and "com.docker.network.bridge.name=wire0" in named.full_message
    wrong = Snapshot(networks=(net,), containers=(left,), probes=(inside, on_docker0))
    out = run("bridge_port", wrong, container="left", network="wire")
    assert out.status == "fail" and "'docker0'" in out.full_message


def test_every_kind_is_tested_here():
    import inspect
    import sys
    source = inspect.getsource(sys.modules[__name__])
    untested = [k for k in KINDS if f'"{k}"' not in source]
    assert untested == []


# -- binding and python checks ----------------------------------------------------

def test_binding_maps_declared_objects_only():
    check = Check("c", "resolves", {"from": "web", "name": "db", "to": None})
    bound = check.bind(Binding(names={"web": "web-1", "db": "db-1"}))
    assert bound.params["from"] == "web-1" and bound.params["name"] == "db-1"
    mode = Check("m", "network_mode", {"container": "side", "mode": "container:web"})
    assert mode.bind(Binding(names={"web": "web-1"})).params["mode"] == "container:web-1"
    port = Check("p", "host_reaches", {"port": 8000, "host": "127.0.0.1"})
    assert port.bind(Binding(ports={8000: 18000})).probes() == (HostReach(port=18000),)


def test_python_check(tmp_path):
    (tmp_path / "mychecks.py").write_text(
        "def count_on(snapshot, network, count):\n"
        "    n = len(snapshot.containers_on(network))\n"
        "    return n == count, f'{n} containers on {network}'\n"
        "def broken(snapshot):\n"
        "    raise RuntimeError('boom')\n")
    good = Check("p", "python", {"function": "mychecks:count_on", "folder": str(tmp_path),
                                 "args": {"network": "front", "count": 2}})
    assert good.evaluate(snap()).status == "pass"
    bad = Check("p", "python", {"function": "mychecks:count_on", "folder": str(tmp_path),
                                "args": {"network": "front", "count": 3}})
    out = bad.evaluate(snap())
    assert out.status == "fail" and out.full_message == "2 containers on front"
    crash = Check("p", "python", {"function": "mychecks:broken", "folder": str(tmp_path)})
    out = crash.evaluate(snap())
    assert out.status == "error" and "boom" in out.full_message


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_documents_itself(name):
    the_kind = kind(name)
    assert the_kind.summary and all(p.name for p in the_kind.params)


# -- across the hosts of a multi-node lab -------------------------------------------

def _lab(front_on="node1", store_on="node3", ping_ok=True):
    from labcheck.snapshot import NodeState

    shop = Network("shop", "ov" * 6, "overlay", scope="swarm", subnets=("10.218.0.0/24",))
    local = Network("shop", "br" * 6, "bridge", subnets=("10.216.32.0/24",))
    front = box("front", Endpoint("shop", network_id=shop.id, ipv4="10.218.0.2"))
    store = box("store", Endpoint("shop", network_id=shop.id, ipv4="10.218.0.3"))
    island = box("island", Endpoint("shop", network_id=local.id, ipv4="10.216.32.2"))
    reach = Reach("front", "store", port=80)
    result = ok(reach) if ping_ok else no(reach, "no answer")
    hosts = {"node1": [], "node2": [island], "node3": []}
    hosts[front_on].append(front)
    hosts[store_on].append(store)
    nodes = []
    for i, (name, boxes) in enumerate(hosts.items(), 1):
        nets = (local,) if name == "node2" else (shop,) if boxes else ()
        probes = (result,) if name == front_on else ()
        nodes.append(NodeState(name, f"10.219.0.1{i}",
                               Snapshot(networks=nets, containers=tuple(boxes), probes=probes)))
    return Snapshot(nodes=tuple(nodes))


def _on(kind_name, snapshot, node, **params):
    the_kind = kind(kind_name)
    for p in the_kind.params:
        if p.name not in params and p.default is not None:
            params[p.name] = p.default
    return Check("c", kind_name, params, node=node).evaluate(snapshot)


def test_crosses_hosts_passes_only_when_the_two_are_on_two_nodes():
    out = _on("crosses_hosts", _lab(), "node1", **{"from": "front", "to": "store", "port": 80})
    assert out.status == "pass" and "VXLAN between 10.219.0.11 and 10.219.0.13" in out.message
    same = _on("crosses_hosts", _lab(store_on="node1"), "node1",
               **{"from": "front", "to": "store", "port": 80})
    assert same.status == "fail" and "both on node1: nothing crossed hosts" in same.message
    lost = _on("crosses_hosts", _lab(ping_ok=False), "node1",
               **{"from": "front", "to": "store", "port": 80})
    assert lost.status == "fail" and "cannot reach 'store' (node3)" in lost.message
    moved = _on("crosses_hosts", _lab(front_on="node2"), "node1",
                **{"from": "front", "to": "store", "port": 80})
    assert moved.status == "fail" and "does not exist on node1 (it is on node2)" in moved.message
    one = run("crosses_hosts", snap(), **{"from": "web", "to": "api"})
    assert one.status == "error" and "several Docker hosts" in one.message


def test_same_network_tells_an_overlay_from_two_bridges_of_one_name():
    lab = _lab()
    assert _on("same_network", lab, "", network="shop", nodes=["node1", "node3"]).status == "pass"
    two = _on("same_network", lab, "", network="shop", nodes=["node1", "node2"])
    assert two.status == "fail" and "a bridge network stays on its host" in two.message
    apart = _on("same_network", lab, "", network="shop", nodes=["node1", "node2"], same=False)
    assert apart.status == "pass"
    assert "does not exist on node3" in _on("same_network", _lab(store_on="node1"), "",
                                            network="shop", nodes=["node1", "node3"]).message


def test_service_tasks_counts_each_nodes_running_tasks():
    from labcheck.checks.nodes import SERVICE_LABEL
    from labcheck.snapshot import NodeState

    def task(name, state="running"):
        return Container(name, name, state=state, labels={SERVICE_LABEL: "api"})

    def lab(*per_node):
        return Snapshot(nodes=tuple(NodeState(f"node{i}", "", Snapshot(containers=tuple(boxes)))
                                    for i, boxes in enumerate(per_node, 1)))

    spread = lab([task("api.1")], [task("api.2")], [task("api.3")])
    want = {"service": "api", "nodes": ["node1", "node2", "node3"]}
    assert _on("service_tasks", spread, "", **want).status == "pass"
    crowded = _on("service_tasks", lab([task("api.1")], [task("api.2"), task("api.3")], []),
                  "", **want)
    assert crowded.status == "fail" and "runs no task on node3" in crowded.message
    many = _on("service_tasks", lab([task("a")], [task("b"), task("c")], [task("d")]), "", **want)
    assert many.status == "fail" and "more than 1 task(s) on node2" in many.message
    stopped = lab([task("api.1", "exited")], [], [])
    assert "no running task" in _on("service_tasks", stopped, "", **want).message


def test_a_check_on_a_node_reads_that_nodes_view():
    lab = _lab()
    attached = _on("attached", lab, "node3", container="store", network="shop")
    assert attached.status == "pass"
    elsewhere = _on("attached", lab, "node1", container="island", network="shop")
    assert elsewhere.status == "fail" and "not on node1 (it is on node2)" in elsewhere.message
    across = _on("resolves", lab, "node2", **{"from": "island", "name": "store"})
    assert across.status == "error" and "is not in this snapshot" in across.message  # no probe
    missing = _on("network_driver", lab, "node9", network="shop", driver="bridge")
    assert missing.status == "error" and "node 'node9' is not in this snapshot" in missing.message
    bridge = _on("network_driver", lab, "node2", network="shop", driver="bridge")
    assert bridge.status == "pass"
