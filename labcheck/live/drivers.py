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
import shutil
import subprocess
import time
from dataclasses import dataclass
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
from ..errors import EnvironmentProblem, UsageError
from ..ownership import LESSON_LABEL, OWNER_LABEL, OWNER_VALUE, is_owned

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from .lab import Lab

__all__ = ["survey", "VethLan", "SwarmSession", "remove_services"]


def survey(client: "docker.DockerClient") -> Survey:
    """Gather the facts about ``client``'s daemon and this machine, and answer."""
    from .daemon import daemon_errors

    with daemon_errors(client):
        info = client.info()
    local_kernel = os.uname().release
    platform = platform_from_info(info, daemon_url=str(client.api.base_url),
                                  local_kernel=local_kernel, euid=os.geteuid())
    kernel = read_kernel_config(local_kernel) if platform.local else KernelConfig()
    answers = assess(platform, kernel)
    return Survey(platform=platform, kernel=kernel,
                  answers=tuple(answers[f] for f in FEATURES))


# -- a pretend LAN for macvlan and ipvlan ----------------------------------

def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10,
                              check=False)
    except FileNotFoundError:
        raise EnvironmentProblem("the 'ip' program (iproute2) is missing: "
                                 "apt-get install iproute2") from None
    if check and done.returncode != 0:
        raise EnvironmentProblem(f"'ip {' '.join(args)}' failed: "
                                 f"{(done.stderr or done.stdout).strip()}")
    return done


def _netns_suffix() -> str:
    """'-' and the inode number of this process's network namespace ('' where it cannot
    be read): two of them never have the same."""
    try:
        return f"-{os.stat('/proc/self/ns/net').st_ino}"
    except OSError:
        return ""


@dataclass(frozen=True)
class VethLan:
    """A LAN made of one veth pair: ``parent`` for Docker, ``peer`` inside ``namespace``.

    Names derive from ``owner`` (a lesson id), so a notebook re-run finds and
    replaces its own LAN, and tests with unique owners never meet. The
    namespace's name (machine-wide, unlike the links') also carries the
    caller's network namespace, so engines run side by side in namespaces of
    their own (scripts/netns-engine.sh) never share one:

    >>> lan = VethLan.for_owner("04")
    >>> lan.parent, lan.peer, lan.namespace.startswith("labcheck-lan-798f861e")
    ('lcv798f861ep', 'lcv798f861eq', True)
    """

    parent: str
    peer: str
    namespace: str

    @classmethod
    def for_owner(cls, owner: str) -> "VethLan":
        tag = hashlib.sha1(str(owner).encode()).hexdigest()[:8]
        return cls(parent=f"lcv{tag}p", peer=f"lcv{tag}q",
                   namespace=f"labcheck-lan-{tag}{_netns_suffix()}")

    def exists(self) -> bool:
        return _ip("link", "show", self.parent, check=False).returncode == 0

    def create(self, neighbour_address: str | None = None) -> "VethLan":
        """Make the pair and the namespace afresh; ``neighbour_address`` (CIDR) goes on the peer."""
        self.remove()
        _ip("netns", "add", self.namespace)
        _ip("link", "add", self.parent, "type", "veth", "peer", "name", self.peer)
        _ip("link", "set", self.peer, "netns", self.namespace)
        _ip("link", "set", self.parent, "up")
        self.in_namespace("ip", "link", "set", "lo", "up")
        self.in_namespace("ip", "link", "set", self.peer, "up")
        if neighbour_address:
            self.set_neighbour_address(neighbour_address)
        return self

    def set_neighbour_address(self, cidr: str) -> None:
        """Give the machine in the namespace the address ``cidr`` (replacing others)."""
        self.in_namespace("ip", "addr", "flush", "dev", self.peer)
        self.in_namespace("ip", "addr", "add", cidr, "dev", self.peer)

    def in_namespace(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``command`` as the other machine on the LAN (``ip netns exec``)."""
        return _ip("netns", "exec", self.namespace, *command, check=check)

    def ping(self, address: str, timeout: int = 2) -> bool:
        """Whether the machine in the namespace gets an answer from ``address`` (one ping).

        Uses the host's ``ping``, or its static busybox where there is none.
        """
        tool = shutil.which("ping")
        command = [tool] if tool else []
        if not tool:
            from ..images import find_static_busybox
            busybox = find_static_busybox()
            if busybox is None:
                raise EnvironmentProblem("neither ping nor a static busybox is installed on this "
                                         "machine: apt-get install iputils-ping")
            command = [busybox, "ping"]
        done = self.in_namespace(*command, "-c", "1", "-W", str(timeout), address, check=False)
        return done.returncode == 0

    def remove(self) -> None:
        """Delete the pair and the namespace; nothing happens if they are gone."""
        _ip("link", "del", self.parent, check=False)
        _ip("netns", "del", self.namespace, check=False)

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
                             "your swarm. Skip this section")
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
