"""Every probe kind, succeeding and failing, against real containers.

Failures stay on this machine: names that do not exist (the lab DNS answers
NXDOMAIN at once), a container on another network (blocked by Docker's
isolation rules), an unused address inside the test's own bridge subnet
(nothing answers ARP), closed ports on the host's loopback.
"""

from __future__ import annotations

import io
import tarfile

import pytest

from labcheck.live.collect import collect
from labcheck.images import find_static_busybox
from labcheck.ownership import PROBE_LABELS
from labcheck.probes import HostReach, HttpGet, Reach, ReadResolvConf, Resolve
from labcheck.live.probes import run_probes

pytestmark = pytest.mark.docker

TIMEOUT = 2


@pytest.fixture
def topology(lab, name):
    """front: web (HTTP on 80, published on 127.0.0.1), client; back: db (isolated)."""
    front = lab.network(name("front"), subnet="10.221.231.0/24")
    back = lab.network(name("back"))
    lab.run(name("web"), network=front, aliases=["www"], http=80,
            ports={80: ("127.0.0.1", None)})
    lab.run(name("client"), network=front)
    lab.run(name("db"), network=back, aliases=["database"])
    lab.run(name("stopped"), network=front, start=False)
    return {"front": front, "back": back}


def test_each_probe_kind_succeeds_and_fails(docker_client, topology, name, closed_port):
    before = collect(docker_client, detail=[name("web")])
    web, db = before.container(name("web")), before.container(name("db"))
    web_ip = web.endpoint(topology["front"]).ipv4
    db_ip = db.endpoint(topology["back"]).ipv4
    host_port = web.published()[0].host_port
    client = name("client")
    unused = "10.221.231.250"  # inside the front subnet, assigned to nobody
    cases = {
        # probe: (expected to succeed, words in the detail)
        Resolve(client, name=name("web")): (True, web_ip),
        Resolve(client, name="www"): (True, web_ip),
        Resolve(client, name=f"nosuch-{name('x')}"): (False, "NXDOMAIN"),
        Resolve(client, name=name("db")): (False, "does not resolve"),  # other network
        Resolve(client, name=name("web"), server=unused): (False, "in time"),
        Reach(client, target=name("web")): (True, "answers to ping"),
        Reach(client, target=web_ip): (True, "answers to ping"),
        Reach(client, target=db_ip): (False, "no answer"),  # isolated network
        Reach(client, target=unused): (False, "no answer"),
        Reach(client, target=name("db")): (False, "does not resolve"),
        Reach(client, target=name("web"), port=80): (True, "answers on port 80"),
        Reach(client, target=name("web"), port=81): (False, "refused the connection"),
        Reach(client, target=unused, port=80): (False, "no answer"),
        HttpGet(client, target="www", port=80): (True, "HTTP 200"),
        HttpGet(client, target="www", port=80, path="/missing"): (True, "HTTP 404"),
        HttpGet(client, target="www", port=81): (False, "refused"),
        HttpGet(client, target=name("db"), port=80): (False, "does not resolve"),
        ReadResolvConf(client): (True, "127.0.0.11"),
        HostReach(port=host_port): (True, "answers on the host"),
        HostReach(port=closed_port): (False, "connection refused"),
    }
    results = run_probes(docker_client, list(cases), timeout=TIMEOUT)
    for result in results:
        ok, words = cases[result.probe]
        assert result.ran, result
        assert result.succeeded is ok, (result.probe.describe(), result.detail, result.output)
        assert words in result.detail, (result.probe.describe(), result.detail, result.output)
    by_probe = {r.probe: r for r in results}
    assert by_probe[Resolve(client, name=name("web"))].addresses == (web_ip,)
    assert by_probe[HttpGet(client, target="www", port=80, path="/missing")].http_status == 404
    assert by_probe[ReadResolvConf(client)].nameservers == ("127.0.0.11",)


def test_probes_from_stopped_or_missing_containers_did_not_run(docker_client, topology, name):
    stopped, missing = name("stopped"), name("missing")
    probes = [Resolve(stopped, name=name("web")), ReadResolvConf(stopped),
              Reach(missing, target=name("web")), HttpGet(missing, target="www")]
    results = run_probes(docker_client, probes, timeout=TIMEOUT)
    for result in results[:2]:
        assert not result.ran and result.failed
        assert result.detail == f"container {stopped!r} is not running. Try: docker start {stopped}"
    for result in results[2:]:
        assert not result.ran and result.failed
        assert result.detail == f"container {missing!r} does not exist"


def test_probes_are_stored_in_the_snapshot(docker_client, topology, name):
    probe = Resolve(name("client"), name="www")
    snap = collect(docker_client, [probe], timeout=TIMEOUT)
    assert snap.probe_result(probe).succeeded
    assert snap.probe_result(Resolve(name("client"), name="other")) is None


# -- the sidecar fallback: an image without the tools --------------------------------------

@pytest.fixture
def toolless_image(docker_client, unique, lab):
    """An image with only /bin/busybox (no applet links): no sh, nslookup, ping, timeout."""
    busybox = find_static_busybox()
    if busybox is None:
        pytest.skip("no static busybox on this host")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(busybox, arcname="bin/busybox", recursive=False)
    tag = f"labcheck/toolless:test-{unique}"
    repository, _, version = tag.rpartition(":")
    docker_client.api.import_image_from_data(buffer.getvalue(), repository=repository,
                                             tag=version)
    yield tag
    lab.reset()  # its containers first, or the image would stay behind untagged
    docker_client.api.remove_image(tag, force=True)


def _helpers(docker_client) -> list[dict]:
    label = [f"{k}={v}" for k, v in PROBE_LABELS.items()]
    return docker_client.api.containers(all=True, filters={"label": label})


def test_sidecar_probes_from_a_container_without_tools(docker_client, lab, name, topology,
                                                       toolless_image):
    box = lab.run(name("bare"), network=topology["front"], image=toolless_image,
                  command=["/bin/busybox", "sleep", "600"])
    code, out = lab.exec(box, ["nslookup", "www"])
    assert code != 0  # the image really lacks the tool
    good, bad, ping = run_probes(docker_client, [
        Resolve(box, name="www"), Resolve(box, name=f"nosuch-{name('x')}"),
        Reach(box, target=name("web"), port=80)], timeout=TIMEOUT)
    assert good.ran and good.succeeded, good
    web_ip = collect(docker_client).container(name("web")).endpoint(topology["front"]).ipv4
    assert good.addresses == (web_ip,)  # resolved in bare's network namespace
    assert bad.ran and bad.failed and "NXDOMAIN" in bad.detail
    assert ping.succeeded, ping
    # this test's helpers (sharing bare's namespace) are gone afterwards
    modes = {(h.get("HostConfig") or {}).get("NetworkMode") for h in _helpers(docker_client)}
    assert f"container:{box}" not in modes


def test_host_reach_fails_when_the_port_is_published_but_nothing_listens(docker_client, lab,
                                                                           name):
    """docker-proxy accepts on a published port even with no server behind it."""
    net = lab.network(name("hr"))
    lab.run(name("silent"), network=net, ports={80: ("127.0.0.1", None)})
    lab.run(name("served"), network=net, http=80, ports={80: ("127.0.0.1", None)})
    snap = collect(docker_client)
    silent_port = snap.container(name("silent")).published()[0].host_port
    served_port = snap.container(name("served")).published()[0].host_port
    silent, served = run_probes(docker_client, [HostReach(port=silent_port),
                                                HostReach(port=served_port)])
    assert silent.ran and not silent.succeeded, silent
    assert "nothing answers behind it" in silent.detail
    assert served.succeeded, served
