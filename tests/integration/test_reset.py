"""reset(): removes only labelled objects of the lesson; never a foreign one.

Foreign objects (no labels, or another owner, or another lesson) are made
here with unique names and removed by the test itself. A lesson-less reset
is never run for real on the shared daemon (it would remove other tests'
objects): its selection is checked on the daemon's real listing instead.
"""

from __future__ import annotations

import pytest

from labcheck.ownership import LESSON_LABEL, OWNER_LABEL, lesson_labels, select_for_reset
from labcheck.live.ownership import reset

pytestmark = pytest.mark.docker


@pytest.fixture
def foreign(docker_client, name):
    """A user's own container and network (unlabelled), and look-alikes with partial labels."""
    api = docker_client.api
    made = {"containers": [], "networks": []}

    def network(base, labels=None):
        net = api.create_network(name(base), labels=labels)
        made["networks"].append(net["Id"])
        return name(base)

    def container(base, network_name, labels=None):
        box = api.create_container("labcheck/lab:1", ["sleep", "600"], name=name(base),
                                   labels=labels,
                                   host_config=api.create_host_config(network_mode=network_name))
        api.start(box["Id"])
        made["containers"].append(box["Id"])
        return name(base)

    net = network("users-net")
    objects = {
        "network": net,
        "container": container("users-box", net),
        "half-labelled": container("half", net, {LESSON_LABEL: "whatever"}),
        "other-owner": container("other-owner", net, {OWNER_LABEL: "someone",
                                                       LESSON_LABEL: "x"}),
        "owner-only-net": network("owner-only", {OWNER_LABEL: "labcheck"}),
    }
    yield objects
    for ident in made["containers"]:
        try:
            api.remove_container(ident, force=True)
        except Exception:  # noqa: BLE001 - cleanup of what the test made
            pass
    for ident in made["networks"]:
        try:
            api.remove_network(ident)
        except Exception:  # noqa: BLE001
            pass


def _exists(api, kind, ident) -> bool:
    import docker.errors

    try:
        (api.inspect_container if kind == "container" else api.inspect_network)(ident)
        return True
    except docker.errors.NotFound:
        return False


def test_reset_of_a_lesson_removes_its_objects_and_nothing_else(docker_client, lab, name,
                                                                  foreign, unique):
    api = docker_client.api
    other = type(lab)(f"test-other-{unique}", client=docker_client)
    try:
        mine_net = lab.network(name("mine"))
        lab.run(name("mine-a"), network=mine_net)
        lab.run(name("mine-b"), network=mine_net, start=False)
        # a foreign container on the lesson's network must survive it too
        api.connect_container_to_network(foreign["container"], mine_net)
        other_net = other.network(name("other-net"))
        other.run(name("other-box"), network=other_net)

        result = reset(docker_client, lesson=lab.lesson)

        assert result.containers == sorted([name("mine-a"), name("mine-b")])
        # the lesson's network is still used by the foreign container: never forced away
        assert result.networks == []
        assert len(result.errors) == 1 and result.errors[0].startswith(f"network {mine_net}:")
        assert f"could not remove network {mine_net}" in result.lines()[-1]
        for box in (name("mine-a"), name("mine-b")):
            assert not _exists(api, "container", box)
        for box in (foreign["container"], foreign["half-labelled"], foreign["other-owner"],
                    name("other-box")):
            assert _exists(api, "container", box), box
        for net in (foreign["network"], foreign["owner-only-net"], other_net):
            assert _exists(api, "network", net), net
        assert _exists(api, "network", mine_net)
    finally:
        lab.disconnect(foreign["container"], name("mine"))
        other.reset()
        lab.reset()
    assert not _exists(api, "network", name("mine"))


def test_reset_lines_say_what_was_removed(docker_client, lab, name):
    net = lab.network(name("net"))
    lab.run(name("box"), network=net)
    result = reset(docker_client, lesson=lab.lesson)
    assert result.lines() == [f"removed container {name('box')}", f"removed network {net}"]
    again = reset(docker_client, lesson=lab.lesson)
    assert not again.removed_anything
    assert again.lines() == ["nothing to remove: no labcheck containers or networks found"]


def test_lessonless_selection_spares_foreign_objects(docker_client, lab, name, foreign):
    """What `reset --all` would pick, from the daemon's real listing (nothing removed)."""
    api = docker_client.api
    net = lab.network(name("net"))
    lab.run(name("box"), network=net)
    plan = select_for_reset(api.containers(all=True), api.networks(), lesson=None)
    picked_containers = {n for _, n in plan.containers}
    picked_networks = {n for _, n in plan.networks}
    assert name("box") in picked_containers and net in picked_networks
    for box in (foreign["container"], foreign["half-labelled"], foreign["other-owner"]):
        assert box not in picked_containers
    for other in (foreign["network"], foreign["owner-only-net"], "bridge", "host", "none"):
        assert other not in picked_networks
    # every picked object really carries both labels
    labelled = {c["Id"]: c["Labels"] for c in api.containers(all=True)}
    for ident, _ in plan.containers:
        assert labelled[ident][OWNER_LABEL] == "labcheck" and LESSON_LABEL in labelled[ident]
    # and for one lesson, only that lesson
    only = select_for_reset(api.containers(all=True), api.networks(), lesson=lab.lesson)
    assert {n for _, n in only.containers} == {name("box")}
    assert {n for _, n in only.networks} == {net}


def test_select_for_reset_on_odd_entries():
    mine = lesson_labels("07")
    plan = select_for_reset(
        [{"Id": "a", "Names": ["/a"], "Labels": mine}, {"Id": "b", "Labels": None},
         {"Labels": mine}, "junk", {"Id": "c" * 64, "Labels": mine}],
        [{"Id": "n1", "Name": "net", "Labels": mine}, {"Id": "n2", "Name": "x", "Labels": []}],
        lesson="07")
    assert plan.containers == (("a", "a"), ("c" * 64, "c" * 12))
    assert plan.networks == (("n1", "net"),)
    assert select_for_reset([{"Id": "a", "Labels": mine}], [], lesson="08").containers == ()
