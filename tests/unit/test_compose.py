"""Compose objects in exercises: parsed from ``objects:``, kept out of suffix
naming (their project is suffixed instead), and resolved through Compose's labels
in a Snapshot -- containers and networks mapped, names looked up in DNS left alone."""

from __future__ import annotations

import pytest

from labcheck.compose import (
    NETWORK_LABEL,
    NUMBER_LABEL,
    ONEOFF_LABEL,
    PROJECT_LABEL,
    SERVICE_LABEL,
    ComposeRef,
    resolve_names,
)
from labcheck.exercises import ExerciseFileError, load_exercise, parse_exercise
from labcheck.grading import grade, resolve_exercise
from labcheck.probes import ProbeResult, Reach, Resolve
from labcheck.snapshot import Container, Endpoint, Network, Snapshot

EXERCISE = """\
id: c
title: Compose
objects:
  containers:
    - {service: web, project: shop}
    - {name: shop-db, service: db, project: shop}
    - plain
  networks:
    - {network: back, project: shop}
checks:
  - {id: on-back, kind: attached, container: shop-db, network: back}
  - {id: web-finds-db, kind: resolves, from: web, name: db, to: shop-db}
  - {id: isolated, kind: cannot_reach, from: web, to: shop-db, via: ip, port: 80}
  - {id: plain-runs, kind: container_running, container: plain}
  - {id: front, kind: network_exists, network: front}
"""


def service(name, project, key, *endpoints, number="1", oneoff="False"):
    return Container(name, name * 3, state="running", endpoints=tuple(endpoints),
                     labels={PROJECT_LABEL: project, SERVICE_LABEL: key, NUMBER_LABEL: number,
                             ONEOFF_LABEL: oneoff})


def network(name, project, key):
    return Network(name, name * 3, "bridge", labels={PROJECT_LABEL: project, NETWORK_LABEL: key})


def shop(project="shop"):
    return Snapshot(
        networks=(network(f"{project}_back", project, "back"),
                  network(f"{project}_default", project, "default")),
        containers=(service(f"{project}-web-1", project, "web",
                            Endpoint(f"{project}_default", ipv4="10.214.0.2")),
                    service("custom-db", project, "db",
                            Endpoint(f"{project}_back", ipv4="10.214.1.3"))))


def test_objects_become_compose_refs_and_stay_out_of_the_named_objects():
    ex = parse_exercise(EXERCISE, "c.yaml")
    assert ex.compose == (ComposeRef("web", "service", "shop", "web"),
                          ComposeRef("shop-db", "service", "shop", "db"),
                          ComposeRef("back", "network", "shop", "back"))
    assert ex.container_names == ("plain",) and ex.networks == ("front",)
    assert ex.projects == ("shop",)
    # a suffix names the project, the plain objects, never a Compose object
    assert ex.binding_for(suffix="x1").names == {"front": "front-x1", "plain": "plain-x1",
                                                 "shop": "shop-x1"}


def test_resolved_maps_containers_and_networks_but_not_looked_up_names():
    ex = parse_exercise(EXERCISE, "c.yaml").resolved(shop())
    assert ex.check("on-back").params == {"container": "custom-db", "network": "shop_back",
                                          "only": False}
    finds = ex.check("web-finds-db").params
    assert (finds["from"], finds["name"], finds["to"]) == ("shop-web-1", "db", "custom-db")
    isolated = ex.check("isolated").params  # via: ip makes 'to' a container
    assert (isolated["from"], isolated["to"]) == ("shop-web-1", "custom-db")
    assert ex.compose == () and ex.resolved(shop()) is ex  # once only
    assert ex.binding.names["web"] == "shop-web-1"


def test_the_bound_project_is_the_one_looked_for():
    ex = resolve_exercise(parse_exercise(EXERCISE, "c.yaml"), suffix="x1")
    assert ex.compose, "binding leaves Compose objects to each snapshot graded"
    ex = ex.resolved(shop("shop-x1"))
    assert ex.check("on-back").params == {"container": "custom-db", "network": "shop-x1_back",
                                          "only": False}
    assert ex.check("plain-runs").params["container"] == "plain-x1"


def test_missing_objects_get_the_names_compose_would_give():
    ex = parse_exercise(EXERCISE, "c.yaml").resolved(Snapshot())
    assert ex.check("on-back").params == {"container": "shop-db-1", "network": "shop_back",
                                          "only": False}
    report = grade(parse_exercise(EXERCISE, "c.yaml"), Snapshot())
    assert "'shop-db-1'" in report.result("on-back").message


def test_scaled_services_take_the_first_and_one_off_containers_are_left_out():
    snap = Snapshot(containers=(service("shop-web-2", "shop", "web", number="2"),
                                service("shop-web-run-1", "shop", "web", number="1",
                                        oneoff="True"),
                                service("shop-web-1", "shop", "web", number="1"),
                                service("blog-web-1", "blog", "web")))
    web = ComposeRef("web", "service", "shop", "web")
    assert web.find(snap) == "shop-web-1"
    assert web.find(snap, "blog") == "blog-web-1"
    assert ComposeRef("web", "service", "other", "web").find(snap) is None
    assert resolve_names([web], snap, {"shop": "blog"}) == {"web": "blog-web-1"}


def test_grade_resolves_on_the_snapshot_it_grades():
    snap = shop()
    results = (ProbeResult(Resolve("shop-web-1", "db"), ran=True, succeeded=True,
                           addresses=("10.214.1.3",)),
               ProbeResult(Reach("shop-web-1", "10.214.1.3", port=80), ran=True,
                           succeeded=False, detail="no answer"))
    report = grade(parse_exercise(EXERCISE, "c.yaml"), snap.with_probes(results))
    assert report.result("on-back").passed
    assert report.result("web-finds-db").passed, report.result("web-finds-db").message
    assert report.result("isolated").passed, report.result("isolated").message
    assert not report.result("plain-runs").passed


@pytest.mark.parametrize(("entry", "fragment"), [
    ("{service: web}", "needs 'project'"),
    ("{project: shop}", "needs 'service'"),
    ("{service: web, project: shop, port: 80}", "unknown key"),
    ("{network: web, project: shop}", "unknown key"),
    ("[web]", "expected a name, or a mapping"),
])
def test_bad_compose_entries_are_named(entry, fragment):
    text = f"id: c\ntitle: C\nobjects:\n  containers:\n    - {entry}\n" \
           "checks:\n  - {id: a, kind: container_running, container: web}\n"
    with pytest.raises(ExerciseFileError, match=fragment) as caught:
        parse_exercise(text, "c.yaml")
    assert "c.yaml, line 5" in str(caught.value)


def test_two_compose_objects_with_one_name_are_refused():
    text = ("id: c\ntitle: C\nobjects:\n  containers:\n    - {service: web, project: shop}\n"
            "    - {service: web, project: blog}\n"
            "checks:\n  - {id: a, kind: container_running, container: web}\n")
    with pytest.raises(ExerciseFileError, match="same name"):
        parse_exercise(text, "c.yaml")


def test_packaged_compose_exercises_name_their_projects():
    assert load_exercise("08-compose-tiers").projects == ("shop",)
    shared = load_exercise("08-shared-network")
    assert shared.projects == ("shop", "blog") and shared.networks == ("shared",)


def test_failing_compose_checks_point_at_the_compose_file_and_plain_ones_do_not():
    flat = Snapshot(networks=shop().networks, containers=(
        service("shop-web-1", "shop", "web", Endpoint("shop_default", ipv4="10.214.0.2")),
        service("shop-db-1", "shop", "db", Endpoint("shop_default", ipv4="10.214.0.3"))))
    report = grade(parse_exercise(EXERCISE, "c.yaml"), flat)
    on_back = report.result("on-back").full_message
    assert "Change the compose file, then: docker compose -p shop up -d" in on_back, on_back
    assert "by hand, until the next up: docker network connect shop_back shop-db-1" in on_back
    plain = report.result("front").full_message
    assert "compose" not in plain and "Try: docker network create front" in plain
    missing = grade(parse_exercise(EXERCISE, "c.yaml"), Snapshot()).result("on-back").full_message
    assert "Is the service in the compose file? Then: docker compose -p shop up -d" in missing
    suffixed = grade(resolve_exercise(parse_exercise(EXERCISE, "c.yaml"), suffix="x1"), flat)
    assert "docker compose -p shop-x1 up -d" in suffixed.result("on-back").full_message


def _submission(tmp_path, student, db_name, net_id):
    from labcheck.batch import submission

    def long_id(text):
        return (text * 64)[:64]

    nets = tuple(Network(f"shop_{key}", long_id(net_id + key), "bridge",
                         labels={PROJECT_LABEL: "shop", NETWORK_LABEL: key})
                 for key in ("front", "back"))
    db = Container(db_name, long_id(student), state="running",
                   endpoints=(Endpoint("shop_back", ipv4="10.214.1.3"),),
                   labels={PROJECT_LABEL: "shop", SERVICE_LABEL: "db", NUMBER_LABEL: "1"})
    snap = Snapshot(networks=nets, containers=(db,),
                    meta={"exercise": "08-compose-tiers", "names": {}, "ports": {}})
    path = tmp_path / f"{student}.json"
    submission(snap, load_exercise("08-compose-tiers"), student=student).save(path)
    return path


def test_batch_grading_finds_each_submissions_own_compose_objects(tmp_path):
    from labcheck.batch import grade_files

    first = _submission(tmp_path, "ann", "ann-db", "a")
    second = _submission(tmp_path, "ben", "shop-db-1", "b")
    copied = _submission(tmp_path, "cal", "cal-db", "a")      # ann's network ids
    result = grade_files([first, second, copied])
    reports = {g.student: g.report for g in result.graded}
    for student, name in (("ann", "ann-db"), ("ben", "shop-db-1"), ("cal", "cal-db")):
        assert reports[student].result("db-on-back-only").passed, student
        assert f"'{name}'" in reports[student].result("db-on-back-only").message
    flags = {g.student: g.flags for g in result.graded}
    assert flags["ben"] == () and "cal" in flags["ann"][0] and "ann" in flags["cal"][0]
