"""Predict-then-run questions and the CI-only switch for reference solutions."""

from __future__ import annotations

import json

import pytest

import labcheck
from labcheck.errors import EnvironmentProblem, UsageError
from labcheck.teaching import (
    PREDICTIONS_FILE,
    predictions_path,
    recorded_predictions,
    solutions_enabled,
)

pytest.importorskip("ipywidgets")

CHOICES = ["yes, by name", "no: the name does not resolve", "it hangs"]


@pytest.mark.parametrize("value, expected", [
    (None, False), ("", False), ("0", False), ("yes", False), ("true", False), ("1", True),
    (" 1 ", True)])
def test_solutions_enabled_only_with_1(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("LABCHECK_SOLUTIONS", raising=False)
    else:
        monkeypatch.setenv("LABCHECK_SOLUTIONS", value)
    assert solutions_enabled() is expected
    assert labcheck.solutions_enabled() is expected


def test_predictions_live_beside_the_hints_file(monkeypatch, tmp_path):
    monkeypatch.delenv("LABCHECK_PREDICTIONS_FILE", raising=False)
    monkeypatch.setenv("LABCHECK_HINTS_FILE", str(tmp_path / "sub" / "hints.json"))
    assert predictions_path() == tmp_path / "sub" / PREDICTIONS_FILE
    monkeypatch.delenv("LABCHECK_HINTS_FILE")
    monkeypatch.chdir(tmp_path)
    assert predictions_path().resolve() == (tmp_path / PREDICTIONS_FILE).resolve()
    monkeypatch.setenv("LABCHECK_PREDICTIONS_FILE", str(tmp_path / "mine.json"))
    assert predictions_path() == tmp_path / "mine.json"


def test_lock_in_records_the_answer_and_says_recorded(monkeypatch, tmp_path):
    path = tmp_path / "predictions.json"
    monkeypatch.setenv("LABCHECK_PREDICTIONS_FILE", str(path))
    # no answers file: a question it does not list only records (the packaged one lists 01-*)
    monkeypatch.setenv("LABCHECK_PREDICTION_ANSWERS", str(tmp_path / "no-answers.yaml"))
    question = labcheck.predict("01-ping-by-name", "From alpha, does ping beta work?", CHOICES)
    assert question.button.disabled            # nothing picked yet
    question.options.value = question.options.options[1]
    assert not question.button.disabled
    question.button.click()
    assert question.answer == CHOICES[1]
    assert "recorded" in question.status.value
    assert question.options.disabled and question.button.disabled
    saved = json.loads(path.read_text())
    assert saved["01-ping-by-name"]["answer"] == CHOICES[1]
    assert saved["01-ping-by-name"]["question"] == "From alpha, does ping beta work?"
    # a second question is added, the first kept; answering again replaces
    labcheck.predict("01-other", "Q?", ["a", "b"]).lock_in("b")
    labcheck.predict("01-ping-by-name", "From alpha, does ping beta work?", CHOICES).lock_in(0)
    answers = {k: v["answer"] for k, v in recorded_predictions().items()}
    assert answers == {"01-ping-by-name": CHOICES[0], "01-other": "b"}
    # a new widget for an answered question says what was answered
    again = labcheck.predict("01-other", "Q?", ["a", "b"])
    assert "you answered earlier: b" in again.status.value


def test_lock_in_without_a_choice_is_refused(tmp_path):
    question = labcheck.predict("q", "Q?", ["a", "b"], path=tmp_path / "p.json")
    with pytest.raises(UsageError, match="pick an answer"):
        question.lock_in()
    assert not (tmp_path / "p.json").exists()


def test_unwritable_file_is_said_in_the_widget(tmp_path):
    question = labcheck.predict("q", "Q?", ["a", "b"], path=tmp_path / "no-such-dir" / "p.json")
    with pytest.raises(EnvironmentProblem, match="cannot record the answer"):
        question.lock_in("a")
    assert "cannot record the answer" in question.status.value
    assert question.answer is None


@pytest.mark.parametrize("choices", [[], ["only"], ["a", "a"]])
def test_bad_choices_are_refused(choices):
    with pytest.raises(UsageError):
        labcheck.predict("q", "Q?", choices)


def test_without_a_frontend_the_question_is_text():
    question = labcheck.predict("02-dns", "Does beta resolve?", ["yes", "no"])
    bundle = question._repr_mimebundle_()
    assert bundle["text/plain"] == (
        "Predict (02-dns): Does beta resolve?\n  a) yes\n  b) no\n"
        "Pick one and press Lock in (in JupyterLab); nothing is graded.")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert repr(question) == bundle["text/plain"]


def test_in_a_kernel_without_a_browser_the_question_prints_as_text(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import labcheck\nlabcheck.predict('03-rr', 'Which order?', ['fixed', 'shuffled'])")]
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    (out,) = notebook.cells[0].outputs
    assert out.data["text/plain"] == (
        "Predict (03-rr): Which order?\n  a) fixed\n  b) shuffled\n"
        "Pick one and press Lock in (in JupyterLab); nothing is graded.")
    assert not list(tmp_path.glob("*.json"))   # nothing recorded until Lock in


# -- predictions that teach: right or not, and why, after the answer only -------------

WHY = "The default bridge has no embedded DNS: only addresses work there."


def _widget_state(question) -> str:
    """Everything the frontend holds of the widget (what a saved notebook would keep)."""
    return json.dumps([w.get_state() for w in _all(question.widget)], default=str)


def _all(widget) -> list:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += _all(child)
    return found


def test_a_right_answer_is_said_right_with_why(tmp_path):
    path = tmp_path / "p.json"
    question = labcheck.predict("01-ping-by-name", "Does ping beta work?", CHOICES,
                                answer=CHOICES[1], why=WHY, path=path)
    assert question.feedback() == "" and question.right is None
    question.lock_in(1)
    assert question.right is True
    assert question.feedback() == f"Right: b) {CHOICES[1]}. {WHY}"
    assert "Right: b)" in question.status.value and WHY in question.status.value
    assert json.loads(path.read_text())["01-ping-by-name"]["right"] is True


def test_a_wrong_answer_is_said_wrong_with_the_right_one_and_why(tmp_path):
    question = labcheck.predict("q", "Does ping beta work?", CHOICES, answer=1, why=WHY,
                                path=tmp_path / "p.json")
    question.options.value = question.options.options[0]
    question.button.click()
    assert question.right is False
    assert question.feedback() == f"Not quite: the answer is b) {CHOICES[1]}. {WHY}"
    assert "Not quite: the answer is b)" in question.status.value
    # a new widget for the answered question says what was answered, and the feedback
    again = labcheck.predict("q", "Does ping beta work?", CHOICES, answer=1, why=WHY,
                             path=tmp_path / "p.json")
    assert "you answered earlier: yes, by name" in again.status.value
    assert "Not quite" in again.status.value


def test_the_answer_is_in_no_output_before_an_answer(tmp_path):
    why = "Only a user-defined network runs Docker's embedded DNS server."
    question = labcheck.predict("q", "Does ping beta work?", CHOICES, answer="it hangs",
                                why=why, path=tmp_path / "p.json")
    bundle = question._repr_mimebundle_()
    shown = json.dumps(bundle) + repr(question) + _widget_state(question)
    assert "embedded DNS" not in shown and "Right" not in shown and "Not quite" not in shown
    assert bundle["text/plain"] == labcheck.teaching.prediction_text(
        "q", "Does ping beta work?", CHOICES)
    question.lock_in("it hangs")
    assert "embedded DNS" in _widget_state(question)


@pytest.mark.parametrize("answer", ["d", 3, "maybe", True])
def test_an_answer_that_is_no_choice_is_refused(answer):
    with pytest.raises(UsageError, match="answer="):
        labcheck.predict("q", "Q?", ["a", "b", "c"], answer=answer)


def test_why_without_an_answer_is_refused():
    with pytest.raises(UsageError, match="why= needs answer="):
        labcheck.predict("q", "Q?", ["a", "b"], why="because")


def test_a_letter_names_the_right_choice(tmp_path):
    question = labcheck.predict("q", "Q?", ["yes", "no"], answer="b", path=tmp_path / "p.json")
    assert question.lock_in("no") == "no" and question.right is True
    assert question.feedback() == "Right: b) no."


def test_answers_can_live_outside_the_notebook(monkeypatch, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("01-q:\n  answer: b\n  why: Only a user-defined network has DNS.\n")
    monkeypatch.setenv("LABCHECK_PREDICTION_ANSWERS", str(answers))
    question = labcheck.predict("01-q", "Q?", ["yes", "no"], path=tmp_path / "p.json")
    assert "Only a user-defined" not in json.dumps(question._repr_mimebundle_())
    question.lock_in("yes")
    assert question.feedback() == "Not quite: the answer is b) no. Only a user-defined network has DNS."
    # a question the file does not list only records, as before
    other = labcheck.predict("01-other", "Q?", ["yes", "no"], path=tmp_path / "p.json")
    other.lock_in("yes")
    assert "recorded" in other.status.value and other.right is None


def test_the_packaged_answers_file_is_valid_and_broken_ones_are_named(tmp_path):
    from labcheck.teaching import known_answers
    assert isinstance(known_answers(), dict)
    bad = tmp_path / "bad.yaml"
    bad.write_text("q: just text\n")
    with pytest.raises(UsageError, match="bad.yaml"):
        known_answers(bad)
