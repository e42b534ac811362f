"""apt's text, parsed: the machine's sources files and apt's output (no apt run here).

- the ``deb`` entries of one-line and deb822 sources files (``[signed-by=...]``,
  ``Signed-By:``, ``Enabled: no``), and :func:`debian_archive`: the Debian
  archive this machine's apt sources use, with its keyring;
- the line and the options of a private apt (:func:`sources_line`,
  :func:`private_apt_options`);
- ``apt-cache show`` / ``depends`` output, apt's first error, ``docker --version``.

:mod:`labcheck.live.engines.apt` runs apt with these and re-exports them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ...errors import EnvironmentProblem

__all__ = [
    "AptEntry", "DebianArchive", "AptSource", "SOURCES_LIST", "SOURCES_PARTS",
    "parse_one_line_sources", "parse_deb822_sources", "parse_sources_file", "pick_debian_archive",
    "debian_archive", "sources_line", "private_apt_options", "parse_show", "parse_depends",
    "parse_docker_version", "first_apt_error",
]

#: Where the sources are read from by default.
SOURCES_LIST = Path("/etc/apt/sources.list")
SOURCES_PARTS = Path("/etc/apt/sources.list.d")

_DEBIAN_URI = re.compile(r"^(https?|file):.*/debian/?$")


# -- the machine's apt sources (pure) ------------------------------------------------------

@dataclass(frozen=True)
class AptEntry:
    """One binary (``deb``) source of an apt sources file: a URI, its suites and keyring.

    ``signed_by`` is the keyring file the entry names (``[signed-by=...]`` or
    ``Signed-By:``), or '' when it names none or an inline key or fingerprints
    (apt's trusted keys then decide).
    """

    uri: str
    suites: tuple[str, ...] = ()
    signed_by: str = ""


def _keyring(value: str) -> str:
    """The keyring path of a signed-by value ('' for fingerprints or an inline key)."""
    first = value.strip().split(",")[0].split()[0] if value.strip() else ""
    return first if first.startswith("/") else ""


def parse_one_line_sources(text: str) -> list[AptEntry]:
    """The ``deb`` entries of a one-line sources file (``deb-src`` and comments skipped).

    >>> parse_one_line_sources("# deb http://old.example/debian sid main\\n"
    ...     "deb [arch=amd64 signed-by=/k.gpg] http://m.example/debian/ bookworm main\\n"
    ...     "deb-src http://m.example/debian bookworm main\\n")
    [AptEntry(uri='http://m.example/debian/', suites=('bookworm',), signed_by='/k.gpg')]
    """
    entries: list[AptEntry] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        match = re.match(r"^deb\s+(?:\[([^]]*)\]\s*)?(\S+)(?:\s+(\S+))?", line)
        if not match:
            continue
        options, uri, suite = match.groups()
        signed_by = ""
        for option in (options or "").split():
            key, _, value = option.partition("=")
            if key.lower() == "signed-by":
                signed_by = _keyring(value)
        entries.append(AptEntry(uri, (suite,) if suite else (), signed_by))
    return entries


def _deb822_stanzas(text: str) -> list[dict[str, str]]:
    """The stanzas of a deb822 file: field (lower case) -> value (continuations joined)."""
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = ""
    for raw in text.splitlines() + [""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if current:
                stanzas.append(current)
            current, last = {}, ""
            continue
        if raw[0] in " \t" and last:
            current[last] += "\n" + raw.strip()
            continue
        name, sep, value = raw.partition(":")
        if sep:
            last = name.strip().lower()
            current[last] = value.strip()
    return stanzas


def parse_deb822_sources(text: str) -> list[AptEntry]:
    """The ``deb`` entries of a deb822 ``.sources`` file; ``Enabled: no`` ones skipped.

    >>> parse_deb822_sources("Types: deb deb-src\\nURIs: http://m.example/debian\\n"
    ...     "Suites: trixie\\nComponents: main\\nSigned-By: /k.gpg\\n\\n"
    ...     "Types: deb\\nURIs: http://off.example/debian\\nSuites: sid\\nEnabled: no\\n")
    [AptEntry(uri='http://m.example/debian', suites=('trixie',), signed_by='/k.gpg')]
    """
    entries: list[AptEntry] = []
    for stanza in _deb822_stanzas(text):
        if "deb" not in stanza.get("types", "").split():
            continue
        if stanza.get("enabled", "yes").strip().lower() in ("no", "false", "0"):
            continue
        signed_by = stanza.get("signed-by", "")
        keyring = "" if "\n" in signed_by else _keyring(signed_by)
        suites = tuple(stanza.get("suites", "").split())
        entries.extend(AptEntry(uri, suites, keyring) for uri in stanza.get("uris", "").split())
    return entries


def parse_sources_file(path: Path, text: str) -> list[AptEntry]:
    """The entries of one sources file, by its name: ``*.sources`` is deb822, else one-line."""
    return parse_deb822_sources(text) if path.suffix == ".sources" \
        else parse_one_line_sources(text)


def pick_debian_archive(entries: Iterable[AptEntry]) -> AptEntry | None:
    """The first entry whose URI is a Debian archive (its path ends in ``/debian``).

    >>> pick_debian_archive([AptEntry("http://u.example/ubuntu"),
    ...                      AptEntry("http://m.example/debian/", ("sid",))])
    AptEntry(uri='http://m.example/debian/', suites=('sid',), signed_by='')
    """
    return next((e for e in entries if _DEBIAN_URI.match(e.uri)), None)


def sources_line(uri: str, suite: str, components: Sequence[str] = ("main",),
                 signed_by: str = "") -> str:
    """A one-line apt source.

    >>> sources_line("http://m.example/debian/", "sid", signed_by="/k.gpg")
    'deb [signed-by=/k.gpg] http://m.example/debian sid main'
    >>> sources_line("http://m.example/debian", "trixie", ("main", "contrib"))
    'deb http://m.example/debian trixie main contrib'
    """
    options = f"[signed-by={signed_by}] " if signed_by else ""
    return f"deb {options}{uri.rstrip('/')} {suite} {' '.join(components)}"


@dataclass(frozen=True)
class AptSource:
    """An apt source line (``deb [OPTIONS] URI SUITE COMPONENT...``) for a private apt."""

    line: str


@dataclass(frozen=True)
class DebianArchive:
    """A Debian archive: its URI and the keyring that signs it ('' for apt's trusted keys)."""

    uri: str
    signed_by: str = ""

    def source(self, suite: str, components: Sequence[str] = ("main",)) -> AptSource:
        """The source line of ``suite`` on this archive (with its keyring)."""
        return AptSource(sources_line(self.uri, suite, components, self.signed_by))


def _machine_sources() -> list[Path]:
    parts = sorted(p for p in SOURCES_PARTS.iterdir() if p.suffix in (".list", ".sources")) \
        if SOURCES_PARTS.is_dir() else []
    return [SOURCES_LIST, *parts]


def debian_archive(environ: Mapping[str, str] | None = None,
                   sources: Sequence[Path] | None = None) -> DebianArchive:
    """The Debian archive this machine's apt sources use, with its ``Signed-By`` keyring.

    The first ``deb`` entry whose URI ends in ``/debian``, in ``sources`` (default:
    ``/etc/apt/sources.list``, then ``sources.list.d/*.list`` and ``*.sources`` in
    name order; other files there are not apt's). ``$LABCHECK_DEBIAN_ARCHIVE``
    replaces the URI (the keyring found, if any, is kept: a mirror is signed as
    the archive is). EnvironmentProblem when there is none.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = Path(tmp) / "debian.sources"
    ...     _ = f.write_text("Types: deb\\nURIs: http://mirror.example/debian/\\n"
    ...                      "Suites: bookworm\\nSigned-By: /usr/share/keyrings/k.gpg\\n")
    ...     debian_archive({}, [f])
    DebianArchive(uri='http://mirror.example/debian', signed_by='/usr/share/keyrings/k.gpg')
    """
    env = os.environ if environ is None else environ
    found: AptEntry | None = None
    for path in _machine_sources() if sources is None else sources:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found = pick_debian_archive(parse_sources_file(path, text))
        if found:
            break
    override = env.get("LABCHECK_DEBIAN_ARCHIVE", "").strip()
    if override:
        return DebianArchive(override.rstrip("/"), found.signed_by if found else "")
    if found is None:
        raise EnvironmentProblem("no Debian archive (a URI ending in /debian) in the apt "
                                 "sources: set LABCHECK_DEBIAN_ARCHIVE=URL")
    return DebianArchive(found.uri.rstrip("/"), found.signed_by)


# -- apt's output (pure) -------------------------------------------------------------------

def private_apt_options(folder: Path) -> list[str]:
    """apt options for a private apt in ``folder`` (sources.list, lists/, cache/, status).

    No preferences (pins) of the machine apply; locking and the sandbox user are off
    (the folders are this user's). The rest of the machine's configuration (a proxy
    in apt.conf.d, the trusted keys) is read as usual.
    """
    return ["-o", f"Dir::Etc::SourceList={folder / 'sources.list'}",
            "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={folder / 'lists'}",
            "-o", f"Dir::State::Status={folder / 'status'}",
            "-o", f"Dir::Cache={folder / 'cache'}",
            "-o", "Dir::Etc::Preferences=/dev/null",
            "-o", "Dir::Etc::PreferencesParts=/dev/null",
            "-o", "APT::Sandbox::User=root",
            "-o", "Debug::NoLocking=true",
            "-o", "Acquire::Languages=none"]


def parse_show(text: str) -> dict[str, str]:
    """The first stanza of ``apt-cache show`` output: field -> value ({} for none).

    >>> parse_show("Package: tini\\nVersion: 0.19.0-3\\nDescription: init\\n x\\n\\n"
    ...            "Package: tini\\nVersion: 0.18\\n")
    {'Package': 'tini', 'Version': '0.19.0-3', 'Description': 'init\\nx'}
    """
    result: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if result:
                break
            continue
        if line[0] in " \t" and last:
            result[last] += "\n" + line.strip()
            continue
        name, sep, value = line.partition(":")
        if sep:
            last = name.strip()
            result[last] = value.strip()
    return result


def parse_depends(text: str, pattern: str) -> list[str]:
    """The ``Depends:`` targets of ``apt-cache depends`` output that match ``pattern``.

    >>> parse_depends("linux-image-amd64\\n  Depends: linux-image-6.1.0-9-amd64\\n"
    ...               "  Recommends: x\\n", r"linux-image-[^\\s<>]+")
    ['linux-image-6.1.0-9-amd64']
    """
    return [m.group(1) for line in text.splitlines()
            if (m := re.match(rf"\s*Depends:\s*({pattern})", line))]


def parse_docker_version(text: str) -> str | None:
    """The version in ``dockerd --version`` or ``docker --version`` output.

    >>> parse_docker_version("Docker version 28.5.2+dfsg4, build 1.fc2\\n")
    '28.5.2'
    >>> parse_docker_version("exec format error") is None
    True
    """
    match = re.search(r"^Docker version ([0-9][0-9.]*[0-9])", text, re.M)
    return match.group(1) if match else None


def first_apt_error(text: str) -> str:
    """The first ``E:`` line of apt's output (else the first ``W:``, else the last line).

    >>> first_apt_error("Get:1 x\\nW: weak\\nE: Failed to fetch y\\nE: later\\n")
    'E: Failed to fetch y'
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for prefix in ("E:", "W:"):
        for line in lines:
            if line.startswith(prefix):
                return line
    return lines[-1] if lines else "no output"
