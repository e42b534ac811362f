"""A Report as plain text for the terminal; ANSI colour only when asked (on a TTY).

>>> from labcheck.report import CheckResult, Report
>>> r = Report("demo", "Demo", results=(CheckResult("a", "net exists", "pass", 1, 1, "ok"),))
>>> print(render_text(r))
Demo (demo): 1/1 points, all checks pass
  PASS  net exists  1/1
        ok
>>> "\\x1b[32m" in render_text(r, color=True)
True
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING

from ..audience import STUDENT, check_audience
from ..points import format_points

if TYPE_CHECKING:  # pragma: no cover
    from ..results import ReportData

__all__ = ["render_text", "use_color"]

_COLORS = {"pass": "32", "fail": "31", "error": "33", "bold": "1", "dim": "2"}
_LABEL = {"pass": "PASS ", "fail": "FAIL ", "error": "ERROR"}


def use_color(stream: IO[str]) -> bool:
    """Colour on a TTY only, and never with ``NO_COLOR`` set."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _paint(text: str, what: str, color: bool) -> str:
    return f"\x1b[{_COLORS[what]}m{text}\x1b[0m" if color else text


def render_text(report: "ReportData", color: bool = False, show_hidden: bool = False,
                audience: str = STUDENT) -> str:
    """The report as lines: a header, then each visible check with its message and hint.

    A student's report says what is wrong and the evidence; an instructor's
    (``audience="instructor"``) adds the command that fixes it.
    """
    check_audience(audience)
    score = f"{format_points(report.score)}/{format_points(report.max_score)} points"
    verdict = ", all checks pass" if report.passed else ""
    lines = [_paint(f"{report.title} ({report.exercise_id}): {score}{verdict}", "bold", color)]
    for item in report.visible(show_hidden):
        label = _paint(_LABEL.get(item.status, item.status.upper()), item.status, color)
        tag = " [hidden]" if item.hidden else ""
        points = f"{format_points(item.points)}/{format_points(item.max_points)}"
        lines.append(f"  {label} {item.title}{tag}  {points}")
        message = item.text(audience)
        if message:
            lines.append(f"        {message}")
        if item.hint:
            lines.append(_paint(f"        hint: {item.hint}", "dim", color))
    hidden = 0 if show_hidden else report.hidden_count
    if hidden:
        lines.append(f"  + {hidden} hidden check{'s' if hidden != 1 else ''} "
                     f"(counted in the score)")
    if report.penalty:
        lines.append(f"  hints revealed: {report.hints_revealed} "
                     f"(-{format_points(report.penalty)} points)")
    if report.revealed:
        lines.append(_paint("  What was wrong:", "bold", color))
        lines += [f"    {line}" for line in report.revealed.splitlines()]
    return "\n".join(lines)
