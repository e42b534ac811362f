"""A student's copy of the lessons: outputs cleared, their own changes never overwritten.

``make lab``, Binder and a classroom open a *workspace* made from the
course's ``lessons/`` (whose stored outputs stay there, for nbval). Run
``labcheck workspace [DIR]`` (default: ``workspace/`` beside ``lessons/``)
to make it or bring it up to date: new lessons are copied, lessons the
student has not touched are updated, and a lesson the student changed is
kept while the course's new version is put beside it and named in the
workspace's ``UPDATES.md``.

:mod:`.plan` decides (pure, from content hashes and the manifest the last
sync wrote); :mod:`.sync` reads and writes the files.
"""

from __future__ import annotations

from .plan import BESIDE, COPY, LEAVE, MANIFEST, NOTES, UPDATE, Action, clear_outputs, plan
from .sync import SyncResult, default_source, default_workspace, sync

__all__ = ["COPY", "UPDATE", "LEAVE", "BESIDE", "MANIFEST", "NOTES", "Action", "plan",
           "clear_outputs", "SyncResult", "sync", "default_source", "default_workspace"]
