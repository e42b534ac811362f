"""A batch's verdicts as a grade sheet (CSV), a few terminal lines, and an HTML page.

The renderers of :class:`~labcheck.batch.BatchResult` (``labcheck grade
--csv FILE --html FILE`` and its summary): pure functions of the result.

>>> from labcheck.batch import BatchResult, Problem
>>> result = BatchResult(problems=(Problem("bob.json", "is empty"),))
>>> print("\\n".join(summary_lines(result)))
graded 0 of 1 file
not graded (1):
  bob.json: is empty
"""

from __future__ import annotations

import csv
import html
import io
from typing import TYPE_CHECKING

from ..points import format_points

if TYPE_CHECKING:  # pragma: no cover
    from ..batch.results import BatchResult

__all__ = ["render_csv", "summary_lines", "render_html"]


def render_csv(result: "BatchResult") -> str:
    """One row per file: identity, score, one column per check (points), flags, problem."""
    columns = result.columns()
    several = len(result.exercises) > 1
    header = ["file", "student", "exercise", "taken_at", "labcheck_version", "score",
              "max_score", "passed"]
    header += [f"{ex}:{check}" if several else check for ex, check in columns]
    header += ["flags", "problem"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in result.graded:
        report = row.report
        earned = {(report.exercise_id, r.check_id): format_points(r.points)
                  for r in report.results}
        writer.writerow([row.path, row.student, report.exercise_id, row.taken_at,
                         row.labcheck_version, format_points(report.score),
                         format_points(report.max_score), "yes" if report.passed else "no",
                         *(earned.get(key, "") for key in columns),
                         "; ".join(row.flags), ""])
    for problem in result.problems:
        writer.writerow([problem.path, problem.student, "", "", "", "", "", "",
                         *("" for _ in columns), "", problem.message])
    return out.getvalue()


def summary_lines(result: "BatchResult") -> list[str]:
    """A few lines for the terminal: counts, mean score, problems, flags."""
    files = len(result.graded) + len(result.problems)
    lines = [f"graded {len(result.graded)} of {files} file{'s' if files != 1 else ''}"]
    for ex in result.exercises:
        rows = [g.report for g in result.graded if g.report.exercise_id == ex]
        mean = sum(r.score for r in rows) / len(rows)
        full = sum(1 for r in rows if r.passed)
        lines.append(f"  {ex}: {len(rows)} submissions, mean {mean:.3g}/"
                     f"{format_points(rows[0].max_score)}, {full} pass every check")
    if result.problems:
        lines.append(f"not graded ({len(result.problems)}):")
        lines += [f"  {p.path}: {p.message}" for p in result.problems]
    flagged = [g for g in result.graded if g.flags]
    if flagged:
        lines.append(f"flagged ({len(flagged)}):")
        lines += [f"  {g.path}: {'; '.join(g.flags)}" for g in flagged]
    return lines


def render_html(result: "BatchResult", title: str = "labcheck: class summary") -> str:
    """A self-contained HTML page: pass rate per check, most common failures, problems."""
    esc = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}"
             "</title><style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
             "table{border-collapse:collapse;margin:1em 0}td,th{padding:.3em .6em;"
             "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
             ".bar{background:#eee;width:12em;height:1em}.bar span{display:block;height:1em;"
             "background:#2a7}.num{text-align:right}code{font-size:.9em}</style></head><body>",
             f"<h1>{esc(title)}</h1>"]
    heading = summary_lines(result)[:1 + len(result.exercises)]
    parts += [f"<p>{esc(line.strip())}</p>" for line in heading]
    stats = result.check_stats()
    for ex in result.exercises:
        parts.append(f"<h2>Pass rate per check: <code>{esc(ex)}</code></h2><table><tr>"
                     "<th>check</th><th>title</th><th class='num'>points</th>"
                     "<th class='num'>passed</th><th>rate</th></tr>")
        for s in (s for s in stats if s.exercise_id == ex):
            pct = round(100 * s.pass_rate)
            parts.append(
                f"<tr><td><code>{esc(s.check_id)}</code>{' (hidden)' if s.hidden else ''}</td>"
                f"<td>{esc(s.title)}</td><td class='num'>{format_points(s.max_points)}</td>"
                f"<td class='num'>{s.passed}/{s.total}</td><td><div class='bar' "
                f"title='{pct}%'><span style='width:{pct}%'></span></div> {pct}%</td></tr>")
        parts.append("</table>")
    failures = result.common_failures()
    parts.append("<h2>Most common failures</h2>")
    if failures:
        parts.append("<table><tr><th class='num'>students</th><th>check</th>"
                     "<th>message</th></tr>")
        several = len(result.exercises) > 1
        for ex, check, message, n in failures:
            label = f"{ex}:{check}" if several else check
            parts.append(f"<tr><td class='num'>{n}</td><td><code>{esc(label)}</code></td>"
                         f"<td>{esc(message)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None: every graded submission passes every check.</p>")
    if result.problems:
        parts.append(f"<h2>Files not graded ({len(result.problems)})</h2><table>"
                     "<tr><th>file</th><th>why</th></tr>")
        parts += [f"<tr><td><code>{esc(p.path)}</code></td><td>{esc(p.message)}</td></tr>"
                  for p in result.problems]
        parts.append("</table>")
    flagged = [g for g in result.graded if g.flags]
    if flagged:
        parts.append(f"<h2>Flagged ({len(flagged)})</h2><table>"
                     "<tr><th>file</th><th>student</th><th>why</th></tr>")
        parts += [f"<tr><td><code>{esc(g.path)}</code></td><td>{esc(g.student)}</td>"
                  f"<td>{esc('; '.join(g.flags))}</td></tr>" for g in flagged]
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
