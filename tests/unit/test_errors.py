"""The LabcheckError family and translate_docker_error (no daemon needed).

The docker-py exceptions are real: raised by docker-py itself against a
socket path that does not exist, or against a file this user may not open.
"""

from __future__ import annotations

import os
import socket

import pytest

from labcheck.live.daemon import daemon_errors, translate_docker_error
from labcheck.errors import (
    EXIT_CHECK_FAILED,
    EXIT_ENVIRONMENT,
    EXIT_OK,
    EXIT_USAGE,
    DaemonNotRunning,
    DaemonPermissionDenied,
    DaemonTLSError,
    DaemonTooOld,
    DaemonUnreachable,
    EnvironmentProblem,
    GraphvizMissing,
    ImageUnavailable,
    LabcheckError,
    ObjectNotFound,
    SnapshotFileError,
    UsageError,
)


def test_exit_codes_follow_the_design():
    assert (EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_ENVIRONMENT) == (0, 1, 2, 3)
    for cls in (UsageError, SnapshotFileError, ObjectNotFound):
        assert cls("x").exit_code == EXIT_USAGE
    for cls in (EnvironmentProblem, DaemonNotRunning, DaemonPermissionDenied, DaemonUnreachable,
                DaemonTLSError, DaemonTooOld, ImageUnavailable, GraphvizMissing):
        assert cls("x").exit_code == EXIT_ENVIRONMENT


def test_errors_subclass_what_users_already_catch():
    assert issubclass(LabcheckError, RuntimeError)
    assert issubclass(UsageError, ValueError)
    assert issubclass(SnapshotFileError, UsageError)
    assert issubclass(DaemonNotRunning, EnvironmentProblem)
    error = DaemonNotRunning("no Docker daemon answers here")
    assert str(error) == error.message == error.problem == "no Docker daemon answers here"
    assert error.advice == ""


def test_an_error_carries_its_advice_apart_and_reads_as_before():
    error = UsageError("there is no exercise 'x'", advice="List them with: labcheck list")
    assert str(error) == "there is no exercise 'x'. List them with: labcheck list"
    assert (error.problem, error.advice) == ("there is no exercise 'x'",
                                             "List them with: labcheck list")
    missing = translate_docker_error(FileNotFoundError("no such file"), "unix:///nowhere.sock")
    assert missing.problem == "no Docker daemon answers at unix:///nowhere.sock"
    assert missing.advice.startswith("Start Docker") and str(missing).startswith(
        missing.problem + ". Start Docker")


def _real_docker_error(base_url: str) -> BaseException:
    import docker

    client = docker.APIClient(base_url=base_url, version="1.41", timeout=5)
    try:
        client.version()
    except Exception as exc:  # noqa: BLE001 - the point is to capture it
        return exc
    finally:
        client.close()
    raise AssertionError(f"{base_url} answered")


def test_missing_socket_is_daemon_not_running(tmp_path):
    url = f"unix://{tmp_path}/docker.sock"
    exc = _real_docker_error(url)
    error = translate_docker_error(exc, url)
    assert type(error) is DaemonNotRunning
    assert url in str(error) and "Start Docker" in str(error) and "\n" not in str(error)


def test_socket_without_permission_is_permission_denied(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may open any socket; tests/integration/test_connect.py covers this "
                    "as an unprivileged user")
    path = tmp_path / "docker.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    os.chmod(path, 0)
    try:
        error = translate_docker_error(_real_docker_error(f"unix://{path}"), f"unix://{path}")
    finally:
        server.close()
    assert type(error) is DaemonPermissionDenied


def test_permission_error_in_the_chain():
    try:
        try:
            raise PermissionError(13, "Permission denied")
        except PermissionError as inner:
            raise ConnectionError("Connection aborted.") from inner
    except ConnectionError as exc:
        error = translate_docker_error(exc, "unix:///var/run/docker.sock")
    assert type(error) is DaemonPermissionDenied
    assert "docker group" in str(error) and "usermod -aG docker" in str(error)


def test_refused_docker_host_is_unreachable():
    where = "DOCKER_HOST=tcp://127.0.0.1:1"
    error = translate_docker_error(ConnectionRefusedError(111, "Connection refused"), where)
    assert type(error) is DaemonUnreachable
    assert "tcp://127.0.0.1:1" in str(error) and "connection refused" in str(error)
    assert "unset DOCKER_HOST" in str(error)


def test_long_unknown_errors_are_shortened_to_one_line():
    exc = RuntimeError("first line " + "x" * 300 + "\nsecond line")
    error = translate_docker_error(exc, "somewhere")
    assert type(error) is DaemonNotRunning
    assert "\n" not in str(error) and "second line" not in str(error)
    assert len(str(error)) < 260


def test_tls_failures_are_tls_errors():
    import ssl

    error = translate_docker_error(ssl.SSLError("certificate verify failed"),
                                   "DOCKER_HOST=tcp://127.0.0.1:2376")
    assert type(error) is DaemonTLSError


def test_labcheck_errors_pass_through_unchanged():
    original = DaemonTooOld("too old")
    assert translate_docker_error(original, "anywhere") is original


# -- daemon_errors: the one translation of what docker-py raises while a client is in use --

class _Answer:
    """The part of a requests.Response that docker-py's APIError reads."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.reason = "reason"
        self.url = "http+docker://localhost/v1.41/containers/create"


def _refusal(status: int, explanation: str) -> BaseException:
    import docker.errors

    return docker.errors.APIError(f"{status} error", response=_Answer(status),
                                  explanation=explanation)


@pytest.mark.parametrize("status, explanation, expected", [
    (404, "No such container: web", ObjectNotFound),
    (409, "Conflict. The container name \"/web\" is already in use", UsageError),
    (400, "invalid CIDR address: 10.0.0.0/33", UsageError),
    (500, "failed to create the ipvlan port: operation not supported", UsageError),
    (500, "connection error: dial unix /run/containerd/containerd.sock: connect: refused",
     EnvironmentProblem),
    (500, "write /var/lib/docker/tmp/x: no space left on device", EnvironmentProblem),
    (502, "Bad Gateway", EnvironmentProblem),
])
def test_a_refusal_is_a_usage_error_and_a_failing_engine_an_environment_problem(
        status, explanation, expected):
    with pytest.raises(LabcheckError) as info, daemon_errors(None, "cannot run container 'web'"):
        raise _refusal(status, explanation)
    assert type(info.value) is expected
    assert str(info.value).startswith("cannot run container 'web': ")
    assert explanation in str(info.value)
    assert info.value.exit_code == (EXIT_USAGE if expected is not EnvironmentProblem
                                    else EXIT_ENVIRONMENT)


def test_without_a_request_named_every_daemon_error_is_an_environment_problem():
    with pytest.raises(EnvironmentProblem), daemon_errors(None):
        raise _refusal(409, "Conflict")


def test_other_exceptions_pass_through_daemon_errors():
    with pytest.raises(KeyError), daemon_errors(None, "cannot run container 'web'"):
        raise KeyError("not docker's")


def test_a_lab_whose_daemon_is_gone_fails_with_exit_3_not_2(tmp_path):
    """A real client on a socket that does not exist: Lab says the daemon is missing."""
    import docker

    from labcheck.live.lab import Lab

    url = f"unix://{tmp_path}/docker.sock"
    client = docker.DockerClient(base_url=url, version="1.41", timeout=5)
    lab = Lab("unit", client=client)
    try:
        for step in (lambda: lab.network("n"), lambda: lab.remove("web"),
                     lambda: lab.connect("web", "n"), lambda: lab.exec("web", ["true"])):
            with pytest.raises(EnvironmentProblem) as info:
                step()
            assert info.value.exit_code == EXIT_ENVIRONMENT
            assert url in str(info.value)
    finally:
        client.close()


@pytest.mark.parametrize("explanation", [
    "OCI runtime create failed: unable to apply caps: operation not permitted: unknown",
    "nsenter: can't open '/proc/1/ns/mnt': Permission denied",
])
def test_an_error_the_engine_answered_with_is_never_a_missing_daemon_or_socket(explanation):
    """Without ``doing``, an engine's 500 is an environment problem in the engine's words:
    not "no daemon answers" (it did) nor "permission denied on the socket" (it was not)."""
    with pytest.raises(LabcheckError) as info, daemon_errors(None):
        raise _refusal(500, explanation)
    assert type(info.value) is EnvironmentProblem
    assert "answered with an error: " + explanation in str(info.value)
