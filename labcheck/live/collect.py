"""collect(): read a daemon's state and run probes, into a Snapshot.

The state is read through list endpoints, in a constant number of API
calls whatever the number of containers: ``/version``, ``/networks`` and
``/containers/json?all=1``. The list endpoint does not report a container's
hostname or network aliases; those are read (one inspect each) only for
the containers named in ``detail``, which an exercise keeps to the few it
concerns, so the count never grows with the daemon's other containers.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .._version import __version__
from ..probes import DEFAULT_TIMEOUT, Probe
from ..snapshot import NodeState, Snapshot
from .daemon import daemon_errors
from .probes import run_probes

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from ..progress import ProgressCallback
    from .engines.nodes import Nodes

__all__ = ["collect", "collect_lab", "collect_local"]


def collect(client: "docker.DockerClient", probes: Sequence[Probe] = (), *,
            detail: Iterable[str] = (), timeout: int = DEFAULT_TIMEOUT,
            meta: Mapping[str, object] | None = None,
            progress: "ProgressCallback | None" = None) -> Snapshot:
    """A Snapshot of the daemon behind ``client``, with ``probes`` run in it.

    ``detail`` names containers whose hostname and aliases should be read
    as well (one inspect each). ``progress`` is passed on to
    :func:`~labcheck.live.probes.run_probes` (see :mod:`labcheck.progress`).
    """
    api = client.api
    with daemon_errors(client):
        version = api.version()
        networks = api.networks()
        containers = api.containers(all=True)
        wanted = set(detail)
        if wanted:
            containers = [_detailed(api, c) if _names(c) & wanted else c for c in containers]
    snapshot = Snapshot.from_api(
        networks, containers,
        taken_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        engine_version=str(version.get("Version", "")),
        api_version=str(version.get("ApiVersion", "")),
        labcheck_version=__version__,
        meta=dict(meta or {}),
    )
    if probes:
        snapshot = snapshot.with_probes(run_probes(client, probes, timeout=timeout,
                                                   progress=progress))
    return snapshot


def collect_lab(lab: "Nodes", detail: Iterable[str] = ()) -> Snapshot:
    """A multi-node snapshot of ``lab`` (:func:`labcheck.nodes`): each host's state read
    with :func:`collect` on its own client, side by side (:class:`NodeState`); no probes."""
    names = tuple(detail)
    states = tuple(NodeState(node.name, node.lan_ip, collect(node.client, detail=names))
                   for node in lab)
    first = states[0].snapshot if states else Snapshot()
    return Snapshot(nodes=states, taken_at=first.taken_at, engine_version=first.engine_version,
                    api_version=first.api_version, labcheck_version=first.labcheck_version)


def _names(entry: dict[str, Any]) -> set[str]:
    names = {str(n).lstrip("/") for n in entry.get("Names") or ()}
    ident = str(entry.get("Id", ""))
    return names | {ident, ident[:12]}


def _detailed(api: "docker.APIClient", entry: dict[str, Any]) -> dict[str, Any]:
    """The list entry with hostname and aliases from an inspect merged in."""
    import docker.errors

    try:
        attrs = api.inspect_container(entry["Id"])
    except docker.errors.NotFound:  # removed between the list and now
        return entry
    merged = dict(entry)
    merged["Config"] = {"Hostname": (attrs.get("Config") or {}).get("Hostname")}
    inspected = ((attrs.get("NetworkSettings") or {}).get("Networks")) or {}
    listed = ((entry.get("NetworkSettings") or {}).get("Networks")) or {}
    networks = {}
    for name, endpoint in listed.items():
        extra = inspected.get(name) or {}
        networks[name] = {**endpoint,
                          "Aliases": extra.get("Aliases"),
                          **({"DNSNames": extra["DNSNames"]} if "DNSNames" in extra else {})}
    merged["NetworkSettings"] = {**(entry.get("NetworkSettings") or {}), "Networks": networks}
    return merged


def collect_local(client: "docker.DockerClient | None" = None) -> Snapshot:
    """A snapshot of ``client``'s daemon, or of the local one (connected and closed here)."""
    from .daemon import connected

    with connected(client) as live:
        return collect(live)
