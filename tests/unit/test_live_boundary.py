"""The line between the daemon and everything else: only ``labcheck/live/`` touches docker.

Every module of the package outside ``labcheck/live/`` is read as source
(AST, nothing imported) and must neither import docker-py nor call a Docker
client: no ``import docker`` / ``from docker ...``, no attribute chain
through a client's collections (``x.containers.``, ``x.networks.``,
``x.api.``, ``x.images.``, ...), and no call of a client method
(``x.exec_run(...)``, ``x.inspect_container(...)``, ...) on anything. The
scanner is shown failing on small sources that break each rule, so the
guard cannot pass by being blind.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "labcheck"
LIVE = PACKAGE / "live"

#: A client's collections (docker.DockerClient) and its low-level API (``client.api``).
CLIENT_ATTRIBUTES = frozenset({
    "api", "containers", "networks", "images", "volumes", "swarm", "services", "nodes",
    "plugins", "secrets", "configs",
})

#: Methods of docker-py's clients and models that only a daemon answers.
CLIENT_METHODS = frozenset({
    "exec_run", "exec_create", "exec_start", "exec_inspect", "inspect_container",
    "inspect_network", "inspect_image", "inspect_swarm", "create_container", "create_network",
    "create_host_config", "create_networking_config", "create_endpoint_config",
    "remove_container", "remove_network", "remove_service", "remove_image",
    "connect_container_to_network", "disconnect_container_from_network",
    "import_image_from_data", "pull", "from_env", "DockerClient", "APIClient",
})

#: Names a client goes by: no method may be called on them (``client.version()``).
CLIENT_NAMES = frozenset({"client", "api", "docker_client"})


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Where ``source`` imports docker or calls a Docker client: ``file:line: what``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {alias.name}" for alias in node.names
                      if alias.name.split(".")[0] == "docker"]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").split(".")[0] == "docker":
                found.append(f"{where}: from {node.module} import ...")
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
              and node.value.attr in CLIENT_ATTRIBUTES):
            found.append(f"{where}: .{node.value.attr}.{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in CLIENT_METHODS:
                found.append(f"{where}: {name}(...)")
            elif (isinstance(node.func, ast.Attribute)
                  and _receiver(node.func.value) in CLIENT_NAMES):
                found.append(f"{where}: {_receiver(node.func.value)}.{name}(...)")
    return found


def _receiver(node: ast.expr) -> str:
    """The name a method is called on: ``client`` in ``client.x()`` and ``self.client.x()``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def outside_live() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if LIVE not in p.parents)


def test_the_scan_covers_the_package():
    files = outside_live()
    names = {p.relative_to(PACKAGE).as_posix() for p in files}
    assert {"snapshot.py", "render/diagram.py", "grading.py", "commands/check.py"} <= names
    assert not any(n.startswith("live/") for n in names)
    assert (LIVE / "daemon.py").is_file() and (LIVE / "collect.py").is_file()


@pytest.mark.parametrize("path", outside_live(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_docker_outside_live(path: Path):
    found = violations(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())
    assert not found, "docker is used outside labcheck/live/ (move it there):\n" + "\n".join(found)


def test_live_itself_would_fail_the_scan():
    """The live modules do what the guard forbids elsewhere: the scan sees it."""
    for name in ("daemon.py", "collect.py", "probes.py", "lab.py"):
        assert violations((LIVE / name).read_text(encoding="utf-8")), name


@pytest.mark.parametrize("source, word", [
    ("import docker\n", "import docker"),
    ("import docker.errors as e\n", "import docker.errors"),
    ("def f():\n    from docker.types import IPAMPool\n", "from docker.types"),
    ("from docker import DockerClient\n", "from docker import"),
    ("def f(client):\n    return client.containers.list()\n", ".containers.list"),
    ("def f(c):\n    return c.api.networks()\n", ".api.networks"),
    ("def f(c):\n    c.networks.create('n')\n", ".networks.create"),
    ("def f(c):\n    return c.images.pull('busybox')\n", ".images.pull"),
    ("def f(box):\n    return box.exec_run(['true'])\n", "exec_run(...)"),
    ("def f(api):\n    return api.inspect_container('web')\n", "inspect_container(...)"),
    ("def f(lab):\n    return lab.client.swarm.init()\n", ".swarm.init"),
    ("def f(client):\n    return client.version()\n", "client.version(...)"),
    ("def f(self):\n    self.client.close()\n", "client.close(...)"),
])
def test_the_guard_fails_on_each_kind_of_use(source: str, word: str):
    found = violations(source)
    assert found and any(word in line for line in found), found


@pytest.mark.parametrize("source", [
    "import dockerfile_parse\n",
    "from .live.collect import collect\n",
    "def f(snapshot):\n    return [c.name for c in snapshot.containers]\n",
    "def f(report):\n    return report.results\n",
    "def f(client):\n    return collect(client)\n",
])
def test_the_guard_passes_pure_code(source: str):
    assert violations(source) == []
