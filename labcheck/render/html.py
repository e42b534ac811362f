"""A Report as an HTML fragment (``Report._repr_html_`` in notebooks).

Self-contained inline styles, no scripts; every text is escaped.

>>> from labcheck.report import CheckResult, Report
>>> r = Report("demo", "Demo <1>", results=(CheckResult("a", "x", "fail", 0, 1, "a < b"),))
>>> html = render_html(r)
>>> "Demo &lt;1&gt;" in html and "a &lt; b" in html and "0/1" in html
True
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..audience import STUDENT, check_audience
from ..points import format_points

if TYPE_CHECKING:  # pragma: no cover
    from ..results import ReportData

__all__ = ["render_html"]

_STYLE = {
    "pass": ("#1a7f37", "#dafbe1", "&#10004; pass"),
    "fail": ("#cf222e", "#ffebe9", "&#10008; fail"),
    "error": ("#9a6700", "#fff8c5", "! error"),
}


def render_html(report: "ReportData", show_hidden: bool = False,
                audience: str = STUDENT) -> str:
    """An HTML table of the report's visible results, for ``audience`` (see
    :func:`labcheck.render.text.render_text`)."""
    check_audience(audience)
    score = f"{format_points(report.score)}/{format_points(report.max_score)}"
    head_color = _STYLE["pass" if report.passed else "fail"][0]
    rows = []
    for item in report.visible(show_hidden):
        fg, bg, label = _STYLE.get(item.status, _STYLE["error"])
        hint = (f'<div style="color:#57606a;margin-top:2px">hint: {escape(item.hint)}</div>'
                if item.hint else "")
        tag = " <em>(hidden)</em>" if item.hidden else ""
        rows.append(
            f'<tr data-check="{escape(item.check_id)}" data-status="{escape(item.status)}">'
            f'<td style="color:{fg};background:{bg};white-space:nowrap;padding:2px 6px">'
            f'{label}</td>'
            f'<td style="padding:2px 6px;text-align:left"><strong>{escape(item.title)}</strong>'
            f'{tag}<div>{escape(item.text(audience))}</div>{hint}</td>'
            f'<td style="padding:2px 6px;white-space:nowrap">'
            f'{format_points(item.points)}/{format_points(item.max_points)}</td></tr>')
    hidden = 0 if show_hidden else report.hidden_count
    foot = []
    if hidden:
        foot.append(f"{hidden} hidden check{'s' if hidden != 1 else ''} counted in the score")
    if report.penalty:
        foot.append(f"hints revealed: {report.hints_revealed} "
                    f"(-{format_points(report.penalty)} points)")
    footer = (f'<div style="color:#57606a">{escape("; ".join(foot))}</div>' if foot else "")
    if report.revealed:
        footer += (f'<div class="labcheck-reveal" style="margin-top:4px"><strong>What was '
                   f'wrong:</strong> {escape(report.revealed)}</div>')
    return (
        f'<div class="labcheck-report" data-exercise="{escape(report.exercise_id)}">'
        f'<div style="font-weight:bold;color:{head_color}">{escape(report.title)} '
        f'({escape(report.exercise_id)}): {score} points'
        f'{", all checks pass" if report.passed else ""}</div>'
        f'<table style="border-collapse:collapse">{"".join(rows)}</table>{footer}</div>')
