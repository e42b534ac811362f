"""What runs as the student: ``python -m labcheck.hub.session [SERVER ARGS...]``.

The hub's spawner starts this as the student's own Unix user (never root),
with JupyterHub's usual environment. Two halves:

- **outside** (the machine's namespaces, the student's uid): relays from
  127.0.0.1:PORT (where the hub's proxy connects) to ``server.sock``, and
  from ``hub.sock`` to the hub's API; then rootlesskit, whose child is
  this module again with ``--inside`` in a user, PID and network namespace of
  the student's own (:mod:`labcheck.live.engines.rootless`). A signal
  (SIGINT, SIGTERM) ends the inside, then rootlesskit; and rootlesskit is
  killed by the kernel if this process dies first (``PR_SET_PDEATHSIG``), so a
  stopped server never leaves an engine running.
- **inside** (loopback only): the mirror relays, the student's dockerd
  and the lab DNS on its bridge's gateway (NXDOMAIN for every outside name,
  as in the course's other engines; both stopped with the session:
  :func:`labcheck.live.engines.rootless.running`), the lab image
  (``labcheck doctor``), their copy of the lessons
  (``labcheck workspace``), then ``jupyterhub-singleuser`` on
  127.0.0.1:PORT with ``DOCKER_HOST`` at the engine.

A VM student (``LABCHECK_HUB_ENGINE=vm``) has one half, :func:`with_vm`: the hub
put the process in a network namespace of its own before it became the
student (:mod:`.spawner`); it relays, starts the engine VM and the server.

Files: ``~/.labcheck-hub/`` (0700: sockets, logs, rootlesskit's state, ``vm/``),
``~/.local/share/labcheck/engine`` (the engine's data: images, containers,
volumes survive a restart) and ``~/workspace`` (the lessons).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from ..live.engines import rootless
from ..live.engines.vm import VmEngine
from ..live.vm.paths import EnginePaths, copy_image
from . import relay

__all__ = ["main", "run_dir"]

_PR_SET_PDEATHSIG = 1


def run_dir(home: Path) -> Path:
    """The student's private folder of sockets and logs."""
    return home / ".labcheck-hub"


def _endpoint(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "127.0.0.1", parts.port or default_port)


def _ports() -> tuple[tuple[str, int], tuple[str, int]]:
    """(the server's host and port, the hub API's host and port) from JupyterHub's env."""
    server = _endpoint(os.environ["JUPYTERHUB_SERVICE_URL"], 8888)
    api = _endpoint(os.environ.get("JUPYTERHUB_API_URL", "http://127.0.0.1:8081/hub/api"),
                    8081)
    return server, api


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_stopping: list[int] = []


def _on_signal(signum: int, _frame: object) -> None:
    _stopping.append(signum)


def _wait(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """Until a signal arrives or one of ``processes`` ends."""
    while not _stopping and all(p.poll() is None for p in processes):
        time.sleep(0.2)


def _end(process: subprocess.Popen[bytes], seconds: float) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def outside(args: Sequence[str]) -> int:
    home = Path(os.environ["HOME"])
    run = run_dir(home)
    run.mkdir(mode=0o700, exist_ok=True)
    os.chmod(run, 0o700)
    (server_host, port), (api_host, api_port) = _ports()
    relay.start_in_thread([(f"tcp:{server_host}:{port}", f"unix:{run / 'server.sock'}"),
                           (f"unix:{run / 'hub.sock'}", f"tcp:{api_host}:{api_port}")])
    child = [sys.executable, "-m", "labcheck.hub.session", "--inside", *args]
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _on_signal)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run),
           "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    with (run / "rootlesskit.log").open("ab") as log:
        kit = subprocess.Popen(rootless.outer_argv(run / "rootlesskit", child), env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               preexec_fn=_die_with_parent)
    _wait([kit])
    # rootlesskit passes SIGTERM on to its child (the inside half), which stops
    # the server and the engine; when the child ends, its PID namespace ends.
    _end(kit, 15)
    return kit.returncode or 0


def inside(args: Sequence[str]) -> int:
    home = Path(os.environ["HOME"])
    run = run_dir(home)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _on_signal)
    rootless.scrub_run()
    (_server_host, port), (_api_host, api_port) = _ports()
    relay.start_in_thread([(f"unix:{run / 'server.sock'}", f"tcp:127.0.0.1:{port}"),
                           (f"tcp:127.0.0.1:{api_port}", f"unix:{run / 'hub.sock'}")])
    # A session ended by SIGKILL leaves dockerd's pid file and exec-root behind; its
    # PID namespace, and every process of it, is gone, so they are stale: as after a reboot.
    (run / "docker.pid").unlink(missing_ok=True)
    subprocess.run(["rm", "-rf", str(run / "exec")], check=False)
    data = home / ".local" / "share" / "labcheck" / "engine"
    data.mkdir(parents=True, exist_ok=True)
    env = _server_env(f"unix://{run / 'docker.sock'}")
    with rootless.running(run, data, env) as dockerd:
        server = _serve(env, home, run, args)
        _wait([server, dockerd])
        _end(server, 8)
    return 0


def _server_env(docker_host: str) -> dict[str, str]:
    """The server's environment: this venv first on PATH, DOCKER_HOST at the engine."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env["DOCKER_HOST"] = docker_host
    # The server's URLs point at 127.0.0.1 here (the relays); a proxy must not be used.
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(key, None)
    return env


def _serve(env: dict[str, str], home: Path, run: Path,
           args: Sequence[str]) -> subprocess.Popen[bytes]:
    """The lab image (``labcheck doctor``), the lessons into ~/workspace, then the server."""
    bin_dir = Path(sys.executable).parent
    workspace = home / "workspace"
    with (run / "setup.log").open("ab") as log:
        subprocess.run([str(bin_dir / "labcheck"), "doctor"], env=env, stdout=log,
                       stderr=subprocess.STDOUT, check=False)
        lessons = os.environ.get("LABCHECK_HUB_LESSONS")
        if lessons:
            subprocess.run([str(bin_dir / "labcheck"), "workspace", str(workspace),
                            "--from", lessons, "--quiet"], env=env, stdout=log,
                           stderr=subprocess.STDOUT, check=False)
        workspace.mkdir(exist_ok=True)
    return subprocess.Popen([str(bin_dir / "jupyterhub-singleuser"), "--allow-root",
                             f"--ServerApp.root_dir={workspace}", *args],
                            env=env, cwd=workspace, stdin=subprocess.DEVNULL)


def with_vm(args: Sequence[str]) -> int:
    """A VM student: already in a network namespace of their own (made by the hub, root).

    Relays: the hub's listening socket (inherited, the machine's 127.0.0.1:PORT)
    to the server's 127.0.0.1:PORT here, and 127.0.0.1:API here to the unix
    socket the hub serves its API on. Then the engine VM, from the hub's image
    (:class:`~labcheck.live.engines.vm.VmEngine`; its state copied into
    ``~/.labcheck-hub/vm`` once), and the server. On a signal: the server
    stops, then the VM.
    """
    home = Path(os.environ["HOME"])
    run = run_dir(home)
    run.mkdir(mode=0o700, exist_ok=True)
    os.chmod(run, 0o700)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _on_signal)
    (_server_host, port), (_api_host, api_port) = _ports()
    relay.start_in_thread([(f"fd:{os.environ['LABCHECK_HUB_LISTEN_FD']}",
                            f"tcp:127.0.0.1:{port}"),
                           (f"tcp:127.0.0.1:{api_port}",
                            f"unix:{os.environ['LABCHECK_HUB_API_SOCKET']}")])
    own = EnginePaths(run / "vm")
    copy_image(EnginePaths(Path(os.environ["LABCHECK_HUB_VM_IMAGE"])), own)
    engine = VmEngine("vm", {**os.environ, "LABCHECK_ENGINE_DIR": str(own.root)})
    try:
        status = engine.start()
        env = _server_env(status.docker_host)
        env["LABCHECK_ENGINE_DIR"] = str(own.root)
        server = _serve(env, home, run, args)
        _wait([server])
        _end(server, 8)
    finally:
        engine.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--inside"]:
        return inside(args[1:])
    if os.environ.get("LABCHECK_HUB_ENGINE") == "vm":
        return with_vm(args)
    return outside(args)


if __name__ == "__main__":
    sys.exit(main())
