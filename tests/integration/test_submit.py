"""``labcheck submit`` on the real daemon, then ``labcheck grade`` offline.

The reference solution and a broken variant of ``example-web-db`` (from
tests/exercises/example_web_db.py) are built for real; each student submits
through the CLI; the instructor's batch grade must equal what
``labcheck.check`` says on the live daemon.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import free_port, load_fixture, test_binding  # noqa: E402

import labcheck  # noqa: E402
from labcheck.batch import submission_info  # noqa: E402
from labcheck.live.grading import make_submission  # noqa: E402
from labcheck.exercises import load_exercise  # noqa: E402
from labcheck.snapshot import Snapshot  # noqa: E402

EXERCISE = "example-web-db"
FIXTURE = load_fixture(EXERCISE)


@pytest.fixture
def names(unique):
    return test_binding(EXERCISE, unique)


def _binding_args(names) -> list[str]:
    return ([f"--name={k}={v}" for k, v in names.names.items()]
            + [f"--port={k}={v}" for k, v in names.ports.items()])


def _labcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labcheck", *args], capture_output=True,
                          text=True, timeout=180, env=env)


def _live(docker_client, names, tmp_path):
    return labcheck.check(EXERCISE, client=docker_client, names=dict(names.names),
                          ports=dict(names.ports), hints_file=str(tmp_path / "hints.json"))


def test_submit_then_grade_matches_the_live_check(lab, names, docker_client, tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    live = {}
    for student, build in (("alice", FIXTURE.solution),
                           ("bob", FIXTURE.BROKEN["default-bridge"][0])):
        build(lab, names)
        live[student] = _live(docker_client, names, tmp_path)
        done = _labcheck("submit", EXERCISE, "-o", str(folder / f"{student}.json"),
                         "--student", student, *_binding_args(names))
        assert done.returncode == 0 and done.stderr == "", done
        assert f"saved submission of {EXERCISE} for {student}" in done.stdout
    assert live["alice"].passed and not live["bob"].passed

    sheet = tmp_path / "grades.csv"
    done = _labcheck("grade", str(folder), "--csv", str(sheet), "--html",
                     str(tmp_path / "summary.html"))
    assert done.returncode == 0 and done.stderr == "", done
    rows = {r["student"]: r for r in csv.DictReader(sheet.open())}
    for student, report in live.items():
        row = rows[student]
        assert float(row["score"]) == report.score
        assert row["passed"] == ("yes" if report.passed else "no")
        for result in report.results:
            assert float(row[result.check_id]) == result.points, (student, result)


def test_a_submission_records_probes_version_time_and_student(lab, names, docker_client,
                                                              tmp_path, monkeypatch):
    FIXTURE.solution(lab, names)
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-user")
    snap = make_submission(EXERCISE, client=docker_client, names=dict(names.names),
                           ports=dict(names.ports), hints_file=str(tmp_path / "none.json"))
    path = tmp_path / "me.json"
    snap.save(path)
    again = Snapshot.load(path)
    info = submission_info(again)
    assert (info.exercise, info.student) == (EXERCISE, "hub-user")
    assert info.labcheck_version == labcheck.__version__ == again.labcheck_version
    assert again.taken_at and again.engine_version
    bound = load_exercise(EXERCISE).bind(names)
    assert {r.probe for r in again.probes} == set(bound.probes(again))
    assert all(r.ran for r in again.probes)


def test_submit_without_a_daemon_is_one_line_exit_3(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = f"tcp://127.0.0.1:{free_port()}"
    done = _labcheck("submit", EXERCISE, "-o", str(tmp_path / "me.json"), env=env)
    assert done.returncode == 3 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "does not answer" in done.stderr
    assert not (tmp_path / "me.json").exists()


def test_submit_an_unknown_exercise_is_a_usage_error(tmp_path):
    done = _labcheck("submit", "example-web-bd", "-o", str(tmp_path / "me.json"))
    assert done.returncode == 2 and "Did you mean 'example-web-db'" in done.stderr
    assert "Traceback" not in done.stderr
