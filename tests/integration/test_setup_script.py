"""scripts/ensure-docker.sh as users meet it (the daemon set-up of `make lab` / `make test`).

- A daemon that answers is left exactly as it is (no restart, same process).
- DOCKER_HOST naming a daemon that does not answer: one message, exit 1,
  and nothing installed or started.
- Not root and no daemon: one message with the command to run, exit 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-docker.sh"


def _dockerd_pids() -> set[str]:
    done = subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True, text=True)
    return set(done.stdout.split())


def _run(env: dict[str, str], *prefix: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, "bash", str(SCRIPT)], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_an_answering_daemon_is_left_as_it_is(docker_client):
    before = _dockerd_pids()
    done = _run(dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert "starting dockerd" not in done.stderr and "installing" not in done.stderr
    assert _dockerd_pids() == before
    assert docker_client.ping()


def test_a_dead_docker_host_gets_one_message_and_nothing_is_started(closed_port):
    before = _dockerd_pids()
    env = {**os.environ, "DOCKER_HOST": f"tcp://127.0.0.1:{closed_port}"}
    done = _run(env)
    assert done.returncode == 1
    assert f"127.0.0.1:{closed_port}" in done.stderr and "unset DOCKER_HOST" in done.stderr
    assert "Traceback" not in done.stderr
    assert _dockerd_pids() == before


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to run the script as an unprivileged user")
def test_not_root_and_no_daemon_says_what_to_run(tmp_path):
    # As nobody, the root-owned socket does not answer: the script must not try to install.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    done = _run(env, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    assert done.returncode == 1, done
    assert "no Docker daemon answers" in done.stderr
    assert "sudo make daemon" in done.stderr
    assert "installing" not in done.stderr and "starting dockerd" not in done.stderr
