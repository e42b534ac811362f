"""The course on a real JupyterHub, three students at once, in real Chromium (make test-hub).

``make test-hub`` installs what the hub needs (scripts/ensure-hub.sh: JupyterHub
and JupyterLab in a venv of Debian's Python, configurable-http-proxy from npm,
rootlesskit, QEMU and the hub's engine VM) and runs this module as root with
``LABCHECK_TEST_HUB=1``. Elsewhere it skips: it makes Unix users and needs root.

Two students get a rootless engine, the third the engine VM (``--engine-for``;
``LABCHECK_TEST_HUB_KINDS`` changes the mix). What it shows, from the browser
and from inside each student's namespaces:

- the hub starts; three students log in at once, each in their own
  Chromium; the login spawns their server and their engine;
- in each: lesson 01's set-up and first section run, then the exercise
  01-publish: the solution, the Check button passes (a screenshot of each
  student's pass is saved), ``labcheck submit`` hands it in. All three
  publish 127.0.0.1:8011 and all three pass;
- inside each student's kernel: only their own containers; the other
  students' engine sockets and the machine's daemon refuse them; no
  interface but loopback (and a rootless engine's bridge and veths); no
  route out (``ip route get``: a lookup, nothing is sent); never root
  outside (a rootless student's uid 0 is their own uid outside; a VM
  student has no user namespace and is their own uid);
- from the configuration: rootlesskit with no network driver of its own;
  the VM's only network QEMU's user network with ``restrict=on``; every
  server (and the VM with its server) in a network namespace of its own;
- the instructor's grade sheet (``labcheck hub grade``) lists all three;
- a student's server stopped leaves no process of theirs (no engine, no VM);
  started again, their notebook (and a rootless engine's containers) are there;
- teardown (``labcheck hub stop --remove-accounts``) leaves no process,
  account, engine, VM or namespace.

Figures (login to server ready, login to the first lesson cell answering,
memory and CPU per student, the engine kind) go to ``test-output/hub/figures.json``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import pwd
import re
import secrets
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "hub"
LESSON = ROOT / "lessons" / "01-default-bridge.ipynb"
EXERCISE = "01-publish"
HUB_HOME = Path(os.environ.get("LABCHECK_HUB_HOME", "/var/lib/labcheck-hub"))
LABCHECK = HUB_HOME / "venv" / "bin" / "labcheck"
PREFIX = "labcheck-student-"

pytestmark = [
    pytest.mark.browser, pytest.mark.hub,
    pytest.mark.skipif(os.environ.get("LABCHECK_TEST_HUB") != "1",
                       reason="the hub test makes Unix users: run it with make test-hub"),
]


def _browser_conftest():
    """The browser tests' conftest as a module: its _load, lab_page and CHROMIUM_ARGS."""
    name = "labcheck_browser_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "browser" /
                                                      "conftest.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


_browser = _browser_conftest()
lab_page = _browser.lab_page
CHROMIUM_ARGS = _browser.CHROMIUM_ARGS
#: The students and their engine kinds: two rootless, one on the engine VM
#: (LABCHECK_TEST_HUB_KINDS="ada=vm,bo=vm,cy=vm" measures three VM students instead).
KINDS = dict(item.split("=") for item in
             os.environ.get("LABCHECK_TEST_HUB_KINDS", "ada=rootless,bo=rootless,cy=vm")
             .split(","))


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _hub(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LABCHECK), "hub", "--dir", str(folder), *args],
                          capture_output=True, text=True, check=check, cwd=ROOT)


class Hub:
    """The running hub, seen by the test as its instructor (the admin token)."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder, self.url = folder, url
        self.token = (folder / "admin-token").read_text().strip()
        self.passwords = dict(line.split(" ", 1) for line in
                              (folder / "passwords").read_text().splitlines())

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(f"{self.url}hub/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def ready(self, name: str) -> bool:
        user = self.api(f"users/{name}")
        return bool((user.get("servers") or {}).get("", {}).get("ready"))  # type: ignore

    def wait(self, name: str, ready: bool, timeout: float = 180) -> float:
        start = time.monotonic()
        while self.ready(name) != ready:
            assert time.monotonic() - start < timeout, f"{name}'s server never became {ready}"
            time.sleep(0.5)
        return time.monotonic() - start


class StudentServer:
    """What LabPage needs of a server: a notebook's URL and its REST API (via the hub)."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.hub, self.name = hub, name
        self.url = f"{hub.url}user/{name}/"

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(f"{self.url}api/{path}", method=method,
                                         headers={"Authorization": f"token {self.hub.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def notebook_url(self, notebook: str, ui: str = "lab", workspace: str = "") -> str:
        name = re.sub(r"[^A-Za-z0-9_-]", "-", workspace or "default")
        return f"{self.url}lab/workspaces/{name}/tree/{notebook}?reset"


def _uid(student: str) -> int:
    return pwd.getpwnam(PREFIX + student).pw_uid


def _pids(uid: int | None) -> list[int]:
    """The processes of ``uid`` (None: every process)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if uid is None or any(line.startswith("Uid:") and int(line.split()[1]) == uid
                   for line in status.splitlines()):
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _netns(pid: int) -> str:
    return os.readlink(f"/proc/{pid}/ns/net")


def _usage(uid: int) -> dict[str, float]:
    """Memory (PSS and RSS, MB) and CPU seconds of every process of ``uid``."""
    pss = rss = cpu = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in _pids(uid):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1]) / 1024
            elif line.startswith("Rss:"):
                rss += int(line.split()[1]) / 1024
        cpu += (int(stat[11]) + int(stat[12])) / tick
    return {"pss_mb": round(pss, 1), "rss_mb": round(rss, 1), "cpu_s": round(cpu, 1)}


def _student_notebook(target: Path, peers: list[str]) -> dict[str, int]:
    """Lesson 01's set-up and first section, the exercise, a hand-in and a look around."""
    copy = lab_page.exercise_copy(LESSON, EXERCISE, target, label="01",
                                  names={"hello": "hello"}, ports={8011: 8011})
    lesson = nbformat.read(str(LESSON), as_version=4)
    start = next(i for i, c in enumerate(lesson.cells)
                 if c.cell_type == "markdown" and c.source.startswith("## 1."))
    end = next(i for i in range(start + 1, len(lesson.cells))
               if lesson.cells[i].cell_type == "markdown"
               and lesson.cells[i].source.startswith("## "))
    section = lesson.cells[start:end]
    for cell in section:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook = nbformat.read(str(target), as_version=4)
    # The student types the solution: the body of the CI-only "if solutions_enabled()" block.
    solution = notebook.cells[copy.solution]
    lines = solution.source.splitlines()
    assert lines[0].startswith("if labcheck.solutions_enabled()"), lines[0]
    solution.source = textwrap.dedent("\n".join(lines[1:]))
    at = copy.setup + 1
    notebook.cells[at:at] = section
    shift = len(section)
    notebook.cells.append(nbformat.v4.new_code_cell(
        f'!labcheck submit {EXERCISE} -o "$LABCHECK_HANDIN/{EXERCISE}.json"'))
    notebook.cells.append(nbformat.v4.new_code_cell(f'''\
import glob, json, os, socket
from labcheck.live.engines.rootless import network_facts

def connect(path):
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(2)
    try:
        sock.connect(path)
        return "connected"
    except OSError as exc:
        return type(exc).__name__
    finally:
        sock.close()

facts = network_facts()
facts["uid_map"] = open("/proc/self/uid_map").read().split()
facts["uid"] = os.getuid()
facts["containers"] = sorted(c.name for c in client.containers.list(all=True))
others = {peers!r} + sorted(set(glob.glob("/run/*.sock") + glob.glob("/run/*/docker.sock")
                                + glob.glob("/run/*/*/docker.sock") + ["/var/run/docker.sock"]))
facts["sockets"] = {{path: connect(path) for path in others}}
print("FACTS " + json.dumps(facts))'''))
    for cell in notebook.cells:
        cell.metadata.pop("tags", None) if cell.cell_type == "markdown" else None
    nbformat.write(notebook, str(target))
    return {"setup": copy.setup, "section": shift, "check": copy.check + shift,
            "solution": copy.solution + shift, "verify": copy.verify + shift,
            "submit": len(notebook.cells) - 2, "facts": len(notebook.cells) - 1}


def _student_session(hub: Hub, name: str, peers: list[str], record: dict) -> None:
    """One student, in a Chromium of their own: log in, run, check, hand in, look around."""
    from playwright.sync_api import sync_playwright

    out = OUTPUT / name
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as api:
        browser = api.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                      args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      service_workers="block")
        blocked: list[str] = []

        def only_local(route, request) -> None:
            if urlsplit(request.url).hostname != "127.0.0.1":
                blocked.append(request.url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", only_local)
        page = context.new_page()
        # What the page saw fail (a request that got no answer, a console error):
        # in a failure's message, and in the student's output folder.
        failures: list[str] = []
        page.on("requestfailed", lambda request: failures.append(
            f"request failed: {request.method} {request.url} ({request.failure})"))
        page.on("console", lambda message: failures.append(
            f"console {message.type}: {message.text[:300]}")
            if message.type == "error" else None)
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{hub.url}hub/login")
            page.fill("#username_input", name)
            page.fill("#password_input", hub.passwords[name])
            t0 = time.monotonic()
            page.click("#login_submit")
            hub.wait(name, True)
            record["login_to_ready_s"] = round(time.monotonic() - t0, 1)
            page.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=180_000)
            home = Path(pwd.getpwnam(PREFIX + name).pw_dir)
            target = home / "workspace" / "hub-test.ipynb"
            where = _student_notebook(target, peers)
            entry = pwd.getpwnam(PREFIX + name)
            os.chown(target, entry.pw_uid, entry.pw_gid)
            nb = lab_page.LabPage(page, StudentServer(hub, name), "hub-test.ipynb", out).open(180)
            nb.run_cell(where["setup"], timeout=180)
            record["login_to_first_cell_s"] = round(time.monotonic() - t0, 1)
            nb.run_cells(range(where["setup"] + 1, where["check"] + 1), timeout=180)
            for index in range(where["check"] + 1):
                assert nb.error_outputs(index) == [], (name, index, nb.output_text(index))
            nb.run_cell(where["solution"], timeout=180)
            check = nb.button(where["check"], "Check", ".labcheck-exercise")
            check.click()
            nb.wait_output(where["check"], "all checks pass", timeout=120)
            shot = nb.screenshot(f"{name}-check-passed", where["check"])
            record["screenshot"] = str(shot.relative_to(ROOT))
            nb.run_cell(where["verify"], timeout=120)
            nb.run_cell(where["submit"], timeout=120)
            assert "saved submission" in nb.output_text(where["submit"]), \
                nb.output_text(where["submit"])
            nb.run_cell(where["facts"], timeout=60)
            text = nb.output_text(where["facts"])
            record["facts"] = json.loads(text.split("FACTS ", 1)[1].strip().splitlines()[0])
            record["usage_after_lesson"] = _usage(entry.pw_uid)
        except Exception as error:  # a wait that timed out, or a playwright call that did
            raise AssertionError(f"{error!r}\nwhat the page saw fail, last 20:\n"
                                 + "\n".join(failures[-20:])) from error
        finally:
            (out / "blocked.txt").write_text("".join(f"{u}\n" for u in blocked))
            (out / "page-failures.txt").write_text("".join(f"{f}\n" for f in failures))
            context.close()
            browser.close()


@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        pytest.fail("make test-hub runs as root (it makes the students' accounts)")
    assert LABCHECK.exists(), "the hub's venv is missing: run make test-hub (ensure-hub.sh)"
    subprocess.run(["rm", "-rf", str(OUTPUT)], check=False)
    OUTPUT.mkdir(parents=True)
    tag = secrets.token_hex(2)
    folder = HUB_HOME / f"test-{tag}"
    students = [f"t{tag}-{n}" for n in KINDS]
    kinds = {f"t{tag}-{n}": kind for n, kind in KINDS.items()}
    port = _free_port()
    started = _hub(folder, "start", "--students", ",".join(students), "--port", str(port),
                   "--lessons", str(ROOT / "lessons"), "--engine", "rootless", "--engine-for",
                   ",".join(f"{n}={k}" for n, k in kinds.items()), check=False)
    assert started.returncode == 0, started.stdout + started.stderr
    the_hub = Hub(folder, f"http://127.0.0.1:{port}/")
    the_hub.students = students  # type: ignore[attr-defined]
    the_hub.kinds = kinds  # type: ignore[attr-defined]
    uids = [_uid(s) for s in students]
    try:
        yield the_hub
    finally:
        for name in students:  # the logs, before the accounts and the hub's folder go
            logs = Path(pwd.getpwnam(PREFIX + name).pw_dir) / ".labcheck-hub"
            for log in [*logs.glob("*.log"), *logs.glob("vm/run/*.log")]:
                (OUTPUT / name).mkdir(parents=True, exist_ok=True)
                (OUTPUT / name / log.name).write_bytes(log.read_bytes())
        if (folder / "jupyterhub.log").exists():
            (OUTPUT / "jupyterhub.log").write_bytes((folder / "jupyterhub.log").read_bytes())
        stopped = _hub(folder, "stop", "--remove-accounts", check=False)
        (OUTPUT / "teardown.txt").write_text(stopped.stdout + stopped.stderr)
        left = {uid: _pids(uid) for uid in uids if _pids(uid)}
        qemus = [line for line in map(_cmdline, _pids(None))
                 if "labcheck-engine" in line and f"{PREFIX}t{tag}-" in line]
        users = [e.pw_name for e in pwd.getpwall() if e.pw_name.startswith(f"{PREFIX}t{tag}-")]
        subprocess.run(["rm", "-rf", str(folder)], check=False)
        assert stopped.returncode == 0, stopped.stderr
        assert not left, f"processes left behind: {left}"
        assert not qemus, f"engine VMs left behind: {qemus}"
        assert not users, f"accounts left behind: {users}"


def _log_tail(hub: Hub, name: str, lines: int = 40) -> str:
    """The last lines of ``name``'s server log, for a failure's message.

    A rootless student's server writes to rootlesskit.log in their run folder; a
    VM student's to the hub's log, mixed with the others' (its lines that name them).
    """
    if hub.kinds[name] == "rootless":  # type: ignore[attr-defined]
        log = Path(pwd.getpwnam(PREFIX + name).pw_dir) / ".labcheck-hub" / "rootlesskit.log"
        text = log.read_text(errors="replace").splitlines() if log.exists() else []
    else:
        log = hub.folder / "jupyterhub.log"
        text = [line for line in log.read_text(errors="replace").splitlines()
                if f"/user/{name}/" in line or "labcheck relay" in line]
    return f"{log.name}, last lines:\n" + "\n".join(text[-lines:])


def test_three_students_at_once(hub):
    students = hub.students
    sockets = {s: str(Path(pwd.getpwnam(PREFIX + s).pw_dir) / ".labcheck-hub" / "docker.sock")
               for s in students}
    records: dict[str, dict] = {s: {"engine": hub.kinds[s]} for s in students}
    errors: dict[str, BaseException] = {}

    def run(name: str) -> None:
        try:
            _student_session(hub, name, [p for s, p in sockets.items() if s != name],
                             records[name])
        except BaseException as exc:  # noqa: BLE001 - reported below, per student
            errors[name] = exc

    threads = [threading.Thread(target=run, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    (OUTPUT / "figures.json").write_text(json.dumps(records, indent=2))
    assert not errors, {n: f"{e!r}\n{_log_tail(hub, n)}" for n, e in errors.items()}

    kinds = hub.kinds
    machine_netns = _netns(os.getpid())
    namespaces = set()
    for name in students:
        facts = records[name]["facts"]
        # Their own engine: their containers only (the other two made 'hello' too).
        assert facts["containers"] == ["hello"], facts["containers"]
        # No other student's engine, no daemon of the machine.
        assert facts["sockets"], facts
        assert all(result != "connected" for result in facts["sockets"].values()), \
            facts["sockets"]
        # Loopback (and a rootless engine's bridge and its veths): nothing else; no way out.
        assert "lo" in facts["links"] and all(
            link in ("lo", "docker0") or link.startswith("veth") for link in facts["links"]), \
            facts["links"]
        assert not any(r.startswith("default") for r in facts["routes_v4"] + facts["routes_v6"])
        assert "unreachable" in facts["route_out"], facts["route_out"]
        assert "unreachable" in facts["route_out_v6"], facts["route_out_v6"]
        assert Path(ROOT / records[name]["screenshot"]).exists()
        pids = _pids(_uid(name))
        lines = [_cmdline(pid) for pid in pids]
        running = dict(zip(pids, lines, strict=True))
        assert not any("slirp4netns" in line or "vpnkit" in line for line in lines)
        server = [pid for pid, line in running.items() if "jupyterhub-singleuser" in line]
        assert len(server) == 1, lines
        namespaces.add(_netns(server[0]))
        if kinds[name] == "rootless":
            # Root only inside their user namespace: outside, their own uid.
            assert facts["uid_map"][:2] == ["0", str(_uid(name))], facts["uid_map"]
            # From the configuration: rootlesskit with the host's network driver (no
            # slirp4netns, no port driver) and a network namespace of its own.
            kits = [line for line in lines if line.startswith("rootlesskit ")]
            assert len(kits) == 1 and "--net=host" in kits[0] \
                and "--port-driver=none" in kits[0] and "unshare --net" in kits[0], kits
        else:
            # Their own uid, no user namespace; the VM's only network is QEMU's user
            # network with restrict=on (nothing leaves the VM), in the server's namespace.
            assert facts["uid"] == _uid(name) and facts["uid_map"][:2] == ["0", "0"]
            assert facts["links"] == ["lo"], facts["links"]
            vms = [pid for pid, line in running.items() if "labcheck-engine" in line]
            assert len(vms) == 1, lines
            vm_pid = vms[0]
            args = Path(f"/proc/{vm_pid}/cmdline").read_bytes().decode().split("\0")
            netdevs = [args[i + 1] for i, arg in enumerate(args) if arg == "-netdev"]
            assert len(netdevs) == 1 and netdevs[0].startswith("user,") \
                and "restrict=on" in netdevs[0].split(","), netdevs
            assert _netns(vm_pid) == _netns(server[0])
            records[name]["vm_pid"] = vm_pid
        records[name]["usage_idle_after"] = _usage(_uid(name))
    # Each server on a loopback of its own, none on the machine's.
    assert len(namespaces) == len(students) and machine_netns not in namespaces

    # Three engines, three different daemons (the instructor, as root, asks each). VMs
    # restored from one saved state share dockerd's engine ID: each is its own QEMU.
    ids = set()
    for name, path in sockets.items():
        if kinds[name] == "rootless":
            command = ["docker", "-H", f"unix://{path}"]
        else:
            state = json.loads((Path(path).parent / "vm" / "run" / "state.json").read_text())
            command = ["nsenter", "-n", "-t", str(records[name]["vm_pid"]), "docker", "-H",
                       f"tcp://127.0.0.1:{state['api_port']}"]
        out = subprocess.run([*command, "info", "--format", "{{.ID}} {{.SecurityOptions}}"],
                             capture_output=True, text=True, check=True).stdout
        assert ("rootless" in out) == (kinds[name] == "rootless"), out
        ids.add(out.split()[0] if kinds[name] == "rootless" else f"qemu {records[name]['vm_pid']}")
    assert len(ids) == 3

    # The instructor's grade sheet.
    graded = _hub(hub.folder, "grade")
    rows = list(csv.DictReader((hub.folder / "grades.csv").open()))
    (OUTPUT / "grades.csv").write_text((hub.folder / "grades.csv").read_text())
    assert sorted({row.get("student", "") for row in rows}) == sorted(students), \
        (graded.stdout, rows)

    # A restart: stopped, nothing of the student runs (no engine, no VM); started, their
    # work is there (a rootless engine's containers too: its data is on disk; a VM
    # starts again from its saved state).
    restarted = list(dict.fromkeys([students[0], *(s for s in students if kinds[s] == "vm")]))
    for name in restarted:
        hub.api(f"users/{name}/server", method="DELETE")
    for name in restarted:
        hub.wait(name, False, timeout=60)
        deadline = time.monotonic() + 30
        while _pids(_uid(name)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _pids(_uid(name)) == [], f"{name}'s stopped server left processes running"
    started = time.monotonic()
    for name in restarted:
        hub.api(f"users/{name}/server", method="POST")  # answers once ready or after 10 s
    for name in restarted:
        hub.wait(name, True)
        records[name]["restart_to_ready_s"] = round(time.monotonic() - started, 1)
        home = Path(pwd.getpwnam(PREFIX + name).pw_dir)
        assert (home / "workspace" / "hub-test.ipynb").exists()
    for name in (s for s in restarted if kinds[s] == "rootless"):
        names = subprocess.run(["docker", "-H", f"unix://{sockets[name]}", "ps", "-a",
                                "--format", "{{.Names}}"], capture_output=True, text=True,
                               check=True).stdout
        assert "hello" in names.split(), names
    (OUTPUT / "figures.json").write_text(json.dumps(records, indent=2))
