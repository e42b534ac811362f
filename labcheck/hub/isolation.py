"""Which engine a student gets, and the network namespace of a VM student.

Two kinds of student engine, both run as the student and never as root:

- ``rootless``: a rootless dockerd in the student's own user, PID and
  network namespaces (:mod:`labcheck.live.engines.rootless`); needs
  unprivileged user namespaces and rootlesskit. The fastest.
- ``vm``: the course's engine VM (:class:`labcheck.live.engines.vm.VmEngine`,
  QEMU with user networking ``restrict=on``), started from its saved state;
  needs no user namespace. Its network namespace is made by the hub (root)
  in the spawned process just before it becomes the student
  (:func:`enter_new_netns`): the student's server, VM, kernels and every
  published port live on a loopback of their own.

``auto`` chooses rootless where unprivileged user namespaces work, else the VM.

>>> parse_kinds("rootless", "cy=vm, dee=rootless")
('rootless', {'cy': 'vm', 'dee': 'rootless'})
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import socket
import struct
import subprocess
from pathlib import Path

from ..errors import EnvironmentProblem, UsageError

__all__ = ["KINDS", "parse_kinds", "userns_works", "resolve", "enter_new_netns",
           "VM_IMAGE_DIR", "vm_image_dir"]

KINDS = ("auto", "rootless", "vm")
#: The hub's shared engine VM folder (an engine folder of :mod:`labcheck.live.vm.paths`),
#: beside the class folders: its image and saved state are copied into each VM student's.
VM_IMAGE_DIR = "vm-engine"
_CLONE_NEWNET = 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


def parse_kinds(default: str, overrides: str = "") -> tuple[str, dict[str, str]]:
    """The hub's engine kind and the per-student ones (``name=kind`` by commas)."""
    if default not in KINDS:
        raise UsageError(f"unknown engine kind {default!r}: one of {', '.join(KINDS)}")
    each: dict[str, str] = {}
    for item in overrides.replace(" ", "").split(","):
        if not item:
            continue
        name, _, kind = item.partition("=")
        if kind not in KINDS:
            raise UsageError(f"not NAME=KIND: {item!r} (KIND one of {', '.join(KINDS)})")
        each[name] = kind
    return default, each


def userns_works() -> bool:
    """Whether an ordinary user can make a user namespace here (and rootlesskit is there).

    Tried as ``nobody`` with ``setpriv`` and ``unshare``: a namespace made and
    left at once.
    """
    if shutil.which("rootlesskit") is None or shutil.which("setpriv") is None:
        return False
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           "unshare", "--user", "--map-root-user", "--net", "true"],
                          capture_output=True, check=False)
    return done.returncode == 0


def resolve(kind: str, vm_ready: bool) -> str:
    """``auto`` made concrete; an error when the kind chosen cannot run here."""
    if kind == "auto":
        kind = "rootless" if userns_works() else "vm"
    if kind == "vm" and not vm_ready:
        raise EnvironmentProblem("the VM engine is not ready for the hub: QEMU and a built "
                                 "image are needed",
                                 advice="make hub ENGINE=vm builds it (scripts/ensure-hub.sh)")
    if kind == "rootless" and shutil.which("rootlesskit") is None:
        raise EnvironmentProblem("rootlesskit is missing", advice="make hub installs it")
    return kind


def enter_new_netns() -> None:
    """Move this process into a new network namespace with ``lo`` up (needs root).

    Called in the spawned child before it drops to the student: the student
    cannot change the namespace afterwards (no capability over it), and it has
    no interface but loopback and no route.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWNET): {os.strerror(errno)}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))


def vm_image_dir(hub_folder: Path) -> Path:
    """The shared engine VM folder of the hub whose folder is ``hub_folder``."""
    return hub_folder.parent / VM_IMAGE_DIR
