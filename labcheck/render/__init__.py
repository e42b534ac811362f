"""Renderers: a Snapshot (and a Report) turned into something to look at.

One module per output: :mod:`~labcheck.render.text` (terminal),
:mod:`~labcheck.render.html` (notebook), :mod:`~labcheck.render.formats`
(JSON, JUnit, Gradescope/otter, GitHub Classroom) and
:mod:`~labcheck.render.diagram` (Graphviz). Modules are imported on use, so
importing this package pulls in nothing heavy.
"""

from __future__ import annotations

__all__: list[str] = []
