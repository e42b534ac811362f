"""scripts/ensure-docker.sh as users meet it (the daemon set-up of `make lab` / `make test`).

- A daemon that answers is left exactly as it is (no restart, same process).
- DOCKER_HOST naming a daemon that does not answer: one message, exit 1,
  and nothing installed or started.
- Not root and no daemon: one message with the command to run, exit 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from as_user import as_nobody_fixture  # noqa: E402,F401 - the fixture as_nobody

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-docker.sh"


def _dockerd_pids() -> set[str]:
    done = subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True, text=True)
    return set(done.stdout.split())


def _run(env: dict[str, str], *prefix: str, script: Path = SCRIPT) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, "bash", str(script)], env=env, capture_output=True,
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


def test_not_root_and_no_daemon_says_what_to_run(as_nobody):
    # As nobody, the root-owned socket does not answer: the script must not try to install.
    # The script and labcheck run from a copy nobody can read (the checkout may not be).
    env = as_nobody.environ({"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp",
                             "PYTHON": as_nobody.python})
    done = _run(env, *as_nobody.prefix, script=as_nobody.root / "scripts" / "ensure-docker.sh")
    assert done.returncode == 1, done
    assert "no Docker daemon answers" in done.stderr
    assert "sudo make daemon" in done.stderr
    assert "installing" not in done.stderr and "starting dockerd" not in done.stderr
