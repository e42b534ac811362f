"""``labcheck snapshot``: save the daemon's state (and probe results) as JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import EXIT_OK

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("snapshot", help="save the daemon's networks and containers as JSON",
                            description="Read the daemon's networks and containers and write "
                                        "them as a labcheck snapshot (JSON).")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE instead of standard output")
    parser.add_argument("--detail", metavar="CONTAINER", action="append", default=[],
                        help="also read this container's hostname and aliases (repeatable)")
    parser.add_argument("-i", "--input", metavar="FILE",
                        help="read a saved snapshot instead of the daemon (checks that it "
                             "loads; with -o, writes it again)")
    parser.add_argument("--nodes", action="store_true",
                        help="the lab of several Docker hosts running here (labcheck nodes "
                             "up): one snapshot per host, in one file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..live.collect import collect
    from ..live.daemon import connected
    from ..snapshot import Snapshot

    if args.input:
        snap = Snapshot.load(args.input)
    elif args.nodes:
        from ..errors import UsageError
        from ..live.collect import collect_lab
        from ..live.engines.nodes import find

        lab = find()
        if not lab.nodes:
            raise UsageError(f"no lab of several Docker hosts runs here ({lab.lab!r})",
                             advice="Start one: labcheck nodes up 3")
        snap = collect_lab(lab, detail=args.detail)
    else:
        with connected() as client:
            snap = collect(client, detail=args.detail)
    if args.output:
        snap.save(args.output)
        if snap.is_multi_node:
            print(f"saved the state of {len(snap.nodes)} hosts "
                  f"({', '.join(snap.node_names)}) to {args.output}")
        else:
            print(f"saved {len(snap.networks)} networks and {len(snap.containers)} containers "
                  f"to {args.output}")
    else:
        sys.stdout.write(snap.dumps())
    return EXIT_OK
