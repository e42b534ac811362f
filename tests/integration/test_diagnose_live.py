"""labcheck.diagnose on a real engine: for each lesson-06 scenario, the routine's first
failing step is the one where the fault is, and after the reference repair every step
passes (the stand-in outside world of 06-internal is reached by address, not by name,
so there the lookup of the stand-in's name still fails, as it should)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import load_fixture, test_binding  # noqa: E402

from labcheck.diagnosis import HOST  # noqa: E402
from labcheck.live.diagnosis import diagnose  # noqa: E402
from labcheck.live.scenarios import scenario  # noqa: E402

#: scenario: (source, target, port, first failing step when broken, after the repair)
CASES = {
    "06-loopback": ("shopper", "web", 80, "connect", None),
    "06-wrong-port": (HOST, "site", 8062, "connect", None),
    "06-alias": ("api", "database", 5432, "inspect", None),
    "06-default-bridge": ("app", "cache", 6379, "resolv.conf", None),
    "06-internal": ("fetcher", "mirror", 80, "inspect", "lookup"),
    "06-port-taken": (HOST, "blog", 8066, "inspect", None),
    "06-typo": ("app", "postgers", 5432, "inspect", "inspect"),
}


def _real(names, name):
    return name if name == HOST else names[name]


@pytest.mark.parametrize("scenario_id", sorted(CASES))
def test_first_failing_step_points_at_the_fault(scenario_id, lab, unique, docker_client):
    source, target, port, broken, repaired = CASES[scenario_id]
    names = test_binding(scenario_id, unique)
    host_port = names.port(port) if source == HOST else port
    scenario(scenario_id, lab=lab, names=names).build(quiet=True)
    found = diagnose(_real(names, source), _real(names, target), port=host_port,
                     client=docker_client)
    assert found.first_failure is not None, str(found)
    assert found.first_failure.name == broken, str(found)
    lab.reset()
    load_fixture(scenario_id).solution(lab, names)
    after = diagnose(_real(names, source), _real(names, target), port=host_port,
                     client=docker_client)
    assert (after.first_failure.name if after.first_failure else None) == repaired, str(after)
