"""ready() on the real daemon: one line, and a Lab that works."""

from __future__ import annotations

import pytest

from labcheck.live.lab import Lab
from labcheck.live.notebook import UnreadyLab, ready

pytestmark = pytest.mark.docker


def test_ready_returns_a_working_lab(docker_client, unique, name, capsys):
    lab = ready(f"test-{unique}")
    try:
        out, err = capsys.readouterr()
        assert err == ""
        assert out.startswith(f"Ready for lesson test-{unique}: Docker Engine ")
        assert "labcheck/lab:1: present" in out and out.count("\n") == 1
        assert isinstance(lab, Lab) and not isinstance(lab, UnreadyLab)
        lab.run(name("box"), network_mode="none")
        assert lab.exec(name("box"), ["echo", "hi"]) == (0, "hi\n")
    finally:
        lab.reset()
        lab.client.close()
