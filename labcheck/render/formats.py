"""A Report in the formats graders read: JSON, JUnit XML, Gradescope/otter
``results.json``, and GitHub Classroom's v1 result JSON.

Who reads each format decides whether a failing check's advice (the command
that fixes it) is in it (:mod:`labcheck.audience`, :data:`READERS`):

- ``gradescope`` and ``classroom`` are grade reports a **student** reads
  (Gradescope's results page, GitHub Classroom's Actions log): each failing
  check gives what is wrong and the evidence, never the fix, which is the
  exercise's last hint and costs points there;
- ``json`` is labcheck's own data for an **instructor**'s tools: ``message``
  and ``advice`` stay two fields (a tool that shows a student something
  shows ``message``);
- ``junit`` and ``text`` go to an **instructor** or a course's CI: the
  message with its advice.

``render(..., audience=...)`` overrides the reader (``labcheck check
--instructor --format gradescope`` for an instructor's own look).

Hidden checks: Gradescope gets them with ``"visibility": "hidden"`` (it
keeps them from students itself); the other formats show them as
``hidden check N`` with no message unless ``show_hidden`` is set.

>>> from labcheck.report import CheckResult, Report
>>> r = Report("demo", "Demo", results=(
...     CheckResult("a", "net exists", "pass", 1, 1, "ok"),
...     CheckResult("b", "secret", "fail", 0, 2, "no", hidden=True)))
>>> import json
>>> data = json.loads(render(r, "classroom"))
>>> data["version"], data["status"], data["max_score"], [t["name"] for t in data["tests"]]
(1, 'fail', 3.0, ['net exists', 'hidden check 1'])
>>> json.loads(render(r, "gradescope"))["tests"][1]["visibility"]
'hidden'
>>> fix = Report("demo", "Demo", results=(
...     CheckResult("a", "net exists", "fail", 0, 1, "network 'n' does not exist.",
...                 advice="Try: docker network create n"),))
>>> json.loads(render(fix, "gradescope"))["tests"][0]["output"]
"network 'n' does not exist."
>>> json.loads(render(fix, "gradescope", audience=INSTRUCTOR))["tests"][0]["output"]
"network 'n' does not exist. Try: docker network create n"
>>> "<testsuite" in render(r, "junit")
True
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable
from xml.etree import ElementTree as ET

from ..audience import INSTRUCTOR, STUDENT, check_audience

if TYPE_CHECKING:  # pragma: no cover
    from ..report import CheckResult, Report

__all__ = ["FORMATS", "READERS", "render", "to_json_text", "to_junit", "to_gradescope",
           "to_classroom"]


def _output(item: "CheckResult", audience: str) -> str:
    """What ``audience`` reads of the result (the advice for an instructor only), and its
    hint on a line of its own."""
    return item.text(audience) + (f"\nhint: {item.hint}" if item.hint else "")


def _shown(report: "Report", show_hidden: bool,
           audience: str) -> list[tuple["CheckResult", str, str]]:
    """(result, name, message) with hidden checks anonymised unless shown."""
    out, n = [], 0
    for item in report.results:
        if item.hidden and not show_hidden:
            n += 1
            out.append((item, f"hidden check {n}", ""))
        else:
            out.append((item, item.title, _output(item, audience)))
    return out


def to_json_text(report: "Report", show_hidden: bool = False,
                 audience: str = INSTRUCTOR) -> str:
    """labcheck's own JSON (``Report.to_json``): ``message`` and ``advice`` apart, for any
    reader (``audience`` changes nothing here)."""
    return json.dumps(report.to_json(show_hidden=show_hidden), indent=2) + "\n"


def to_junit(report: "Report", show_hidden: bool = False, audience: str = INSTRUCTOR) -> str:
    """JUnit XML: one testsuite, one testcase per check."""
    rows = _shown(report, show_hidden, audience)
    suite = ET.Element("testsuite", {
        "name": report.exercise_id, "tests": str(len(rows)),
        "failures": str(sum(1 for r, _, _ in rows if r.status == "fail")),
        "errors": str(sum(1 for r, _, _ in rows if r.status == "error")),
        "skipped": "0", "timestamp": report.taken_at or ""})
    props = ET.SubElement(suite, "properties")
    for key, value in (("score", report.score), ("max_score", report.max_score),
                       ("penalty", report.penalty)):
        ET.SubElement(props, "property", {"name": key, "value": f"{value:g}"})
    for item, name, text in rows:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"labcheck.{report.exercise_id}",
            "name": name if item.hidden and not show_hidden else f"{item.check_id}: {name}"})
        if item.status != "pass":
            tag = "failure" if item.status == "fail" else "error"
            node = ET.SubElement(case, tag, {"message": text.splitlines()[0] if text else tag})
            node.text = text
    ET.indent(suite)
    body = ET.tostring(suite, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def to_gradescope(report: "Report", show_hidden: bool = False, audience: str = STUDENT) -> str:
    """Gradescope's (and otter's) ``results.json``: a student's grade report."""
    tests = []
    for item in report.results:
        tests.append({
            "name": item.title, "number": item.check_id,
            "score": item.points, "max_score": item.max_points,
            "status": "passed" if item.passed else "failed",
            "output": _output(item, audience),
            "visibility": "visible" if show_hidden or not item.hidden else "hidden"})
    output = f"{report.title}: {report.score:g}/{report.max_score:g} points"
    if report.penalty:
        output += f" (hints revealed: -{report.penalty:g})"
    return json.dumps({"score": report.score, "max_score": report.max_score,
                       "output": output, "tests": tests}, indent=2) + "\n"


def to_classroom(report: "Report", show_hidden: bool = False, audience: str = STUDENT) -> str:
    """GitHub Classroom's v1 result JSON (what autograding-grading-reporter reads, and
    prints in the student's Actions log): a student's grade report."""
    tests: list[dict[str, Any]] = []
    for item, name, text in _shown(report, show_hidden, audience):
        tests.append({"name": name, "status": item.status, "message": text or None,
                      "test_code": f"labcheck check {report.exercise_id}",
                      "filename": "", "line_no": 0, "execution_time": "0s",
                      "score": item.points})
    if report.penalty:
        tests.append({"name": "hints revealed", "status": "pass",
                      "message": f"-{report.penalty:g} points for {report.hints_revealed} hints",
                      "test_code": "", "filename": "", "line_no": 0, "execution_time": "0s",
                      "score": -report.penalty})
    status = "pass" if report.passed else (
        "error" if any(r.status == "error" for r in report.results) else "fail")
    return json.dumps({"version": 1, "status": status, "max_score": report.max_score,
                       "tests": tests}, indent=2) + "\n"


def _text(report: "Report", show_hidden: bool = False, audience: str = INSTRUCTOR) -> str:
    return report.to_text(color=False, show_hidden=show_hidden, audience=audience) + "\n"


#: Format name -> renderer(report, show_hidden, audience) -> text.
FORMATS: dict[str, Callable[..., str]] = {
    "text": _text,
    "json": to_json_text,
    "junit": to_junit,
    "gradescope": to_gradescope,
    "classroom": to_classroom,
}


#: Format name -> who reads it by default (the module's docstring says why).
READERS: dict[str, str] = {
    "text": INSTRUCTOR,
    "json": INSTRUCTOR,
    "junit": INSTRUCTOR,
    "gradescope": STUDENT,
    "classroom": STUDENT,
}


def render(report: "Report", fmt: str, show_hidden: bool = False,
           audience: str | None = None) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`), for ``audience`` (default:
    the format's reader, :data:`READERS`)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        from ..errors import UsageError
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    reader = READERS[fmt] if audience is None else check_audience(audience)
    return renderer(report, show_hidden=show_hidden, audience=reader)
