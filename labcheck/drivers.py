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

:mod:`labcheck.live.drivers` gathers those facts (``survey``) and holds the
two helpers that build what those sections need and take it down again:
``VethLan`` (a pretend LAN on a veth pair; nothing leaves the machine) and
``SwarmSession`` (a single-node swarm, left afterwards only if the lesson
created it).
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

__all__ = [
    "FEATURES",
    "Platform",
    "KernelConfig",
    "Support",
    "Survey",
    "platform_from_info",
    "read_kernel_config",
    "assess",
    "swarm_of",
    "GWBRIDGE",
    "GWBRIDGE_LABEL",
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
    #: root on the Docker host through a helper container (``labcheck.docker_host``),
    #: wherever that host is (this machine, a namespace of it, the engine VM)
    host_root: bool = False

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

    >>> platform_from_info({"OperatingSystem": "Docker Desktop",
    ...                     "KernelVersion": "6.10.14-linuxkit",
    ...                     "SecurityOptions": ["name=seccomp,profile=unconfined"]}).kind
    'Docker Desktop'
    >>> platform_from_info({"SecurityOptions": ["name=rootless"], "OSType": "linux"}).kind
    'rootless Docker'
    """
    swarm = swarm_of(info)
    listed = info.get("SecurityOptions")
    options: list[Any] = listed if isinstance(listed, list) else []
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
    veth = (f"the lesson makes a veth pair as the {driver} parent, with a network "
            "namespace on its other end playing another machine on the LAN: "
            "a real interface such as eth0 is never used, so nothing leaves this machine")
    if platform.host_root and not platform.local and kernel.has("VETH") is not False:
        return True, veth + (" (the daemon runs on another machine, the engine VM for one: "
                             "labcheck makes the pair there, as root on the Docker host)")
    if not platform.local:
        return False, ("the daemon runs on another machine: the lesson cannot make a parent "
                       "interface there, and it never uses a real one")
    if (platform.is_root or platform.host_root) and kernel.has("VETH") is not False:
        return True, veth
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
                "container sees the VM's interfaces (from Desktop 4.34, host networking enabled "
                "in Settings passes its TCP and UDP ports on 127.0.0.1 on to your computer)")
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


def swarm_of(info: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``Swarm`` part of ``docker info``, or {} when it is missing or odd."""
    swarm = info.get("Swarm")
    return swarm if isinstance(swarm, dict) else {}
