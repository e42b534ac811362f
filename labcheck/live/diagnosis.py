"""Run the troubleshooting routine against a daemon (the steps are in :mod:`labcheck.diagnosis`).

>>> # labcheck.diagnose("shopper", "web", port=80)   # prints every step, the first failure
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnosis import HOST, Diagnosis, diagnose_snapshot, diagnosis_probes
from ..reachability import PROBE_TIMEOUT
from .collect import collect
from .probes import run_probes

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["diagnose"]


def diagnose(source: str, target: str, *, port: int | None = None,
             client: "docker.DockerClient | None" = None,
             timeout: int = PROBE_TIMEOUT) -> Diagnosis:
    """Why can ``source`` (a container, or ``"host"``) not reach ``target`` on ``port``?

    Reads the daemon once, runs the probes of every step (resolv.conf,
    lookup, connect, listening sockets) and returns the :class:`Diagnosis`:
    print it to see each step's evidence and the first step that fails.
    """
    if client is None:
        from .daemon import connect
        client = connect()
    detail = {target} if source == HOST else {source, target}
    if source != HOST:  # aliases are read in detail: those of the source's neighbours too
        first = collect(client)
        box = first.container(source)
        nets = set(box.networks) if box else set()
        detail |= {c.name for c in first.containers if nets & set(c.networks)}
    snapshot = collect(client, detail=sorted(detail))
    probes = diagnosis_probes(snapshot, source, target, port)
    snapshot = snapshot.with_probes(run_probes(client, probes, timeout=timeout))
    return diagnose_snapshot(snapshot, source, target, port)
