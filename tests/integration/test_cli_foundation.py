"""The foundation's CLI against the real daemon: doctor, snapshot, reset; exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from labcheck.snapshot import Snapshot

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]


def labcheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labcheck", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_doctor_reports_daemon_image_and_graphviz_in_a_few_lines(docker_client):
    done = labcheck("doctor", "--no-build")
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0, done.stdout
    assert done.stderr == ""
    assert len(lines) <= 5
    assert lines[1].startswith("daemon:   ok, Docker Engine ")
    assert lines[2].startswith("image:    labcheck/lab:1: present, ")
    assert lines[3].startswith("graphviz: dot - graphviz version")


def test_snapshot_to_a_file_and_to_stdout(docker_client, lab, name, tmp_path):
    net = lab.network(name("net"))
    lab.run(name("web"), network=net, aliases=["www"])
    out = tmp_path / "state.json"
    done = labcheck("snapshot", "-o", str(out), "--detail", name("web"))
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("saved ") and str(out) in done.stdout
    snap = Snapshot.load(out)
    assert "www" in snap.container(name("web")).endpoint(net).aliases
    printed = labcheck("snapshot")
    assert printed.returncode == 0 and printed.stderr == ""
    assert json.loads(printed.stdout)["schema_version"] == 1


def test_reset_needs_a_choice_and_removes_one_lesson(docker_client, lab, name):
    done = labcheck("reset")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("labcheck: say what to reset: labcheck reset --lesson ID, "
                                   "or labcheck reset --all")
    net = lab.network(name("net"))
    lab.run(name("box"), network=net)
    done = labcheck("reset", "--lesson", lab.lesson)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.splitlines() == [f"removed container {name('box')}",
                                        f"removed network {net}"]
    again = labcheck("reset", "--lesson", lab.lesson)
    assert again.stdout.startswith("nothing to remove")


def test_usage_errors_exit_2():
    done = labcheck("no-such-command")
    assert done.returncode == 2 and "invalid choice" in done.stderr
    assert "Traceback" not in done.stderr
    done = labcheck("reset", "--lesson", "x", "--all")
    assert done.returncode == 2


def test_console_script_and_module_agree():
    script = Path(sys.executable).with_name("labcheck")
    if not script.exists():
        pytest.skip("labcheck is not installed as a console script in this environment")
    a = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    b = labcheck("--version")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout and a.stdout.startswith("labcheck ")
    assert os.access(script, os.X_OK)
