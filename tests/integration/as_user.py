"""Run this checkout's labcheck as another user (``nobody``), from where that user can read it.

The checkout may be unreadable to other users (a clone in a 0700 folder, as
``mktemp -d`` makes): run from there, ``python -m labcheck`` as nobody fails
with "No module named labcheck". So the tests that need an unprivileged user
run a copy: this checkout's ``labcheck/`` and ``scripts/``, and the installed
packages that labcheck's CLI imports (found by importing them here, not from a
list), in a temporary folder every user can read, with ``PYTHONPATH`` at it.
The interpreter is this one if that user can start it, else the machine's
``python3`` of the same version; if neither imports labcheck as that user, the
test skips and says why (checked for real, as that user).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534

#: Run as root here: what a CLI run of labcheck imports from outside the standard
#: library, as paths relative to the folder they were found in.
_PROBE = r"""
import os, runpy, sys
os.environ["DOCKER_HOST"] = "unix:///nonexistent/labcheck-probe.sock"
sys.argv = ["labcheck", "snapshot"]
import docker, labcheck, labcheck.live.daemon
try:
    runpy.run_module("labcheck", run_name="__main__")
except SystemExit:
    pass
roots = sorted({p for p in sys.path if p.endswith("-packages")}, key=len, reverse=True)
found = set()
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None) or ""
    for base in roots:
        if path.startswith(base + os.sep):
            found.add(base + os.sep + path[len(base) + 1:].split(os.sep)[0])
            break
print("\n".join(sorted(found)))
"""


@dataclass
class AsUser:
    """How to run this checkout's labcheck as ``uid``."""

    uid: int
    python: str
    root: Path  #: the readable copy: labcheck/, scripts/ and the packages labcheck imports
    env: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> list[str]:
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups"]

    def python_command(self, *args: str) -> list[str]:
        return [*self.prefix, self.python, *args]

    def environ(self, env: dict[str, str]) -> dict[str, str]:
        return {**env, **self.env}


def _copy(folder: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "labcheck", folder / "labcheck", ignore=ignore)
    shutil.copytree(ROOT / "scripts", folder / "scripts", ignore=ignore)
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    for line in done.stdout.split():
        source = Path(line)
        if source.name == "labcheck" or source.name.startswith("__editable__"):
            continue  # this checkout's, copied above
        if source.is_dir():
            shutil.copytree(source, folder / source.name, ignore=ignore)
        else:
            shutil.copy2(source, folder / source.name)
    subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
    os.chmod(folder, 0o755)


def _imports(candidate: AsUser) -> subprocess.CompletedProcess[str]:
    return subprocess.run(candidate.python_command("-c", "import labcheck, docker"),
                          env=candidate.environ({"PATH": os.environ.get("PATH", "/usr/bin:/bin")}),
                          capture_output=True, text=True, timeout=60, cwd=candidate.root)


@pytest.fixture(scope="session", name="as_nobody")
def as_nobody_fixture():
    """Run this checkout's labcheck as nobody (root and setpriv needed; else a skip)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run labcheck as an unprivileged user")
    folder = Path(tempfile.mkdtemp(prefix="labcheck-as-nobody-"))
    try:
        _copy(folder)
        same = f"python{sys.version_info.major}.{sys.version_info.minor}"
        pythons = [sys.executable, shutil.which(same) or "", f"/usr/bin/{same}"]
        env = {"PYTHONPATH": str(folder), "PYTHONNOUSERSITE": "1"}
        why = []
        for python in dict.fromkeys(p for p in pythons if p):
            candidate = AsUser(NOBODY, python, folder, env)
            done = _imports(candidate)
            if done.returncode == 0:
                yield candidate
                break
            why.append(f"{python}: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
        else:
            pytest.skip("nobody cannot run labcheck from a readable copy: " + "; ".join(why))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
