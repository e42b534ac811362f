"""Root on the Docker host: run a shell command where the daemon runs.

The Docker host is wherever dockerd runs: this machine, a network namespace
of it (a ``netns`` engine of :mod:`labcheck.live.engines`), the QEMU VM of ``labcheck engine``, or
Docker Desktop's VM. The sections of a lesson that show the host's side (veth
pairs, bridges, routes, iptables, a network namespace playing the outside
world, a packet capture) run their commands *there*, through one short-lived
helper container made from the lab image, with root's capabilities:

- ``network_mode="host"``: the daemon's own network namespace;
- ``pid_mode="host"`` and ``nsenter -t $PPID -m``: the mount namespace of the
  container's parent, containerd's shim, which is the host's, so the host's
  own programs run (``ip``, ``iptables``, ``tcpdump``), as root. (Not pid 1's:
  some hosts, a Firecracker VM for one, deny even root a look at pid 1.)

:meth:`DockerHost.run` waits for a script and returns what it printed;
:meth:`DockerHost.start` returns at once with a :class:`HostJob`, for a
command that must run while the caller acts (a packet capture during a ping).

This is the same power the docker group always gives (whoever can use the
daemon is root on its host); labcheck only uses it for what a lesson shows.
A rootless engine, or a hosted one that refuses such a helper, gives
no such access: :meth:`DockerHost.access` says so with the reason, and the
lesson skips that section with it.

>>> HostResult(0, "ok\\n", "").ok
True
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EnvironmentProblem
from ..ownership import LESSON_LABEL, OWNER_LABEL, OWNER_VALUE
from .execs import decode

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["DockerHost", "HostAccess", "HostJob", "HostResult", "docker_host", "HOST_SHELL_LABELS"]

#: Labels of the helper containers (``labcheck reset`` removes any left behind).
HOST_SHELL_LABELS = {OWNER_LABEL: OWNER_VALUE, LESSON_LABEL: "host-shell"}

#: What the helper needs, and no more: entering the host's mount namespace (SYS_ADMIN,
#: SYS_CHROOT, SYS_PTRACE to open the shim's namespace), networking (NET_ADMIN, NET_RAW for
#: ping and tcpdump) and loading a netfilter module where iptables wants one. Not
#: ``privileged``: that asks for every capability, and a host whose root lacks one (some
#: sandboxes drop CAP_SYS_RESOURCE) then refuses to start the container at all.
_CAPABILITIES = ("SYS_ADMIN", "SYS_CHROOT", "SYS_PTRACE", "NET_ADMIN", "NET_RAW", "SYS_MODULE")

#: The helper's command: from its own shell, into its parent's (the shim's) mount namespace;
#: the script is the shell's ``$0``, so it needs no quoting.
_ENTER_HOST = 'exec nsenter -t "$PPID" -m -- /bin/sh -c "$0"'

# Printed by the access test: uid, the daemon's network namespace, the host's boot id.
_ACCESS_SCRIPT = ("id -u; readlink /proc/self/ns/net; "
                  "cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo -")


@dataclass(frozen=True)
class HostResult:
    """What a command on the Docker host printed, and how it ended."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def check(self, what: str = "the command") -> "HostResult":
        """This result, or EnvironmentProblem naming ``what`` and its error output."""
        if not self.ok:
            detail = (self.stderr or self.stdout).strip() or f"exit code {self.exit_code}"
            raise EnvironmentProblem(f"{what} failed on the Docker host: {detail}")
        return self


@dataclass(frozen=True)
class HostAccess:
    """Whether commands can run as root on the Docker host, and where that host is.

    ``where`` is ``"this machine"`` (the daemon shares this process's network
    namespace), ``"a network namespace of this machine"`` (same kernel, other
    namespace: an engine run beside another) or ``"another machine"`` (a VM,
    Docker Desktop, a remote daemon). ``reason`` says why when ``ok`` is False.
    """

    ok: bool
    where: str = ""
    reason: str = ""
    #: The host's network namespace as ``readlink /proc/self/ns/net`` prints it there.
    netns: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"root on the Docker host ({self.where})"
        return f"no root on the Docker host: {self.reason}"


def _where(netns_link: str, boot_id: str) -> str:
    """Where the daemon runs, from what the helper saw (pure but for two reads of /proc)."""
    try:
        own_boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        own_netns = os.readlink("/proc/self/ns/net")
    except OSError:
        return "another machine"
    if boot_id.strip() != own_boot:
        return "another machine"
    if netns_link.strip() == own_netns:
        return "this machine"
    return "a network namespace of this machine"


class HostJob:
    """A script started on the Docker host by :meth:`DockerHost.start`."""

    def __init__(self, client: "docker.DockerClient", ident: str) -> None:
        self.client = client
        self.ident = ident
        self._result: HostResult | None = None
        self._closed = False

    def output(self) -> str:
        """What the script printed so far (stdout and stderr together)."""
        return decode(self.client.api.logs(self.ident, stdout=True, stderr=True))

    def wait_for(self, text: str, *, count: int = 1, timeout: float = 30) -> bool:
        """Wait until ``text`` was printed ``count`` times (False: not within ``timeout``
        seconds, or the script ended first)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.output().count(text) >= count:
                return True
            if self.client.api.inspect_container(self.ident)["State"].get("Status") == "exited":
                return self.output().count(text) >= count
            time.sleep(0.1)
        return False

    def result(self, *, timeout: int = 60) -> HostResult:
        """Wait for the script to end (at most ``timeout`` seconds) and remove the helper."""
        if self._result is None:
            from .daemon import daemon_errors

            api = self.client.api
            try:
                with daemon_errors(self.client, doing="cannot run commands on the Docker host"):
                    exit_code = int(api.wait(self.ident, timeout=timeout).get("StatusCode", -1))
                    stdout = decode(api.logs(self.ident, stdout=True, stderr=False))
                    stderr = decode(api.logs(self.ident, stdout=False, stderr=True))
            finally:
                self.close()
            self._result = HostResult(exit_code, stdout, stderr)
        return self._result

    def close(self) -> None:
        """Remove the helper container (stopping the script if it still runs)."""
        import docker.errors

        if not self._closed:
            self._closed = True
            with contextlib.suppress(docker.errors.APIError):
                self.client.api.remove_container(self.ident, force=True)

    def __enter__(self) -> "HostJob":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DockerHost:
    """Run shell commands as root on the host of ``client``'s daemon."""

    def __init__(self, client: "docker.DockerClient") -> None:
        self.client = client
        self._access: HostAccess | None = None

    def run(self, script: str, *, timeout: int = 60) -> HostResult:
        """Run ``script`` with the host's ``/bin/sh``; stdout and stderr come back apart.

        Raises EnvironmentProblem only when the helper container cannot be
        made at all (see :meth:`access` for a question that never raises).
        """
        with self.start(script) as job:
            return job.result(timeout=timeout)

    def start(self, script: str) -> "HostJob":
        """Start ``script`` on the host and return at once: a :class:`HostJob` to wait on.

        For a command that must run *while* the caller does something else
        (a packet capture during a ping): ``job.wait_for("listening on")``,
        then the traffic, then ``job.result()``. Use it as a context manager,
        so the helper is removed even when the caller fails in between.
        """
        from .daemon import daemon_errors
        from .images import ensure_lab_image

        api = self.client.api
        with daemon_errors(self.client):
            image = ensure_lab_image(self.client).name
        with daemon_errors(self.client, doing="cannot run commands on the Docker host"):
            box = api.create_container(
                image, ["/bin/sh", "-c", _ENTER_HOST, script],
                labels=dict(HOST_SHELL_LABELS),
                host_config=api.create_host_config(
                    network_mode="host", pid_mode="host", cap_add=list(_CAPABILITIES),
                    security_opt=["seccomp=unconfined", "apparmor=unconfined"]))
            job = HostJob(self.client, box["Id"])
            try:
                api.start(box["Id"])
            except BaseException:
                job.close()
                raise
        return job

    def access(self) -> HostAccess:
        """Whether :meth:`run` works as root here, and where the host is (asked once)."""
        if self._access is None:
            self._access = self._ask_access()
        return self._access

    def _ask_access(self) -> HostAccess:
        try:
            done = self.run(_ACCESS_SCRIPT, timeout=60)
        except EnvironmentProblem as exc:
            return HostAccess(False, reason=str(exc))
        lines = done.stdout.split()
        if not done.ok or len(lines) < 3:
            detail = (done.stderr or done.stdout).strip() or f"exit code {done.exit_code}"
            return HostAccess(False, reason="the helper could not enter the Docker host "
                                            f"(a rootless or sandboxed engine?): {detail}")
        if lines[0] != "0":
            return HostAccess(False, reason=f"commands on the Docker host run as uid {lines[0]}, "
                                            "not root (a rootless engine)")
        return HostAccess(True, where=_where(lines[1], lines[2]), netns=lines[1])

    def scoped_name(self, base: str) -> str:
        """``base`` and the number of the host's network namespace: a name for a
        machine-wide object (a network namespace made with ``ip netns add``) that two
        engines on one machine, each in a namespace of its own, never share.

        ``base`` alone where there is no root on the host (nothing is made there then).
        """
        number = self.access().netns.rpartition("[")[2].rstrip("]")
        return f"{base}-{number}" if number.isdigit() else base

    def require(self) -> "DockerHost":
        """This object, or EnvironmentProblem with the reason there is no root on the host."""
        access = self.access()
        if not access.ok:
            raise EnvironmentProblem(str(access))
        return self


def docker_host(client: "docker.DockerClient | None" = None) -> DockerHost:
    """The Docker host of ``client`` (default: :func:`~labcheck.live.daemon.connect`)."""
    if client is None:
        from .daemon import connect
        client = connect()
    return DockerHost(client)
