"""``labcheck explain A B [--port P]``: why container A can (or cannot) reach B.

Docker's rules say why, from a snapshot; a live probe confirms it, and the
output says plainly when the two disagree. Exit codes: 0 A reaches B, 1 it
does not, 2 unknown container (the closest names are named), 3 environment.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("explain", help="say why container A can or cannot reach B",
                            description="Explain from Docker's rules why container A can or "
                                        "cannot reach container B, then confirm it with a "
                                        "live probe from A. Exit 0 when A reaches B, 1 when "
                                        "it does not.")
    parser.add_argument("source", metavar="A", help="the container that tries to connect")
    parser.add_argument("target", metavar="B", help="the container it tries to reach")
    parser.add_argument("--port", type=_port, metavar="P",
                        help="a TCP port on B (default: ping)")
    parser.add_argument("--snapshot", metavar="FILE",
                        help="explain from this saved snapshot (rules only, no probe)")
    parser.add_argument("--no-probe", action="store_true",
                        help="only the rules: do not probe the live daemon")
    parser.add_argument("--nodes", action="store_true",
                        help="across the hosts of the lab of several Docker hosts running "
                             "here (labcheck nodes up): A and B may be on two hosts")
    parser.add_argument("--timeout", type=int, default=2, metavar="S",
                        help="seconds the probe may take (default 2)")
    parser.set_defaults(func=run)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from ..live.reachability import confirm
    from ..reachability import Verdict, explain

    if args.timeout < 1:
        raise UsageError("--timeout must be at least 1 second")
    if args.snapshot:
        from ..snapshot import Snapshot

        snapshot = Snapshot.load(args.snapshot)
        explanation = explain(snapshot, args.source, args.target, port=args.port)
        recorded = snapshot.probe_result(explanation.probe) if explanation.probe else None
        verdict = Verdict(explanation, recorded)
    elif args.nodes:
        from ..live.engines.nodes import find
        from ..live.reachability import explain_nodes

        lab = find()
        if not lab.nodes:
            raise UsageError(f"no lab of several Docker hosts runs here ({lab.lab!r})",
                             advice="Start one: labcheck nodes up 3")
        verdict = explain_nodes(lab, args.source, args.target, port=args.port,
                                timeout=args.timeout, probe=not args.no_probe)
    else:
        from ..live.collect import collect
        from ..live.daemon import connected

        with connected() as client:
            snapshot = collect(client, detail=[args.source, args.target])
            explanation = explain(snapshot, args.source, args.target, port=args.port)
            verdict = (Verdict(explanation) if args.no_probe
                       else confirm(client, explanation, timeout=args.timeout))
    for line in verdict.lines():
        print(line)
    return EXIT_OK if verdict.reaches else EXIT_CHECK_FAILED
