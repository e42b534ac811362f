"""``labcheck workspace [DIR]``: the student's copy of the lessons, made or brought up to date.

New lessons are copied with their outputs cleared; a lesson the student
changed is never overwritten: the course's new version goes beside it and
the command (and the workspace's ``UPDATES.md``) says so.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import EXIT_OK

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "workspace", help="make or update your copy of the lessons (outputs cleared)",
        description="Copy the course's lessons into DIR with their outputs cleared, or bring "
                    "DIR up to date. A lesson you changed is never overwritten: the new "
                    "version is put beside it and listed in DIR/UPDATES.md.")
    parser.add_argument("dir", nargs="?", metavar="DIR",
                        help="the workspace (default: workspace/ beside the course's lessons/)")
    parser.add_argument("--from", dest="source", metavar="LESSONS",
                        help="the course's lessons folder (default: the project's lessons/)")
    parser.add_argument("--quiet", action="store_true", help="print only what needs attention")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..workspace import default_source, default_workspace, sync

    source = Path(args.source) if args.source else default_source()
    target = Path(args.dir) if args.dir else default_workspace(source)
    result = sync(target, source)
    if args.quiet:
        for line in result.summary().splitlines():
            if "NOTE:" in line:
                print(line.strip())
    else:
        print(result.summary())
    return EXIT_OK
