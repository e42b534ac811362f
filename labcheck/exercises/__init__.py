"""Exercises: YAML files of checks, and the public grading contract.

The contract other parts of labcheck (notebooks, widgets, diagrams, the
class grader) rely on:

- ``load_exercise(id, dirs=None) -> Exercise``; ``list_exercises(dirs=None)
  -> list[Exercise]``. Files come from this folder (``labcheck/exercises/
  *.yaml``), then instructors' folders in ``LABCHECK_EXERCISES``
  (``os.pathsep``-separated) or ``dirs`` (CLI: ``--exercises DIR``). An
  unknown id raises :class:`~labcheck.errors.UsageError` naming the
  closest ids; a bad file raises :class:`ExerciseFileError` (a UsageError)
  naming the file, the line, the key and what was expected.
- ``Exercise``: ``id``, ``title``, ``lesson``, ``checks`` (each a
  :class:`~labcheck.checks.Check` with ``id``, ``title``, ``points``,
  ``hidden``, ``hints``), ``hints``, ``probes(snapshot=None)`` (the probes
  its checks need; ``via: ip`` checks need the snapshot), ``containers()``
  (pass as ``collect(..., detail=...)``), ``expected()`` (a
  :class:`~labcheck.expected.Expected`), ``bind(binding)`` (map logical
  object names to real ones, see below).
- ``labcheck.grading.grade(exercise, snapshot) -> Report`` (pure);
  ``labcheck.check(id, *, snapshot=None, client=None, names=None,
  ports=None, suffix=None, progress=None) -> Report`` (collects live when no
  snapshot is given); ``labcheck.assert_exercise(id, ...)`` raises
  AssertionError with the student-facing text; ``labcheck.score(id, ...,
  out_of=1.0) -> float`` for nbgrader partial credit;
  ``labcheck.live.grading.collect_for(exercise, client)`` reads the state and
  runs exactly the probes the exercise needs.
- ``Report`` (:mod:`labcheck.report`): ``results`` (CheckResult: check_id,
  title, status "pass"/"fail"/"error", points, max_points, message, hint,
  hidden), ``score``, ``max_score``, ``passed``, ``_repr_html_()``,
  ``to_text(color=False)``, ``to_json()``; other formats in
  :mod:`labcheck.render.formats`.

Names: exercises name objects logically (``web``, ``appnet``) and lessons
use those names as they are. Tests running side by side bind them to unique
names: ``check(id, suffix="1a2b")`` (or ``LABCHECK_SUFFIX=1a2b``) grades
``web-1a2b`` and ``appnet-1a2b``; ``names={"web": "web-1a2b"}`` maps
explicitly; ``ports={8000: 18000}`` maps host ports.

Example::

    import labcheck
    ex = labcheck.load_exercise("example-web-db")
    report = labcheck.check("example-web-db")   # live daemon
    print(report.to_text())
    labcheck.assert_exercise("example-web-db")  # in an nbgrader test cell

>>> ex = load_exercise("example-web-db")
>>> ex.lesson, ex.networks, ex.container_names
('example', ('appnet',), ('web', 'db'))
>>> load_exercise("example-web-bd")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
labcheck.errors.UsageError: there is no exercise 'example-web-bd'. Did you mean 'example-web-db'...
"""

from __future__ import annotations

from ..checks import Binding, Check, Hint
from .loader import (
    ENV_VAR,
    PACKAGE_DIR,
    ExerciseFileError,
    exercise_dirs,
    exercise_files,
    list_exercises,
    load_exercise,
    parse_exercise,
    read_exercise_file,
)
from .model import Exercise

__all__ = ["Exercise", "Check", "Hint", "Binding", "ExerciseFileError", "load_exercise",
           "list_exercises", "parse_exercise", "read_exercise_file", "exercise_dirs",
           "exercise_files", "PACKAGE_DIR", "ENV_VAR"]
