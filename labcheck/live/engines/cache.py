"""Where fetched and unpacked engines are kept: one folder per user, reused by every run.

``$LABCHECK_ENGINES_DIR`` if set, else ``$XDG_CACHE_HOME/labcheck/engines``,
else ``~/.cache/labcheck/engines``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

__all__ = ["engines_cache"]


def engines_cache(environ: Mapping[str, str] | None = None) -> Path:
    """The engines' cache folder (see the module docstring).

    >>> engines_cache({"LABCHECK_ENGINES_DIR": "/tmp/e"})
    PosixPath('/tmp/e')
    >>> engines_cache({"XDG_CACHE_HOME": "/c", "HOME": "/h"})
    PosixPath('/c/labcheck/engines')
    """
    env = os.environ if environ is None else environ
    if env.get("LABCHECK_ENGINES_DIR"):
        return Path(env["LABCHECK_ENGINES_DIR"])
    cache = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(cache) / "labcheck" / "engines"
