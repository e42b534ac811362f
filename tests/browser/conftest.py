"""Fixtures of the real-browser tests: JupyterLab on 127.0.0.1 and headless Chromium.

Every test here is marked ``browser``. Where Chromium or Python's playwright
is missing they skip with the reason and the fix; in CI (``CI`` set) or with
``LABCHECK_REQUIRE_BROWSER=1`` they fail instead, so a broken set-up never
passes by skipping.

- JupyterLab runs from this Python (the project's venv) with a random token,
  on a free port of 127.0.0.1, in a temporary root folder, with its own
  settings, workspaces and runtime folders (news and update checks off), so
  a user's Jupyter configuration is neither read nor changed.
- Chromium is Debian's (``/usr/bin/chromium``, installed by
  ``scripts/ensure-browser.sh``), driven through playwright's bundled driver;
  ``playwright install`` is never needed. It starts with a fresh profile and
  with background networking off, and a route aborts every request that
  is not for 127.0.0.1 (the aborted ones are written to ``blocked.txt``).
  Requests and websockets to 127.0.0.1 are made by playwright's driver on
  the page's behalf: Chromium's own network stack drops every connection
  when an interface appears or goes (ERR_NETWORK_CHANGED), which Docker
  does many times a minute on a machine where tests run side by side.
- Screenshots and logs go to ``test-output/browser/<test name>/`` (git-ignored).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Pages served through the route below have no address space of their own;
    # without this Chromium refuses their websockets to 127.0.0.1.
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests",
]
LOCAL_HOSTS = {"127.0.0.1"}


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser is marked ``browser``."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def _require_browser() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("LABCHECK_REQUIRE_BROWSER"))


def _missing(reason: str) -> None:
    if _require_browser():
        pytest.fail(f"CI needs the browser test to run: {reason}", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """Debian's Chromium, from $LABCHECK_CHROMIUM or the usual places; None if absent."""
    configured = os.environ.get("LABCHECK_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        _missing("Chromium is not installed (run: bash scripts/ensure-browser.sh, "
                 "or apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def playwright_installed() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Python's playwright is not installed (run: .venv/bin/pip install -e '.[test]')")


@pytest.fixture(scope="module")
def sync_playwright_api(playwright_installed):
    """Playwright's sync API, for one test module only: while it runs, its event
    loop is this thread's, which other tests (nbclient, nbval) need for theirs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as api:
        yield api


def _load(path: Path, name: str):
    """Import a helper module of the tests by path (the suite uses importlib import mode)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


#: Driving JupyterLab (LabPage, clean_copy, exercise_copy): tests/browser/lab_page.py.
lab_page = _load(Path(__file__).with_name("lab_page.py"), "labcheck_browser_lab_page")
#: free_port and test_binding of the exercise tests: tests/exercises/exercise_fixtures.py.
exercise_fixtures = _load(ROOT / "tests" / "exercises" / "exercise_fixtures.py",
                          "labcheck_browser_exercise_fixtures")


@pytest.fixture(scope="session")
def lab_helpers():
    """The module tests/browser/lab_page.py (LabPage, clean_copy, exercise_copy)."""
    return lab_page


@pytest.fixture
def exercise_binding(unique):
    """``exercise_binding(id)``: its objects named ``<name>-<unique>``, host ports free ones."""
    return lambda exercise_id: exercise_fixtures.test_binding(exercise_id, unique)


def notebook7_missing() -> str | None:
    """Why Notebook 7 cannot be tested here, or None when it can."""
    try:
        from importlib.metadata import version
        major = int(version("notebook").split(".")[0])
    except Exception:  # noqa: BLE001 - not installed, or an odd version string
        return "Notebook 7 is not installed (run: .venv/bin/pip install -e '.[test]')"
    return None if major >= 7 else f"the notebook package is {major}.x, not 7"


@pytest.fixture(params=["lab", "notebook"], ids=["jupyterlab", "notebook7"])
def ui(request) -> str:
    """Each browser test runs in JupyterLab and in Notebook 7 (same server)."""
    if request.param == "notebook":
        reason = notebook7_missing()
        if reason:
            _missing(reason)
    return request.param


@pytest.fixture
def notebook_folder(jupyter_server, unique) -> Iterator[Path]:
    """A folder of this test's own under the server's root; its kernels end with the test.

    A kernel starts in its notebook's folder, so files it writes (the hint
    store) are this test's alone.
    """
    folder = jupyter_server.root / f"run-{unique}"
    folder.mkdir()
    yield folder
    jupyter_server.shut_down_kernels(folder.name)


@pytest.fixture
def open_notebook(page, jupyter_server, output_dir, ui, notebook_folder):
    """``open_notebook(path)``: a notebook of ``notebook_folder`` open in the browser, idle."""
    def open_(path: Path):
        relative = path.relative_to(jupyter_server.root).as_posix()
        return lab_page.LabPage(page, jupyter_server, relative, output_dir, ui=ui).open()
    return open_


@dataclass
class JupyterServer:
    """A running JupyterLab: its URL, token, root folder and log."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def api(self, path: str, method: str = "GET") -> object:
        """``/api/<path>`` as JSON (None when the answer is empty)."""
        request = urllib.request.Request(f"{self.url}api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self, folder: str) -> None:
        """End the sessions (and kernels) of the notebooks under ``folder``."""
        for session in self.api("sessions") or ():  # type: ignore[union-attr]
            if str(session.get("path", "")).startswith(f"{folder}/"):
                self.api(f"sessions/{session['id']}", method="DELETE")

    def notebook_url(self, notebook: str, ui: str = "lab", workspace: str = "") -> str:
        """The notebook's page in JupyterLab (``ui="lab"``) or Notebook 7 (``"notebook"``).

        In JupyterLab, a ``workspace`` of its own (started empty): otherwise
        the tabs of an earlier test come back with it.
        """
        if ui == "notebook":
            return f"{self.url}notebooks/{notebook}?token={self.token}"
        name = re.sub(r"[^A-Za-z0-9_-]", "-", workspace or "default")
        return f"{self.url}lab/workspaces/{name}/tree/{notebook}?reset&token={self.token}"


def _write_lab_settings(settings: Path) -> None:
    """User settings of the throw-away JupyterLab: no news, no update check, no sounds."""
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory, chromium_path, playwright_installed
                   ) -> Iterator[JupyterServer]:
    """JupyterLab on a free port of 127.0.0.1, with a token, serving a temporary folder.

    It asks for the browser first: without one there is nothing to start it for.
    """
    base = tmp_path_factory.mktemp("jupyter")
    root = base / "root"
    root.mkdir()
    _write_lab_settings(base / "settings")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / "jupyterlab.log"
    token = secrets.token_hex(16)
    port = exercise_fixtures.free_port()
    env = {**os.environ,
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTER_CONFIG_DIR": str(base / "config"),
           "PYTHONWARNINGS": "ignore",
           "LABCHECK_SOLUTIONS": "1"}   # the course CI runs the reference solutions
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--ServerApp.terminals_enabled=False"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)
    server = JupyterServer(f"http://127.0.0.1:{port}/", token, root, log, process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}; see {log}",
                            pytrace=False)
            try:
                server.api("status")
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer on {server.url} in 60 s; see {log}",
                                pytrace=False)
                time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def output_dir(request) -> Path:
    """``test-output/browser/<test name>/``, emptied first."""
    folder = OUTPUT / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@dataclass
class BrowserLog:
    """What the page did: requests aborted (not for 127.0.0.1), console lines, websockets."""

    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(sync_playwright_api, chromium_path, tmp_path, output_dir, browser_log):
    """A Chromium page with a fresh profile that can reach only 127.0.0.1."""
    blocked, console, sockets = browser_log.blocked, browser_log.console, browser_log.sockets
    context = sync_playwright_api.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=chromium_path, headless=True,
        args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900},
        service_workers="block")

    def only_local(route, request) -> None:
        if urlsplit(request.url).hostname not in LOCAL_HOSTS:
            blocked.append(request.url)
            route.abort()
            return
        # Playwright's driver makes the request, not Chromium's network stack:
        # Chromium aborts its own requests (ERR_NETWORK_CHANGED) whenever an
        # interface changes, and Docker adds and removes them all the time here.
        try:
            route.fulfill(response=route.fetch(max_retries=3))
        except Exception as exc:  # noqa: BLE001 - the browser sees a failed request
            console.append(f"route: {request.url} failed: {exc}")
            route.abort()

    def only_local_socket(socket_route) -> None:
        sockets.append(socket_route.url)
        if urlsplit(socket_route.url).hostname not in LOCAL_HOSTS:
            blocked.append(socket_route.url)
            socket_route.close()
            return
        socket_route.connect_to_server()

    context.route("**/*", only_local)
    context.route_web_socket(lambda url: True, only_local_socket)
    the_page = context.pages[0] if context.pages else context.new_page()
    the_page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    the_page.on("pageerror", lambda exc: console.append(f"pageerror: {exc}"))
    the_page.set_default_timeout(30_000)
    try:
        yield the_page
    finally:
        (output_dir / "blocked.txt").write_text("".join(f"{u}\n" for u in blocked))
        (output_dir / "console.txt").write_text("".join(f"{line}\n" for line in console))
        (output_dir / "websockets.txt").write_text("".join(f"{u}\n" for u in sockets))
        context.close()
