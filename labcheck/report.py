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

from dataclasses import dataclass
from typing import Any, Mapping

from .audience import INSTRUCTOR, STUDENT
from .points import format_points
from .results import CheckResult, ReportData

__all__ = ["CheckResult", "Report", "format_points", "STUDENT", "INSTRUCTOR"]


@dataclass(frozen=True)
class Report(ReportData):
    """Every check of one exercise, graded on one snapshot, with its renderers' entry points.

    The data and the score are :class:`~labcheck.results.ReportData`'s;
    ``penalty`` is what revealed hints cost, and the score never drops below 0.
    """

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
