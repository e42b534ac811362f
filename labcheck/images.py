"""The lab image: a tiny image with sh, ping, nslookup, wget, httpd, nc and ip.

Where no registry answers (an offline classroom, CI) it is built on the spot
from the host's static busybox: a root filesystem with ``/bin/busybox`` and
one symlink per applet, imported as an image. That takes well under a
second and needs no base image. Where a registry works and no static
busybox is at hand, the upstream ``busybox`` image is pulled and tagged.

This module says what the image is and makes its root filesystem;
:mod:`labcheck.live.images` finds, builds or pulls it on a daemon.

The tag is versioned: change :data:`LAB_IMAGE` when the image's content
changes, and every machine builds the new one once.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from typing import Iterable, Literal

from .errors import ImageUnavailable

__all__ = [
    "LAB_IMAGE",
    "UPSTREAM_IMAGE",
    "SOURCE_LABEL",
    "REQUIRED_APPLETS",
    "ImageStatus",
    "find_static_busybox",
    "is_static_elf",
    "rootfs_tar",
]

LAB_IMAGE = "labcheck/lab:1"
UPSTREAM_IMAGE = "busybox:1.36"
SOURCE_LABEL = "io.labcheck.image-source"
REQUIRED_APPLETS = ("sh", "ping", "nslookup", "wget", "httpd", "nc", "ip", "timeout",
                    "sleep", "cat")

_BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox", "/usr/local/bin/busybox")


@dataclass(frozen=True)
class ImageStatus:
    """Whether the lab image is present, and how it came to be."""

    name: str
    present: bool
    source: str = ""  # "busybox-static (built here)", "pulled busybox:1.36", ...
    image_id: str = ""

    def describe(self) -> str:
        if not self.present:
            return f"{self.name}: missing (labcheck builds it on first use)"
        return f"{self.name}: present, {self.source}"


def is_static_elf(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is an ELF executable with no program interpreter."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if head[:4] != b"\x7fELF":
                return False
            is64 = head[4] == 2
            little = head[5] == 1
            order: Literal["little", "big"] = "little" if little else "big"
            if is64:
                phoff = int.from_bytes(head[32:40], order)
                phentsize = int.from_bytes(head[54:56], order)
                phnum = int.from_bytes(head[56:58], order)
            else:
                phoff = int.from_bytes(head[28:32], order)
                phentsize = int.from_bytes(head[42:44], order)
                phnum = int.from_bytes(head[44:46], order)
            for index in range(phnum):
                handle.seek(phoff + index * phentsize)
                if int.from_bytes(handle.read(4), order) == 3:  # PT_INTERP
                    return False
            return True
    except OSError:
        return False


def find_static_busybox(candidates: Iterable[str] | None = None) -> str | None:
    """Path of a statically linked busybox on this host, or None."""
    paths = list(candidates) if candidates is not None else list(_BUSYBOX_CANDIDATES)
    found = shutil.which("busybox")
    if candidates is None and found:
        paths.insert(0, found)
    for path in paths:
        if os.path.isfile(path) and is_static_elf(path):
            return os.path.realpath(path)
    return None


def _applets(busybox: str) -> list[str]:
    out = subprocess.run([busybox, "--list"], capture_output=True, text=True, timeout=10,
                         check=False).stdout
    return sorted({line.strip() for line in out.splitlines() if line.strip()} - {"busybox"})


def rootfs_tar(busybox: str) -> bytes:
    """A root filesystem: /bin/busybox, a symlink per applet, /tmp, /etc, /var/www."""
    applets = _applets(busybox)
    missing = [a for a in REQUIRED_APPLETS if a not in applets]
    if missing:
        raise ImageUnavailable(
            f"the busybox at {busybox} lacks {', '.join(missing)}; install Debian's "
            "busybox-static (apt-get install busybox-static)")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory, mode in (("bin", 0o755), ("etc", 0o755), ("tmp", 0o1777),
                                ("var", 0o755), ("var/www", 0o755), ("root", 0o700)):
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, mode
            tar.addfile(info)
        tar.add(busybox, arcname="bin/busybox", recursive=False)
        for applet in applets:
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname, info.mode = tarfile.SYMTYPE, "busybox", 0o777
            tar.addfile(info)
        for name, text in (("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
                           ("etc/group", "root:x:0:\n"),
                           ("var/www/index.html", "labcheck lab image\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
