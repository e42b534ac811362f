"""What a student sees of a failing check: what is wrong and the evidence, not the fix.

A Report carries both (``message`` and ``advice``); the renderer chooses by
audience. A student (the Check panel, ``labcheck.check()`` in a notebook,
``labcheck check``, the Gradescope and GitHub Classroom grade reports) reads
no command; an instructor (``labcheck check --instructor``, JUnit, JSON's
``advice``, the batch grade sheet) reads the ``Try: ...`` advice after the
message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labcheck.audience import INSTRUCTOR, STUDENT, with_advice
from labcheck.checks.base import Outcome
from labcheck.cli import main
from labcheck.exercises import list_exercises, load_exercise, parse_exercise
from labcheck.exercises.wording import commands_in
from labcheck.grading import grade
from labcheck.render.formats import render
from labcheck.report import CheckResult, Report
from labcheck.snapshot import Snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EX = "example-web-db"

HELLO = """\
id: hello-ex
title: Hello
lesson: "09"
checks:
  - id: hello-running
    kind: container_running
    container: hello
"""


def test_a_missing_container_is_said_without_the_command_to_a_student():
    report = grade(parse_exercise(HELLO, "hello.yaml"), Snapshot())
    result = report.result("hello-running")
    assert result.message == "container 'hello' does not exist."
    assert result.advice == "Create it with docker run --name hello ..."
    student, instructor = report.to_text(), report.to_text(audience=INSTRUCTOR)
    assert "container 'hello' does not exist." in student and "Create it with" not in student
    assert ("container 'hello' does not exist. Create it with docker run --name hello ..."
            in instructor)
    assert "Create it with" not in report.to_html() and "Create it with" not in report._repr_html_()
    assert "Create it with" in report.to_html(audience=INSTRUCTOR)


def test_the_advice_is_for_instructors_in_every_renderer():
    report = grade(load_exercise(EX), Snapshot())
    fix = "Try: docker network create appnet"
    assert fix not in report.to_text() and fix not in str(report)
    assert fix not in report.to_html()
    assert fix in report.to_text(audience=INSTRUCTOR) and fix in report.to_html(audience=INSTRUCTOR)
    for fmt in ("junit", "text"):  # an instructor's or a course CI's
        assert fix in render(report, fmt), fmt
    for fmt in ("gradescope", "classroom"):  # grade reports a student reads
        student = render(report, fmt)
        assert "network 'appnet' does not exist." in student and "Try:" not in student, fmt
        assert fix in render(report, fmt, audience=INSTRUCTOR), fmt
    assert fix not in render(report, "junit", audience=STUDENT)
    with pytest.raises(ValueError, match="audience"):
        render(report, "gradescope", audience="teacher")
    data = report.to_json()
    first = data["results"][0]
    assert first["message"] == "network 'appnet' does not exist." and first["advice"] == fix
    assert Report.from_json(report.to_json(show_hidden=True)).results[0].advice == fix


def test_an_unknown_audience_is_refused():
    report = grade(load_exercise(EX), Snapshot())
    with pytest.raises(ValueError, match="audience"):
        report.to_text(audience="teacher")


def test_with_advice_and_full_message():
    assert with_advice("bad.", "", INSTRUCTOR) == "bad."
    assert with_advice("bad.", "Try: x", STUDENT) == "bad."
    assert Outcome.failed("bad.", "Try: x").full_message == "bad. Try: x"
    item = CheckResult("a", "t", "fail", 0, 1, "bad.", advice="Try: x")
    assert item.text() == "bad." and item.full_message == "bad. Try: x"


def _snapshots() -> list[Snapshot]:
    found = [Snapshot()]
    for path in sorted(FIXTURES.glob("snapshot-*.json")):
        found.append(Snapshot.load(str(path)))
    return found


@pytest.mark.parametrize("exercise_id", [e.id for e in list_exercises()])
def test_no_students_message_holds_a_command(exercise_id):
    """Every exercise graded on the recorded snapshots: the messages a student reads
    hold no command (the advice may)."""
    ex = load_exercise(exercise_id)
    for snap in _snapshots():
        report = grade(ex, snap)
        for item in report.results:
            assert commands_in(item.message) == [], (item.check_id, item.message)
        assert "Try:" not in report.to_text(show_hidden=True)


def test_the_cli_speaks_to_a_student_unless_told(tmp_path, capsys):
    empty = tmp_path / "empty.json"
    Snapshot().save(str(empty))
    assert main(["check", EX, "--snapshot", str(empty)]) == 1
    student = capsys.readouterr().out
    assert "network 'appnet' does not exist." in student and "Try:" not in student
    assert main(["check", EX, "--snapshot", str(empty), "--instructor"]) == 1
    assert "Try: docker network create appnet" in capsys.readouterr().out
    out = tmp_path / "r.txt"
    assert main(["check", EX, "--snapshot", str(empty), "-o", str(out)]) == 1
    assert "Try:" not in out.read_text()
    assert main(["check", EX, "--snapshot", str(empty), "--format", "json", "-o", str(out)]) == 1
    assert json.loads(out.read_text())["results"][0]["advice"].startswith("Try:")
    for fmt, field in (("gradescope", "output"), ("classroom", "message")):
        assert main(["check", EX, "--snapshot", str(empty), "--format", fmt, "-o", str(out)]) == 1
        shown = [t[field] or "" for t in json.loads(out.read_text())["tests"]]
        assert any("does not exist" in m for m in shown) and not any("Try:" in m for m in shown)
        assert main(["check", EX, "--snapshot", str(empty), "--format", fmt, "-o", str(out),
                     "--instructor"]) == 1
        assert "Try: docker network create appnet" in out.read_text()


def test_the_check_panel_shows_a_students_report():
    pytest.importorskip("ipywidgets")
    from labcheck.widgets import ExercisePanel

    report = grade(load_exercise(EX), Snapshot())
    panel = ExercisePanel(EX, check=lambda exercise_id, progress=None: report,
                          hints=None)
    panel.run_check()
    shown = json.dumps([dict(o) for o in panel.output.outputs])
    assert "does not exist" in shown and "Try:" not in shown and "docker network create" not in shown
