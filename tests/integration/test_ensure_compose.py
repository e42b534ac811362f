"""scripts/ensure-compose.sh (run by `make daemon`, so by `make lab` and `make test`).

A fake ``docker`` CLI stands in for the real one (which, on this machine, already
finds a Compose plugin): it answers ``docker compose ...`` only when a
``docker-compose`` plugin is in one of the folders it searches, as the real CLI
does. A fake engine cache stands in for the one ``python -m labcheck.live.engines.apt sid``
fills.

- A Compose the student has is used as it is: nothing copied.
- Missing: the cached plugin is copied where the CLI finds it; then it answers.
- Missing and not to be had: one line saying what to install, exit 1.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-compose.sh"

FAKE_DOCKER = """#!/bin/sh
if [ "$1" = compose ]; then
    for dir in $FAKE_PLUGIN_DIRS; do
        [ -x "$dir/docker-compose" ] && exec "$dir/docker-compose" "$@"
    done
    echo "docker: unknown command: docker compose" >&2
    exit 1
fi
exit 0
"""
PLUGIN = "#!/bin/sh\necho 'Docker Compose version {version}'\n"


def _executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def _setup(tmp_path: Path, *, own: bool, cached: bool) -> dict[str, str]:
    _executable(tmp_path / "bin" / "docker", FAKE_DOCKER)
    own_dir, dest = tmp_path / "own-plugins", tmp_path / "installed"
    if own:
        _executable(own_dir / "docker-compose", PLUGIN.format(version="2.99.0-own"))
    engines = tmp_path / "engines"
    if cached:
        sid = engines / "sid"
        _executable(sid / "bin" / "dockerd", "#!/bin/sh\n")
        _executable(sid / "bin" / "docker", "#!/bin/sh\n")
        (sid / "VERSION").write_text("28.5.2\n")
        _executable(sid / "cli-plugins" / "docker-compose", PLUGIN.format(version="2.40.3"))
    return {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
            "FAKE_PLUGIN_DIRS": f"{own_dir} {dest}", "LABCHECK_CLI_PLUGINS_DIR": str(dest),
            "LABCHECK_ENGINES_DIR": str(engines),
            # never fetched in these tests: a refused local address, if it ever were
            "LABCHECK_DEBIAN_ARCHIVE": "http://127.0.0.1:9/debian"}


def _run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def _compose_version(env: dict[str, str]) -> str:
    return subprocess.run(["docker", "compose", "version"], env=env, capture_output=True,
                          text=True).stdout.strip()


def test_the_students_own_compose_is_left_alone(tmp_path):
    env = _setup(tmp_path, own=True, cached=True)
    done = _run(env)
    assert done.returncode == 0 and done.stderr == ""
    assert not (tmp_path / "installed").exists()
    assert _compose_version(env) == "Docker Compose version 2.99.0-own"


def test_a_missing_compose_is_installed_from_the_engine_cache(tmp_path):
    env = _setup(tmp_path, own=False, cached=True)
    assert _compose_version(env) == ""
    done = _run(env)
    assert done.returncode == 0, done.stderr
    assert "installed" in done.stderr and str(tmp_path / "installed") in done.stderr
    plugin = tmp_path / "installed" / "docker-compose"
    assert plugin.is_file() and not plugin.is_symlink() and os.access(plugin, os.X_OK)
    assert _compose_version(env) == "Docker Compose version 2.40.3"
    again = _run(env)                     # a second run finds it and does nothing
    assert again.returncode == 0 and again.stderr == ""


def test_without_compose_and_without_a_cache_one_message_says_what_to_install(tmp_path):
    env = _setup(tmp_path, own=False, cached=False)
    # the fetch needs apt-get: a fake one that fails as with no archive in reach
    env["PATH"] = f"{tmp_path / 'bin'}:/usr/bin:/bin"
    _executable(tmp_path / "bin" / "apt-get", "#!/bin/sh\necho 'E: no archive' >&2\nexit 100\n")
    _executable(tmp_path / "bin" / "apt-cache", "#!/bin/sh\nexit 100\n")
    done = _run(env)
    assert done.returncode == 1
    assert "Compose v2 is missing" in done.stderr and "docker-compose" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "installed" / "docker-compose").exists()
