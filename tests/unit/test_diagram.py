"""Diagrams from recorded snapshots: DOT text, stability, selection, expected-vs-actual.

Golden DOT files sit beside the snapshots they come from
(``tests/fixtures/snapshot-*.dot``); the tests only compare. After an
intended change of the drawing, write them again with a separate command
and review the diff::

    .venv/bin/python tests/tools/update_golden.py
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from labcheck.errors import UsageError
from labcheck.expected import Expected, ExpectedPort
from labcheck.reachability import reach_matrix
from labcheck.render.diagram import diagram
from labcheck.render.topology import compare, from_report, select
from labcheck.snapshot import Snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures"
LIVE = FIXTURES / "snapshot-live-topology.json"
HARD = FIXTURES / "snapshot-names-hard.json"
MATRIX = tuple(f"fx-{n}" for n in ("web", "db", "api", "legacy", "legacy2", "q1", "q2"))

#: What an exercise on the live fixture might expect: some of it holds, some not.
EXPECTED = Expected(
    networks=("fx-front", "fx-back", "fx-missing"),
    containers=("fx-web", "fx-db", "fx-ghost"),
    attachments=(("fx-web", "fx-front"), ("fx-db", "fx-back"), ("fx-db", "fx-front"),
                 ("fx-ghost", "fx-missing")),
    forbidden_attachments=(("fx-web", "fx-back"),),
    ports=(ExpectedPort("fx-db", 5432, 15432), ExpectedPort("fx-api", 8080)),
    unpublished=(("fx-api", 8080),),
)


def load(path: Path) -> Snapshot:
    return Snapshot.load(path)


def api_snapshot(*names: str) -> Snapshot:
    """A snapshot parsed from the daemon-shaped JSON fixtures (list endpoint)."""
    networks, containers = [], []
    for name in names:
        data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        networks += data["networks"]
        containers += data["containers"]
    return Snapshot.from_api(networks, containers)


def node_ids(dot: str) -> dict[str, str]:
    """{container name: node id} from the bold names of container nodes."""
    found = {}
    for ident, name in re.findall(r"^\s*(c\d+) \[label=<.*?<B>(.*?)</B>", dot, re.MULTILINE):
        found[name] = ident
    return found


def _matrix_dot() -> str:
    snap = load(LIVE)
    return diagram(snap, matrix=reach_matrix(snap, MATRIX)).source


#: Each golden file and how its text is made (tests/tools/update_golden.py writes them).
GOLDEN = {
    "snapshot-live-topology.dot": lambda: diagram(load(LIVE)).source,
    "snapshot-live-topology-expected.dot": lambda: diagram(load(LIVE), expected=EXPECTED).source,
    "snapshot-live-topology-matrix.dot": _matrix_dot,
    "snapshot-names-hard.dot": lambda: diagram(load(HARD)).source,
}

_UPDATE = "python tests/tools/update_golden.py"


def golden(name: str, text: str) -> None:
    """``text`` equals the golden file ``name``; nothing is ever written here."""
    path = FIXTURES / name
    assert path.exists(), f"{path.name} is missing: write it with {_UPDATE}"
    assert text == path.read_text(encoding="utf-8"), (
        f"the DOT differs from {path.name}; if the change is intended, run {_UPDATE} "
        "and review the diff")


# -- golden DOT ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_dot_matches_golden(name: str):
    golden(name, GOLDEN[name]())


def test_golden_fails_on_a_difference_and_on_a_missing_file():
    name = "snapshot-names-hard.dot"
    with pytest.raises(AssertionError, match="differs"):
        golden(name, GOLDEN[name]() + "// changed\n")
    with pytest.raises(AssertionError, match="is missing"):
        golden("no-such-golden.dot", "")


# -- stability ---------------------------------------------------------------------------

def test_same_snapshot_gives_byte_identical_dot_after_a_json_round_trip():
    snap = load(LIVE)
    again = Snapshot.loads(snap.dumps())
    assert diagram(snap).source == diagram(again).source
    assert diagram(snap, expected=EXPECTED).source == diagram(again, expected=EXPECTED).source


def test_dot_does_not_depend_on_the_order_the_daemon_listed_objects():
    snap = load(LIVE)
    rng = random.Random(4)
    nets, boxes = list(snap.networks), list(snap.containers)
    rng.shuffle(nets)
    rng.shuffle(boxes)
    shuffled = Snapshot(networks=tuple(nets), containers=tuple(boxes), probes=snap.probes)
    assert diagram(shuffled).source == diagram(snap).source


def test_dot_has_no_object_addresses_timestamps_or_ids():
    snap = load(LIVE)
    graph = diagram(snap, all=True)
    dot = graph.source
    assert repr(graph) == "<labcheck diagram: 4 networks, 11 containers>"
    assert not re.search(r"0x[0-9a-f]{6,}", dot)
    assert snap.taken_at not in dot
    for box in snap.containers:
        assert box.id[:12] not in dot, box.name


# -- what is drawn ------------------------------------------------------------------------

def test_each_container_is_one_node_with_an_edge_to_each_of_its_networks():
    snap = load(LIVE)
    dot = diagram(snap).source
    ids = node_ids(dot)
    assert sorted(ids) == sorted(c.name for c in snap.containers)
    web = ids["fx-web"]
    endpoints = re.findall(rf"^\s*{web} -> ({web}_n\d+)", dot, re.MULTILINE)
    assert len(endpoints) == 2  # fx-front and fx-back
    assert dot.count(f"\t{web} [label=") == 1


def test_endpoints_show_ip_and_extra_aliases_but_not_the_short_id():
    snap = load(LIVE)
    dot = diagram(snap).source
    web = snap.container("fx-web")
    for endpoint in web.endpoints:
        assert endpoint.ipv4 in dot
    assert "aliases: www" in dot and "aliases: database" in dot


def test_networks_show_driver_subnet_gateway_and_flags():
    snap = load(LIVE)
    dot = diagram(snap).source
    back = snap.network("fx-back")
    assert back.subnets[0] in dot and f"gw {back.gateways[0]}" in dot
    cluster = dot[dot.index("<B>fx-back</B>") - 400:dot.index("<B>fx-back</B>") + 600]
    assert ">internal<" in cluster and ">DNS<" in cluster
    quiet = dot[dot.index("<B>fx-quiet</B>"):dot.index("<B>fx-quiet</B>") + 600]
    assert ">ICC off<" in quiet


def test_default_bridge_looks_different_from_a_user_defined_one():
    dot = diagram(load(LIVE)).source
    bridge = dot[dot.index("<B>bridge</B>") - 600:dot.index("<B>bridge</B>") + 400]
    front = dot[dot.index("<B>fx-front</B>") - 600:dot.index("<B>fx-front</B>") + 400]
    assert "no DNS" in bridge and "dashed" in bridge and "default bridge" in dot
    assert ">DNS<" in front and "no DNS" not in front and "dashed" not in front


def test_published_ports_are_edges_from_host_address_to_container_port():
    snap = load(LIVE)
    dot = diagram(snap).source
    ids = node_ids(dot)
    web_port = snap.container("fx-web").published()[0]
    assert f"127.0.0.1:{web_port.host_port}</TD>" in dot
    assert re.search(rf"host:h\d+:e -> {ids['fx-web']}:p5000_tcp:w", dot)
    api_port = snap.container("fx-api").published()[0]
    assert f"0.0.0.0:{api_port.host_port}</TD>" in dot
    assert re.search(rf"host:h\d+:e -> {ids['fx-api']}:p8080_tcp:w", dot)


def test_host_none_and_shared_namespace_modes_are_drawn_as_what_they_are():
    dot = diagram(load(LIVE)).source
    ids = node_ids(dot)
    assert re.search(rf"host -> {ids['fx-hostbox']} \[.*label=\"host network\"", dot)
    assert "network: none (loopback only)" in dot
    none_node = re.search(rf"^\s*{ids['fx-nonebox']} \[label=<(.*)>\]$", dot, re.MULTILINE)
    assert none_node and 'STYLE="rounded,dashed"' in none_node.group(1)
    assert not re.search(rf"{ids['fx-nonebox']} ->", dot)  # no network, no edge
    assert re.search(rf"{ids['fx-sidecar']} -> {ids['fx-web']} \[.*shares network namespace", dot)
    assert "network: container:fx-web" in dot


def test_stopped_containers_are_greyed():
    dot = diagram(load(LIVE)).source
    ids = node_ids(dot)
    stopped = re.search(rf"^\s*{ids['fx-stopped']} \[label=<(.*)>\]$", dot, re.MULTILINE).group(1)
    running = re.search(rf"^\s*{ids['fx-web']} \[label=<(.*)>\]$", dot, re.MULTILINE).group(1)
    assert 'BGCOLOR="#eeeeee"' in stopped and "#888888" in stopped
    assert 'BGCOLOR="#ffffff"' in running
    assert "no address (stopped)" in dot


def test_default_draws_only_the_course_objects_and_all_draws_everything():
    snap = api_snapshot("api-list.json", "api-handwritten.json")
    course = select(snap)
    unlabelled = [c.name for c in snap.containers
                  if c.labels.get("io.labcheck.owner") != "labcheck"]
    assert unlabelled, "the fixture should have an unlabelled container"
    for name in unlabelled:
        assert course.container(name) is None or any(
            c.shares_namespace_with and snap.container(c.shares_namespace_with).name == name
            for c in course.containers if c.shares_namespace_with)
    assert select(snap, all=True) is snap
    assert len(diagram(snap, all=True).source) > len(diagram(snap).source)
    assert "hw-noipam" not in diagram(snap).source  # unlabelled and unused
    assert "hw-noipam" in diagram(snap, all=True).source


def test_expected_objects_are_drawn_even_without_labels():
    snap = api_snapshot("api-handwritten.json")
    assert "hw-noipam" not in diagram(snap).source
    assert "hw-noipam" in diagram(snap, expected=Expected(networks=("hw-noipam",))).source


def test_macvlan_overlay_ipv6_and_ipam_none_networks_draw():
    snap = api_snapshot("api-list.json", "api-handwritten.json")
    dot = diagram(snap, all=True).source
    assert "macvlan" in dot and "overlay (swarm)" in dot and ">IPv6<" in dot
    v6 = snap.network("rec-v6")
    assert any(":" in s and s in dot for s in v6.subnets)
    assert "<B>hw-noipam</B>" in dot  # no subnet, still a titled cluster


def test_a_missing_namespace_owner_is_drawn_as_a_placeholder():
    snap = load(HARD)
    alone = Snapshot(networks=snap.networks, containers=(snap.containers[1],))
    dot = diagram(alone, all=True).source
    assert "(not shown)" in dot and "cccccccccccc" in dot


# -- expected against actual -----------------------------------------------------------------

def test_compare_sorts_expected_into_found_missing_and_unexpected():
    result = compare(load(LIVE), EXPECTED)
    assert result.networks_found == {"fx-front", "fx-back"}
    assert result.networks_missing == {"fx-missing"}
    assert result.containers_missing == {"fx-ghost"}
    assert result.attachments_found == {("fx-web", "fx-front"), ("fx-db", "fx-back")}
    assert result.attachments_missing == {("fx-db", "fx-front"), ("fx-ghost", "fx-missing")}
    assert result.attachments_unexpected == {("fx-web", "fx-back")}
    assert [p.container for p in result.ports_missing] == ["fx-db"]
    assert {name for name, _ in result.ports_found} == {"fx-api"}
    assert {name for name, _ in result.ports_unexpected} == {"fx-api"}
    assert not result.is_satisfied


def test_compare_is_satisfied_by_a_matching_snapshot():
    snap = load(LIVE)
    web_port = snap.container("fx-web").published()[0]
    fits = Expected(networks=("fx-front", "fx-back"), containers=("fx-web",),
                    attachments=(("fx-web", "fx-front"), ("fx-web", "fx-back")),
                    forbidden_attachments=(("fx-db", "fx-front"),),
                    ports=(ExpectedPort("fx-web", 5000, web_port.host_port, "127.0.0.1"),),
                    unpublished=(("fx-db", 5432),))
    assert compare(snap, fits).is_satisfied
    dot = diagram(snap, expected=fits).source
    drawing, _, legend = dot.partition("\tlegend [")
    assert "#c62828" not in drawing and "#ef6c00" not in drawing  # nothing red or orange
    assert "expected and present" in legend


def test_expected_drawing_marks_green_red_dashed_and_orange_with_a_legend():
    dot = diagram(load(LIVE), expected=EXPECTED).source
    ids = node_ids(dot)
    assert "fx-missing</B> (missing network)" in dot
    assert "missing container" in dot and "fx-ghost" in dot
    assert re.search(r"cluster_mn0 \{[^}]*style=\"rounded,dashed\"", dot, re.S)
    db_front = re.search(rf"{ids['fx-db']} -> {ids['fx-db']}_n\d+ \[([^\]]*)\]", dot)
    assert db_front
    missing_edges = re.findall(rf"{ids['fx-db']} -> {ids['fx-db']}_n\d+ \[([^\]]*)\]", dot)
    assert any("#c62828" in e and "dashed" in e for e in missing_edges)
    assert any("#2e7d32" in e for e in missing_edges)
    web_edges = re.findall(rf"{ids['fx-web']} -> {ids['fx-web']}_n\d+ \[([^\]]*)\]", dot)
    assert any("#ef6c00" in e and "label=unexpected" in e for e in web_edges)
    assert "0.0.0.0:15432 (missing)" in dot
    assert re.search(rf"host:x0:e -> {ids['fx-db']}:p5432_tcp:w \[[^\]]*dashed", dot)
    for words in ("expected and present", "expected but missing", "present but not expected"):
        assert words in dot


#: An exercise on the live fixture: some checks pass, some fail with the part missing,
#: one fails with the part present (fx-front is not internal), one finds a forbidden link.
FIXTURE_EXERCISE = """
id: fx-demo
title: Demo on the fixture
lesson: "99"
checks:
  - {id: web-front, kind: attached, container: fx-web, network: fx-front}
  - {id: db-front, kind: attached, container: fx-db, network: fx-front}
  - {id: missing-net, kind: network_exists, network: fx-missing}
  - {id: front-internal, kind: network_internal, network: fx-front}
  - {id: web-isolated, kind: not_attached, container: fx-web, network: fx-back}
"""


def fixture_report(snap: Snapshot):
    from labcheck.exercises import parse_exercise
    from labcheck.grading import grade

    return grade(parse_exercise(FIXTURE_EXERCISE), snap)


def edges(dot: str, source: str, network_ident: str | None = None) -> list[str]:
    target = rf"{source}_{network_ident}" if network_ident else rf"{source}_n\d+"
    return re.findall(rf"\t{source} -> {target} \[([^\]]*)\]", dot)


def test_a_report_marks_what_its_checks_found():
    snap = load(LIVE)
    report = fixture_report(snap)
    assert [r.status for r in report.results] == ["pass", "fail", "fail", "fail", "fail"]
    marks = from_report(snap, report)
    assert marks.attachments_found == {("fx-web", "fx-front")}
    assert marks.attachments_missing == {("fx-db", "fx-front")}
    assert marks.networks_missing == {"fx-missing"}
    assert "fx-front" in marks.networks_failing and "fx-front" not in marks.networks_found
    assert marks.attachments_unexpected == {("fx-web", "fx-back")}
    dot = diagram(snap, report=report).source
    ids = node_ids(dot)
    assert "fx-missing</B> (missing network)" in dot
    assert "Demo on the fixture: 1/5 points" in dot
    assert any("#2e7d32" in e for e in edges(dot, ids["fx-web"]))
    assert any("#ef6c00" in e and "unexpected" in e for e in edges(dot, ids["fx-web"]))
    assert any("#c62828" in e and "dashed" in e for e in edges(dot, ids["fx-db"]))
    front = re.search(r"subgraph cluster_(n\d+) \{[^}]*?fx-front</B>", dot, re.S)
    assert front and re.search(rf"cluster_{front.group(1)} \{{[^}}]*color=\"#c62828\"", dot)
    assert "present, but its check fails" in dot


def test_the_colours_are_the_reports_verdicts_not_a_second_judgement():
    """Flip one result: the drawing follows the report, though the snapshot is the same."""
    from dataclasses import replace

    snap = load(LIVE)
    report = fixture_report(snap)
    flipped = replace(report, results=tuple(
        replace(r, status="fail") if r.check_id == "web-front"
        else replace(r, status="pass") if r.check_id == "db-front" else r
        for r in report.results))
    ids = node_ids(diagram(snap, report=report).source)
    dot = diagram(snap, report=flipped).source
    web_front = [e for e in edges(dot, ids["fx-web"]) if "#c62828" in e]
    assert web_front and all("dashed" not in e for e in web_front)  # present, check fails: red
    assert not any("#2e7d32" in e for e in edges(dot, ids["fx-web"]))
    assert not any("#c62828" in e for e in edges(dot, ids["fx-db"]))  # passed: not drawn missing
    assert ("fx-db", "fx-front") not in from_report(snap, flipped).attachments_missing


def test_an_exercise_is_graded_on_the_snapshot_and_drawn_as_its_report():
    """labcheck.diagram grades; the renderer it calls never does."""
    import labcheck
    from labcheck.exercises import parse_exercise

    snap = load(LIVE)
    drawn = labcheck.diagram(snap, exercise=parse_exercise(FIXTURE_EXERCISE)).source
    assert drawn == diagram(snap, report=fixture_report(snap), title="").source
    assert "fx-missing</B> (missing network)" in drawn and "present, but its check fails" in drawn
    with pytest.raises(UsageError, match="one of report, exercise or expected"):
        labcheck.diagram(snap, exercise=parse_exercise(FIXTURE_EXERCISE), expected=Expected())


def test_the_renderer_imports_nothing_of_grading():
    import ast
    from pathlib import Path

    import labcheck.render

    for path in Path(labcheck.render.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        named = {(node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        named |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                  for a in node.names}
        assert not any("grading" in n or "exercises" in n for n in named), path.name


def test_a_diagram_takes_a_snapshot_and_never_connects():
    from labcheck.errors import UsageError

    with pytest.raises(TypeError):
        diagram()  # type: ignore[call-arg]
    with pytest.raises(UsageError, match="draws a Snapshot"):
        diagram(None)  # type: ignore[arg-type]
    snap = load(LIVE)
    with pytest.raises(UsageError, match="not several"):
        diagram(snap, report=fixture_report(snap), expected=EXPECTED)


# -- names that could break DOT, SVG or HTML ---------------------------------------------------

def test_hard_names_are_escaped_in_html_labels():
    dot = diagram(load(HARD)).source
    assert 'we&quot;ird {net} &lt;b&gt;&amp;amp; été 網絡 \\ end' in dot
    assert "box &quot;q&quot; {brace} &lt;tag&gt; &amp; café 🐳" in dot
    assert "<tag>" not in dot and "<b>&amp;" not in dot
    assert "\u2026" in dot  # the 200-character names are shortened
    assert "z" * 200 not in dot


@pytest.mark.dot
def test_hard_names_render_to_valid_svg(capfd):
    import xml.etree.ElementTree as ET

    from labcheck.render.diagram import render

    graph = diagram(load(HARD))
    svg = render(graph, "svg").decode("utf-8")
    text = "\n".join(ET.fromstring(svg).itertext())
    assert 'box "q" {brace} <tag> & café' in text
    assert 'we"ird {net} <b>&amp; été' in text
    assert render(graph, "png").startswith(b"\x89PNG")
    bundle = graph._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert capfd.readouterr().err == ""  # nothing from dot reaches stderr


def test_matrix_html_escapes_names():
    from labcheck.reachability import Cell, ReachMatrix

    names = ("<a&b>", 'q"uote')
    matrix = ReachMatrix(names, {(names[0], names[1]): Cell(names[0], names[1], True, False, "<x>"),
                                 (names[1], names[0]): Cell(names[1], names[0], None, True, "")})
    page = matrix.to_html()
    assert "<a&b>" not in page and "&lt;a&amp;b&gt;" in page and "&lt;x&gt;" in page
    assert "yes!" in page and "?" in page
    import html.parser

    html.parser.HTMLParser().feed(page)


def test_a_lab_of_several_hosts_draws_each_host_as_a_cluster_and_the_overlay_across():
    from labcheck.render.diagram import diagram as draw
    from labcheck.snapshot import Container, Endpoint, Network, NodeState

    ov = Network("appnet", "ov" * 6, "overlay", scope="swarm", subnets=("10.218.0.0/24",),
                 options={"com.docker.network.driver.overlay.vxlanid_list": "4097"})
    local = Network("localnet", "br" * 6, "bridge", subnets=("10.216.32.0/24",))

    def on(name, net, ip):
        return Container(name, name, state="running",
                         endpoints=(Endpoint(net.name, network_id=net.id, ipv4=ip),))

    lab = Snapshot(nodes=(
        NodeState("node1", "10.219.0.11", Snapshot(networks=(ov,),
                                                   containers=(on("alpha", ov, "10.218.0.2"),))),
        NodeState("node2", "10.219.0.12", Snapshot(
            networks=(ov, local), containers=(on("beta", ov, "10.218.0.3"),
                                              on("right", local, "10.216.32.2"))))))
    graph = draw(lab, title="two hosts")
    dot = graph.source
    assert "subgraph cluster_node1" in dot and "subgraph cluster_node2" in dot
    assert dot.count("one network on node1, node2") == 1      # the overlay drawn once
    assert "VNI 4097" in dot and "this host only" in dot      # the bridge stays in node2
    assert dot.count('-> ov0') == 2                           # an edge from each host's container
    assert graph.summary == "2 hosts, 2 networks, 3 containers"
