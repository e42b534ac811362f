"""The engine VM's pure parts: command line, guest configuration, parsers."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from labcheck.errors import EnvironmentProblem
from labcheck.live.engines.apt import debian_archive
from labcheck.live.engines.netns import NetnsEngine
from labcheck.live.vm import forwarder
from labcheck.live.vm.build import ENGINES, PACKAGES, module_closure, parse_ldd
from labcheck.live.vm.paths import EnginePaths, engine_dir
from labcheck.live.vm.qemu import VmConfig, command_line

GUEST = resources.files("labcheck.live.vm") / "guest"


def _cmd(accel: str = "tcg", loadvm: str | None = None) -> list[str]:
    return command_line(EnginePaths(Path("/cache/engine")), VmConfig(1024, 2, accel), 23750,
                        loadvm=loadvm)


@pytest.mark.parametrize("accel", ["tcg", "kvm"])
@pytest.mark.parametrize("loadvm", [None, "ready-tcg-2cpu-1024m"])
def test_the_only_network_is_user_networking_with_restrict_on(accel, loadvm):
    cmd = _cmd(accel, loadvm)
    netdevs = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "-netdev"]
    assert len(netdevs) == 1
    options = netdevs[0].split(",")
    assert options[0] == "user" and "restrict=on" in options and "ipv6=off" in options
    # the one forward at boot is the Docker API, from the host's loopback only
    assert [o for o in options if o.startswith("hostfwd=")] == [
        "hostfwd=tcp:127.0.0.1:23750-:2375"]
    assert not any(arg.startswith(("-nic", "-net")) and arg != "-netdev" for arg in cmd)
    assert "-nodefaults" in cmd  # no default NIC that would bypass restrict=on


def test_a_restore_uses_the_saved_state_disk():
    cmd = _cmd(loadvm="ready-tcg-2cpu-1024m")
    assert cmd[cmd.index("-loadvm") + 1] == "ready-tcg-2cpu-1024m"
    assert any("file=/cache/engine/image/state.qcow2" in arg for arg in cmd)
    assert "-loadvm" not in _cmd()


def test_snapshot_tag_names_the_machine_shape():
    assert VmConfig(2048, 1, "tcg").snapshot_tag == "ready-tcg-1cpu-2048m"


def test_guest_has_no_default_route_and_no_outside_dns():
    init = (GUEST / "init").read_text()
    assert "ip addr add 10.0.2.15/24 dev eth0" in init
    assert "route add default" not in init and "default via" not in init
    assert "udhcpc" not in init  # DHCP would install QEMU's gateway as default route
    assert "net.ipv6.conf.eth0.accept_ra=0" in init  # nor may router advertisements
    dns = (GUEST / "dnsmasq.conf").read_text().splitlines()
    assert "no-resolv" in dns and "address=/#/" in dns
    assert not [line for line in dns if line.startswith("server=")]


def test_forwarder_ignores_what_is_not_a_request(tmp_path):
    for line in ("", "add tcp", "add icmp 80 x", "add tcp 99999999 x", "rm tcp 80 x"):
        assert forwarder.handle(line, tmp_path / "no.sock", {}) is None


def test_forwarder_answers_fail_when_qemu_is_gone(tmp_path):
    active: dict[str, int] = {}
    answer = forwarder.handle("add tcp 8080 42-add-8080", tmp_path / "no.sock", active)
    assert answer is not None and answer.startswith("fail 42-add-8080 ")
    assert active == {}


def test_forwarder_counts_the_proxies_sharing_a_forward(tmp_path):
    """A second proxy of the same port (0.0.0.0 and [::]) needs no new forward, nor QEMU."""
    active = {"tcp/8080": 1}
    assert forwarder.handle("add tcp 8080 a", tmp_path / "no.sock", active) == "ok a"
    assert active == {"tcp/8080": 2}
    assert forwarder.handle("del tcp 8080 b", tmp_path / "no.sock", active) == "ok b"
    assert active == {"tcp/8080": 1}


def test_engine_dir_follows_xdg_and_override():
    assert engine_dir({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path("/x/labcheck/engine")
    assert engine_dir({"HOME": "/h"}) == Path("/h/.cache/labcheck/engine")
    assert engine_dir({"LABCHECK_ENGINE_DIR": "/e", "HOME": "/h"}) == Path("/e")


def test_env_lines_point_docker_at_the_engine_and_drop_a_context(tmp_path):
    engine = NetnsEngine("n1", environ={"LABCHECK_NETNS_RUN": str(tmp_path)})
    lines = engine.env_lines({"DOCKER_CONTEXT": "other"})
    assert lines[0] == f"export DOCKER_HOST=unix://{tmp_path}/n1/docker.sock"
    assert "unset DOCKER_CONTEXT" in lines
    assert "unset DOCKER_CONTEXT" not in engine.env_lines({})


def test_parse_ldd_reports_missing_libraries():
    out = "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n\tlibyajl.so.2 => not found\n"
    assert parse_ldd(out) == ["/lib/x86_64-linux-gnu/libc.so.6", "!libyajl.so.2"]


def test_module_closure_orders_dependencies_first_and_skips_builtins():
    deps = {"nf_nat": ["nf_conntrack", "libcrc32c"], "nf_conntrack": ["libcrc32c"],
            "libcrc32c": [], "xt_nat": ["nf_nat"]}
    order, missing = module_closure(["xt_nat", "bridge", "nf-conntrack"], deps, {"bridge"})
    assert order == ["libcrc32c", "nf_conntrack", "nf_nat", "xt_nat"]
    assert missing == []


def test_the_debian_archive_comes_from_the_apt_sources_or_the_override(tmp_path):
    one_line = tmp_path / "sources.list"
    one_line.write_text("# deb http://old.example/debian bookworm main\n"
                        "deb-src http://src.example/debian bookworm main\n"
                        "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian/ "
                        "bookworm main\n")
    assert debian_archive({}, [one_line]).uri == "http://mirror.example/debian"
    assert debian_archive({}, [one_line]).signed_by == "/k.gpg"
    assert debian_archive({"LABCHECK_DEBIAN_ARCHIVE": "http://own.example/debian/"},
                          [one_line]).uri == "http://own.example/debian"
    ubuntu = tmp_path / "ubuntu.list"
    ubuntu.write_text("deb http://ubuntu-mirror.example/ubuntu jammy main\n")
    with pytest.raises(EnvironmentProblem, match="LABCHECK_DEBIAN_ARCHIVE"):
        debian_archive({}, [ubuntu])


def test_the_newer_engine_replaces_only_the_engines_packages():
    suite, packages, runtime = ENGINES["sid"]
    assert suite == "sid" and set(packages) == {"docker.io", "containerd"}
    assert set(packages) <= set(PACKAGES) and runtime in ("runc", "crun")
    # the host tools the lessons run as root on the Docker host are in every image
    assert {"iproute2", "tcpdump", "bash"} <= set(PACKAGES)
