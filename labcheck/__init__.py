"""labcheck: check, grade and draw Docker networking labs.

The public API. Heavy parts (docker-py, Graphviz, ipywidgets) are imported
only when used, so ``import labcheck`` stays fast. What talks to a daemon
comes from :mod:`labcheck.live`; everything else is pure.
"""

from __future__ import annotations

from ._version import __version__
from .errors import (
    DaemonNotRunning,
    DaemonPermissionDenied,
    DaemonTLSError,
    DaemonTooOld,
    DaemonUnreachable,
    EnvironmentProblem,
    GraphvizMissing,
    ImageUnavailable,
    LabcheckError,
    ObjectNotFound,
    RunFirst,
    SnapshotFileError,
    UsageError,
)
from .images import LAB_IMAGE
from .live.collect import collect
from .live.daemon import connect
from .live.images import ensure_lab_image
from .live.ownership import reset
from .ownership import lesson_labels
from .probes import (
    HostReach,
    HttpGet,
    Probe,
    ProbeResult,
    Reach,
    ReachStandIn,
    ReadResolvConf,
    Resolve,
)
from .snapshot import Container, Endpoint, Network, PortBinding, Snapshot

__all__ = [
    "__version__",
    # errors
    "LabcheckError", "UsageError", "EnvironmentProblem", "DaemonNotRunning",
    "DaemonPermissionDenied", "DaemonUnreachable", "DaemonTLSError", "DaemonTooOld",
    "ImageUnavailable", "GraphvizMissing", "SnapshotFileError", "ObjectNotFound", "RunFirst",
    # model
    "Snapshot", "Network", "Container", "Endpoint", "PortBinding",
    # probes
    "Probe", "ProbeResult", "Resolve", "Reach", "HttpGet", "ReadResolvConf", "HostReach",
    "ReachStandIn",
    # daemon
    "connect", "collect", "LAB_IMAGE", "ensure_lab_image", "lesson_labels", "reset",
    # exercises and grading (imported lazily, see __getattr__)
    "load_exercise", "list_exercises", "Exercise", "check", "assert_exercise", "score",
    "hint", "grade", "Report", "CheckResult",
    # diagrams and reachability (imported lazily: graphviz only when drawn)
    "diagram", "explain", "measure_matrix", "host_diagram", "host_wiring",
    # notebooks: the first cell of every lesson, the probe runner and the lessons' helpers
    "ready", "run_probes", "parse_resolv_conf", "Lab", "show", "http_command",
    # teaching: predict-then-run questions, reference solutions run by the course CI only
    "predict", "solutions_enabled", "needs",
    # drivers a lesson sets up where the host allows (a veth LAN, a single-node swarm)
    "survey", "VethLan", "SwarmSession", "remove_services",
    "docker_host",
    # several Docker hosts on one machine, joined on one LAN (lesson 09; root)
    "nodes",
    # the Docker host's own tools' output, read (lesson 07)
    "parse_ip_link", "parse_iptables_save", "added_rules", "parse_tcpdump", "bridge_name",
    # troubleshooting (lesson 06): broken apps to repair, and the routine that finds the fault
    "scenario", "diagnose",
]

#: Names imported on first use: name -> module.
_LAZY = {
    "load_exercise": "exercises", "list_exercises": "exercises", "Exercise": "exercises",
    "check": "live.grading", "assert_exercise": "live.grading", "score": "live.grading",
    "hint": "grading", "grade": "grading", "Report": "report", "CheckResult": "report",
    "diagram": "drawing", "host_diagram": "drawing", "host_wiring": "render.hostside",
    "explain": "reachability", "measure_matrix": "live.reachability",
    "ready": "live.notebook",
    "run_probes": "live.probes", "parse_resolv_conf": "probes",
    "Lab": "live.lab", "show": "lab", "http_command": "lab",
    "predict": "teaching", "solutions_enabled": "teaching", "needs": "teaching",
    "survey": "live.drivers", "VethLan": "live.drivers", "SwarmSession": "live.drivers",
    "remove_services": "live.drivers",
    "scenario": "live.scenarios", "diagnose": "live.diagnosis",
    "docker_host": "live.dockerhost", "nodes": "live.nodes",
    "parse_ip_link": "hostside", "parse_iptables_save": "hostside", "added_rules": "hostside",
    "parse_tcpdump": "hostside", "bridge_name": "snapshot",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'labcheck' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
