"""The otter-grader example (examples/otter/), run by ``otter run`` against the real daemon.

``otter generate`` builds the autograder zip from the labcheck test file
and the exercise; ``otter run`` executes a solved and a half-done notebook
and grades them: 7/7, and 2/7 with labcheck's messages in the output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grader_tools import grader_env, need  # noqa: E402

from labcheck.live.lab import Lab  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "otter"
HALF_DONE = ('lab.network(named("appnet"))\n'
             'lab.run(named("db"), http=5432)\n'
             'lab.run(named("web"), http=5000)\n')


def _otter(folder: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "otter", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"otter {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def _with_build(notebook: Path, source: str, out: Path) -> None:
    data = json.loads(notebook.read_text())
    for cell in data["cells"]:
        if "build" in cell["metadata"].get("tags", []):
            cell["source"] = source
    out.write_text(json.dumps(data))


def test_otter_run_grades_with_labcheck(tmp_path, unique, docker_client):
    need("otter")
    work = tmp_path / "otter"
    shutil.copytree(EXAMPLE, work, symlinks=False)  # the exercise symlink becomes a file
    env = grader_env(LABCHECK_SUFFIX=unique)
    _otter(work, "generate", "-t", "tests", "--no-requirements", "--no-environment",
           "--no-config", "-o", "autograder.zip", "nbgrader-webdb.yaml", env=env)
    _with_build(work / "webdb.ipynb", HALF_DONE, work / "half.ipynb")
    results = {}
    try:
        for name in ("webdb", "half"):
            out = work / f"out-{name}"
            out.mkdir()
            _otter(work, "run", "--no-logo", "-a", "autograder.zip", "-o", str(out),
                   f"{name}.ipynb", env=env)
            results[name] = json.loads((out / "results.json").read_text())
    finally:
        Lab(f"otter-webdb-{unique}", client=docker_client).reset()

    def scored(data: dict) -> dict:
        return next(t for t in data["tests"] if t["name"] == "webdb")

    assert (scored(results["webdb"])["score"], scored(results["webdb"])["max_score"]) == (7, 7)
    half = scored(results["half"])
    assert (half["score"], half["max_score"]) == (2, 7)
    # labcheck's own messages reach the grade report, which students read: what is wrong
    # and the evidence, never the command that fixes it (that is for the last hint)
    assert "is not attached to network" in half["output"]
    assert "docker network connect" not in half["output"]
