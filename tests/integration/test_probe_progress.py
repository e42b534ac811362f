"""run_probes and collect report progress as each probe finishes (real daemon)."""

from __future__ import annotations

from labcheck.live.collect import collect
from labcheck.probes import Reach, Resolve
from labcheck.live.probes import run_probes


def test_run_probes_reports_each_finished_probe(lab, name, docker_client):
    net = lab.network(name("net"))
    web, db = lab.run(name("web"), network=net), lab.run(name("db"), network=net)
    probes = [Resolve(web, db), Reach(web, db), Resolve(web, name("nobody")), Resolve(web, db)]
    seen: list[tuple[int, int, str]] = []
    results = run_probes(docker_client, probes, progress=lambda *e: seen.append(e))
    # duplicates run once: three distinct probes, reported 0..3 in order
    assert seen[0] == (0, 3, "running 3 probes")
    assert [e[0] for e in seen] == [0, 1, 2, 3] and all(e[1] == 3 for e in seen)
    assert {e[2] for e in seen[1:]} == {p.describe() for p in probes}
    assert [r.succeeded for r in results] == [True, True, False, True]


def test_collect_passes_progress_on(lab, name, docker_client):
    net = lab.network(name("net"))
    web = lab.run(name("web"), network=net)
    seen: list[tuple[int, int, str]] = []
    snap = collect(docker_client, [Resolve(web, web)], progress=lambda *e: seen.append(e))
    assert seen == [(0, 1, "running 1 probe"), (1, 1, Resolve(web, web).describe())]
    assert snap.probe_result(Resolve(web, web)).succeeded
