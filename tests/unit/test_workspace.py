"""The student's workspace: the decisions (pure), and a sync end to end on real files.

The end-to-end tests copy the course's real ``lessons/`` into a temporary
course folder, make a workspace from it through ``labcheck workspace``, edit
a notebook there as a student would, change the course's lesson, and sync
again: the student's edit is intact, the new version is beside it, and the
student is told (the command's output and ``UPDATES.md``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from labcheck.cli import main
from labcheck.workspace import BESIDE, COPY, LEAVE, MANIFEST, NOTES, UPDATE, clear_outputs, plan, sync
from labcheck.workspace.plan import beside_name, digest, is_course_file, next_manifest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
LESSON = "01-default-bridge.ipynb"


# -- the decisions ------------------------------------------------------------

@pytest.mark.parametrize("current, last, new, kind", [
    (None, None, "n1", COPY),          # a new lesson
    (None, "n1", "n2", COPY),          # the student deleted it: it comes back
    ("n1", "n1", "n1", LEAVE),         # up to date
    ("n2", "n1", "n2", LEAVE),         # already the course's version
    ("n1", "n1", "n2", UPDATE),        # untouched by the student, updated by the course
    ("mine", "n1", "n1", LEAVE),       # the student's work, the course unchanged
    ("mine", "n1", "n2", BESIDE),      # both changed: the new one goes beside
    ("mine", None, "n2", BESIDE),      # a file of the student's own has the lesson's name
])
def test_plan_decides_from_the_three_hashes(current, last, new, kind):
    workspace = {} if current is None else {"a.ipynb": current}
    manifest = {} if last is None else {"a.ipynb": last}
    (action,) = plan({"a.ipynb": new}, workspace, manifest)
    assert action.kind == kind
    assert action.new == new
    assert action.target == (beside_name("a.ipynb", new) if kind == BESIDE else "a.ipynb")


def test_plan_never_writes_over_a_changed_file():
    """Whatever the hashes, a file the student changed is never a write's target."""
    values = [None, "n1", "n2", "mine"]
    for current in values:
        for last in values[:3]:
            for new in ("n1", "n2"):
                workspace = {} if current is None else {"a.ipynb": current}
                manifest = {} if last is None else {"a.ipynb": last}
                (action,) = plan({"a.ipynb": new}, workspace, manifest)
                changed = current is not None and current not in (last, new)
                if changed and action.writes:
                    assert action.target != "a.ipynb", (current, last, new, action)


def test_an_update_already_beside_is_not_written_again():
    target = beside_name("a.ipynb", "n2")
    (action,) = plan({"a.ipynb": "n2"}, {"a.ipynb": "mine", target: "n2"}, {"a.ipynb": "n1"})
    assert action.kind == LEAVE and target in action.reason


def test_after_a_beside_the_next_sync_leaves_the_students_file():
    first = plan({"a.ipynb": "n2"}, {"a.ipynb": "mine"}, {"a.ipynb": "n1"})
    manifest = next_manifest({"a.ipynb": "n1"}, first)
    (again,) = plan({"a.ipynb": "n2"}, {"a.ipynb": "mine"}, manifest)
    assert again.kind == LEAVE and again.reason.startswith("yours")


def test_maintainers_files_and_what_lessons_make_are_not_copied():
    assert is_course_file("01-default-bridge.ipynb")
    for path in ("sanitize.cfg", "README.md", "conftest.py", "compose-08/shop/compose.yaml",
                 ".hidden",
                 ".ipynb_checkpoints/01-checkpoint.ipynb", "sub/__pycache__/x.pyc"):
        assert not is_course_file(path), path


def test_clearing_the_real_lessons_leaves_no_output():
    for path in sorted(LESSONS.glob("*.ipynb")):
        cleared = json.loads(clear_outputs(path.read_bytes()))
        code = [c for c in cleared["cells"] if c["cell_type"] == "code"]
        assert code, path
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), path
        assert "widgets" not in cleared["metadata"]
        original = json.loads(path.read_bytes())
        assert [c["source"] for c in cleared["cells"]] == [c["source"] for c in original["cells"]]
        assert clear_outputs(path.read_bytes()) == clear_outputs(clear_outputs(path.read_bytes()))


# -- a sync on real files ---------------------------------------------------------

@pytest.fixture
def course(tmp_path) -> Path:
    """A copy of the course's lessons that the test can change."""
    folder = tmp_path / "course" / "lessons"
    shutil.copytree(LESSONS, folder)
    return folder


def _outputs(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(len(c.get("outputs", ())) for c in nb["cells"])


def _edit_markdown(path: Path, text: str) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": text})
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_a_new_workspace_has_every_lesson_without_outputs(course, tmp_path, capsys):
    work = tmp_path / "work"
    assert main(["workspace", str(work), "--from", str(course)]) == 0
    said = capsys.readouterr().out
    notebooks = sorted(p.name for p in course.glob("*.ipynb"))
    assert sorted(p.name for p in work.glob("*.ipynb")) == notebooks
    assert all(_outputs(work / name) == 0 for name in notebooks)
    assert _outputs(course / LESSON) > 0  # the course keeps its stored outputs for nbval
    assert not (work / "sanitize.cfg").exists() and not (work / "conftest.py").exists()
    assert (work / MANIFEST).exists()
    assert "new: " in said and LESSON in said


def test_a_students_edit_survives_an_update(course, tmp_path, capsys):
    work = tmp_path / "work"
    sync(work, course)
    # the student works in lesson 01, and leaves lesson 02 as it came
    _edit_markdown(work / LESSON, "my notes: the default bridge has no DNS")
    mine = (work / LESSON).read_bytes()
    # the course updates both lessons
    _edit_markdown(course / LESSON, "a new section from the course")
    _edit_markdown(course / "02-user-defined-bridges.ipynb", "another new section")

    assert main(["workspace", str(work), "--from", str(course)]) == 0
    said = capsys.readouterr().out

    assert (work / LESSON).read_bytes() == mine  # the student's edit, intact
    beside = list(work.glob("01-default-bridge.updated-*.ipynb"))
    assert len(beside) == 1
    assert "a new section from the course" in beside[0].read_text(encoding="utf-8")
    assert _outputs(beside[0]) == 0
    # the lesson the student had not touched is simply updated
    assert "another new section" in (work / "02-user-defined-bridges.ipynb").read_text()
    assert not list(work.glob("02-user-defined-bridges.updated-*"))
    # and the student is told, in the output and in the workspace
    assert "NOTE:" in said and LESSON in said and beside[0].name in said
    notes = (work / NOTES).read_text(encoding="utf-8")
    assert LESSON in notes and beside[0].name in notes

    # a third sync changes nothing and says nothing new
    assert main(["workspace", str(work), "--from", str(course), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert (work / LESSON).read_bytes() == mine
    assert len(list(work.glob("01-default-bridge.updated-*.ipynb"))) == 1


def test_a_new_lesson_arrives_and_a_deleted_one_comes_back(course, tmp_path):
    work = tmp_path / "work"
    sync(work, course)
    (work / LESSON).unlink()
    shutil.copy(course / LESSON, course / "09-new.ipynb")
    result = sync(work, course)
    assert {a.path for a in result.of(COPY)} == {LESSON, "09-new.ipynb"}
    assert _outputs(work / "09-new.ipynb") == 0 and (work / LESSON).exists()


def test_support_files_beside_the_lessons_are_copied(course, tmp_path):
    (course / "data").mkdir()
    (course / "data" / "hosts.txt").write_text("10.0.0.1 a\n")
    (course / "compose-08").mkdir(exist_ok=True)
    (course / "compose-08" / "left-by-a-run.yaml").write_text("x: 1\n")
    work = tmp_path / "work"
    sync(work, course)
    assert (work / "data" / "hosts.txt").read_text() == "10.0.0.1 a\n"
    assert not (work / "compose-08").exists()


def test_hashes_are_of_what_is_written(course, tmp_path):
    work = tmp_path / "work"
    sync(work, course)
    manifest = json.loads((work / MANIFEST).read_text())["files"]
    assert manifest[LESSON] == digest((work / LESSON).read_bytes())


def test_a_missing_course_is_a_usage_error(tmp_path, capsys):
    assert main(["workspace", str(tmp_path / "w"), "--from", str(tmp_path / "nothing")]) == 2
    assert "no lessons folder" in capsys.readouterr().err
