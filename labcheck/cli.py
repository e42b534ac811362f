"""The ``labcheck`` command line.

Each subcommand lives in a module of :mod:`labcheck.commands` that exposes
``register(subparsers)``; the parser it adds sets ``func(args) -> int``.
Expected failures become one line on stderr and the exit code of their
:class:`~labcheck.errors.LabcheckError` (2 usage, 3 environment); no
traceback reaches the terminal for them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn, Sequence

from ._version import __version__
from .errors import EXIT_USAGE, LabcheckError

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

#: Modules of labcheck.commands, in the order their commands are listed.
COMMAND_MODULES = ("doctor", "snapshot", "reset", "list", "check", "hint", "diagram",
                   "explain", "submit", "grade", "engine", "nodes", "workspace", "hub")


class _Parser(argparse.ArgumentParser):
    """argparse with labcheck's usage-error exit code (2) and message shape."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"labcheck: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="labcheck",
                     description="Check, grade and draw Docker networking labs.")
    parser.add_argument("--version", action="version", version=f"labcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"labcheck.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except LabcheckError as exc:
        print(f"labcheck: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("labcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
