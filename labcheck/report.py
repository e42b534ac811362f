"""Report: the graded result of one exercise, and its renderers' entry points.

>>> r = Report("demo", "Demo", results=(
...     CheckResult("a", "network exists", "pass", 1, 1, "network 'n' exists"),
...     CheckResult("b", "web attached", "fail", 0, 2, "not attached.",
...                 hint="Which networks is web on?", advice="Try: docker network connect n web"),
...     CheckResult("c", "secret", "pass", 1, 1, "ok", hidden=True)))
>>> r.score, r.max_score, r.passed, r.fraction
(2.0, 4.0, False, 0.5)
>>> [x.check_id for x in r.visible()]
['a', 'b']
>>> print(r.to_text())  # doctest: +NORMALIZE_WHITESPACE
Demo (demo): 2/4 points
  PASS  network exists  1/1
        network 'n' exists
  FAIL  web attached  0/2
        not attached.
        hint: Which networks is web on?
  + 1 hidden check (counted in the score)
>>> print(r.to_text(audience="instructor").splitlines()[4])
        not attached. Try: docker network connect n web
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .audience import INSTRUCTOR, STUDENT, with_advice
from .expected import Expected
from .points import format_points

__all__ = ["CheckResult", "Report", "format_points", "STUDENT", "INSTRUCTOR"]


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
class Report:
    """Every check of one exercise, graded on one snapshot.

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

    # -- renderers -------------------------------------------------------

    def to_text(self, color: bool = False, show_hidden: bool = False,
                audience: str = STUDENT) -> str:
        """The report as text for ``audience`` (a student's: no fixing commands)."""
        from .render.text import render_text
        return render_text(self, color=color, show_hidden=show_hidden, audience=audience)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self, show_hidden: bool = False, audience: str = STUDENT) -> str:
        """The report as HTML for ``audience`` (a notebook's and the Check panel's: a
        student's)."""
        from .render.html import render_html
        return render_html(self, show_hidden=show_hidden, audience=audience)

    def to_json(self, show_hidden: bool = False) -> dict[str, Any]:
        """Plain data; hidden checks are left out unless ``show_hidden``."""
        shown = self.visible(show_hidden)
        return {
            "exercise_id": self.exercise_id, "title": self.title, "lesson": self.lesson,
            "score": self.score, "max_score": self.max_score, "passed": self.passed,
            "penalty": self.penalty, "hints_revealed": self.hints_revealed,
            "taken_at": self.taken_at, "names": dict(self.names),
            "hidden_checks": 0 if show_hidden else self.hidden_count,
            "results": [r.to_json() for r in shown],
            **({"reveal": self.revealed} if self.revealed else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Report":
        """Read back what :meth:`to_json` wrote (with ``show_hidden=True``)."""
        return cls(exercise_id=data["exercise_id"], title=data.get("title", ""),
                   lesson=data.get("lesson", ""),
                   results=tuple(CheckResult.from_json(r) for r in data.get("results", ())),
                   penalty=float(data.get("penalty", 0)),
                   hints_revealed=int(data.get("hints_revealed", 0)),
                   taken_at=data.get("taken_at", ""), names=dict(data.get("names") or {}),
                   reveal=data.get("reveal", ""))

    def __str__(self) -> str:
        return self.to_text()
