"""Submissions and batch grading: a whole class's snapshots in, a grade sheet out.

A **submission** is a :class:`~labcheck.snapshot.Snapshot` taken by
``labcheck submit ID -o me.json`` (:func:`labcheck.live.grading.make_submission`,
which reads the daemon; :func:`submission` adds the record). :func:`grade_files`
grades any number of them, purely (no daemon); every file gets a graded row
or a :class:`Problem`, and a problem never stops the batch. What a submitted
file can prove is in ``docs/what-grading-proves.md``.

One module per step: ``submissions`` (the record in ``meta["submission"]``),
``reading`` (a file -> a readable submission or a problem), ``dedupe`` (one
submission per student), ``grading`` (each kept file graded), ``flags``
(copied snapshots), ``pipeline`` (:func:`grade_files`: the steps in order) and
``results`` (:class:`BatchResult` and its statistics). The grade sheet (CSV),
the terminal summary and the HTML page are renderers: :mod:`labcheck.render.batch`.
"""

from __future__ import annotations

from .pipeline import grade_files
from .reading import expand_paths
from .results import BatchResult, CheckStats, Graded, Problem
from .submissions import SUBMISSION_FORMAT, SubmissionInfo, submission, submission_info

__all__ = [
    "SUBMISSION_FORMAT",
    "submission",
    "submission_info",
    "SubmissionInfo",
    "Problem",
    "Graded",
    "CheckStats",
    "BatchResult",
    "grade_files",
    "expand_paths",
]
