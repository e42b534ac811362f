"""The first cell of every lesson: ``lab = ready("02")``.

:func:`ready` checks that a Docker daemon answers and that the lab image is
there (building it if needed), and returns a :class:`~labcheck.lab.Lab` for
the lesson. When something is missing it prints ONE friendly paragraph (what
is missing and how to fix it) instead of a traceback, and returns a lab that
is not ready: every later cell that needs the daemon stops with a one-line
:class:`LabNotReady` that points back to the first cell.

On Binder (and on a JupyterHub with no Docker) the paragraph says that this
server has no Docker daemon and where the labs can run.

In a notebook, :func:`ready` also makes every :class:`~labcheck.errors.LabcheckError`
display as one line (its kind and message) instead of a traceback:
expected failures are messages, not crashes.

>>> where_am_i({"BINDER_SERVICE_HOST": "10.0.0.1"})
'binder'
>>> where_am_i({"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"})
'jupyterhub'
>>> where_am_i({})
'local'
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .errors import EnvironmentProblem, LabcheckError
from .lab import Lab
from .progress import ipython_shell, message_callback, reporting

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = [
    "BINDER_VARIABLES",
    "HUB_VARIABLES",
    "LabNotReady",
    "UnreadyLab",
    "where_am_i",
    "explain",
    "ready",
    "install_error_display",
    "one_line",
]

#: Set in Binder sessions (mybinder.org and BinderHub deployments).
BINDER_VARIABLES = ("BINDER_SERVICE_HOST", "BINDER_REQUEST", "BINDER_LAUNCH_HOST",
                    "BINDER_REPO_URL")
#: Set in every JupyterHub single-user server.
HUB_VARIABLES = ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_API_URL")

_RUN_ELSEWHERE = ("a computer with Docker (Docker Desktop, or Docker Engine on Linux): "
                  "clone the course there and run 'make lab', which starts JupyterLab "
                  "with everything the labs need")


class LabNotReady(EnvironmentProblem):
    """A cell needs the daemon, but the lesson's first cell found it missing."""


def where_am_i(environ: Mapping[str, str] | None = None) -> str:
    """``'binder'``, ``'jupyterhub'`` or ``'local'``: where this kernel runs."""
    environ = os.environ if environ is None else environ
    if any(environ.get(key) for key in BINDER_VARIABLES):
        return "binder"
    if any(environ.get(key) for key in HUB_VARIABLES):
        return "jupyterhub"
    return "local"


def explain(error: LabcheckError, environ: Mapping[str, str] | None = None) -> str:
    """The one paragraph a student sees when the lab cannot start."""
    place = where_am_i(environ)
    if place == "binder":
        return ("This lesson is running on Binder, which has no Docker daemon, so its labs "
                "cannot run here. You can read the lesson and its explanations; to do the "
                f"labs, open the course on {_RUN_ELSEWHERE}.")
    if place == "jupyterhub":
        return (f"This JupyterHub server has no Docker daemon that labcheck can use ({error}). "
                "Ask the course staff for a server with Docker, or open the course on "
                f"{_RUN_ELSEWHERE}.")
    return f"The labs need Docker, and it is not ready: {error}"


def one_line(error: BaseException) -> str:
    """How a LabcheckError reads in a notebook: ``"DaemonNotRunning: no Docker ..."``."""
    return f"{type(error).__name__}: {error}"


class UnreadyLab(Lab):
    """The lab :func:`ready` returns when the daemon or the image is missing.

    Creating it needs nothing; any use of the daemon raises :class:`LabNotReady`.
    """

    def __init__(self, lesson: str, reason: str) -> None:
        super().__init__(lesson, client=None)
        self.reason = reason

    @property
    def client(self) -> "docker.DockerClient":
        raise LabNotReady(f"the lab for lesson {self.lesson!r} is not ready ({self.reason}). "
                          "Fix that, then run the lesson's first cell again")


def _show_one_line(shell: Any, etype: type, value: BaseException, tb: Any,
                   tb_offset: int | None = None) -> list[str]:
    """IPython custom exception handler: a LabcheckError shows as one line."""
    lines = [one_line(value)]
    shell._showtraceback(etype, value, lines)
    return lines


def install_error_display(shell: Any = None) -> bool:
    """Make LabcheckErrors display as one line in this IPython shell; True if done.

    Leaves a shell alone that already has another custom exception handler.
    """
    shell = shell if shell is not None else ipython_shell()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    current = tuple(getattr(shell, "custom_exceptions", ()) or ())
    if current and current != (LabcheckError,):
        return False
    shell.set_custom_exc((LabcheckError,), _show_one_line)
    return True


def _connect_or_start_vm(environ: Mapping[str, str] | None,
                         say: Callable[[str], None]) -> "docker.DockerClient":
    """connect(); where no daemon runs and the engine VM is built, start it and use it.

    Only for this process's own environment (``environ`` None): an explicit
    ``environ`` asks about that environment and never starts a VM.
    """
    from .daemon import connect
    from .errors import DaemonNotRunning, DaemonPermissionDenied

    try:
        return connect(environ=environ)
    except (DaemonNotRunning, DaemonPermissionDenied) as exc:
        if environ is not None:
            raise
        from .live.vm.engine import autostart

        host = autostart(str(exc).split(". ")[0], None, say)
        if host is None:
            raise
    return connect(environ={**os.environ, "DOCKER_HOST": host})


def ready(lesson: str, *, client: "docker.DockerClient | None" = None,
          environ: Mapping[str, str] | None = None,
          say: Callable[[str], None] = print) -> Lab:
    """Check the daemon and the lab image; return the lesson's :class:`~labcheck.lab.Lab`.

    On success ``say`` (print) gets one line naming the engine and the image.
    On failure it gets one friendly paragraph and the returned lab is an
    :class:`UnreadyLab`. Nothing is written to stderr either way.
    """
    import docker.errors

    from .daemon import translate_docker_error
    from .images import ensure_lab_image, image_status

    install_error_display()
    try:
        try:
            if client is None:
                client = _connect_or_start_vm(environ, say)
            version = client.version()
            status = image_status(client)
            if not status.present:  # built here in about a second: show that it happens
                with reporting("lab image", done_message="lab image ready") as bar:
                    status = ensure_lab_image(client, progress=message_callback(bar))
        except (docker.errors.DockerException, OSError) as exc:
            raise translate_docker_error(exc, str(client.api.base_url) if client else "") \
                from None
    except LabcheckError as exc:
        say(explain(exc, environ))
        return UnreadyLab(lesson, str(exc))
    lab = Lab(lesson, client=client, image=status.name)
    say(f"Ready for lesson {lesson}: Docker Engine {version.get('Version', '?')}, "
        f"lab image {status.describe()}.")
    return lab
