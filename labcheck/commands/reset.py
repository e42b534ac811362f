"""``labcheck reset``: remove what the course created, and nothing else."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import EXIT_ENVIRONMENT, EXIT_OK, UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("reset", help="remove the containers and networks labcheck created",
                            description="Remove containers, then networks, that carry "
                                        "labcheck's labels. Nothing without them is touched.")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--lesson", metavar="ID", help="only what this lesson created")
    which.add_argument("--all", action="store_true", help="everything labcheck created")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..live.daemon import connected
    from ..live.ownership import reset

    if not args.lesson and not args.all:
        raise UsageError("say what to reset: labcheck reset --lesson ID, or labcheck reset --all")
    with connected() as client:
        result = reset(client, lesson=args.lesson)
    for line in result.lines():
        print(line)
    return EXIT_ENVIRONMENT if result.errors else EXIT_OK
