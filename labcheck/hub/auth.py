"""A class list as a JupyterHub authenticator: one password per account, from a file.

Good enough for a test and a workshop; a school puts its own authenticator
(LDAP, OAuth, LTI) in its place. The file, written by :mod:`.deploy` (0600),
has one ``name password`` per line.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from jupyterhub.auth import Authenticator
from traitlets import Unicode

__all__ = ["ClassAuthenticator", "read_passwords"]


def read_passwords(path: Path) -> dict[str, str]:
    table = {}
    for line in path.read_text().splitlines():
        name, _, password = line.strip().partition(" ")
        if name and password:
            table[name] = password
    return table


class ClassAuthenticator(Authenticator):  # type: ignore[misc]
    """Names and passwords from ``passwords_file``."""

    passwords_file = Unicode("", config=True, help="'name password' per line")

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        name = data.get("username", "")
        password = data.get("password", "")
        known = read_passwords(Path(self.passwords_file)).get(name)
        if known is not None and hmac.compare_digest(known.encode(), password.encode()):
            return name
        return None
