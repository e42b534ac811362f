"""What a sync does to each file of a student's workspace: pure decisions from hashes.

A student works in a copy of ``lessons/`` (the *workspace*) with the stored
outputs cleared. Each sync compares three hashes per file:

- ``new``: the file the course ships now (a notebook with its outputs cleared);
- ``current``: the file in the workspace now (None: there is none);
- ``last``: what the last sync wrote there (None: never synced), from the
  workspace's manifest.

and decides, never overwriting what the student changed:

======================================  ==========  ==================================
the workspace's file                    the course  action
======================================  ==========  ==================================
missing                                 any         ``copy`` (new, or deleted: back)
same as the course's                    any         ``leave`` (up to date)
as last synced (the student left it)    changed     ``update`` (replace it)
changed by the student                  unchanged   ``leave`` (the student's work)
changed by the student, or unknown      changed     ``beside``: the new version is
                                                    written beside it, the student told
======================================  ==========  ==================================

>>> plan({"01.ipynb": "n1"}, {}, {})[0].kind
'copy'
>>> plan({"01.ipynb": "n2"}, {"01.ipynb": "n1"}, {"01.ipynb": "n1"})[0].kind
'update'
>>> act = plan({"01.ipynb": "n2"}, {"01.ipynb": "mine"}, {"01.ipynb": "n1"})[0]
>>> act.kind, act.target
('beside', '01.updated-n2.ipynb')
>>> plan({"01.ipynb": "n1"}, {"01.ipynb": "mine"}, {"01.ipynb": "n1"})[0].kind
'leave'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Mapping

__all__ = ["COPY", "UPDATE", "LEAVE", "BESIDE", "Action", "plan", "digest", "clear_outputs",
           "beside_name", "next_manifest", "MANIFEST", "NOTES", "is_course_file"]

COPY, UPDATE, LEAVE, BESIDE = "copy", "update", "leave", "beside"

#: The workspace's record of what each sync wrote (path -> sha256), a dotfile.
MANIFEST = ".labcheck-workspace.json"
#: The note that tells the student what arrived beside their work.
NOTES = "UPDATES.md"

#: Files of ``lessons/`` that are for the course's maintainers, not for students.
_NOT_FOR_STUDENTS = frozenset({"sanitize.cfg", "README.md", "conftest.py"})
#: Folders the lessons make themselves as they run (never copied from a maintainer's run).
_MADE_BY_LESSONS = frozenset({"compose-08", "__pycache__", ".ipynb_checkpoints"})


@dataclass(frozen=True)
class Action:
    """What a sync does with one course file ``path``: ``kind``, written to ``target``."""

    path: str
    kind: str
    target: str
    reason: str
    #: the hash of the course's version (what the manifest records after the sync)
    new: str

    @property
    def writes(self) -> bool:
        return self.kind in (COPY, UPDATE, BESIDE)


def digest(data: bytes) -> str:
    """The sha256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def is_course_file(path: str) -> bool:
    """True for a file of ``lessons/`` (POSIX path relative to it) a student gets.

    >>> [is_course_file(p) for p in ("01-x.ipynb", "sanitize.cfg", "compose-08/a.yaml",
    ...                              ".labcheck-hints.json", "data/hosts.txt")]
    [True, False, False, False, True]
    """
    parts = PurePosixPath(path).parts
    if not parts or any(p.startswith(".") for p in parts):
        return False
    if parts[0] in _MADE_BY_LESSONS or any(p in ("__pycache__", ".ipynb_checkpoints")
                                           for p in parts):
        return False
    return not (len(parts) == 1 and parts[0] in _NOT_FOR_STUDENTS)


def clear_outputs(notebook: bytes) -> bytes:
    """A notebook (JSON bytes) without outputs, execution counts or saved widget state.

    Written as nbformat writes (indent 1, sorted keys), so the same lesson
    always clears to the same bytes.

    >>> nb = {"cells": [{"cell_type": "code", "source": "1", "outputs": [{"x": 1}],
    ...        "execution_count": 3, "metadata": {"execution": {"a": 1}}}],
    ...       "metadata": {"widgets": {"state": 1}}, "nbformat": 4, "nbformat_minor": 5}
    >>> out = json.loads(clear_outputs(json.dumps(nb).encode()))
    >>> out["cells"][0]["outputs"], out["cells"][0]["execution_count"], out["metadata"]
    ([], None, {})
    """
    data: dict[str, Any] = json.loads(notebook)
    for cell in data.get("cells", ()):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata")
        if isinstance(meta, dict):
            meta.pop("execution", None)
    meta = data.get("metadata")
    if isinstance(meta, dict):
        meta.pop("widgets", None)
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def beside_name(path: str, new: str) -> str:
    """Where an updated ``path`` goes when the student changed theirs: named by its hash,
    so the same update always lands on the same name.

    >>> beside_name("01-default-bridge.ipynb", "0123456789abcdef")
    '01-default-bridge.updated-01234567.ipynb'
    >>> beside_name("data/hosts", "ff")
    'data/hosts.updated-ff'
    """
    p = PurePosixPath(path)
    return str(p.with_name(f"{p.stem}.updated-{new[:8]}{p.suffix}"))


def plan(course: Mapping[str, str], workspace: Mapping[str, str | None],
         manifest: Mapping[str, str]) -> list[Action]:
    """One :class:`Action` per course file, in path order.

    ``course``: path -> hash of the version shipped now; ``workspace``: path
    -> hash of the workspace's file (missing or None: no file); ``manifest``:
    path -> hash the last sync wrote. Beside files already present with the
    same content are left (``workspace`` should hold their hashes too).
    """
    actions = []
    for path in sorted(course):
        new = course[path]
        current = workspace.get(path)
        last = manifest.get(path)
        if current is None:
            why = "deleted; brought back" if last else "new lesson"
            actions.append(Action(path, COPY, path, why, new))
        elif current == new:
            actions.append(Action(path, LEAVE, path, "up to date", new))
        elif current == last:
            actions.append(Action(path, UPDATE, path, "updated (you had not changed it)", new))
        elif last == new:
            actions.append(Action(path, LEAVE, path, "yours: you changed it", new))
        else:
            target = beside_name(path, new)
            if workspace.get(target) == new:
                actions.append(Action(path, LEAVE, path,
                                      f"yours; the new version is already in {target}", new))
            else:
                why = ("you changed it and the course updated it" if last else
                       "a file of yours has its name")
                actions.append(Action(path, BESIDE, target, why, new))
    return actions


def next_manifest(manifest: Mapping[str, str], actions: list[Action]) -> dict[str, str]:
    """The manifest after ``actions``: each course file's shipped hash (a student's
    changed file is then "changed" against it, so a later update is seen as one).

    >>> acts = plan({"a": "n2", "b": "n1"}, {"a": "mine", "b": "mine"}, {"a": "n1", "b": "n1"})
    >>> next_manifest({"a": "n1", "b": "n1"}, acts)
    {'a': 'n2', 'b': 'n1'}
    """
    out = dict(manifest)
    for act in actions:
        out[act.path] = act.new
    return out
