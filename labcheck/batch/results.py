"""A batch's verdicts, and what they say across the class.

:class:`BatchResult` holds every file's verdict: a :class:`Graded` row (in
input order) or a :class:`Problem`. It counts passes per check and groups the
most common failures, with each student's own names and addresses put back
as the exercise's (:func:`logical_names`). How it looks (CSV, terminal,
HTML) is :mod:`labcheck.render.batch`'s.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from ..report import Report

__all__ = ["Problem", "Graded", "CheckStats", "BatchResult", "logical_names"]

_ADDRESS = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
_KEEP = {"127.0.0.1", "127.0.0.11", "0.0.0.0"}  # addresses that mean the same everywhere


@dataclass(frozen=True)
class Problem:
    """A file that could not be graded, and why (one line)."""

    path: str
    message: str
    student: str = ""


@dataclass(frozen=True)
class Graded:
    """One graded submission."""

    path: str
    student: str
    report: "Report"
    taken_at: str = ""
    labcheck_version: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckStats:
    """How one check fared across the batch."""

    exercise_id: str
    check_id: str
    title: str
    max_points: float
    hidden: bool
    passed: int
    total: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class BatchResult:
    """Every file's verdict: graded rows (in input order) and problems."""

    graded: tuple[Graded, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def exercises(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g.report.exercise_id for g in self.graded))

    def columns(self) -> list[tuple[str, str]]:
        """(exercise id, check id) of every check, in exercise order."""
        seen: dict[tuple[str, str], None] = {}
        for row in self.graded:
            for item in row.report.results:
                seen.setdefault((row.report.exercise_id, item.check_id), None)
        return list(seen)

    def check_stats(self) -> list[CheckStats]:
        """Pass counts per check, in exercise order."""
        stats: dict[tuple[str, str], list[Any]] = {}
        for row in self.graded:
            for item in row.report.results:
                key = (row.report.exercise_id, item.check_id)
                entry = stats.setdefault(key, [item.title, item.max_points, item.hidden, 0, 0])
                entry[3] += item.passed
                entry[4] += 1
        return [CheckStats(ex, check, *values) for (ex, check), values in stats.items()]

    def common_failures(self, limit: int = 10) -> list[tuple[str, str, str, int]]:
        """(exercise, check id, message, count) of the most frequent failures."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for row in self.graded:
            for item in row.report.failed():
                message = logical_names(item.full_message, row.report.names)
                counts[(row.report.exercise_id, item.check_id, message)] += 1
        return [(*key, n) for key, n in counts.most_common(limit)]


def logical_names(message: str, names: Mapping[str, str]) -> str:
    """``message`` with bound object names (``web-1a2b``) put back as logical (``web``).

    Addresses, which differ from daemon to daemon, become ``<address>``, so the
    same mistake groups together whatever names and subnets each student had.
    """
    for logical, real in sorted(names.items(), key=lambda kv: -len(kv[1])):
        if real and real != logical:
            message = re.sub(rf"(?<![\w.-]){re.escape(real)}(?![\w.-])", logical, message)
    return _ADDRESS.sub(lambda m: m.group(0) if m.group(0) in _KEEP else "<address>", message)
