"""Engines as objects, the parts that need no daemon: names, kinds, the matrix plan, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labcheck.cli import main
from labcheck.errors import EXIT_USAGE
from labcheck.live.engines.base import EngineStatus, valid_name
from labcheck.live.engines.matrix import TWO_ENGINES, PassSpec, plan
from labcheck.live.engines.netns import NetnsEngine
from labcheck.live.engines.registry import engine, kind_of
from labcheck.live.engines.system import SystemEngine
from labcheck.live.engines.vm import VmEngine


@pytest.mark.parametrize("bad", ["", "../up", "a b", "x" * 41, "-lead", "a/b"])
def test_names_that_cannot_name_a_namespace_or_a_folder_are_refused(bad):
    with pytest.raises(ValueError):
        valid_name(bad)


def test_a_name_chooses_the_kind_unless_the_kind_is_given(tmp_path):
    env = {"LABCHECK_NETNS_RUN": str(tmp_path / "run"), "HOME": str(tmp_path)}
    assert isinstance(engine("system", environ=env), SystemEngine)
    assert isinstance(engine("vm", environ=env), VmEngine)
    assert isinstance(engine("node1", environ=env), NetnsEngine)
    assert kind_of("node1", "netns") == "netns"
    with pytest.raises(ValueError, match="unknown kind"):
        kind_of("x", "lxc")
    with pytest.raises(ValueError, match="--engine chooses what a netns engine runs"):
        engine("vm", version="sid", environ=env)


def test_netns_engines_own_their_socket_namespace_and_folders(tmp_path):
    env = {"LABCHECK_NETNS_RUN": str(tmp_path / "run"),
           "LABCHECK_NETNS_DATA": str(tmp_path / "data")}
    a, b = NetnsEngine("a", environ=env), NetnsEngine("b", environ=env)
    assert a.namespace != b.namespace
    assert a.docker_host_url() != b.docker_host_url()
    assert a.state_dir != b.state_dir and a.data_dir != b.data_dir
    assert a.environ({"DOCKER_CONTEXT": "other", "PATH": "/usr/bin"}) == {
        "DOCKER_HOST": f"unix://{tmp_path}/run/a/docker.sock", "PATH": "/usr/bin"}


def test_a_netns_engine_runs_a_command_inside_its_namespace_with_its_binaries_first(tmp_path):
    env = {"LABCHECK_NETNS_RUN": str(tmp_path / "run")}
    eng = NetnsEngine("n1", environ=env)
    record = tmp_path / "run" / "n1" / "engine.json"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"name": "n1", "namespace": "labcheck-n1",
                                  "docker_host": "unix:///x", "bin_dir": "/opt/e29", "pid": 1,
                                  "lab_dns_pid": 2, "started": 0.0, "engine": "/opt/e29"}))
    argv = eng.command(["pytest", "-q"])
    assert argv[:4] == ["ip", "netns", "exec", "labcheck-n1"]
    assert argv[-3:] == ["--", "pytest", "-q"]
    assert eng.environ({"PATH": "/usr/bin"})["PATH"] == "/opt/e29:/usr/bin"


def test_the_system_engine_is_whatever_docker_host_names():
    assert SystemEngine(environ={}).docker_host_url() == "unix:///var/run/docker.sock"
    assert "DOCKER_HOST" not in SystemEngine(environ={}).environ({"DOCKER_HOST": "tcp://x:1"})
    remote = SystemEngine(environ={"DOCKER_HOST": "tcp://127.0.0.1:2"})
    assert remote.environ({})["DOCKER_HOST"] == "tcp://127.0.0.1:2"


def test_status_lines():
    up = EngineStatus("vm", "vm", True, "20.10.24", docker_host="tcp://127.0.0.1:23750",
                      where="a QEMU VM", forwards=["127.0.0.1:8080/tcp"])
    assert up.describe() == ("vm (vm): running, Docker 20.10.24 at tcp://127.0.0.1:23750, "
                             "a QEMU VM, forwarded to this machine: 127.0.0.1:8080/tcp")
    assert json.loads(json.dumps(up.as_dict()))["forwards"] == ["127.0.0.1:8080/tcp"]


def test_the_matrix_plan_runs_everything_first_and_leaves_out_the_once_tests_later(tmp_path):
    (tmp_path / "docker-29.7.2.tar.xz").write_bytes(b"")
    first, sid, e29, facts = plan(["distribution", "sid", "29", "local:facts"], tmp_path)
    assert first.system and first.first and "-m" not in first.suite_args()
    assert TWO_ENGINES in first.suite_args()  # deselected: it runs after the passes
    assert sid.engine == "sid" and sid.suite_args()[-2:] == ["-m", "not browser and not once"]
    assert e29.engine == str(tmp_path / "docker-29.7.2.tar.xz") and "29.7.2" in e29.label
    assert facts.engine == "distribution" and facts.suite_args()[-1].endswith(
        "test_engine_facts.py")


def test_an_engine_archive_that_is_not_there_is_planned_as_not_available(tmp_path):
    (missing,) = plan(["29"], tmp_path / "nowhere")
    assert missing.engine == ""
    with pytest.raises(ValueError, match="only :facts"):
        plan(["sid:all"])
    assert PassSpec("29", "", False, False).label == ""


def test_cli_engine_run_needs_a_command(capsys):
    assert main(["engine", "run", "node1"]) == EXIT_USAGE
    assert "give the command to run" in capsys.readouterr().err


def test_cli_engine_refuses_a_version_for_the_vm(capsys):
    assert main(["engine", "start", "vm", "--engine", "sid"]) == EXIT_USAGE
    assert "--engine chooses what a netns engine runs" in capsys.readouterr().err


def test_cli_engine_list_shows_nothing_where_nothing_runs(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("LABCHECK_NETNS_RUN", str(tmp_path / "run"))
    monkeypatch.setenv("LABCHECK_ENGINE_DIR", str(tmp_path / "vm"))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    from labcheck.live.engines import system

    monkeypatch.setattr(system, "DEFAULT_HOST", f"unix://{tmp_path}/none.sock")
    monkeypatch.setattr("labcheck.live.engines.registry.DEFAULT_HOST",
                        f"unix://{tmp_path}/none.sock")
    assert main(["engine", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert Path(tmp_path / "run").exists() is False
