"""``labcheck check ID``: grade an exercise on the live daemon or a saved snapshot.

A student's text report says what is wrong and the evidence; ``--instructor``
adds the command that fixes each failing check. The grader formats have their
own readers (:data:`labcheck.render.formats.READERS`): Gradescope's and GitHub
Classroom's reports are a student's, JUnit's an instructor's, JSON keeps
``message`` and ``advice`` apart; ``--instructor`` adds the advice to all.

Exit codes: 0 every check passes, 1 some check fails, 2 unknown exercise
(the closest ids are named), 3 environment (daemon, permissions).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from . import write_output
from .list import add_exercises_option

__all__ = ["register", "run", "parse_pairs", "add_binding_options", "binding_options"]

_FORMATS = ("text", "json", "junit", "gradescope", "classroom")


def register(sub: Any) -> None:
    parser = sub.add_parser("check", help="grade an exercise",
                            description="Grade an exercise on the live Docker daemon, or on a "
                                        "snapshot saved with 'labcheck snapshot -o FILE'. Exit "
                                        "0 when every check passes, 1 when some fail.")
    parser.add_argument("exercise", metavar="ID", help="the exercise id (see: labcheck list)")
    parser.add_argument("--format", choices=_FORMATS, default="text")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE (a one-line summary goes to stdout)")
    parser.add_argument("--snapshot", metavar="FILE",
                        help="grade this saved snapshot instead of the live daemon")
    parser.add_argument("--show-hidden", action="store_true",
                        help="show hidden checks' names and messages (for instructors)")
    parser.add_argument("--instructor", action="store_true",
                        help="the report also gives the command that fixes each failing "
                             "check (a student's, the default for text, gradescope and "
                             "classroom, says what is wrong and the evidence)")
    add_binding_options(parser)
    add_exercises_option(parser)
    parser.set_defaults(func=run)


def add_binding_options(parser: argparse.ArgumentParser, ports: bool = True) -> None:
    """``--suffix``, ``--name LOGICAL=REAL``, ``--port PORT=REAL`` (unless not ``ports``):
    how the exercise's objects are named."""
    parser.add_argument("--suffix", metavar="S",
                        help="the exercise's objects are named NAME-S (also LABCHECK_SUFFIX)")
    parser.add_argument("--name", metavar="LOGICAL=REAL", action="append", default=[],
                        help="the exercise's object LOGICAL is called REAL (repeatable)")
    if ports:
        parser.add_argument("--port", metavar="PORT=REAL", action="append", default=[],
                            help="the exercise's host port PORT is REAL (repeatable)")


def binding_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords ``names``, ``ports``, ``suffix`` of :func:`labcheck.live.grading.check`."""
    return {"names": parse_pairs(args.name, "name") or None,
            "ports": parse_pairs(getattr(args, "port", []), "port", int) or None,
            "suffix": args.suffix}


def parse_pairs(items: list[str], what: str, convert: Any = str) -> dict[Any, Any]:
    """``["a=b", ...]`` -> ``{a: b}``; a malformed item is a usage error."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            if not (sep and key and value):
                raise ValueError
            out[convert(key)] = convert(value)
        except ValueError:
            raise UsageError(f"--{what} {item!r}: expected {what.upper()}=VALUE, "
                             f"e.g. --{what} {'web=web-1' if convert is str else '8000=18000'}"
                             ) from None
    return out


def run(args: argparse.Namespace) -> int:
    from ..audience import INSTRUCTOR, STUDENT
    from ..live.grading import check
    from ..progress import TerminalProgress
    from ..render.formats import render
    from ..render.text import use_color
    from ..report import format_points
    from ..snapshot import Snapshot

    snapshot = Snapshot.load(args.snapshot) if args.snapshot else None
    progress = TerminalProgress()  # a line on stderr while probes run, only on a TTY
    try:
        report = check(args.exercise, snapshot=snapshot, dirs=args.exercises,
                       progress=progress, **binding_options(args))
    finally:
        progress.close()
    audience = INSTRUCTOR if args.instructor else STUDENT
    if args.format == "text" and not args.output:
        print(report.to_text(color=use_color(sys.stdout), show_hidden=args.show_hidden,
                             audience=audience))
    else:
        text = (report.to_text(show_hidden=args.show_hidden, audience=audience) + "\n"
                if args.format == "text" else
                render(report, args.format, show_hidden=args.show_hidden,
                       audience=INSTRUCTOR if args.instructor else None))
        if args.output:
            write_output(args.output, text)
            print(f"{report.exercise_id}: {format_points(report.score)}/"
                  f"{format_points(report.max_score)} points"
                  f"{', all checks pass' if report.passed else ''}; "
                  f"{args.format} report written to {args.output}")
        else:
            sys.stdout.write(text)
    return EXIT_OK if report.passed else EXIT_CHECK_FAILED
