"""Shared fixtures.

Tests marked ``docker`` get a real daemon. Locally they skip when none
answers; in CI (``CI`` set) or with ``LABCHECK_REQUIRE_DOCKER=1`` a missing
daemon is a failure, so a broken set-up can never pass by skipping.

Every object a test creates carries a lesson label unique to that test
(``test-<hex>``), and the ``lab`` fixture removes exactly those afterwards:
tests running side by side, and a user's own objects, are never touched.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path
from typing import Iterator

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _require_docker() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("LABCHECK_REQUIRE_DOCKER"))


@pytest.fixture(scope="session")
def docker_client():
    """A docker client for the real daemon (skip, or fail in CI, when there is none)."""
    from labcheck import LabcheckError, connect

    try:
        client = connect()
    except LabcheckError as exc:
        if _require_docker():
            pytest.fail(f"CI needs a Docker daemon: {exc}")
        pytest.skip(f"no Docker daemon: {exc}")
    from labcheck.live.images import ensure_lab_image

    ensure_lab_image(client)
    yield client
    client.close()


@pytest.fixture
def unique() -> str:
    """A short random suffix for names that must not clash with other tests."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def lab(docker_client, unique) -> Iterator["object"]:
    """A :class:`labcheck.lab.Lab` with a lesson label unique to this test; reset after."""
    from labcheck.live.lab import Lab

    the_lab = Lab(f"test-{unique}", client=docker_client)
    yield the_lab
    the_lab.reset()


@pytest.fixture
def name(unique):
    """``name("web")`` -> ``"web-<suffix>"``: object names unique to this test."""
    return lambda base: f"{base}-{unique}"


@pytest.fixture
def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


#: Integration tests whose subject the engine cannot change: notebook content (a
#: student's Run All, lesson 07 without root on the host), the grader tools' plumbing,
#: the set-up scripts. Marked ``once``: ``make test`` runs them on its first engine only.
ONCE = frozenset({
    "test_student_run_all.py", "test_lesson07_without_host_root.py",
    "test_nbgrader_example.py", "test_otter_example.py", "test_github_classroom.py",
    "test_setup_script.py", "test_ensure_compose.py", "test_engines_live.py",
    "test_fetch_engine.py",
})


def pytest_collection_modifyitems(config, items):
    """Integration tests live in tests/integration and are all marked ``docker``;
    those in :data:`ONCE` are marked ``once`` too."""
    for item in items:
        path = Path(str(item.fspath))
        if "integration" in path.parts:
            item.add_marker(pytest.mark.docker)
            if path.name in ONCE:
                item.add_marker(pytest.mark.once)
