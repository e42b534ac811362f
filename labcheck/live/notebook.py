"""ready(): the first cell of every lesson, ``lab = ready("02")``.

It connects, checks the engine and the lab image (building it if needed),
and returns the lesson's :class:`~labcheck.live.lab.Lab`; what it says when
something is missing is :mod:`labcheck.notebook` (pure).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping

from ..errors import LabcheckError
from ..notebook import LabNotReady, explain, install_error_display
from ..progress import Say, message_callback, reporting
from .lab import Lab

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["UnreadyLab", "ready"]


class UnreadyLab(Lab):
    """The lab :func:`ready` returns when the daemon or the image is missing.

    Creating it needs nothing; any use of the daemon raises :class:`LabNotReady`.
    """

    def __init__(self, lesson: str, reason: str) -> None:
        super().__init__(lesson, client=None)
        self.reason = reason

    @property
    def client(self) -> "docker.DockerClient":
        raise LabNotReady(f"the lab for lesson {self.lesson!r} is not ready ({self.reason})",
                          advice="Fix that, then run the lesson's first cell again")


def _connect_or_start_vm(environ: Mapping[str, str] | None,
                         say: Say) -> "docker.DockerClient":
    """connect(); where no daemon runs and the engine VM is built, start it and use it.

    Only for this process's own environment (``environ`` None): an explicit
    ``environ`` asks about that environment and never starts a VM.
    """
    from ..errors import DaemonNotRunning, DaemonPermissionDenied
    from .daemon import connect

    try:
        return connect(environ=environ)
    except (DaemonNotRunning, DaemonPermissionDenied) as exc:
        if environ is not None:
            raise
        from .engines.vm import autostart

        host = autostart(exc.problem, None, say)
        if host is None:
            raise
    return connect(environ={**os.environ, "DOCKER_HOST": host})


def ready(lesson: str, *, client: "docker.DockerClient | None" = None,
          environ: Mapping[str, str] | None = None,
          say: Say = print) -> Lab:
    """Check the daemon and the lab image; return the lesson's :class:`~labcheck.live.lab.Lab`.

    On success ``say`` (print) gets one line naming the engine and the image.
    On failure it gets one friendly paragraph and the returned lab is an
    :class:`UnreadyLab`. Nothing is written to stderr either way.
    """
    from .daemon import daemon_errors
    from .images import ensure_lab_image, image_status

    install_error_display()
    try:
        if client is None:
            client = _connect_or_start_vm(environ, say)
        with daemon_errors(client):
            version = client.version()
            status = image_status(client)
            if not status.present:  # built here in about a second: show that it happens
                with reporting("lab image", done_message="lab image ready") as bar:
                    status = ensure_lab_image(client, progress=message_callback(bar))
    except LabcheckError as exc:
        say(explain(exc, environ))
        return UnreadyLab(lesson, str(exc))
    lab = Lab(lesson, client=client, image=status.name)
    say(f"Ready for lesson {lesson}: Docker Engine {version.get('Version', '?')}, "
        f"lab image {status.describe()}.")
    return lab
