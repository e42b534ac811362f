"""The GitHub Classroom workflow template (examples/github-classroom/).

The grading step is taken from the workflow YAML and run as written (bash,
with ``GITHUB_OUTPUT``) against the real daemon, on the reference solution
and a broken variant of its exercise. Its output is then read the way
classroom-resources/autograding-grading-reporter@v1 reads it: the variable
``<RUNNER>_RESULTS`` (base64 of v1 JSON) for each runner id, the tests'
``score`` summed against ``max_score``, ``status`` deciding pass or fail.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from grader_tools import grader_env  # noqa: E402
from exercise_fixtures import load_fixture, test_binding  # noqa: E402

import labcheck  # noqa: E402
from labcheck.exercises import load_exercise  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "github-classroom"
WORKFLOW = EXAMPLE / ".github" / "workflows" / "classroom.yml"


def _job() -> dict:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    return job


def _step(job: dict, **match: str) -> dict:
    return next(s for s in job["steps"] if all(s.get(k) == v for k, v in match.items()))


def _reporter_input(job: dict, outputs: dict[str, dict[str, str]]) -> list[dict]:
    """What the reporter parses: for each runner id, base64-decoded JSON of <ID>_RESULTS."""
    reporter = _step(job, uses="classroom-resources/autograding-grading-reporter@v1")
    env = {}
    for key, value in reporter["env"].items():
        # "${{ steps.<id>.outputs.<name> }}" as GitHub Actions would expand it
        ref = value.strip().removeprefix("${{").removesuffix("}}").strip().split(".")
        assert ref[0] == "steps" and ref[2] == "outputs", value
        env[key] = outputs[ref[1]][ref[3]]
    runners = [r.strip() for r in reporter["with"]["runners"].split(",")]
    return [json.loads(base64.b64decode(env[f"{r.upper()}_RESULTS"]).decode("utf-8"))
            for r in runners]


def _check_v1(results: dict) -> None:
    """The v1 result format, as far as the reporter reads it."""
    assert results["version"] == 1
    assert results["status"] in ("pass", "fail", "error")
    assert isinstance(results["max_score"], (int, float)) and results["max_score"] > 0
    assert results["tests"]
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert test["status"] in ("pass", "fail", "error")
        assert test["message"] is None or isinstance(test["message"], str)
        assert isinstance(test["score"], (int, float))


def _run_grading_step(job: dict, workdir: Path, options: str) -> dict[str, str]:
    step = _step(job, id="labcheck")
    output = workdir / "github_output"
    output.touch()
    env = grader_env(**{**job.get("env", {}), "LABCHECK_OPTIONS": options,
                        "GITHUB_OUTPUT": str(output)})
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stderr == "", done
    return dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)


@pytest.mark.parametrize("variant", ["solution", "default-bridge"])
def test_workflow_grading_step_feeds_the_classroom_reporter(variant, lab, unique, docker_client,
                                                            tmp_path):
    job = _job()
    exercise_id = job["env"]["EXERCISE"]
    fixture = load_fixture(exercise_id)
    exercise = load_exercise(exercise_id)
    names = test_binding(exercise_id, unique)
    build = fixture.solution if variant == "solution" else fixture.BROKEN[variant][0]
    build(lab, names)
    options = " ".join([f"--name={k}={v}" for k, v in names.names.items()]
                       + [f"--port={k}={v}" for k, v in names.ports.items()])

    outputs = {"labcheck": _run_grading_step(job, tmp_path, options)}
    (results,) = _reporter_input(job, outputs)
    _check_v1(results)

    live = labcheck.check(exercise_id, client=docker_client, names=dict(names.names),
                          ports=dict(names.ports), hints_file=str(tmp_path / "hints.json"))
    # the reporter's arithmetic: total = sum of the tests' scores, out of max_score
    assert sum(t["score"] for t in results["tests"]) == live.score
    assert results["max_score"] == live.max_score == exercise.max_score
    if variant == "solution":
        assert results["status"] == "pass" and live.passed
        assert all(t["status"] == "pass" for t in results["tests"])
    else:
        assert results["status"] == "fail" and not live.passed
        failed = [t for t in results["tests"] if t["status"] != "pass"]
        assert failed and all(t["message"] for t in failed if not t["name"].startswith("hidden"))
        # a student reads this log: what is wrong and the evidence, not the fixing command
        assert not any("Try:" in (t["message"] or "") for t in failed)
        assert not any("docker network connect" in (t["message"] or "") for t in failed)
