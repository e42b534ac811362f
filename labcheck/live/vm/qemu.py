"""Run the engine VM: start, stop, status, and the saved ready state.

QEMU runs as the user, detached (``-daemonize``), with user networking
``restrict=on`` (the guest reaches nothing outside the VM) and one forward,
``tcp:127.0.0.1:API-:2375``, for the Docker API. Published ports are
forwarded at run time (see :mod:`labcheck.live.vm.forwarder`). KVM is used
where ``/dev/kvm`` works, QEMU's emulator (TCG) elsewhere.

Fast start: ``labcheck engine build`` boots the VM once, waits for the API,
builds the lab image, and saves the whole machine with ``savevm`` into a
qcow2 file beside the image. ``start`` restores it (``-loadvm``), then sets
the guest's clock and stirs its entropy pool over a serial line, so each
start is a fresh, already-booted engine in a couple of seconds instead of a
half-minute boot. A VM started with another memory size, CPU count or
accelerator than the saved one boots cold.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from ...errors import EnvironmentProblem
from ...progress import Say
from ..processes import wait_gone
from .forwarder import NETDEV
from .paths import EnginePaths
from .qmp import LineChannel, Qmp, QmpError

__all__ = ["VmConfig", "EngineState", "EngineStatus", "qemu_binary", "kvm_usable",
           "command_line", "start", "stop", "status", "save_ready_state", "docker_host",
           "GUEST_API_PORT", "KERNEL_ARGS", "free_port", "saved_tags", "save_running_state"]


GUEST_API_PORT = 2375
#: quiet: printing to an emulated serial port is slow; no mitigations: the
#: guest runs only the user's own containers. tsc=reliable: under TCG with two
#: vCPUs the kernel finds no constant TSC and falls back to the HPET, whose every
#: read (each clock_gettime: no vDSO with it) is an emulated device access under
#: QEMU's global lock; the dockerds of a multi-host lab then spent most of the
#: guest's time in the kernel and missed swarm's 20 s deadlines. TCG's TSC is the
#: host's (monotonic, one clock for all vCPUs, carried over a saved state).
KERNEL_ARGS = ("console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init mitigations=off "
               "nokaslr cgroup_no_v1=all tsc=reliable")
DEFAULT_MEMORY_MIB = 1024


def qemu_binary() -> str | None:
    """Path of ``qemu-system-x86_64``, or None."""
    return shutil.which("qemu-system-x86_64")


def kvm_usable() -> bool:
    """Whether /dev/kvm can be opened and the CPU has virtualisation extensions."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return " vmx" in flags or " svm" in flags


@dataclass(frozen=True)
class VmConfig:
    """How big the VM is. ``LABCHECK_ENGINE_MEMORY`` (MiB) and ``LABCHECK_ENGINE_CPUS``."""

    memory_mib: int = DEFAULT_MEMORY_MIB
    cpus: int = 2
    accel: str = "tcg"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "VmConfig":
        env = os.environ if environ is None else environ
        cpus = int(env.get("LABCHECK_ENGINE_CPUS") or min(2, os.cpu_count() or 1))
        return cls(memory_mib=int(env.get("LABCHECK_ENGINE_MEMORY") or DEFAULT_MEMORY_MIB),
                   cpus=max(1, cpus), accel="kvm" if kvm_usable() else "tcg")

    @property
    def snapshot_tag(self) -> str:
        """The savevm name: a saved state fits only the same machine shape."""
        return f"ready-{self.accel}-{self.cpus}cpu-{self.memory_mib}m"

    def nodes_tag(self, count: int) -> str:
        """The savevm name of the state with a lab of ``count`` nodes running (:mod:`.nodes`).

        >>> VmConfig(1024, 2, "tcg").nodes_tag(3)
        'nodes3-tcg-2cpu-1024m'
        """
        return f"nodes{count}-{self.accel}-{self.cpus}cpu-{self.memory_mib}m"


@dataclass
class EngineState:
    """What ``run/state.json`` records about a started VM."""

    pid: int
    api_port: int
    accel: str
    cpus: int
    memory_mib: int
    started: float
    restored: bool
    forwarder_pid: int = 0
    ready_seconds: float = 0.0
    command: list[str] = field(default_factory=list)

    @property
    def docker_host(self) -> str:
        return f"tcp://127.0.0.1:{self.api_port}"


@dataclass
class EngineStatus:
    """The answer of :func:`status`."""

    running: bool
    state: EngineState | None = None
    version: str = ""
    api_version: str = ""
    forwards: list[str] = field(default_factory=list)
    problem: str = ""

    def describe(self) -> str:
        if not self.running or self.state is None:
            return "engine VM: not running" + (f" ({self.problem})" if self.problem else "")
        ports = ", ".join(self.forwards) if self.forwards else "none"
        return (f"engine VM: running (pid {self.state.pid}, {self.state.accel}, "
                f"{self.state.cpus} CPU, {self.state.memory_mib} MiB), Docker Engine "
                f"{self.version or '?'} at {self.state.docker_host}; published ports "
                f"forwarded to 127.0.0.1: {ports}")


def command_line(paths: EnginePaths, config: VmConfig, api_port: int, *,
                 qemu: str = "qemu-system-x86_64", loadvm: str | None = None,
                 with_state_disk: bool = False) -> list[str]:
    """The QEMU command line. ``restrict=on`` is always there (a test checks it)."""
    # LABCHECK_ENGINE_DEBUG=1: dockerd's log on the console (run/console.log) too
    kernel_args = KERNEL_ARGS + (" labcheck.debug" if os.environ.get("LABCHECK_ENGINE_DEBUG")
                                 else "")
    accel = ("kvm" if config.accel == "kvm"
             else f"tcg,thread={'multi' if config.cpus > 1 else 'single'},tb-size=256")
    cmd = [
        qemu, "-name", "labcheck-engine", "-nodefaults", "-no-user-config",
        "-machine", "pc", "-accel", accel, "-cpu", "host" if config.accel == "kvm" else "max",
        "-m", str(config.memory_mib), "-smp", str(config.cpus),
        "-display", "none", "-vga", "none", "-no-reboot",
        "-kernel", str(paths.kernel), "-initrd", str(paths.initrd), "-append", kernel_args,
        "-chardev", f"file,id=console,path={paths.console}",
        "-serial", "chardev:console",
        "-chardev", f"socket,id=control,path={paths.control},server=on,wait=off",
        "-serial", "chardev:control",
        "-chardev", f"socket,id=forward,path={paths.forward_socket},server=on,wait=off",
        "-serial", "chardev:forward",
        "-netdev", f"user,id={NETDEV},restrict=on,ipv6=off,"
                   f"hostfwd=tcp:127.0.0.1:{api_port}-:{GUEST_API_PORT}",
        "-device", f"virtio-net-pci,netdev={NETDEV},romfile=",
        "-qmp", f"unix:{paths.qmp},server=on,wait=off",
        "-qmp", f"unix:{paths.qmp_forward},server=on,wait=off",
        "-pidfile", str(paths.pidfile), "-daemonize",
    ]
    if with_state_disk or loadvm:
        cmd += ["-drive", f"if=none,id=state,format=qcow2,file={paths.snapshot_disk}"]
    if loadvm:
        cmd += ["-loadvm", loadvm]
    return cmd


def free_port(preferred: int = 23750) -> int:
    """A free TCP port of 127.0.0.1: ``preferred`` if it is free (0: any).

    Tried as QEMU's forward will listen, with ``SO_REUSEADDR``: a port whose last
    connections (a VM just stopped) linger in TIME_WAIT is free for it, so an
    engine restarted at once keeps its address.
    """
    for port in (preferred, 0):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise EnvironmentProblem("no free TCP port on 127.0.0.1 for the engine's API")


def _pid_alive(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"labcheck-engine" in cmdline or b"labcheck.live.vm.forwarder" in cmdline


def _read_state(paths: EnginePaths) -> EngineState | None:
    try:
        data = json.loads(paths.state.read_text(encoding="utf-8"))
        return EngineState(**data)
    except (OSError, ValueError, TypeError):
        return None


def _ping(port: int, timeout: float = 2.0) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", "/_ping")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException):
        return False


def _version(port: int) -> dict[str, str]:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/version")
        data = json.loads(conn.getresponse().read())
        conn.close()
        return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int))}
    except (OSError, ValueError, http.client.HTTPException):
        return {}


def saved_tags(paths: EnginePaths) -> set[str]:
    """The tags of the states saved in the image's state disk."""
    record = paths.snapshots
    if not paths.snapshot_disk.is_file() or not record.is_file():
        return set()
    try:
        return set(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def docker_host(paths: EnginePaths) -> str | None:
    """``tcp://127.0.0.1:PORT`` of the running engine VM, or None."""
    state = _read_state(paths)
    if state is None or not _pid_alive(state.pid):
        return None
    return state.docker_host


def _launch(paths: EnginePaths, config: VmConfig, *, loadvm: str | None,
            with_state_disk: bool) -> EngineState:
    qemu = qemu_binary()
    if qemu is None:
        raise EnvironmentProblem("QEMU is not installed",
                                 advice="Install it: apt-get install qemu-system-x86 (or conda "
                                        "install -c conda-forge qemu)")
    if not paths.image_present():
        raise EnvironmentProblem("the engine VM image is not built",
                                 advice="Run: labcheck engine build")
    paths.run.mkdir(parents=True, exist_ok=True)
    for stale in (*paths.run_files(), paths.console):
        stale.unlink(missing_ok=True)
    api_port = free_port()
    cmd = command_line(paths, config, api_port, qemu=qemu, loadvm=loadvm,
                       with_state_disk=with_state_disk)
    started = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    if out.returncode != 0:
        raise EnvironmentProblem(f"QEMU did not start: {(out.stderr or out.stdout).strip()[:400]}")
    pid = int(paths.pidfile.read_text(encoding="utf-8").strip())
    log = paths.forwarder_log.open("ab")
    forwarder = subprocess.Popen(
        [sys.executable, "-m", "labcheck.live.vm.forwarder", str(paths.root)],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    log.close()
    state = EngineState(pid=pid, api_port=api_port, accel=config.accel, cpus=config.cpus,
                        memory_mib=config.memory_mib, started=started,
                        restored=loadvm is not None, forwarder_pid=forwarder.pid, command=cmd)
    paths.state.write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")
    return state


def _wait_ready(paths: EnginePaths, state: EngineState, timeout: float,
                say: Say | None) -> None:
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        if not _pid_alive(state.pid):
            raise EnvironmentProblem(f"the engine VM stopped while booting; see "
                                     f"{paths.console}")
        if _ping(state.api_port, timeout=2):
            state.ready_seconds = time.time() - state.started
            paths.state.write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")
            return
        waited = int(time.time() - state.started)
        if say and waited // 10 != last:
            last = waited // 10
            if waited:
                say(f"waiting for the Docker API in the VM ({waited} s)")
        time.sleep(0.2)
    stop(paths)
    raise EnvironmentProblem(f"the Docker engine in the VM did not answer within "
                             f"{int(timeout)} s; see {paths.console}")


def _sync_guest(paths: EnginePaths) -> None:
    """After a restore: the guest's clock to now, fresh entropy into its pool."""
    channel = LineChannel(paths.control, timeout=10)
    try:
        channel.send(f"time {int(time.time())}")
        channel.send(f"seed {secrets.token_hex(64)}")
        for _ in range(2):
            if channel.readline() is None:
                break
    except OSError:
        pass
    finally:
        channel.close()


def start(paths: EnginePaths, config: VmConfig | None = None, *,
          timeout: float = 300, say: Say | None = None, tag: str | None = None) -> EngineState:
    """Start the engine VM (or return the running one); wait for the Docker API.

    ``tag``: the saved state to restore when it is there (a lab's nodes running,
    :meth:`VmConfig.nodes_tag`) instead of the plain ready one.
    """
    config = config or VmConfig.from_env()
    running = _read_state(paths)
    if running is not None and _pid_alive(running.pid) and _ping(running.api_port):
        return running
    if running is not None:
        stop(paths)
    tags = saved_tags(paths)
    chosen = tag if tag in tags else config.snapshot_tag if config.snapshot_tag in tags else None
    if say:
        say(f"restoring the saved engine VM ({chosen})" if chosen else
            f"booting the engine VM ({config.accel}; about 30 s under emulation; "
            "'labcheck engine build' saves a booted state for a fast start)")
    # the state disk is attached even to a cold boot: a lab's nodes save their state there
    state = _launch(paths, config, loadvm=chosen, with_state_disk=paths.snapshot_disk.is_file())
    restore = chosen is not None
    if restore:
        _sync_guest(paths)
    _wait_ready(paths, state, timeout, say)
    return state


def save_ready_state(paths: EnginePaths, config: VmConfig | None = None, *,
                     prepare: Callable[[str], None] | None = None,
                     say: Say = print) -> float:
    """Boot cold, wait for the API, run ``prepare(docker_host)``, then ``savevm``.

    Returns the seconds the cold boot took to answer.
    """
    config = config or VmConfig.from_env()
    qemu_img = shutil.which("qemu-img")
    if qemu_img is None:
        raise EnvironmentProblem("qemu-img is missing. Install it: apt-get install qemu-utils")
    stop(paths)
    tags = saved_tags(paths) if paths.snapshot_disk.is_file() else set()
    if not paths.snapshot_disk.is_file():
        subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", str(paths.snapshot_disk),
                        "16M"], check=True, capture_output=True, timeout=60)
    say(f"booting the engine VM once to save its ready state ({config.snapshot_tag})")
    state = _launch(paths, config, loadvm=None, with_state_disk=True)
    try:
        _wait_ready(paths, state, 600, say)
        if prepare is not None:
            prepare(state.docker_host)
        time.sleep(3)  # let dockerd finish its start-up work before the state is frozen
        with Qmp(paths.qmp, timeout=600) as qmp:
            qmp.execute("stop")
            out = qmp.hmp(f"savevm {config.snapshot_tag}")
            if "error" in out.lower():
                raise EnvironmentProblem(f"savevm failed: {out.strip()}")
    finally:
        stop(paths)
    tags.add(config.snapshot_tag)
    paths.snapshots.write_text(json.dumps(sorted(tags)), encoding="utf-8")
    return state.ready_seconds


def save_running_state(paths: EnginePaths, tag: str) -> bool:
    """Save the running VM's whole state as ``tag`` (paused meanwhile), then let it run on.

    False when it cannot: the VM was booted without the state disk (no saved
    state to start from), or QEMU refused.
    """
    state = _read_state(paths)
    if state is None or not _pid_alive(state.pid) or not any(
            arg.startswith("if=none,id=state,") for arg in state.command):
        return False
    with Qmp(paths.qmp, timeout=600) as qmp:
        qmp.execute("stop")
        try:
            out = qmp.hmp(f"savevm {tag}")
        finally:
            qmp.execute("cont")
    _sync_guest(paths)  # its clock stood still while the state was written
    if "error" in out.lower():
        return False
    tags = saved_tags(paths) | {tag}
    paths.snapshots.write_text(json.dumps(sorted(tags)), encoding="utf-8")
    return True


def stop(paths: EnginePaths) -> bool:
    """Stop the VM and its forwarder; True if something was running."""
    state = _read_state(paths)
    pid = state.pid if state else 0
    if not pid and paths.pidfile.is_file():
        try:
            pid = int(paths.pidfile.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            pid = 0
    was_running = bool(pid) and _pid_alive(pid)
    if was_running:
        try:
            with Qmp(paths.qmp, timeout=5) as qmp:
                qmp.execute("quit")
        except (QmpError, OSError):
            pass
        if not wait_gone(pid, 10, _pid_alive):
            os.kill(pid, signal.SIGTERM)
            if not wait_gone(pid, 5, _pid_alive):
                os.kill(pid, signal.SIGKILL)
                wait_gone(pid, 5, _pid_alive)
    if state and state.forwarder_pid and _pid_alive(state.forwarder_pid):
        os.kill(state.forwarder_pid, signal.SIGTERM)
        wait_gone(state.forwarder_pid, 5, _pid_alive)
    for name in paths.run_files():
        name.unlink(missing_ok=True)
    return was_running


def status(paths: EnginePaths) -> EngineStatus:
    """Whether the VM runs, its engine version, address and forwarded ports."""
    state = _read_state(paths)
    if state is None:
        return EngineStatus(False, problem="" if paths.image_present()
                            else "no image: run labcheck engine build")
    if not _pid_alive(state.pid):
        return EngineStatus(False, problem="QEMU exited; run labcheck engine start")
    version = _version(state.api_port)
    forwards: list[str] = []
    with contextlib.suppress(OSError, ValueError):
        forwards = list(json.loads(paths.forwards.read_text(encoding="utf-8")))
    return EngineStatus(True, state, version.get("Version", ""), version.get("ApiVersion", ""),
                        [f"127.0.0.1:{f.split('/')[1]}/{f.split('/')[0]}" for f in forwards],
                        "" if version else "the Docker API does not answer yet")
