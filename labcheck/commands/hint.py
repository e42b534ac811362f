"""``labcheck hint ID [CHECK]``: reveal the next hint, one at a time.

Revealed hints are remembered in ``.labcheck-hints.json`` in the working
directory (or ``LABCHECK_HINTS_FILE``); a hint's penalty, if the exercise
sets one, comes off the score.
"""

from __future__ import annotations

import argparse
from typing import Any

from .list import add_exercises_option

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("hint", help="reveal the next hint of an exercise",
                            description="Reveal the next hint of an exercise (or of one of its "
                                        "checks). Some hints cost points: the exercise says so.")
    parser.add_argument("exercise", metavar="ID")
    parser.add_argument("check", metavar="CHECK", nargs="?",
                        help="a check id: its own hints instead of the exercise's")
    add_exercises_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..grading import hint

    print(hint(args.exercise, args.check, dirs=args.exercises))
    return 0
