"""Snapshot parsing on recorded daemon JSON, the JSON round trip, and bad snapshot files.

``tests/fixtures/api-list.json`` and ``api-inspect.json`` were recorded from
the real daemon (Docker Engine 20.10, API 1.41): the list endpoints and the
inspect endpoints for the same objects. ``api-handwritten.json`` holds what
the shared daemon cannot show safely (an overlay network needs swarm mode),
written in the daemon's shape.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from labcheck.errors import EXIT_USAGE, SnapshotFileError
from labcheck.probes import HostReach, HttpGet, Reach, ReadResolvConf, Resolve, ProbeResult
from labcheck.snapshot import SCHEMA_VERSION, Container, Network, PortBinding, Snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _api(name: str) -> dict:
    return json.loads((FIXTURES / f"api-{name}.json").read_text())


@pytest.fixture(scope="module", params=["list", "inspect"])
def recorded(request) -> Snapshot:
    """The recorded topology, parsed from the list shape and from the inspect shape."""
    data = _api(request.param)
    return Snapshot.from_api(data["networks"], data["containers"])


@pytest.fixture(scope="module")
def handwritten() -> Snapshot:
    data = _api("handwritten")
    return Snapshot.from_api(data["networks"], data["containers"])


# -- networks ----------------------------------------------------------------

def test_builtin_networks(recorded):
    bridge, host, none = (recorded.network(n) for n in ("bridge", "host", "none"))
    assert bridge.is_default_bridge and not bridge.has_embedded_dns
    assert bridge.subnets == ("10.213.0.0/24",) and bridge.gateways == ("10.213.0.1",)
    for net in (host, none):
        assert net.subnets == () and net.gateways == ()
        assert not net.is_user_defined and not net.has_embedded_dns
    assert host.driver == "host" and none.driver == "null"


def test_user_defined_bridge_internal_and_icc(recorded):
    front, back, noicc = (recorded.network(n) for n in ("rec-front", "rec-back", "rec-noicc"))
    assert front.is_user_defined and front.has_embedded_dns and not front.is_internal
    assert back.is_internal and back.subnets == ("10.214.250.0/24",)
    assert front.icc and not noicc.icc
    assert back.labels == {"io.labcheck.owner": "labcheck", "io.labcheck.lesson": "rec-h3"}


def test_macvlan_network(recorded):
    mvl = recorded.network("rec-mvl")
    assert mvl.driver == "macvlan" and mvl.options["parent"] == "rech3a"
    assert mvl.subnets == ("10.214.252.0/24",) and mvl.is_user_defined
    mac = recorded.container("rec-mac")
    assert mac.endpoint("rec-mvl").ipv4 == "10.214.252.20"
    assert recorded.owning_network("10.214.252.20") is mvl


def test_ipv6_network_and_endpoint(recorded):
    v6 = recorded.network("rec-v6")
    assert v6.ipv6 and v6.subnets == ("10.214.251.0/24", "fd00:5ab::/64")
    endpoint = recorded.container("rec-v6box").endpoint("rec-v6")
    assert endpoint.ipv6 == "fd00:5ab::2" and endpoint.ipv4 == "10.214.251.2"
    assert recorded.owning_network("fd00:5ab::2") is v6


def test_overlay_network(handwritten):
    overlay = handwritten.network("hw-overlay")
    assert (overlay.driver, overlay.scope, overlay.attachable) == ("overlay", "swarm", True)
    assert overlay.subnets == ("10.0.1.0/24",) and overlay.is_user_defined
    assert handwritten.containers_on("hw-overlay")[0].name == "hw-over"


def test_ipam_config_none_and_missing_fields(handwritten):
    for name in ("hw-noipam", "hw-sparse"):
        net = handwritten.network(name)
        assert net.subnets == () and net.gateways == () and net.labels == {}
        assert net.scope == "local"
    assert handwritten.owning_network("10.0.1.9").name == "hw-overlay"
    assert handwritten.owning_network("not an address") is None
    assert handwritten.owning_network("192.0.2.1") is None


@pytest.mark.parametrize("bad", [
    {}, {"IPAM": {"Config": [None, "x", {"Subnet": None}]}}, {"Options": ["a"], "Labels": 3},
])
def test_network_from_garbage_never_crashes(bad):
    net = Network.from_api(bad)
    assert net.subnets == () and net.options == {} and net.labels == {}


# -- containers ----------------------------------------------------------------

def test_container_on_two_networks_with_static_ip(recorded):
    db = recorded.container("rec-db")
    assert db.networks == ("rec-back", "rec-front")
    assert db.endpoint("rec-back").ipv4 == "10.214.250.10"
    assert db.endpoint("rec-back").ipv4_prefix == 24
    assert db.endpoint("rec-nowhere") is None
    assert {c.name for c in recorded.containers_on("rec-back")} == {"rec-db"}


def test_stopped_and_created_containers(recorded):
    stopped, created = recorded.container("rec-stopped"), recorded.container("rec-created")
    assert stopped.state == "exited" and not stopped.is_running
    assert created.state == "created" and not created.is_running
    for box in (stopped, created):
        assert box.networks == ("rec-front",)
        assert box.endpoint("rec-front").ipv4 is None  # no address while not running
    assert recorded.container("rec-web").is_running


def test_host_none_and_container_network_modes(recorded):
    host, none = recorded.container("rec-hostmode"), recorded.container("rec-nonemode")
    assert host.network_mode == "host" and host.endpoint("host").ipv4 is None
    assert none.network_mode == "none" and none.endpoint("none").ipv4 is None
    sidecar = recorded.container("rec-sidecar")
    web = recorded.container("rec-web")
    assert sidecar.network_mode.startswith("container:")
    assert sidecar.endpoints == ()
    assert sidecar.shares_namespace_with == web.id
    assert recorded.namespace_owner(sidecar).name == "rec-web"
    assert web.shares_namespace_with is None


def test_published_and_unpublished_ports(recorded):
    web = recorded.container("rec-web")
    assert web.ports == (PortBinding(80, "tcp", "127.0.0.1", 18123), PortBinding(443, "tcp"))
    assert web.published() == (PortBinding(80, "tcp", "127.0.0.1", 18123),)
    assert web.published()[0].is_loopback_only
    assert str(web.ports[0]) == "127.0.0.1:18123->80/tcp" and str(web.ports[1]) == "443/tcp"
    default = recorded.container("rec-default")
    assert default.published() == (PortBinding(8080, "tcp", "0.0.0.0", 18124),)
    assert not default.published()[0].is_loopback_only
    assert recorded.container("rec-db").ports == ()


def test_list_and_inspect_shapes_agree_on_the_topology():
    listed, inspected = (_api(n) for n in ("list", "inspect"))
    a = Snapshot.from_api(listed["networks"], listed["containers"])
    b = Snapshot.from_api(inspected["networks"], inspected["containers"])
    assert a.networks == b.networks
    assert [c.name for c in a.containers] == [c.name for c in b.containers]
    for x, y in zip(a.containers, b.containers):
        assert (x.id, x.image, x.state, x.labels, x.network_mode, x.ports) == \
               (y.id, y.image, y.state, y.labels, y.network_mode, y.ports), x.name
        assert [(e.network, e.ipv4, e.ipv6, e.mac) for e in x.endpoints] == \
               [(e.network, e.ipv4, e.ipv6, e.mac) for e in y.endpoints], x.name


def test_aliases_only_from_inspect():
    listed, inspected = (_api(n) for n in ("list", "inspect"))
    web_list = Snapshot.from_api([], listed["containers"]).container("rec-web")
    web_full = Snapshot.from_api([], inspected["containers"]).container("rec-web")
    assert web_list.endpoint("rec-front").aliases is None  # the list endpoint does not say
    assert "www" in web_full.endpoint("rec-front").aliases
    assert web_full.hostname == web_full.id[:12] and web_list.hostname is None
    db = Snapshot.from_api([], inspected["containers"]).container("rec-db")
    assert "api" in db.endpoint("rec-front").aliases
    assert "api" not in db.endpoint("rec-back").aliases


def test_dns_names_preferred_over_aliases(handwritten):
    box = handwritten.container("hw-over")
    assert box.endpoint("hw-overlay").aliases == ("hw-over", "svc", "1a2b3c4d5e6f")
    assert PortBinding(53, "udp") in box.ports
    assert {str(p) for p in box.published()} == {"0.0.0.0:8080->80/tcp", ":::8080->80/tcp"}


def test_container_with_null_sections(handwritten):
    box = handwritten.container("hw-sparse-box")
    assert (box.state, box.network_mode, box.endpoints, box.ports) == ("dead", "default", (), ())
    assert box.labels == {}


@pytest.mark.parametrize("bad", [
    {}, {"Names": None, "State": {"Status": None}}, {"NetworkSettings": {"Networks": {"x": None}}},
    {"Ports": [{"PrivatePort": 80, "PublicPort": 0}, "junk"], "HostConfig": []},
    {"NetworkSettings": {"Ports": {"80/tcp": None, "junk": [], "53/udp": [{"HostPort": ""}]}}},
])
def test_container_from_garbage_never_crashes(bad):
    box = Container.from_api(bad)
    assert isinstance(box.name, str) and isinstance(box.ports, tuple)


def test_lookup_by_name_and_id(recorded):
    web = recorded.container("rec-web")
    # An exercise's object is the one with that exact name, never an id prefix.
    assert recorded.container(web.id[:12]) is None and recorded.container(web.id) is None
    assert recorded.container("rec-nothing") is None
    # What a user types (labcheck explain): a name, a full id, a 12+ character prefix.
    assert recorded.find_container("rec-web") is web
    assert recorded.find_container(web.id[:12]) is web and recorded.find_container(web.id) is web
    bridge = recorded.network("bridge")
    assert recorded.network(bridge.id[:12]) is None
    assert recorded.find_network(bridge.id[:12]) is bridge
    assert recorded.network("") is None and recorded.find_network("") is None


def test_a_short_prefix_is_an_id_only_when_it_matches_one_container():
    a = Container("a", "cafe01" + "0" * 58)
    b = Container("b", "cafe02" + "0" * 58)
    snap = Snapshot(containers=(a, b))
    assert snap.find_container("cafe") is None          # ambiguous
    assert snap.find_container("cafe01") is a           # unambiguous
    assert snap.container("cafe01") is None             # never for an exercise's object
    lone = Snapshot(containers=(a,))
    assert lone.find_container("caf") is a and lone.container("caf") is None


def test_labelled_keeps_only_that_lesson(recorded):
    mine = recorded.labelled("io.labcheck.lesson", "rec-h3")
    assert {n.name for n in mine.networks} == {
        "rec-front", "rec-back", "rec-v6", "rec-mvl", "rec-noicc"}
    assert "bridge" not in {n.name for n in mine.networks}
    assert len(mine.containers) == len(recorded.containers)
    assert recorded.labelled("io.labcheck.lesson", "other").containers == ()


# -- JSON round trip -------------------------------------------------------------

def _with_probes(snap: Snapshot) -> Snapshot:
    return snap.with_probes([
        ProbeResult(Resolve("rec-web", name="rec-db"), ran=True, succeeded=True,
                    addresses=("10.214.9.3",), detail="ok", exit_code=0, duration_ms=12.5),
        ProbeResult(Reach("rec-web", target="rec-db", port=5432), ran=True, succeeded=False,
                    detail="refused", exit_code=1),
        ProbeResult(HttpGet("rec-web", target="rec-db", port=8080, path="/x"), ran=True,
                    succeeded=True, http_status=404),
        ProbeResult(ReadResolvConf("rec-web"), ran=True, succeeded=True,
                    nameservers=("127.0.0.11",)),
        ProbeResult(HostReach(port=18123), ran=False, succeeded=False, detail="stopped"),
    ])


def test_json_round_trip(recorded, handwritten, tmp_path):
    for snap in (_with_probes(recorded), handwritten):
        snap = Snapshot(networks=snap.networks, containers=snap.containers, probes=snap.probes,
                        taken_at="2026-11-28T00:00:00+00:00", engine_version="20.10.24",
                        api_version="1.41", labcheck_version="0.1.0", meta={"lesson": "02"})
        again = Snapshot.loads(snap.dumps())
        assert again == snap
        path = tmp_path / "state.json"
        snap.save(path)
        assert Snapshot.load(path) == snap
        assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION
    probe = Resolve("rec-web", name="rec-db")
    assert again.probe_result(probe) is None or again.probe_result(probe).addresses


def test_round_trip_keeps_probe_results(recorded):
    snap = _with_probes(recorded)
    again = Snapshot.loads(snap.dumps())
    result = again.probe_result(Resolve("rec-web", name="rec-db"))
    assert result.succeeded and result.addresses == ("10.214.9.3",)
    assert again.probe_result(HttpGet("rec-web", target="rec-db", port=8080, path="/x")) \
        .http_status == 404
    assert again.probe_result(Resolve("rec-web", name="other")) is None


# -- bad snapshot files --------------------------------------------------------------

def _good_text() -> str:
    data = _api("list")
    return Snapshot.from_api(data["networks"], data["containers"]).dumps()


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    good = _good_text()
    other = json.loads(good)
    other["schema_version"] = SCHEMA_VERSION + 1
    damaged = json.loads(good)
    damaged["containers"][0].pop("name")
    files = {
        "truncated": good[: len(good) // 2],
        "not JSON": "this is not JSON at all\n",
        "binary": "\udcff",  # replaced below by invalid UTF-8 bytes
        "other schema": json.dumps(other),
        "no schema": json.dumps({"networks": []}),
        "a list": "[1, 2, 3]",
        "damaged": json.dumps(damaged),
        "empty": "",
    }
    paths = {}
    for kind, text in files.items():
        path = tmp_path / f"{kind.replace(' ', '-')}.json"
        if kind == "binary":
            path.write_bytes(b"\xff\xfe\x00garbage")
        else:
            path.write_text(text)
        paths[kind] = path
    paths["missing"] = tmp_path / "missing.json"
    return paths


def test_bad_snapshot_files_give_one_line(tmp_path):
    expected = {"truncated": "truncated", "not JSON": "not JSON", "other schema": "schema version",
                "no schema": "not a labcheck snapshot", "a list": "not a labcheck snapshot",
                "damaged": "damaged", "missing": "does not exist", "empty": "truncated",
                "binary": "cannot be read"}
    for kind, path in _bad_files(tmp_path).items():
        with pytest.raises(SnapshotFileError) as info:
            Snapshot.load(path)
        message = str(info.value)
        assert "\n" not in message, kind
        assert expected[kind] in message, (kind, message)
        assert path.name in message, kind
        assert info.value.exit_code == EXIT_USAGE


def test_other_schema_names_both_versions(tmp_path):
    path = _bad_files(tmp_path)["other schema"]
    with pytest.raises(SnapshotFileError, match=rf"version {SCHEMA_VERSION + 1}.*reads version "
                                                rf"{SCHEMA_VERSION}.*labcheck snapshot -o"):
        Snapshot.load(path)


def test_a_good_file_loads(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(_good_text())
    assert Snapshot.load(path).container("rec-web") is not None


def _labcheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labcheck", *args],
                          capture_output=True, text=True, timeout=60)


def test_cli_reports_a_bad_snapshot_file_in_one_line(tmp_path):
    """``labcheck snapshot -i FILE``: exit 2, one line on stderr, no traceback."""
    for kind, path in _bad_files(tmp_path).items():
        done = _labcheck("snapshot", "-i", str(path))
        assert done.returncode == EXIT_USAGE, (kind, done.stderr)
        assert "Traceback" not in done.stderr, kind
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("labcheck: "), (kind, done.stderr)
        assert done.stdout == ""


def test_cli_reads_a_good_snapshot_file(tmp_path):
    path, out = tmp_path / "good.json", tmp_path / "again.json"
    path.write_text(_good_text())
    done = _labcheck("snapshot", "-i", str(path), "-o", str(out))
    assert done.returncode == 0 and done.stderr == ""
    assert Snapshot.load(out) == Snapshot.load(path)
    assert "saved 8 networks and 10 containers" in done.stdout


def test_a_multi_node_snapshot_round_trips_and_joins_overlays_by_id():
    from labcheck.snapshot import NodeState

    overlay = Network("appnet", "ov1", "overlay", scope="swarm")
    bridge = Network("localnet", "b1", "bridge")
    one = NodeState("node1", "10.219.0.11", Snapshot(networks=(overlay, bridge)))
    two = NodeState("node2", "10.219.0.12",
                    Snapshot(networks=(overlay, Network("localnet", "b2", "bridge"))))
    snap = Snapshot(nodes=(one, two), meta={"exercise": "x"})
    again = Snapshot.loads(snap.dumps())
    assert again == snap and again.is_multi_node and again.node_names == ("node1", "node2")
    assert [(n.name, hosts) for n, hosts in again.spanning()] == [("appnet", ("node1", "node2"))]
    assert again.node_address("node2") == "10.219.0.12" and again.node("node3") is None
    assert "nodes" not in Snapshot().to_json()          # a one-daemon snapshot is unchanged
