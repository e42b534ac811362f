"""Does a text hand over a command? The rule for exercise descriptions and hints.

An exercise states a goal, and a free hint is a question or a pointer to what
to look at; the command that solves it (a ``docker`` invocation, a docker-py
call, a Compose key, a ``-p`` mapping) belongs only in the last hint, which
costs points. :func:`commands_in` finds such commands in a text;
:func:`wording_problems` applies the rule to a loaded exercise (the unit test
``tests/unit/test_exercise_wording.py`` runs it over every exercise file).

>>> commands_in("Who publishes 127.0.0.1:8066? List every container with its ports.")
[]
>>> commands_in("Try: docker network connect shopnet shop")
['docker network connect', 'Try:']
>>> commands_in("client.networks.create('x', internal=True)")
['.create(', 'internal=True']
>>> commands_in("networks: back: internal: true")
['internal: true']
>>> commands_in("-p 127.0.0.1:8050:80 publishes on this machine only")
['-p 127.0.0.1:8050:80']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .model import Exercise

__all__ = ["COMMAND_PATTERNS", "commands_in", "wording_problems"]

#: What counts as a command: the CLI, docker-py, Compose keys, host tools, options by name.
COMMAND_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in (
    # the docker CLI: `docker` followed by a subcommand (not "Docker", not "docker-py")
    r"\bdocker(?:-compose)?\s+(?:[a-z][a-z-]*)(?:\s+[a-z][a-z-]*)?",
    # docker-py: a call of a client, a model or a collection
    r"\.(?:create|connect|disconnect|run|remove|start|stop|restart|kill|exec_run|get|prune)\(",
    r"\b(?:IPAMPool|IPAMConfig|create_endpoint_config|create_networking_config)\b",
    # docker-py keyword arguments that are the answer
    r"\b(?:network_mode|networking_config|ipam|aliases|ports|internal|ipv4_address|options"
    r"|driver|network)\s*=\s*[^\s,)]+",
    # Compose keys that are the answer
    r"\b(?:internal|external|attachable):\s*true\b",
    r"\b(?:aliases|network_mode|ipv4_address):\s*\S",
    # CLI options with their values
    r"(?<![\w-])-p\s+(?:\d{1,3}(?:\.\d{1,3}){3}:)?\d+:\d+",
    r"(?<![\w-])--(?:network|net|network-alias|alias|internal|ip|subnet|gateway|publish|link"
    r"|driver|attachable)(?:[=\s]\S|\b)",
    r"\bcom\.docker\.network\.[a-z.]+",
    # host tools run as commands
    r"\bip\s+(?:-\w+\s+)*(?:link|addr|address|route|netns|neigh)\b",
    r"\b(?:iptables|nsenter|brctl|bridge)\s+-",
    r"\bTry:",
))


def commands_in(text: str) -> list[str]:
    """Every command-like piece of ``text``, in pattern order (empty: none)."""
    found: list[str] = []
    for pattern in COMMAND_PATTERNS:
        found.extend(m.group(0).strip() for m in pattern.finditer(text))
    return found


def wording_problems(exercise: "Exercise") -> list[str]:
    """What breaks the rule in ``exercise``: its description or a free hint holding a
    command, or a command in a hint that is not the last, penalised one of its list."""
    problems = []
    if commands_in(exercise.description):
        problems.append(f"{exercise.id}: the description holds a command: "
                        f"{commands_in(exercise.description)}")
    lists = [("exercise hints", exercise.hints)]
    lists += [(f"check {c.id!r}", c.hints) for c in exercise.checks]
    for where, hints in lists:
        for i, hint in enumerate(hints):
            found = commands_in(hint.text)
            if not found:
                continue
            if hint.penalty <= 0:
                problems.append(f"{exercise.id}, {where}, hint {i + 1}: a free hint holds a "
                                f"command: {found}")
            elif i != len(hints) - 1:
                problems.append(f"{exercise.id}, {where}, hint {i + 1}: a command before "
                                f"the last hint: {found}")
    return problems
