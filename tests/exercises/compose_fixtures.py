"""Build an exercise's solution with Docker Compose, labelled like everything a test makes.

Fixture modules of Compose exercises (``08-*``) describe each compose file as a
Python mapping and call :func:`compose_up`: it adds the test's labels to every
service and to every network Compose creates, its default one too (so the ``lab`` fixture's reset
removes them, as it removes what a Lab made), writes the file and runs
``docker compose -p PROJECT -f FILE up -d`` against the test's engine
(``DOCKER_HOST``). Without Compose v2 the test skips (fails in CI, like a
missing daemon): ``make daemon`` installs it (scripts/ensure-compose.sh).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping

import yaml

from labcheck.images import LAB_IMAGE

__all__ = ["LAB_SERVICE", "http_service", "compose_up", "compose_available"]

#: What every service of the lab has: the local lab image, never pulled, stopped at once.
LAB_SERVICE: dict[str, Any] = {"image": LAB_IMAGE, "pull_policy": "never",
                               "stop_signal": "SIGKILL"}


def http_service(port: int, **more: Any) -> dict[str, Any]:
    """A lab service serving HTTP on ``port`` (busybox httpd), plus ``more`` keys."""
    return {**LAB_SERVICE, "command": f"httpd -f -p {int(port)} -h /var/www", **more}


def compose_available() -> str | None:
    """None when ``docker compose version`` works, else why not."""
    try:
        done = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker compose: {exc}"
    return None if done.returncode == 0 else (done.stderr or done.stdout).strip()


def _labelled(spec: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    out = dict(spec)
    out["services"] = {name: {**service, "labels": {**service.get("labels", {}), **labels}}
                       for name, service in spec.get("services", {}).items()}
    declared = dict(spec.get("networks") or {})
    if "default" not in declared and any(
            "networks" not in service or "default" in service["networks"]
            for service in spec.get("services", {}).values()):
        declared["default"] = {}  # the project's default network: Compose makes it, label it
    networks = {}
    for name, net in declared.items():
        net = dict(net or {})
        if not net.get("external"):
            net["labels"] = {**net.get("labels", {}), **labels}
        networks[name] = net
    if networks:
        out["networks"] = networks
    return out


def compose_up(lab: Any, project: str, spec: Mapping[str, Any]) -> None:
    """Write ``spec`` as a compose file (with ``lab``'s labels) and bring ``project`` up."""
    import pytest

    problem = compose_available()
    if problem:
        message = f"Docker Compose v2 is missing ({problem}); run: make daemon"
        if os.environ.get("CI") or os.environ.get("LABCHECK_REQUIRE_DOCKER"):
            pytest.fail(message)
        pytest.skip(message)
    text = yaml.safe_dump(_labelled(spec, lab.labels), sort_keys=False)
    with tempfile.TemporaryDirectory(prefix="labcheck-compose-") as folder:
        path = Path(folder) / "compose.yaml"
        path.write_text(text)
        args = ["docker", "compose", "-p", project, "-f", str(path), "up", "-d"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, f"{shlex.join(args)}:\n{done.stderr}\n{text}"
