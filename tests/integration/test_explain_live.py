"""``labcheck explain`` and the reachability matrix against the real daemon.

Both outcomes are shown: a pair that reaches (exit 0) and pairs that do
not (exit 1), each confirmed by a live probe that agrees with the rules.
"""

from __future__ import annotations

import pytest

from labcheck.cli import main
from labcheck.live.reachability import explain_live, measure_matrix


@pytest.fixture
def pair(lab, name):
    """web and db on one user-defined network; lone on another; db serves port 5432."""
    lab.network(name("net"))
    lab.network(name("other"))
    lab.run(name("web"), network=name("net"))
    lab.run(name("db"), network=name("net"), aliases=["database"], http=5432)
    lab.run(name("lone"), network=name("other"))
    return name


def test_explain_reaches_by_name_and_the_probe_agrees(pair, capsys):
    code = main(["explain", pair("web"), pair("db"), "--port", "5432"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"share user-defined bridge network {pair('net')!r}" in out
    assert "the rules and the probe agree" in out
    assert f"reach {pair('db')}:5432 (TCP)" in out


def test_explain_isolated_networks_exit_1_with_the_fix(pair, capsys):
    code = main(["explain", pair("lone"), pair("db")])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "share no network" in out
    assert f"docker network connect {pair('net')} {pair('lone')}" in out
    assert "the rules and the probe agree" in out


def test_explain_refused_port_says_nothing_listens(pair, capsys):
    code = main(["explain", pair("db"), pair("web"), "--port", "5432"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "nothing listens on port 5432" in out
    assert "DISAGREE" not in out


def test_explain_unknown_container_exit_2_names_the_closest(pair, capsys):
    code = main(["explain", pair("web"), pair("dbb")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"Did you mean {pair('db')!r}" in err and "Traceback" not in err


def test_rules_and_probe_disagree_when_the_network_changes_behind_the_snapshot(pair, lab):
    """A stale snapshot says 'reachable'; the live probe, after a disconnect, says not."""
    from labcheck.live.collect import collect
    from labcheck.reachability import explain
    from labcheck.live.reachability import confirm

    snap = collect(lab.client, detail=[pair("web"), pair("db")])
    answer = explain(snap, pair("web"), pair("db"))
    assert answer.reachable
    lab.disconnect(pair("db"), pair("net"))
    verdict = confirm(lab.client, answer)
    assert verdict.probed and verdict.agrees is False and not verdict.reaches
    assert "DISAGREE" in verdict.lines()[-1]
    fresh = explain_live(lab.client, pair("web"), pair("db"))
    assert fresh.agrees and not fresh.reaches


def test_measured_matrix_shows_both_outcomes(pair, lab):
    names = [pair("web"), pair("db"), pair("lone")]
    matrix = measure_matrix(lab.client, names)
    assert matrix.cell(pair("web"), pair("db")).reaches is True
    assert matrix.cell(pair("db"), pair("web")).reaches is True
    assert matrix.cell(pair("lone"), pair("web")).reaches is False
    assert matrix.cell(pair("web"), pair("lone")).reaches is False
    assert matrix.disagreements == []
    assert "yes" in matrix.to_text() and "no" in matrix.to_text()
