"""A dockerd of any version in its own network namespace, beside the machine's daemon.

Why a namespace: two dockerds on one network stack fight over docker0 and
the iptables chains. In its own namespace an engine has its own loopback,
bridges, address pools and iptables, and no uplink at all, so nothing it
runs can leave the machine. Its socket is a file, reachable from the host;
published ports and the lab DNS live in the namespace, so a program that
reaches 127.0.0.1 runs inside it (:meth:`NetnsEngine.command`).

Needs root. Files: ``/run/labcheck-engines/NAME`` (socket, exec-root, pid
files, logs, ``engine.json``), ``/var/lib/labcheck-engines/NAME``
(data-root); the namespace is ``labcheck-NAME``. ``LABCHECK_NETNS_RUN`` and
``LABCHECK_NETNS_DATA`` move both roots (tests).

Where the binaries come from (:func:`binaries`): the machine's dockerd
(``distribution``), Debian unstable's or trixie's (``sid``, ``trixie``:
fetched by :mod:`.apt`), a folder holding ``dockerd`` (and containerd,
runc, docker-proxy...: it goes first on dockerd's ``PATH``), or a
``.tar.xz``/``.tar.gz`` of such a folder, unpacked once into the engines'
cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tarfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from ...errors import EnvironmentProblem
from ..processes import wait_gone
from . import labdns
from .apt import engines_dir, fetch_engine
from .base import Engine, EngineStatus, Say, quiet
from .sockets import api_version_of

__all__ = ["NetnsEngine", "binaries", "running_names", "PROJECT", "DAEMON_CONFIG"]

#: The project's checkout (the scripts this engine uses live there).
PROJECT = Path(__file__).resolve().parents[3]
#: The course's daemon configuration: its own pools, the lab DNS as upstream resolver.
DAEMON_CONFIG = PROJECT / "scripts" / "daemon.json"

#: ``--engine`` names that are fetched from Debian rather than found on disk.
CHANNELS = ("sid", "trixie")


def _run_root(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("LABCHECK_NETNS_RUN") or "/run/labcheck-engines")


def _data_root(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("LABCHECK_NETNS_DATA") or "/var/lib/labcheck-engines")


def running_names(environ: Mapping[str, str] | None = None) -> list[str]:
    """Names of the netns engines with a record under the run root (running or not)."""
    root = _run_root(environ)
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob("*/engine.json"))


def _unpack_archive(archive: Path, cache: Path) -> Path:
    """The folder holding ``dockerd`` inside ``archive``, unpacked once into ``cache``."""
    stem = archive.name
    for suffix in (".tar.xz", ".tar.gz", ".tgz", ".tar"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    dest = cache / "archives" / stem
    found = sorted(dest.glob("**/dockerd")) if dest.is_dir() else []
    if not found:
        work = dest.with_name(dest.name + ".new")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="tar")
        shutil.rmtree(dest, ignore_errors=True)
        work.rename(dest)
        found = sorted(dest.glob("**/dockerd"))
    if not found:
        raise EnvironmentProblem(f"{archive} holds no dockerd")
    return found[0].parent


def binaries(spec: str | None, *, refresh: bool = False, say: Say = quiet) -> Path | None:
    """The folder of an engine's binaries for ``spec``; None for the machine's own dockerd.

    ``spec``: None or ``distribution``, ``sid``, ``trixie``, a folder holding
    ``dockerd``, or an archive of one (see the module docstring).
    """
    if spec in (None, "", "distribution"):
        if shutil.which("dockerd") is None:
            raise EnvironmentProblem("no dockerd on PATH: install docker.io (make daemon), or "
                                     "give --engine sid, trixie or a folder of binaries")
        return None
    if spec in CHANNELS:
        return fetch_engine(spec, refresh=refresh, say=say).bin_dir
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "dockerd").exists():
            raise EnvironmentProblem(f"no dockerd in {path}")
        return path.resolve()
    if path.is_file() and (".tar" in path.name or path.suffix == ".tgz"):
        return _unpack_archive(path, engines_dir())
    raise EnvironmentProblem(f"unknown engine {spec!r}: give distribution, sid, trixie, "
                             "a folder holding dockerd, or a .tar.xz of one")


@dataclass
class _Record:
    """What ``engine.json`` keeps about a started netns engine."""

    name: str
    namespace: str
    docker_host: str
    bin_dir: str
    pid: int
    lab_dns_pid: int
    started: float
    engine: str


def _cgroup_mounts() -> list[str]:
    """``type dir opts`` triples of this machine's cgroup mounts (``ip netns exec`` hides them)."""
    triples: list[str] = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) >= 4 and fields[1].startswith("/sys/fs/cgroup") and \
                    fields[2] in ("cgroup", "cgroup2", "tmpfs"):
                triples += [fields[2], fields[1], fields[3]]
    return triples


# `ip netns exec` gives the command a fresh /sys that shows the namespace's interfaces,
# and hides the cgroup mounts (a dockerd that the command starts needs them): mount
# them again in its private mount namespace, then run the command.
_ENTER = ('while [ "$1" != -- ]; do mkdir -p "$2" 2>/dev/null && '
          'mount -t "$1" -o "$3" "$1" "$2" 2>/dev/null; shift 3; done; shift; exec "$@"')


class NetnsEngine(Engine):
    """A private dockerd in the network namespace ``labcheck-NAME`` (needs root)."""

    kind = "netns"

    def __init__(self, name: str, engine: str | None = None,
                 environ: Mapping[str, str] | None = None, *,
                 settings: Mapping[str, Any] | None = None,
                 hostname: str | None = None) -> None:
        super().__init__(name)
        #: what to run: see :func:`binaries` (None: as recorded, else the distribution's)
        self.engine = engine
        #: daemon.json settings over the course's (e.g. other address pools for a node)
        self.settings = dict(settings or {})
        #: the host name dockerd runs under (its own UTS namespace), e.g. a node's name
        self.hostname = hostname
        self._run = _run_root(environ) / self.name
        self._data = _data_root(environ) / self.name

    @property
    def namespace(self) -> str:
        return f"labcheck-{self.name}"

    @property
    def state_dir(self) -> Path:
        return self._run

    @property
    def data_dir(self) -> Path:
        return self._data

    @property
    def socket(self) -> Path:
        return self._run / "docker.sock"

    def docker_host_url(self) -> str:
        return f"unix://{self.socket}"

    def _record(self) -> _Record | None:
        with contextlib.suppress(OSError, ValueError, TypeError):
            return _Record(**json.loads((self._run / "engine.json").read_text()))
        return None

    def bin_dir(self) -> Path | None:
        """The folder first on the engine's ``PATH`` (None: the machine's own programs)."""
        record = self._record()
        if record is not None and record.bin_dir:
            return Path(record.bin_dir)
        return None

    def command(self, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.namespace, "sh", "-c", _ENTER, "labcheck-engine",
                *_cgroup_mounts(), "--", *argv]

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        env = super().environ(base)
        bin_dir = self.bin_dir()
        if bin_dir is not None:  # its docker CLI (if it has one) and compose first
            env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
        return env

    # -- lifecycle ---------------------------------------------------------------------

    def _in_ns(self, argv: Sequence[str]) -> list[str]:
        # nsenter, not `ip netns exec`: the latter remounts /sys in a new mount namespace,
        # which hides the cgroup mounts dockerd needs ("Devices cgroup isn't mounted").
        return ["nsenter", f"--net=/run/netns/{self.namespace}", *argv]

    def _namespace_exists(self) -> bool:
        return Path(f"/run/netns/{self.namespace}").exists()

    def start(self, *, say: Say = quiet) -> EngineStatus:
        current = self.status()
        if current.running:
            return current
        if os.geteuid() != 0:
            raise EnvironmentProblem(f"engine {self.name!r} (netns) needs root: it makes a "
                                     "network namespace and runs dockerd")
        bin_dir = binaries(self.engine, say=say)
        self._run.mkdir(parents=True, exist_ok=True)
        self._data.mkdir(parents=True, exist_ok=True)
        if not self._namespace_exists():
            subprocess.run(["ip", "netns", "add", self.namespace], check=True,
                           capture_output=True)
        subprocess.run(self._in_ns(["ip", "link", "set", "lo", "up"]), check=True,
                       capture_output=True)
        env = dict(os.environ)
        if bin_dir is not None:  # dockerd wants absolute paths for its helpers
            env["PATH"] = f"{bin_dir}:{env.get('PATH', '')}"
        self.socket.unlink(missing_ok=True)
        # dockerd starts its own containerd under its exec-root (no system containerd
        # socket is passed), so this engine shares nothing with the machine's daemon.
        with (self._run / "dockerd.log").open("ab") as log:
            dockerd = subprocess.Popen(
                self._in_ns([*self._uts(), "dockerd", "--config-file", str(self._config()),
                             "--host", self.docker_host_url(), "--data-root", str(self._data),
                             "--exec-root", str(self._run / "exec"),
                             "--pidfile", str(self._run / "dockerd.pid")]),
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)
        say(f"starting dockerd in network namespace {self.namespace}")
        version = self._wait_answer(dockerd)
        record = _Record(self.name, self.namespace, self.docker_host_url(),
                         str(bin_dir or ""), dockerd.pid, self._start_lab_dns(), time.time(),
                         self.engine or "distribution")
        (self._run / "engine.json").write_text(json.dumps(asdict(record), indent=1))
        say(f"engine {self.name!r} (Docker {version}) answers on {self.docker_host_url()}, "
            f"in network namespace {self.namespace}")
        return self.status()

    def _wait_answer(self, dockerd: subprocess.Popen[bytes], timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            version = api_version_of(self.socket)
            if version:
                return str(version["Version"])
            if dockerd.poll() is not None:
                break
            time.sleep(0.25)
        tail = ""
        with contextlib.suppress(OSError):
            tail = "\n".join((self._run / "dockerd.log").read_text(errors="replace")
                             .splitlines()[-15:])
        self.stop()
        raise EnvironmentProblem(f"the dockerd of engine {self.name!r} did not answer (it "
                                 f"exited, or not within {int(timeout)} s); its log ends "
                                 f"with:\n{tail}")

    def _config(self) -> Path:
        """The daemon.json dockerd reads: the course's, with :attr:`settings` over it."""
        if not self.settings:
            return DAEMON_CONFIG
        merged = {**json.loads(DAEMON_CONFIG.read_text()), **self.settings}
        path = self._run / "daemon.json"
        path.write_text(json.dumps(merged, indent=1))
        return path

    def _uts(self) -> list[str]:
        """A prefix that runs dockerd under :attr:`hostname`, in a UTS namespace of its own."""
        if not self.hostname:
            return []
        return ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', self.hostname]

    def _start_lab_dns(self) -> int:
        """The NXDOMAIN responder for containers' upstream DNS, inside the namespace."""
        return labdns.start(labdns.gateway_of(self._config()), self._run / "lab-dns.log",
                            self._in_ns([]))

    def stop(self, *, purge: bool = False) -> bool:
        record = self._record()
        was_running = self.status().running
        pids: list[int] = []
        with contextlib.suppress(OSError, ValueError):
            pids.append(int((self._run / "dockerd.pid").read_text().strip()))
        if record is not None:
            pids += [record.pid, record.lab_dns_pid]
        for pid in dict.fromkeys(p for p in pids if p > 0):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
        for pid in pids:
            if not wait_gone(pid, 20):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        if self._namespace_exists():
            # anything still running in the namespace (a managed containerd, shims) ends with it
            for sig, pause in ((signal.SIGTERM, 0.5), (signal.SIGKILL, 0.2)):
                out = subprocess.run(["ip", "netns", "pids", self.namespace],
                                     capture_output=True, text=True, check=False).stdout
                for pid_text in out.split():
                    with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                        os.kill(int(pid_text), sig)
                time.sleep(pause)
            subprocess.run(["ip", "netns", "delete", self.namespace], capture_output=True,
                           check=False)
        for name in ("dockerd.pid", "engine.json", "docker.sock"):
            (self._run / name).unlink(missing_ok=True)
        if purge:
            self._purge()
        return was_running

    def _purge(self) -> None:
        """Remove the data-root and run folder (what a killed dockerd left mounted first)."""
        prefixes = (f"{self._data}/", f"{self._run}/")
        with contextlib.suppress(OSError):
            mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
            for mount in sorted((m for m in mounts if m.startswith(prefixes)), reverse=True):
                subprocess.run(["umount", mount], capture_output=True, check=False)
            mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
            if any(m.startswith(prefixes) for m in mounts):
                raise EnvironmentProblem(f"not purging engine {self.name!r}: something is "
                                         "still mounted under its folders")
        shutil.rmtree(self._data, ignore_errors=True)
        shutil.rmtree(self._run, ignore_errors=True)

    def status(self) -> EngineStatus:
        record = self._record()
        version = api_version_of(self.socket) if self.socket.exists() else None
        details: dict[str, object] = {"namespace": self.namespace, "data_root": str(self._data)}
        if record is not None:
            details.update(engine=record.engine, bin_dir=record.bin_dir, pid=record.pid)
        if not version:
            problem = "" if record is None else "its dockerd does not answer"
            return EngineStatus(self.name, self.kind, False, docker_host=self.docker_host_url(),
                                where=f"network namespace {self.namespace}", problem=problem,
                                details=details)
        return EngineStatus(self.name, self.kind, True, version.get("Version", ""),
                            version.get("ApiVersion", ""), self.docker_host_url(),
                            f"network namespace {self.namespace}", details=details)
