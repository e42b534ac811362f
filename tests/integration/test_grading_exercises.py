"""Every exercise grades its reference solution full marks, and each broken
variant fails exactly the checks its fixture module lists, with the expected
messages; the CLI-built solution grades like the docker-py one.

Fixture modules: tests/exercises/<exercise_id>.py (see the README there).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import assert_fails_exactly, load_fixture, test_binding  # noqa: E402

import labcheck  # noqa: E402
from labcheck.exercises import list_exercises  # noqa: E402

#: Exercises graded on one daemon (those graded across nodes, ``NODES`` in their
#: module, are proven in test_grading_across_nodes.py).
_WITH_FIXTURES = [e.id for e in list_exercises() if load_fixture(e.id) is not None
                  and not getattr(load_fixture(e.id), "NODES", 0)]
_VARIANTS = [(ex_id, variant) for ex_id in _WITH_FIXTURES
             for variant in sorted(load_fixture(ex_id).BROKEN)]
_CLI = [ex_id for ex_id in _WITH_FIXTURES if hasattr(load_fixture(ex_id), "solution_cli")]


@pytest.fixture
def binding(unique):
    """A function: exercise id -> Binding with unique names and free host ports."""
    return lambda exercise_id: test_binding(exercise_id, unique)


def _grade(docker_client, exercise_id, names, tmp_path):
    return labcheck.check(exercise_id, client=docker_client, names=dict(names.names),
                          ports=dict(names.ports), hints_file=str(tmp_path / "hints.json"))


def _summary(report) -> str:
    return report.to_text(show_hidden=True)


@pytest.mark.parametrize("exercise_id", _WITH_FIXTURES)
def test_reference_solution_scores_full_marks(exercise_id, lab, binding, docker_client, tmp_path):
    names = binding(exercise_id)
    load_fixture(exercise_id).solution(lab, names)
    report = _grade(docker_client, exercise_id, names, tmp_path)
    assert report.passed, _summary(report)
    assert report.score == report.max_score > 0


@pytest.mark.parametrize(("exercise_id", "variant"), _VARIANTS)
def test_broken_variant_fails_exactly_the_expected_checks(exercise_id, variant, lab, binding,
                                                          docker_client, tmp_path):
    build, expected = load_fixture(exercise_id).BROKEN[variant]
    names = binding(exercise_id)
    build(lab, names)
    report = _grade(docker_client, exercise_id, names, tmp_path)
    assert_fails_exactly(report, expected)


@pytest.mark.parametrize("exercise_id", _CLI)
def test_docker_cli_solution_grades_like_docker_py(exercise_id, lab, binding, docker_client,
                                                   tmp_path):
    fixture = load_fixture(exercise_id)
    names = binding(exercise_id)
    fixture.solution(lab, names)
    by_py = _grade(docker_client, exercise_id, names, tmp_path)
    lab.reset()

    def docker(*args: str) -> None:
        args_list = list(args)
        if args_list[:2] == ["network", "create"] or args_list[:1] == ["run"]:
            at = 2 if args_list[0] == "network" else 1
            for key, value in lab.labels.items():
                args_list[at:at] = ["--label", f"{key}={value}"]
        done = subprocess.run(["docker", *args_list], capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, f"docker {' '.join(args_list)}: {done.stderr}"

    fixture.solution_cli(docker, names)
    by_cli = _grade(docker_client, exercise_id, names, tmp_path)
    assert by_cli.passed, _summary(by_cli)
    assert [(r.check_id, r.status) for r in by_cli.results] == \
        [(r.check_id, r.status) for r in by_py.results]
