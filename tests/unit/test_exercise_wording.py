"""Hints that make the student think: no description and no free hint holds a command.

A free hint is a question or a pointer to what to look at; the command that
solves the exercise is only in the last hint, which costs points. The rule
(:mod:`labcheck.exercises.wording`) is run over every exercise file, and
shown catching made-up bad hints of each kind.
"""

from __future__ import annotations

import textwrap

import pytest

from labcheck.exercises import list_exercises, load_exercise, parse_exercise
from labcheck.exercises.wording import commands_in, wording_problems

PACKAGED = [e.id for e in list_exercises()]


@pytest.mark.parametrize("exercise_id", PACKAGED)
def test_no_description_or_free_hint_holds_a_command(exercise_id):
    assert wording_problems(load_exercise(exercise_id)) == []


@pytest.mark.parametrize("exercise_id", PACKAGED)
def test_the_last_exercise_hint_costs_points_and_is_the_only_one_with_a_command(exercise_id):
    ex = load_exercise(exercise_id)
    assert ex.hints, f"{exercise_id} has no exercise hints"
    assert ex.hints[-1].penalty > 0
    assert all(h.penalty == 0 for h in ex.hints[:-1])
    for item in ex.checks:
        for hint in item.hints:
            assert hint.penalty > 0 or not commands_in(hint.text), (item.id, hint.text)


@pytest.mark.parametrize("text", [
    "docker network connect shopnet shop",
    "Try: docker start web",
    "run docker run -d --name hello ...",
    "docker compose -p shop up -d",
    "client.networks.create('shopnet')",
    "back.connect('db', aliases=['database'])",
    "client.containers.run(IMAGE, name='hermit')",
    "network_mode='none' in docker-py's containers.run",
    "network_mode=\"host\"",
    "ports={'80/tcp': ('127.0.0.1', 8011)}",
    "networks: back: internal: true",
    "networks: {shared: {external: true}}",
    "aliases: [database], under the db service",
    "-p 127.0.0.1:8050:80 publishes on this machine only",
    "publish it with -p 8000:5000",
    "docker network create --internal ...",
    "use --network none",
    "--network-alias search on both",
    "-o com.docker.network.bridge.name=wire0",
    "ip link show master wire0",
    "IPAMPool(subnet='10.220.22.0/24')",
])
def test_a_made_up_command_is_caught(text):
    assert commands_in(text), text


@pytest.mark.parametrize("text", [
    "A published port is written host_ip:host_port:container_port.",
    "Which networks is web on (its NetworkSettings.Networks)? A running container can join "
    "another network.",
    "Is backnet internal (its Internal in network inspect)?",
    "Who publishes 127.0.0.1:8066? List every container with its ports (all=True).",
    "Docker warns about it: leave it out",
    "Names resolve only on a user-defined network, not on the default bridge.",
    "An alias belongs to a container's endpoint on one network.",
    "docker-py's attrs go stale",
    "Refused means the packets arrived and nothing listened at that address.",
])
def test_a_question_or_a_pointer_is_not_a_command(text):
    assert commands_in(text) == []


def _exercise(hints: str, description: str = "Make appnet.") -> object:
    text = (f"id: made-up\ntitle: Made up\nlesson: \"09\"\ndescription: {description!r}\n"
            f"hints:\n{textwrap.indent(hints, '  ')}"
            "checks:\n  - id: net\n    kind: network_exists\n    network: appnet\n"
            "    hints:\n      - \"docker network create appnet\"\n")
    return parse_exercise(text, "made-up.yaml")


def test_a_made_up_exercise_with_bad_hints_is_refused():
    ex = _exercise('- "docker network create appnet"\n'
                   '- {text: "client.networks.create(\'appnet\')", penalty: 1}\n'
                   '- {text: "What is it called?", penalty: 1}\n',
                   description="Create appnet: docker network create appnet")
    problems = wording_problems(ex)
    assert any("description holds a command" in p for p in problems), problems
    assert any("exercise hints, hint 1: a free hint" in p for p in problems), problems
    assert any("hint 2: a command before the last hint" in p for p in problems), problems
    assert any("check 'net', hint 1: a free hint" in p for p in problems), problems


def test_a_made_up_exercise_with_good_hints_passes():
    ex = _exercise('- "Which networks exist (client.networks.list)?"\n'
                   '- {text: "client.networks.create(\'appnet\')", penalty: 1}\n')
    assert [p for p in wording_problems(ex) if "check 'net'" not in p] == []
