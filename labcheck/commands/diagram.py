"""``labcheck diagram``: draw the topology (and what an exercise expects) with Graphviz.

Exit codes: 0 drawn, 2 usage (unknown exercise, bad snapshot file), 3
environment (no daemon; no Graphviz for svg/png: ``--format dot`` needs
none).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import EXIT_OK, UsageError
from . import write_output
from .check import add_binding_options, binding_options
from .list import add_exercises_option

__all__ = ["register", "run", "output_format"]

_SUFFIXES = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}


def register(sub: Any) -> None:
    parser = sub.add_parser("diagram", help="draw the networks and containers as a diagram",
                            description="Draw the course's networks and containers (all of "
                                        "them with --all) as SVG, PNG or Graphviz DOT text; "
                                        "with --exercise, what it expects over what exists.")
    parser.add_argument("--exercise", metavar="ID",
                        help="draw what exercise ID expects: green present, red dashed "
                             "missing, orange unexpected")
    parser.add_argument("--all", action="store_true",
                        help="draw every network and container, not only the course's")
    parser.add_argument("--format", choices=("svg", "png", "dot"),
                        help="output format (default: from -o's suffix, else svg)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    parser.add_argument("--snapshot", metavar="FILE",
                        help="draw this saved snapshot instead of the live daemon")
    add_binding_options(parser, ports=False)
    add_exercises_option(parser)
    parser.set_defaults(func=run)


def output_format(requested: str | None, output: str | None) -> str:
    """The format asked for, else the one ``output``'s suffix names, else svg."""
    if requested:
        return requested
    if output:
        return _SUFFIXES.get(Path(output).suffix.lower(), "svg")
    return "svg"


def run(args: argparse.Namespace) -> int:
    from ..render.diagram import diagram, render
    from ..snapshot import Snapshot

    fmt = output_format(args.format, args.output)
    if fmt == "png" and not args.output and sys.stdout.isatty():
        raise UsageError("PNG is binary and would garble the terminal: add -o FILE.png "
                         "(or pipe the output)")
    snapshot = Snapshot.load(args.snapshot) if args.snapshot else None
    report = None
    if args.exercise:  # graded once; the diagram shows the checks' verdicts
        from ..live.grading import graded

        snapshot, report = graded(args.exercise, snapshot=snapshot, dirs=args.exercises or None,
                                  **binding_options(args))
    elif snapshot is None:
        from ..live.collect import collect_local

        snapshot = collect_local()
    graph = diagram(snapshot, report=report, all=args.all)
    data = render(graph, fmt)
    if args.output:
        write_output(args.output, data)
        print(f"wrote the diagram ({fmt}) to {args.output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK

