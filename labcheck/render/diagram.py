"""Topology diagrams: a Snapshot (+ a graded Report) as a Graphviz graph. Pure: no daemon.

:func:`diagram` returns a :class:`TopologyDiagram`, a :class:`graphviz.Digraph`
that shows itself inline in Jupyter as SVG (``dot`` runs quietly: nothing
reaches stderr) and whose DOT source is byte-identical for the same
snapshot (sorted objects, node ids by position, no timestamps).

What it draws:

- each network as a cluster titled with its name, driver, subnet, gateway
  and flags (internal, attachable, ICC off, IPv6); a green ``DNS`` badge on
  networks with Docker's embedded DNS, a grey dashed frame and a ``no DNS``
  badge on the default bridge;
- each container once, with its state, image and ports; one endpoint node
  per network it is on (its IP and extra aliases there), joined by an edge;
- the host, with an edge from each published ``host IP:port`` to the
  container port; host-mode containers joined to the host, none-mode
  containers framed dashed with no edge, ``container:<other>`` sharing as a
  dotted edge to the other container; stopped containers greyed;
- with a graded ``report``: what its checks expect, green where they pass,
  red where they fail (dashed placeholders for what is missing), orange
  for what should not be there, and a legend; the colours are the checks'
  verdicts (:mod:`labcheck.render.topology`), never a second judgement.
  With an ``expected`` topology alone, presence decides;
- with ``matrix`` (a :class:`~labcheck.reachability.ReachMatrix`): green
  arrows for "reaches", red dashed ones for "does not".

>>> from labcheck.snapshot import Snapshot, Network, Container, Endpoint
>>> snap = Snapshot(networks=(Network("appnet", "n1", "bridge"),),
...                 containers=(Container("web", "c1", state="running",
...                     endpoints=(Endpoint("appnet", ipv4="10.0.0.2"),)),))
>>> graph = diagram(snap, all=True)
>>> "appnet" in graph.source and "10.0.0.2" in graph.source
True
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Iterable

import graphviz

from ..errors import GraphvizMissing, LabcheckError, UsageError
from ..expected import Expected, ExpectedPort
from ..points import format_points
from ..reachability import ReachMatrix, extra_aliases
from ..snapshot import Container, Network, PortBinding, Snapshot
from .nodes import GRAPH_ATTR, draw_nodes
from .topology import Comparison, compare, from_report, select

if TYPE_CHECKING:  # pragma: no cover
    from ..report import Report

__all__ = [
    "FORMATS",
    "INSTALL_GRAPHVIZ",
    "TopologyDiagram",
    "diagram",
    "render",
]

#: Output formats of :func:`render` and ``labcheck diagram --format``.
FORMATS = ("svg", "png", "dot")

#: What to do when Graphviz's ``dot`` program is missing.
INSTALL_GRAPHVIZ = (
    "Graphviz's 'dot' program is not installed, so the diagram cannot be drawn as an "
    "image. Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew "
    "install graphviz; conda: conda install -c conda-forge graphviz), or ask for the DOT "
    "text instead: labcheck diagram --format dot")

#: The longest name drawn in full; longer ones end in an ellipsis.
MAX_NAME = 40

_FONT = "Helvetica"
GREEN, RED, ORANGE, BLUE, GREY = "#2e7d32", "#c62828", "#ef6c00", "#1f5fa8", "#9e9e9e"
#: Badges for restrictions (internal, ICC off): not orange, which means "unexpected".
BROWN = "#6d4c41"
_SPECIAL_DRIVERS = ("host", "null")


# -- text for HTML-like labels -------------------------------------------------------

def _esc(text: object, limit: int | None = MAX_NAME) -> str:
    """``text`` safe inside a Graphviz HTML-like label (shortened, escaped, no controls)."""
    value = "".join(ch if ch.isprintable() else " " for ch in str(text))
    if limit is not None and len(value) > limit:
        value = value[:limit - 1] + "\u2026"
    return html.escape(value, quote=True)


def _html(inner: str) -> str:
    """An HTML-like label (the graphviz package passes ``<...>`` through unquoted)."""
    return f"<{inner}>"


def _small(text: str, colour: str | None = None) -> str:
    attrs = ' POINT-SIZE="9"' + (f' COLOR="{colour}"' if colour else "")
    return f"<FONT{attrs}>{text}</FONT>"


def _port_id(port: int, protocol: str) -> str:
    return f"p{int(port)}_{''.join(ch for ch in protocol if ch.isalnum()) or 'tcp'}"


def _host_address(binding: PortBinding | ExpectedPort) -> str:
    ip = binding.host_ip or "0.0.0.0"
    ip = f"[{ip}]" if ":" in ip else ip
    return f"{ip}:{binding.host_port if binding.host_port is not None else '*'}"


# -- the graph object -------------------------------------------------------------------------

class TopologyDiagram(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no types
    """A :class:`graphviz.Digraph` that renders quietly and explains a missing ``dot``."""

    #: What it shows, in words (also its repr: no object address for nbval to trip on).
    summary: str = "topology diagram"

    def __repr__(self) -> str:
        return f"<labcheck diagram: {self.summary}>"

    def svg(self) -> str:
        """The diagram as SVG text (raises GraphvizMissing without ``dot``)."""
        return render(self, "svg").decode("utf-8")

    def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                          exclude: Iterable[str] | None = None, **_: Any) -> dict[str, Any]:
        try:
            svg = self.svg()
        except GraphvizMissing as exc:
            text = f"{exc}\n\n{self.source}"
            return {"text/plain": text,
                    "text/html": f"<p>{html.escape(str(exc))}</p>"
                                 f"<pre>{html.escape(self.source)}</pre>"}
        return {"image/svg+xml": svg}

    def _repr_image_svg_xml(self) -> str:
        return self.svg()

    def _repr_image_png(self) -> bytes:
        return render(self, "png")


def render(graph: graphviz.Digraph, format: str = "svg") -> bytes:  # noqa: A002
    """``graph`` as ``format`` bytes (svg, png or dot). ``dot`` runs with stderr captured.

    Raises :class:`~labcheck.errors.GraphvizMissing` when ``dot`` is not
    installed (the ``dot`` format needs no program).
    """
    if format not in FORMATS:
        raise UsageError(f"unknown diagram format {format!r}; choose one of {', '.join(FORMATS)}")
    if format == "dot":
        return str(graph.source).encode("utf-8")
    try:
        data: bytes = graph.pipe(format=format, quiet=True)
        return data
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(INSTALL_GRAPHVIZ) from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise LabcheckError(f"Graphviz could not draw the diagram: "
                            f"{detail[-1] if detail else exc}. Save the DOT text with "
                            "--format dot and report it") from None


# -- drawing ----------------------------------------------------------------------------------

def diagram(snapshot: Snapshot, *, report: "Report | None" = None,
            expected: Expected | None = None, focus: Expected | None = None,
            all: bool = False,  # noqa: A002 - the CLI's word
            matrix: ReachMatrix | None = None, title: str | None = None) -> TopologyDiagram:
    """Draw ``snapshot``; pure: it reads nothing but its arguments, and grades nothing.

    ``report`` (a graded Report) marks what its checks expect, green where
    they pass and red where they fail (see :mod:`labcheck.render.topology`);
    its title is the score unless ``title`` is given. ``expected`` alone
    marks presence. ``focus`` is the topology to draw when not ``all`` (by
    default the report's or ``expected``'s); ``matrix`` adds a reachability
    layer; ``all`` draws every object in the snapshot, not only the course's.
    To draw an exercise, grade it first: :func:`labcheck.diagram` does.
    """
    if not isinstance(snapshot, Snapshot):
        raise UsageError("diagram() draws a Snapshot: take one with labcheck.collect(client) "
                         "or lab.snapshot(), or load one with Snapshot.load(path)")
    if report is not None and expected is not None:
        raise UsageError(ONE_OF)
    if snapshot.is_multi_node:  # several Docker hosts: each a cluster, overlays across them
        return _nodes(snapshot, report, title)
    marks = None
    if report is not None:
        focus = report.expected() if focus is None else focus
        marks = from_report(snapshot, report)
        if title is None:
            title = (f"{report.title or report.exercise_id}: "
                     f"{format_points(report.score)}/{format_points(report.max_score)} points")
    elif expected is not None:
        focus = expected if focus is None else focus
        marks = compare(snapshot, expected)
    shown = select(snapshot, all=all, expected=focus)
    return _Drawing(shown, marks, matrix, title).build()


def _nodes(snapshot: Snapshot, report: "Report | None", title: str | None) -> TopologyDiagram:
    """The diagram of a multi-node snapshot (:mod:`labcheck.render.nodes`), its title the
    report's score; the report's marks are per host: they are read in the report."""
    if report is not None and title is None:
        title = (f"{report.title or report.exercise_id}: "
                 f"{format_points(report.score)}/{format_points(report.max_score)} points")
    attrs = {**GRAPH_ATTR["graph_attr"], "label": title or "a lab of several Docker hosts"}
    graph = TopologyDiagram(name="labcheck_nodes", graph_attr=attrs,
                            node_attr=GRAPH_ATTR["node_attr"], edge_attr=GRAPH_ATTR["edge_attr"])
    graph.summary = draw_nodes(graph, snapshot)
    return graph


#: Why a diagram takes one source of expectations.
ONE_OF = ("diagram() takes one of report, exercise or expected, not several: "
          "a report's checks already say what they expect")


class _Drawing:
    """One diagram being built: node ids, the comparison, then the DOT statements."""

    def __init__(self, snapshot: Snapshot, marks: Comparison | None,
                 matrix: ReachMatrix | None, title: str | None) -> None:
        self.snap = snapshot
        self.matrix = matrix
        self.title = title
        self.cmp = marks
        self.networks = sorted((n for n in snapshot.networks if n.driver not in _SPECIAL_DRIVERS),
                               key=lambda n: (not n.is_default_bridge, n.name, n.id))
        self.net_ids = {n.name: f"n{i}" for i, n in enumerate(self.networks)}
        self.containers = sorted(snapshot.containers, key=lambda c: (c.name, c.id))
        self.box_ids = {c.name: f"c{i}" for i, c in enumerate(self.containers)}
        missing = sorted(self.cmp.containers_missing) if self.cmp else []
        self.box_ids.update({name: f"m{i}" for i, name in enumerate(missing)})
        missing_nets = sorted(self.cmp.networks_missing) if self.cmp else []
        self.missing_net_ids = {name: f"mn{i}" for i, name in enumerate(missing_nets)}
        self.graph = TopologyDiagram(name="labcheck", graph_attr={
            "rankdir": "LR", "fontname": _FONT, "fontsize": "11", "compound": "true",
            "nodesep": "0.25", "ranksep": "0.7", "newrank": "true", "labelloc": "t",
            "label": self._title_label(), "tooltip": "labcheck topology"},
            node_attr={"fontname": _FONT, "fontsize": "10", "shape": "plain"},
            edge_attr={"fontname": _FONT, "fontsize": "9", "arrowsize": "0.7"})
        self.graph.summary = self._counts()

    # -- pieces ------------------------------------------------------------------

    def _counts(self) -> str:
        return (f"{len(self.networks)} networks, {len(self.snap.containers)} containers")

    def _title_label(self) -> str:
        counts = self._counts()
        head = f"<B>{_esc(self.title, 120)}</B><BR/>" if self.title else ""
        return _html(head + _small(_esc(counts, None)))

    def _status_colour(self, found: bool | None) -> str | None:
        return None if found is None else (GREEN if found else RED)

    def _container_expectation(self, name: str) -> bool | None:
        """True (expected, fine), False (missing, or its check fails), None (not expected)."""
        if self.cmp is None:
            return None
        if name in self.cmp.containers_found:
            return True
        if name in self.cmp.containers_missing | self.cmp.containers_failing:
            return False
        return None

    def _network_expectation(self, name: str) -> bool | None:
        """True (expected, fine), False (missing, or its check fails), None (not expected)."""
        if self.cmp is None:
            return None
        if name in self.cmp.networks_found:
            return True
        if name in self.cmp.networks_missing | self.cmp.networks_failing:
            return False
        return None

    def build(self) -> TopologyDiagram:
        self._host()
        for net in self.networks:
            self._network(net)
        for name, ident in self.missing_net_ids.items():
            self._missing_network(name, ident)
        for box in self.containers:
            self._container(box)
        for name in (sorted(self.cmp.containers_missing) if self.cmp else []):
            self._missing_container(name)
        self._attachments()
        self._ports()
        self._sharing()
        if self.matrix is not None:
            self._matrix()
        if self.cmp is not None or self.matrix is not None:
            self._legend()
        return self.graph

    # -- host -----------------------------------------------------------------

    def _bindings(self) -> list[tuple[Container, PortBinding]]:
        return [(box, p) for box in self.containers for p in box.published()]

    def _missing_ports(self) -> list[ExpectedPort]:
        if self.cmp is None:
            return []
        return sorted(self.cmp.ports_missing, key=lambda p: (p.container, p.container_port,
                                                             p.protocol, p.host_port or 0))

    def _host(self) -> None:
        rows = ['<TR><TD BGCOLOR="#e3e3e3"><B>host</B> '
                + _small("this machine") + "</TD></TR>"]
        for i, (_box, binding) in enumerate(self._bindings()):
            rows.append(f'<TR><TD PORT="h{i}">{_esc(_host_address(binding), None)}</TD></TR>')
        for i, want in enumerate(self._missing_ports()):
            rows.append(f'<TR><TD PORT="x{i}" STYLE="dashed" COLOR="{RED}">'
                        f'<FONT COLOR="{RED}">{_esc(_host_address(want), None)} '
                        "(missing)</FONT></TD></TR>")
        self.graph.node("host", _html('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" '
                                      'CELLPADDING="4">' + "".join(rows)
                                      + "</TABLE>"))

    # -- networks -------------------------------------------------------------

    def _network_title(self, net: Network) -> str:
        badges = []
        if net.has_embedded_dns:
            badges.append(("DNS", GREEN))
        if net.is_default_bridge:
            badges.append(("no DNS", GREY))
        for word, on in (("internal", net.internal), ("attachable", net.attachable),
                         ("ICC off", not net.icc), ("IPv6", net.ipv6)):
            if on:
                badges.append((word, BROWN if word in ("internal", "ICC off") else BLUE))
        cells = "".join(f'<TD BGCOLOR="{colour}"><FONT COLOR="white" POINT-SIZE="8">'
                        f"<B>{_esc(word)}</B></FONT></TD>" for word, colour in badges)
        kind = "default bridge" if net.is_default_bridge else f"{net.driver or '?'}"
        if net.scope and net.scope != "local":
            kind += f" ({net.scope})"
        details = [kind] + [_esc(s, None) for s in net.subnets]
        details += [f"gw {_esc(g, None)}" for g in net.gateways]
        span = len(badges) + 1
        return _html('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
                     f'<TR><TD ALIGN="LEFT"><B>{_esc(net.name)}</B></TD>{cells}</TR>'
                     f'<TR><TD ALIGN="LEFT" COLSPAN="{span}">'
                     f"{_small(_esc(' · '.join(details), None))}</TD></TR></TABLE>")

    def _network(self, net: Network) -> None:
        ident = self.net_ids[net.name]
        expectation = self._network_expectation(net.name)
        if net.is_default_bridge:
            attrs = {"style": "rounded,filled,dashed", "fillcolor": "#f4f4f4", "color": GREY}
        else:
            attrs = {"style": "rounded,filled", "fillcolor": "#eef4fc", "color": BLUE}
        if expectation is not None:
            attrs.update(color=GREEN if expectation else RED, penwidth="2.5")
        members = self.snap.containers_on(net.name)
        missing = self._not_attached(net.name)
        with self.graph.subgraph(name=f"cluster_{ident}") as sub:
            sub.attr(label=self._network_title(net), labeljust="l", **attrs)
            for box in sorted(members, key=lambda c: (c.name, c.id)):
                endpoint = box.endpoint(net.name)
                lines = [_esc(endpoint.ipv4 or endpoint.ipv6 or "no address", None)
                         if endpoint else "?"]
                if endpoint and endpoint.ipv4 and endpoint.ipv6:
                    lines.append(_small(_esc(endpoint.ipv6, None)))
                if not box.is_running:
                    lines = [_small("no address (stopped)", GREY)]
                aliases = extra_aliases(box, net.name)
                if aliases:
                    lines.append(_small("aliases: " + _esc(", ".join(aliases), 60)))
                colour = GREY if not box.is_running else "#555555"
                sub.node(f"{self.box_ids[box.name]}_{ident}", _html("<BR/>".join(lines)),
                         shape="box", style="rounded,filled", fillcolor="white", color=colour,
                         margin="0.08,0.04")
            self._not_attached_nodes(sub, missing, ident)
            if not members and not missing:
                sub.node(f"{ident}_empty", _html(_small("(no containers)", GREY)),
                         shape="plaintext")

    def _missing_network(self, name: str, ident: str) -> None:
        missing = self._not_attached(name)
        with self.graph.subgraph(name=f"cluster_{ident}") as sub:
            sub.attr(label=_html(f'<FONT COLOR="{RED}"><B>{_esc(name)}</B> (missing network)'
                                 "</FONT>"), style="rounded,dashed", color=RED, labeljust="l",
                     penwidth="2")
            self._not_attached_nodes(sub, missing, ident)
            if not missing:
                sub.node(f"{ident}_empty", _html(_small("does not exist", RED)), shape="plaintext")

    def _not_attached(self, network: str) -> list[str]:
        """The containers expected on ``network`` but not attached to it, sorted."""
        pairs = self.cmp.attachments_missing if self.cmp else ()
        return sorted(box for box, net in pairs if net == network)

    def _not_attached_nodes(self, sub: graphviz.Digraph, boxes: list[str], ident: str) -> None:
        """A red dashed "not attached" endpoint in network cluster ``ident`` for each box."""
        for box in boxes:
            sub.node(f"{self.box_ids[box]}_{ident}",
                     _html(f'<FONT COLOR="{RED}">{_esc(box)}: not attached</FONT>'),
                     shape="box", style="rounded,dashed", color=RED, margin="0.08,0.04")

    # -- containers ---------------------------------------------------------------

    def _port_rows(self, box: Container) -> list[str]:
        keys: dict[str, str] = {}
        for port in box.ports:
            keys.setdefault(_port_id(port.container_port, port.protocol),
                            f"{port.container_port}/{port.protocol}")
        for want in self._missing_ports():
            if want.container == box.name:
                keys.setdefault(_port_id(want.container_port, want.protocol),
                                f"{want.container_port}/{want.protocol}")
        rows = []
        for key, text in sorted(keys.items(), key=lambda kv: (int(kv[0][1:].split("_")[0]), kv[0])):
            published = any(_port_id(p.container_port, p.protocol) == key for p in box.published())
            note = "" if published else " " + _small("not published", GREY)
            rows.append(f'<TR><TD PORT="{key}" ALIGN="LEFT">{_esc(text, None)}{note}</TD></TR>')
        return rows

    def _container(self, box: Container) -> None:
        running = box.is_running
        fill, ink = ("#ffffff", "#000000") if running else ("#eeeeee", "#888888")
        expectation = self._container_expectation(box.name)
        border = self._status_colour(expectation) or ("#444444" if running else GREY)
        state = box.state or "unknown"
        rows = [f'<TR><TD><FONT COLOR="{ink}"><B>{_esc(box.name)}</B></FONT></TD></TR>',
                f"<TR><TD>{_small(_esc(state + ' · ' + (box.image or '?'), 60), ink)}</TD></TR>"]
        style = "rounded"
        mode = box.network_mode
        if mode == "host":
            rows.append(f"<TR><TD>{_small('network: host (the host’s interfaces)', ink)}</TD></TR>")
        elif mode == "none":
            rows.append(f"<TR><TD>{_small('network: none (loopback only)', ink)}</TD></TR>")
            style = "rounded,dashed"
        elif box.shares_namespace_with:
            owner = self.snap.namespace_owner(box)
            other = owner.name if owner else box.shares_namespace_with[:12]
            rows.append(f"<TR><TD>{_small('network: container:' + _esc(other), ink)}</TD></TR>")
        rows += self._port_rows(box)
        width = "2" if expectation is not None else "1"
        self.graph.node(self.box_ids[box.name], _html(
            f'<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
            f'STYLE="{style}" BGCOLOR="{fill}" COLOR="{border}">' + "".join(rows) + "</TABLE>"))

    def _missing_container(self, name: str) -> None:
        rows = [f'<TR><TD><FONT COLOR="{RED}"><B>{_esc(name)}</B></FONT></TD></TR>',
                f"<TR><TD>{_small('missing container', RED)}</TD></TR>"]
        rows += [f'<TR><TD PORT="{_port_id(w.container_port, w.protocol)}">'
                 f"{_esc(f'{w.container_port}/{w.protocol}', None)}</TD></TR>"
                 for w in self._missing_ports() if w.container == name]
        self.graph.node(self.box_ids[name], _html(
            f'<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
            f'STYLE="rounded,dashed" COLOR="{RED}">' + "".join(rows) + "</TABLE>"))

    # -- edges ----------------------------------------------------------------------

    def _attachment_style(self, box: str, net: str) -> dict[str, str]:
        if self.cmp is not None:
            if (box, net) in self.cmp.attachments_unexpected:
                return {"color": ORANGE, "penwidth": "2", "label": "unexpected",
                        "fontcolor": ORANGE}
            if (box, net) in self.cmp.attachments_found:
                return {"color": GREEN, "penwidth": "2"}
            if (box, net) in self.cmp.attachments_failing:
                return {"color": RED, "penwidth": "2"}
        return {"color": "#555555"}

    def _attachments(self) -> None:
        for box in self.containers:
            colour = {} if box.is_running else {"color": GREY, "style": "dashed"}
            for endpoint in box.endpoints:
                ident = self.net_ids.get(endpoint.network)
                if ident is None:
                    continue
                style = {**self._attachment_style(box.name, endpoint.network), **colour}
                self.graph.edge(self.box_ids[box.name], f"{self.box_ids[box.name]}_{ident}",
                                dir="none", **style)
        for name, net in sorted(self.cmp.attachments_missing if self.cmp else ()):
            ident = self.net_ids.get(net) or self.missing_net_ids.get(net)
            if ident is not None:
                self.graph.edge(self.box_ids[name], f"{self.box_ids[name]}_{ident}", dir="none",
                                color=RED, style="dashed", penwidth="2")

    def _ports(self) -> None:
        unexpected = self.cmp.ports_unexpected if self.cmp else set()
        found = self.cmp.ports_found if self.cmp else set()
        failing = self.cmp.ports_failing if self.cmp else set()
        for i, (box, binding) in enumerate(self._bindings()):
            style: dict[str, str] = {"color": BLUE}
            if (box.name, binding) in unexpected:
                style = {"color": ORANGE, "penwidth": "2", "label": "unexpected",
                         "fontcolor": ORANGE}
            elif (box.name, binding) in found:
                style = {"color": GREEN, "penwidth": "2"}
            elif (box.name, binding) in failing:
                style = {"color": RED, "penwidth": "2"}
            if not box.is_running:
                style.update(color=GREY, style="dashed")
            self.graph.edge(f"host:h{i}:e",
                            f"{self.box_ids[box.name]}:"
                            f"{_port_id(binding.container_port, binding.protocol)}:w", **style)
        for i, want in enumerate(self._missing_ports()):
            self.graph.edge(f"host:x{i}:e", f"{self.box_ids[want.container]}:"
                            f"{_port_id(want.container_port, want.protocol)}:w",
                            color=RED, style="dashed", penwidth="2")

    def _sharing(self) -> None:
        for box in self.containers:
            if box.network_mode == "host":
                self.graph.edge("host", self.box_ids[box.name], dir="none", style="bold",
                                color="#555555", label="host network")
            other = box.shares_namespace_with
            if other is None:
                continue
            owner = self.snap.namespace_owner(box)
            if owner is None:
                ident = f"{self.box_ids[box.name]}_owner"
                self.graph.node(ident, _html(_small(f"container {_esc(other[:12])} (not shown)",
                                                    GREY)), shape="box", style="dashed",
                                color=GREY)
            else:
                ident = self.box_ids[owner.name]
            self.graph.edge(self.box_ids[box.name], ident, style="dotted", color="#555555",
                            label="shares network namespace")

    def _matrix(self) -> None:
        """One edge per pair: both ways (``dir=both``) when both directions agree."""
        assert self.matrix is not None
        done: set[tuple[str, str]] = set()
        for cell in self.matrix.pairs():
            if (cell.source, cell.target) in done or cell.reaches is None:
                continue
            if cell.source not in self.box_ids or cell.target not in self.box_ids:
                continue
            back = self.matrix.cell(cell.target, cell.source)
            both = (back is not None and back.reaches == cell.reaches
                    and back.disagrees == cell.disagrees)
            if both:
                done.add((cell.target, cell.source))
            style = ({"color": GREEN, "penwidth": "1.5"} if cell.reaches
                     else {"color": RED, "style": "dotted", "arrowhead": "tee",
                           "arrowtail": "tee", "penwidth": "0.8"})
            self.graph.edge(self.box_ids[cell.source], self.box_ids[cell.target],
                            constraint="false", dir="both" if both else "forward",
                            label="!" if cell.disagrees else "", **style)

    def _legend(self) -> None:
        rows = ['<TR><TD COLSPAN="2"><B>legend</B></TD></TR>']
        entries = []
        if self.cmp is not None:
            entries += [(GREEN, "━━", "expected and present"),
                        (RED, "╌╌", "expected but missing"),
                        (ORANGE, "━━", "present but not expected")]
            if (self.cmp.networks_failing or self.cmp.containers_failing
                    or self.cmp.attachments_failing or self.cmp.ports_failing):
                entries.append((RED, "━━", "present, but its check fails"))
        if self.matrix is not None:
            entries += [(GREEN, "──▶", "reaches (probed)"),
                        (RED, "┈┈┤", "does not reach (probed)")]
            if self.matrix.disagreements:
                entries.append(("#000000", "!", "probe disagrees with the rules"))
        rows += [f'<TR><TD><FONT COLOR="{colour}"><B>{mark}</B></FONT></TD>'
                 f'<TD ALIGN="LEFT">{text}</TD></TR>' for colour, mark, text in entries]
        self.graph.node("legend", _html('<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" '
                                        'CELLPADDING="3" COLOR="#999999">' + "".join(rows)
                                        + "</TABLE>"))
