"""The live half of the drivers lesson: survey a daemon, a veth LAN, a swarm session.

:func:`survey` gathers the facts (``docker info``, this machine's kernel
configuration) and answers with :func:`labcheck.drivers.assess` (pure). Two
helpers build what lesson 4's sections need, and take it down again:
:class:`VethLan` (a pretend LAN: a veth pair whose one end is the parent of
a macvlan network and whose other end sits in a network namespace playing
another machine on that LAN; nothing leaves the machine) and
:class:`SwarmSession` (a single-node swarm for the overlay section, left
afterwards only if the lesson created it).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Sequence

from ..drivers import (
    FEATURES,
    GWBRIDGE,
    GWBRIDGE_LABEL,
    KernelConfig,
    Survey,
    assess,
    platform_from_info,
    read_kernel_config,
    swarm_of,
)
from ..errors import UsageError
from ..ownership import LESSON_LABEL, OWNER_LABEL, OWNER_VALUE, is_owned
from .dockerhost import DockerHost, HostResult, docker_host

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from .lab import Lab

__all__ = ["survey", "VethLan", "SwarmSession", "remove_services"]


def survey(client: "docker.DockerClient") -> Survey:
    """Gather the facts about ``client``'s daemon, its host and this machine, and answer.

    With root on the Docker host (:func:`.dockerhost.docker_host`) the kernel's
    configuration of a daemon on another machine (the engine VM) is read there.
    """
    from dataclasses import replace

    from .daemon import daemon_errors

    with daemon_errors(client):
        info = client.info()
    local_kernel = os.uname().release
    platform = platform_from_info(info, daemon_url=str(client.api.base_url),
                                  local_kernel=local_kernel, euid=os.geteuid())
    host = docker_host(client)
    if not platform.rootless and not platform.desktop and host.access().ok:
        platform = replace(platform, host_root=True)
    if platform.local:
        kernel = read_kernel_config(local_kernel)
    elif platform.host_root:
        kernel = _host_kernel_config(host)
    else:
        kernel = KernelConfig()
    answers = assess(platform, kernel)
    return Survey(platform=platform, kernel=kernel,
                  answers=tuple(answers[f] for f in FEATURES))


def _host_kernel_config(host: DockerHost) -> KernelConfig:
    """The build configuration of the Docker host's kernel, read there (unknown if none)."""
    done = host.run('f=/boot/config-$(uname -r); if [ -r "$f" ]; then cat "$f"; '
                    "else gzip -dc /proc/config.gz; fi")
    if not done.ok or "CONFIG_" not in done.stdout:
        return KernelConfig()
    return KernelConfig.parse(done.stdout, source="the Docker host's kernel configuration")


# -- a pretend LAN for macvlan and ipvlan ----------------------------------

@dataclass(frozen=True)
class VethLan:
    """A LAN made of one veth pair on the Docker host: ``parent`` for Docker, ``peer``
    inside a network namespace playing another machine on the LAN.

    Its ``ip`` commands run as root on the daemon's host (:mod:`.dockerhost`):
    this machine, a network namespace of it, or the engine VM. Names derive
    from ``owner`` (a lesson id), so a notebook re-run finds and replaces its
    own LAN, and tests with unique owners never meet. The namespace's name
    (machine-wide, unlike the links') also carries the number of the Docker
    host's network namespace, so engines run side by side in namespaces of
    their own (netns engines, :mod:`labcheck.live.engines.netns`) never share one:

    >>> lan = VethLan.for_owner("04")
    >>> lan.parent, lan.peer, lan.base
    ('lcv798f861ep', 'lcv798f861eq', 'labcheck-lan-798f861e')
    """

    parent: str
    peer: str
    #: the namespace's name before the host's suffix (see :attr:`namespace`)
    base: str
    client: "docker.DockerClient | None" = field(default=None, compare=False, repr=False)

    @classmethod
    def for_owner(cls, owner: str, client: "docker.DockerClient | None" = None) -> "VethLan":
        """The LAN of ``owner`` on the host of ``client``'s daemon (default: ``connect()``)."""
        tag = hashlib.sha1(str(owner).encode()).hexdigest()[:8]
        return cls(parent=f"lcv{tag}p", peer=f"lcv{tag}q", base=f"labcheck-lan-{tag}",
                   client=client)

    @cached_property
    def host(self) -> "DockerHost":
        """Root on the Docker host, or EnvironmentProblem saying why there is none."""
        return docker_host(self.client).require()

    @cached_property
    def namespace(self) -> str:
        return self.host.scoped_name(self.base)

    def _run(self, script: str, what: str, check: bool = True) -> "HostResult":
        done = self.host.run(script)
        return done.check(what) if check else done

    def exists(self) -> bool:
        return self._run(f"ip link show {self.parent}", "", check=False).ok

    def create(self, neighbour_address: str | None = None) -> "VethLan":
        """Make the pair and the namespace afresh; ``neighbour_address`` (CIDR) goes on the peer."""
        ns, peer = self.namespace, self.peer
        address = f"ip -n {ns} addr add {neighbour_address} dev {peer}\n" \
            if neighbour_address else ""
        self._run(f"{self._remove_script()}\nset -e\n"
                  f"ip netns add {ns}\n"
                  f"ip link add {self.parent} type veth peer name {peer}\n"
                  f"ip link set {peer} netns {ns}\n"
                  f"ip link set {self.parent} up\n"
                  f"ip -n {ns} link set lo up\n"
                  f"ip -n {ns} link set {peer} up\n{address}", "making the veth LAN")
        return self

    def set_neighbour_address(self, cidr: str) -> None:
        """Give the machine in the namespace the address ``cidr`` (replacing others)."""
        ns = self.namespace
        self._run(f"set -e; ip -n {ns} addr flush dev {self.peer}; "
                  f"ip -n {ns} addr add {cidr} dev {self.peer}", "setting the LAN address")

    def in_namespace(self, *command: str, check: bool = True) -> "HostResult":
        """Run ``command`` as the other machine on the LAN (``ip netns exec``)."""
        return self._run(f"exec ip netns exec {self.namespace} {shlex.join(command)}",
                         shlex.join(command), check=check)

    def ping(self, address: str, timeout: int = 2) -> bool:
        """Whether the machine in the namespace gets an answer from ``address`` (one ping).

        Uses the host's ``ping``, or its busybox's where it has none.
        """
        ping = 'ping=$(command -v ping || echo "busybox ping"); '
        return self._run(f"{ping}exec ip netns exec {self.namespace} $ping -c 1 -W {timeout} "
                         f"{shlex.quote(address)}", "ping", check=False).ok

    def _remove_script(self) -> str:
        return (f"ip link del {self.parent} 2>/dev/null; "
                f"ip netns del {self.namespace} 2>/dev/null; true")

    def remove(self) -> None:
        """Delete the pair and the namespace; nothing happens if they are gone."""
        self._run(self._remove_script(), "removing the veth LAN", check=False)

    def __enter__(self) -> "VethLan":
        return self if self.exists() else self.create()

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


# -- a single-node swarm for the overlay section ---------------------------

@dataclass
class SwarmSession:
    """Use a swarm for a lesson, and leave it afterwards only if the lesson made it.

    The swarm labcheck initialises carries the lesson's labels in its spec,
    so a re-run of the notebook recognises its own swarm (and leaves it at
    the end) while a swarm someone else made is used and never left.
    """

    lab: "Lab"
    created: bool = False
    gwbridge_preexisting: bool = True

    @property
    def client(self) -> "docker.DockerClient":
        return self.lab.client

    @classmethod
    def start(cls, lab: "Lab", advertise_addr: str = "127.0.0.1") -> "SwarmSession":
        """Join the daemon's swarm or start a single-node one; raise UsageError if neither.

        The swarm listens on ``advertise_addr`` only (loopback by default).
        """
        client = lab.client
        state = _swarm_state(client)
        if state == "inactive":
            preexisting = bool(client.api.networks(names=[GWBRIDGE]))
            labels = {**lab.labels, GWBRIDGE_LABEL: str(preexisting).lower()}
            client.swarm.init(advertise_addr=advertise_addr,
                              listen_addr=f"{advertise_addr}:2377", labels=labels)
            return cls(lab, created=True, gwbridge_preexisting=preexisting)
        session = cls.existing(lab)
        if session is None:
            raise UsageError(f"this daemon's swarm is {state!r} and it is not a manager: the "
                             "lesson cannot make an overlay network here, and will not leave "
                             "your swarm", advice="Skip this section")
        return session

    @classmethod
    def existing(cls, lab: "Lab") -> "SwarmSession | None":
        """The session for the swarm this daemon manages already, or None if it manages none.

        ``created`` is True when the swarm carries ``lab``'s labels (a
        previous run of the lesson made it), so :meth:`end` leaves it.
        """
        swarm = swarm_of(lab.client.info())
        if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
            return None
        labels = _swarm_labels(lab.client)
        ours = is_owned(labels, lab.lesson)
        return cls(lab, created=ours,
                   gwbridge_preexisting=(labels.get(GWBRIDGE_LABEL) != "false") if ours else True)

    def end(self) -> list[str]:
        """Take down what the lesson made in the swarm; leave the swarm only if it made it.

        Removes the lesson's services, then its swarm-scoped (overlay)
        networks with its containers on them; then, if the lesson created
        the swarm, leaves it and removes ``docker_gwbridge`` unless that
        bridge was there before.
        """
        lesson = self.lab.lesson
        done = [f"removed service {name}" for name in remove_services(self.client, lesson)]
        removed = []
        for entry in self.client.api.networks(filters={"label": f"{LESSON_LABEL}={lesson}"}):
            if entry.get("Scope") == "swarm" and is_owned(entry.get("Labels"), lesson):
                self.lab._remove_network(entry["Id"])  # noqa: SLF001 - Lab's own removal
                removed.append(str(entry.get("Name")))
        _wait_until_gone(self.client, removed)
        done += [f"removed network {name}" for name in removed]
        if not self.created:
            return done + ["left the swarm in place: the lesson did not create it"]
        if _swarm_state(self.client) == "active" and is_owned(_swarm_labels(self.client), lesson):
            self.client.swarm.leave(force=True)
            done.append("left the single-node swarm")
        if not self.gwbridge_preexisting and _remove_idle_gwbridge(self.client):
            done.append(f"removed {GWBRIDGE}")
        self.created = False
        return done

    def __enter__(self) -> "SwarmSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end()


def _wait_until_gone(client: "docker.DockerClient", networks: Sequence[str],
                     timeout: float = 5.0) -> None:
    """Wait (briefly) until the node forgets removed swarm networks: removal is asynchronous."""
    deadline = time.monotonic() + timeout
    while networks and time.monotonic() < deadline:
        if not any(entry.get("Name") in networks
                   for entry in client.api.networks(names=list(networks))):
            return
        time.sleep(0.2)


def _swarm_state(client: "docker.DockerClient") -> str:
    return str(swarm_of(client.info()).get("LocalNodeState") or "inactive")


def _swarm_labels(client: "docker.DockerClient") -> dict[str, str]:
    import docker.errors

    try:
        attrs = client.api.inspect_swarm()
    except docker.errors.APIError:
        return {}
    spec = attrs.get("Spec") if isinstance(attrs.get("Spec"), dict) else {}
    labels = spec.get("Labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def _remove_idle_gwbridge(client: "docker.DockerClient") -> bool:
    """Remove docker_gwbridge if nothing is attached to it; True if removed."""
    import docker.errors

    for entry in client.api.networks(names=[GWBRIDGE]):
        if entry.get("Name") != GWBRIDGE:
            continue
        try:
            if (client.api.inspect_network(entry["Id"]).get("Containers") or {}):
                return False
            client.api.remove_network(entry["Id"])
            return True
        except docker.errors.APIError:
            return False
    return False


def remove_services(client: "docker.DockerClient", lesson: str) -> list[str]:
    """Remove the swarm services carrying ``lesson``'s labels; return their names."""
    import docker.errors

    if _swarm_state(client) != "active":
        return []
    removed = []
    selector = [f"{OWNER_LABEL}={OWNER_VALUE}", f"{LESSON_LABEL}={lesson}"]
    try:
        services = client.api.services(filters={"label": selector})
    except docker.errors.APIError:
        return []
    for service in services:
        spec = service.get("Spec") if isinstance(service.get("Spec"), dict) else {}
        if not is_owned(spec.get("Labels"), str(lesson)):
            continue
        try:
            client.api.remove_service(service["ID"])
            removed.append(str(spec.get("Name") or service["ID"][:12]))
        except docker.errors.APIError:
            continue
    return sorted(removed)
