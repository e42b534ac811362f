"""What lab containers run, and how a lesson prints probe results.

The :class:`~labcheck.live.lab.Lab` that creates lessons' networks and
containers lives in :mod:`labcheck.live.lab`; these helpers need no daemon.

>>> "httpd -f -p 8080 -h /var/www" in http_command(8080)[-1]
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from .probes import ProbeResult

__all__ = ["IDLE_COMMAND", "http_command", "show"]

#: Keeps a lab container running and stops at once on SIGTERM.
IDLE_COMMAND = ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]


def http_command(port: int = 80, text: str | None = None, address: str | None = None
                 ) -> list[str]:
    """A busybox httpd serving /var/www on ``port`` (stops at once on SIGTERM).

    ``text``, when given, becomes the body of ``/index.html``; ``address``,
    when given, is the only address it listens on (e.g. ``127.0.0.1``).
    """
    write = ""
    if text is not None:
        quoted = text.replace("'", "'\\''")
        write = f"printf '%s\\n' '{quoted}' > /var/www/index.html; "
    bind = f"{address}:{int(port)}" if address else str(int(port))
    return ["sh", "-c", f"{write}trap 'exit 0' TERM INT; httpd -f -p {bind} -h /var/www & "
                        "wait $!"]


def show(results: Iterable["ProbeResult"]) -> None:
    """Print one line per probe result: yes/no | what was asked | what was found."""
    for result in results:
        print("yes" if result.succeeded else "no ", "|", result.probe.describe(), "|",
              result.detail)
