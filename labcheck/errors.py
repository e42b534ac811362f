"""Exceptions raised by labcheck: LabcheckError and its family.

A *student mistake* is data (a failing check in a Report). A *broken
environment* is one of these exceptions. Each carries the CLI exit code it
maps to, and a one-line message: what is wrong (``problem``) and what to do
next (``advice``). docker-py's errors become these in
:func:`labcheck.live.daemon.translate_docker_error`:

>>> err = DaemonNotRunning("no Docker daemon answers at unix:///var/run/docker.sock",
...                        advice="Start Docker")
>>> err.exit_code
3
>>> isinstance(err, RuntimeError)
True
"""

from __future__ import annotations

__all__ = [
    "EXIT_OK",
    "EXIT_CHECK_FAILED",
    "EXIT_USAGE",
    "EXIT_ENVIRONMENT",
    "LabcheckError",
    "UsageError",
    "EnvironmentProblem",
    "DaemonNotRunning",
    "DaemonPermissionDenied",
    "DaemonUnreachable",
    "DaemonTLSError",
    "DaemonTooOld",
    "ImageUnavailable",
    "GraphvizMissing",
    "SnapshotFileError",
    "ObjectNotFound",
    "RunFirst",
]

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3


class LabcheckError(RuntimeError):
    """Root of labcheck's exceptions: an expected failure with a helpful message.

    ``problem`` says what is wrong, ``advice`` what to do next ('' where
    the problem says it all); the message, ``str(exc)``, is both, as a user
    reads it: ``"<problem>. <advice>"``. Read the fields, never the message:

    >>> err = UsageError("there is no exercise 'x'", advice="List them with: labcheck list")
    >>> str(err)
    "there is no exercise 'x'. List them with: labcheck list"
    >>> err.problem, err.advice
    ("there is no exercise 'x'", 'List them with: labcheck list')
    """

    exit_code: int = EXIT_ENVIRONMENT

    def __init__(self, problem: str, *, advice: str = "") -> None:
        message = f"{problem}. {advice}" if advice else problem
        super().__init__(message)
        self.problem = problem
        self.advice = advice
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(LabcheckError, ValueError):
    """The user asked for something that does not exist or cannot be done (exit 2)."""

    exit_code = EXIT_USAGE


class EnvironmentProblem(LabcheckError):
    """The machine is not ready: daemon, permissions, image, Graphviz (exit 3)."""

    exit_code = EXIT_ENVIRONMENT


class DaemonNotRunning(EnvironmentProblem):
    """No Docker daemon listens at the configured local address."""


class DaemonPermissionDenied(EnvironmentProblem):
    """The Docker socket exists but this user may not use it."""


class DaemonUnreachable(EnvironmentProblem):
    """A remote Docker host (tcp://, ssh://) does not answer."""


class DaemonTLSError(EnvironmentProblem):
    """The TLS handshake with a remote daemon failed (certificates)."""


class DaemonTooOld(EnvironmentProblem):
    """The engine's API version is older than labcheck supports."""


class ImageUnavailable(EnvironmentProblem):
    """The lab image is missing and can be neither built nor pulled."""


class GraphvizMissing(EnvironmentProblem):
    """Graphviz's ``dot`` program is not installed."""


class SnapshotFileError(UsageError):
    """A snapshot file is missing, not JSON, truncated or of another schema."""


class ObjectNotFound(UsageError):
    """A container or network named by the user does not exist."""


class RunFirst(UsageError, NameError):
    """A notebook cell was run before the cell that makes what it reads.

    It is a ``NameError`` too (what the cell would have raised), but Jupyter
    shows it as its one line, with no traceback: which cell to run first.

    >>> RunFirst("run section 1's first code cell first: it makes `here`")._render_traceback_()
    ["run section 1's first code cell first: it makes `here`"]
    """

    def _render_traceback_(self) -> list[str]:
        """IPython's hook: the lines shown instead of a traceback."""
        return [str(self)]
