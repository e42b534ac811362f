"""``labcheck grade FILES... --csv grades.csv --html summary.html``: grade a class.

Grades submission files made by ``labcheck submit`` without a daemon. Every
file gets a row; a file that cannot be graded (malformed, truncated,
duplicated, another version, not a submission) is reported by name and the
batch goes on. Exit 0 when every file was graded, 1 when some could not
be, 2 when no file was given.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from . import write_output
from .list import add_exercises_option

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("grade", help="grade a class's submission files",
                            description="Grade submission files (from 'labcheck submit') "
                                        "offline: a CSV row per file, a column per check, "
                                        "and an HTML summary. Exit 0 when every file was "
                                        "graded, 1 when some could not be.")
    parser.add_argument("files", metavar="FILE", nargs="+",
                        help="submission files, or folders of *.json files")
    parser.add_argument("--csv", metavar="FILE", help="write the grade sheet (CSV) to FILE")
    parser.add_argument("--html", metavar="FILE",
                        help="write a summary (pass rate per check, common failures) to FILE")
    parser.add_argument("--exercise", metavar="ID",
                        help="accept only submissions of this exercise")
    add_exercises_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import expand_paths, grade_files
    from ..render.batch import render_csv, render_html, summary_lines

    paths = expand_paths(args.files)
    if not paths:
        raise UsageError("no submission files found in " + ", ".join(args.files))
    result = grade_files(paths, exercise=args.exercise, dirs=args.exercises)
    written = []
    if args.csv:
        write_output(args.csv, render_csv(result))
        written.append(args.csv)
    if args.html:
        write_output(args.html, render_html(result))
        written.append(args.html)
    for line in summary_lines(result):
        print(line)
    if written:
        print("wrote " + ", ".join(written))
    else:
        print("(write the grade sheet with --csv FILE, a summary with --html FILE)")
    return EXIT_CHECK_FAILED if result.problems else EXIT_OK
