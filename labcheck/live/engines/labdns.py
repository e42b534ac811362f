"""The lab DNS beside an engine: NXDOMAIN for every name Docker does not answer itself.

An engine's ``daemon.json`` points containers' upstream DNS at its bridge's
gateway, where ``scripts/lab-dns.py`` answers NXDOMAIN at once: a lookup of
an outside name fails fast and never leaves the machine.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path
from typing import Sequence

__all__ = ["gateway_of", "answers", "start", "PROBE"]

#: A DNS query for ``probe`` (type A) with id 0x1234.
PROBE = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05probe\x00\x00\x01\x00\x01"


def gateway_of(config: Path) -> str:
    """The default bridge's gateway address in a daemon.json (its ``bip``)."""
    return str(json.loads(config.read_text())["bip"]).split("/")[0]


def answers(address: str, timeout: float = 1.0) -> bool:
    """Whether a DNS server answers on ``address``:53 (from this network namespace)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(PROBE, (address, 53))
            return sock.recv(512)[:2] == PROBE[:2]
        except OSError:
            return False


def start(script: Path, gateway: str, log: Path, prefix: Sequence[str] = ()) -> int:
    """Start ``script`` on ``gateway`` once that address is up; its pid.

    ``prefix`` runs both where the engine is (e.g. ``nsenter --net=...``).
    """
    for _ in range(50):  # the bridge gets its address a moment after the API answers
        out = subprocess.run([*prefix, "ip", "-o", "-4", "addr", "show"], capture_output=True,
                             text=True, check=False).stdout
        if f" {gateway}/" in out:
            break
        time.sleep(0.1)
    with log.open("ab") as handle:
        dns = subprocess.Popen([*prefix, "python3", str(script), gateway],
                               stdin=subprocess.DEVNULL, stdout=handle, stderr=handle,
                               start_new_session=True)
    return dns.pid
