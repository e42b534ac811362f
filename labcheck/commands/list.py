"""``labcheck list``: the exercises, with their lessons and points."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register", "run", "add_exercises_option"]


def add_exercises_option(parser: argparse.ArgumentParser) -> None:
    """``--exercises DIR`` (repeatable): an instructor's folder of exercise files."""
    parser.add_argument("--exercises", metavar="DIR", action="append", default=[],
                        help="also read exercise files (*.yaml) from DIR (repeatable; "
                             "LABCHECK_EXERCISES works too)")


def register(sub: Any) -> None:
    parser = sub.add_parser("list", help="list the exercises",
                            description="List the exercises: id, lesson, points and title.")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_exercises_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..exercises import list_exercises
    from ..report import format_points

    exercises = list_exercises(args.exercises)
    if args.format == "json":
        print(json.dumps([{"id": e.id, "title": e.title, "lesson": e.lesson,
                           "points": e.max_score, "checks": len(e.checks),
                           "source": e.source} for e in exercises], indent=2))
        return 0
    if not exercises:
        print("no exercises found")
        return 0
    width = max(len(e.id) for e in exercises)
    lesson_w = max(len("lesson"), *(len(e.lesson) for e in exercises))
    print(f"{'id':<{width}}  {'lesson':<{lesson_w}}  points  title")
    for e in exercises:
        points = format_points(e.max_score)
        print(f"{e.id:<{width}}  {e.lesson:<{lesson_w}}  {points:>6}  {e.title}")
    return 0
