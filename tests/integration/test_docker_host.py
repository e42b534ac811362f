"""labcheck.docker_host against the real daemon: commands run on *its* host, as root.

The evidence that the helper reached the daemon's host, not just some
shell: it sees the bridge of a network the daemon just made (and not the
bridge of one that does not exist), and its network namespace is the one
the daemon's host-mode containers get.
"""

from __future__ import annotations

import os

import pytest

from labcheck.errors import EnvironmentProblem
from labcheck.live.dockerhost import HOST_SHELL_LABELS, DockerHost, docker_host


@pytest.fixture(scope="module")
def host(docker_client) -> DockerHost:
    the_host = docker_host(docker_client)
    if not the_host.access().ok:  # a rootless or sandboxed engine: say why
        pytest.skip(str(the_host.access()))
    return the_host


def test_access_is_root_and_says_where(host):
    access = host.access()
    assert access.ok and access.where in (
        "this machine", "a network namespace of this machine", "another machine")
    assert str(access).startswith("root on the Docker host (")
    assert host.run("id -u").stdout.strip() == "0"


def test_the_host_sees_the_bridge_the_daemon_made_and_not_one_it_did_not(host, lab, name,
                                                                         docker_client):
    network = docker_client.networks.get(lab.network(name("hostview")))
    bridge = f"br-{network.id[:12]}"
    seen = host.run(f"ip -o link show {bridge}")
    assert seen.ok and bridge in seen.stdout
    missing = host.run("ip -o link show br-000000000000")
    assert not missing.ok and "br-000000000000" in missing.stderr


def test_its_network_namespace_is_the_daemons_host_network(host, docker_client, lab):
    from labcheck.images import LAB_IMAGE

    own = host.run("readlink /proc/self/ns/net").check().stdout.strip()
    out = docker_client.containers.run(LAB_IMAGE, ["readlink", "/proc/self/ns/net"],
                                       network_mode="host", remove=True, labels=lab.labels)
    assert out.decode().strip() == own
    if host.access().where == "this machine":
        assert own == os.readlink("/proc/self/ns/net")
    else:
        assert own != os.readlink("/proc/self/ns/net")


def test_output_streams_and_exit_code_come_back_apart(host):
    done = host.run("echo out; echo err >&2; exit 3")
    assert (done.exit_code, done.stdout, done.stderr) == (3, "out\n", "err\n")
    with pytest.raises(EnvironmentProblem, match="listing failed on the Docker host: err"):
        done.check("listing")
    assert host.run("true").check().ok


def test_no_helper_container_is_left(host, docker_client):
    host.run("true")
    host.run("exit 1")
    left = docker_client.containers.list(
        all=True, filters={"label": [f"{k}={v}" for k, v in HOST_SHELL_LABELS.items()]})
    assert left == []


def test_a_scoped_name_carries_the_hosts_network_namespace(host):
    number = host.access().netns.rpartition("[")[2].rstrip("]")
    assert number.isdigit()
    assert host.scoped_name("labcheck-x") == f"labcheck-x-{number}"
    seen = host.run("readlink /proc/self/ns/net").check().stdout.strip()
    assert seen.endswith(f"[{number}]")


def test_a_started_job_runs_while_the_caller_acts_and_is_removed(host, docker_client):
    # the job waits for a file the caller makes afterwards: it must be running meanwhile
    marker = f"/tmp/.labcheck-job-{os.getpid()}"
    with host.start(f"echo ready; until [ -e {marker} ]; do sleep 0.1; done; "
                    f"rm {marker}; echo seen >&2; exit 4") as job:
        assert job.wait_for("ready", timeout=30)
        assert not job.wait_for("seen", timeout=0.5)       # still waiting for the caller
        host.run(f"touch {marker}").check()
        done = job.result(timeout=30)
    assert (done.exit_code, done.stdout, done.stderr) == (4, "ready\n", "seen\n")
    left = docker_client.containers.list(
        all=True, filters={"label": [f"{k}={v}" for k, v in HOST_SHELL_LABELS.items()]})
    assert left == []


def test_a_job_left_early_is_removed(host, docker_client):
    with host.start("sleep 60") as job:
        assert not job.wait_for("never printed", timeout=0.3)
    left = docker_client.containers.list(
        all=True, filters={"label": [f"{k}={v}" for k, v in HOST_SHELL_LABELS.items()]})
    assert left == []
