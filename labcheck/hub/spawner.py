"""JupyterHub's LocalProcessSpawner, each student as ``labcheck-student-NAME``.

The hub (root) starts :mod:`labcheck.hub.session` as the student's own Unix
user; that makes their engine and namespaces and runs their server inside.
Users without a class account (the instructor, an admin) get no server.

The engine's kind (:mod:`.isolation`) is the hub's ``engine``, or the
student's own in ``engines``:

- ``rootless``: the session makes its user, PID and network namespaces
  itself (rootlesskit) and relays in and out through two unix sockets.
- ``vm``: no user namespace is needed. The hub binds the server's
  127.0.0.1:PORT in the machine's namespace and hands the listening socket to
  the session; the spawned process enters a new network namespace (loopback
  only) as root, then becomes the student; the hub's API is reached through a
  unix socket the hub serves (``sockets/NAME.sock``, the student's, 0600). The
  hub never connects to a path the student controls.

Whatever the kind, a stopped server leaves nothing of the student running:
after the session ends, every process left with their uid is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import signal
import socket
import sys
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from jupyterhub.utils import random_port
from traitlets import Dict, Unicode

from . import accounts, isolation, relay

__all__ = ["LabSpawner"]


class LabSpawner(LocalProcessSpawner):  # type: ignore[misc]
    """A student's server and their engine (rootless or VM), as the student."""

    lessons = Unicode("", config=True, help="the course's lessons, copied into ~/workspace")
    handin = Unicode("", config=True, help="the folder of hand-in folders, one per student")
    engine = Unicode("rootless", config=True, help="the students' engine: rootless or vm")
    engines = Dict(config=True, help="a student's own engine kind, by name")
    vm_image = Unicode("", config=True, help="the hub's engine VM folder (image, saved state)")
    sockets = Unicode("", config=True, help="where the hub serves its API to VM students")

    _listener: socket.socket | None = None
    _api_relay: asyncio.AbstractServer | None = None

    @property
    def engine_kind(self) -> str:
        return str(self.engines.get(self.user.name, self.engine))

    def _system_user(self) -> pwd.struct_passwd:
        name = accounts.system_name(self.user.name)
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise RuntimeError(f"{self.user.name} has no class account ({name}); "
                               "only students get a server") from None
        if entry.pw_uid == 0 or entry.pw_gecos != accounts.MARK:
            raise RuntimeError(f"{name} is not an account made by labcheck hub")
        return entry

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        become = set_user_setuid(self._system_user().pw_name)
        if self.engine_kind != "vm":
            return become  # type: ignore[no-any-return]

        def preexec() -> None:
            isolation.enter_new_netns()
            become()

        return preexec

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        entry = self._system_user()
        env["USER"] = entry.pw_name
        env["HOME"] = entry.pw_dir
        env["SHELL"] = entry.pw_shell or "/bin/bash"
        return env

    def get_env(self) -> dict[str, str]:
        env: dict[str, str] = super().get_env()
        if self.lessons:
            env["LABCHECK_HUB_LESSONS"] = self.lessons
        if self.handin:
            env["LABCHECK_HANDIN"] = f"{self.handin}/{self.user.name}"
        env["LABCHECK_HUB_ENGINE"] = self.engine_kind
        if self.engine_kind == "vm":
            env["LABCHECK_HUB_VM_IMAGE"] = self.vm_image
            env["LABCHECK_HUB_API_SOCKET"] = self._api_socket()
            if self._listener is not None:
                env["LABCHECK_HUB_LISTEN_FD"] = str(self._listener.fileno())
        return env

    def _api_socket(self) -> str:
        return str(Path(self.sockets) / f"{self.user.name}.sock")

    async def _open_vm_paths(self) -> None:
        """The server's port (listening, in the machine's namespace) and the API's socket."""
        entry = self._system_user()
        port = int(getattr(self, "port", 0) or random_port())
        self.port = port
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        self._listener = listener
        folder = Path(self.sockets)
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o711)
        api = urlsplit(self.hub.api_url)
        self._api_relay = await relay.listen(
            relay.parse(f"unix:{self._api_socket()}"),
            relay.parse(f"tcp:{api.hostname or '127.0.0.1'}:{api.port or 8081}"),
            owner=(entry.pw_uid, entry.pw_gid))
        self.popen_kwargs = {"pass_fds": (listener.fileno(),)}

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _close_vm_paths(self) -> None:
        self._close_listener()
        if self._api_relay is not None:
            self._api_relay.close()
            self._api_relay = None
            with contextlib.suppress(OSError):
                os.unlink(self._api_socket())

    async def start(self) -> Any:
        self._system_user()
        self.cmd = [sys.executable, "-m", "labcheck.hub.session"]
        if self.engine_kind != "vm":
            self.popen_kwargs = {}
            return await super().start()
        await self._open_vm_paths()
        try:
            return await super().start()
        finally:
            self._close_listener()  # the session holds it now; the hub keeps the API relay

    async def stop(self, now: bool = False) -> None:
        await super().stop(now=now)
        self._close_vm_paths()
        uid = self._system_user().pw_uid
        for pid in accounts.processes_of(uid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
