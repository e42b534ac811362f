"""Where the engine VM keeps its files: one folder per user, nothing shared.

``$LABCHECK_ENGINE_DIR`` if set, else ``$XDG_CACHE_HOME/labcheck/engine``,
else ``~/.cache/labcheck/engine``. Inside it:

- ``debs/``: the Debian packages fetched (reused by the next build)
- ``image/``: ``vmlinuz``, ``initrd.img`` (cpio), ``manifest.json``, and
  ``state.qcow2`` holding the booted engine saved by ``labcheck engine build``
- ``run/``: the running VM's pid, QMP socket, control socket, console log,
  ``state.json`` (ports) and ``nodes.json`` (a multi-host lab's nodes in the VM)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

__all__ = ["EnginePaths", "engine_dir", "copy_image"]


def engine_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The user's engine folder (see the module docstring)."""
    env = os.environ if environ is None else environ
    if env.get("LABCHECK_ENGINE_DIR"):
        return Path(env["LABCHECK_ENGINE_DIR"])
    cache = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(cache) / "labcheck" / "engine"


@dataclass(frozen=True)
class EnginePaths:
    """The files of one engine folder."""

    root: Path

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> "EnginePaths":
        return cls(engine_dir(environ))

    @property
    def debs(self) -> Path:
        return self.root / "debs"

    @property
    def apt(self) -> Path:
        """Private apt state (lists, cache) when packages come from another archive."""
        return self.root / "apt"

    @property
    def image(self) -> Path:
        return self.root / "image"

    @property
    def kernel(self) -> Path:
        return self.image / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.image / "initrd.img"

    @property
    def manifest(self) -> Path:
        return self.image / "manifest.json"

    @property
    def busybox(self) -> Path:
        """The static busybox of the image: the lab image is built from it in the VM."""
        return self.image / "busybox"

    @property
    def snapshot_disk(self) -> Path:
        """qcow2 holding the VM state saved after the first boot (``savevm ready``)."""
        return self.image / "state.qcow2"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def pidfile(self) -> Path:
        return self.run / "qemu.pid"

    @property
    def qmp(self) -> Path:
        return self.run / "qmp.sock"

    @property
    def control(self) -> Path:
        return self.run / "control.sock"

    @property
    def console(self) -> Path:
        return self.run / "console.log"

    @property
    def state(self) -> Path:
        return self.run / "state.json"

    @property
    def forward_socket(self) -> Path:
        """The serial line on which the guest asks for a published port's forward."""
        return self.run / "forward.sock"

    @property
    def qmp_forward(self) -> Path:
        """The forwarder's own QMP socket (it adds and removes ``hostfwd`` rules)."""
        return self.run / "qmp-forward.sock"

    @property
    def forwards(self) -> Path:
        """The forwards in place, as the forwarder records them (JSON list)."""
        return self.run / "forwards.json"

    @property
    def nodes(self) -> Path:
        """The lab nodes running in the VM and their forwarded ports (JSON; :mod:`.nodes`)."""
        return self.run / "nodes.json"

    @property
    def forwarder_log(self) -> Path:
        return self.run / "forwarder.log"

    @property
    def snapshots(self) -> Path:
        """The saved states' tags (JSON list): one per machine shape."""
        return self.image / "snapshots.json"

    def run_files(self) -> tuple[Path, ...]:
        """What a running VM leaves in ``run/``: removed when it stops (the log kept)."""
        return (self.pidfile, self.qmp, self.qmp_forward, self.control, self.forward_socket,
                self.forwards, self.state, self.nodes)

    def image_present(self) -> bool:
        """Whether a built image (kernel, initramfs, manifest) is there."""
        return self.kernel.is_file() and self.initrd.is_file() and self.manifest.is_file()


def copy_image(source: EnginePaths, target: EnginePaths) -> None:
    """``target``'s image from ``source``'s: links to the read-only files, a copy of the state.

    For many engines from one built image (a class hub's VM students): QEMU
    opens the saved state's qcow2 for writing (``-loadvm`` will not restore
    from a read-only one) and locks it, so each engine gets its own copy,
    made again only when the source's changed.
    """
    if not source.image_present() or not source.snapshot_disk.is_file():
        raise FileNotFoundError(f"no built engine image with a saved state in {source.root}")
    target.image.mkdir(parents=True, exist_ok=True)
    for name in (source.kernel, source.initrd, source.manifest, source.busybox):
        link = target.image / name.name
        if not (link.is_symlink() and os.readlink(link) == str(name)):
            link.unlink(missing_ok=True)
            link.symlink_to(name)
    want = source.snapshot_disk.stat()
    have = target.snapshot_disk
    if not have.is_file() or have.stat().st_size != want.st_size \
            or have.stat().st_mtime_ns != want.st_mtime_ns:
        partial = have.with_suffix(".partial")
        subprocess.run(["cp", "--reflink=auto", "--sparse=always", str(source.snapshot_disk),
                        str(partial)], check=True)
        os.utime(partial, ns=(want.st_atime_ns, want.st_mtime_ns))
        partial.replace(have)
    shutil.copyfile(source.snapshots, target.snapshots)
