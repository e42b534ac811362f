"""JupyterHub's LocalProcessSpawner, each student as ``labcheck-student-NAME``.

The hub (root) starts :mod:`labcheck.hub.session` as the student's own Unix
user; that makes their engine and namespaces and runs their server inside.
Users without a class account (the instructor, an admin) get no server.
"""

from __future__ import annotations

import pwd
import sys
from typing import Any, Callable

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode

from . import accounts

__all__ = ["LabSpawner"]


class LabSpawner(LocalProcessSpawner):  # type: ignore[misc]
    """A student's server and rootless engine, as the student."""

    lessons = Unicode("", config=True, help="the course's lessons, copied into ~/workspace")
    handin = Unicode("", config=True, help="the folder of hand-in folders, one per student")

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
        return set_user_setuid(self._system_user().pw_name)  # type: ignore[no-any-return]

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
        return env

    async def start(self) -> Any:
        self._system_user()
        self.cmd = [sys.executable, "-m", "labcheck.hub.session"]
        return await super().start()
