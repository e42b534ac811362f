"""Troubleshooting scenarios (lesson 06): what each broken app is, and how it looks.

A scenario is a small app built with one hidden fault. Its id is the id of
the exercise that grades the repair (``labcheck/exercises/06-*.yaml``, with
the fault explained in its ``reveal:`` once every check passes). This module
is pure: the builders that talk to the daemon are in
:mod:`labcheck.live.scenarios` (``labcheck.scenario(id).build()``).

``symptom`` is the report a user would file, with ``{name}`` placeholders
for the real names of the exercise's objects (and ``{url}`` where the
builder knows an address only once it has built the app).

>>> s = SCENARIOS["06-typo"]
>>> s.title
'The app cannot find its database'
>>> print(s.symptom_for({"app": "app-x1"}).splitlines()[0])
Orders are failing: app-x1's /health answers 404.
>>> sorted(SCENARIOS)[:2]
['06-alias', '06-default-bridge']
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Mapping

__all__ = ["Scenario", "SCENARIOS", "scenario_info", "TYPO_HOST", "DB_ALIAS", "VPN_SUBNET",
           "VPN_SERVER", "VPN_HOST_END", "MTU_SUBNET", "MTU_SERVER", "MTU_PATH"]

#: The name the typo scenario's client is configured with, and the alias it meant.
TYPO_HOST = "postgers"
DB_ALIAS = "postgres"
#: The range a (stand-in) VPN routes from the Docker host, its server, and the host's end.
VPN_SUBNET = "10.214.250.0/24"
VPN_SERVER = "10.214.250.10"
VPN_HOST_END = "10.214.250.254"
#: The far side of a path with a narrow link (06-mtu): its range, reached through two
#: routers beside the Docker host; the download server; the narrow link's MTU. The range
#: neighbours the VPN's: at the top of the engines' pool 10.214.0.0/16, which they hand
#: out in /24s from the bottom (and skip where the host has a route), and used nowhere else.
MTU_SUBNET = "10.214.249.0/24"
MTU_SERVER = "10.214.249.10"
MTU_PATH = 1400


@dataclass(frozen=True)
class Scenario:
    """One broken app: its exercise id, a title, the user's report, and where to look."""

    id: str
    title: str
    symptom: str
    client: str      # the container (or "host") the user complains from
    target: str      # the name that client uses for the service
    port: int        # the port it uses

    def symptom_for(self, names: Mapping[str, str], **extra: str) -> str:
        """The symptom with real object names (``names`` maps logical -> real)."""
        fields = {f for _, f, _, _ in string.Formatter().parse(self.symptom) if f}
        values = {f: names.get(f, f) for f in fields}
        values.update(extra)
        return self.symptom.format(**values)


SCENARIOS: dict[str, Scenario] = {s.id: s for s in (
    Scenario(
        "06-loopback", "The shop page is refused",
        "The shop is down for {shopper}: 'wget http://web/' from {shopper} says "
        "'Connection refused'.\nBut {web} is running, and inside it "
        "'wget http://127.0.0.1/' works.",
        client="shopper", target="web", port=80),
    Scenario(
        "06-wrong-port", "The site resets the connection",
        "http://127.0.0.1:{port} on this machine gives no page: 'connection reset' "
        "(or 'empty reply').\n{site} is running and its log shows no error.",
        client="host", target="site", port=8062),
    Scenario(
        "06-alias", "The API cannot find 'database'",
        "From {api}, 'nc database 5432' says: bad address 'database'.\nThe database {db} "
        "is up, and the admin tools on {admin} reach it as 'database' without trouble.",
        client="api", target="database", port=5432),
    Scenario(
        "06-default-bridge", "The app cannot find its cache",
        "From {app}, 'nc cache 6379' says: bad address 'cache'.\n{cache} is running and "
        "answers on port 6379 when asked by its address.",
        client="app", target="cache", port=6379),
    Scenario(
        "06-internal", "The fetcher cannot download updates",
        "{fetcher} cannot download updates from the outside world: 'wget {url}' fails "
        "(it times out, or says 'network is unreachable').\n(Here the outside world is the "
        "stand-in {mirror}, reached through this machine the way the internet would be.) "
        "{fetcher} still reaches {db}.",
        client="fetcher", target="mirror", port=80),
    Scenario(
        "06-port-taken", "The new blog does not start",
        "The new blog should be on http://127.0.0.1:{port} but that page still shows the "
        "OLD blog.\n{blog} exists but is not running.",
        client="host", target="blog", port=8066),
    Scenario(
        "06-typo", "The app cannot find its database",
        "Orders are failing: {app}'s /health answers 404.\n"
        f"The database {{db}} is running and answers as '{DB_ALIAS}' on {{orders}}.",
        client="app", target=TYPO_HOST, port=5432),
    Scenario(
        "06-vpn-clash", "The office network cannot reach the VPN",
        f"From {{laptop}}, the intranet server {VPN_SERVER} (behind this machine's VPN) does "
        f"not answer: 'nc {VPN_SERVER} 80' times out.\nThis machine itself reaches it, and "
        "so did containers on other networks. {laptop} runs on the network {office}, made last "
        "week.",
        client="laptop", target=VPN_SERVER, port=80),
    Scenario(
        "06-mtu", "Big downloads stall",
        f"The shop's big downloads stall while its small pages load: from {{buyer}}, "
        f"'wget http://{MTU_SERVER}:8080/small' works, 'wget http://{MTU_SERVER}:8080/big' "
        f"(512 KB) hangs and never ends.\nThe download server {{depot}} is behind a link "
        "of the company's (a tunnel), past two routers; its log shows no error.",
        client="buyer", target=MTU_SERVER, port=8080),
)}


def scenario_info(scenario_id: str) -> Scenario:
    """The scenario ``scenario_id``; UsageError with the closest ids when unknown."""
    if scenario_id in SCENARIOS:
        return SCENARIOS[scenario_id]
    import difflib

    from .errors import UsageError

    close = difflib.get_close_matches(scenario_id, list(SCENARIOS), n=2, cutoff=0.5)
    tip = (f"Did you mean {' or '.join(repr(c) for c in close)}?" if close
           else f"Scenarios: {', '.join(sorted(SCENARIOS))}")
    raise UsageError(f"there is no troubleshooting scenario {scenario_id!r}. {tip}")
