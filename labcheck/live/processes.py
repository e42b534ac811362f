"""Processes an engine started: whether one still runs, and waiting until it is gone.

One place for the pid checks of the netns engine, the system daemon and the
engine VM (QEMU and its forwarder).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Callable

__all__ = ["pid_alive", "wait_gone"]


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (exited, not yet reaped)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def wait_gone(pid: int, seconds: float, alive: Callable[[int], bool] = pid_alive) -> bool:
    """Wait up to ``seconds`` until ``alive(pid)`` is false; whether it is gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)
