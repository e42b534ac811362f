"""``labcheck submit ID -o FILE``: save what an instructor will grade.

The file is a snapshot of the daemon with the results of the exercise's
probes, the labcheck version, the time, the student's identifier and the
hints revealed (see :mod:`labcheck.batch`). Saving it succeeds whatever the
score (exit 0); the one-line summary says how it would grade now.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import UsageError
from .check import add_binding_options, binding_options
from .list import add_exercises_option

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("submit", help="save a submission of an exercise for grading",
                            description="Read the daemon and run the exercise's probes, then "
                                        "save the result as a submission file for "
                                        "'labcheck grade'.")
    parser.add_argument("exercise", metavar="ID", help="the exercise id (see: labcheck list)")
    parser.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="write the submission to FILE (JSON)")
    parser.add_argument("--student", metavar="NAME",
                        help="your identifier, as your course asks for it "
                             "(default: $JUPYTERHUB_USER, else none)")
    add_binding_options(parser)
    add_exercises_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import submission_info
    from ..grading import grade, resolve_exercise
    from ..live.grading import make_submission
    from ..report import format_points

    snapshot = make_submission(args.exercise, student=args.student, dirs=args.exercises,
                               **binding_options(args))
    try:
        snapshot.save(args.output)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output!r}: {exc.strerror or exc}") from None
    info = submission_info(snapshot)
    exercise = resolve_exercise(info.exercise, snapshot=snapshot, dirs=args.exercises)
    report = grade(exercise, snapshot, revealed=info.hints_revealed)
    who = f" for {info.student}" if info.student else ""
    failing = sum(1 for r in report.visible() if not r.passed)
    if report.passed:
        state = "every check passes"
    else:
        state = (f"{failing} check{'s' if failing != 1 else ''} fail" if failing
                 else "a hidden check fails") + f"; details: labcheck check {info.exercise}"
    print(f"saved submission of {info.exercise}{who} to {args.output} "
          f"(now {format_points(report.score)}/{format_points(report.max_score)} points, "
          f"{state})")
    return 0
