"""labcheck against a remote Docker daemon over TCP with TLS.

The module starts a SECOND dockerd on this machine, listening only on
``tcp://127.0.0.1:<free port>`` with mutual TLS (a CA, a server and a client
certificate made here with ``openssl``), with its own data root, exec root,
pid file, containerd (dockerd supervises one under its exec root, in its own
containerd namespaces) and cgroup parent, and with every setting that could
touch the shared daemon's networking off: no default bridge, no iptables,
no IP masquerading or forwarding, no userland proxy, no unix socket.

labcheck then reaches it the ways an instructor would: ``DOCKER_HOST`` +
``DOCKER_TLS_VERIFY`` + ``DOCKER_CERT_PATH``, and a docker context created
by the docker CLI in a temporary ``DOCKER_CONFIG``. Wrong certificates, a
plain-HTTP client and a refused connection each give one clear line (exit 3
from the CLI, a DaemonTLSError/DaemonUnreachable from the Python API).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from exercise_fixtures import free_port  # noqa: E402

from labcheck import DaemonTLSError, DaemonUnreachable, LabcheckError, Snapshot, connect  # noqa: E402
from labcheck.live.collect import collect  # noqa: E402
from labcheck.live.lab import Lab  # noqa: E402
from labcheck.probes import Reach, ReadResolvConf  # noqa: E402

_DOCKER_VARS = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT",
                "DOCKER_CONFIG")
_START_TIMEOUT = 30.0


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _make_ca(folder: Path, subject: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
             "-subj", f"/CN={subject}", cwd=folder)


def _issue(ca: Path, out: Path, stem: str, subject: str, extensions: str) -> None:
    """A key ``<stem>-key.pem`` (or key.pem) and certificate signed by the CA in ``ca``."""
    out.mkdir(parents=True, exist_ok=True)
    key, cert = ("key.pem", "cert.pem") if stem == "client" else (f"{stem}-key.pem", f"{stem}.pem")
    (out / f"{stem}.ext").write_text(extensions + "\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", key, "-out", f"{stem}.csr", "-subj", f"/CN={subject}", cwd=out)
    _openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", str(ca / "ca.pem"),
             "-CAkey", str(ca / "ca-key.pem"), "-CAcreateserial", "-out", cert, "-days", "2",
             "-extfile", f"{stem}.ext", cwd=out)


@dataclass(frozen=True)
class RemoteDaemon:
    """A TLS dockerd on 127.0.0.1 and the certificate folders that do (not) fit it."""

    host: str          # tcp://127.0.0.1:PORT
    certs: Path        # ca.pem, cert.pem, key.pem that the daemon accepts
    wrong_ca: Path     # a ca.pem that did not sign the daemon's certificate
    wrong_client: Path  # a client certificate the daemon's CA did not sign
    root: Path

    def env(self, certs: Path | None = None, **extra: str) -> dict[str, str]:
        """os.environ without DOCKER_* variables, plus DOCKER_HOST/TLS for this daemon."""
        env = {k: v for k, v in os.environ.items() if k not in _DOCKER_VARS}
        env.update(DOCKER_HOST=self.host, DOCKER_TLS_VERIFY="1",
                   DOCKER_CERT_PATH=str(certs or self.certs))
        env.update(extra)
        return env


def _mounts_under(root: Path) -> list[str]:
    prefix = str(root) + "/"
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    points = [line.split()[4] for line in lines if len(line.split()) > 4]
    return sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True)


def _make_bridge(name: str, address: str) -> str:
    """A Linux bridge with ``address`` for the second daemon; returns its name."""
    subprocess.run(["ip", "link", "delete", name], capture_output=True, check=False)
    for args in (["link", "add", name, "type", "bridge"], ["addr", "add", address, "dev", name],
                 ["link", "set", name, "up"]):
        subprocess.run(["ip", *args], check=True, capture_output=True)
    return name


def _stop(process: subprocess.Popen, root: Path) -> None:
    """Stop the dockerd we started (it stops its containerd), then remove its folders."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    containerd_pid = root / "exec" / "containerd" / "containerd.pid"
    if containerd_pid.is_file():  # only left behind if dockerd was killed
        try:
            os.kill(int(containerd_pid.read_text().strip()), signal.SIGTERM)
        except (ValueError, ProcessLookupError, PermissionError):
            pass
    for point in _mounts_under(root):  # netns and similar mounts made under our own root
        subprocess.run(["umount", "-l", point], capture_output=True, check=False)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def remote() -> Iterator[RemoteDaemon]:
    for tool in ("dockerd", "openssl"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed")
    if os.geteuid() != 0:
        pytest.skip("starting a second dockerd needs root")
    # Short: containerd's socket path under the exec root must stay below 108 bytes.
    root = Path(tempfile.mkdtemp(prefix="lcrd-"))
    certs, wrong_ca, wrong_client = root / "client", root / "wrong-ca", root / "wrong-client"
    _make_ca(root / "ca", "labcheck test CA")
    _issue(root / "ca", root / "server", "server", "127.0.0.1",
           "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth")
    _issue(root / "ca", certs, "client", "labcheck instructor", "extendedKeyUsage=clientAuth")
    shutil.copy(root / "ca" / "ca.pem", certs / "ca.pem")
    _make_ca(root / "rogue-ca", "somebody else's CA")
    _issue(root / "rogue-ca", wrong_client, "client", "a stranger", "extendedKeyUsage=clientAuth")
    shutil.copy(root / "ca" / "ca.pem", wrong_client / "ca.pem")
    wrong_ca.mkdir()
    for name in ("cert.pem", "key.pem"):
        shutil.copy(certs / name, wrong_ca / name)
    shutil.copy(root / "rogue-ca" / "ca.pem", wrong_ca / "ca.pem")

    tag = uuid.uuid4().hex[:8]
    port = free_port()
    # Never read /etc/docker/daemon.json; user-defined networks from a pool of its own.
    (root / "daemon.json").write_text(
        '{"default-address-pools": [{"base": "10.215.0.0/17", "size": 24}]}\n')
    # A bridge of its own: a dockerd started with --bridge=none deletes the host's
    # docker0, which belongs to the shared daemon.
    bridge = _make_bridge(f"lcr{tag[:8]}", "10.215.250.1/24")
    server = root / "server"
    command = [
        "dockerd", "--config-file", str(root / "daemon.json"),
        "-H", f"tcp://127.0.0.1:{port}",
        "--tlsverify", "--tlscacert", str(root / "ca" / "ca.pem"),
        "--tlscert", str(server / "server.pem"), "--tlskey", str(server / "server-key.pem"),
        "--data-root", str(root / "data"), "--exec-root", str(root / "exec"),
        "--pidfile", str(root / "dockerd.pid"),
        "--containerd-namespace", f"labcheck-remote-{tag}",
        "--containerd-plugins-namespace", f"labcheck-remote-plugins-{tag}",
        "--cgroup-parent", f"labcheck-remote-{tag}",
        f"--bridge={bridge}", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
        "--ip-forward=false", "--userland-proxy=false", "--storage-driver=vfs",
    ]
    log = open(root / "dockerd.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    daemon = RemoteDaemon(host=f"tcp://127.0.0.1:{port}", certs=certs, wrong_ca=wrong_ca,
                          wrong_client=wrong_client, root=root)
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            try:
                connect(environ=daemon.env()).close()
                break
            except LabcheckError:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = (root / "dockerd.log").read_text(errors="replace")[-2000:]
                    pytest.fail(f"the second dockerd did not answer on {daemon.host}:\n{tail}")
                time.sleep(0.1)
        yield daemon
    finally:
        log.close()
        _stop(process, root)
        subprocess.run(["ip", "link", "delete", bridge], capture_output=True, check=False)


@pytest.fixture(scope="module")
def remote_client(remote: RemoteDaemon):
    client = connect(environ=remote.env())
    yield client
    client.close()


@pytest.fixture
def remote_lab(remote_client, unique) -> Iterator[Lab]:
    the_lab = Lab(f"test-{unique}", client=remote_client)
    yield the_lab
    the_lab.reset()


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labcheck", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def _assert_one_clear_line(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 3, done
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("labcheck: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- through DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH -----------------

def test_connect_reaches_the_second_daemon_not_the_shared_one(remote, remote_client):
    assert remote_client.api.base_url.startswith("https://127.0.0.1:")
    snap = collect(remote_client)
    # its default bridge is its own (10.215.250.0/24), not the shared daemon's
    assert snap.network("bridge") is not None
    assert snap.network("bridge").subnets == ("10.215.250.0/24",)
    assert snap.engine_version


def test_ca_from_cert_path_wins_over_requests_ca_bundle(remote, tmp_path):
    """REQUESTS_CA_BUNDLE (common on corporate and CI machines) must not replace ca.pem."""
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes((remote.wrong_ca / "ca.pem").read_bytes())
    client = connect(environ=remote.env(REQUESTS_CA_BUNDLE=str(bundle),
                                        CURL_CA_BUNDLE=str(bundle)))
    try:
        assert client.ping()
    finally:
        client.close()


def test_probes_run_in_containers_over_tls(remote_client, remote_lab, name):
    box = remote_lab.run(name("box"), network_mode="none")
    probes = [Reach(box, "127.0.0.1"), ReadResolvConf(box)]
    snap = collect(remote_client, probes, detail=[box])
    assert snap.container(box) is not None and snap.container(box).is_running
    assert all(r.ran and r.succeeded for r in snap.probes), snap.probes


def test_cli_snapshot_through_env(remote, remote_lab, name, tmp_path):
    box = remote_lab.run(name("box"), network_mode="none")
    out = tmp_path / "remote.json"
    done = _cli(remote.env(), "snapshot", "-o", str(out))
    assert done.returncode == 0 and done.stderr == "", done
    snap = Snapshot.load(out)
    assert snap.container(box) is not None
    assert snap.network("bridge").subnets == ("10.215.250.0/24",)  # the second daemon's


# -- through a docker context ---------------------------------------------------

@pytest.fixture(scope="module")
def contexts(remote: RemoteDaemon) -> Path:
    """A DOCKER_CONFIG holding contexts 'remote', 'badca' and 'down', made by the docker CLI."""
    if not shutil.which("docker"):
        pytest.skip("the docker CLI is not installed")
    config = remote.root / "docker-config"
    config.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in _DOCKER_VARS}
    env["DOCKER_CONFIG"] = str(config)
    good, bad = remote.certs, remote.wrong_ca
    for context, host, certs in (("remote", remote.host, good), ("badca", remote.host, bad),
                                 ("down", f"tcp://127.0.0.1:{free_port()}", good)):
        spec = f"host={host},ca={certs / 'ca.pem'},cert={certs / 'cert.pem'},key={certs / 'key.pem'}"
        subprocess.run(["docker", "context", "create", context, "--docker", spec],
                       env=env, check=True, capture_output=True, timeout=60)
    return config


def _context_env(config: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DOCKER_VARS}
    env["DOCKER_CONFIG"] = str(config)
    env.update(extra)
    return env


def test_docker_context_named_by_docker_context(contexts, remote_lab, name, tmp_path):
    # `docker context create` writes no config.json; docker-py's ContextAPI then
    # finds no context at all. labcheck reads the context store itself.
    assert not (contexts / "config.json").exists()
    box = remote_lab.run(name("box"), network_mode="none")
    env = _context_env(contexts, DOCKER_CONTEXT="remote")
    client = connect(environ=env)
    try:
        assert collect(client).container(box) is not None
    finally:
        client.close()
    out = tmp_path / "ctx.json"
    done = _cli(env, "snapshot", "-o", str(out))
    assert done.returncode == 0 and done.stderr == "", done
    assert Snapshot.load(out).container(box) is not None


def test_docker_context_chosen_with_docker_context_use(contexts, remote, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(contexts, config)
    env = _context_env(config)
    subprocess.run(["docker", "context", "use", "remote"], env=env, check=True,
                   capture_output=True, timeout=60)
    client = connect(environ=env)
    try:
        assert client.api.base_url == remote.host.replace("tcp://", "https://")
    finally:
        client.close()
    done = _cli(env, "snapshot", "-o", str(tmp_path / "s.json"))
    assert done.returncode == 0, done


# -- one clear line for each way it goes wrong -------------------------------------

def _wrong_setups(remote: RemoteDaemon, contexts: Path | None) -> dict[str, tuple]:
    refused = f"tcp://127.0.0.1:{free_port()}"
    plain = {k: v for k, v in remote.env().items()
             if k not in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")}
    setups = {
        "wrong CA": (remote.env(remote.wrong_ca), DaemonTLSError,
                     ("not signed by the CA you trust", "DOCKER_CERT_PATH")),
        "wrong client certificate": (remote.env(remote.wrong_client), DaemonTLSError,
                                     ("client certificate", "cert.pem")),
        "plain HTTP to a TLS daemon": (plain, DaemonTLSError,
                                       ("requires TLS", "DOCKER_TLS_VERIFY=1")),
        "missing certificate files": (remote.env(remote.root / "nowhere"), DaemonTLSError,
                                      ("certificate files are missing",)),
        "refused": (remote.env(DOCKER_HOST=refused), DaemonUnreachable,
                    ("does not answer", "connection refused", refused)),
    }
    if contexts is not None:
        setups["context with wrong CA"] = (
            _context_env(contexts, DOCKER_CONTEXT="badca"), DaemonTLSError,
            ("docker context 'badca'", "not signed by the CA you trust"))
        setups["context refused"] = (
            _context_env(contexts, DOCKER_CONTEXT="down"), DaemonUnreachable,
            ("docker context 'down'", "connection refused", "docker context use default"))
    return setups


_CASES = ["wrong CA", "wrong client certificate", "plain HTTP to a TLS daemon",
          "missing certificate files", "refused", "context with wrong CA", "context refused"]


@pytest.mark.parametrize("case", _CASES)
def test_wrong_setup_gives_one_clear_line(case, remote, request):
    contexts = request.getfixturevalue("contexts") if case.startswith("context") else None
    env, error, words = _wrong_setups(remote, contexts)[case]
    with pytest.raises(error) as caught:
        connect(environ=env)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400, message
    for word in words:
        assert word in message, message
    line = _assert_one_clear_line(_cli(env, "snapshot"), *words)
    assert line == f"labcheck: {message}" or case == "wrong client certificate"
