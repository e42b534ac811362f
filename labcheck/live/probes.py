"""run_probes(): the probe runner, which asks a daemon the probes' questions.

The probe specs and how their output reads are pure (:mod:`labcheck.probes`);
this module runs them. Container probes run with ``docker exec``, bounded in
time *inside* the container (``timeout N ...``); one container's probes run
side by side in one exec. A container whose image lacks the tool (nginx,
redis) is probed from a throw-away lab container that shares its network
namespace. A probe runs only in the running container with exactly the name it
gives (never one whose id starts with those letters); from a stopped, missing
or other container it is a result that did not run, with the reason, never an
exception. :class:`~labcheck.probes.HostReach`
connects from this machine to a loopback address only.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

from ..probes import (
    DEFAULT_TIMEOUT,
    ContainerProbe,
    HostLinks,
    HostNet,
    HostReach,
    Probe,
    ProbeResult,
    ReachStandIn,
    batch_script,
    group_by_container,
    lacks_tool,
    parse_batch,
)
from ..progress import notify
from .evidence import exact_container, run_stand_in_probes
from .execs import ExecResult, decode, run_in

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from ..progress import ProgressCallback

__all__ = ["run_probes"]


def run_probes(client: "docker.DockerClient", probes: Sequence[Probe], *,
               timeout: int = DEFAULT_TIMEOUT, max_workers: int = 8,
               lab_image: str | None = None,
               progress: "ProgressCallback | None" = None) -> tuple[ProbeResult, ...]:
    """Run ``probes`` concurrently; return one result per probe, in order.

    ``lab_image`` is used to probe from containers whose image lacks the
    tools (shares the container's network namespace); default: the lab image.
    ``progress(done, total, message)`` is called (from this thread) before
    the first probe and as each one finishes (see :mod:`labcheck.progress`).
    """
    if not probes:
        return ()
    from concurrent.futures import ThreadPoolExecutor, as_completed  # not at import: logging

    if lab_image is None:
        from ..images import LAB_IMAGE
        lab_image = LAB_IMAGE
    unique = list(dict.fromkeys(probes))
    total = len(unique)
    notify(progress, 0, total, f"running {total} probe{'s' if total != 1 else ''}")
    done: dict[Probe, ProbeResult] = {}
    stand_ins = [p for p in unique if isinstance(p, ReachStandIn)]
    if stand_ins:  # one local stand-in for all of them (see labcheck.live.evidence)
        for result in run_stand_in_probes(
                client, stand_ins, timeout=timeout, lab_image=lab_image,
                run=lambda ps: run_probes(client, ps, timeout=timeout, lab_image=lab_image)):
            done[result.probe] = result
            notify(progress, len(done), total, result.probe.describe())
        unique = [p for p in unique if not isinstance(p, ReachStandIn)]
    groups = group_by_container(unique)
    workers = max(1, min(max_workers, len(groups)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="labcheck-probe") as pool:
        futures = {pool.submit(_run_group, client, group, timeout, lab_image): group
                   for group in groups}
        for future in as_completed(futures):
            for result in future.result():
                done[result.probe] = result
                notify(progress, len(done), total, result.probe.describe())
    return tuple(done[p] for p in probes)


def _run_group(client: "docker.DockerClient", group: list[Probe], timeout: int,
               lab_image: str) -> list[ProbeResult]:
    """Results for ``group``: one probe alone, or one container's probes in one exec."""
    if len(group) == 1:
        return [_run_one(client, group[0], timeout, lab_image)]
    started = time.monotonic()
    results = _exec_batch(client, [p for p in group if isinstance(p, ContainerProbe)],
                          timeout, lab_image)
    elapsed = (time.monotonic() - started) * 1000
    return [_with_duration(r, elapsed) for r in results]


def _run_one(client: "docker.DockerClient", probe: Probe, timeout: int,
             lab_image: str) -> ProbeResult:
    started = time.monotonic()
    if isinstance(probe, HostReach):
        result = _host_reach(probe, timeout)
    elif isinstance(probe, HostLinks):
        result = _host_links(client, probe, timeout)
    elif isinstance(probe, HostNet):
        result = _on_host(client, probe, probe.command(), timeout)
    elif isinstance(probe, ContainerProbe):
        result = _exec_probe(client, probe, timeout, lab_image)
    else:
        result = ProbeResult(probe, ran=False, succeeded=False,
                             detail=f"unknown probe {type(probe).__name__}")
    return _with_duration(result, (time.monotonic() - started) * 1000)


def _with_duration(result: ProbeResult, ms: float) -> ProbeResult:
    return replace(result, duration_ms=ms)


def _host_reach(probe: HostReach, timeout: int) -> ProbeResult:
    """Connect from the host, asking again until ``timeout`` runs out while nothing
    answers yet (a server that was started a moment ago may still be binding)."""
    try:
        loopback = ipaddress.ip_address(probe.host).is_loopback
    except ValueError:
        loopback = probe.host == "localhost"
    if not loopback:
        return ProbeResult(probe, ran=False, succeeded=False,
                           detail=f"labcheck probes only loopback addresses, not {probe.host}")
    deadline = time.monotonic() + timeout
    while True:
        result = _host_connect(probe, timeout)
        if result.succeeded or time.monotonic() + _RETRY_WAIT >= deadline:
            return result
        time.sleep(_RETRY_WAIT)


def _host_links(client: "docker.DockerClient", probe: HostLinks, timeout: int) -> ProbeResult:
    """``ip -o link`` as root on the Docker host, or why it cannot run there."""
    return _on_host(client, probe, probe.COMMAND, timeout)


def _on_host(client: "docker.DockerClient", probe: HostLinks | HostNet, command: str,
             timeout: int) -> ProbeResult:
    """``command`` as root on the Docker host, read by ``probe``; or why it cannot run there."""
    from ..errors import EnvironmentProblem
    from .dockerhost import docker_host

    host = docker_host(client)
    if not host.access().ok:
        return ProbeResult(probe, ran=False, succeeded=False, detail=str(host.access()))
    try:
        done = host.run(command, timeout=max(timeout, 30))
    except EnvironmentProblem as exc:
        return ProbeResult(probe, ran=False, succeeded=False, detail=str(exc))
    return probe.interpret(done.exit_code, done.stdout + done.stderr)


#: Seconds between two connections of a host probe that found nothing answering yet.
_RETRY_WAIT = 0.25


def _host_connect(probe: HostReach, timeout: int) -> ProbeResult:
    """One connection from the host to ``probe``'s address and port."""
    try:
        with socket.create_connection((probe.host, probe.port), timeout=timeout) as conn:
            closed_at_once = _closed_at_once(conn)
    except OSError as exc:
        reason = "connection refused" if isinstance(exc, ConnectionRefusedError) else str(exc)
        return ProbeResult(probe, ran=True, succeeded=False,
                           detail=f"{probe.host}:{probe.port} does not answer on the host: "
                                  f"{reason}")
    if closed_at_once:
        return ProbeResult(probe, ran=True, succeeded=False,
                           detail=f"{probe.host}:{probe.port} is published but nothing answers "
                                  "behind it: the connection was closed at once (is the server "
                                  "in the container running and listening on that port?)")
    return ProbeResult(probe, ran=True, succeeded=True,
                       detail=f"{probe.host}:{probe.port} answers on the host")


#: How long the host waits to see whether a fresh connection is closed at once.
_CLOSE_WAIT = 0.15


def _closed_at_once(conn: socket.socket) -> bool:
    """Whether the peer closed a just-opened connection without a word.

    Docker's userland proxy accepts on a published port even when nothing
    listens in the container, then closes as soon as its own connection to
    the container is refused. A real server either waits for the request
    (no data within the wait) or greets (data): both count as answering.
    """
    conn.settimeout(_CLOSE_WAIT)
    try:
        return conn.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:  # reset by the proxy
        return True


def _exec(client: "docker.DockerClient", container: str,
          command: list[str]) -> ExecResult | str:
    """How ``command`` run in ``container`` ended, or why it could not run."""
    import docker.errors

    api = client.api
    ident, why = exact_container(api, container)
    if ident is None:
        return why
    try:
        return run_in(client, ident, command)
    except docker.errors.APIError as exc:
        ident, why = exact_container(api, container)  # gone or stopped since?
        if ident is None:
            return why
        return f"could not run the probe in {container!r}: {exc.explanation or exc}"


def _exec_probe(client: "docker.DockerClient", probe: ContainerProbe, timeout: int,
                lab_image: str) -> ProbeResult:
    ran = _exec(client, probe.container, probe.command(timeout))
    if isinstance(ran, str):
        return ProbeResult(probe, ran=False, succeeded=False, detail=ran)
    if lacks_tool(ran.exit_code, ran.output):
        return _sidecar_probe(client, probe, timeout, lab_image)
    return probe.interpret(ran.exit_code, ran.output)


def _exec_batch(client: "docker.DockerClient", probes: list[ContainerProbe], timeout: int,
                lab_image: str) -> list[ProbeResult]:
    """One container's probes in one exec, run side by side inside it.

    One exec instead of one per probe spares the daemon a process start
    each. A container without a shell, or a probe whose tool is missing,
    falls back to probing one by one (and so to the lab-image sidecar).
    """
    container = probes[0].container
    ran = _exec(client, container,
                ["sh", "-c", batch_script([p.command(timeout) for p in probes])])
    if isinstance(ran, str):
        return [ProbeResult(p, ran=False, succeeded=False, detail=ran) for p in probes]
    if lacks_tool(ran.exit_code, ran.output):
        return [_exec_probe(client, p, timeout, lab_image) for p in probes]
    parsed = parse_batch(ran.output)
    results = []
    for index, probe in enumerate(probes):
        if index not in parsed or lacks_tool(*parsed[index]):
            results.append(_exec_probe(client, probe, timeout, lab_image))
        else:
            results.append(probe.interpret(*parsed[index]))
    return results


def _sidecar_probe(client: "docker.DockerClient", probe: ContainerProbe, timeout: int,
                   lab_image: str) -> ProbeResult:
    """Run the probe in a lab container that shares ``probe.container``'s network."""
    import docker.errors

    from ..ownership import PROBE_LABELS

    api = client.api
    ident, why = exact_container(api, probe.container)
    if ident is None:
        return ProbeResult(probe, ran=False, succeeded=False, detail=why)
    try:
        box = api.create_container(
            lab_image, probe.command(timeout), labels=dict(PROBE_LABELS),
            host_config=api.create_host_config(network_mode=f"container:{ident}"))
    except docker.errors.APIError as exc:
        return ProbeResult(probe, ran=False, succeeded=False,
                           detail=f"container {probe.container!r} has no probe tools and the "
                                  f"lab image {lab_image!r} could not stand in: "
                                  f"{exc.explanation or exc}")
    try:
        api.start(box["Id"])
        exit_code = int(api.wait(box["Id"], timeout=timeout + 10).get("StatusCode", -1))
        output = decode(api.logs(box["Id"], stdout=True, stderr=True))
    except Exception as exc:  # noqa: BLE001 - reported as a probe that did not run
        return ProbeResult(probe, ran=False, succeeded=False,
                           detail=f"probe helper for {probe.container!r} failed: {exc}")
    finally:
        with contextlib.suppress(docker.errors.APIError):
            api.remove_container(box["Id"], force=True)
    return probe.interpret(exit_code, output)

