"""``labcheck nodes``: a lab of several Docker hosts on this machine (root, or the engine VM).

``up [N] [--lab L] [--engine E]`` starts (or reuses) N nodes, each a dockerd
in its own network namespace with its own host name, joined on one LAN (as
root on this machine; without root, inside the engine VM);
``status`` lists them; ``down`` removes everything (engines purged, the LAN
namespace deleted). See :mod:`labcheck.live.engines.nodes`.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from ..errors import EXIT_ENVIRONMENT, EXIT_OK, UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "nodes", help="several Docker hosts on this machine, joined on one LAN",
        description="A multi-host lab (lesson 09): N dockerds, each in its own network "
                    "namespace with its own host name (node1, node2...), joined on one LAN "
                    "(10.219.0.11, .12, ...): on this machine as root, else inside the "
                    "engine VM (labcheck engine build; LABCHECK_NODES=vm or netns chooses). "
                    "Nothing leaves the machine.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    up = actions.add_parser("up", help="start (or reuse) N nodes joined on one LAN")
    up.add_argument("count", nargs="?", type=int, default=3, metavar="N",
                    help="how many nodes (default 3)")
    up.add_argument("--engine", metavar="VERSION",
                    help="what the nodes run: distribution, sid, trixie, a folder holding "
                         "dockerd, or a .tar.xz of one (default: $LABCHECK_NODE_ENGINE, "
                         "else the machine's dockerd)")
    down = actions.add_parser("down", help="remove the lab: engines purged, LAN deleted")
    status = actions.add_parser("status", help="each node: address, engine, running or not")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    for each in (up, down, status):
        each.add_argument("--lab", metavar="NAME",
                          help="the lab's name, which scopes its namespaces (default: "
                               "$LABCHECK_NODES_LAB, else the netns engine this runs "
                               "beside, else 'lab')")
    parser.set_defaults(func=run, _parser=parser)


def run(args: argparse.Namespace) -> int:
    from ..live.engines import nodes

    action = getattr(args, "action", None)
    if action not in ("up", "down", "status"):
        args._parser.print_help()
        return 2
    if action == "up":
        began = time.monotonic()
        try:
            lab = nodes.up(args.count, lab=args.lab, engine=args.engine, say=print)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print("\n".join(lab.describe()))
        print(f"ready in {time.monotonic() - began:.1f} s; point docker at a node: "
              f"eval \"$(labcheck engine env {lab[0].engine.name})\"")
        return EXIT_OK
    if action == "down":
        name = args.lab or nodes.default_lab()
        print(f"lab {name!r} removed" if nodes.down(args.lab) else f"no lab {name!r} here")
        return EXIT_OK
    lab = nodes.find(args.lab)
    if args.json:
        print(json.dumps({"lab": lab.lab, "nodes": [
            {"name": n.name, "lan_ip": n.lan_ip, **n.engine.status().as_dict()}
            for n in lab]}, indent=1))
    elif not lab.nodes:
        print(f"no lab {lab.lab!r} here (labcheck nodes up [N])")
    else:
        print("\n".join(lab.describe()))
    running = bool(lab.nodes) and all(s.running for s in lab.status())
    return EXIT_OK if running else EXIT_ENVIRONMENT
