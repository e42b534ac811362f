"""Check kinds about networks: exists, driver, subnet/gateway, internal, attachable, MTU.

>>> from labcheck.snapshot import Network, Snapshot
>>> snap = Snapshot(networks=(Network("appnet", "n1", "bridge", subnets=("10.214.3.0/24",)),))
>>> NetworkExists().evaluate(snap, {"network": "appnet"}).status
'pass'
>>> print(NetworkExists().evaluate(snap, {"network": "backend"}).message)
network 'backend' does not exist.
"""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar, Mapping

from ..expected import Expected
from ..snapshot import Network, Snapshot
from .base import CheckKind, Outcome, Param, register

__all__ = ["NetworkExists", "NetworkDriver", "NetworkSubnet", "NetworkInternal",
           "NetworkAttachable", "NetworkMtu", "MTU_OPTION"]

#: The network option that sets the MTU of a network's interfaces (``-o`` on the CLI).
MTU_OPTION = "com.docker.network.driver.mtu"

_NETWORK = Param("network", ref="network", doc="the network's name")


class _NetworkKind(CheckKind):
    """A check about one network, which the exercise expects to exist."""

    params: ClassVar[tuple[Param, ...]] = (_NETWORK,)

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(networks=(p["network"],))

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        net = snap.network(p["network"])
        if net is None:
            name = p["network"]
            return Outcome.failed(f"network {name!r} does not exist.",
                                  f"Try: docker network create {name}")
        return self.judge(net, p)

    def judge(self, net: Network, p: Mapping[str, Any]) -> Outcome:
        """The outcome for an existing network ``net``."""
        raise NotImplementedError


@register
class NetworkExists(_NetworkKind):
    name = "network_exists"
    summary = "a network exists"

    def title(self, p: Mapping[str, Any]) -> str:
        return f"network {p['network']!r} exists"

    def judge(self, net: Network, p: Mapping[str, Any]) -> Outcome:
        return Outcome.passed(f"network {net.name!r} exists ({net.driver})")


@register
class NetworkDriver(_NetworkKind):
    name = "network_driver"
    summary = "a network uses a driver (bridge, overlay, macvlan, ...)"
    params = (_NETWORK, Param("driver", doc="bridge, overlay, macvlan, host, null, ..."))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"network {p['network']!r} uses the {p['driver']} driver"

    def judge(self, net: Network, p: Mapping[str, Any]) -> Outcome:
        if net.driver == p["driver"]:
            return Outcome.passed(f"network {net.name!r} uses the {net.driver} driver")
        return Outcome.failed(
            f"network {net.name!r} uses the {net.driver!r} driver, not {p['driver']!r}. A "
            f"network's driver cannot change.",
            f"Remove it and create it again with "
            f"docker network create --driver {p['driver']} {net.name}")


@register
class NetworkSubnet(_NetworkKind):
    name = "network_subnet"
    summary = "a network has this subnet and/or gateway"
    params = (_NETWORK,
              Param("subnet", required=False, doc="CIDR, e.g. 172.30.0.0/24"),
              Param("gateway", required=False, doc="an address, e.g. 172.30.0.1"))

    def validate(self, p: Mapping[str, Any]) -> str | None:
        if not p.get("subnet") and not p.get("gateway"):
            return "give 'subnet', 'gateway' or both"
        try:
            if p.get("subnet"):
                ipaddress.ip_network(p["subnet"], strict=False)
            if p.get("gateway"):
                ipaddress.ip_address(p["gateway"])
        except ValueError as exc:
            return str(exc)
        return None

    def title(self, p: Mapping[str, Any]) -> str:
        parts = [f"subnet {p['subnet']}" if p.get("subnet") else "",
                 f"gateway {p['gateway']}" if p.get("gateway") else ""]
        return f"network {p['network']!r} has " + " and ".join(x for x in parts if x)

    def judge(self, net: Network, p: Mapping[str, Any]) -> Outcome:
        flags = []
        problems = []
        if p.get("subnet"):
            want = ipaddress.ip_network(p["subnet"], strict=False)
            have = [s for s in net.subnets if _same_net(s, want)]
            flags.append(f"--subnet {p['subnet']}")
            if not have:
                problems.append(f"its subnet is {', '.join(net.subnets) or 'not set'}, "
                                f"not {p['subnet']}")
        if p.get("gateway"):
            flags.append(f"--gateway {p['gateway']}")
            if p["gateway"] not in net.gateways:
                problems.append(f"its gateway is {', '.join(net.gateways) or 'not set'}, "
                                f"not {p['gateway']}")
        if not problems:
            return Outcome.passed(f"network {net.name!r} has "
                                  f"{', '.join(net.subnets + net.gateways)}")
        return Outcome.failed(
            f"network {net.name!r}: {'; '.join(problems)}. Addressing is fixed at creation.",
            f"Remove the network and create it again with docker network create "
            f"{' '.join(flags)} {net.name}")


def _same_net(text: str, want: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_network(text, strict=False) == want
    except ValueError:
        return False


class _FlagKind(_NetworkKind):
    """A boolean property of a network (internal, attachable)."""

    flag = ""
    option = ""

    def title(self, p: Mapping[str, Any]) -> str:
        neg = "" if p["value"] else "not "
        return f"network {p['network']!r} is {neg}{self.flag}"

    def judge(self, net: Network, p: Mapping[str, Any]) -> Outcome:
        have = bool(getattr(net, self.flag))
        if have == bool(p["value"]):
            return Outcome.passed(f"network {net.name!r} is {'' if have else 'not '}{self.flag}")
        if p["value"]:
            fix = f"docker network create {self.option} {net.name}"
        else:
            fix = f"docker network create {net.name} (without {self.option})"
        return Outcome.failed(
            f"network {net.name!r} is {'' if have else 'not '}{self.flag}, but it should "
            f"{'' if p['value'] else 'not '}be. This is fixed at creation.",
            f"Remove the network and create it again: {fix}")


@register
class NetworkInternal(_FlagKind):
    name = "network_internal"
    summary = "a network is (or is not) internal: no route out of it"
    params = (_NETWORK, Param("value", "bool", required=False, default=True))
    flag = "internal"
    option = "--internal"


@register
class NetworkAttachable(_FlagKind):
    name = "network_attachable"
    summary = "a network is (or is not) attachable by standalone containers"
    params = (_NETWORK, Param("value", "bool", required=False, default=True))
    flag = "attachable"
    option = "--attachable"


@register
class NetworkMtu(_NetworkKind):
    """The MTU a network gives its containers' interfaces is set, and fits a path.

    >>> from labcheck.snapshot import Network
    >>> NetworkMtu().judge(Network("n", "n1", "bridge", options={MTU_OPTION: "1400"}),
    ...                    {"network": "n", "at_most": 1400}).status
    'pass'
    >>> NetworkMtu().judge(Network("n", "n1", "bridge"), {"network": "n", "at_most": 1400}).status
    'fail'
    """

    name = "network_mtu"
    summary = "a network's MTU is set, at most a path's MTU"
    params = (_NETWORK, Param("at_most", "int", doc="the largest MTU that fits the path"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"network {p['network']!r} has an MTU of at most {p['at_most']}"

    def judge(self, net: Network, p: Mapping[str, Any]) -> Outcome:
        limit = int(p["at_most"])
        value = net.options.get(MTU_OPTION, "")
        advice = (f"Remove the network and create it again with "
                  f"docker network create -o {MTU_OPTION}={limit} {net.name}")
        if not value.strip().isdigit() or int(value) == 0:
            return Outcome.failed(
                f"network {net.name!r} sets no MTU: its containers' interfaces take the "
                f"default, 1500, more than the path's {limit}. This is fixed at creation.",
                advice)
        if int(value) > limit:
            return Outcome.failed(
                f"network {net.name!r} has an MTU of {value}, more than the path's {limit}. "
                f"This is fixed at creation.", advice)
        return Outcome.passed(f"network {net.name!r} has an MTU of {value} (the path's: {limit})")
