"""The nbgrader example assignment (examples/nbgrader/), graded by nbgrader itself.

In a temporary copy of the example course: ``nbgrader generate_assignment``
makes the student version (solution and hidden tests removed); three
students submit it (solved, half done, untouched); ``nbgrader autograde``
runs each notebook against the real daemon, with the hidden tests put
back; the gradebook must hold full marks, partial credit and zero.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grader_tools import grader_env, need  # noqa: E402

from labcheck.live.lab import Lab  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nbgrader"
ASSIGNMENT = "webdb"

SOLVED = ('lab.network(named("appnet"))\n'
          'lab.run(named("db"), network=named("appnet"), http=5432)\n'
          'lab.run(named("web"), network=named("appnet"), http=5000)\n')
# The network exists, but both containers stay on the default bridge: of the
# seven checks only appnet-exists and (hidden) db-not-published pass.
HALF_DONE = ('lab.network(named("appnet"))\n'
             'lab.run(named("db"), http=5432)\n'
             'lab.run(named("web"), http=5000)\n')


def _nbgrader(course: Path, *args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


def _submit(course: Path, student: str, build: str | None) -> None:
    release = json.loads((course / "release" / ASSIGNMENT / "webdb.ipynb").read_text())
    if build is not None:
        for cell in release["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == "build":
                cell["source"] = build
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "webdb.ipynb").write_text(json.dumps(release))


def test_nbgrader_generates_and_autogrades_the_example(tmp_path, unique, docker_client):
    need("nbgrader")
    course = tmp_path / "course"
    shutil.copytree(EXAMPLE, course)
    env = grader_env(LABCHECK_SUFFIX=unique)  # nbgrader runs `alembic` from PATH
    try:
        _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", env=env)
        student_version = (course / "release" / ASSIGNMENT / "webdb.ipynb").read_text()
        assert "BEGIN SOLUTION" not in student_version and "lab.run(" not in student_version
        assert "HIDDEN TESTS" not in student_version and "db-not-published" not in student_version
        assert "labcheck.score(EXERCISE, out_of=5" in student_version

        _submit(course, "alice", SOLVED)
        _submit(course, "bob", HALF_DONE)
        _submit(course, "carol", None)  # the release as it is: raise NotImplementedError()
        _nbgrader(course, "autograde", ASSIGNMENT, "--create", env=env)
    finally:
        Lab(f"nbgrader-webdb-{unique}", client=docker_client).reset()

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        grades = {}
        for student in ("alice", "bob", "carol"):
            submission = gradebook.find_submission(ASSIGNMENT, student)
            grades[student] = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
    assert grades["alice"] == {"visible-checks": 5.0, "hidden-checks": 2.0}
    assert grades["bob"]["hidden-checks"] == 0.0
    assert grades["bob"]["visible-checks"] == pytest.approx(5 * 2 / 7, abs=1e-3)
    assert grades["carol"] == {"visible-checks": 0.0, "hidden-checks": 0.0}
