"""What a diagram shows: which objects (:func:`select`), and how the expected parts are marked.

A diagram marks what an exercise expects: green where it holds, red dashed
where it is missing, orange where something is there that should not be.
With a graded :class:`~labcheck.report.Report` the marks come from its
results (:func:`from_report`): a part is green when the checks that expect
it pass, red when one of them fails; the diagram never judges again. With
only an :class:`~labcheck.expected.Expected` (no checks ran), :func:`compare`
marks presence alone.

>>> from labcheck.snapshot import Snapshot, Network
>>> snap = Snapshot(networks=(Network("front", "n1", "bridge"),))
>>> marks = compare(snap, Expected(networks=("front", "back")))
>>> sorted(marks.networks_found), sorted(marks.networks_missing)
(['front'], ['back'])
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping

from ..expected import Expected, ExpectedPort
from ..ownership import LESSON_LABEL, OWNER_LABEL, OWNER_VALUE, PROBE_LABELS
from ..snapshot import Container, PortBinding, Snapshot

if TYPE_CHECKING:  # pragma: no cover
    from ..report import Report

__all__ = ["select", "Comparison", "compare", "from_report", "expected_names"]


def _is_course_object(labels: Mapping[str, str]) -> bool:
    return (labels.get(OWNER_LABEL) == OWNER_VALUE
            and labels.get(LESSON_LABEL) != PROBE_LABELS[LESSON_LABEL])


def expected_names(expected: Expected | None) -> tuple[set[str], set[str]]:
    """(container names, network names) that ``expected`` mentions."""
    if expected is None:
        return set(), set()
    boxes = set(expected.containers)
    nets = set(expected.networks)
    for box, net in expected.attachments + expected.forbidden_attachments:
        boxes.add(box)
        nets.add(net)
    boxes |= {p.container for p in expected.ports} | {c for c, _ in expected.unpublished}
    return boxes, nets


def select(snapshot: Snapshot, *, all: bool = False,  # noqa: A002 - the CLI's word
           expected: Expected | None = None) -> Snapshot:
    """The part of ``snapshot`` a diagram draws.

    By default: the course's objects (label ``io.labcheck.owner=labcheck``,
    not probe helpers), the networks those containers are on, and the
    containers whose network namespace they share. With an ``expected``
    topology, only what concerns it: the objects it names, the containers
    on its networks (so unexpected guests show), and their networks; other
    lessons' objects stay out. ``all=True``: everything.
    """
    if all:
        return snapshot
    want_boxes, want_nets = expected_names(expected)
    focused = bool(want_boxes or want_nets)

    def wanted(box: Container) -> bool:
        if focused:
            return box.name in want_boxes or any(n in want_nets for n in box.networks)
        return _is_course_object(box.labels)

    chosen = {c.id: c for c in snapshot.containers if wanted(c)}
    pending = list(chosen.values())
    while pending:
        owner = snapshot.namespace_owner(pending.pop())
        if owner is not None and owner.id not in chosen:
            chosen[owner.id] = owner
            pending.append(owner)
    on_chosen = {net for box in chosen.values() for net in box.networks}
    networks = tuple(n for n in snapshot.networks
                     if n.name in want_nets or n.name in on_chosen
                     or (not focused and _is_course_object(n.labels)))
    containers = tuple(c for c in snapshot.containers if c.id in chosen)
    return replace(snapshot, networks=networks, containers=containers, meta=dict(snapshot.meta))


@dataclass
class Comparison:
    """How the expected parts of a diagram are marked.

    Sets of names and (container, network) or (container, port) pairs:
    found (green), missing (red dashed), unexpected (orange) and, from a
    Report only, failing (present, but a check that expects it fails: red).
    Made by :func:`from_report` (the checks' verdicts) or, when there is an
    Expected and no Report, by :func:`compare` (presence alone).
    """

    networks_found: set[str] = field(default_factory=set)
    networks_missing: set[str] = field(default_factory=set)
    containers_found: set[str] = field(default_factory=set)
    containers_missing: set[str] = field(default_factory=set)
    attachments_found: set[tuple[str, str]] = field(default_factory=set)
    attachments_missing: set[tuple[str, str]] = field(default_factory=set)
    attachments_unexpected: set[tuple[str, str]] = field(default_factory=set)
    ports_found: set[tuple[str, PortBinding]] = field(default_factory=set)
    ports_missing: set[ExpectedPort] = field(default_factory=set)
    ports_unexpected: set[tuple[str, PortBinding]] = field(default_factory=set)
    networks_failing: set[str] = field(default_factory=set)
    containers_failing: set[str] = field(default_factory=set)
    attachments_failing: set[tuple[str, str]] = field(default_factory=set)
    ports_failing: set[tuple[str, PortBinding]] = field(default_factory=set)

    @property
    def is_satisfied(self) -> bool:
        """Nothing missing and nothing unexpected."""
        return not (self.networks_missing or self.containers_missing or self.attachments_missing
                    or self.attachments_unexpected or self.ports_missing or self.ports_unexpected
                    or self.networks_failing or self.containers_failing
                    or self.attachments_failing or self.ports_failing)


def _port_matches(want: ExpectedPort, have: PortBinding) -> bool:
    if have.container_port != want.container_port or have.protocol != want.protocol:
        return False
    if not have.is_published:
        return False
    if want.host_port is not None and have.host_port != want.host_port:
        return False
    return want.host_ip is None or (have.host_ip or "0.0.0.0") == want.host_ip


def compare(snapshot: Snapshot, expected: Expected) -> Comparison:
    """What of ``expected`` the snapshot has, lacks, and has that it should not.

    For an Expected without a Report (a sketch of a topology, a test): with
    a Report, the marks come from its results instead (:func:`from_report`).

    Unexpected: a forbidden attachment that exists; an attachment of an
    expected container to an expected network that no expected attachment
    asks for; a port in ``unpublished`` that is published.
    """
    result = Comparison()
    boxes, nets = expected_names(expected)
    for name in sorted(nets):
        (result.networks_found if snapshot.network(name) else result.networks_missing).add(name)
    for name in sorted(boxes):
        found = snapshot.container(name) is not None
        (result.containers_found if found else result.containers_missing).add(name)
    wanted = set(expected.attachments)
    for box_name, net in wanted:
        box = snapshot.container(box_name)
        found = box is not None and box.endpoint(net) is not None
        (result.attachments_found if found else result.attachments_missing).add((box_name, net))
    for box_name, net in expected.forbidden_attachments:
        box = snapshot.container(box_name)
        if box is not None and box.endpoint(net) is not None:
            result.attachments_unexpected.add((box_name, net))
    attached_boxes = {b for b, _ in wanted} | set(expected.containers)
    for box_name in attached_boxes:
        box = snapshot.container(box_name)
        for net in box.networks if box else ():
            if net in expected.networks and (box_name, net) not in wanted:
                result.attachments_unexpected.add((box_name, net))
    for want in expected.ports:
        box = snapshot.container(want.container)
        hits = [p for p in (box.ports if box else ()) if _port_matches(want, p)]
        if hits:
            result.ports_found.update((want.container, p) for p in hits)
        else:
            result.ports_missing.add(want)
    for box_name, port in expected.unpublished:
        box = snapshot.container(box_name)
        for binding in box.published() if box else ():
            if binding.container_port == port:
                result.ports_unexpected.add((box_name, binding))
    return result


def from_report(snapshot: Snapshot, report: "Report") -> Comparison:
    """The marks of ``report``'s results on ``snapshot``: no second judgement.

    Each result carries the part of the topology its check expects. A part
    is green when every check that expects it passed, red when one failed:
    red dashed and drawn as a placeholder when it is not in ``snapshot``,
    red solid when it is. A forbidden attachment or a published port that
    should not be is orange when its check failed. Whether a part is in the
    snapshot decides only where it is drawn, never its colour.
    """
    verdicts: dict[tuple[str, object], bool] = {}
    for result in report.results:
        part = result.expected
        parts: tuple[tuple[str, Iterable[object]], ...] = (
            ("network", part.networks), ("container", part.containers),
            ("attached", part.attachments), ("forbidden", part.forbidden_attachments),
            ("port", part.ports), ("unpublished", part.unpublished))
        for kind, items in parts:
            for item in items:
                verdicts[kind, item] = verdicts.get((kind, item), True) and result.passed
    marks = Comparison()
    for (kind, item), passed in sorted(verdicts.items(), key=repr):
        _mark(marks, snapshot, kind, item, passed)
    return marks


def _mark(marks: Comparison, snapshot: Snapshot, kind: str, item: object, passed: bool) -> None:
    """Put one expected part, with its checks' verdict, into ``marks``."""
    if kind == "network":
        assert isinstance(item, str)
        if snapshot.network(item) is not None:
            (marks.networks_found if passed else marks.networks_failing).add(item)
        elif not passed:
            marks.networks_missing.add(item)
    elif kind == "container":
        assert isinstance(item, str)
        if snapshot.container(item) is not None:
            (marks.containers_found if passed else marks.containers_failing).add(item)
        elif not passed:
            marks.containers_missing.add(item)
    elif kind in ("attached", "forbidden"):
        assert isinstance(item, tuple)
        box_name, net = item
        box = snapshot.container(box_name)
        present = box is not None and box.endpoint(net) is not None
        if kind == "forbidden":
            if present and not passed:
                marks.attachments_unexpected.add((box_name, net))
        elif present:
            (marks.attachments_found if passed else marks.attachments_failing).add(item)
        elif not passed:
            marks.attachments_missing.add(item)
    elif kind == "port":
        assert isinstance(item, ExpectedPort)
        box = snapshot.container(item.container)
        hits = {(item.container, p) for p in (box.ports if box else ()) if _port_matches(item, p)}
        if hits:
            (marks.ports_found if passed else marks.ports_failing).update(hits)
        elif not passed:
            marks.ports_missing.add(item)
    elif kind == "unpublished" and not passed:
        assert isinstance(item, tuple)
        box_name, port = item
        box = snapshot.container(box_name)
        marks.ports_unexpected.update((box_name, b) for b in (box.published() if box else ())
                                      if b.container_port == port)
