"""Lab: labelled, idempotent creation, and refusal to touch foreign objects."""

from __future__ import annotations

import pytest

from labcheck.errors import ObjectNotFound, UsageError
from labcheck.ownership import LESSON_LABEL, OWNER_LABEL

pytestmark = pytest.mark.docker


def test_running_a_cell_twice_meets_no_conflict(docker_client, lab, name):
    api = docker_client.api
    for _ in range(2):  # a student re-running the same cell
        net = lab.network(name("net"), subnet="10.221.240.0/24")
        lab.run(name("web"), network=net, aliases=["www"], ip="10.221.240.10", http=80)
        lab.run(name("db"), network=net)
        lab.connect(name("db"), net, aliases=["database"])
        lab.connect(name("db"), net, aliases=["database"])
    nets = [n for n in api.networks(names=[name("net")]) if n["Name"] == name("net")]
    assert len(nets) == 1
    web = api.inspect_container(name("web"))
    assert web["State"]["Running"]
    assert web["NetworkSettings"]["Networks"][net]["IPAddress"] == "10.221.240.10"
    assert "www" in web["NetworkSettings"]["Networks"][net]["Aliases"]
    db = api.inspect_container(name("db"))
    assert "database" in db["NetworkSettings"]["Networks"][net]["Aliases"]
    for attrs in (web["Config"]["Labels"], nets[0]["Labels"]):
        assert attrs[OWNER_LABEL] == "labcheck" and attrs[LESSON_LABEL] == lab.lesson
    code, out = lab.exec(name("db"), ["wget", "-q", "-O", "-", "http://www:80/"])
    assert code == 0 and "labcheck lab image" in out


def test_recreating_a_network_replaces_the_labs_containers_on_it(docker_client, lab, name):
    net = lab.network(name("net"))
    lab.run(name("box"), network=net)
    lab.network(name("net"))  # again: the old network and this lab's box on it go
    names = {c["Names"][0].lstrip("/") for c in docker_client.api.containers(all=True)}
    assert name("box") not in names


@pytest.fixture
def foreign_objects(docker_client, name):
    api = docker_client.api
    net = api.create_network(name("theirs"))
    box = api.create_container("labcheck/lab:1", ["sleep", "600"], name=name("theirs"),
                               host_config=api.create_host_config(network_mode=name("theirs")))
    yield name("theirs"), box["Id"], net["Id"]
    api.remove_container(box["Id"], force=True)
    api.remove_network(net["Id"])


def test_refuses_a_foreign_container_and_network_of_the_same_name(docker_client, lab,
                                                                   foreign_objects):
    same_name, box_id, net_id = foreign_objects
    with pytest.raises(UsageError, match=rf"container named '{same_name}' already exists and "
                                         rf"was not created by lesson"):
        lab.run(same_name)
    with pytest.raises(UsageError, match=rf"network named '{same_name}' already exists"):
        lab.network(same_name)
    with pytest.raises(UsageError, match="not created by lesson"):
        lab.remove(same_name)
    assert docker_client.api.inspect_container(box_id)["Id"] == box_id
    assert docker_client.api.inspect_network(net_id)["Id"] == net_id


def test_another_lessons_object_is_foreign_too(docker_client, lab, name, unique):
    other = type(lab)(f"test-else-{unique}", client=docker_client)
    try:
        other.run(name("shared"))
        with pytest.raises(UsageError, match="not created by lesson"):
            lab.run(name("shared"))
        assert docker_client.api.inspect_container(name("shared"))["State"]["Running"]
    finally:
        other.reset()


def test_errors_name_the_object(lab, name):
    with pytest.raises(UsageError, match=rf"cannot run container '{name('x')}'"):
        lab.run(name("x"), network=name("no-such-net"))
    with pytest.raises(ObjectNotFound):
        lab.exec(name("nobody"), ["true"])
    with pytest.raises(ObjectNotFound, match="cannot connect"):
        lab.connect(name("nobody"), "bridge")
    assert lab.remove(name("nobody")) is False
    lab.disconnect(name("nobody"), "bridge")  # nothing to do, no error


def test_ports_command_and_stopped(docker_client, lab, name):
    net = lab.network(name("net"))
    lab.run(name("web"), network=net, http=8080, http_text="hello 'there'",
            ports={8080: ("127.0.0.1", None)})
    lab.run(name("idle"), network=net, start=False)
    attrs = docker_client.api.inspect_container(name("web"))
    binding = attrs["NetworkSettings"]["Ports"]["8080/tcp"][0]
    assert binding["HostIp"] == "127.0.0.1" and int(binding["HostPort"]) > 0
    assert docker_client.api.inspect_container(name("idle"))["State"]["Status"] == "created"
    code, out = lab.exec(name("web"), ["wget", "-q", "-O", "-", "http://127.0.0.1:8080/"])
    assert code == 0 and out == "hello 'there'\n"
