"""The host side of published ports: ``python -m labcheck.live.vm.forwarder RUN_DIR``.

Started (detached) by :func:`labcheck.live.vm.qemu.start` beside QEMU, it
serves the guest's third serial line: the guest's docker-proxy wrapper asks
``add tcp 8010 ID`` before the container's port opens and ``del tcp 8010 ID``
when it closes; the forwarder adds or removes the QEMU user-network forward
``tcp:127.0.0.1:8010-:8010`` through its own QMP socket and answers
``ok ID`` or ``fail ID why``. The host side always binds 127.0.0.1, whatever
address the container published on: the VM's ports never reach the network.

It exits when QEMU closes the line (the VM stopped).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .paths import EnginePaths
from .qmp import LineChannel, Qmp, QmpError

__all__ = ["handle", "serve", "NETDEV"]

NETDEV = "n0"
_REQUEST = re.compile(r"^(add|del) (tcp|udp) (\d{1,5}) (\S+)$")


def handle(line: str, qmp_path: Path, active: dict[str, int]) -> str | None:
    """The answer to one request line (None for lines that are no request).

    ``active`` counts the proxies using each forward (``"tcp/8010": 1``): a
    forward is added for the first and removed with the last.
    """
    match = _REQUEST.match(line.strip())
    if not match:
        return None
    verb, proto, port, ident = match.groups()
    key, rule = f"{proto}/{port}", f"{proto}:127.0.0.1:{port}"
    users = active.get(key, 0)
    try:
        if verb == "add" and users == 0:
            with Qmp(qmp_path, timeout=10) as qmp:
                out = qmp.hmp(f"hostfwd_add {NETDEV} {rule}-:{port}").strip()
            if out:
                return f"fail {ident} {out.splitlines()[0]}"
        elif verb == "del" and users == 1:
            with Qmp(qmp_path, timeout=10) as qmp:
                qmp.hmp(f"hostfwd_remove {NETDEV} {rule}")
    except (QmpError, OSError) as exc:
        return f"fail {ident} {exc}"
    if verb == "add":
        active[key] = users + 1
    elif users > 1:
        active[key] = users - 1
    else:
        active.pop(key, None)
    return f"ok {ident}"


def serve(paths: EnginePaths) -> int:
    """Answer the guest's requests until QEMU goes away."""
    qmp_path, record = paths.qmp_forward, paths.forwards
    active: dict[str, int] = {}
    channel = LineChannel(paths.forward_socket, timeout=10)
    channel.sock.settimeout(None)
    try:
        while True:
            line = channel.readline()
            if line is None:
                return 0
            answer = handle(line, qmp_path, active)
            if answer is not None:
                channel.send(answer)
                record.write_text(json.dumps(sorted(active)), encoding="utf-8")
    finally:
        channel.close()


if __name__ == "__main__":  # pragma: no cover - run as a process by qemu.start
    sys.exit(serve(EnginePaths(Path(sys.argv[1]))))
