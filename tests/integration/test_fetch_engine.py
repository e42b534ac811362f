"""labcheck.live.engines.apt fetches Debian unstable's engine for real, into a cache of its own.

It needs apt-get, dpkg-deb and the Debian archive the machine's apt sources
name. Where that archive does not answer the test skips saying so; in CI
(``CI`` set) it fails instead, so a broken fetch never passes by skipping.
No daemon is started: the fetched dockerd and docker CLI are only asked their
versions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from labcheck.errors import EnvironmentProblem
from labcheck.live.engines.apt import ENGINE_PROGRAMS, debian_archive, fetch_engine


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def test_sid_is_fetched_laid_out_and_cached(tmp_path: Path, monkeypatch):
    missing = [tool for tool in ("apt-get", "apt-cache", "dpkg-deb") if not shutil.which(tool)]
    if missing:
        _unavailable(f"no {', '.join(missing)} here")
    try:
        debian_archive()
    except EnvironmentProblem as exc:
        _unavailable(str(exc))
    env = {"LABCHECK_ENGINES_DIR": str(tmp_path)}
    said: list[str] = []
    try:
        engine = fetch_engine("sid", say=said.append, environ=env)
    except EnvironmentProblem as exc:
        _unavailable(f"the Debian archive cannot serve sid here: {exc}")

    assert engine.folder == tmp_path / "sid" and engine.bin_dir == engine.folder / "bin"
    assert sorted(p.name for p in engine.bin_dir.iterdir()) == sorted(ENGINE_PROGRAMS)
    assert not (engine.bin_dir / "runc").exists()      # the system's runc serves
    dockerd = subprocess.run([str(engine.bin_dir / "dockerd"), "--version"],
                             capture_output=True, text=True, timeout=60)
    assert dockerd.stdout.startswith(f"Docker version {engine.version}"), dockerd
    assert (engine.folder / "VERSION").read_text() == engine.version + "\n"
    # the suite's CLI, which talks to engines that refuse Debian 12's 20.10 CLI
    cli = subprocess.run([str(engine.bin_dir / "docker"), "version", "--format",
                          "{{.Client.APIVersion}}"], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "DOCKER_HOST": "unix:///nonexistent"})
    major, minor = (int(x) for x in cli.stdout.strip().split(".")[:2])
    assert (major, minor) >= (1, 44), cli
    assert os.access(engine.cli_plugins_dir / "docker-compose", os.X_OK)
    assert {"docker.io", "containerd", "docker-compose", "docker-cli"} <= set(engine.packages)
    listed = (engine.folder / "packages.txt").read_text().split()
    assert listed[listed.index("docker.io") + 1] == engine.packages["docker.io"]
    assert not list(tmp_path.glob(".sid.*/")), "a scratch folder was left behind"

    # a second call is the cache: no apt at all
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    assert fetch_engine("sid", say=said.append, environ=env) == engine
