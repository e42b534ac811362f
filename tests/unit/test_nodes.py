"""The multi-node lab's pure parts: the address plan, names, the lab's default name."""

from __future__ import annotations

import ipaddress

import pytest

from labcheck.live.engines.nodes import (
    LAN_SUBNET,
    OVERLAY_POOL,
    default_lab,
    node_engine,
    plan,
)

COURSE = [ipaddress.ip_network(n) for n in ("10.213.0.0/16", "10.214.0.0/16", "10.220.0.0/16")]
LAB_RANGE = ipaddress.ip_network("10.208.0.0/12")


def test_names_are_scoped_by_the_lab() -> None:
    assert [p.engine for p in plan(3, "t29")] == ["t29-node1", "t29-node2", "t29-node3"]
    assert [p.name for p in plan(3, "other")] == ["node1", "node2", "node3"]


def test_addresses_are_distinct_inside_the_lab_range_and_clear_of_the_course() -> None:
    nodes = plan(9, "x")
    nets = [ipaddress.ip_interface(p.bip).network for p in nodes]
    nets += [ipaddress.ip_network(p.pool) for p in nodes]
    nets += [ipaddress.ip_network(LAN_SUBNET), ipaddress.ip_network(OVERLAY_POOL)]
    for i, net in enumerate(nets):
        assert net.subnet_of(LAB_RANGE)
        assert not any(net.overlaps(c) for c in COURSE), net
        assert not any(net.overlaps(o) for o in nets[i + 1:]), net
    lan = ipaddress.ip_network(LAN_SUBNET)
    assert len({p.lan_ip for p in nodes}) == 9
    assert all(ipaddress.ip_address(p.lan_ip) in lan for p in nodes)


def test_settings_point_dns_at_the_nodes_own_bridge() -> None:
    settings = plan(2, "x")[1].settings()
    assert settings["bip"] == "10.215.2.1/24"
    assert settings["dns"] == ["10.215.2.1"]
    assert settings["default-address-pools"] == [{"base": "10.216.32.0/20", "size": 24}]


@pytest.mark.parametrize("count", [0, 10])
def test_a_lab_has_one_to_nine_nodes(count: int) -> None:
    with pytest.raises(ValueError, match="1 to 9 nodes"):
        plan(count, "x")


def test_a_lab_name_must_make_valid_engine_names() -> None:
    with pytest.raises(ValueError):
        plan(2, "../bad")
    with pytest.raises(ValueError):
        plan(2, "x" * 40)


def test_default_lab_follows_the_enclosing_engine_but_not_a_node() -> None:
    assert default_lab({"DOCKER_HOST": "unix:///run/labcheck-engines/t29/docker.sock"}) == "t29"
    node = "unix:///run/labcheck-engines/t29-node1/docker.sock"
    assert default_lab({"DOCKER_HOST": node}) == "lab"
    assert default_lab({"DOCKER_HOST": "unix:///var/run/docker.sock"}) == "lab"
    assert default_lab({"LABCHECK_NODES_LAB": "a", "DOCKER_HOST": node}) == "a"


def test_node_engine_order() -> None:
    assert node_engine("sid", {"LABCHECK_NODE_ENGINE": "trixie"}) == "sid"
    assert node_engine(None, {"LABCHECK_NODE_ENGINE": "trixie"}) == "trixie"
    assert node_engine(None, {}) is None


def test_the_nodes_command_is_registered() -> None:
    from labcheck.cli import build_parser

    args = build_parser().parse_args(["nodes", "up", "2", "--lab", "x", "--engine", "sid"])
    assert (args.action, args.count, args.lab, args.engine) == ("up", 2, "x", "sid")
    assert build_parser().parse_args(["nodes", "down"]).lab is None
