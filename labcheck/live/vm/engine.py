"""The engine VM as one object for the CLI and :func:`labcheck.ready`.

:func:`build` makes the image and saves a booted, ready state with the lab
image already in it; :func:`ensure_running` starts the VM if needed and
returns its ``DOCKER_HOST``; :func:`env_lines` are the shell lines that
point a docker CLI or docker-py at it.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Mapping

from ...errors import EnvironmentProblem
from .build import AptSource, BuildResult, build_image
from .paths import EnginePaths
from .qemu import VmConfig, docker_host, qemu_binary, save_ready_state, start

__all__ = ["build", "ensure_running", "env_lines", "available", "prepare_engine"]

Say = Callable[[str], None]


def prepare_engine(host: str, paths: EnginePaths) -> None:
    """What the saved state should hold: the lab image, built from the image's busybox."""
    from ...daemon import connect
    from ...images import ensure_lab_image

    client = connect(environ={"DOCKER_HOST": host})
    try:
        ensure_lab_image(client, busybox=str(paths.busybox))
    finally:
        client.close()


def build(paths: EnginePaths | None = None, *, source: AptSource | None = None,
          refresh: bool = False, save_state: bool = True,
          say: Say = print) -> tuple[BuildResult, float | None]:
    """Build the image; then boot it once and save the ready state (unless told not to).

    Returns the build result and the cold boot's seconds to a ready API
    (None when no state was saved).
    """
    paths = paths or EnginePaths.default()
    result = build_image(paths, source=source, refresh=refresh, say=say)
    cold: float | None = None
    if save_state:
        if qemu_binary() is None:
            say("QEMU is not installed: no saved state (install qemu-system-x86 and run "
                "labcheck engine build again for a fast start)")
        else:
            cold = save_ready_state(paths, VmConfig.from_env(),
                                    prepare=lambda host: prepare_engine(host, paths), say=say)
    return result, cold


def available(paths: EnginePaths | None = None) -> bool:
    """Whether the VM can be started here: QEMU installed and the image built."""
    paths = paths or EnginePaths.default()
    return qemu_binary() is not None and paths.image_present()


def ensure_running(paths: EnginePaths | None = None, *, say: Say | None = None,
                   timeout: float = 300) -> tuple[str, float]:
    """(DOCKER_HOST of the running VM, seconds it took); starts it when needed."""
    paths = paths or EnginePaths.default()
    host = docker_host(paths)
    began = time.monotonic()
    if host is None:
        if not available(paths):
            raise EnvironmentProblem("no engine VM here: install qemu-system-x86 and run "
                                     "labcheck engine build")
        host = start(paths, VmConfig.from_env(), timeout=timeout, say=say).docker_host
    return host, time.monotonic() - began


def env_lines(host: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """Shell lines that point the docker CLI and docker-py at ``host``."""
    env = os.environ if environ is None else environ
    lines = [f"export DOCKER_HOST={host}"]
    for var in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        if env.get(var):
            lines.append(f"unset {var}")
    lines.append("# Run this command to configure your shell:")
    lines.append("# eval \"$(labcheck engine env)\"")
    return lines
