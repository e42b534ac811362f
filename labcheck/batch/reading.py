"""Reading submission files: each one a readable submission, or a problem naming it.

A file that is missing, unreadable, byte for byte the same as one read
before, not text, empty, not a snapshot, of another schema or not a
submission is a :class:`~labcheck.batch.results.Problem` with one line
saying why (a snapshot file's advice to take it again is for students, and
left out).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import LabcheckError, SnapshotFileError
from ..snapshot import Snapshot
from .results import Problem
from .submissions import SubmissionInfo, submission_info

__all__ = ["Readable", "expand_paths", "read_submission"]


def expand_paths(items: Sequence[str]) -> list[Path]:
    """Files named on the command line; a folder stands for its ``*.json`` files."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        paths.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return paths


@dataclass
class Readable:
    """A submission file read and understood: its snapshot, record and student."""

    path: str
    snapshot: Snapshot
    info: SubmissionInfo
    #: The record's student, else the file's name without its suffix.
    student: str


def read_submission(path: Path, seen_content: dict[str, str]) -> "Readable | Problem":
    """``path`` read, or why not; ``seen_content`` (digest -> file) finds byte-for-byte copies."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Problem(name, "no such file")
    except OSError as exc:
        return Problem(name, f"cannot be read: {exc.strerror or exc}")
    digest = hashlib.sha256(data).hexdigest()
    if digest in seen_content:
        return Problem(name, f"identical to {seen_content[digest]} (byte for byte); graded once")
    seen_content[digest] = name
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Problem(name, "is not text (not a labcheck submission)")
    if not text.strip():
        return Problem(name, "is empty")
    try:
        snapshot = Snapshot.loads(text, source="it")
        info = submission_info(snapshot, source="it")
    except SnapshotFileError as exc:
        # Its advice ("take it again: labcheck snapshot ...") is for students.
        return Problem(name, exc.problem.removeprefix("it ").strip().rstrip("."))
    except LabcheckError as exc:
        return Problem(name, str(exc).removeprefix("it ").strip().rstrip("."))
    return Readable(name, snapshot, info, info.student or path.stem)
