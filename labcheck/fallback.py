"""TextFallback: how a widget reads where no widget can be shown.

Under nbclient, nbval or a terminal a notebook's widgets are only their
``text/plain`` form; a holder of a widget subclasses :class:`TextFallback`
and says in ``text()`` what that reader sees, one stable line or a few.
Imports nothing heavy: the subclasses import ipywidgets themselves.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TextFallback"]


class TextFallback:
    """A widget holder (``self.widget``) that a reader without widgets sees as ``text()``:
    nbclient, nbval and a terminal get the same stable line."""

    widget: Any

    def text(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = self.text()
        return dict(bundle)

    def __repr__(self) -> str:
        return self.text()
