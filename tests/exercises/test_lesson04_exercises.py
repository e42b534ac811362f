"""Lesson 4's exercises: the reference solution passes, each broken variant fails.

Objects are bound to names unique to the test (``vault-<suffix>``) and the
host port to a free one, so these tests run beside the lesson itself.
"""

from __future__ import annotations

import socket

import pytest

from labcheck.grading import check
from labcheck.lab import http_command

pytestmark = pytest.mark.docker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failed(report) -> set[str]:
    return {r.check_id for r in report.results if r.status != "pass"}


def message(report, check_id: str) -> str:
    return next(r.message for r in report.results if r.check_id == check_id)


# -- 04-sealed ------------------------------------------------------------------

def test_sealed_solution_passes(lab, name, unique, docker_client):
    lab.run(name("vault"), network_mode="none")
    report = check("04-sealed", suffix=unique, client=docker_client)
    assert report.passed, report.to_text(color=False)


def test_sealed_on_the_default_bridge_fails(lab, name, unique, docker_client):
    lab.run(name("vault"))  # no network given: the default bridge
    report = check("04-sealed", suffix=unique, client=docker_client)
    assert failed(report) == {"vault-mode-none", "vault-not-on-bridge"}
    assert "not 'none'" in message(report, "vault-mode-none")
    assert "--network none" in message(report, "vault-mode-none")


def test_sealed_but_stopped_fails(lab, name, unique, docker_client):
    lab.run(name("vault"), network_mode="none", command=["true"])
    docker_client.api.wait(name("vault"), timeout=10)
    report = check("04-sealed", suffix=unique, client=docker_client)
    assert failed(report) == {"vault-running"}


# -- 04-host-mode ---------------------------------------------------------------

def _host_web(port: int) -> list[str]:
    return ["sh", "-c", f"trap 'exit 0' TERM INT; httpd -f -p 127.0.0.1:{port} & wait $!"]


def test_host_mode_solution_passes(lab, name, unique, docker_client):
    port = free_port()
    lab.run(name("hostweb"), network_mode="host", command=_host_web(port))
    report = check("04-host-mode", suffix=unique, ports={8041: port}, client=docker_client)
    assert report.passed, report.to_text(color=False)


def test_host_mode_on_a_bridge_with_a_published_port_fails(lab, name, unique, docker_client):
    """The bridge way (publish 80 on the port) reaches the host, but is not host mode."""
    port = free_port()
    lab.run(name("hostweb"), command=http_command(80), ports={80: ("127.0.0.1", port)})
    report = check("04-host-mode", suffix=unique, ports={8041: port}, client=docker_client)
    assert failed(report) == {"hostweb-mode-host", "hostweb-publishes-nothing"}
    assert "publishes 127.0.0.1:" in message(report, "hostweb-publishes-nothing")


def test_host_mode_without_a_server_fails(lab, name, unique, docker_client):
    port = free_port()
    lab.run(name("hostweb"), network_mode="host")
    report = check("04-host-mode", suffix=unique, ports={8041: port}, client=docker_client)
    assert failed(report) == {"host-reaches-hostweb"}
    assert "does not answer" in message(report, "host-reaches-hostweb")
