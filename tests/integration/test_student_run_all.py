"""A student's "Run All" never solves an exercise for them.

Each lesson runs top to bottom in a fresh kernel, as a student's "Run All"
does: without ``LABCHECK_SOLUTIONS`` (only the course CI sets it), so the
hidden reference solutions and the CI-only checks are skipped. Then every
exercise of the lesson is graded against what the run left on the daemon:
none may pass. The same lesson run with ``LABCHECK_SOLUTIONS=1`` passes
them all (nbval and the run-twice test prove that side), so this test can
fail: a solution cell that forgets its ``if labcheck.solutions_enabled()``
makes it fail.

Lessons use fixed names: this test must not run the same lesson at the same
moment as nbval or the run-twice test.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import labcheck
from labcheck.live.ownership import reset

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"
LESSONS = sorted(LESSONS_DIR.glob("[0-9][0-9]-*.ipynb"))
#: Lessons whose exercises are not graded yet.
EXERCISES_PENDING: set[str] = set()
_CHECK_BUTTON = re.compile(r"check_button\(\s*[\"']([^\"']+)[\"']")


def _where(exercise: str, docker_client) -> dict:
    """Where an exercise is graded: the daemon, or (checks that name nodes) the lab of
    several hosts the lesson's kernel started (the same default lab name: same env)."""
    from labcheck.exercises import load_exercise
    from labcheck.live.engines.nodes import find

    return {"nodes": find()} if load_exercise(exercise).nodes else {"client": docker_client}


def exercises_of(notebook) -> list[str]:
    """The exercise ids of a lesson: those of its Check buttons, in order."""
    return [m.group(1) for cell in notebook.cells if cell.cell_type == "code"
            for m in _CHECK_BUTTON.finditer(cell.source)]


def test_exercises_of_reads_the_check_buttons() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('check_button("01-publish", topology=True)'),
                      nbformat.v4.new_markdown_cell('check_button("not-code")'),
                      nbformat.v4.new_code_cell("check_button('02-shop')")]
    assert exercises_of(notebook) == ["01-publish", "02-shop"]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_run_all_leaves_every_exercise_ungraded_or_failing(path: Path, docker_client,
                                                             monkeypatch, tmp_path) -> None:
    notebook = nbformat.read(path, as_version=4)
    exercises = exercises_of(notebook)
    if path.name[:2] in EXERCISES_PENDING:
        pytest.skip(f"{path.name}: its exercises wait for the multi-node grading layer")
    assert exercises, f"{path.name} has no exercise (no check_button cell)"
    monkeypatch.delenv("LABCHECK_SOLUTIONS", raising=False)   # a student's kernel never has it
    monkeypatch.setenv("LABCHECK_HINTS_FILE", str(tmp_path / "hints.json"))
    monkeypatch.setenv("LABCHECK_PREDICTIONS_FILE", str(tmp_path / "predictions.json"))
    lesson = path.name[:2]
    reset(docker_client, lesson=lesson)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        with client.setup_kernel():
            code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
            # Run All, but grade what the student's run built before the clean-up cell
            for index in code[:-1]:
                client.execute_cell(notebook.cells[index], index)
            solved = []
            for exercise in exercises:
                report = labcheck.check(exercise, **_where(exercise, docker_client))
                if report.passed:
                    solved.append(exercise)
            printed = [out.get("text", "") for cell in notebook.cells
                       for out in cell.get("outputs", ()) if out.get("output_type") == "stream"]
            # the lesson's own clean-up: it also removes what is not a labelled Docker object
            client.execute_cell(notebook.cells[code[-1]], code[-1])
    finally:
        reset(docker_client, lesson=lesson)
    assert not solved, f"{path.name}: Run All solved {solved} for the student"
    assert not any("solution built" in text for text in printed), \
        f"{path.name}: a solution cell ran without LABCHECK_SOLUTIONS"
