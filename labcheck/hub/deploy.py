"""The hub's files, its start and stop, and the class's grade sheet (``labcheck hub``).

Everything of one hub lives in one folder (default ``/var/lib/labcheck-hub/class``):

- ``jupyterhub_config.py``: written at each start from the arguments;
- ``passwords`` (0600): ``name password`` per account, made once;
- ``admin-token`` (0600): an API token with the admin scopes (``labcheck-admin``
  service), for scripts and tests;
- ``lessons/``: the course's lessons as this checkout has them, which each
  student's ``~/workspace`` is synced from at each start of their server;
- ``handin/NAME/``: where a student's ``labcheck submit`` files go (theirs alone);
- ``grades.csv``, ``summary.html``: the grade sheet (:func:`grade`);
- ``jupyterhub.sqlite``, ``jupyterhub.log``, ``hub.pid``.

The hub runs as root (it must become each student); the students' servers never do.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import EnvironmentProblem, UsageError
from ..live.processes import pid_alive, wait_gone
from . import accounts, isolation

__all__ = ["Hub", "DEFAULT_DIR", "free_port"]

DEFAULT_DIR = Path("/var/lib/labcheck-hub/class")
#: The course's checkout, where ``lessons/`` is (an editable install).
PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _proxy_command() -> str:
    """configurable-http-proxy: $LABCHECK_HUB_PROXY, beside this Python's venv, or on PATH."""
    configured = os.environ.get("LABCHECK_HUB_PROXY")
    candidates = [configured] if configured else []
    venv = Path(sys.prefix)
    candidates += [str(venv.parent / "proxy" / "node_modules" / ".bin" /
                       "configurable-http-proxy"),
                   shutil.which("configurable-http-proxy") or ""]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise EnvironmentProblem("configurable-http-proxy is not installed: make hub installs it "
                             "(npm install configurable-http-proxy)")


CONFIG = '''# Written by labcheck hub start; changes are lost at the next start.
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {proxy_pid!r}
c.JupyterHub.db_url = "sqlite:///{db}"
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.pid_file = {pid!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.authenticator_class = "labcheck.hub.auth.ClassAuthenticator"
c.ClassAuthenticator.passwords_file = {passwords!r}
c.Authenticator.allowed_users = {students!r}
c.Authenticator.admin_users = {{{instructor!r}}}
c.JupyterHub.spawner_class = "labcheck.hub.spawner.LabSpawner"
c.LabSpawner.lessons = {lessons!r}
c.LabSpawner.handin = {handin!r}
c.LabSpawner.engine = {engine!r}
c.LabSpawner.engines = {engines!r}
c.LabSpawner.vm_image = {vm_image!r}
c.LabSpawner.sockets = {sockets!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# The student's session stops the server, then the engine (containers get 2 s): give it time
# before SIGTERM and SIGKILL; a kill still ends the engine (its PID namespace goes).
c.LabSpawner.interrupt_timeout = 20
c.JupyterHub.services = [{{"name": "labcheck-admin", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "labcheck-admin", "services": ["labcheck-admin"],
                             "scopes": ["admin:users", "admin:servers", "list:users",
                                        "read:users", "access:servers"]}}]
'''


@dataclass
class Hub:
    """One hub's folder and what is in it."""

    folder: Path = DEFAULT_DIR

    @property
    def config(self) -> Path:
        return self.folder / "jupyterhub_config.py"

    @property
    def passwords(self) -> Path:
        return self.folder / "passwords"

    @property
    def handin(self) -> Path:
        return self.folder / "handin"

    @property
    def pid_file(self) -> Path:
        return self.folder / "hub.pid"

    @property
    def state_file(self) -> Path:
        return self.folder / "hub.json"

    def state(self) -> dict[str, object]:
        try:
            return dict(json.loads(self.state_file.read_text()))
        except (OSError, ValueError):
            return {}

    def kinds(self) -> tuple[str, dict[str, str]]:
        """The engine kind the running hub gives students, and the students' own kinds."""
        state = self.state()
        own = state.get("engines")
        return (str(state.get("engine") or "rootless"),
                {str(k): str(v) for k, v in own.items()} if isinstance(own, dict) else {})

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid_alive(pid) else None

    def token(self) -> str:
        return (self.folder / "admin-token").read_text().strip()

    def _secret_file(self, name: str, make: str) -> str:
        path = self.folder / name
        if not path.exists():
            path.write_text(make + "\n")
        os.chmod(path, 0o600)
        return path.read_text().strip()

    def _write_passwords(self, names: Sequence[str]) -> None:
        table: dict[str, str] = {}
        if self.passwords.exists():
            for line in self.passwords.read_text().splitlines():
                name, _, password = line.partition(" ")
                table[name] = password
        for name in names:
            table.setdefault(name, secrets.token_urlsafe(12))
        self.passwords.write_text("".join(f"{n} {p}\n" for n, p in table.items()))
        os.chmod(self.passwords, 0o600)

    def engine_kinds(self, students: Sequence[str], engine: str = "auto",
                     engines: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
        """The hub's engine kind and each student's own, ``auto`` made concrete.

        The VM kind needs the hub's engine VM folder (:func:`isolation.vm_image_dir`,
        made by ``make hub ENGINE=vm``) with a built image and its saved state.
        """
        from ..live.vm.engine import available
        from ..live.vm.paths import EnginePaths

        vm = EnginePaths(isolation.vm_image_dir(self.folder))
        vm_ready = available(vm) and vm.snapshot_disk.is_file()
        default = isolation.resolve(engine, vm_ready)
        each = {}
        for name, kind in (engines or {}).items():
            if name not in students:
                raise UsageError(f"--engine-for names {name!r}, who is not in the class")
            each[name] = isolation.resolve(kind, vm_ready)
        return default, each

    def start(self, students: Sequence[str], instructor: str = "instructor", port: int = 8000,
              course: Path | None = None, timeout: float = 60, engine: str = "auto",
              engines: dict[str, str] | None = None) -> str:
        """Accounts, files and the hub; return its URL once it answers.

        ``engine``: every student's engine kind (``auto``, ``rootless``, ``vm``);
        ``engines``: a student's own kind, by name.
        """
        if os.geteuid() != 0:
            raise EnvironmentProblem("labcheck hub start needs root (the hub becomes each "
                                     "student; no student server runs as root)")
        if self.pid():
            raise UsageError(f"a hub already runs from {self.folder} (labcheck hub stop)")
        names = [accounts.check_name(s) for s in students]
        if not names:
            raise UsageError("no students: name them (--students alice,bob)")
        if instructor in names:
            raise UsageError(f"{instructor!r} is both the instructor and a student")
        kind, kinds = self.engine_kinds(names, engine, engines)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o711)
        for name in names:
            accounts.ensure(name)
            accounts.handin_dir(self.handin, name)
        source = course or PROJECT / "lessons"
        if not (source / "01-default-bridge.ipynb").exists():
            raise UsageError(f"no lessons in {source}: name the course's lessons/ "
                             "(--lessons DIR)")
        lessons = self.folder / "lessons"
        shutil.rmtree(lessons, ignore_errors=True)
        shutil.copytree(source, lessons,
                        ignore=shutil.ignore_patterns("*.pyc", "__pycache__",
                                                      ".ipynb_checkpoints"))
        subprocess.run(["chmod", "-R", "a+rX", str(lessons)], check=True)
        self._write_passwords([*names, instructor])
        token = self._secret_file("admin-token", secrets.token_hex(24))
        hub_port, proxy_api_port = free_port(), free_port()
        self.config.write_text(CONFIG.format(
            port=port, hub_port=hub_port, proxy_api_port=proxy_api_port,
            proxy=_proxy_command(), proxy_pid=str(self.folder / "proxy.pid"),
            db=self.folder / "jupyterhub.sqlite",
            cookie=str(self.folder / "jupyterhub_cookie_secret"), pid=str(self.pid_file),
            passwords=str(self.passwords), students=set(names), instructor=instructor,
            lessons=str(lessons), handin=str(self.handin), token=token, engine=kind,
            engines=kinds, vm_image=str(isolation.vm_image_dir(self.folder)),
            sockets=str(self.folder / "sockets")))
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        with (self.folder / "jupyterhub.log").open("ab") as log:
            process = subprocess.Popen(
                [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(self.config)],
                cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        url = f"http://127.0.0.1:{port}/"
        self.state_file.write_text(json.dumps({"url": url, "students": names,
                                               "instructor": instructor,
                                               "pid": process.pid, "engine": kind,
                                               "engines": kinds}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise EnvironmentProblem(f"jupyterhub exited with {process.returncode}; see "
                                         f"{self.folder / 'jupyterhub.log'}")
            try:
                self.api("users")
                return url
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise EnvironmentProblem(f"the hub did not answer in {timeout:.0f} s; see "
                                 f"{self.folder / 'jupyterhub.log'}")

    def api(self, path: str, method: str = "GET", body: object = None) -> object:
        """The hub's REST API (``/hub/api/PATH``) with the admin token, as JSON."""
        url = str(self.state().get("url", "http://127.0.0.1:8000/"))
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{url}hub/api/{path}", method=method, data=data,
                                         headers={"Authorization": f"token {self.token()}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def stop(self, remove_accounts: bool = False, timeout: float = 60) -> list[str]:
        """Stop the hub (it stops every server first), then anything a student left."""
        said = []
        pid = self.pid() or int(str(self.state().get("pid", 0)) or 0) or None
        if pid and pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
            if not wait_gone(pid, timeout):
                os.kill(pid, signal.SIGKILL)
                wait_gone(pid, 5)
            said.append(f"stopped the hub (pid {pid})")
        proxy = self.folder / "proxy.pid"
        try:
            proxy_pid = int(proxy.read_text().strip())
        except (OSError, ValueError):
            proxy_pid = 0
        if proxy_pid and pid_alive(proxy_pid):
            os.kill(proxy_pid, signal.SIGTERM)
            wait_gone(proxy_pid, 10)
        listed = self.state().get("students")
        students = [str(s) for s in listed] if isinstance(listed, list) else []
        for entry in accounts.ours():
            if entry.pw_name.removeprefix(accounts.PREFIX) not in students:
                continue
            left = accounts.processes_of(entry.pw_uid)
            for left_pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(left_pid, signal.SIGKILL)
            if left:
                said.append(f"ended {len(left)} processes left by {entry.pw_name}")
        if remove_accounts:
            removed = accounts.remove(students)
            if removed:
                said.append("removed accounts " + ", ".join(removed))
        return said

    def grade(self, csv: Path | None = None, html: Path | None = None) -> tuple[Path, Path]:
        """The grade sheet of every hand-in: ``labcheck grade`` over ``handin/*/*.json``."""
        files = sorted(str(p) for p in self.handin.glob("*/*.json"))
        if not files:
            raise UsageError(f"no submissions in {self.handin} yet")
        csv = csv or self.folder / "grades.csv"
        html = html or self.folder / "summary.html"
        code = subprocess.run([sys.executable, "-m", "labcheck", "grade", *files, "--csv",
                               str(csv), "--html", str(html)], check=False).returncode
        if code not in (0, 1):
            raise EnvironmentProblem(f"labcheck grade failed (exit {code})")
        return csv, html
