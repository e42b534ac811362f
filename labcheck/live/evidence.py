"""Evidence from the named object, on the live side of the probe runner.

Two pieces the probe runner uses:

- :func:`exact_container`: the id of the running container with exactly the
  name a probe gives. The daemon itself would take ``cafe`` for any
  container whose id starts with those letters; a probe must run in the
  container the check names, or not at all.
- :func:`run_stand_in_probes`: builds the local stand-in a
  :class:`~labcheck.probes.ReachStandIn` asks for (a labelled lab container
  on the default bridge, published on the bridge's gateway address only),
  runs plain TCP reaches to it, and removes it.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..probes import Listening, Probe, ProbeResult, ReachStandIn
from .execs import run_in

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["exact_container", "run_stand_in_probes"]

#: The port the stand-in serves HTTP on, inside it.
_STAND_IN_PORT = 80


def exact_container(api: "docker.APIClient", name: str) -> tuple[str | None, str]:
    """(id, "") of the running container named exactly ``name``, or (None, why not)."""
    import docker.errors

    try:
        attrs = api.inspect_container(name)
    except docker.errors.NotFound:
        return None, f"container {name!r} does not exist"
    except docker.errors.APIError as exc:
        return None, f"could not read container {name!r}: {exc.explanation or exc}"
    real = str(attrs.get("Name") or "").lstrip("/")
    if real != name:
        return None, (f"no container is named {name!r} (the daemon would take container "
                      f"{real!r}, whose id starts with {name!r}; labcheck probes only the "
                      f"container with exactly that name)")
    state = attrs.get("State") or {}
    if not state.get("Running") or state.get("Paused") or state.get("Restarting"):
        return None, f"container {name!r} is not running. Try: docker start {name}"
    return str(attrs.get("Id")), ""


def run_stand_in_probes(client: "docker.DockerClient", probes: Sequence[ReachStandIn], *,
                        timeout: int, lab_image: str,
                        run: Callable[[Sequence[Probe]], Sequence[ProbeResult]]
                        ) -> list[ProbeResult]:
    """Results of ``probes``: one stand-in is built for all of them, then removed.

    ``run`` runs ordinary probes (the runner itself), so a reach to the
    stand-in goes the same way as any other.
    """
    import docker.errors

    from ..lab import http_command
    from ..ownership import PROBE_LABELS

    api = client.api
    box: dict[str, Any] | None = None
    try:
        ipam = (api.inspect_network("bridge").get("IPAM") or {}).get("Config") or []
        gateway = next((c.get("Gateway") for c in ipam if c.get("Gateway")
                        and ":" not in c["Gateway"]), None)
        if gateway is None:
            raise RuntimeError("the default bridge has no IPv4 gateway")
        box = api.create_container(
            lab_image, http_command(_STAND_IN_PORT), labels=dict(PROBE_LABELS),
            ports=[_STAND_IN_PORT],
            host_config=api.create_host_config(
                port_bindings={_STAND_IN_PORT: (gateway, None)}))
        api.start(box["Id"])
        attrs = api.inspect_container(box["Id"])
        settings = attrs.get("NetworkSettings") or {}
        address = ((settings.get("Networks") or {}).get("bridge") or {}).get("IPAddress")
        host_port = int(((settings.get("Ports") or {}).get(f"{_STAND_IN_PORT}/tcp")
                         or [{}])[0].get("HostPort") or 0)
        if not address or not host_port:
            raise RuntimeError("the stand-in got no address or no published port")
        _wait_listening(client, box["Id"], timeout)
    except (docker.errors.APIError, RuntimeError, ValueError) as exc:
        why = getattr(exc, "explanation", None) or exc
        return [ProbeResult(p, ran=False, succeeded=False,
                            detail=f"the stand-in could not be built: {why}") for p in probes]
    try:
        plain = [p.reach(address, _STAND_IN_PORT) if p.to == "neighbour"
                 else p.reach(gateway, host_port) for p in probes]
        results = run(plain)
    finally:
        with contextlib.suppress(docker.errors.APIError):
            api.remove_container(box["Id"], force=True)
    out = []
    for probe, target, result in zip(probes, plain, results, strict=True):
        where = f"{target.target}:{target.port}"
        out.append(replace(result, probe=probe, detail=f"{result.detail} ({where}, the "
                           f"stand-in {'neighbour' if probe.to == 'neighbour' else 'outside'})"))
    return out


def _wait_listening(client: "docker.DockerClient", ident: str, timeout: int) -> None:
    """Wait (up to ``timeout`` seconds) until the stand-in's server listens."""
    check = Listening(ident, _STAND_IN_PORT).command(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run_in(client, ident, check).ok:
            return
        time.sleep(0.1)
    raise RuntimeError(f"the stand-in's server did not start within {timeout} s")
