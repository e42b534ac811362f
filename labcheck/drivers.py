"""Which Docker network drivers can run here, and why (or why not).

Lesson 4 runs one section per driver. Each section first asks this module
whether it can run on the machine at hand (Linux, Docker Desktop, rootless
Docker, a remote daemon; the kernel's features; the swarm's state) and says
why when it cannot, so a notebook skips cleanly instead of failing.

The answers are pure functions of two facts gathered up front: the
daemon's ``docker info`` (:class:`Platform`) and the kernel's build
configuration (:class:`KernelConfig`, read from ``/proc/config.gz`` when the
daemon runs on this machine's kernel):

>>> linux = Platform(os_type="linux", operating_system="Debian GNU/Linux 12",
...                  kernel="6.1.0", local=True, is_root=True)
>>> kernel = KernelConfig.parse("CONFIG_MACVLAN=y\\n# CONFIG_IPVLAN is not set\\n"
...                             "CONFIG_VETH=y\\nCONFIG_VXLAN=y\\nCONFIG_IP_VS=m\\n")
>>> found = assess(linux, kernel)
>>> found["ipvlan"].runs, found["macvlan"].runs, found["service-vip"].runs
(False, True, True)
>>> print(found["ipvlan"].reason.split(":")[0])
the kernel 6.1.0 was built without ipvlan (CONFIG_IPVLAN is not set)

Two helpers build what those sections need, and take it down again:
:class:`VethLan` (a pretend LAN: a veth pair whose one end is the parent of
a macvlan network and whose other end sits in a network namespace playing
another machine on that LAN; nothing leaves the machine) and
:class:`SwarmSession` (a single-node swarm for the overlay section, left
afterwards only if the lesson created it).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from .errors import EnvironmentProblem, UsageError
from .ownership import LESSON_LABEL, OWNER_LABEL, OWNER_VALUE, is_owned

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from .lab import Lab

__all__ = [
    "FEATURES",
    "Platform",
    "KernelConfig",
    "Support",
    "Survey",
    "platform_from_info",
    "read_kernel_config",
    "assess",
    "survey",
    "VethLan",
    "SwarmSession",
    "GWBRIDGE",
    "remove_services",
]

#: The questions :func:`assess` answers, in the order lesson 4 asks them.
FEATURES = ("bridge", "host", "none", "macvlan", "ipvlan", "overlay", "service-vip")

#: The bridge Docker makes for overlay containers' traffic to the host.
GWBRIDGE = "docker_gwbridge"

#: Spec label on a swarm that labcheck initialised: was docker_gwbridge already there?
GWBRIDGE_LABEL = "io.labcheck.gwbridge-preexisting"


# -- the facts -------------------------------------------------------------

@dataclass(frozen=True)
class Platform:
    """Where the Docker daemon runs, from ``docker info`` and a look at this machine.

    ``local`` means the daemon runs on this machine's own kernel (a local
    socket and the same kernel release), so this machine's kernel
    configuration describes the daemon's kernel and links made here are
    links the daemon can use.
    """

    os_type: str = "linux"
    operating_system: str = ""
    kernel: str = ""
    rootless: bool = False
    desktop: bool = False
    swarm_state: str = "inactive"
    swarm_manager: bool = False
    local: bool = False
    is_root: bool = False

    @property
    def kind(self) -> str:
        """The kind of Docker in words: Docker Desktop, rootless Docker, ..."""
        if self.os_type == "windows":
            return "Docker with Windows containers"
        if self.desktop:
            return "Docker Desktop"
        if self.rootless:
            return "rootless Docker"
        return "Docker Engine on Linux" + ("" if self.local else " (a remote daemon)")

    @property
    def in_swarm(self) -> bool:
        return self.swarm_state == "active"

    def describe(self) -> str:
        where = f"{self.kind}, kernel {self.kernel or 'unknown'}"
        if self.in_swarm:
            where += ", swarm " + ("manager" if self.swarm_manager else "worker")
        return where


def platform_from_info(info: Mapping[str, Any], *, daemon_url: str = "",
                       local_kernel: str | None = None, euid: int | None = None) -> Platform:
    """A :class:`Platform` from ``docker info`` (``client.info()``), parsed defensively.

    ``daemon_url`` is the client's base URL (a unix socket reads as
    ``http+docker://...``); ``local_kernel`` is this machine's kernel release.

    >>> platform_from_info({"OperatingSystem": "Docker Desktop", "KernelVersion": "6.10.14-linuxkit",
    ...                     "SecurityOptions": ["name=seccomp,profile=unconfined"]}).kind
    'Docker Desktop'
    >>> platform_from_info({"SecurityOptions": ["name=rootless"], "OSType": "linux"}).kind
    'rootless Docker'
    """
    swarm = _swarm_of(info)
    options = info.get("SecurityOptions") if isinstance(info.get("SecurityOptions"), list) else []
    operating_system = str(info.get("OperatingSystem") or "")
    kernel = str(info.get("KernelVersion") or "")
    desktop = "docker desktop" in operating_system.lower()
    on_socket = daemon_url.startswith(("http+docker://", "unix://", "npipe://"))
    return Platform(
        os_type=str(info.get("OSType") or "linux").lower(),
        operating_system=operating_system,
        kernel=kernel,
        rootless=any("name=rootless" in str(option) for option in options),
        desktop=desktop,
        swarm_state=str(swarm.get("LocalNodeState") or "inactive"),
        swarm_manager=bool(swarm.get("ControlAvailable")),
        local=bool(on_socket and not desktop and local_kernel and kernel == local_kernel),
        is_root=(euid == 0) if euid is not None else False,
    )


@dataclass(frozen=True)
class KernelConfig:
    """A kernel's build options (``CONFIG_X`` -> ``y``/``m``/``n``), and where they came from.

    An empty ``source`` means the configuration could not be read: every
    answer is then "unknown" (None) rather than a guess.
    """

    options: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def parse(cls, text: str, source: str = "text") -> "KernelConfig":
        """Parse a kernel ``.config``: ``CONFIG_X=y`` lines and ``# CONFIG_X is not set``."""
        options: dict[str, str] = {}
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("# CONFIG_") and line.endswith(" is not set"):
                options[line[2:-len(" is not set")]] = "n"
            elif line.startswith("CONFIG_") and "=" in line:
                key, _, value = line.partition("=")
                options[key] = value.strip().strip('"')
        return cls(options=options, source=source)

    @property
    def known(self) -> bool:
        return bool(self.source)

    def state(self, option: str) -> str | None:
        """``"y"`` (built in), ``"m"`` (a module), ``"n"`` (absent), or None (unknown)."""
        if not self.known:
            return None
        value = self.options.get(option if option.startswith("CONFIG_") else f"CONFIG_{option}")
        if value in ("y", "m"):
            return value
        return "n"

    def has(self, option: str) -> bool | None:
        """Whether the kernel has ``option`` (built in or as a module); None if unknown."""
        state = self.state(option)
        return None if state is None else state != "n"


def read_kernel_config(release: str | None = None,
                       candidates: Sequence[str] | None = None) -> KernelConfig:
    """This machine's kernel configuration, or an unknown one if none can be read."""
    release = release or os.uname().release
    paths = list(candidates) if candidates is not None else [
        "/proc/config.gz", f"/boot/config-{release}"]
    for path in paths:
        try:
            raw = Path(path).read_bytes()
            text = gzip.decompress(raw).decode() if path.endswith(".gz") else raw.decode()
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile):
            continue
        return KernelConfig.parse(text, source=path)
    return KernelConfig()


# -- the answers -----------------------------------------------------------

@dataclass(frozen=True)
class Support:
    """Whether one driver or feature can run here: ``runs``, and the ``reason``."""

    feature: str
    runs: bool
    reason: str

    def __str__(self) -> str:
        return f"{self.feature}: {'runs here' if self.runs else 'skipped'}: {self.reason}"


@dataclass(frozen=True)
class Survey:
    """The answers for every feature of :data:`FEATURES`, with the facts behind them."""

    platform: Platform
    kernel: KernelConfig
    answers: tuple[Support, ...]

    def __getitem__(self, feature: str) -> Support:
        for answer in self.answers:
            if answer.feature == feature:
                return answer
        raise KeyError(f"no answer about {feature!r}; ask one of {', '.join(FEATURES)}")

    def __iter__(self) -> Iterator[Support]:
        return iter(self.answers)

    def __str__(self) -> str:
        width = max(len(a.feature) for a in self.answers)
        lines = [f"{self.platform.describe()}"]
        lines += [f"  {a.feature:<{width}}  {'yes' if a.runs else 'no '}  {a.reason}"
                  for a in self.answers]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape
        rows = "".join(
            f"<tr><td><code>{escape(a.feature)}</code></td>"
            f"<td>{'&#10004; runs here' if a.runs else '&#10008; skipped'}</td>"
            f"<td style='text-align:left'>{escape(a.reason)}</td></tr>" for a in self.answers)
        return (f"<p>{escape(self.platform.describe())}</p><table><tr><th>driver</th>"
                f"<th>here?</th><th style='text-align:left'>why</th></tr>{rows}</table>")


def _unknown_kernel(platform: Platform) -> str:
    if platform.desktop:
        return "it runs in Docker Desktop's Linux VM"
    if not platform.local:
        return "the daemon runs on another machine"
    return "its configuration is unreadable"


def _parent_plan(platform: Platform, kernel: KernelConfig, driver: str) -> tuple[bool, str]:
    """Where a macvlan/ipvlan network can find a parent interface, in words."""
    if platform.desktop:
        return True, ("Docker Desktop gives the network a dummy parent inside its VM: "
                      "containers reach each other, your computer cannot reach them")
    if not platform.local:
        return False, ("the daemon runs on another machine: the lesson cannot make a parent "
                       "interface there, and it never uses a real one")
    if platform.is_root and kernel.has("VETH") is not False:
        return True, (f"the lesson makes a veth pair as the {driver} parent, with a network "
                      "namespace on its other end playing another machine on the LAN: "
                      "a real interface such as eth0 is never used, so nothing leaves "
                      "this machine")
    if kernel.has("DUMMY"):
        return True, ("Docker gives the network a dummy parent of its own (an internal "
                      "network: no LAN behind it)")
    return False, (f"{driver} needs a parent interface; this kernel has no dummy links and "
                   "making a veth pair needs root: run the notebook as root, or read on")


def _kernel_lacks(platform: Platform, driver: str, option: str) -> str:
    return (f"the kernel {platform.kernel or '(unknown)'} was built without {driver} "
            f"(CONFIG_{option} is not set)")


def assess(platform: Platform, kernel: KernelConfig) -> dict[str, Support]:
    """Answer, for each of :data:`FEATURES`, whether it runs here and why."""
    answers: dict[str, Support] = {}

    def say(feature: str, runs: bool, reason: str) -> None:
        answers[feature] = Support(feature, runs, reason)

    if platform.os_type != "linux":
        for feature in FEATURES:
            say(feature, False, f"the daemon runs {platform.os_type} containers; these are "
                                "Linux drivers. Switch Docker Desktop to Linux containers")
        return answers

    say("bridge", True, "the default driver: every Linux Docker engine has it")
    if platform.desktop:
        host = ("runs, but the 'host' is Docker Desktop's Linux VM, not your computer: the "
                "container sees the VM's interfaces")
    elif platform.rootless:
        host = ("runs, but the 'host' is RootlessKit's network namespace, not the machine's: "
                "the container sees that namespace's interfaces")
    else:
        host = ("the container shares this machine's network stack: no isolation, no address "
                "of its own, published ports ignored")
    say("host", True, host)
    say("none", True, "no networking at all: every engine has it")

    for driver, option in (("macvlan", "MACVLAN"), ("ipvlan", "IPVLAN")):
        has = kernel.has(option)
        if platform.rootless:
            say(driver, False, f"rootless Docker cannot create {driver} links: its daemon "
                               "is not root on the machine")
        elif has is False:
            why = _kernel_lacks(platform, driver, option)
            if driver == "ipvlan":
                why += (": Docker creates the network, but a container on it fails to start "
                        "with 'operation not supported'")
            say(driver, False, why)
        else:
            runs, plan = _parent_plan(platform, kernel, driver)
            if has is None and runs and not platform.desktop:
                plan = (f"the kernel's configuration is unknown ({_unknown_kernel(platform)}); "
                        f"the lesson tries it: {plan}")
            say(driver, runs, plan)

    vxlan = kernel.has("VXLAN")
    if platform.rootless:
        say("overlay", False, "rootless Docker does not support overlay networks")
    elif vxlan is False:
        say("overlay", False, _kernel_lacks(platform, "VXLAN tunnels", "VXLAN")
            + ": overlay networks cannot carry traffic")
    elif platform.swarm_state == "inactive":
        say("overlay", True, "the lesson starts a single-node swarm (docker swarm init "
                             "--advertise-addr 127.0.0.1) and leaves it at the end")
    elif platform.in_swarm and platform.swarm_manager:
        say("overlay", True, "this daemon is already a swarm manager: the lesson uses that "
                             "swarm and does not leave it")
    elif platform.in_swarm:
        say("overlay", False, "this daemon is a swarm worker: only a manager can create "
                              "overlay networks, and the lesson will not leave your swarm")
    else:
        say("overlay", False, f"the swarm is {platform.swarm_state!r}: fix it first "
                              "(docker info shows the error), the lesson will not touch it")

    ipvs = kernel.has("IP_VS")
    if not answers["overlay"].runs:
        say("service-vip", False, "needs a swarm overlay network, which cannot run here")
    elif ipvs is False:
        say("service-vip", False, _kernel_lacks(platform, "IPVS", "IP_VS")
            + ": a service's virtual IP resolves but never answers, while "
              "tasks.<service> still resolves to each task's own address")
    else:
        say("service-vip", True, "the kernel has IPVS: a service's virtual IP balances "
                                 "connections over its tasks" if ipvs else
            "the kernel's IPVS support is unknown: the lesson tries a virtual IP")
    return {feature: answers[feature] for feature in FEATURES}


def survey(client: "docker.DockerClient") -> Survey:
    """Gather the facts about ``client``'s daemon and this machine, and answer."""
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
    namespace's name (machine-wide, unlike the links') also carries the caller's
    network namespace, so engines run side by side in namespaces of their own
    (scripts/netns-engine.sh) never share one:

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
            from .images import find_static_busybox
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
        swarm = _swarm_of(lab.client.info())
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


def _swarm_of(info: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``Swarm`` part of ``docker info``, or {} when it is missing or odd."""
    swarm = info.get("Swarm")
    return swarm if isinstance(swarm, dict) else {}


def _swarm_state(client: "docker.DockerClient") -> str:
    return str(_swarm_of(client.info()).get("LocalNodeState") or "inactive")


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
