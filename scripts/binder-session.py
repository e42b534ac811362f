"""A student's first minutes in a Binder session, through the Jupyter server (make test-binder).

``python scripts/binder-session.py URL TOKEN STARTED NOTEBOOK``: waits for the
server at URL to answer, opens NOTEBOOK (a path under the server's root) in a
kernel of the server, as JupyterLab does, and runs its code cells in order, as
"Run All" does; a cell that raises fails the run (exit 1). Prints, in seconds
since STARTED (the container's start, epoch seconds), when the server answered,
when the first cell (``labcheck.ready()``: the engine VM started) and the last
cell finished, and the engine VM line the first cell printed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from tornado.websocket import websocket_connect

CELL_TIMEOUT = 900.0


def _request(url: str, token: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def wait_for_server(base: str, token: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _request(f"{base}/api/status", token)
            return
        except (OSError, urllib.error.URLError, ValueError):
            if time.monotonic() > deadline:
                raise SystemExit(f"binder-session: no Jupyter server at {base} after "
                                 f"{timeout:.0f} s") from None
            time.sleep(0.25)


def _message(session: str, code: str) -> dict[str, Any]:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request",
                       "username": "student", "session": session, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}


async def run_cells(ws_url: str, cells: list[str]) -> list[tuple[float, str]]:
    """Run each cell; (time it finished, its text output) each. SystemExit on an error."""
    conn = await websocket_connect(ws_url, max_message_size=64 << 20)
    session = uuid.uuid4().hex
    done: list[tuple[float, str]] = []
    try:
        for index, code in enumerate(cells, 1):
            msg = _message(session, code)
            await conn.write_message(json.dumps(msg))
            text: list[str] = []
            idle = replied = False
            deadline = time.monotonic() + CELL_TIMEOUT
            while not (idle and replied):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"binder-session: cell {index} still running after "
                                     f"{CELL_TIMEOUT:.0f} s")
                raw = await asyncio.wait_for(conn.read_message(), timeout=left)
                if raw is None:
                    raise SystemExit("binder-session: the kernel's connection closed")
                reply = json.loads(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
                    continue
                kind, content = reply["msg_type"], reply["content"]
                if kind == "stream":
                    text.append(content["text"])
                elif kind in ("execute_result", "display_data"):
                    text.append(content.get("data", {}).get("text/plain", ""))
                elif kind == "error":
                    trace = "\n".join(content.get("traceback", []))[-3000:]
                    raise SystemExit(f"binder-session: cell {index} raised "
                                     f"{content['ename']}: {content['evalue']}\n{trace}")
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
                elif kind == "execute_reply":
                    replied = True
                    if content.get("status") != "ok":
                        raise SystemExit(f"binder-session: cell {index}: {content.get('status')}")
            done.append((time.time(), "".join(text)))
    finally:
        conn.close()
    return done


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    base, token, started, notebook = argv[0].rstrip("/"), argv[1], float(argv[2]), argv[3]
    wait_for_server(base, token)
    print(f"server answered: {time.time() - started:.1f} s after the container started")
    model = _request(f"{base}/api/contents/{notebook}?content=1", token)
    cells = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
             for c in model["content"]["cells"] if c["cell_type"] == "code"]
    session = _request(f"{base}/api/sessions", token, "POST",
                       {"path": notebook, "name": notebook, "type": "notebook",
                        "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    ws_url = (base.replace("http", "ws", 1)
              + f"/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}&token={token}")
    try:
        done = asyncio.run(run_cells(ws_url, cells))
    finally:
        _request(f"{base}/api/sessions/{session['id']}", token, "DELETE")
    first = done[0][1]
    engine = [line for line in first.splitlines() if "engine VM" in line]
    print(f"first cell (labcheck.ready()) done: {done[0][0] - started:.1f} s after the "
          f"container started")
    for line in engine:
        print(f"  {line.strip()}")
    print(f"last cell ({len(done)} of {len(cells)}) done: {done[-1][0] - started:.1f} s after "
          "the container started")
    if not any("Using the engine VM at" in line for line in engine):
        print("binder-session: the first cell did not start the engine VM", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
