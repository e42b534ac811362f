"""The lab DNS (labcheck/live/engines/labdns.py): answer() and a real round trip on a
loopback port, the file run by its path as engines run it."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time

import pytest

from labcheck.live.engines import labdns


@pytest.fixture(scope="module")
def lab_dns():
    return labdns


def query(name: str, qid: int = 0x1234, qtype: int = 1, rd: bool = True) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"
    flags = 0x0100 if rd else 0
    return struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 0) + labels + struct.pack(">HH", qtype, 1)


def test_nxdomain_for_any_name(lab_dns):
    q = query("db.example.invalid", qid=0xBEEF)
    reply = lab_dns.answer(q)
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", reply[:12])
    assert qid == 0xBEEF
    assert flags & 0x8000  # a response
    assert flags & 0x000F == 3  # NXDOMAIN
    assert flags & 0x0100  # recursion desired, copied
    assert flags & 0x0080  # recursion available
    assert (qd, an, ns, ar) == (1, 0, 0, 0)
    assert reply[12:] == q[12:]  # the question echoed exactly


def test_opcode_and_rd_are_kept(lab_dns):
    q = bytearray(query("x", rd=False))
    q[2] |= 0x10  # opcode 2 (status)
    reply = lab_dns.answer(bytes(q))
    assert reply[2] & 0x78 == 0x10 and not reply[2] & 0x01


def test_question_ends_where_it_should_with_trailing_bytes(lab_dns):
    q = query("web") + b"\x00\x00\x29\x10\x00"  # an EDNS-like tail after the question
    reply = lab_dns.answer(q)
    assert reply[12:] == query("web")[12:]


@pytest.mark.parametrize("bad", [b"", b"\x12\x34", b"\x00" * 11])
def test_too_short_is_ignored(lab_dns, bad):
    assert lab_dns.answer(bad) is None


def test_responses_are_ignored(lab_dns):
    reply = lab_dns.answer(query("x"))
    assert lab_dns.answer(reply) is None


def test_truncated_question_does_not_crash(lab_dns):
    q = query("a-rather-long-name.test")[:20]
    reply = lab_dns.answer(q)
    assert reply is not None and reply[:2] == q[:2]


def test_running_responder_answers_on_loopback():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = subprocess.Popen([sys.executable, "-I", str(labdns.SCRIPT), "127.0.0.1", str(port)])
    try:
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.settimeout(0.5)
        reply = None
        for _ in range(20):
            client.sendto(query("anything.test", qid=7), ("127.0.0.1", port))
            try:
                reply = client.recv(512)
                break
            except (socket.timeout, ConnectionRefusedError):
                time.sleep(0.1)
        client.close()
        assert reply is not None and reply[:2] == b"\x00\x07" and reply[3] & 0x0F == 3
    finally:
        server.kill()
        server.wait(timeout=5)
