"""The graded data of one exercise: each check's result, and the score.

:class:`CheckResult` is one check's verdict; :class:`ReportData` is every
check of one exercise with its score, as plain data. The renderers
(:mod:`labcheck.render.text`, :mod:`labcheck.render.html`) read a
:class:`ReportData`; :class:`~labcheck.report.Report` is a :class:`ReportData` that
also renders itself (``to_text``, ``to_html``, ``to_json``), so the
renderers never import the report that calls them.

>>> g = ReportData("demo", "Demo", results=(
...     CheckResult("a", "network exists", "pass", 1, 1, "ok"),
...     CheckResult("b", "secret", "fail", 0, 2, "no", hidden=True)))
>>> g.score, g.max_score, g.passed, g.hidden_count
(1.0, 3.0, False, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .audience import INSTRUCTOR, STUDENT, with_advice
from .expected import Expected

__all__ = ["CheckResult", "ReportData"]


@dataclass(frozen=True)
class CheckResult:
    """One check's result: ``status`` is "pass", "fail" or "error".

    ``expected`` is the part of the topology the check asks for (what a
    diagram of the Report marks green or red); it is not written to JSON.
    ``message`` says what is wrong and the evidence; ``advice`` is the
    command that would fix it, which only an instructor's rendering shows
    (:meth:`text`, :mod:`labcheck.audience`).
    """

    check_id: str
    title: str
    status: str
    points: float
    max_points: float
    message: str
    hint: str = ""
    hidden: bool = False
    kind: str = ""
    expected: Expected = field(default_factory=Expected, compare=False)
    advice: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def text(self, audience: str = STUDENT) -> str:
        """What ``audience`` reads of the result: the message, and the advice for an
        instructor."""
        return with_advice(self.message, self.advice, audience)

    @property
    def full_message(self) -> str:
        """The message and the advice (what an instructor reads)."""
        return self.text(INSTRUCTOR)

    def to_json(self) -> dict[str, Any]:
        return {"check_id": self.check_id, "title": self.title, "status": self.status,
                "points": self.points, "max_points": self.max_points, "message": self.message,
                "advice": self.advice, "hint": self.hint, "hidden": self.hidden,
                "kind": self.kind}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "CheckResult":
        return cls(check_id=data["check_id"], title=data.get("title", ""),
                   status=data["status"], points=float(data.get("points", 0)),
                   max_points=float(data.get("max_points", 0)),
                   message=data.get("message", ""), hint=data.get("hint", ""),
                   hidden=bool(data.get("hidden")), kind=data.get("kind", ""),
                   advice=data.get("advice", ""))


@dataclass(frozen=True)
class ReportData:
    """Every check of one exercise, graded on one snapshot: the data and its score.

    ``penalty`` is what revealed hints cost; the score never drops below 0.
    """

    exercise_id: str
    title: str
    lesson: str = ""
    results: tuple[CheckResult, ...] = ()
    penalty: float = 0.0
    hints_revealed: int = 0
    taken_at: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    reveal: str = ""

    @property
    def revealed(self) -> str:
        """The exercise's ``reveal`` text once every check passes ('' before)."""
        return self.reveal if self.passed else ""

    @property
    def raw_score(self) -> float:
        return float(sum(r.points for r in self.results))

    @property
    def score(self) -> float:
        return max(0.0, self.raw_score - self.penalty)

    @property
    def max_score(self) -> float:
        return float(sum(r.max_points for r in self.results))

    @property
    def fraction(self) -> float:
        """The score as a fraction of the maximum (1.0 for an exercise worth 0)."""
        return self.score / self.max_score if self.max_score else 1.0

    @property
    def passed(self) -> bool:
        """True when every check, hidden ones included, passes."""
        return all(r.passed for r in self.results)

    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    def visible(self, show_hidden: bool = False) -> tuple[CheckResult, ...]:
        """The results a student may see (all of them with ``show_hidden``)."""
        return tuple(r for r in self.results if show_hidden or not r.hidden)

    @property
    def hidden_count(self) -> int:
        return sum(1 for r in self.results if r.hidden)

    def expected(self) -> Expected:
        """The topology the graded checks ask for, all of them together."""
        merged = Expected()
        for item in self.results:
            merged = merged.merge(item.expected)
        return merged

    def result(self, check_id: str) -> CheckResult:
        for item in self.results:
            if item.check_id == check_id:
                return item
        raise KeyError(check_id)
