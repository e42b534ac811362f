"""A small client for QEMU's QMP socket, and the two serial lines to the guest.

QMP is JSON lines over a Unix socket: a greeting, ``qmp_capabilities``, then
one ``{"execute": ...}`` per request. HMP commands (``hostfwd_add``,
``savevm``) go through ``human-monitor-command``.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

from ...errors import EnvironmentProblem

__all__ = ["Qmp", "QmpError", "LineChannel"]


class QmpError(EnvironmentProblem):
    """QEMU answered a QMP command with an error, or did not answer."""


class Qmp:
    """One QMP connection; use as a context manager."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.path = path
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self._buf = b""

    def __enter__(self) -> "Qmp":
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(str(self.path))
                break
            except OSError as exc:
                sock.close()
                if time.monotonic() > deadline:
                    raise QmpError(f"QEMU's QMP socket {self.path} does not answer: {exc}") \
                        from None
                time.sleep(0.05)
        self.sock = sock
        self._read()  # greeting
        self.execute("qmp_capabilities")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _read(self) -> dict[str, Any]:
        assert self.sock is not None
        while b"\n" not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QmpError("QEMU closed the QMP connection")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return dict(json.loads(line))

    def execute(self, command: str, arguments: dict[str, Any] | None = None) -> Any:
        """Run one QMP command; return its ``return`` value (events are skipped)."""
        assert self.sock is not None
        msg: dict[str, Any] = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise QmpError(f"QEMU refused {command}: {reply['error'].get('desc', reply)}")
            return reply.get("return")

    def hmp(self, command_line: str) -> str:
        """A human-monitor command; its text output (empty means success for most)."""
        return str(self.execute("human-monitor-command", {"command-line": command_line}) or "")


class LineChannel:
    """Text lines over one of QEMU's socket chardevs (a serial port of the guest)."""

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(str(path))
        except OSError as exc:
            self.sock.close()
            raise EnvironmentProblem(f"the VM's line {path.name} does not answer: {exc}") \
                from None
        self._buf = b""

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\n")

    def readline(self) -> str | None:
        """The next line, or None when the other side closed."""
        while b"\n" not in self._buf:
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                raise
            if not chunk:
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode(errors="replace").strip("\r")

    def close(self) -> None:
        self.sock.close()
