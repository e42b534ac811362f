"""Every module and subpackage of ``labcheck/live/`` is named in its package's map.

The docstring of ``labcheck/live/__init__.py`` is where a newcomer learns the
live side's rooms; a module missing there is a room nobody is told about.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

LIVE = Path(__file__).resolve().parents[2] / "labcheck" / "live"


def live_parts(folder: Path = LIVE) -> set[str]:
    """The modules (``probes``) and subpackages (``vm``) directly inside ``folder``."""
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    packages = {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    return modules | packages


def named_in_map(folder: Path = LIVE) -> set[str]:
    """The names written as ``name`` (double backquotes) in the package's docstring."""
    tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    return set(re.findall(r"``([a-z_]+)``", ast.get_docstring(tree) or ""))


def test_every_live_module_and_subpackage_is_in_the_map():
    missing = sorted(live_parts() - named_in_map())
    assert missing == [], f"name them in labcheck/live/__init__.py's docstring: {missing}"


def test_the_map_names_no_module_that_is_gone():
    words = {"ready", "reset"}  # functions the map names beside their modules
    gone = sorted(named_in_map() - live_parts() - words)
    assert gone == [], f"the map names modules that do not exist: {gone}"


def test_a_module_left_out_of_the_map_is_caught(tmp_path):
    (tmp_path / "__init__.py").write_text('"""Modules: ``daemon``."""\n')
    (tmp_path / "daemon.py").write_text("")
    (tmp_path / "secret.py").write_text("")
    (tmp_path / "engines").mkdir()
    (tmp_path / "engines" / "__init__.py").write_text("")
    assert live_parts(tmp_path) - named_in_map(tmp_path) == {"secret", "engines"}
