"""Lab: create labelled networks and containers, safely and idempotently.

Lessons and tests build their topologies through a :class:`Lab`. Everything
it creates carries the lesson's labels, and every call can be made again
(a student re-running a cell never meets a 409 "already exists"): an object
of the same name that this lab made is replaced; one that it did not make is
never touched, and the error says so. A request the daemon refuses is a
:class:`~labcheck.errors.UsageError` naming the object; a daemon that does
not answer is an environment problem (see :func:`~labcheck.live.daemon.daemon_errors`).

    lab = Lab("02")
    lab.network("mybridge")
    lab.run("db", network="mybridge")
    lab.run("web", network="mybridge", ports={5000: ("127.0.0.1", 8000)}, http=5000)
    lab.reset()
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ..errors import ObjectNotFound, UsageError
from ..images import LAB_IMAGE
from ..lab import IDLE_COMMAND, http_command
from ..ownership import LESSON_LABEL, ResetResult, is_owned, lesson_labels
from .daemon import daemon_errors
from .execs import run_in
from .images import ensure_lab_image
from .ownership import reset

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from ..probes import Probe
    from ..snapshot import Snapshot

__all__ = ["Lab"]

PortSpec = Mapping[Any, Any]


class Lab:
    """Builds one lesson's (or test's) topology on a daemon, with labels.

    ``client`` defaults to :func:`labcheck.connect`. The lab image is made
    ready on first use.
    """

    def __init__(self, lesson: str, client: "docker.DockerClient | None" = None,
                 image: str = LAB_IMAGE) -> None:
        self.lesson = str(lesson)
        self.labels = lesson_labels(self.lesson)
        self._client = client
        self.image = image
        self._image_ready = False

    # -- plumbing --------------------------------------------------------

    @property
    def client(self) -> "docker.DockerClient":
        if self._client is None:
            from .daemon import connect
            self._client = connect()
        return self._client

    def _ensure_image(self) -> None:
        if not self._image_ready:
            if self.image == LAB_IMAGE:
                ensure_lab_image(self.client, self.image)
            self._image_ready = True

    def _owned(self, labels: Mapping[str, str] | None) -> bool:
        return is_owned(dict(labels or {}), self.lesson)

    def _foreign(self, kind: str, name: str) -> UsageError:
        return UsageError(
            f"a {kind} named {name!r} already exists and was not created by lesson "
            f"{self.lesson!r}; labcheck will not touch it",
            advice=f"Remove or rename it yourself (docker {kind} rm {name}), or choose another "
                   "name")

    # -- networks --------------------------------------------------------

    def network(self, name: str, *, driver: str = "bridge", subnet: str | None = None,
                gateway: str | None = None, ip_range: str | None = None,
                internal: bool = False, attachable: bool = False, ipv6: bool = False,
                options: Mapping[str, str] | None = None) -> str:
        """Create network ``name`` (replacing this lab's earlier one); return its name."""
        from docker.types import IPAMConfig, IPAMPool

        api = self.client.api
        with daemon_errors(self.client):
            for entry in api.networks(names=[name]):
                if entry.get("Name") != name:
                    continue
                if not self._owned(entry.get("Labels")):
                    raise self._foreign("network", name)
                self._remove_network(entry["Id"])
        ipam = None
        if subnet or gateway or ip_range:
            ipam = IPAMConfig(pool_configs=[IPAMPool(subnet=subnet, gateway=gateway,
                                                     iprange=ip_range)])
        with daemon_errors(self.client, f"cannot create network {name!r}"):
            api.create_network(name, driver=driver, ipam=ipam, internal=internal,
                               attachable=attachable or None, enable_ipv6=ipv6 or None,
                               options=dict(options or {}) or None, labels=dict(self.labels),
                               check_duplicate=True)
        return name

    def _remove_network(self, ident: str) -> None:
        """Remove a network of this lab, first removing this lab's containers on it."""
        import docker.errors

        api = self.client.api
        with daemon_errors(self.client):
            try:
                attrs = api.inspect_network(ident)
            except docker.errors.NotFound:
                return
            for cid in (attrs.get("Containers") or {}):
                try:
                    info = api.inspect_container(cid)
                except docker.errors.NotFound:
                    continue
                labels = (info.get("Config") or {}).get("Labels")
                if self._owned(labels):
                    api.remove_container(cid, force=True)
                else:
                    api.disconnect_container_from_network(cid, ident, force=True)
            with contextlib.suppress(docker.errors.NotFound):
                api.remove_network(ident)

    # -- containers ------------------------------------------------------

    def run(self, name: str, *, network: str | None = None, networks: Sequence[str] = (),
            aliases: Iterable[str] = (), ip: str | None = None,
            ports: PortSpec | None = None, command: Sequence[str] | str | None = None,
            http: int | None = None, http_text: str | None = None,
            hostname: str | None = None, network_mode: str | None = None,
            links: Mapping[str, str] | None = None, environment: Mapping[str, str] | None = None,
            image: str | None = None, start: bool = True) -> str:
        """Run container ``name`` (replacing this lab's earlier one); return its name.

        ``network`` is the first network (with ``aliases`` and ``ip`` on it);
        ``networks`` are connected as well. ``ports`` maps a container port
        to a host port, ``(host_ip, host_port)`` or None (docker-py's shape).
        ``http`` serves HTTP on that port; otherwise the container idles.
        """
        api = self.client.api
        self._ensure_image()
        self.remove(name)
        if command is None:
            command = http_command(http, http_text) if http else IDLE_COMMAND
        first = network or (networks[0] if networks else None)
        extra = [n for n in networks if n != first]
        mode = network_mode or first
        endpoint_config = None
        if first and not network_mode:
            endpoint_config = api.create_networking_config({
                first: api.create_endpoint_config(aliases=list(aliases) or None,
                                                  ipv4_address=ip)})
        port_keys = list(ports or {})
        host_config = api.create_host_config(
            network_mode=mode, port_bindings=dict(ports) if ports else None,
            links=dict(links) if links else None)
        try:
            with daemon_errors(self.client, f"cannot run container {name!r}"):
                created = api.create_container(
                    image or self.image, command=command, name=name, hostname=hostname,
                    labels=dict(self.labels), ports=port_keys or None, host_config=host_config,
                    networking_config=endpoint_config,
                    environment=dict(environment or {}) or None)
                for net in extra:
                    api.connect_container_to_network(created["Id"], net)
                if start:
                    api.start(created["Id"])
        except UsageError:  # refused: take the half-made container away again
            self.remove(name)
            raise
        return name

    def connect(self, container: str, network: str, *, aliases: Iterable[str] = (),
                ip: str | None = None) -> None:
        """Attach ``container`` to ``network`` (again, if it already is)."""
        api = self.client.api
        self.disconnect(container, network)
        with daemon_errors(self.client, f"cannot connect {container!r} to {network!r}"):
            api.connect_container_to_network(container, network, aliases=list(aliases) or None,
                                             ipv4_address=ip)

    def disconnect(self, container: str, network: str) -> None:
        """Detach ``container`` from ``network``; nothing happens if it is not attached."""
        try:
            with daemon_errors(self.client, f"cannot disconnect {container!r}"):
                self.client.api.disconnect_container_from_network(container, network,
                                                                  force=True)
        except UsageError:  # not attached, or no such container or network: nothing to do
            pass

    def remove(self, name: str) -> bool:
        """Remove this lab's container ``name``; True if there was one."""
        import docker.errors

        api = self.client.api
        with daemon_errors(self.client):
            try:
                info = api.inspect_container(name)
            except docker.errors.NotFound:
                return False
        if info.get("Name", "").lstrip("/") != name and not info.get("Id", "").startswith(name):
            return False
        if not self._owned((info.get("Config") or {}).get("Labels")):
            raise self._foreign("container", name)
        with daemon_errors(self.client), contextlib.suppress(docker.errors.NotFound):
            api.remove_container(info["Id"], force=True)
        return True

    def exec(self, container: str, command: Sequence[str] | str) -> tuple[int, str]:
        """Run ``command`` in ``container``; return (exit code, stdout+stderr)."""
        try:
            with daemon_errors(self.client, f"cannot run a command in {container!r}"):
                done = run_in(self.client, container, command)
        except ObjectNotFound:
            raise ObjectNotFound(f"container {container!r} does not exist") from None
        return done.exit_code, done.output

    def reset(self) -> ResetResult:
        """Remove everything this lab's lesson created."""
        return reset(self.client, lesson=self.lesson)

    # -- for lesson cells -----------------------------------------------

    def ensure_network(self, name: str, **options: Any) -> str:
        """Network ``name`` as it is if it exists, else made now with ``options``.

        For cells that build on an earlier section: run out of order, they
        make what they need; run in order, they keep what is there.
        """
        if self.state().network(name) is None:
            self.network(name, **options)
        return name

    def ensure_container(self, name: str, **options: Any) -> str:
        """Container ``name`` as it is if it exists, else run now (see :meth:`run`)."""
        if self.state().container(name) is None:
            self.run(name, **options)
        return name

    def ip_of(self, name: str, network: str = "bridge") -> str:
        """The IPv4 address of container ``name`` on ``network`` ('' if it has none)."""
        box = self.state().container(name)
        endpoint = box.endpoint(network) if box else None
        return (endpoint.ipv4 or "") if endpoint else ""

    def state(self) -> "Snapshot":
        """The whole daemon's state now (list endpoints only; no probes)."""
        from .collect import collect
        return collect(self.client)

    def snapshot(self, also: Iterable[str] = (), probes: Sequence["Probe"] = ()) -> "Snapshot":
        """This lesson's containers, plus those named in ``also``, and their networks.

        ``also`` admits a student's own containers made with the CLI (no
        labels) by name; other lessons' and the user's objects stay out.
        """
        from .collect import collect

        snap = collect(self.client, probes)
        wanted = set(also)
        boxes = tuple(c for c in snap.containers
                      if c.labels.get(LESSON_LABEL) == self.lesson
                      or (LESSON_LABEL not in c.labels and c.name in wanted))
        used = {net for box in boxes for net in box.networks}
        nets = tuple(n for n in snap.networks
                     if n.name in used or n.labels.get(LESSON_LABEL) == self.lesson)
        return replace(snap, networks=nets, containers=boxes)

    def host_snapshot(self, also: Iterable[str] = ()) -> "Snapshot":
        """:meth:`snapshot` with the evidence of the Docker host's side: its ``ip -o link``
        and each container's interfaces (for :func:`labcheck.host_diagram`)."""
        from ..render.hostside import host_side_probes

        return self.snapshot(also, probes=host_side_probes(self.snapshot(also)))

    def draw(self, also: Iterable[str] = (), **options: Any) -> Any:
        """A diagram of :meth:`snapshot` (see :func:`labcheck.diagram` for ``options``)."""
        from ..drawing import diagram
        return diagram(self.snapshot(also), all=True, **options)
