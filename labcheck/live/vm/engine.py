"""Building the engine VM: the image, then a booted, ready state with the lab image in it.

:func:`build` makes both; :func:`available` says whether a VM can start
here. Starting, stopping and asking it are :class:`labcheck.live.engines.vm.VmEngine`'s.
"""

from __future__ import annotations

from ...progress import Say
from .build import AptSource, BuildResult, build_image
from .paths import EnginePaths
from .qemu import VmConfig, qemu_binary, save_ready_state

__all__ = ["build", "available", "prepare_engine"]



def prepare_engine(host: str, paths: EnginePaths) -> None:
    """What the saved state should hold: the lab image, built from the image's busybox."""
    from ..daemon import connect
    from ..images import ensure_lab_image

    client = connect(environ={"DOCKER_HOST": host})
    try:
        ensure_lab_image(client, busybox=str(paths.busybox))
    finally:
        client.close()


def build(paths: EnginePaths, *, source: AptSource | None = None,
          engine: str | None = None, refresh: bool = False, save_state: bool = True,
          say: Say = print) -> tuple[BuildResult, float | None]:
    """Build the image; then boot it once and save the ready state (unless told not to).

    Returns the build result and the cold boot's seconds to a ready API
    (None when no state was saved).
    """
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


def available(paths: EnginePaths) -> bool:
    """Whether the VM can be started here: QEMU installed and the image built."""
    return qemu_binary() is not None and paths.image_present()
