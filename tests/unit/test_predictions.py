"""Every prediction a lesson asks has its right answer and why in labcheck/predictions.yaml.

The lessons call ``labcheck.predict("QID", question, [choices...])`` with no answer in the
cell (a student reading it must not read the answer); the answer and the reason live in
``labcheck/predictions.yaml``. These tests read every lesson notebook, find each call (with
``ast``), and check the two agree: each question has an entry whose answer is one of the
call's choices and whose why is not empty, no entry names a question no lesson asks, and no
call carries its answer in the notebook. Then each entry's feedback is rendered the way the
widget does after "Lock in".
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from labcheck.errors import UsageError
from labcheck.teaching import _right_index, known_answers

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]-*.ipynb"))
#: A call as written in a cell, found without parsing (so a call ast missed is noticed).
CALL = re.compile(r"""labcheck\.predict\(\s*["']([^"']+)["']""")


class Asked:
    """One ``labcheck.predict(...)`` call in a lesson: where, its id, its choices, its keywords."""

    def __init__(self, where: str, qid: str, choices: list[str] | None,
                 keywords: list[str]) -> None:
        self.where, self.qid, self.choices, self.keywords = where, qid, choices, keywords

    def __repr__(self) -> str:
        return f"Asked({self.where}, {self.qid!r})"


def _python(source: str) -> str:
    """A cell's source without IPython's magics and shell lines (``%``, ``%%``, ``!``)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def predictions_asked(notebook: dict[str, Any], name: str) -> tuple[list[Asked], list[str]]:
    """The predictions a notebook (its JSON) asks, and the problems met reading them."""
    asked: list[Asked] = []
    problems: list[str] = []
    for number, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        written = CALL.findall(source)
        if not written:
            continue
        where = f"{name} cell {number}"
        try:
            tree = ast.parse(_python(source))
        except SyntaxError as exc:
            problems.append(f"{where}: cannot parse the cell: {exc}")
            continue
        found = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "predict" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "labcheck"):
                continue
            if not node.args or not isinstance(node.args[0], ast.Constant) \
                    or not isinstance(node.args[0].value, str):
                problems.append(f"{where}: a predict() call whose id is not a string literal")
                continue
            choices_node = node.args[2] if len(node.args) > 2 else next(
                (k.value for k in node.keywords if k.arg == "choices"), None)
            try:
                choices = ast.literal_eval(choices_node) if choices_node is not None else None
            except ValueError:
                choices = None                 # not a literal: the answer is checked by id only
            if choices is not None and not (isinstance(choices, list)
                                            and all(isinstance(c, str) for c in choices)):
                problems.append(f"{where}: the choices of {node.args[0].value!r} are not a "
                                "list of strings")
                choices = None
            found.append(Asked(where, node.args[0].value, choices,
                               [k.arg for k in node.keywords if k.arg]))
        if sorted(a.qid for a in found) != sorted(written):
            problems.append(f"{where}: read {sorted(written)} in the text but "
                            f"{sorted(a.qid for a in found)} as calls")
        asked += found
    return asked, problems


def check_predictions(asked: list[Asked], answers: dict[str, dict[str, Any]]) -> list[str]:
    """What is wrong between the questions asked and the answers file ([] when nothing)."""
    problems = []
    seen: dict[str, str] = {}
    for question in asked:
        if question.qid in seen:
            problems.append(f"{question.where}: {question.qid!r} is asked in {seen[question.qid]} "
                            "too (the answers file holds one entry per id)")
        seen.setdefault(question.qid, question.where)
        for keyword in ("answer", "why"):
            if keyword in question.keywords:
                problems.append(f"{question.where}: {question.qid!r} gives {keyword}= in the "
                                "notebook: put it in labcheck/predictions.yaml")
        entry = answers.get(question.qid)
        if entry is None:
            problems.append(f"{question.where}: {question.qid!r} has no entry in the answers file")
            continue
        if not str(entry.get("why") or "").strip():
            problems.append(f"{question.qid}: its why is empty")
        if question.choices is not None:
            try:
                _right_index(question.qid, question.choices, entry.get("answer"))
            except UsageError as exc:
                problems.append(f"{question.where}: {exc} ({len(question.choices)} choices)")
            if entry.get("answer") is None:
                problems.append(f"{question.qid}: its answer is empty")
    for qid in sorted(set(answers) - set(seen)):
        problems.append(f"{qid!r} is in the answers file, but no lesson asks it")
    return problems


def _all_asked() -> list[Asked]:
    asked: list[Asked] = []
    for path in LESSONS:
        found, problems = predictions_asked(json.loads(path.read_text(encoding="utf-8")),
                                            path.name)
        assert not problems, problems
        asked += found
    return asked


def test_the_lessons_are_there():
    assert [p.name[:2] for p in LESSONS][:9] == [f"0{n}" for n in range(1, 10)]


def test_every_prediction_has_its_answer_and_why_and_nothing_else_is_listed():
    asked = _all_asked()
    assert len(asked) >= 29                           # lessons 01-09 ask 29 (2026-12)
    assert {a.qid[:2] for a in asked} >= {f"0{n}" for n in range(1, 10)}
    assert all(a.choices for a in asked)              # every call's choices read with ast
    problems = check_predictions(asked, known_answers())
    assert problems == [], "\n".join(problems)


# -- the checker itself can fail ------------------------------------------------------------

def _notebook(*sources: str) -> dict[str, Any]:
    return {"cells": [{"cell_type": "markdown", "source": "labcheck.predict('not-code', 'Q', [])"}]
            + [{"cell_type": "code", "source": s, "outputs": []} for s in sources]}


GOOD = {"99-q": {"answer": 1, "why": "Because."}}


def test_the_checker_passes_a_question_with_its_answer():
    asked, problems = predictions_asked(_notebook(
        "%%capture\nimport labcheck\nlabcheck.predict('99-q', 'Q?', ['a', 'b'])"), "99.ipynb")
    assert problems == [] and [(a.qid, a.choices) for a in asked] == [("99-q", ["a", "b"])]
    assert check_predictions(asked, GOOD) == []


def test_the_checker_finds_what_is_missing_wrong_or_left_over():
    asked, problems = predictions_asked(_notebook(
        'labcheck.predict("99-q", "Q?", ["a", "b"])',
        'labcheck.predict("99-made-up", "Q?", ["a", "b"])',           # no entry
        'labcheck.predict("99-short", "Q?", ["a", "b"])',             # answer out of range
        'labcheck.predict("99-empty", "Q?", ["a", "b"])',             # no why
        'labcheck.predict("99-inline", "Q?", ["a", "b"], answer=0)',  # answer in the notebook
        'labcheck.predict("99-q", "Again?", ["a", "b"])'), "99.ipynb")  # the same id twice
    assert problems == []
    answers = {**GOOD, "99-short": {"answer": 2, "why": "x"}, "99-empty": {"answer": "b"},
               "99-inline": {"answer": 0, "why": "x"}, "99-nobody-asks": {"answer": 0, "why": "x"}}
    found = "\n".join(check_predictions(asked, answers))
    assert "'99-made-up' has no entry" in found
    assert "99-short" in found and "answer=2 is not one of its choices" in found
    assert "99-empty: its why is empty" in found
    assert "'99-inline' gives answer= in the notebook" in found
    assert "'99-q' is asked in 99.ipynb cell 1 too" in found
    assert "'99-nobody-asks' is in the answers file, but no lesson asks it" in found
    assert len(check_predictions(asked, answers)) == 6


def test_the_checker_says_when_a_call_cannot_be_read():
    _, problems = predictions_asked(_notebook("labcheck.predict('99-q', 'Q?', ['a',"), "x.ipynb")
    assert problems and "cannot parse" in problems[0]
    _, problems = predictions_asked(_notebook("f = labcheck.predict\nf('99-q', 'Q?', ['a', 'b'])\n"
                                              "# labcheck.predict('99-r', 'Q?')"), "x.ipynb")
    assert problems and "read ['99-r'] in the text but [] as calls" in problems[0]


# -- the widget says right or not, and why, with these entries ------------------------------

@pytest.mark.parametrize("qid", sorted({a.qid for a in _all_asked()}))
def test_the_feedback_renders_with_the_packaged_entry(qid, tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    import labcheck

    monkeypatch.delenv("LABCHECK_PREDICTION_ANSWERS", raising=False)
    (question,) = [a for a in _all_asked() if a.qid == qid]
    assert question.choices is not None
    entry = known_answers()[qid]
    right = _right_index(qid, question.choices, entry["answer"])
    assert right is not None
    why = " ".join(str(entry["why"]).split())
    letter = "abcdefghijklmnopqrstuvwxyz"[right]
    path = tmp_path / "p.json"

    asked = labcheck.predict(qid, "the lesson's question", question.choices, path=path)
    asked.lock_in(right)
    assert asked.right is True
    assert asked.feedback() == f"Right: {letter}) {question.choices[right]}. {why}"
    assert "Right:" in asked.status.value

    wrong = next(i for i in range(len(question.choices)) if i != right)
    again = labcheck.predict(qid, "the lesson's question", question.choices,
                             path=tmp_path / "q.json")
    again.lock_in(wrong)
    assert again.right is False
    assert again.feedback() == (f"Not quite: the answer is {letter}) "
                                f"{question.choices[right]}. {why}")
    assert "Not quite:" in again.status.value
