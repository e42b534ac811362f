"""Unit tests of labcheck.drivers: platform and kernel facts -> answers, no daemon."""

from __future__ import annotations

import gzip

import pytest

from labcheck.drivers import (
    FEATURES,
    KernelConfig,
    Platform,
    Survey,
    assess,
    platform_from_info,
    read_kernel_config,
)
from labcheck.live.drivers import VethLan

# The options that matter, as this course's machine (a Firecracker kernel) has them.
FIRECRACKER = KernelConfig.parse(
    "CONFIG_BRIDGE=y\nCONFIG_VETH=y\nCONFIG_MACVLAN=y\nCONFIG_VXLAN=y\n"
    "# CONFIG_IPVLAN is not set\n# CONFIG_IP_VS is not set\n# CONFIG_DUMMY is not set\n",
    source="/proc/config.gz")
# A distribution kernel: everything as modules.
DISTRO = KernelConfig.parse(
    "CONFIG_VETH=m\nCONFIG_MACVLAN=m\nCONFIG_IPVLAN=m\nCONFIG_VXLAN=m\nCONFIG_IP_VS=m\n"
    "CONFIG_DUMMY=m\n", source="/boot/config-6.1.0-18-amd64")

LINUX_ROOT = Platform(os_type="linux", operating_system="Debian GNU/Linux 12", kernel="6.18.44",
                      local=True, is_root=True)


def with_(platform: Platform, **changes) -> Platform:
    return Platform(**{**platform.__dict__, **changes})


# -- kernel configuration -----------------------------------------------------

def test_kernel_config_states():
    assert FIRECRACKER.state("MACVLAN") == "y"
    assert DISTRO.state("CONFIG_IPVLAN") == "m"
    assert FIRECRACKER.state("IPVLAN") == "n"
    assert FIRECRACKER.state("NEVER_MENTIONED") == "n"
    assert FIRECRACKER.has("IP_VS") is False and DISTRO.has("IP_VS") is True


def test_unknown_kernel_config_answers_none():
    unknown = KernelConfig()
    assert not unknown.known
    assert unknown.state("MACVLAN") is None and unknown.has("MACVLAN") is None


def test_read_kernel_config_from_gz_and_plain_files(tmp_path):
    packed = tmp_path / "config.gz"
    packed.write_bytes(gzip.compress(b"CONFIG_MACVLAN=y\n# CONFIG_IPVLAN is not set\n"))
    plain = tmp_path / "config-6.1"
    plain.write_text("CONFIG_IPVLAN=m\n")
    first = read_kernel_config("6.1", candidates=[str(tmp_path / "missing.gz"), str(packed)])
    assert first.source == str(packed) and first.has("MACVLAN") and not first.has("IPVLAN")
    assert read_kernel_config("6.1", candidates=[str(plain)]).state("IPVLAN") == "m"


def test_read_kernel_config_survives_a_damaged_file(tmp_path):
    broken = tmp_path / "config.gz"
    broken.write_bytes(b"not gzip at all")
    assert not read_kernel_config("x", candidates=[str(broken)]).known


# -- platform ---------------------------------------------------------------

def test_platform_local_needs_a_socket_and_the_same_kernel():
    info = {"OSType": "linux", "KernelVersion": "6.18.44", "OperatingSystem": "Debian",
            "Swarm": {"LocalNodeState": "inactive"}}
    local = platform_from_info(info, daemon_url="http+docker://localhost",
                               local_kernel="6.18.44", euid=0)
    assert local.local and local.is_root and local.kind == "Docker Engine on Linux"
    assert not platform_from_info(info, daemon_url="http+docker://localhost",
                                  local_kernel="5.10.0", euid=0).local
    remote = platform_from_info(info, daemon_url="https://10.0.0.5:2376", local_kernel="6.18.44")
    assert not remote.local and "remote" in remote.kind


def test_platform_desktop_is_never_local():
    info = {"OperatingSystem": "Docker Desktop", "KernelVersion": "6.10.14-linuxkit"}
    desktop = platform_from_info(info, daemon_url="http+docker://localhost",
                                 local_kernel="6.10.14-linuxkit", euid=501)
    assert desktop.desktop and not desktop.local and not desktop.is_root


def test_platform_reads_rootless_and_swarm_role():
    info = {"SecurityOptions": ["name=seccomp,profile=default", "name=rootless"],
            "Swarm": {"LocalNodeState": "active", "ControlAvailable": False}}
    found = platform_from_info(info)
    assert found.rootless and found.in_swarm and not found.swarm_manager
    assert "swarm worker" in found.describe()


@pytest.mark.parametrize("info", [{}, {"Swarm": None, "SecurityOptions": None, "OSType": None},
                                  {"Swarm": "garbage", "KernelVersion": None}])
def test_platform_from_incomplete_info(info):
    found = platform_from_info(info)
    assert found.os_type == "linux" and found.swarm_state == "inactive" and not found.rootless


# -- answers ----------------------------------------------------------------

def test_this_machine_runs_macvlan_and_overlay_but_not_ipvlan_or_vips():
    found = assess(LINUX_ROOT, FIRECRACKER)
    assert list(found) == list(FEATURES)
    assert [f for f, a in found.items() if a.runs] == ["bridge", "host", "none", "macvlan",
                                                       "overlay"]
    assert "veth pair" in found["macvlan"].reason
    assert "CONFIG_IPVLAN is not set" in found["ipvlan"].reason
    assert "operation not supported" in found["ipvlan"].reason
    assert "swarm init --advertise-addr 127.0.0.1" in found["overlay"].reason
    assert "tasks.<service>" in found["service-vip"].reason


def test_a_distribution_kernel_runs_everything():
    found = assess(LINUX_ROOT, DISTRO)
    assert all(answer.runs for answer in found.values())


def test_without_root_macvlan_needs_a_dummy_parent():
    user = with_(LINUX_ROOT, is_root=False)
    no_dummy = assess(user, FIRECRACKER)["macvlan"]
    assert not no_dummy.runs and "root" in no_dummy.reason
    with_dummy = assess(user, DISTRO)["macvlan"]
    assert with_dummy.runs and "dummy parent" in with_dummy.reason


def test_docker_desktop():
    desktop = Platform(operating_system="Docker Desktop", kernel="6.10.14-linuxkit",
                       desktop=True)
    found = assess(desktop, KernelConfig())
    assert "Docker Desktop's Linux VM" in found["host"].reason
    assert found["macvlan"].runs and "your computer cannot reach them" in found["macvlan"].reason
    assert found["overlay"].runs
    assert found["service-vip"].runs and "unknown" in found["service-vip"].reason


def test_rootless_docker():
    found = assess(with_(LINUX_ROOT, rootless=True, is_root=False), DISTRO)
    assert not found["macvlan"].runs and not found["ipvlan"].runs
    assert not found["overlay"].runs and "rootless" in found["overlay"].reason
    assert not found["service-vip"].runs
    assert "RootlessKit" in found["host"].reason


def test_a_remote_daemon_with_an_unknown_kernel_skips_macvlan():
    remote = with_(LINUX_ROOT, local=False)
    macvlan = assess(remote, KernelConfig())["macvlan"]
    assert not macvlan.runs and "another machine" in macvlan.reason


def test_an_unreadable_local_config_means_try_it():
    macvlan = assess(LINUX_ROOT, KernelConfig())["macvlan"]
    assert macvlan.runs and "unknown" in macvlan.reason and "tries" in macvlan.reason


@pytest.mark.parametrize("state, manager, runs, words", [
    ("inactive", False, True, "leaves it at the end"),
    ("active", True, True, "does not leave it"),
    ("active", False, False, "swarm worker"),
    ("locked", False, False, "'locked'"),
])
def test_overlay_depends_on_the_swarm(state, manager, runs, words):
    overlay = assess(with_(LINUX_ROOT, swarm_state=state, swarm_manager=manager), DISTRO)["overlay"]
    assert overlay.runs is runs and words in overlay.reason


def test_windows_containers_run_none_of_these():
    found = assess(Platform(os_type="windows"), KernelConfig())
    assert not any(a.runs for a in found.values())
    assert "Linux containers" in found["bridge"].reason


def test_survey_lookup_and_renderings():
    answers = assess(LINUX_ROOT, FIRECRACKER)
    found = Survey(LINUX_ROOT, FIRECRACKER, tuple(answers.values()))
    assert found["ipvlan"] is answers["ipvlan"]
    with pytest.raises(KeyError, match="ask one of bridge"):
        found["vlan"]
    text = str(found)
    assert text.splitlines()[0] == "Docker Engine on Linux, kernel 6.18.44"
    assert "ipvlan       no " in text
    assert "<code>ipvlan</code>" in found._repr_html_()
    assert str(answers["bridge"]).startswith("bridge: runs here: ")


# -- the pretend LAN ----------------------------------------------------------

def test_veth_names_fit_the_kernel_limit_and_differ_by_owner():
    long_owner = VethLan.for_owner("test-" + "f" * 40)
    assert all(len(n) <= 15 for n in (long_owner.parent, long_owner.peer))
    assert VethLan.for_owner("04") == VethLan.for_owner("04")
    assert VethLan.for_owner("04").parent != VethLan.for_owner("05").parent


def test_root_on_the_docker_host_makes_the_veth_lan_wherever_the_host_is():
    vm = with_(LINUX_ROOT, local=False, is_root=False, host_root=True)
    macvlan = assess(vm, DISTRO)["macvlan"]
    assert macvlan.runs and "veth pair" in macvlan.reason and "engine VM" in macvlan.reason
    assert assess(vm, DISTRO)["ipvlan"].runs
    # the same VM without root there: another machine, nothing to make a parent with
    no_root = assess(with_(vm, host_root=False), DISTRO)["macvlan"]
    assert not no_root.runs and "another machine" in no_root.reason
    # a local daemon used by a non-root member of the docker group: root on its host all the same
    member = assess(with_(LINUX_ROOT, is_root=False, host_root=True), FIRECRACKER)["macvlan"]
    assert member.runs and "veth pair" in member.reason
