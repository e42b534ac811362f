"""Compose objects in exercises: a service or a Compose network found by its labels.

Docker Compose names what it builds after the project: the container of
service ``web`` in project ``shop`` is ``shop-web-1`` and the network
``front`` is ``shop_front`` -- unless the compose file says otherwise
(``container_name:``, a network's ``name:``, ``--scale``). Its labels say
what each object is whatever its name, so an exercise names the service
and the project, and the real name is read from a Snapshot:

- a container: ``com.docker.compose.project`` and ``com.docker.compose.service``
  (the lowest ``com.docker.compose.container-number`` when scaled; one-off
  ``docker compose run`` containers are left out);
- a network: ``com.docker.compose.project`` and ``com.docker.compose.network``
  (an ``external: true`` network is not Compose's: name it as a plain network).

Pure: it reads a Snapshot, never a daemon.

>>> from labcheck.snapshot import Container, Network, Snapshot
>>> labels = {PROJECT_LABEL: "shop", SERVICE_LABEL: "web", NUMBER_LABEL: "1"}
>>> snap = Snapshot(containers=(Container("my-web", "c1", labels=labels),),
...                 networks=(Network("shop_front", "n1", "bridge",
...                                   labels={PROJECT_LABEL: "shop", NETWORK_LABEL: "front"}),))
>>> web = ComposeRef("web", "service", "shop", "web")
>>> front = ComposeRef("front", "network", "shop", "front")
>>> web.find(snap), front.find(snap), web.conventional_name()
('my-web', 'shop_front', 'shop-web-1')
>>> resolve_names((web, front, ComposeRef("db", "service", "shop", "db")), snap)
{'web': 'my-web', 'front': 'shop_front', 'db': 'shop-db-1'}
>>> compose_advice("network 'shop_front' does not exist. Try: docker network create shop_front",
...                ("shop",))
"network 'shop_front' does not exist. Change the compose file, then: docker compose -p shop \
up -d (by hand, until the next up: docker network create shop_front)"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Literal, Mapping, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .snapshot import Snapshot

__all__ = ["PROJECT_LABEL", "SERVICE_LABEL", "NETWORK_LABEL", "NUMBER_LABEL", "ONEOFF_LABEL",
           "ComposeRef", "resolve_names", "compose_advice"]

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
NETWORK_LABEL = "com.docker.compose.network"
NUMBER_LABEL = "com.docker.compose.container-number"
ONEOFF_LABEL = "com.docker.compose.oneoff"


def _number(labels: Mapping[str, str]) -> int:
    try:
        return int(labels.get(NUMBER_LABEL, "0"))
    except ValueError:
        return 0


@dataclass(frozen=True)
class ComposeRef:
    """An exercise's object that Compose made.

    ``name`` is the logical name the exercise's checks use; ``kind`` is
    ``service`` (a container) or ``network``; ``project`` is the Compose
    project (a logical name too: a Binding may map it, as tests do to make
    it unique); ``key`` is the service's or network's key in the compose file.
    """

    name: str
    kind: Literal["service", "network"]
    project: str
    key: str

    @property
    def is_service(self) -> bool:
        return self.kind == "service"

    def conventional_name(self, project: str | None = None) -> str:
        """Compose v2's default name: ``<project>-<service>-1`` or ``<project>_<network>``."""
        project = project or self.project
        return f"{project}-{self.key}-1" if self.is_service else f"{project}_{self.key}"

    def find(self, snapshot: "Snapshot", project: str | None = None) -> str | None:
        """Its real name in ``snapshot`` (read from Compose's labels), or None."""
        project = project or self.project
        if self.is_service:
            found = [c for c in snapshot.containers
                     if c.labels.get(PROJECT_LABEL) == project
                     and c.labels.get(SERVICE_LABEL) == self.key
                     and c.labels.get(ONEOFF_LABEL, "False") != "True"]
            found.sort(key=lambda c: (_number(c.labels), c.name))
            return found[0].name if found else None
        nets = sorted(n.name for n in snapshot.networks
                      if n.labels.get(PROJECT_LABEL) == project
                      and n.labels.get(NETWORK_LABEL) == self.key)
        return nets[0] if nets else None


def resolve_names(refs: Iterable[ComposeRef], snapshot: "Snapshot",
                  projects: Mapping[str, str] | None = None) -> dict[str, str]:
    """Logical name -> real name for every ref.

    ``projects`` maps a logical project to the real one (default: the same).
    A ref not found in ``snapshot`` gets the name Compose would give it, so a
    check's message names what ``docker compose up`` would have made.
    """
    projects = projects or {}
    out: dict[str, str] = {}
    for ref in refs:
        project = projects.get(ref.project, ref.project)
        out[ref.name] = ref.find(snapshot, project) or ref.conventional_name(project)
    return out


def compose_advice(advice: str, projects: Sequence[str]) -> str:
    """A check's advice (``Try: docker ...``, ``Create it with docker run ...``) turned
    toward the compose file.

    For an object Compose made, the fix belongs in the compose file: a
    ``docker network connect`` by hand lasts until the next ``up``, and a
    ``docker run`` makes a container that is not the service's.
    """
    if not projects:
        return advice
    ups = " and ".join(f"docker compose -p {p} up -d" for p in projects)
    head, found, command = advice.partition("Try: docker ")
    if found:
        return (f"{head}Change the compose file, then: {ups} "
                f"(by hand, until the next up: docker {command.rstrip('.')})")
    if advice.startswith("Create it with docker "):
        return f"Is the service in the compose file? Then: {ups}"
    return advice
