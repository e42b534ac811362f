"""Exercise: what one exercise asks for, as checks over a Snapshot.

>>> from labcheck.checks import Check
>>> ex = Exercise(id="demo", title="Demo", lesson="01", checks=(
...     Check("net", "network_exists", {"network": "appnet"}, title="appnet exists"),
...     Check("web-on", "attached", {"container": "web", "network": "appnet"}, points=2)),
...     networks=("appnet",), container_names=("web",))
>>> ex.max_score, ex.containers(), ex.expected().attachments, ex.host_ports()
(3.0, ('web',), (('web', 'appnet'),), ())
>>> ex.bind(ex.binding_for("x1")).checks[1].params["container"]
'web-x1'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Mapping

from ..checks.base import Binding, Check, Hint, kind
from ..compose import ComposeRef, resolve_names
from ..expected import Expected

if TYPE_CHECKING:  # pragma: no cover
    from ..probes import Probe
    from ..snapshot import Snapshot

__all__ = ["Exercise"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: id, title, lesson, checks, exercise-wide hints.

    ``networks`` and ``container_names`` are the objects it concerns, by
    logical name (those a :class:`~labcheck.checks.base.Binding` maps).
    ``binding`` is the binding applied so far (identity for a fresh load).
    ``compose`` holds the objects Compose made, named by project and service
    (or network) instead of by name; :meth:`resolved` finds their real names
    in a Snapshot (see :mod:`labcheck.compose`).

    ``reveal`` is shown only once every check passes: for a break-and-fix
    exercise, what the hidden fault was and why the symptom looked as it did.
    """

    id: str
    title: str
    lesson: str = ""
    checks: tuple[Check, ...] = ()
    hints: tuple[Hint, ...] = ()
    description: str = ""
    networks: tuple[str, ...] = ()
    container_names: tuple[str, ...] = ()
    source: str = ""
    reveal: str = ""
    binding: Binding = field(default_factory=Binding, compare=False)
    compose: tuple[ComposeRef, ...] = ()

    @property
    def projects(self) -> tuple[str, ...]:
        """The Compose projects its ``compose`` objects belong to, by logical name."""
        return tuple(dict.fromkeys(ref.project for ref in self.compose))

    @property
    def objects(self) -> tuple[str, ...]:
        """Every logical object name: networks, containers, then Compose projects."""
        return self.networks + self.container_names + self.projects

    @property
    def nodes(self) -> tuple[str, ...]:
        """The Docker hosts its checks name (``node: node2``); empty for one daemon."""
        return tuple(dict.fromkeys(c.node for c in self.checks if c.node))

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.checks))

    def check(self, check_id: str) -> Check:
        """The check with this id (KeyError if none)."""
        for item in self.checks:
            if item.id == check_id:
                return item
        raise KeyError(check_id)

    def probes(self, snapshot: "Snapshot | None" = None,
               node: str | None = None) -> tuple["Probe", ...]:
        """The probes its checks need, without repeats.

        Checks that probe an IP address (``via: ip``) need ``snapshot`` to
        know it; without one their probes are left out. ``node``: only the
        probes of the checks that run on that host of a multi-node lab.
        """
        seen: dict["Probe", None] = {}
        for item in self.checks:
            if node is not None and item.node != node:
                continue
            for probe in item.probes(snapshot):
                seen.setdefault(probe, None)
        return tuple(seen)

    def containers(self) -> tuple[str, ...]:
        """Containers to read in detail: pass as ``collect(..., detail=...)``."""
        names = [self.binding.name(c) for c in self.container_names]
        for item in self.checks:
            names.extend(item.detail())
        return tuple(dict.fromkeys(names))

    def host_ports(self) -> tuple[int, ...]:
        """Host ports its checks name (those a Binding's ``ports`` may map)."""
        found: list[int] = []
        for item in self.checks:
            for param in kind(item.kind).params:
                value = item.params.get(param.name)
                if param.ref == "port" and isinstance(value, int):
                    found.append(value)
        return tuple(dict.fromkeys(found))

    def expected(self) -> Expected:
        """The topology it asks for (networks, attachments, ports, ...)."""
        result = Expected(networks=tuple(self.binding.name(n) for n in self.networks),
                          containers=self.containers())
        for item in self.checks:
            result = result.merge(item.expected())
        return result

    def binding_for(self, suffix: str | None = None, names: Mapping[str, str] | None = None,
                    ports: Mapping[int, int] | None = None) -> Binding:
        """A binding: ``names`` as given, else every object suffixed with ``-<suffix>``."""
        if names is None and suffix:
            return Binding.with_suffix(self.objects, suffix, ports)
        return Binding(names=dict(names or {}), ports=dict(ports or {}))

    def resolved(self, snapshot: "Snapshot") -> "Exercise":
        """Its Compose objects bound to the real names ``snapshot``'s labels give.

        Only container and network parameters are mapped: a name a check looks
        up (``name: db``) stays the service's name, as Compose's DNS answers it.
        An exercise without Compose objects (or already resolved) is returned as is.
        """
        if not self.compose:
            return self
        projects = {p: self.binding.name(p) for p in self.projects}
        names = resolve_names(self.compose, snapshot, projects)
        step = Binding(names=names, refs=frozenset({"container", "network"}))
        merged = Binding(names={**self.binding.names, **names}, ports=self.binding.ports)
        return replace(self, checks=tuple(c.bind(step) for c in self.checks),
                       binding=merged, compose=())

    def bind(self, binding: Binding) -> "Exercise":
        """This exercise with its object names (and host ports) mapped by ``binding``.

        Bind a freshly loaded exercise once; binding twice maps twice.
        """
        if binding.is_identity:
            return self
        return replace(self, checks=tuple(c.bind(binding) for c in self.checks),
                       binding=binding)
