"""The submission record: what ``labcheck submit`` adds to a snapshot, read back.

The record, in ``meta["submission"]``: its format, the exercise, the
student's identifier, the labcheck version and the hints revealed. With it
the snapshot holds the daemon's state and the results of exactly the probes
the exercise needs (:func:`labcheck.live.grading.make_submission`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Mapping

from .._version import __version__
from ..errors import UsageError
from ..snapshot import Snapshot

if TYPE_CHECKING:  # pragma: no cover
    from ..exercises import Exercise

__all__ = ["SUBMISSION_FORMAT", "submission", "SubmissionInfo", "submission_info"]

#: Bumped when the submission's ``meta["submission"]`` layout changes incompatibly.
SUBMISSION_FORMAT = 1

_STUDENT_ENV = "JUPYTERHUB_USER"


def submission(snapshot: Snapshot, exercise: "Exercise", *, student: str | None = None,
               hints_file: str | None = None) -> Snapshot:
    """``snapshot`` (read for ``exercise``) with its ``meta["submission"]`` record.

    The record: format, exercise, student (``student``, else
    ``$JUPYTERHUB_USER``, else empty), labcheck version and the hints
    revealed so far. :func:`labcheck.live.grading.make_submission` reads the
    daemon and calls this.
    """
    from ..exercises import hints as _hints

    record = {
        "format": SUBMISSION_FORMAT,
        "exercise": exercise.id,
        "student": student if student is not None else os.environ.get(_STUDENT_ENV, ""),
        "labcheck_version": __version__,
        "hints_revealed": _hints.revealed(exercise.id, hints_file),
    }
    return replace(snapshot, meta={**snapshot.meta, "submission": record})


@dataclass(frozen=True)
class SubmissionInfo:
    """What a submission says about itself (``meta["submission"]``)."""

    exercise: str
    student: str
    labcheck_version: str
    hints_revealed: Mapping[str, int]


def submission_info(snapshot: Snapshot, source: str = "submission") -> SubmissionInfo:
    """The submission record of ``snapshot``; UsageError if it is not a usable one."""
    record = snapshot.meta.get("submission")
    if not isinstance(record, Mapping):
        raise UsageError(f"{source} is a snapshot, not a submission (no exercise recorded)",
                         advice="Students make one with: labcheck submit ID -o FILE")
    fmt = record.get("format")
    if fmt != SUBMISSION_FORMAT:
        newer = isinstance(fmt, int) and fmt > SUBMISSION_FORMAT
        raise UsageError(
            f"{source} has submission format {fmt!r} (labcheck "
            f"{record.get('labcheck_version') or snapshot.labcheck_version or '?'}); this labcheck "
            f"({__version__}) reads format {SUBMISSION_FORMAT}",
            advice="Upgrade labcheck to grade it" if newer
            else "Ask for it again, made with this labcheck")
    exercise = record.get("exercise")
    if not isinstance(exercise, str) or not exercise:
        raise UsageError(f"{source} names no exercise",
                         advice="Students make a submission with: labcheck submit ID -o FILE")
    hints = record.get("hints_revealed")
    hints = {str(k): int(v) for k, v in hints.items()
             if isinstance(v, int)} if isinstance(hints, Mapping) else {}
    return SubmissionInfo(exercise=exercise, student=str(record.get("student") or ""),
                          labcheck_version=str(record.get("labcheck_version")
                                               or snapshot.labcheck_version or ""),
                          hints_revealed=hints)
