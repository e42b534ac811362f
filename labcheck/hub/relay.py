"""A byte relay between a TCP port of 127.0.0.1 and a unix socket, either way.

A student's namespaces have loopback only. Their single-user server listens
on 127.0.0.1:PORT *inside*; the hub's proxy connects to 127.0.0.1:PORT
*outside*. Two relays join the two through a unix socket in the student's
private run folder: ``tcp:127.0.0.1:PORT -> unix:server.sock`` outside and
``unix:server.sock -> tcp:127.0.0.1:PORT`` inside (and the same, the other
way round, for the hub's API). A socket file is the only path between the
namespaces; nothing else can be reached through it.

Endpoints are written ``tcp:HOST:PORT`` or ``unix:PATH``; a listener may also be
``fd:N``, a listening socket inherited from the parent (a VM student's: the hub
binds 127.0.0.1:PORT in the machine's namespace and hands it over, see
:mod:`.spawner`).

>>> parse("tcp:127.0.0.1:8081")
('tcp', '127.0.0.1', 8081)
>>> parse("unix:/tmp/x.sock")
('unix', '/tmp/x.sock', 0)
>>> parse("fd:5")
('fd', '', 5)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import threading
import time
from typing import Sequence

__all__ = ["parse", "listen", "serve", "start_in_thread"]

Endpoint = tuple[str, str, int]
#: How long one direction may go on after the other ended (socat's default is 0.5 s).
HALF_CLOSE_S = 2.0
#: How long a new connection waits for its target to accept (a server busy or restarting).
CONNECT_WAIT_S = 5.0


def _say(text: str) -> None:
    """One line on stderr (a hub session's stderr is the hub's log)."""
    print(f"labcheck relay: {text}", file=sys.stderr, flush=True)


def parse(text: str) -> Endpoint:
    """``tcp:HOST:PORT`` or ``unix:PATH`` as ``(kind, where, port)``."""
    kind, _, rest = text.partition(":")
    if kind == "unix" and rest:
        return ("unix", rest, 0)
    if kind == "fd" and rest.isdigit():
        return ("fd", "", int(rest))
    host, _, port = rest.rpartition(":")
    if kind == "tcp" and host and port.isdigit():
        return ("tcp", host, int(port))
    raise ValueError(f"not an endpoint: {text!r} (tcp:HOST:PORT, unix:PATH or fd:N)")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                what: str) -> None:
    """Copy until end of file, then pass the end on (a half-close: the other way stays open)."""
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError) as error:
        _say(f"{what}: {error!r}")


async def _connect(target: Endpoint) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to ``target``, tried again for up to CONNECT_WAIT_S while it refuses."""
    kind, where, port = target
    deadline = time.monotonic() + CONNECT_WAIT_S
    while True:
        try:
            if kind == "unix":
                return await asyncio.open_unix_connection(where)
            return await asyncio.open_connection(where, port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def listen(source: Endpoint, target: Endpoint,
                 owner: tuple[int, int] | None = None) -> asyncio.AbstractServer:
    """Accept on ``source`` and relay each connection to ``target`` (in the running loop).

    A unix socket is made 0600, owned by ``owner`` (uid, gid) when given.
    """
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await _connect(target)
        except OSError as error:
            _say(f"to {target[1]}:{target[2]}: {error!r}; the connection is closed")
            writer.close()
            return
        # As socat: when one direction ends, the end is passed on and the other
        # direction gets a moment (HALF_CLOSE_S) to finish; then both close.
        pipes = {asyncio.ensure_future(_pipe(reader, up_writer, f"to {target[1]}:{target[2]}")),
                 asyncio.ensure_future(_pipe(up_reader, writer,
                                             f"from {target[1]}:{target[2]}"))}
        try:
            _done, pending = await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            if pending:
                _done, pending = await asyncio.wait(pending, timeout=HALF_CLOSE_S)
            for task in pending:
                task.cancel()
        finally:
            for each in (writer, up_writer):
                with contextlib.suppress(ConnectionError, OSError):
                    each.close()

    kind, where, port = source
    if kind == "unix":
        if os.path.exists(where):
            os.unlink(where)
        server = await asyncio.start_unix_server(handle, where)
        os.chmod(where, 0o600)
        if owner is not None:
            os.chown(where, *owner)
        return server
    if kind == "fd":
        return await asyncio.start_server(handle, sock=socket.socket(fileno=port))
    return await asyncio.start_server(handle, where, port, reuse_address=True)


async def serve(pairs: Sequence[tuple[str, str]], ready: threading.Event | None = None) -> None:
    """Relay each ``(listen, target)`` pair until cancelled."""
    servers = [await listen(parse(source), parse(target)) for source, target in pairs]
    if ready is not None:
        ready.set()
    try:
        await asyncio.gather(*(server.serve_forever() for server in servers))
    finally:
        for server in servers:
            server.close()


def start_in_thread(pairs: Sequence[tuple[str, str]], timeout: float = 10) -> threading.Thread:
    """Run :func:`serve` in a daemon thread; return once every listener is open."""
    ready = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(serve(pairs, ready))
        except BaseException as exc:  # noqa: BLE001 - reported to the caller below
            failed.append(exc)
            ready.set()

    thread = threading.Thread(target=run, name="labcheck-relay", daemon=True)
    thread.start()
    ready.wait(timeout)
    if failed:
        raise OSError(f"relay {pairs!r} could not start: {failed[0]}")
    return thread
