"""Reports and their renderers, hints and penalties, and the CLI on saved
snapshots (exit codes, formats, nothing on stderr when all pass)."""

from __future__ import annotations

from dataclasses import replace

import json
import subprocess
import sys
from xml.etree import ElementTree as ET

import pytest

from labcheck.cli import main
from labcheck.exercises import load_exercise
from labcheck.grading import grade, hint
from labcheck.probes import HostReach, ProbeResult, Reach, ReadResolvConf, Resolve
from labcheck.render.formats import FORMATS, render
from labcheck.report import Report
from labcheck.snapshot import Container, Endpoint, Network, PortBinding, Snapshot

EX = "example-web-db"


def solved(web_ip: str = "127.0.0.1") -> Snapshot:
    """A hand-made snapshot of the example exercise solved (host IP as given)."""
    net = Network("appnet", "a" * 64, "bridge", subnets=("10.214.9.0/24",))
    web = Container("web", "w" * 64, state="running",
                    endpoints=(Endpoint("appnet", ipv4="10.214.9.2"),),
                    ports=(PortBinding(5000, host_ip=web_ip, host_port=8000),))
    db = Container("db", "d" * 64, state="running",
                   endpoints=(Endpoint("appnet", ipv4="10.214.9.3"),), ports=(PortBinding(5432),))
    probes = (
        ProbeResult(Resolve("web", "db"), True, True, "ok", addresses=("10.214.9.3",)),
        ProbeResult(Reach("web", "db", port=5432), True, True, "db answers on port 5432"),
        ProbeResult(HostReach(port=8000), True, True, "127.0.0.1:8000 answers on the host"),
        ProbeResult(ReadResolvConf("web"), True, True, "ok", nameservers=("127.0.0.11",)),
    )
    return Snapshot(networks=(net,), containers=(web, db), probes=probes, taken_at="t0")


def test_grade_solved_and_hidden_counted():
    report = grade(load_exercise(EX), solved())
    assert report.passed and report.score == report.max_score == 16
    assert report.hidden_count == 1
    assert "web-uses-embedded-dns" not in [r.check_id for r in report.visible()]
    assert "web-uses-embedded-dns" not in report.to_text()
    assert "+ 1 hidden check" in report.to_text()
    assert "web-uses-embedded-dns" in report.to_text(show_hidden=True) or \
        "embedded DNS [hidden]" in report.to_text(show_hidden=True)


def test_misconception_all_interfaces_in_the_report():
    report = grade(load_exercise(EX), solved(web_ip="0.0.0.0"))
    assert [r.check_id for r in report.failed()] == ["web-published-loopback"]
    assert "0.0.0.0:8000" in report.result("web-published-loopback").message
    assert "127.0.0.1" not in report.result("web-published-loopback").hint  # a question
    assert "-p 127.0.0.1:8000:5000" in report.result("web-published-loopback").advice


def test_text_colour_only_when_asked():
    report = grade(load_exercise(EX), Snapshot())
    assert "\x1b[" not in report.to_text() and "\x1b[31m" in report.to_text(color=True)
    assert str(report) == report.to_text()


def test_html_is_escaped_and_marks_status():
    html = grade(load_exercise(EX), Snapshot())._repr_html_()
    assert 'data-check="appnet-exists" data-status="fail"' in html
    assert "web-uses-embedded-dns" not in html and "1 hidden check" in html
    assert "&#x27;appnet&#x27;" in html


def test_json_round_trip_and_hidden_redaction():
    report = grade(load_exercise(EX), solved())
    full = Report.from_json(json.loads(json.dumps(report.to_json(show_hidden=True))))
    assert full == report
    student = report.to_json()
    assert student["hidden_checks"] == 1
    assert len(student["results"]) == len(report.results) - 1


def test_junit_gradescope_classroom():
    report = grade(load_exercise(EX), Snapshot())
    suite = ET.fromstring(render(report, "junit"))
    unprobed = grade(load_exercise(EX), replace(solved(), probes=()))
    assert len([r for r in unprobed.results if r.status == "error"]) == 4
    assert suite.get("tests") == str(len(report.results))
    assert int(suite.get("failures")) + int(suite.get("errors")) == len(report.failed())
    # probe checks fail when their container is missing; a probe never run is an error
    assert int(suite.get("errors")) == 1
    names = [case.get("name") for case in suite.iter("testcase")]
    assert "appnet-exists: network 'appnet' exists" in names and "hidden check 1" in names
    scope = json.loads(render(report, "gradescope"))
    assert scope["score"] == 0 and scope["max_score"] == 16
    assert {t["visibility"] for t in scope["tests"]} == {"visible", "hidden"}
    room = json.loads(render(report, "classroom"))
    assert room["version"] == 1 and room["status"] == "error" and room["max_score"] == 16
    assert all(t["status"] in ("pass", "fail", "error") for t in room["tests"])
    assert sum(t["score"] for t in room["tests"]) == 0
    assert set(FORMATS) == {"text", "json", "junit", "gradescope", "classroom"}


def test_hints_one_at_a_time_with_penalty(tmp_path):
    path = str(tmp_path / "hints.json")
    ex = load_exercise(EX)
    assert "user-defined network" in hint(EX, hints_file=path)
    assert "(-0.5 points)" in hint(EX, hints_file=path)
    assert hint(EX, hints_file=path) == "no more hints."
    from labcheck.exercises.hints import revealed
    report = grade(ex, solved(), revealed=revealed(EX, path))
    assert report.penalty == 0.5 and report.score == 15.5 and report.passed
    assert "hints revealed: 2 (-0.5 points)" in report.to_text()
    assert json.loads(render(report, "classroom"))["tests"][-1]["score"] == -0.5


def test_check_hint_free_first_is_shown_on_failure(tmp_path):
    report = grade(load_exercise(EX), Snapshot())
    assert report.result("web-on-appnet").hint.startswith("Which networks is web on")
    assert report.result("appnet-exists").hint == ""


# -- CLI on saved snapshots ---------------------------------------------------

@pytest.fixture
def saved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LABCHECK_SUFFIX", raising=False)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    solved().save(good)
    solved(web_ip="0.0.0.0").save(bad)
    return good, bad


def test_cli_exit_codes(saved, capsys):
    good, bad = saved
    assert main(["check", EX, "--snapshot", str(good)]) == 0
    out, err = capsys.readouterr()
    assert "16/16 points, all checks pass" in out and err == ""
    assert main(["check", EX, "--snapshot", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "FAIL" in out and "0.0.0.0:8000" in out and err == ""
    assert main(["check", "example-web-bd", "--snapshot", str(good)]) == 2
    out, err = capsys.readouterr()
    assert "did you mean 'example-web-db'" in err.lower()


@pytest.mark.parametrize("fmt", ["json", "junit", "gradescope", "classroom"])
def test_cli_formats_to_file(saved, capsys, fmt, tmp_path):
    good, _ = saved
    target = tmp_path / f"out.{fmt}"
    assert main(["check", EX, "--snapshot", str(good), "--format", fmt, "-o", str(target)]) == 0
    out, err = capsys.readouterr()
    assert f"{fmt} report written to" in out and err == ""
    assert target.read_text().strip()


def test_cli_show_hidden_and_names(saved, capsys, tmp_path):
    good, _ = saved
    main(["check", EX, "--snapshot", str(good), "--show-hidden"])
    assert "[hidden]" in capsys.readouterr().out
    # objects bound to other names: the hand-made snapshot has plain names, so all fail
    assert main(["check", EX, "--snapshot", str(good), "--suffix", "zz"]) == 1
    assert "appnet-zz" in capsys.readouterr().out
    assert main(["check", EX, "--snapshot", str(good), "--name", "oops"]) == 2


def test_cli_list_and_hint(saved, capsys):
    assert main(["list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"id": EX, "points": 16.0}.items() <= next(e for e in listed if e["id"] == EX).items()
    assert main(["hint", EX]) == 0
    assert "user-defined network" in capsys.readouterr().out
    assert main(["hint", EX, "no-such-check"]) == 2


def test_cli_hint_with_an_unwritable_hints_file_is_one_line_exit_3(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setenv("LABCHECK_HINTS_FILE", str(tmp_path / "no-such-folder" / "hints.json"))
    assert main(["hint", EX]) == 3
    err = capsys.readouterr().err
    assert "no-such-folder" in err and "LABCHECK_HINTS_FILE" in err and len(err.splitlines()) == 1


def test_cli_environment_error_is_one_line_exit_3(tmp_path):
    env = {"DOCKER_HOST": f"unix://{tmp_path}/none.sock", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "labcheck", "check", EX], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_assert_exercise_and_score_for_notebook_graders(tmp_path):
    import labcheck
    hints = str(tmp_path / "h.json")
    assert labcheck.assert_exercise(EX, snapshot=solved(), hints_file=hints).passed
    with pytest.raises(AssertionError) as info:
        labcheck.assert_exercise(EX, snapshot=solved(web_ip="0.0.0.0"), hints_file=hints)
    assert "0.0.0.0:8000" in str(info.value) and "\x1b[" not in str(info.value)
    assert labcheck.score(EX, snapshot=solved(), hints_file=hints) == 1.0
    assert labcheck.score(EX, snapshot=solved(web_ip="0.0.0.0"), out_of=16,
                          hints_file=hints) == 14.0


def test_a_snapshot_records_its_binding_for_later_grading():
    snap = solved()
    renamed = Snapshot(networks=snap.networks, containers=snap.containers, probes=snap.probes,
                       meta={"exercise": EX, "names": {"web": "web"}, "ports": {"8000": 8000}})
    from labcheck.grading import resolve_exercise
    assert resolve_exercise(EX, snapshot=renamed).binding.is_identity
    other = Snapshot(meta={"exercise": EX, "names": {"web": "web-9"}, "ports": {"8000": 18000}})
    bound = resolve_exercise(EX, snapshot=other)
    assert bound.binding.names == {"web": "web-9"} and bound.binding.ports == {8000: 18000}
