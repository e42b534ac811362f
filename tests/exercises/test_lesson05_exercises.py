"""Lesson 5's capstone: the reference solution passes, each broken variant fails.

Objects are bound to names unique to the test and web's host port to a
free one, so these tests run beside the lesson itself.
"""

from __future__ import annotations

import socket

import pytest

from labcheck.grading import check

pytestmark = pytest.mark.docker

EXERCISE = "05-three-tier"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failed(report) -> set[str]:
    return {r.check_id for r in report.results if r.status != "pass"}


def message(report, check_id: str) -> str:
    return next(r.message for r in report.results if r.check_id == check_id)


def build(lab, name, port: int, *, web_networks=("frontend",), api_networks=("frontend", "backend"),
          db_ports=None, web_published=True) -> None:
    """The capstone's topology, or a variant of it (the reference solution by default)."""
    front, back = lab.network(name("frontend")), lab.network(name("backend"))
    nets = {"frontend": front, "backend": back}
    lab.run(name("db"), network=back, http=5432, ports=db_ports)
    lab.run(name("api"), networks=[nets[n] for n in api_networks], http=5000)
    lab.run(name("web"), networks=[nets[n] for n in web_networks], http=80,
            ports={80: ("127.0.0.1", port)} if web_published else None)


@pytest.fixture
def grade_here(unique, docker_client):
    port = free_port()
    return port, lambda: check(EXERCISE, suffix=unique, ports={8050: port}, client=docker_client)


def test_solution_passes(lab, name, grade_here):
    port, grade = grade_here
    build(lab, name, port)
    report = grade()
    assert report.passed, report.to_text(color=False)


def test_everything_on_one_network_breaks_isolation(lab, name, grade_here):
    port, grade = grade_here
    build(lab, name, port, web_networks=("frontend", "backend"))
    report = grade()
    assert failed(report) == {"web-on-frontend-only", "web-not-on-backend",
                              "web-cannot-resolve-db", "web-cannot-reach-db-by-ip"}
    assert "docker network disconnect" in message(report, "web-on-frontend-only")


def test_published_db_fails(lab, name, grade_here):
    port, grade = grade_here
    build(lab, name, port, db_ports={5432: ("127.0.0.1", free_port())})
    report = grade()
    assert failed(report) == {"db-not-published"}
    assert "without -p" in message(report, "db-not-published")


def test_api_only_on_backend_cannot_be_reached_by_web(lab, name, grade_here):
    port, grade = grade_here
    build(lab, name, port, api_networks=("backend",))
    report = grade()
    assert failed(report) == {"api-on-both", "web-reaches-api"}
    assert "docker network connect" in message(report, "api-on-both")


def test_unpublished_web_fails(lab, name, grade_here):
    port, grade = grade_here
    build(lab, name, port, web_published=False)
    report = grade()
    assert failed(report) == {"web-published-loopback", "host-reaches-web"}
