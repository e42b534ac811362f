#!/usr/bin/env python3
"""A DNS responder that answers NXDOMAIN to every question.

The daemon that `make lab` and CI start points containers' upstream DNS
here (see scripts/daemon.json), so that a name Docker does not know fails at
once instead of leaving the machine or timing out: Docker 20.10's embedded
DNS sends no answer at all when its upstream fails, and busybox then waits
5 to 10 seconds.

Usage: lab-dns.py ADDRESS [PORT]
"""

from __future__ import annotations

import socket
import sys

NXDOMAIN = 3


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


def main(argv: list[str]) -> int:
    address = argv[1] if len(argv) > 1 else "127.0.0.1"
    port = int(argv[2]) if len(argv) > 2 else 53
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    while True:
        data, peer = sock.recvfrom(4096)
        reply = answer(data)
        if reply is not None:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
