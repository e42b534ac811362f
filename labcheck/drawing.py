"""labcheck.diagram(): an exercise graded where one is named, then drawn. Pure: no daemon.

The renderer (:func:`labcheck.render.diagram.diagram`) draws a Snapshot and,
if given, a Report: it never grades. This is the public entry, which takes
an ``exercise`` too: it grades it on the snapshot (:func:`labcheck.grading.grade`)
and draws that report, focused on what the exercise names, without the score
in the title (a lesson's stored outputs show no grade).

>>> from labcheck.snapshot import Snapshot, Network
>>> "appnet" in diagram(Snapshot(networks=(Network("appnet", "n1", "bridge"),)), all=True).source
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .exercises import Exercise
    from .expected import Expected
    from .hostside import HostWiring
    from .reachability import ReachMatrix
    from .render.diagram import TopologyDiagram
    from .report import Report
    from .snapshot import Snapshot

__all__ = ["diagram", "host_diagram"]


def diagram(snapshot: "Snapshot", *, report: "Report | None" = None,
            exercise: "str | Exercise | None" = None, expected: "Expected | None" = None,
            all: bool = False,  # noqa: A002 - the CLI's word
            matrix: "ReachMatrix | None" = None, title: str | None = None) -> "TopologyDiagram":
    """Draw ``snapshot``; pure: it reads nothing but its arguments.

    ``report`` (a graded Report) marks what its checks expect, green where
    they pass and red where they fail (see :mod:`labcheck.render.topology`).
    ``exercise`` (an id or an Exercise) is graded on ``snapshot`` with its
    own checks (:func:`labcheck.grading.grade`) and drawn as that report;
    checks that need probes the snapshot lacks mark nothing. ``expected``
    alone marks presence. ``matrix`` adds a reachability layer; ``all``
    draws every object in the snapshot, not only the course's.
    """
    from .errors import UsageError
    from .render.diagram import ONE_OF
    from .render.diagram import diagram as draw  # graphviz only when a diagram is drawn

    if exercise is None:
        return draw(snapshot, report=report, expected=expected, all=all, matrix=matrix,
                    title=title)
    if report is not None or expected is not None:
        raise UsageError(ONE_OF)
    from .grading import grade, resolve_exercise
    from .snapshot import Snapshot

    if not isinstance(snapshot, Snapshot):  # typed, but a notebook passes anything
        return draw(snapshot)  # type: ignore[unreachable]  # it says what a diagram draws
    bound = resolve_exercise(exercise, snapshot=snapshot).resolved(snapshot)
    return draw(snapshot, report=grade(bound, snapshot), focus=bound.expected(), all=all,
                matrix=matrix, title="" if title is None else title)


def host_diagram(snapshot: "Snapshot | HostWiring", *, bridges: "tuple[str, ...] | list[str]" = (),
                 title: str | None = None) -> "TopologyDiagram":
    """Draw the Docker host's side of ``snapshot``: its bridges, veth pairs and whose each
    pair is (:mod:`labcheck.render.hostside`); pure, like :func:`diagram`.

    The snapshot must hold the results of
    :func:`~labcheck.render.hostside.host_side_probes` (``Lab.host_snapshot()``
    takes one); ``bridges`` adds Linux bridges that no Docker network owns.
    """
    from .render.hostside import host_diagram as draw  # graphviz only when drawn

    return draw(snapshot, bridges=bridges, title=title)
