"""A student's rootless engine answers outside names with NXDOMAIN, as the other engines do.

Without the whole hub: a throwaway class account (:mod:`labcheck.hub.accounts`)
runs rootlesskit as a class server does (:func:`rootless.outer_argv`), whose
child starts the engine as the session's inside half does
(:func:`rootless.running`: dockerd, then the lab DNS on its bridge's gateway)
and asks from busybox containers:

- on the default bridge and on a user-defined network, a name Docker does
  not know gets NXDOMAIN (the lab DNS answers; without it the lookup was
  refused or timed out);
- a container's name on the user-defined network still resolves (Docker's
  own DNS answers first);
- the lab DNS answers on the gateway while the engine runs and is gone when
  it stops; no process of the account is left.

The user runs Debian's ``python3`` with a copy of this checkout's ``labcheck``
in a folder every user can read (the checkout itself may not be: a clone in a
0700 folder). It makes a Unix user, so it runs with ``make test-hub``
(``LABCHECK_TEST_HUB=1``) as root.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from labcheck.hub import accounts
from labcheck.live.engines import rootless

ROOT = Path(__file__).resolve().parents[2]
#: Not a lab name, and in a domain that is never delegated (RFC 2606): no answer
#: could come from anywhere but the lab DNS.
OUTSIDE = "outside-name.invalid"

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(os.environ.get("LABCHECK_TEST_HUB") != "1",
                       reason="makes a Unix user: run it with make test-hub"),
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a Unix user"),
    pytest.mark.skipif(not all(shutil.which(t) for t in ("rootlesskit", "newuidmap", "dockerd",
                                                          "docker", "setpriv", "busybox")),
                       reason="needs rootlesskit, uidmap, docker.io, a docker CLI, setpriv "
                              "and busybox (scripts/ensure-hub.sh installs them)"),
    pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="needs Debian's python3"),
]

#: Run as the user inside rootlesskit's namespaces: the engine, the lookups, the stop.
INSIDE = '''
import json, os, subprocess, sys
from pathlib import Path
from labcheck.live.engines import labdns, rootless

run, data, image = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
outside = sys.argv[4]
rootless.scrub_run()
# rootlesskit's variables (ROOTLESSKIT_STATE_DIR...) tell dockerd it is rootless
env = {**os.environ, "DOCKER_HOST": f"unix://{run / 'docker.sock'}"}
found = {}

def docker(*args):
    done = subprocess.run(["docker", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    return (done.stdout + done.stderr).strip()

with rootless.running(run, data, env):
    found["import"] = docker("import", image, "lab-dns-test")
    docker("network", "create", "labnet")
    docker("run", "-d", "--name", "peer", "--network", "labnet", "lab-dns-test",
           "/bin/busybox", "sleep", "300")
    look = ["lab-dns-test", "/bin/busybox", "nslookup", "-type=a"]
    found["bridge_outside"] = docker("run", "--rm", *look, outside)
    found["labnet_outside"] = docker("run", "--rm", "--network", "labnet", *look, outside)
    found["labnet_peer"] = docker("run", "--rm", "--network", "labnet", *look, "peer")
    found["peer_address"] = docker("inspect", "-f",
                                   "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                                   "peer")
    found["answers_running"] = labdns.answers(rootless.LAB_DNS)
    docker("rm", "-f", "peer")
    docker("network", "rm", "labnet")
found["answers_stopped"] = labdns.answers(rootless.LAB_DNS, timeout=0.5)
print(json.dumps(found))
'''


def _image(folder: Path) -> Path:
    """A root file system of one static busybox, as a tar for ``docker import``."""
    tar = folder / "busybox.tar"
    busybox = os.path.realpath(shutil.which("busybox") or "busybox")
    with tarfile.open(tar, "w") as archive, open(busybox, "rb") as handle:
        info = archive.gettarinfo(busybox, "bin/busybox")
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mode = 0o755
        archive.addfile(info, handle)
    return tar


@pytest.fixture
def shared():
    """A folder every user can read: the inside script, the image, a copy of labcheck."""
    folder = Path(tempfile.mkdtemp(prefix="labcheck-rootless-dns-"))
    try:
        os.chmod(folder, 0o755)
        shutil.copytree(ROOT / "labcheck", folder / "labcheck",
                        ignore=shutil.ignore_patterns("__pycache__"))
        (folder / "inside.py").write_text(INSIDE)
        _image(folder)
        subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def student():
    name = f"dns-{secrets.token_hex(3)}"
    entry = accounts.ensure(name)
    try:
        yield entry
    finally:
        accounts.remove([name])


def test_outside_names_get_nxdomain_in_a_students_engine(shared, student):
    home = Path(student.pw_dir)
    run = home / ".labcheck-hub"
    run.mkdir(mode=0o700)
    os.chown(run, student.pw_uid, student.pw_gid)
    data = home / ".local" / "share" / "labcheck" / "engine"
    child = ["/usr/bin/python3", str(shared / "inside.py"), str(run), str(data),
             str(shared / "busybox.tar"), OUTSIDE]
    env = {"PATH": "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home),
           "USER": student.pw_name, "XDG_RUNTIME_DIR": str(run), "PYTHONPATH": str(shared),
           "LANG": "C.UTF-8"}
    as_user = ["setpriv", f"--reuid={student.pw_uid}", f"--regid={student.pw_gid}",
               "--init-groups", "--reset-env"]
    done = subprocess.run([*as_user, "env", *(f"{k}={v}" for k, v in env.items()),
                           *rootless.outer_argv(run / "rootlesskit", child)],
                          capture_output=True, text=True, timeout=300, cwd=home,
                          stdin=subprocess.DEVNULL)
    logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                     for p in sorted(run.glob("*.log")))
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{logs}"
    found = json.loads(done.stdout.strip().splitlines()[-1])

    for key in ("bridge_outside", "labnet_outside"):
        assert f"can't find {OUTSIDE}: NXDOMAIN" in found[key], (key, found[key], logs)
    peer = found["peer_address"]
    assert peer.startswith("10.214."), found
    assert f"Address: {peer}" in found["labnet_peer"] and "NXDOMAIN" not in found["labnet_peer"]
    assert found["answers_running"] is True
    assert found["answers_stopped"] is False
    assert (run / "lab-dns.log").read_text() == ""  # it bound the gateway's port 53
    assert accounts.processes_of(student.pw_uid) == []
