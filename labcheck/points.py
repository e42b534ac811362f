"""How points read: ``2.0`` as ``2``, ``1.5`` as ``1.5``.

In a module of its own so the report and its renderers share it without
importing each other.

>>> format_points(2.0), format_points(1.5)
('2', '1.5')
"""

from __future__ import annotations

__all__ = ["format_points"]


def format_points(value: float) -> str:
    """``2.0`` -> ``'2'``, ``1.5`` -> ``'1.5'``."""
    return f"{value:g}"
