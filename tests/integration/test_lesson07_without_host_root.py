"""Lesson 07 where there is no root on the Docker host (a rootless engine, a hosted
one that refuses the helper): every cell still runs without an error or a word on
stderr, and each host view prints the reason instead of its findings.

The lack of access is made in the kernel itself, before the set-up cell, by having
``DockerHost.access`` answer no (as it does on a rootless engine); the daemon, the
containers and the lesson's own cells are real.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labcheck.live.ownership import reset

LESSON = Path(__file__).resolve().parents[2] / "lessons" / "07-under-the-hood.ipynb"
REASON = "commands on the Docker host run as uid 1000, not root (a rootless engine)"

pytestmark = pytest.mark.docker

_DENY = f"""
import labcheck.live.dockerhost as _dockerhost
_dockerhost.DockerHost.access = lambda self: _dockerhost.HostAccess(False, reason={REASON!r})
"""


def test_every_cell_runs_and_the_host_views_say_why_they_skip(docker_client, monkeypatch):
    monkeypatch.delenv("LABCHECK_SOLUTIONS", raising=False)      # a student's Run All
    notebook = nbformat.read(LESSON, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(_DENY))
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(LESSON.parent)}})
    try:
        client.execute()                                       # raises if a cell raises
    finally:
        reset(docker_client, lesson="07")
    stderr = [out.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
              for out in cell.get("outputs", ())
              if out.get("output_type") == "stream" and out.get("name") == "stderr"]
    assert stderr == []
    text = {i: "".join(out.get("text", "") for out in cell.get("outputs", ()))
            for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"}
    skipped = [i for i, out in text.items() if f"skipped: {REASON}" in out]
    calls_host = [i for i, cell in enumerate(notebook.cells)
                  if cell.cell_type == "code" and "on_host(" in cell.source
                  and "def on_host" not in cell.source]
    assert skipped and set(skipped) <= set(calls_host), (skipped, calls_host)
    assert any("root on the Docker host: False" in out for out in text.values())
    assert not any("as documented for its version: True" in out for out in text.values())
