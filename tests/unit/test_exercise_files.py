"""Exercise files: every packaged one is valid and has its fixtures; bad files
get errors naming the file, the line, the key and what was expected."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import fixture_path, load_fixture  # noqa: E402

from labcheck.errors import UsageError  # noqa: E402
from labcheck.exercises import (  # noqa: E402
    ExerciseFileError,
    list_exercises,
    load_exercise,
    parse_exercise,
)

PACKAGED = [e.id for e in list_exercises()]

GOOD = """\
id: mine
title: Mine
lesson: "09"
checks:
  - id: net
    kind: network_exists
    network: appnet
"""


@pytest.mark.parametrize("exercise_id", PACKAGED)
def test_packaged_exercise_has_a_solution_and_two_broken_variants(exercise_id):
    ex = load_exercise(exercise_id)
    fixture = load_fixture(exercise_id)
    assert fixture is not None, f"{exercise_id} needs {fixture_path(exercise_id)}"
    assert fixture.EXERCISE == exercise_id
    assert callable(fixture.solution)
    assert len(fixture.BROKEN) >= 2
    ids = {c.id for c in ex.checks}
    for variant, (build, failing) in fixture.BROKEN.items():
        assert callable(build), variant
        assert failing and set(failing) <= ids, f"{variant}: unknown checks {set(failing) - ids}"


@pytest.mark.parametrize("exercise_id", PACKAGED)
def test_packaged_exercise_is_complete(exercise_id):
    ex = load_exercise(exercise_id)
    assert ex.title and ex.lesson and ex.checks and ex.max_score > 0
    assert all(c.title for c in ex.checks)


def test_example_exercise_contract():
    ex = load_exercise("example-web-db")
    assert ex.containers() == ("web", "db")
    assert ex.host_ports() == (8000,)
    expected = ex.expected()
    assert ("web", "appnet") in expected.attachments
    assert ("db", 5432) in expected.unpublished
    assert [p.host_ip for p in expected.ports] == ["127.0.0.1"]
    kinds = {type(p).__name__ for p in ex.probes()}
    assert kinds == {"Resolve", "Reach", "HostReach", "ReadResolvConf"}
    bound = ex.bind(ex.binding_for(suffix="z9", ports={8000: 18000}))
    assert bound.containers() == ("web-z9", "db-z9")
    assert bound.expected().networks == ("appnet-z9",)
    assert 18000 in [getattr(p, "port", None) for p in bound.probes()]


def test_unknown_id_names_the_closest():
    with pytest.raises(UsageError, match="Did you mean 'example-web-db'"):
        load_exercise("example-wed-db")


def _error(text: str) -> str:
    with pytest.raises(ExerciseFileError) as info:
        parse_exercise(textwrap.dedent(text), "ex.yaml")
    return str(info.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("id: a\ntitle: [unclosed\n", "ex.yaml, line 3, column 1: not valid YAML"),
    ("", "the file is empty"),
    ("- a\n", "expected a mapping at the top"),
    ("id: a\ntitel: A\nchecks: []\n", "ex.yaml, line 2: titel: unknown key; did you mean 'title'?"),
    ("id: a\ntitle: A\n", "missing 'checks'"),
    ("id: a b\ntitle: A\nchecks: [{id: x, kind: network_exists, network: n}]\n",
     "line 1: id: expected a short id"),
    (GOOD.replace("kind: network_exists", "kind: netwrk_exists"),
     "line 6: checks[0].kind: unknown check kind 'netwrk_exists'; did you mean 'network_exists'?"),
    (GOOD.replace("network: appnet", "netwrk: appnet"),
     "line 7: checks[0].netwrk: network_exists has no parameter 'netwrk'; did you mean 'network'?"),
    (GOOD.replace("network: appnet", "container: web"),
     "line 7: checks[0].container: network_exists has no parameter 'container' (its "
     "parameters: network)"),
    (GOOD + "  - {id: p, kind: published, container: web, container_port: http, host_port: 80}\n",
     "line 8: checks[1].container_port: expected a whole number, got 'http'"),
    (GOOD + "  - {id: r, kind: resolver, container: web, expect: google}\n",
     "checks[1].expect: expected one of embedded, host, got 'google'"),
    (GOOD + "  - {id: s, kind: network_subnet, network: n}\n",
     "line 8: checks[1]: network_subnet 's': give 'subnet', 'gateway' or both"),
    (GOOD + "  - {id: net, kind: network_exists, network: other}\n",
     "line 8: checks[1].id: check id 'net' is used twice (also checks[0])"),
    (GOOD + "    points: lots\n", "line 8: checks[0].points: expected a number >= 0"),
    (GOOD + "hints:\n  - {text: t, penalty: -1}\n",
     "line 9: hints[0].penalty: expected a number of points >= 0"),
    (GOOD + "  - {id: h, kind: host_reaches, port: 80, host: 10.0.0.1}\n",
     "only loopback addresses"),
    (GOOD + "  - {id: py, kind: python, function: nosuchmodule_xyz:f}\n",
     "cannot load nosuchmodule_xyz:f"),
])
def test_bad_files_name_file_line_key_and_expectation(text, expected):
    assert expected in _error(text)


def test_missing_required_parameter_says_what_it_is():
    message = _error(GOOD.replace("    network: appnet\n", ""))
    assert "ex.yaml, line 5: checks[0]: network_exists needs 'network' (the network's name)" \
        in message


def test_objects_are_inferred_and_builtin_networks_stay_unmapped():
    ex = parse_exercise(GOOD + "  - {id: a, kind: attached, container: web, "
                               "networks: [bridge, back]}\n", "ex.yaml")
    assert ex.networks == ("appnet", "back") and ex.container_names == ("web",)
    bound = ex.bind(ex.binding_for(suffix="q"))
    assert bound.check("a").params["networks"] == ["bridge", "back-q"]


def test_instructor_folders(tmp_path, monkeypatch):
    (tmp_path / "mine.yaml").write_text(GOOD)
    assert "mine" not in [e.id for e in list_exercises()]
    assert load_exercise("mine", dirs=[tmp_path]).lesson == "09"
    monkeypatch.setenv("LABCHECK_EXERCISES", str(tmp_path))
    assert load_exercise("mine").title == "Mine"
    assert load_exercise(str(tmp_path / "mine.yaml")).id == "mine"


def test_duplicate_ids_in_instructor_folders(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (one / "a.yaml").write_text(GOOD)
    (two / "b.yaml").write_text(GOOD)
    with pytest.raises(ExerciseFileError, match="defined twice"):
        list_exercises(dirs=[one, two])


def test_instructor_may_replace_a_packaged_exercise(tmp_path):
    (tmp_path / "mine.yaml").write_text(GOOD.replace("id: mine", "id: example-web-db"))
    assert load_exercise("example-web-db", dirs=[tmp_path]).title == "Mine"


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        list_exercises(dirs=[tmp_path / "nope"])


def test_python_check_module_next_to_the_file(tmp_path):
    (tmp_path / "extra.py").write_text("def always(snapshot):\n    return True\n")
    (tmp_path / "py.yaml").write_text(GOOD + "  - {id: py, kind: python, function: extra:always}\n")
    from labcheck.grading import grade
    from labcheck.snapshot import Snapshot
    report = grade(load_exercise("mine", dirs=[tmp_path]), Snapshot())
    assert report.result("py").status == "pass"


def test_the_guide_documents_every_check_kind():
    from labcheck.checks import KINDS
    guide = (Path(__file__).resolve().parents[2] / "docs" / "writing-exercises.md").read_text()
    assert [k for k in KINDS if f"| `{k}` |" not in guide] == []


def test_a_check_names_its_node_by_node_or_by_a_reference():
    text = ("id: t\ntitle: T\nchecks:\n"
            "  - {id: a, kind: attached, container: {container: web, node: node2}, network: n}\n"
            "  - {id: b, kind: network_exists, node: node1, network: n}\n"
            "  - {id: c, kind: resolves, from: web, name: db}\n")
    ex = parse_exercise(text, "t.yaml")
    assert [(c.id, c.node, c.params.get("container")) for c in ex.checks] == \
        [("a", "node2", "web"), ("b", "node1", None), ("c", "", None)]
    assert ex.nodes == ("node2", "node1") and ex.container_names == ("web",)
    two = ("id: t\ntitle: T\nchecks:\n  - {id: a, kind: reaches, node: node1, "
           "from: {container: web, node: node2}, to: db}\n")
    with pytest.raises(ExerciseFileError, match="names two nodes"):
        parse_exercise(two, "t.yaml")
    odd = "id: t\ntitle: T\nchecks:\n  - {id: a, kind: reaches, from: {box: web}, to: db}\n"
    with pytest.raises(ExerciseFileError, match="unknown key"):
        parse_exercise(odd, "t.yaml")
