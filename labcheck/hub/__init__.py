"""The course on a JupyterHub: each student a server and an engine of their own.

``labcheck hub start`` (``make hub``) runs JupyterHub as root with
:class:`~labcheck.hub.spawner.LabSpawner`: every student is an ordinary Unix
user of their own (``labcheck-student-NAME``, made by :mod:`.accounts`), and
their single-user server runs as that user beside an engine of their own, in
a network namespace of their own: their 127.0.0.1 is theirs and nobody
else's, with no interface but loopback and no route anywhere. The engine is
rootless Docker (the server inside its user namespace, :mod:`.session`) or
the engine VM (the namespace made by the hub before it becomes the student);
:mod:`.isolation` chooses. The hub's proxy reaches the server, and the server
the hub's API, through relays (:mod:`.relay`).

- :mod:`.accounts`: the class's Unix users, hand-in folders, removal of only those.
- :mod:`.isolation`: the engine kind (auto, rootless, vm) and a VM student's namespace.
- :mod:`.relay`: a byte relay between a TCP port of 127.0.0.1 and a unix socket.
- :mod:`.session`: what runs as the student (outside, then inside the namespaces).
- :mod:`.spawner`, :mod:`.auth`: the JupyterHub classes (imported by the hub only).
- :mod:`.deploy`: the hub's files, start, stop, status and the grade sheet.
"""

from __future__ import annotations

__all__: list[str] = []
