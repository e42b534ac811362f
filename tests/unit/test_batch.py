"""Batch grading of submission files (no daemon).

The two fixtures are real submissions of ``example-web-db`` made by
``labcheck submit`` against a real daemon (the objects had a test suffix,
recorded in the file): ``solved.json`` is the reference solution,
``default-bridge.json`` the broken variant where both containers stayed on
the default bridge. Every other case is derived from them here.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from labcheck.batch import BatchResult, grade_files, submission_info
from labcheck.cli import main
from labcheck.errors import UsageError
from labcheck.render.batch import render_csv, render_html
from labcheck.snapshot import Snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
SOLVED = FIXTURES / "solved.json"
BROKEN = FIXTURES / "default-bridge.json"
BROKEN_FAILS = {"db-on-appnet", "web-on-appnet", "web-resolves-db", "web-reaches-db",
                "web-uses-embedded-dns"}


def _data(path: Path) -> dict:
    return json.loads(path.read_text())


def _write(folder: Path, name: str, data: dict | str | bytes) -> Path:
    path = folder / name
    if isinstance(data, dict):
        path.write_text(json.dumps(data))
    elif isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path


def _as(path: Path, student: str, **changes) -> dict:
    data = _data(path)
    data["meta"]["submission"]["student"] = student
    data.update(changes)
    return data


def _rows(result: BatchResult) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_csv(result))))


def test_solved_and_broken_submissions_grade_as_recorded():
    result = grade_files([SOLVED, BROKEN])
    assert result.problems == ()
    solved, broken = result.graded
    assert (solved.student, broken.student) == ("alice", "bob")
    assert solved.report.passed and solved.report.score == solved.report.max_score == 16
    assert {r.check_id for r in broken.report.failed()} == BROKEN_FAILS
    assert broken.report.score == 9
    assert solved.labcheck_version and solved.taken_at


def test_csv_has_a_row_per_submission_and_a_column_per_check():
    result = grade_files([SOLVED, BROKEN])
    rows = _rows(result)
    checks = [c for _, c in result.columns()]
    assert len(checks) == 12 and "web-uses-embedded-dns" in checks  # hidden ones too
    assert list(rows[0])[8:8 + len(checks)] == checks
    assert [r["student"] for r in rows] == ["alice", "bob"]
    assert rows[0]["web-published-loopback"] == "2" and rows[1]["web-resolves-db"] == "0"
    assert [(r["score"], r["max_score"], r["passed"]) for r in rows] == [("16", "16", "yes"),
                                                                          ("9", "16", "no")]


def test_every_kind_of_bad_file_is_reported_by_name_and_the_batch_goes_on(tmp_path):
    good = _write(tmp_path, "a-good.json", _as(SOLVED, "ann"))
    text = SOLVED.read_text()
    newer = _as(SOLVED, "ned")
    newer["meta"]["submission"]["format"] = 99
    plain = _as(SOLVED, "pat")
    del plain["meta"]["submission"]
    files = {
        "b-truncated.json": (text[: len(text) // 2], "looks truncated"),
        "c-not-json.json": ("students: [alice, bob]\n", "is not JSON"),
        "d-binary.json": (b"\x89PNG\r\n\x1a\n\x00\x00", "is not text"),
        "e-empty.json": ("", "is empty"),
        "f-old-schema.json": (_as(SOLVED, "olga", schema_version=0), "schema version 0"),
        "g-newer-format.json": (newer, "Upgrade labcheck"),
        "h-not-a-submission.json": (plain, "not a submission"),
        "i-other-json.json": ({"name": "web"}, "not a labcheck snapshot"),
        "j-damaged.json": (_as(SOLVED, "dan", containers=[{"oops": 1}]), "damaged"),
        "k-same-bytes.json": (good.read_bytes(), "identical to"),
    }
    paths = [good] + [_write(tmp_path, name, data) for name, (data, _) in files.items()]
    paths.append(tmp_path / "l-missing.json")
    result = grade_files(paths)
    assert [g.student for g in result.graded] == ["ann"]
    reported = {Path(p.path).name: p.message for p in result.problems}
    assert set(reported) == set(files) | {"l-missing.json"}
    for name, (_, words) in files.items():
        assert words in reported[name], (name, reported[name])
        assert "\n" not in reported[name]
    assert "a-good.json" in reported["k-same-bytes.json"]
    assert [Path(p.path).name for p in result.problems] == sorted(reported)  # input order
    problem_rows = [r for r in _rows(result) if r["problem"]]
    assert len(problem_rows) == len(reported)


def test_a_student_who_submits_twice_is_graded_on_the_later_file(tmp_path):
    early = _write(tmp_path, "bob-1.json", _as(SOLVED, "bob", taken_at="2020-01-01T10:00:00+00:00"))
    late = _write(tmp_path, "bob-2.json", _as(BROKEN, "bob", taken_at="2020-01-01T11:00:00+00:00"))
    for order in ([early, late], [late, early]):
        result = grade_files(order)
        assert [Path(g.path).name for g in result.graded] == ["bob-2.json"]
        (problem,) = result.problems
        assert Path(problem.path).name == "bob-1.json" and "taken later" in problem.message


def test_snapshots_sharing_docker_ids_between_students_are_flagged(tmp_path):
    copied = _write(tmp_path, "carl.json", _as(BROKEN, "carl"))
    result = grade_files([SOLVED, BROKEN, copied])
    flags = {g.student: g.flags for g in result.graded}
    assert flags["alice"] == ()
    assert "carl" in flags["bob"][0] and "bob" in flags["carl"][0]
    assert "copied" in flags["carl"][0]
    assert [r["flags"] != "" for r in _rows(result)] == [False, True, True]


def test_exercise_filter_and_unknown_exercise(tmp_path):
    other = _as(SOLVED, "otto")
    other["meta"]["submission"]["exercise"] = "example-web-bd"
    path = _write(tmp_path, "otto.json", other)
    result = grade_files([SOLVED, path])
    assert "Did you mean 'example-web-db'" in result.problems[0].message
    result = grade_files([SOLVED, path], exercise="example-web-db")
    assert "not 'example-web-db'" in result.problems[0].message
    assert len(result.graded) == 1


def test_revealed_hints_recorded_in_the_submission_cost_points(tmp_path):
    data = _as(SOLVED, "hana")
    data["meta"]["submission"]["hints_revealed"] = {"": 2}  # both exercise hints
    (graded,) = grade_files([_write(tmp_path, "hana.json", data)]).graded
    assert graded.report.penalty == 0.5 and graded.report.score == 15.5


def test_submission_info_reads_the_record():
    info = submission_info(Snapshot.load(SOLVED))
    assert (info.exercise, info.student) == ("example-web-db", "alice")
    with pytest.raises(UsageError, match="not a submission"):
        submission_info(Snapshot())


def test_html_summary_shows_pass_rates_and_common_failures(tmp_path):
    hostile = _as(BROKEN, "<script>alert(1)</script>")
    hostile["containers"][0]["id"] = "0" * 64  # keep it from being flagged as a copy
    result = grade_files([SOLVED, BROKEN, _write(tmp_path, "x.json", hostile)])
    page = render_html(result)
    assert "<script>alert" not in page
    stats = {s.check_id: s for s in result.check_stats()}
    assert stats["appnet-exists"].pass_rate == 1.0
    assert stats["web-resolves-db"].passed == 1 and stats["web-resolves-db"].total == 3
    assert "1/3" in page and "33%" in page
    top = result.common_failures()
    assert {check for _, check, _, n in top if n == 2} == BROKEN_FAILS
    # messages are grouped with the logical names, not each student's suffixed ones
    assert all("-e69447" not in message for _, _, message, _ in top)
    assert "docker network connect appnet web" in page


def test_cli_grade_writes_csv_and_html_and_exits_1_on_problems(tmp_path, capsys):
    _write(tmp_path, "ok.json", _as(SOLVED, "ann"))
    _write(tmp_path, "broken.json", "{")
    sheet, summary = tmp_path / "grades.csv", tmp_path / "summary.html"
    code = main(["grade", str(tmp_path), "--csv", str(sheet), "--html", str(summary)])
    out, err = capsys.readouterr()
    assert code == 1 and err == ""
    assert "graded 1 of 2 files" in out and "broken.json" in out
    assert sheet.read_text().count("\n") == 3 and summary.read_text().startswith("<!doctype")
    code = main(["grade", str(SOLVED), str(BROKEN), "--csv", str(sheet)])
    assert code == 0 and capsys.readouterr().err == ""


def test_cli_grade_without_files_is_a_usage_error(tmp_path, capsys):
    assert main(["grade", str(tmp_path)]) == 2
    assert "no submission files" in capsys.readouterr().err
