"""Lesson 09's exercises, graded across a lab of three Docker hosts (root).

As test_grading_exercises.py does for one daemon: every exercise whose fixture
module sets ``NODES`` grades its reference solution (and each of its
``ALSO_PASSES`` repairs) full marks, and each broken variant fails exactly the
checks it lists, with the message fragments given. One lab (a swarm of three
netns engines, its own namespaces) serves the module; everything is removed
between tests and the lab is taken down at the end.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import assert_fails_exactly, load_fixture  # noqa: E402
from node_fixtures import joined_lab  # noqa: E402

import labcheck  # noqa: E402
from labcheck.batch import grade_files  # noqa: E402
from labcheck.live.grading import graded, make_submission  # noqa: E402
from labcheck.exercises import list_exercises  # noqa: E402
from labcheck.snapshot import Snapshot  # noqa: E402

pytestmark = [pytest.mark.docker,
              pytest.mark.skipif(os.geteuid() != 0, reason="a multi-node lab needs root")]

_ACROSS = [e.id for e in list_exercises() if getattr(load_fixture(e.id), "NODES", 0)]
_VARIANTS = [(ex, v) for ex in _ACROSS for v in sorted(load_fixture(ex).BROKEN)]
_ALSO = [(ex, v) for ex in _ACROSS for v in sorted(getattr(load_fixture(ex), "ALSO_PASSES", {}))]


@pytest.fixture(scope="module")
def swarm():
    with joined_lab("across") as lab:
        yield lab


@pytest.fixture
def lab(swarm):
    swarm.reset()
    yield swarm
    swarm.reset()


def _grade(lab, exercise_id, tmp_path):
    snapshot, report = graded(exercise_id, nodes=lab.nodes,
                             hints_file=str(tmp_path / "hints.json"))
    return snapshot, report


def _summary(report) -> str:
    return report.to_text(show_hidden=True)


def test_every_lesson_09_exercise_is_graded_across_nodes():
    assert {"09-shop-overlay", "09-api-dnsrr", "09-vxlan-repair"} <= set(_ACROSS)


@pytest.mark.parametrize("exercise_id", _ACROSS)
def test_reference_solution_scores_full_marks(exercise_id, lab, tmp_path):
    load_fixture(exercise_id).solution(lab, None)
    snapshot, report = _grade(lab, exercise_id, tmp_path)
    assert report.passed, _summary(report)
    assert report.score == report.max_score > 0
    again = Snapshot.loads(snapshot.dumps())        # saved: graded offline alike
    assert again.node_names == ("node1", "node2", "node3")
    assert labcheck.check(exercise_id, snapshot=again).passed
    # a submission of the lab, graded in a batch; a copy under another name is flagged
    handed = make_submission(exercise_id, nodes=lab.nodes, student="dana",
                             hints_file=str(tmp_path / "hints.json"))
    handed.save(tmp_path / "dana.json")
    copied = Snapshot.loads(handed.dumps())
    copied.meta["submission"]["student"] = "eve"
    copied.save(tmp_path / "eve.json")
    batch = grade_files([tmp_path / "dana.json", tmp_path / "eve.json"])
    assert [g.report.passed for g in batch.graded] == [True, True], batch.problems
    assert all("copied" in " ".join(g.flags) for g in batch.graded)


@pytest.mark.parametrize(("exercise_id", "variant"), _ALSO)
def test_other_repairs_pass(exercise_id, variant, lab, tmp_path):
    load_fixture(exercise_id).ALSO_PASSES[variant](lab, None)
    report = _grade(lab, exercise_id, tmp_path)[1]
    assert report.passed, _summary(report)


@pytest.mark.parametrize(("exercise_id", "variant"), _VARIANTS)
def test_broken_variant_fails_exactly_the_expected_checks(exercise_id, variant, lab, tmp_path):
    build, expected = load_fixture(exercise_id).BROKEN[variant]
    build(lab, None)
    report = _grade(lab, exercise_id, tmp_path)[1]
    assert_fails_exactly(report, expected)


def test_explain_across_hosts_is_confirmed_by_a_probe_on_the_source_host(lab, capsys,
                                                                          monkeypatch):
    from labcheck.cli import main
    from labcheck.live.reachability import explain_nodes

    load_fixture("09-shop-overlay").solution(lab, None)
    across = explain_nodes(lab.nodes, "front", "store", port=80)
    assert across.explanation.reachable and across.reaches, across.lines()
    assert any("port 4789" in r for r in across.explanation.reasons)
    apart = explain_nodes(lab.nodes, "island", "store")
    assert not apart.explanation.reachable and not apart.reaches, apart.lines()
    assert "only a swarm network" in "\n".join(apart.lines())
    monkeypatch.setenv("LABCHECK_NODES_LAB", lab.nodes.lab)      # the CLI finds this lab
    assert main(["explain", "front", "store", "--nodes"]) == 0
    assert "the VXLAN device of shop on node1" in capsys.readouterr().out
