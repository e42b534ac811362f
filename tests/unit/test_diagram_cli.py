"""``labcheck diagram`` on saved snapshots, and what happens without Graphviz's ``dot``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from labcheck.errors import GraphvizMissing
from labcheck.render.diagram import diagram, render
from labcheck.snapshot import Snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures"
LIVE = FIXTURES / "snapshot-live-topology.json"


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """PATH without Graphviz (an empty folder only)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return str(empty)


def test_render_without_dot_raises_graphviz_missing_with_the_fix(no_dot):
    graph = diagram(Snapshot.load(LIVE))
    with pytest.raises(GraphvizMissing) as err:
        render(graph, "svg")
    assert err.value.exit_code == 3
    assert "apt-get install graphviz" in str(err.value) and "--format dot" in str(err.value)
    assert render(graph, "dot").decode("utf-8") == graph.source


def test_notebook_display_without_dot_explains_instead_of_failing(no_dot, capfd):
    bundle = diagram(Snapshot.load(LIVE))._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert "digraph labcheck" in bundle["text/html"]
    assert capfd.readouterr().err == ""


def _cli(args: list[str], path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "labcheck", *args], capture_output=True,
                          text=True, env=env, timeout=60, check=False)


def test_cli_without_dot_fails_svg_cleanly_but_still_writes_dot(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    svg = _cli(["diagram", "--snapshot", str(LIVE), "--format", "svg"], path=str(empty))
    assert svg.returncode == 3, svg.stderr
    assert "apt-get install graphviz" in svg.stderr and "Traceback" not in svg.stderr
    dot = _cli(["diagram", "--snapshot", str(LIVE), "--format", "dot"], path=str(empty))
    assert dot.returncode == 0, dot.stderr
    assert dot.stdout == diagram(Snapshot.load(LIVE)).source
    assert dot.stderr == ""


def test_cli_dot_to_file_and_format_from_suffix(tmp_path, capsys):
    from labcheck.cli import main

    out = tmp_path / "topology.dot"
    assert main(["diagram", "--snapshot", str(LIVE), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == diagram(Snapshot.load(LIVE)).source
    assert "wrote the diagram (dot)" in capsys.readouterr().out


def test_cli_bad_snapshot_is_a_usage_error(tmp_path, capsys):
    from labcheck.cli import main

    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["diagram", "--snapshot", str(bad), "--format", "dot"]) == 2
    assert "cannot be read" in capsys.readouterr().err


@pytest.mark.dot
def test_cli_svg_and_png_files(tmp_path):
    import xml.etree.ElementTree as ET

    svg_file, png_file = tmp_path / "t.svg", tmp_path / "t.png"
    svg = _cli(["diagram", "--snapshot", str(LIVE), "-o", str(svg_file)])
    assert svg.returncode == 0 and svg.stderr == ""
    ET.fromstring(svg_file.read_bytes())
    png = _cli(["diagram", "--snapshot", str(LIVE), "--all", "--format", "png",
                "-o", str(png_file)])
    assert png.returncode == 0 and png_file.read_bytes().startswith(b"\x89PNG")


def test_cli_with_an_exercise_draws_its_expectations(capsys):
    from labcheck.cli import main
    from labcheck.exercises import list_exercises

    exercise = list_exercises()[0]
    assert main(["diagram", "--snapshot", str(LIVE), "--format", "dot",
                 "--exercise", exercise.id]) == 0
    drawing, _, legend = capsys.readouterr().out.partition("\tlegend [")
    assert "expected but missing" in legend
    assert 'style="rounded,dashed"' in drawing and "#c62828" in drawing  # red dashed parts
    assert main(["diagram", "--snapshot", str(LIVE), "--format", "dot",
                 "--exercise", "no-such-exercise"]) == 2
