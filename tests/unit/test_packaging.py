"""Packaging: environment.yml, binder/ and pyproject.toml agree; the entry points work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]

#: conda-forge names of the packages pyproject.toml names differently.
CONDA_TO_PIP = {"docker-py": "docker", "python-graphviz": "graphviz"}
#: Conda-only entries that are not Python requirements of labcheck.
CONDA_ONLY = {"python", "pip"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pip_requirements(*extras: str) -> dict[str, SpecifierSet]:
    project = _pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    reqs = [Requirement(line) for line in lines]
    return {canonicalize_name(r.name): r.specifier for r in reqs}


def _conda(path: Path) -> tuple[dict[str, SpecifierSet], list]:
    env = yaml.safe_load(path.read_text())
    assert env["channels"] == ["conda-forge"], path
    packages, pip_section = {}, []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip_section += entry.get("pip", [])
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry.strip())
        assert match, entry
        name, spec = match.groups()
        packages[name.lower()] = SpecifierSet(spec.replace(" ", ""))
    return packages, pip_section


def _as_pip(conda: dict[str, SpecifierSet]) -> dict[str, SpecifierSet]:
    return {canonicalize_name(CONDA_TO_PIP.get(name, name)): spec
            for name, spec in conda.items() if name not in CONDA_ONLY}


def test_conda_environment_matches_pyproject():
    env_file = "environment.yml"
    conda, _ = _conda(ROOT / env_file)
    # the course environment: the package's dependencies and the 'lab' extra
    assert _as_pip(conda) == _pip_requirements("lab"), env_file
    assert str(conda["python"]) == _pyproject()["project"]["requires-python"]
    for pip_name, conda_name in (("docker", "docker-py"), ("graphviz", "python-graphviz")):
        assert pip_name not in conda, f"{env_file}: conda-forge calls {pip_name} {conda_name}"


def test_root_environment_installs_the_package():
    _, pip_section = _conda(ROOT / "environment.yml")
    assert pip_section == ["-e ."]


def _requirements_file(path: Path) -> dict[str, SpecifierSet]:
    reqs = [Requirement(line.split("#")[0].strip()) for line in path.read_text().splitlines()
            if line.split("#")[0].strip()]
    return {canonicalize_name(r.name): r.specifier for r in reqs}


def test_binder_dockerfile_setup():
    """binder/Dockerfile (repo2docker) installs the course's packages; Binder's own
    server packages beside them; its steps are binder/setup's phases."""
    reqs = _requirements_file(ROOT / "binder" / "requirements.txt")
    binder_only = {"notebook", "jupyterhub"}
    assert {k: v for k, v in reqs.items() if k not in binder_only} == _pip_requirements("lab")
    assert binder_only <= set(reqs)
    packages = (ROOT / "binder" / "packages.txt").read_text().split()
    for needed in ("graphviz", "qemu-system-x86", "qemu-utils", "cpio", "python3-venv"):
        assert needed in packages
    dockerfile = (ROOT / "binder" / "Dockerfile").read_text()
    for phase in ("system", "python", "course"):
        assert f"binder/setup {phase}" in dockerfile
    assert "ARG NB_UID=1000" in dockerfile
    # repo2docker takes binder/Dockerfile over every other file there: none is left to mislead
    assert sorted(p.name for p in (ROOT / "binder").iterdir() if p.is_file()) == [
        "Dockerfile", "packages.txt", "requirements.txt", "setup"]


def test_issue_bounds_are_kept():
    reqs = _pip_requirements("lab")
    assert reqs["jupyterlab"] == SpecifierSet(">=4.2,<5")
    assert reqs["ipywidgets"] == SpecifierSet(">=8.1,<9")
    assert reqs["docker"] == SpecifierSet(">=7.1")
    assert "nbval" in reqs


def test_py_typed_is_package_data(tmp_path):
    assert (ROOT / "labcheck" / "py.typed").exists()
    package_data = _pyproject()["tool"]["setuptools"]["package-data"]["labcheck"]
    assert "py.typed" in package_data
    # and setuptools really copies it into a build
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", "from setuptools import setup; "
                           "setup()", "-q", "build_py", "--build-lib", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "labcheck" / "py.typed").exists()
    assert (tmp_path / "labcheck" / "commands" / "doctor.py").exists()


def test_console_script_is_declared():
    assert _pyproject()["project"]["scripts"]["labcheck"] == "labcheck.cli:main"


def test_python_dash_m_labcheck():
    done = subprocess.run([sys.executable, "-m", "labcheck", "--version"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.startswith("labcheck ")
    helped = subprocess.run([sys.executable, "-m", "labcheck", "--help"], capture_output=True,
                            text=True, timeout=60, cwd=ROOT)
    for command in ("doctor", "snapshot", "reset"):
        assert command in helped.stdout


def test_installed_console_script_runs():
    script = Path(sys.executable).with_name("labcheck")
    if not script.exists():
        pytest.skip("labcheck is not installed in this environment (pip install -e .)")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("labcheck ")
