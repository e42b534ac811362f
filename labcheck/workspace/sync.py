"""The file side of a workspace sync: read the hashes, carry out the plan, tell the student.

:func:`sync` reads the course's files (``lessons/``, notebooks cleared of
their outputs), the workspace's files and its manifest, asks
:func:`~labcheck.workspace.plan.plan` what to do, writes what it decided,
records the manifest, and appends to the workspace's ``UPDATES.md`` what
arrived beside the student's own files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import EnvironmentProblem, UsageError
from .plan import (
    BESIDE,
    COPY,
    LEAVE,
    MANIFEST,
    NOTES,
    UPDATE,
    Action,
    beside_name,
    clear_outputs,
    digest,
    is_course_file,
    next_manifest,
    plan,
)

__all__ = ["SyncResult", "sync", "course_files", "default_source", "default_workspace"]


@dataclass(frozen=True)
class SyncResult:
    """What one sync did: its actions, and the workspace it did them in."""

    workspace: Path
    actions: tuple[Action, ...]

    def of(self, kind: str) -> list[Action]:
        return [a for a in self.actions if a.kind == kind]

    def summary(self) -> str:
        """A few lines for the student: what is new, what arrived beside their work."""
        copied, updated, beside = self.of(COPY), self.of(UPDATE), self.of(BESIDE)
        kept = [a for a in self.of(LEAVE) if a.reason.startswith("yours")]
        lines = [f"your lessons: {self.workspace}"]
        if copied:
            lines.append(f"  new: {', '.join(a.path for a in copied)}")
        if updated:
            lines.append(f"  updated: {', '.join(a.path for a in updated)}")
        if kept:
            lines.append(f"  yours, kept as you left them: {', '.join(a.path for a in kept)}")
        for act in beside:
            lines.append(f"  NOTE: {act.path} changed in the course, and you changed yours: "
                         f"yours is kept, the new version is {act.target} (see {NOTES})")
        if len(lines) == 1:
            lines.append("  everything is up to date")
        return "\n".join(lines)


def default_source() -> Path:
    """The course's ``lessons/``: the project's (beside this package), else ./lessons."""
    here = Path(__file__).resolve().parents[2] / "lessons"
    return here if here.is_dir() else Path("lessons")


def default_workspace(source: Path | None = None) -> Path:
    """``workspace/`` beside the course's ``lessons/`` (gitignored in the project)."""
    return (source or default_source()).resolve().parent / "workspace"


def course_files(source: Path) -> dict[str, bytes]:
    """Every file of ``source`` a student gets (POSIX relative path -> the bytes to write):
    notebooks with their outputs cleared, other files as they are."""
    if not source.is_dir():
        raise UsageError(f"no lessons folder at {str(source)!r}: pass --from with the "
                         "course's lessons/")
    out: dict[str, bytes] = {}
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        if not path.is_file() or not is_course_file(rel):
            continue
        data = path.read_bytes()
        out[rel] = clear_outputs(data) if path.suffix == ".ipynb" else data
    return out


def _read_manifest(workspace: Path) -> dict[str, str]:
    try:
        data = json.loads((workspace / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _hash_of(path: Path) -> str | None:
    try:
        return digest(path.read_bytes()) if path.is_file() else None
    except OSError:
        return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.labcheck-tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _note(workspace: Path, beside: list[Action]) -> None:
    """Append to the workspace's UPDATES.md what arrived beside the student's files."""
    if not beside:
        return
    notes = workspace / NOTES
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = "" if notes.exists() else (
        "# Updated lessons\n\nWhen the course updates a lesson you have changed, your "
        "notebook is kept as it is and the new version is put beside it. Open both, "
        "copy what you want to keep, and delete the one you no longer need.\n")
    lines = [head, f"\n## {when}\n"]
    lines += [f"- `{a.path}` is yours, unchanged; the course's new version is `{a.target}`\n"
              for a in beside]
    with notes.open("a", encoding="utf-8") as out:
        out.write("".join(lines))


def sync(workspace: Path | None = None, source: Path | None = None) -> SyncResult:
    """Make or bring up to date a student's ``workspace`` from the course's ``source``.

    Never overwrites a file the student changed (see :mod:`.plan`).
    """
    source = source or default_source()
    workspace = workspace or default_workspace(source)
    files = course_files(source)
    hashes = {rel: digest(data) for rel, data in files.items()}
    try:
        workspace.mkdir(parents=True, exist_ok=True)
        manifest = _read_manifest(workspace)
        present: dict[str, str | None] = {}
        for rel, new in hashes.items():
            present[rel] = _hash_of(workspace / rel)
            present[beside_name(rel, new)] = _hash_of(workspace / beside_name(rel, new))
        actions = plan(hashes, present, manifest)
        for act in actions:
            if act.writes:
                _write(workspace / act.target, files[act.path])
        record = {"version": 1, "source": str(source.resolve()),
                  "files": next_manifest(manifest, actions)}
        _write(workspace / MANIFEST,
               (json.dumps(record, indent=1, sort_keys=True) + "\n").encode())
        _note(workspace, [a for a in actions if a.kind == BESIDE])
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot write the lessons to {str(workspace)!r}: {exc.strerror or exc}. "
            "Choose a folder you can write to: labcheck workspace DIR") from None
    return SyncResult(workspace, tuple(actions))
