"""The engine VM as one object for the CLI and :func:`labcheck.ready`.

:func:`build` makes the image and saves a booted, ready state with the lab
image already in it; :func:`ensure_running` starts the VM if needed and
returns its ``DOCKER_HOST``; :func:`env_lines` are the shell lines that
point a docker CLI or docker-py at it.
"""

from __future__ import annotations

import os
import time
from typing import Mapping

from ...errors import EnvironmentProblem
from ...progress import Say
from .build import AptSource, BuildResult, build_image
from .paths import EnginePaths
from .qemu import VmConfig, docker_host, qemu_binary, save_ready_state, start

__all__ = ["build", "ensure_running", "env_lines", "available", "prepare_engine", "autostart"]



def prepare_engine(host: str, paths: EnginePaths) -> None:
    """What the saved state should hold: the lab image, built from the image's busybox."""
    from ..daemon import connect
    from ..images import ensure_lab_image

    client = connect(environ={"DOCKER_HOST": host})
    try:
        ensure_lab_image(client, busybox=str(paths.busybox))
    finally:
        client.close()


def build(paths: EnginePaths | None = None, *, source: AptSource | None = None,
          engine: str | None = None, refresh: bool = False, save_state: bool = True,
          say: Say = print) -> tuple[BuildResult, float | None]:
    """Build the image; then boot it once and save the ready state (unless told not to).

    Returns the build result and the cold boot's seconds to a ready API
    (None when no state was saved).
    """
    paths = paths or EnginePaths.default()
    result = build_image(paths, source=source, engine=engine, refresh=refresh, say=say)
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


def autostart(reason: str, environ: Mapping[str, str] | None = None,
              say: Say = print) -> str | None:
    """Start the engine VM for a lesson where no daemon answers; None if it cannot.

    ``reason`` is why the local daemon was not used (one line). With
    ``environ`` None the VM's address goes into ``os.environ["DOCKER_HOST"]``
    so that everything in this process (docker-py, the docker CLI in ``!``
    cells) uses it. ``LABCHECK_ENGINE_AUTOSTART=0`` turns this off.
    """
    env = os.environ if environ is None else environ
    if env.get("LABCHECK_ENGINE_AUTOSTART", "1") == "0":
        return None
    paths = EnginePaths.default(env)
    if not available(paths):
        return None
    from ...progress import reporting

    say(f"{reason.rstrip('.')}: starting labcheck's Docker engine VM (QEMU) instead.")
    with reporting("engine VM", done_message="engine VM ready") as bar:
        steps = iter(range(1, 1000))

        def tick(message: str) -> None:
            bar(min(next(steps), 29), 30, message)

        tick("starting QEMU")
        host, seconds = ensure_running(paths, say=tick)
    if environ is None:
        os.environ["DOCKER_HOST"] = host
    say(f"Using the engine VM at {host} (ready in {seconds:.1f} s); DOCKER_HOST is set "
        "for this kernel. Stop it with: labcheck engine stop")
    return host
