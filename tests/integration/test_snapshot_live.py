"""collect() on a live topology, and its constant number of API calls."""

from __future__ import annotations

import pytest

from labcheck.live.collect import collect
from labcheck.live.daemon import connect
from labcheck.snapshot import Snapshot

pytestmark = pytest.mark.docker


@pytest.fixture
def live(lab, name):
    front = lab.network(name("front"), subnet="10.221.232.0/24", gateway="10.221.232.1")
    back = lab.network(name("back"), internal=True)
    lab.run(name("web"), network=front, aliases=["www", "site"], ip="10.221.232.10", http=80,
            ports={80: ("127.0.0.1", None)}, hostname="webhost")
    lab.run(name("api"), network=front, networks=[back])
    lab.connect(name("api"), back, aliases=["backend"])
    lab.run(name("db"), network=back)
    lab.run(name("stopped"), network=front)
    lab.client.api.stop(name("stopped"), timeout=0)
    lab.run(name("hostmode"), network_mode="host")
    lab.run(name("nonemode"), network_mode="none")
    lab.run(name("sidecar"), network_mode=f"container:{name('web')}")
    return {"front": front, "back": back}


def test_snapshot_of_a_live_topology(docker_client, live, name):
    snap = collect(docker_client, detail=[name("web"), name("api")])
    front, back = snap.network(live["front"]), snap.network(live["back"])
    assert front.subnets == ("10.221.232.0/24",) and front.gateways == ("10.221.232.1",)
    assert back.is_internal and not front.is_internal and front.has_embedded_dns
    web = snap.container(name("web"))
    assert web.is_running and web.hostname == "webhost"
    endpoint = web.endpoint(live["front"])
    assert endpoint.ipv4 == "10.221.232.10" and endpoint.ipv4_prefix == 24
    assert {"www", "site"} <= set(endpoint.aliases)
    [published] = web.published()
    assert published.host_ip == "127.0.0.1" and published.container_port == 80
    assert published.is_loopback_only and published.host_port > 0
    api = snap.container(name("api"))
    assert set(api.networks) == {live["front"], live["back"]}
    assert "backend" in api.endpoint(live["back"]).aliases
    # not in detail: the list endpoint's data, aliases unknown (None), not guessed
    db = snap.container(name("db"))
    assert db.endpoint(live["back"]).aliases is None and db.hostname is None
    stopped = snap.container(name("stopped"))
    assert stopped.state == "exited" and not stopped.is_running
    assert snap.container(name("hostmode")).network_mode == "host"
    assert snap.container(name("nonemode")).network_mode == "none"
    sidecar = snap.container(name("sidecar"))
    assert snap.namespace_owner(sidecar).name == name("web")
    assert {c.name for c in snap.containers_on(live["back"])} == {name("api"), name("db")}
    assert snap.owning_network("10.221.232.10") == front
    assert snap.engine_version and snap.api_version and snap.taken_at
    # the round trip of a live snapshot
    assert Snapshot.loads(snap.dumps()) == snap


class _Counter:
    """Counts the HTTP requests a docker client sends."""

    def __init__(self, client) -> None:
        self.paths: list[str] = []
        send = client.api.send

        def counting(request, **kwargs):
            self.paths.append(request.path_url.split("?")[0])
            return send(request, **kwargs)

        client.api.send = counting


def _calls(client, **kwargs) -> tuple[int, Snapshot]:
    counter = _Counter(client)
    snap = collect(client, **kwargs)
    del client.api.send  # back to the class's method
    return len(counter.paths), snap


def test_collect_api_calls_do_not_grow_with_containers(lab, name):
    client = connect()
    try:
        net = lab.network(name("many"))
        for index in range(5):
            lab.run(name(f"c{index}"), network=net, start=False)
        detail = [name("c0"), name("c1")]
        few_plain, few = _calls(client)
        few_detail, _ = _calls(client, detail=detail)
        for index in range(5, 50):
            lab.run(name(f"c{index}"), network=net, start=False)
        many_plain, many = _calls(client)
        many_detail, _ = _calls(client, detail=detail)
    finally:
        client.close()
    assert len(many.containers_on(net)) == len(few.containers_on(net)) + 45 == 50
    assert few_plain == many_plain == 3  # /version, /networks, /containers/json
    assert few_detail == many_detail == 3 + len(detail)  # one inspect per detailed container


def test_a_container_another_one_links_to_keeps_its_own_name(docker_client, lab, name):
    """``--link`` adds the link's name (``/web/db``) to the target's ``Names``, in no fixed
    order; the snapshot still knows the target by its own name, listed and inspected."""
    from labcheck.images import LAB_IMAGE

    db = docker_client.containers.run(LAB_IMAGE, ["sleep", "300"], name=name("db"),
                                      detach=True, labels=lab.labels)
    docker_client.containers.run(LAB_IMAGE, ["sleep", "300"], name=name("web"), detach=True,
                                 labels=lab.labels, links={db.name: "database"})
    listed = docker_client.api.containers(filters={"id": db.id})[0]["Names"]
    assert f"/{name('web')}/database" in listed  # the link's name is there to be confused by
    for detail in ([], [name("db")]):
        snap = collect(docker_client, detail=detail)
        assert snap.container(name("db")).is_running
        assert snap.container(name("web")).is_running
