"""The lab DNS beside an engine: NXDOMAIN for every name Docker does not answer itself.

An engine points containers' upstream DNS at its default bridge's gateway
(``scripts/daemon.json``'s ``bip``, the rootless engine's ``--dns``), where
this module, run as a script, answers NXDOMAIN at once to every question: a
lookup of an outside name fails fast and never leaves the machine (it never
forwards). Without it, Docker 20.10's embedded DNS sends no answer at all
when its upstream fails, and busybox then waits 5 to 10 seconds.

It runs as ``python3 -I .../labdns.py ADDRESS [PORT]`` (:func:`start`) beside
each kind of engine: the machine's daemon, a netns engine (inside its
namespace) and a student's rootless engine (inside their namespaces). The
file imports nothing but the standard library, so it runs by its path from a
checkout or from an installed package alike.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

__all__ = ["gateway_of", "answers", "answer", "serve", "start", "SCRIPT", "PROBE"]

#: This file: what :func:`start` runs.
SCRIPT = Path(__file__).resolve()
#: A DNS query for ``probe`` (type A) with id 0x1234.
PROBE = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05probe\x00\x00\x01\x00\x01"
NXDOMAIN = 3


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


def answer(query: bytes) -> bytes | None:
    """The NXDOMAIN reply to a DNS query, or None if it is not a query."""
    if len(query) < 12 or query[2] & 0x80:  # too short, or already a response
        return None
    opcode_rd = query[2] & 0x79              # keep opcode and RD
    flags = bytes([0x80 | opcode_rd, 0x80 | NXDOMAIN])  # QR, RA, rcode
    qdcount = query[4:6]
    # header: id, flags, qdcount, an=0, ns=0, ar=0; then the question(s) as sent
    question = query[12:]
    end = 0
    for _ in range(int.from_bytes(qdcount, "big")):
        while end < len(question) and question[end] != 0:
            end += question[end] + 1
        end += 5  # the zero label, qtype, qclass
    return query[:2] + flags + qdcount + b"\0\0\0\0\0\0" + question[:end]


def serve(address: str, port: int = 53) -> None:
    """Answer every query on ``address``:``port`` (UDP) with NXDOMAIN, until killed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    while True:
        data, peer = sock.recvfrom(4096)
        reply = answer(data)
        if reply is not None:
            sock.sendto(reply, peer)


def start(gateway: str, log: Path, prefix: Sequence[str] = (), python: str = "python3") -> int:
    """Start the lab DNS on ``gateway`` once that address is up; its pid.

    ``prefix`` runs both where the engine is (e.g. ``nsenter --net=...``);
    ``python`` is the interpreter (any Python 3.9+: the file needs only the
    standard library). The process is a session of its own: the caller stops it.
    """
    for _ in range(50):  # the bridge gets its address a moment after the API answers
        out = subprocess.run([*prefix, "ip", "-o", "-4", "addr", "show"], capture_output=True,
                             text=True, check=False).stdout
        if f" {gateway}/" in out:
            break
        time.sleep(0.1)
    with log.open("ab") as handle:
        dns = subprocess.Popen([*prefix, python, "-I", str(SCRIPT), gateway],
                               stdin=subprocess.DEVNULL, stdout=handle, stderr=handle,
                               start_new_session=True)
    return dns.pid


def main(argv: Sequence[str]) -> int:
    """``labdns.py ADDRESS [PORT]``: serve until killed."""
    serve(argv[1] if len(argv) > 1 else "127.0.0.1", int(argv[2]) if len(argv) > 2 else 53)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
