"""Subcommands of the ``labcheck`` CLI, one module each (see :mod:`labcheck.cli`)."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

__all__ = ["write_output"]


def write_output(path: str, data: str | bytes) -> None:
    """Write a command's output file (text as UTF-8); failing to is a UsageError naming it."""
    try:
        if isinstance(data, bytes):
            Path(path).write_bytes(data)
        else:
            Path(path).write_text(data, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path!r}: {exc.strerror or exc}") from None
