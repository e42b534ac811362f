"""Engines by name: the one place that turns ``NAME [--kind K] [--engine E]`` into an Engine.

Names: ``system`` is the machine's daemon (or ``DOCKER_HOST``'s), ``vm``
the user's engine VM, ``LAB-nodeN`` a node of the lab in the engine VM
when one runs there; any other name is a netns engine (root). A netns
engine remembers what it runs, so ``stop NAME`` needs no ``--engine``.
"""

from __future__ import annotations

import os
from typing import Mapping

from ..vm import nodes as vm_nodes
from ..vm.paths import EnginePaths
from .base import KINDS, Engine, EngineStatus
from .netns import NetnsEngine, running_names
from .system import DEFAULT_HOST, SystemEngine
from .vm import VmEngine
from .vmnode import VmNodeEngine, vm_node_engine

__all__ = ["engine", "running", "kind_of"]


def kind_of(name: str, kind: str | None = None) -> str:
    """The kind of the engine ``name`` (``kind`` when given, else from the name).

    >>> kind_of("system"), kind_of("vm"), kind_of("node1"), kind_of("x", "vm")
    ('system', 'vm', 'netns', 'vm')
    """
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
        return kind
    return {"system": "system", "vm": "vm"}.get(name, "netns")


def engine(name: str, *, kind: str | None = None, version: str | None = None,
           environ: Mapping[str, str] | None = None) -> Engine:
    """The engine called ``name``; ``version`` (``--engine``) only for a netns engine."""
    chosen = kind_of(name, kind)
    if version is not None and chosen != "netns":
        raise ValueError(f"--engine chooses what a netns engine runs; {name!r} is a "
                         f"{chosen} engine")
    if chosen == "system":
        return SystemEngine(name, environ)
    if chosen == "vm":
        return VmEngine(name, environ)
    if kind is None and version is None and name not in running_names(environ):
        node = vm_node_engine(name, environ)
        if node is not None:
            return node
    return NetnsEngine(name, version, environ)


def running(environ: Mapping[str, str] | None = None) -> list[EngineStatus]:
    """Every engine this user or machine runs: the system daemon, the netns engines, the VM."""
    env = os.environ if environ is None else environ
    found: list[EngineStatus] = []
    system = SystemEngine("system", {"DOCKER_HOST": DEFAULT_HOST}).status()
    if system.running:
        found.append(system)
    if env.get("DOCKER_HOST") and env["DOCKER_HOST"] != DEFAULT_HOST:
        here = SystemEngine("system", env).status()
        if here.running and here.docker_host not in {s.docker_host for s in found}:
            found.append(here)
    for name in running_names(env):
        status = NetnsEngine(name, environ=env).status()
        if status.running:
            found.append(status)
    vm = VmEngine("vm", env).status()
    if vm.running:
        found.append(vm)
        record = vm_nodes.read_record(EnginePaths.default(env))
        if record is not None:
            for node in record.ports:
                status = VmNodeEngine(f"{record.lab}-{node}", node, environ=env).status()
                if status.running:
                    found.append(status)
    # a netns or VM engine that DOCKER_HOST points at is that engine, not a second "system"
    return [s for i, s in enumerate(found)
            if s.kind != "system" or all(o.docker_host != s.docker_host for o in found[i + 1:])]
