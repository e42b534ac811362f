"""Fixtures of ``06-port-taken`` (labcheck/exercises/06-port-taken.yaml)."""

from __future__ import annotations

from exercise_fixtures import free_port

from labcheck.lab import http_command
from labcheck.live.scenarios import scenario, wait_listening

EXERCISE = "06-port-taken"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def solution(lab, names) -> None:
    """The leftover removed, then the new blog started."""
    _broken(lab, names)
    lab.remove(names["old-blog"])
    api = lab.client.api
    if not api.inspect_container(names["blog"])["NetworkSettings"]["Networks"]:
        api.connect_container_to_network(names["blog"], "bridge")   # Engine 29: the failed
    api.start(names["blog"])                                         # start took it off
    wait_listening(lab, names["blog"], 80)


def started_on_no_network(lab, names) -> None:
    """The leftover removed and blog started, but on no network (as Engine 29 leaves a
    container whose start failed; made so here on every engine): nothing answers."""
    import contextlib

    import docker.errors

    _broken(lab, names)
    lab.remove(names["old-blog"])
    api = lab.client.api
    with contextlib.suppress(docker.errors.APIError):    # Engine 29: already on none
        api.disconnect_container_from_network(names["blog"], "bridge", force=True)
    api.start(names["blog"])


def other_host_port(lab, names) -> None:
    """blog re-created on another host port: the old blog still answers on 8066."""
    _broken(lab, names)
    lab.run(names["blog"], command=http_command(80, "new blog"),
            ports={80: ("127.0.0.1", free_port())})
    wait_listening(lab, names["blog"], 80)


def old_one_stopped_only(lab, names) -> None:
    """The old blog stopped, the new one never started: nothing answers."""
    _broken(lab, names)
    lab.client.api.stop(names["old-blog"], timeout=1)


BROKEN = {
    "started-on-no-network": (started_on_no_network, {
        "blog-published": "",
        "host-reaches-blog": "runs on no network",
    }),
    "other-host-port": (other_host_port, {
        "blog-published": "publishes port 80 on host port",
        "host-reaches-blog": "",
    }),
    "old-one-stopped-only": (old_one_stopped_only, {
        "blog-running": "docker start",
        "blog-published": "publishes no ports",
        "host-reaches-blog": "",
    }),
}
