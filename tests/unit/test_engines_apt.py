"""labcheck.live.engines.apt's pure parts: sources, apt options and output, the layout.

No apt, no network, no daemon: sources files and unpacked trees are written here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labcheck.errors import EnvironmentProblem
from labcheck.live.engines import apt, apttext
from labcheck.live.engines.apt import (
    AptEntry,
    DebianArchive,
    PrivateApt,
    debian_archive,
    engines_dir,
    lay_out,
    parse_deb822_sources,
    parse_one_line_sources,
    private_apt_options,
    sources_line,
)

DEB822 = """\
Types: deb
# a comment inside a stanza
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def test_one_line_sources_keep_the_signed_by_keyring_and_skip_deb_src_and_comments():
    text = ("# deb http://old.example/debian sid main\n"
            "deb-src http://src.example/debian bookworm main\n"
            "deb [arch=amd64 signed-by=/etc/apt/keyrings/d.gpg] http://m.example/debian/ "
            "bookworm main  # trailing comment\n"
            "deb http://plain.example/debian trixie main\n"
            "deb [signed-by=0123ABCD] http://fpr.example/debian sid main\n")
    assert parse_one_line_sources(text) == [
        AptEntry("http://m.example/debian/", ("bookworm",), "/etc/apt/keyrings/d.gpg"),
        AptEntry("http://plain.example/debian", ("trixie",), ""),
        AptEntry("http://fpr.example/debian", ("sid",), ""),   # a fingerprint: no keyring file
    ]


def test_deb822_sources_keep_signed_by_and_skip_disabled_and_source_only_stanzas():
    text = ("Types: deb-src\nURIs: http://src.example/debian\nSuites: sid\n\n"
            "Types: deb\nURIs: http://off.example/debian\nSuites: sid\nEnabled: no\n\n"
            + DEB822)
    entries = parse_deb822_sources(text)
    assert [e.uri for e in entries] == ["http://mirror.example/debian",
                                        "http://mirror.example/debian-security"]
    assert entries[0].suites == ("bookworm", "bookworm-updates")
    assert entries[0].signed_by == "/usr/share/keyrings/debian-archive-keyring.gpg"


def test_an_inline_key_is_no_keyring_file():
    text = ("Types: deb\nURIs: http://m.example/debian\nSuites: sid\n"
            "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF\n"
            " -----END PGP PUBLIC KEY BLOCK-----\n")
    assert parse_deb822_sources(text) == [AptEntry("http://m.example/debian", ("sid",), "")]


def test_the_archive_is_the_first_debian_uri_in_file_order(tmp_path: Path):
    other = tmp_path / "other.sources"
    other.write_text("Types: deb\nURIs: https://vendor.example/apt\nSuites: x\n"
                     "Signed-By: /usr/share/keyrings/vendor.gpg\n\n"
                     "Types: deb\nURIs: http://ubuntu-mirror.example/ubuntu\nSuites: noble\n")
    debian = tmp_path / "debian.sources"
    debian.write_text(DEB822)
    assert debian_archive({}, [tmp_path / "absent.list", other, debian]) == DebianArchive(
        "http://mirror.example/debian", "/usr/share/keyrings/debian-archive-keyring.gpg")
    # the override replaces the URI and keeps the keyring (a mirror is signed as the archive)
    assert debian_archive({"LABCHECK_DEBIAN_ARCHIVE": "http://own.example/debian/"},
                          [debian]) == DebianArchive(
        "http://own.example/debian", "/usr/share/keyrings/debian-archive-keyring.gpg")
    assert debian_archive({"LABCHECK_DEBIAN_ARCHIVE": "http://own.example/debian"},
                          [other]) == DebianArchive("http://own.example/debian", "")
    with pytest.raises(EnvironmentProblem, match="LABCHECK_DEBIAN_ARCHIVE"):
        debian_archive({}, [other])


def test_only_list_and_sources_files_of_sources_list_d_are_read(tmp_path: Path, monkeypatch):
    parts = tmp_path / "sources.list.d"
    parts.mkdir()
    (parts / "a.list.disabled").write_text("deb http://disabled.example/debian sid main\n")
    (parts / "b.sources").write_text(DEB822)
    monkeypatch.setattr(apttext, "SOURCES_LIST", tmp_path / "sources.list")   # absent
    monkeypatch.setattr(apttext, "SOURCES_PARTS", parts)
    assert debian_archive({}).uri == "http://mirror.example/debian"


def test_the_private_sources_line_names_the_keyring():
    archive = DebianArchive("http://mirror.example/debian", "/usr/share/keyrings/k.gpg")
    assert archive.source("sid").line == \
        "deb [signed-by=/usr/share/keyrings/k.gpg] http://mirror.example/debian sid main"
    assert DebianArchive("http://mirror.example/debian/").source("trixie").line == \
        "deb http://mirror.example/debian trixie main"
    assert sources_line("http://m.example/debian", "sid", ("main", "contrib")) == \
        "deb http://m.example/debian sid main contrib"


def test_the_private_apt_reads_and_writes_only_its_own_folder(tmp_path: Path):
    folder = tmp_path / "apt"
    options = private_apt_options(folder)
    pairs = dict(o.split("=", 1) for o in options[1::2])
    assert options[0::2] == ["-o"] * len(pairs)
    assert pairs["Dir::Etc::SourceList"] == str(folder / "sources.list")
    assert pairs["Dir::Etc::SourceParts"] == "/dev/null"
    assert pairs["Dir::State::Lists"] == str(folder / "lists")
    assert pairs["Dir::State::Status"] == str(folder / "status")
    assert pairs["Dir::Cache"] == str(folder / "cache")
    assert pairs["Dir::Etc::Preferences"] == pairs["Dir::Etc::PreferencesParts"] == "/dev/null"
    assert pairs["Debug::NoLocking"] == "true"
    # every path it names that apt writes is inside the folder
    for key in ("Dir::State::Lists", "Dir::State::Status", "Dir::Cache"):
        assert Path(pairs[key]).is_relative_to(folder)

    private = PrivateApt(folder, DebianArchive("http://m.example/debian", "/k.gpg").source("sid"))
    assert private.options() == options
    private.prepare()
    assert (folder / "sources.list").read_text() == \
        "deb [signed-by=/k.gpg] http://m.example/debian sid main\n"
    assert (folder / "status").read_text() == ""
    assert (folder / "lists" / "partial").is_dir()
    assert (folder / "cache" / "archives" / "partial").is_dir()


def test_the_apt_output_parsers():
    assert apt.parse_show("") == {}
    assert apt.parse_show("Package: docker-cli\nVersion: 28.5.2+dfsg4-5\n")["Version"] == \
        "28.5.2+dfsg4-5"
    assert apt.parse_docker_version("Docker version 26.1.5+dfsg1, build a72d7cd\n") == "26.1.5"
    assert apt.first_apt_error("") == "no output"
    assert apt.first_apt_error("Hit:1 x\nReading package lists...\n") == "Reading package lists..."


def _exe(path: Path, text: str = "#!/bin/sh\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def _unpacked(root: Path, *, init: bool = True) -> None:
    """A tree as ``dpkg-deb -x`` leaves the engine's packages (sid's layout)."""
    for rel in ("usr/sbin/dockerd", "usr/sbin/docker-proxy", "usr/bin/containerd",
                "usr/bin/containerd-shim-runc-v2", "usr/bin/docker", "usr/sbin/runc",
                "usr/libexec/docker/cli-plugins/docker-compose", "usr/bin/tini-static"):
        _exe(root / rel)
    if init:
        (root / "usr/bin/docker-init").symlink_to("tini-static")
    (root / "usr/share/doc/docker").mkdir(parents=True)     # a folder named like a program


def test_the_layout_links_the_programs_and_the_compose_plugin(tmp_path: Path):
    folder = tmp_path / "sid"
    _unpacked(folder / "root")
    lay_out(folder / "root", folder, which=lambda name: None)
    links = {p.name: os.readlink(p) for p in (folder / "bin").iterdir()}
    assert links == {"dockerd": "../root/usr/sbin/dockerd",
                     "docker-proxy": "../root/usr/sbin/docker-proxy",
                     "containerd": "../root/usr/bin/containerd",
                     "containerd-shim-runc-v2": "../root/usr/bin/containerd-shim-runc-v2",
                     "docker-init": "../root/usr/bin/docker-init",
                     "docker": "../root/usr/bin/docker"}      # no runc: the system's serves
    assert os.readlink(folder / "cli-plugins" / "docker-compose") == \
        "../root/usr/libexec/docker/cli-plugins/docker-compose"
    assert os.access(folder / "bin" / "docker-init", os.X_OK)
    # the links are relative: the folder can move
    moved = tmp_path / "moved"
    folder.rename(moved)
    assert os.access(moved / "bin" / "dockerd", os.X_OK)


def test_the_layout_takes_this_machines_docker_init_when_the_packages_lack_it(tmp_path: Path):
    folder = tmp_path / "trixie"
    _unpacked(folder / "root", init=False)
    (folder / "root/usr/bin/tini-static").unlink()
    seen: list[str] = []

    def which(name: str) -> str | None:
        seen.append(name)
        return "/usr/bin/tini" if name == "tini" else None

    lay_out(folder / "root", folder, which=which)
    assert os.readlink(folder / "bin" / "docker-init") == "/usr/bin/tini"
    assert seen == ["docker-init", "tini-static", "tini"]
    with pytest.raises(EnvironmentProblem, match="apt-get install tini"):
        lay_out(folder / "root", folder, which=lambda name: None)


def test_the_layout_names_a_missing_program(tmp_path: Path):
    folder = tmp_path / "sid"
    _unpacked(folder / "root")
    (folder / "root/usr/bin/docker").unlink()
    with pytest.raises(EnvironmentProblem, match="^docker is not in the fetched packages$"):
        lay_out(folder / "root", folder, which=lambda name: None)


def test_the_cache_folder():
    assert engines_dir({"LABCHECK_ENGINES_DIR": "/e", "XDG_CACHE_HOME": "/c"}) == Path("/e")
    assert engines_dir({"XDG_CACHE_HOME": "/c", "HOME": "/h"}) == Path("/c/labcheck/engines")
    assert engines_dir({"HOME": "/h"}) == Path("/h/.cache/labcheck/engines")


def test_a_cached_engine_is_returned_without_apt(tmp_path: Path, monkeypatch):
    folder = tmp_path / "sid"
    _unpacked(folder / "root")
    lay_out(folder / "root", folder, which=lambda name: None)
    (folder / "VERSION").write_text("28.5.2\n")
    (folder / "packages.txt").write_text("docker.io 28.5.2+dfsg4-5\ncontainerd 2.1.9+ds1-5\n")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))       # no apt-get to be found
    engine = apt.fetch_engine("sid", environ={"LABCHECK_ENGINES_DIR": str(tmp_path)})
    assert engine == apt.FetchedEngine("sid", folder, "28.5.2", folder / "bin",
                                       folder / "cli-plugins",
                                       {"docker.io": "28.5.2+dfsg4-5",
                                        "containerd": "2.1.9+ds1-5"})
    assert engine.describe() == f"sid: Docker 28.5.2 in {folder}"


def test_a_failed_refresh_keeps_the_cached_engine_and_says_so_once(tmp_path: Path,
                                                                     monkeypatch):
    folder = tmp_path / "sid"
    _unpacked(folder / "root")
    lay_out(folder / "root", folder, which=lambda name: None)
    (folder / "VERSION").write_text("28.5.2\n")
    # no Debian archive in the (empty) sources and no override: the fetch fails at once
    monkeypatch.setattr(apttext, "SOURCES_LIST", tmp_path / "none.list")
    monkeypatch.setattr(apttext, "SOURCES_PARTS", tmp_path / "none.d")
    monkeypatch.delenv("LABCHECK_DEBIAN_ARCHIVE", raising=False)
    said: list[str] = []
    env = {"LABCHECK_ENGINES_DIR": str(tmp_path)}
    engine = apt.fetch_engine("sid", refresh=True, say=said.append, environ=env)
    assert engine.version == "28.5.2" and engine.folder == folder
    assert len(said) == 1 and said[0].startswith("cannot refresh 'sid' (no Debian archive")
    assert not (tmp_path / ".sid.new").exists()
    # with nothing cached, the same failure is one line
    with pytest.raises(EnvironmentProblem) as failed:
        apt.fetch_engine("trixie", say=said.append, environ=env)
    assert str(failed.value).startswith("cannot fetch Docker from Debian 'trixie': no Debian")
    assert "\n" not in str(failed.value)
    with pytest.raises(ValueError, match="sid, trixie"):
        apt.fetch_engine("bookworm", environ=env)


def test_the_command_line_says_how_to_use_it(capsys):
    assert apt.main(["bookworm"]) == 2
    assert apt.main([]) == 2
    assert "usage: python -m labcheck.live.engines.apt {sid,trixie} [--refresh]" in \
        capsys.readouterr().err
