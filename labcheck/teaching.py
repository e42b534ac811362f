"""Teaching aids for the lessons: predict-then-run questions, and CI-only solutions.

**Predict, then run.** Before a cell that shows a fact, a lesson asks the
student what will happen::

    labcheck.predict("01-ping-by-name", "From alpha, does `ping beta` work?",
                     ["yes, by name", "no: the name does not resolve", "it hangs"])

In JupyterLab this is a set of radio buttons and a **Lock in** button; the
answer is recorded (never graded). A question that names its right choice
and why (``answer=``, ``why=``) then says in a sentence or two whether the
student was right, and why::

    labcheck.predict("01-ping-by-name", "From alpha, does `ping beta` work?",
                     ["yes, by name", "no: the name does not resolve", "it hangs"],
                     answer=1, why="The default bridge has no embedded DNS: only "
                                   "addresses work there.")

The right choice and the reason are in no output before the student locks
in an answer: not in the question's text, not in the widget's state (they
stay in the kernel until then). To keep them out of the notebook's source
too, a lesson gives only the question and choices and lists the answer in
``labcheck/predictions.yaml`` (by question id; ``LABCHECK_PREDICTION_ANSWERS``
names another file): :func:`known_answers`. Without ``answer=`` the widget says
"recorded", as before. Where no widget can be drawn (nbval, nbclient, a
terminal) the cell shows the question and its choices as text, the same on
every run.

Answers go to ``.labcheck-predictions.json`` beside the hints file
(:mod:`labcheck.exercises.hints`: the working directory, or the folder of
``LABCHECK_HINTS_FILE``), or to the file named by ``LABCHECK_PREDICTIONS_FILE``.
It maps a question id to the last answer locked in (``right`` only when the
question names its right choice)::

    {"01-ping-by-name": {"answer": "no: the name does not resolve", "right": true,
                         "question": "...", "time": "2026-11-29T05:20:00+00:00"}}

**Reference solutions run in CI only.** A lesson's solution cell is
``if labcheck.solutions_enabled(): ...``: the course CI (nbval through
:mod:`labcheck.pytest_plugin`, the run-twice test, the browser test) sets
``LABCHECK_SOLUTIONS=1``; a student's "Run All" never does, so it never
solves an exercise for them.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "predictions.json")
>>> record_prediction("q1", "no", question="Does it resolve?", path=path)["answer"]
'no'
>>> recorded_predictions(path)["q1"]["question"]
'Does it resolve?'
>>> print(prediction_text("q1", "Does it resolve?", ["yes", "no"]))
Predict (q1): Does it resolve?
  a) yes
  b) no
Pick one and press Lock in (in JupyterLab); nothing is graded.
>>> print(feedback(["yes", "no"], "no", 1, "Only a user-defined network has DNS."))
Right: b) no. Only a user-defined network has DNS.
>>> print(feedback(["yes", "no"], "yes", 1, "Only a user-defined network has DNS."))
Not quite: the answer is b) no. Only a user-defined network has DNS.
"""

from __future__ import annotations

import json
import os
import string
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import EnvironmentProblem, RunFirst, UsageError
from .fallback import TextFallback

__all__ = ["SOLUTIONS_ENV", "PREDICTIONS_ENV", "PREDICTIONS_FILE", "solutions_enabled",
           "predictions_path", "recorded_predictions", "record_prediction", "prediction_text",
           "feedback", "known_answers", "ANSWERS_ENV", "Prediction", "predict", "needs"]

SOLUTIONS_ENV = "LABCHECK_SOLUTIONS"
#: Environment variable: a YAML file of predictions' answers instead of the packaged one.
ANSWERS_ENV = "LABCHECK_PREDICTION_ANSWERS"
ANSWERS_FILE = Path(__file__).with_name("predictions.yaml")
PREDICTIONS_ENV = "LABCHECK_PREDICTIONS_FILE"
PREDICTIONS_FILE = ".labcheck-predictions.json"


def needs(namespace: Mapping[str, Any], *names: str, run: str = "the cell above",
          **made_by: str) -> None:
    """Stop a cell run before the cells that make what it reads, saying which to run.

    A lesson's cell that reads a variable an earlier cell made starts with
    ``labcheck.needs(globals(), here="section 0's first code cell")``: each
    keyword is a name the cell reads and where it is made; names that one
    place makes can come first, with ``run=`` saying where. When one is
    missing (the student opened the lesson in the middle, or restarted the
    kernel), the cell stops with :class:`~labcheck.errors.RunFirst`, which
    Jupyter shows as one line instead of a ``NameError``'s traceback.

    >>> needs({"here": 1}, here="section 0's first code cell")
    >>> needs({"lan": 2}, here="section 0's first code cell", lan="section 4's")
    Traceback (most recent call last):
    ...
    labcheck.errors.RunFirst: Run section 0's first code cell (it makes `here`), then this cell.
    >>> try:
    ...     needs({}, here="section 0", lan="section 4")
    ... except NameError as exc:      # RunFirst is one
    ...     print(exc)
    Run section 0 (it makes `here`), then section 4 (it makes `lan`), then this cell.
    >>> needs({"rules": []}, "rules", "spec", run="the two cells above")
    Traceback (most recent call last):
    ...
    labcheck.errors.RunFirst: Run the two cells above (it makes `spec`), then this cell.
    """
    missing: dict[str, list[str]] = {}
    for name, where in [*((name, run) for name in names), *made_by.items()]:
        if name not in namespace:
            missing.setdefault(where, []).append(f"`{name}`")
    if missing:
        steps = [f"{where} (it makes {', '.join(made)})" for where, made in missing.items()]
        raise RunFirst(f"Run {', then '.join(steps)}, then this cell.")


def solutions_enabled() -> bool:
    """True only when ``LABCHECK_SOLUTIONS=1``: the course CI runs the reference solutions."""
    return os.environ.get(SOLUTIONS_ENV, "").strip() == "1"


def predictions_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Where answers are recorded: ``path``, ``$LABCHECK_PREDICTIONS_FILE``, else beside
    the hints."""
    if path or os.environ.get(PREDICTIONS_ENV):
        return Path(path or os.environ[PREDICTIONS_ENV])
    from .exercises.hints import hints_path
    return hints_path().parent / PREDICTIONS_FILE


def recorded_predictions(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every answer recorded so far: question id -> {"answer", "question", "time"}."""
    try:
        data = json.loads(predictions_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict) and "answer" in v}


def record_prediction(qid: str, answer: str, *, question: str = "",
                      path: str | os.PathLike[str] | None = None,
                      right: bool | None = None) -> dict[str, Any]:
    """Record ``answer`` to question ``qid`` (replacing an earlier one); return the entry.

    ``right`` (when the question names its right choice) is recorded too."""
    target = predictions_path(path)
    state = recorded_predictions(target)
    entry: dict[str, Any] = {"answer": str(answer), "question": str(question),
                             "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    if right is not None:
        entry["right"] = bool(right)
    state[str(qid)] = entry
    from .exercises.hints import save_state
    save_state(target, state, what="the answer", env=PREDICTIONS_ENV)
    return entry


def _letters(choices: Sequence[str]) -> list[str]:
    return [f"{string.ascii_lowercase[i]}) {choice}" for i, choice in enumerate(choices)]


def prediction_text(qid: str, question: str, choices: Sequence[str]) -> str:
    """The question as text, for a reader without widgets (stable from run to run)."""
    lines = [f"Predict ({qid}): {question}", *(f"  {c}" for c in _letters(choices)),
             "Pick one and press Lock in (in JupyterLab); nothing is graded."]
    return "\n".join(lines)


def known_answers(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """Question id -> {"answer": ..., "why": ...} from ``labcheck/predictions.yaml``
    (or ``path``, or ``$LABCHECK_PREDICTION_ANSWERS``). A file that is not a mapping
    of mappings is a :class:`UsageError` naming it."""
    import yaml

    target = Path(path or os.environ.get(ANSWERS_ENV) or ANSWERS_FILE)
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
    except OSError:
        return {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{target}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
            isinstance(v, dict) and "answer" in v for v in data.values()):
        raise UsageError(f"{target}: expected question ids, each with answer: and why:")
    return {str(k): dict(v) for k, v in data.items()}


def feedback(choices: Sequence[str], answer: str, right: int, why: str) -> str:
    """What the student reads after locking in ``answer``: right or not, the right
    choice, and why (one or two sentences)."""
    letter = _letters(choices)[right]
    head = f"Right: {letter}." if answer == choices[right] else \
        f"Not quite: the answer is {letter}."
    return f"{head} {why}".strip()


def _right_index(qid: str, choices: Sequence[str], answer: str | int | None) -> int | None:
    """The index of the right choice named by ``answer`` (its text, index or letter)."""
    if answer is None:
        return None
    if isinstance(answer, bool) or not isinstance(answer, (int, str)):
        raise UsageError(f"prediction {qid!r}: answer= is a choice's text or its index")
    if isinstance(answer, int):
        if 0 <= answer < len(choices):
            return answer
    elif answer in choices:
        return list(choices).index(answer)
    elif len(answer) == 1 and answer in string.ascii_lowercase[:len(choices)]:
        return string.ascii_lowercase.index(answer)
    raise UsageError(f"prediction {qid!r}: answer={answer!r} is not one of its choices")


class Prediction(TextFallback):
    """A multiple-choice question answered before running the cell that shows the truth.

    ``answer`` (the right choice: its text, index or letter) and ``why`` (one or
    two sentences) make the widget say, once an answer is locked in, whether it
    was right and why; both stay in the kernel until then.
    """

    def __init__(self, qid: str, question: str, choices: Sequence[str], *,
                 path: str | os.PathLike[str] | None = None, answer: str | int | None = None,
                 why: str = "") -> None:
        import ipywidgets as widgets  # only when a question is asked

        if not str(qid).strip():
            raise UsageError("a prediction needs an id, for example '01-ping-by-name'")
        if len(choices) < 2 or len(set(choices)) != len(choices):
            raise UsageError(f"prediction {qid!r} needs two or more different choices")
        if len(choices) > len(string.ascii_lowercase):
            raise UsageError(f"prediction {qid!r} has too many choices")
        if why and answer is None:
            raise UsageError(f"prediction {qid!r}: why= needs answer=, the right choice")
        if answer is None:
            listed = known_answers().get(str(qid), {})
            answer, why = listed.get("answer"), str(listed.get("why") or "")
        self.qid, self.question, self.choices = str(qid), str(question), list(choices)
        self._right = _right_index(self.qid, self.choices, answer)
        self._why = " ".join(str(why).split())
        self.path = path
        self.prompt = widgets.HTML(value=f"<b>Predict:</b> {_html(self.question)}")
        self.options = widgets.RadioButtons(options=_letters(self.choices), value=None,
                                            layout=widgets.Layout(width="max-content"))
        self.button = widgets.Button(description="Lock in", icon="lock", disabled=True,
                                     tooltip="record your answer (not graded), "
                                             "then run the next cell")
        self.status = widgets.HTML(value="")
        self.widget = widgets.VBox([self.prompt, self.options,
                                    widgets.HBox([self.button, self.status])])
        self.widget.add_class("labcheck-predict")
        self.options.observe(lambda _change: self._enable(), names="value")
        self.button.on_click(lambda _button: self.lock_in())
        self.answer: str | None = None
        earlier = recorded_predictions(path).get(self.qid)
        if earlier:
            said = f"you answered earlier: {_html(earlier['answer'])}"
            if self._right is not None and earlier["answer"] in self.choices:
                said += f". {self._feedback_html(earlier['answer'])}"
            self.status.value = said

    def _enable(self) -> None:
        self.button.disabled = self.options.value is None or self.answer is not None

    def lock_in(self, choice: str | int | None = None) -> str:
        """Record the selected choice (or ``choice``: its text or index) and return it."""
        if choice is not None:
            index = choice if isinstance(choice, int) else self.choices.index(choice)
            self.options.value = _letters(self.choices)[index]
        if self.options.value is None:
            raise UsageError(f"pick an answer to {self.qid!r} first")
        answer = self.choices[_letters(self.choices).index(self.options.value)]
        right = None if self._right is None else answer == self.choices[self._right]
        try:
            record_prediction(self.qid, answer, question=self.question, path=self.path,
                              right=right)
        except EnvironmentProblem as exc:
            self.status.value = f'<span style="color:#b42318">{_html(str(exc))}</span>'
            raise
        self.answer = answer
        self.options.disabled = True
        self.button.disabled = True
        if self._right is None:
            self.status.value = "recorded: now run the next cell and compare"
        else:
            self.status.value = (f"{self._feedback_html(answer)} Now run the next cell "
                                 "to see it happen.")
        return answer

    @property
    def right(self) -> bool | None:
        """Whether the locked-in answer is the right one (None: none yet, or no right one
        named)."""
        if self.answer is None or self._right is None:
            return None
        return self.answer == self.choices[self._right]

    def feedback(self) -> str:
        """Right or not, and why, once an answer is locked in ('' before)."""
        if self.answer is None or self._right is None:
            return ""
        return feedback(self.choices, self.answer, self._right, self._why)

    def _feedback_html(self, answer: str) -> str:
        assert self._right is not None
        text = feedback(self.choices, answer, self._right, self._why)
        color = "#1a7f37" if answer == self.choices[self._right] else "#b42318"
        return f'<span class="labcheck-feedback" style="color:{color}">{_html(text)}</span>'

    def text(self) -> str:
        """What a reader without widgets sees."""
        return prediction_text(self.qid, self.question, self.choices)



def _html(text: str) -> str:
    import html
    return html.escape(text)


def predict(qid: str, question: str, choices: list[str], *,
            path: str | os.PathLike[str] | None = None, answer: str | int | None = None,
            why: str = "") -> Prediction:
    """Ask a question before the cell that answers it (see the module docstring).

    ``answer``: the right choice (its text, index or letter); ``why``: one or two
    sentences the student reads after locking in an answer, right or not.
    """
    return Prediction(qid, question, choices, path=path, answer=answer, why=why)
