"""The machinery every check kind shares: parameters, outcomes, binding, registry.

A *check kind* (``attached``, ``resolves``, ...) is a small class with a
parameter list and three pure methods of a :class:`~labcheck.snapshot.Snapshot`:
:meth:`CheckKind.probes` (the live questions it needs answered),
:meth:`CheckKind.expected` (the topology it asks for) and
:meth:`CheckKind.evaluate` (pass / fail / error with a message). A
:class:`Check` is one use of a kind in an exercise, with an id, points and
hints.

Exercises refer to objects by *logical* names (``web``, ``appnet``); a
:class:`Binding` maps them to the real names (``web-1a2b``) so that tests
can run side by side. Lessons use plain names and need no binding.

>>> b = Binding(names={"web": "web-1a2b"}, ports={8000: 18000})
>>> b.name("web"), b.name("bridge"), b.port(8000), b.port(22)
('web-1a2b', 'bridge', 18000, 22)
>>> Binding.with_suffix(["web", "db"], "x1").names
{'web': 'web-x1', 'db': 'db-x1'}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping

from ..expected import Expected

if TYPE_CHECKING:  # pragma: no cover
    from ..probes import Probe, ProbeResult
    from ..snapshot import Container, Snapshot

__all__ = [
    "PASS",
    "FAIL",
    "ERROR",
    "BOTH_NETWORKS",
    "Outcome",
    "Param",
    "Hint",
    "Binding",
    "CheckKind",
    "Check",
    "KINDS",
    "register",
    "kind",
    "probe_outcome",
    "container_or_fail",
    "probe_source_or_fail",
]

PASS, FAIL, ERROR = "pass", "fail", "error"

#: The misconception note for a container on both networks where isolation was asked.
BOTH_NETWORKS = "a container on both networks can talk to both, so they are not isolated"

@dataclass(frozen=True)
class Outcome:
    """What a check found: ``status`` is pass, fail or error; ``message`` says what is
    wrong and the evidence; ``advice`` is the command that would fix it
    (``Try: docker start web``), kept apart: a student's report leaves it out
    (:mod:`labcheck.audience`), an instructor's shows it after the message."""

    status: str
    message: str
    advice: str = ""

    @classmethod
    def passed(cls, message: str) -> "Outcome":
        return cls(PASS, message)

    @classmethod
    def failed(cls, message: str, advice: str = "") -> "Outcome":
        return cls(FAIL, message, advice)

    @classmethod
    def errored(cls, message: str, advice: str = "") -> "Outcome":
        return cls(ERROR, message, advice)

    @property
    def full_message(self) -> str:
        """The message with the advice after it (what an instructor reads)."""
        return f"{self.message} {self.advice}" if self.advice else self.message


@dataclass(frozen=True)
class Param:
    """One parameter of a check kind, as written in an exercise file.

    ``type`` is one of str, int, bool, list, map, any. ``ref`` says what the
    value names, so a :class:`Binding` can map it: ``container``,
    ``network`` or ``name`` (mapped through ``Binding.names``; a list is
    mapped item by item) or ``port`` (a host port, mapped through
    ``Binding.ports``). ``choices`` restricts a str.
    """

    name: str
    type: str = "str"
    required: bool = True
    default: Any = None
    ref: str | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class Hint:
    """A hint; revealing it costs ``penalty`` points (0: free)."""

    text: str
    penalty: float = 0.0


@dataclass(frozen=True)
class Binding:
    """Logical object names -> real names, and exercise host ports -> real ones.

    Names and ports not in the mappings stay as they are. ``refs`` says which
    kinds of parameter the names apply to (a Compose service's binding maps
    containers and networks, never the names looked up in DNS).
    """

    names: Mapping[str, str] = field(default_factory=dict)
    ports: Mapping[int, int] = field(default_factory=dict)
    refs: frozenset[str] = frozenset({"container", "network", "name"})

    def name(self, logical: str) -> str:
        return self.names.get(logical, logical)

    def port(self, port: int) -> int:
        return self.ports.get(port, port)

    def __getitem__(self, logical: str) -> str:
        return self.name(logical)

    @property
    def is_identity(self) -> bool:
        return not any(k != v for k, v in self.names.items()) and \
            not any(k != v for k, v in self.ports.items())

    @classmethod
    def with_suffix(cls, objects: Iterable[str], suffix: str,
                    ports: Mapping[int, int] | None = None) -> "Binding":
        """Every declared object ``x`` becomes ``x-<suffix>``."""
        return cls(names={o: f"{o}-{suffix}" for o in objects}, ports=dict(ports or {}))


class CheckKind:
    """Base of the check vocabulary. Subclasses set ``name``, ``summary``, ``params``."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    #: True for a kind that reads several hosts of a multi-node snapshot at once
    #: (its ``evaluate`` gets the whole snapshot, and the check's node as ``p["node"]``).
    spans_nodes: ClassVar[bool] = False

    def title(self, p: Mapping[str, Any]) -> str:
        """A default title when the exercise gives none."""
        return self.summary

    def probes(self, p: Mapping[str, Any],
               snapshot: "Snapshot | None" = None) -> tuple["Probe", ...]:
        """The probes this check needs. Some need the snapshot (an IP to probe)."""
        return ()

    def detail(self, p: Mapping[str, Any]) -> tuple[str, ...]:
        """Containers whose hostname and aliases must be read in detail."""
        return ()

    def expected(self, p: Mapping[str, Any]) -> Expected:
        """The part of the topology this check asks for."""
        return Expected()

    def evaluate(self, snap: "Snapshot", p: Mapping[str, Any]) -> Outcome:
        raise NotImplementedError

    def validate(self, p: Mapping[str, Any]) -> str | None:
        """A problem with the parameters beyond their types, or None."""
        return None

    def bind(self, p: Mapping[str, Any], binding: Binding) -> dict[str, Any]:
        """``p`` with every object reference mapped through ``binding``."""
        out = dict(p)
        for param in self.params:
            value = out.get(param.name)
            if value is None or param.ref is None:
                continue
            out[param.name] = _bind_value(value, param.ref, binding)
        return out


def _bind_value(value: Any, ref: str, binding: Binding) -> Any:
    if isinstance(value, (list, tuple)):
        return [_bind_value(v, ref, binding) for v in value]
    if ref == "port" and isinstance(value, int) and not isinstance(value, bool):
        return binding.port(value)
    if ref in binding.refs and isinstance(value, str):
        return binding.name(value)
    return value


#: Every registered check kind, by name.
KINDS: dict[str, CheckKind] = {}


def register(cls: type[CheckKind]) -> type[CheckKind]:
    """Class decorator: add a check kind to :data:`KINDS`."""
    KINDS[cls.name] = cls()
    return cls


def kind(name: str) -> CheckKind:
    """The registered check kind ``name`` (KeyError if there is none).

    Every kind is registered by then: importing this module runs the
    package's ``__init__`` first, which loads the whole vocabulary.
    """
    return KINDS[name]


@dataclass(frozen=True)
class Check:
    """One check of an exercise: a kind, its parameters, points and hints.

    ``node`` names the Docker host of a multi-node lab the check asks (``node:
    node2``, or ``from: {container: web, node: node2}`` in an exercise file):
    its probes run there and it reads that host's view of the snapshot
    (:meth:`~labcheck.snapshot.Snapshot.view`). Empty: the one daemon.
    """

    id: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)
    title: str = ""
    points: float = 1.0
    hidden: bool = False
    hints: tuple[Hint, ...] = ()
    node: str = ""

    @property
    def _kind(self) -> CheckKind:
        return kind(self.kind)

    def _on(self, snapshot: "Snapshot") -> "Snapshot | Outcome":
        """The snapshot this check reads: its node's view of a multi-node one."""
        if not self.node or not snapshot.is_multi_node or self._kind.spans_nodes:
            return snapshot
        own, view = snapshot.node(self.node), snapshot.view(self.node)
        if own is None or view is None:
            return Outcome.errored(f"node {self.node!r} is not in this snapshot (its nodes: "
                                   f"{', '.join(snapshot.node_names)})")
        for key in _SUBJECTS:  # the container a check is about must be on its node
            name = self.params.get(key)
            if isinstance(name, str) and own.container(name) is None:
                where = snapshot.nodes_of(name)
                if where:
                    return Outcome.failed(f"container {name!r} is not on {self.node} (it is on "
                                          f"{', '.join(where)}).")
        return view

    def probes(self, snapshot: "Snapshot | None" = None) -> tuple["Probe", ...]:
        if snapshot is not None and self.node and snapshot.is_multi_node:
            snapshot = snapshot.view(self.node)
        return self._kind.probes(self.params, snapshot)

    def detail(self) -> tuple[str, ...]:
        return self._kind.detail(self.params)

    def expected(self) -> Expected:
        return self._kind.expected(self.params)

    def evaluate(self, snapshot: "Snapshot") -> Outcome:
        """The outcome on ``snapshot``; an exception inside the check becomes an error."""
        try:
            if self._kind.spans_nodes:
                return self._kind.evaluate(snapshot, {**self.params, "node": self.node})
            view = self._on(snapshot)
            if isinstance(view, Outcome):
                return view
            return self._kind.evaluate(view, self.params)
        except Exception as exc:  # noqa: BLE001 - a buggy check must not crash a grading run
            return Outcome.errored(f"check {self.id!r} ({self.kind}) could not be evaluated: "
                                   f"{type(exc).__name__}: {exc}")

    def bind(self, binding: Binding) -> "Check":
        return replace(self, params=self._kind.bind(self.params, binding))


#: The parameters that name the container a check is about (or runs its probe in): on a
#: node of a multi-node lab it must be that node's own, never one of another host.
_SUBJECTS = ("container", "from")


# -- helpers shared by the kinds ------------------------------------------------

def probe_outcome(snap: "Snapshot", probe: "Probe") -> "ProbeResult | Outcome":
    """The probe's recorded result, or an error Outcome when it was never run."""
    result = snap.probe_result(probe)
    if result is None:
        return Outcome.errored(
            f"the probe '{probe.describe()}' is not in this snapshot, so this cannot be "
            "checked. Grade with labcheck.check() or 'labcheck check', which run the probes")
    return result


def container_or_fail(snap: "Snapshot", name: str) -> "Container | Outcome":
    """The container, or a fail Outcome saying it is missing."""
    box = snap.container(name)
    if box is None:
        return Outcome.failed(f"container {name!r} does not exist.",
                              f"Create it with docker run --name {name} ...")
    return box


def probe_source_or_fail(snap: "Snapshot", name: str, what: str) -> "Container | Outcome":
    """The running container named exactly ``name`` that a probe runs in, or a fail
    Outcome saying why ``what`` cannot be shown from it (missing, or not running).

    A probe's answer counts only when it comes from the container the check
    names: never from a stopped one, nor from another whose id starts with
    the same letters.
    """
    box = snap.container(name)
    if box is None:
        return Outcome.failed(f"{what} cannot be shown: no container is named {name!r}.",
                              f"Create it with docker run --name {name} ...")
    if not box.is_running:
        return Outcome.failed(f"{what} cannot be shown: container {name!r} is not running "
                              f"({box.state or 'unknown state'}).", f"Try: docker start {name}")
    return box
