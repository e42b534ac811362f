"""Build the engine VM's image from Debian packages, without privileges.

``apt-get download`` fetches the packages into the user's cache folder,
``dpkg-deb -x`` unpacks them, and the pieces of a Docker host are copied
into a root tree that ``cpio`` packs as an initramfs (``-R 0:0``: owned by
root inside the VM though built by anyone). No root, mount, chroot or loop
device is used anywhere.

What goes in (one place: :data:`PACKAGES`, :data:`MODULES`):

- the kernel of ``linux-image-amd64`` (its ``vmlinuz``) and the closure,
  over ``modules.dep``, of the modules a Docker host needs (bridge, veth,
  netfilter/nf_tables, overlay, vxlan, macvlan, ipvlan, dummy, 802.1Q, IPVS...);
- busybox-static as init and shell, dockerd + containerd + crun (the
  default runtime: far faster than runc under emulation) + runc + tini +
  docker-proxy, iptables (nft) with its xtables plugins, kmod, dnsmasq;
- the host tools the lessons run as root on the Docker host
  (:mod:`labcheck.live.dockerhost`): iproute2's full ``ip`` (``ip netns``),
  ``ss`` and ``bridge``, tcpdump, bash; where a package gives a program
  busybox also has, the package's wins;
- socat, which serves each lab node's API socket to QEMU's forward
  (``guest/nodes``, :mod:`labcheck.live.vm.nodes`), and the crypto modules of an
  encrypted overlay (ESP with AES-GCM);
- the shared libraries ``ldd`` lists for them, taken from the packages that
  own them (``dpkg -S``), fetched the same way;
- the guest files of :mod:`labcheck.live.vm.guest` (``/init``, daemon.json,
  dnsmasq.conf, ``nodes``), and the lab nodes' daemon.json made from the VM's.

The versions taken are written to ``manifest.json`` beside the image. A
second build reuses the downloaded packages (``refresh=True`` fetches again).

``engine="sid"`` takes the engine itself (:data:`ENGINES`: docker.io and
containerd, Docker 28.x today) from Debian unstable, through a private apt
source on the Debian archive the machine already uses (its keyring too), as
:func:`labcheck.live.engines.apt.fetch_engine` does; everything else stays the
distribution's (unstable's runc needs a newer glibc, and crun serves anyway).
All the apt work (private sources and state, download, unpack) is
:mod:`labcheck.live.engines.apt`'s.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

from ...errors import EnvironmentProblem
from ...progress import Say
from ..engines.apt import (
    ENGINE_PACKAGES,
    AptSource,
    Fetcher,
    PrivateApt,
    deb_field,
    debian_archive,
    unpack,
)
from ..engines.apt import run_tool as _run
from .paths import EnginePaths

__all__ = ["PACKAGES", "KERNEL_METAS", "MODULES", "ENGINES", "BuildResult", "AptSource",
           "build_image", "module_closure", "parse_ldd", "missing_tools"]


#: The meta packages whose dependencies name the kernel (Debian's, then Ubuntu's).
KERNEL_METAS = ("linux-image-amd64", "linux-image-generic")

#: Packages whose programs go into the VM (libraries are added by ``ldd``).
PACKAGES: tuple[str, ...] = (
    "busybox-static", "docker.io", "containerd", "crun", "runc", "tini",
    "iptables", "libxtables12", "kmod", "dnsmasq-base",
    "iproute2", "tcpdump", "bash",
    "socat",  # serves a lab node's API socket to QEMU's forward (guest/nodes)
)

#: Engines other than the distribution's: name -> (Debian suite, the packages taken from
#: it, the default OCI runtime). Unstable's containerd 2 writes OCI specs 1.2, which
#: Debian 12's crun 1.8 refuses ("unknown version specified") and unstable's crun needs
#: glibc 2.38: that engine runs with Debian 12's runc (slower under emulation, but it works).
ENGINES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "sid": ("sid", ENGINE_PACKAGES, "runc"),
}

#: Programs copied from those packages (paths inside the packages); the
#: xtables plugins folder is copied whole.
PROGRAMS: tuple[str, ...] = (
    "bin/busybox", "usr/sbin/dockerd", "usr/sbin/docker-proxy", "usr/sbin/docker-init",
    "usr/bin/containerd", "usr/bin/containerd-shim-runc-v2", "usr/bin/crun",
    "usr/sbin/runc", "usr/bin/tini", "usr/bin/tini-static", "usr/sbin/xtables-nft-multi",
    "bin/kmod", "usr/bin/kmod", "usr/sbin/dnsmasq",
    # the host's side of the lessons (root on the Docker host): both package layouts
    "bin/ip", "usr/bin/ip", "bin/ss", "usr/bin/ss", "sbin/bridge", "usr/sbin/bridge",
    "usr/bin/tcpdump", "usr/sbin/tcpdump", "bin/bash", "usr/bin/bash", "usr/bin/socat",
)
#: Configuration folders copied whole when a package has them (iproute2's tables).
CONFIG_DIRS: tuple[str, ...] = ("etc/iproute2", "usr/share/iproute2")
XTABLES_DIR = "usr/lib/x86_64-linux-gnu/xtables"

#: Symlinks made in the VM: name -> target.
LINKS: dict[str, str] = {
    **{f"usr/sbin/{name}": "xtables-nft-multi" for name in (
        "iptables", "iptables-save", "iptables-restore", "ip6tables", "ip6tables-save",
        "ip6tables-restore", "iptables-nft", "ip6tables-nft")},
    **{f"usr/sbin/{name}": "../../bin/kmod" for name in (
        "modprobe", "insmod", "rmmod", "lsmod", "depmod", "modinfo")},
    # bash as /bin/sh: Debian's static busybox shell runs its own applets first
    # (ip, nsenter...), whatever PATH says, hiding iproute2's ip from host scripts
    "usr/bin/sh": "bash",
}

#: Kernel modules loaded at boot (with their dependencies). Names missing
#: from a kernel are skipped with a note in the manifest.
MODULES: tuple[str, ...] = (
    "crc32c_generic", "crc32c_intel",  # libcrc32c (nf_tables, nf_nat) asks the crypto API
    "virtio_pci", "virtio_net", "af_packet", "unix", "tun",
    "bridge", "br_netfilter", "veth", "overlay", "vxlan", "macvlan", "ipvlan", "dummy",
    "8021q", "ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh", "xt_ipvs",
    "nf_tables", "nft_compat", "nft_chain_nat", "nft_ct", "nft_masq", "nft_nat",
    "nft_counter", "nft_reject_inet", "nft_reject_ipv4", "nft_fib_inet", "nft_limit",
    "nf_conntrack", "nf_conntrack_netlink", "nf_nat", "ip_tables", "iptable_nat",
    "iptable_filter", "iptable_mangle", "ip6_tables", "ip6table_nat", "ip6table_filter",
    "xt_conntrack", "xt_MASQUERADE", "xt_addrtype", "xt_nat", "xt_tcpudp", "xt_mark",
    "xt_comment", "xt_multiport", "xt_REDIRECT", "xt_state", "xt_u32", "xt_set",
    "ipt_REJECT", "xt_physdev", "esp4", "xfrm_user", "xfrm_algo", "ip_set",
    # an encrypted overlay (lesson 09): ESP with rfc4106(gcm(aes)), and the policy match
    # that drops unencrypted VXLAN on such a network
    "xt_policy", "gcm", "ghash_generic", "ctr", "seqiv", "echainiv", "authenc", "aesni_intel",
    # ...and the kernel's "stdrng" (drbg), which no symbol names, so the modules.dep closure
    # does not bring it: ESP's IV generators (seqiv, echainiv) salt each new SA from it, and
    # without it every SA fails with ENOENT ("Kernel was unable to initialize cryptographic
    # operations"). sha512_generic: drbg's self-test of its hmac(sha512) variant needs it
    "drbg", "sha512_generic",
)

_GUEST_FILES = {  # package data -> path in the VM, mode
    "init": ("init", 0o755),
    "daemon.json": ("etc/docker/daemon.json", 0o644),
    "dnsmasq.conf": ("etc/labcheck/dnsmasq.conf", 0o644),
    "resolv.conf": ("etc/resolv.conf", 0o644),
    "docker-proxy": ("usr/libexec/labcheck/docker-proxy", 0o755),
    "nodes": ("usr/libexec/labcheck/nodes", 0o755),
}

#: The VM's daemon.json without what a lab node sets for itself (flags from labcheck's
#: plan, see guest/nodes) or must not have (the VM's API address, the proxy that
#: forwards published ports to the machine): /etc/labcheck/node-daemon.json.
NODE_CONFIG = "etc/labcheck/node-daemon.json"
_NODE_DROPS = ("hosts", "bip", "dns", "default-address-pools", "userland-proxy-path")

_ETC = {
    # tcpdump drops root to its own user once the capture is open
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\ntcpdump:x:104:104::/nonexistent:/bin/false\n"
                  "nobody:x:65534:65534:nobody:/:/bin/false\n",
    "etc/group": "root:x:0:\ntty:x:5:\ntcpdump:x:104:\ndocker:x:999:\nnogroup:x:65534:\n",
    "etc/hosts": "127.0.0.1 localhost labcheck-engine\n",
    "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    "etc/hostname": "labcheck-engine\n",
}


@dataclass
class BuildResult:
    """What :func:`build_image` made."""

    paths: EnginePaths
    kernel_version: str
    packages: dict[str, str]
    modules: list[str]
    missing_modules: list[str]
    initrd_bytes: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    engine: str = "distribution"


def missing_tools() -> list[str]:
    """The programs a build needs that this machine lacks."""
    return [tool for tool in ("apt-get", "apt-cache", "dpkg-deb", "cpio", "ldd")
            if shutil.which(tool) is None]


def _kernel_packages(fetcher: Fetcher) -> list[str]:
    """The kernel image package and the packages holding its modules.

    Debian: ``linux-image-amd64`` -> ``linux-image-6.1.0-N-amd64`` (modules
    inside). Ubuntu: ``linux-image-generic`` -> ``linux-image-V-generic``,
    whose modules are in ``linux-modules-V-generic`` and ``linux-modules-extra-...``.
    """
    for meta in KERNEL_METAS:
        images = fetcher.depends(meta, r"linux-image-[^\s<>]+")
        if images:
            extra = fetcher.depends(meta, r"linux-modules-[^\s<>]+")
            extra += fetcher.depends(images[0], r"linux-modules-[^\s<>]+")
            return list(dict.fromkeys([images[0], *extra]))
    raise EnvironmentProblem(f"none of {', '.join(KERNEL_METAS)} names a kernel package in "
                             "the apt lists. Run apt-get update, or give --apt-source")


def _extract(debs: dict[str, Path], staging: Path, done: set[str]) -> None:
    todo = [deb for package, deb in sorted(debs.items()) if package not in done]
    unpack(todo, staging)
    done.update(debs)


def parse_ldd(text: str) -> list[str]:
    """The library paths in ``ldd``'s output; "not found" entries as ``!name``.

    >>> parse_ldd("\\tlinux-vdso.so.1 (0x7f)\\n"
    ...           "\\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\\n"
    ...           "\\t/lib64/ld-linux-x86-64.so.2 (0x2)\\n\\tlibfoo.so.1 => not found\\n")
    ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2', '!libfoo.so.1']
    """
    found: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if "=> not found" in line:
            found.append("!" + line.split()[0])
        elif "=>" in line:
            target = line.split("=>", 1)[1].strip().split(" (")[0].strip()
            if target.startswith("/"):
                found.append(target)
        elif line.startswith("/"):
            found.append(line.split(" (")[0].strip())
    return found


def _is_dynamic_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head[:4] == b"\x7fELF"


def module_closure(wanted: Iterable[str], deps: dict[str, list[str]],
                   builtin: set[str]) -> tuple[list[str], list[str]]:
    """(module names to load in dependency order, names found nowhere).

    ``deps`` maps a module name to the names it depends on (from modules.dep);
    built-in modules need no loading.

    >>> module_closure(["br_netfilter", "veth", "nope", "unix"],
    ...                {"br_netfilter": ["bridge"], "bridge": ["stp", "llc"], "stp": ["llc"],
    ...                 "llc": [], "veth": []}, {"unix"})
    (['llc', 'stp', 'bridge', 'br_netfilter', 'veth'], ['nope'])
    """
    order: list[str] = []
    missing: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for dep in deps.get(name, []):
            visit(dep)
        order.append(name)

    for raw in wanted:
        name = raw.replace("-", "_")
        if name in builtin:
            continue
        if name not in deps:
            missing.append(name)
            continue
        visit(name)
    return order, missing


def _module_name(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    for suffix in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base.replace("-", "_")


def _read_modules_dep(moddir: Path) -> tuple[dict[str, list[str]], dict[str, str], set[str]]:
    deps: dict[str, list[str]] = {}
    files: dict[str, str] = {}
    for line in (moddir / "modules.dep").read_text(encoding="utf-8").splitlines():
        if ":" not in line:
            continue
        path, rest = line.split(":", 1)
        name = _module_name(path)
        files[name] = path
        deps[name] = [_module_name(p) for p in rest.split()]
    builtin = set()
    if (moddir / "modules.builtin").is_file():
        builtin = {_module_name(p) for p in
                   (moddir / "modules.builtin").read_text(encoding="utf-8").split()}
    return deps, files, builtin


def _resolve_in(root: Path, path: Path) -> Path:
    """``path`` with its symlinks followed inside ``root`` (absolute targets too)."""
    if not path.is_relative_to(root):
        return path.resolve()
    for _hop in range(40):
        if not path.is_symlink():
            return path
        target = os.readlink(path)
        path = (root / target.lstrip("/")) if target.startswith("/") else path.parent / target
        path = Path(os.path.normpath(path))
    raise EnvironmentProblem(f"too many symlinks at {path}")


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink() or dest.exists():
        dest.unlink()
    if src.is_symlink():
        os.symlink(os.readlink(src), dest)
    else:
        shutil.copy2(src, dest)


class _Assembler:
    """Makes the VM's root tree from the unpacked packages."""

    def __init__(self, staging: Path, rootfs: Path, fetcher: Fetcher, say: Say) -> None:
        self.staging, self.rootfs, self.fetcher, self.say = staging, rootfs, fetcher, say
        self.extracted: set[str] = set()
        self.packages: dict[str, Path] = {}
        self.notes: list[str] = []

    def add_packages(self, names: Iterable[str], fetcher: Fetcher | None = None) -> None:
        debs = (fetcher or self.fetcher).fetch(names)
        self.packages.update(debs)
        _extract(debs, self.staging, self.extracted)

    def skeleton(self) -> None:
        for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"),
                             ("lib64", "usr/lib64")):
            (self.rootfs / target).mkdir(parents=True, exist_ok=True)
            os.symlink(target, self.rootfs / link)
        for folder in ("proc", "sys", "dev", "run", "tmp", "root", "etc/labcheck",
                       "var/lib/docker", "var/log", "var/run"):
            (self.rootfs / folder).mkdir(parents=True, exist_ok=True)
        (self.rootfs / "var/run").rmdir()
        os.symlink("../run", self.rootfs / "var/run")
        for rel, text in _ETC.items():
            (self.rootfs / rel).write_text(text, encoding="utf-8")
        guest = resources.files("labcheck.live.vm") / "guest"
        for name, (rel, mode) in _GUEST_FILES.items():
            dest = self.rootfs / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes((guest / name).read_bytes())
            dest.chmod(mode)

    def default_runtime(self, name: str) -> None:
        """Make ``name`` (a program in the VM's PATH) dockerd's default OCI runtime."""
        config_file = self.rootfs / "etc/docker/daemon.json"
        config = json.loads(config_file.read_text(encoding="utf-8"))
        config["default-runtime"] = name
        config_file.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        self.notes.append(f"default OCI runtime: {name}")

    def node_config(self) -> None:
        """The lab nodes' daemon.json (:data:`NODE_CONFIG`), from the VM's final one."""
        config = json.loads((self.rootfs / "etc/docker/daemon.json").read_text(encoding="utf-8"))
        for key in _NODE_DROPS:
            config.pop(key, None)
        (self.rootfs / NODE_CONFIG).write_text(json.dumps(config, indent=2) + "\n",
                                               encoding="utf-8")

    def programs(self) -> None:
        for rel in PROGRAMS:
            src = self.staging / rel
            if src.exists() or src.is_symlink():
                _copy(src, self.rootfs / rel)
        for folder in CONFIG_DIRS:
            if (self.staging / folder).is_dir():
                for item in sorted((self.staging / folder).rglob("*")):
                    if not item.is_dir():
                        _copy(item, self.rootfs / item.relative_to(self.staging))
        xt = self.staging / XTABLES_DIR
        if xt.is_dir():
            for plugin in sorted(xt.iterdir()):
                _copy(plugin, self.rootfs / XTABLES_DIR / plugin.name)
        for rel, target in LINKS.items():
            dest = self.rootfs / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists() and not dest.is_symlink():
                os.symlink(target, dest)
        for name in ("dockerd", "containerd", "crun", "xtables-nft-multi", "dnsmasq", "ip",
                     "tcpdump", "bash", "socat"):
            if not any((self.rootfs / d / name).exists() for d in ("usr/bin", "usr/sbin")):
                raise EnvironmentProblem(f"the packages gave no {name}: the package "
                                         "layout differs from what labcheck knows")
        if not (self.rootfs / "usr/sbin/docker-init").exists():
            tini = "/usr/bin/tini-static" if (self.rootfs / "usr/bin/tini-static").exists() \
                else "/usr/bin/tini"
            if (self.rootfs / "usr/sbin/docker-init").is_symlink():
                (self.rootfs / "usr/sbin/docker-init").unlink()
            os.symlink(tini, self.rootfs / "usr/sbin/docker-init")
        self._busybox_links()

    def _busybox_links(self) -> None:
        """Busybox's applets, except where a package gave the real program (in any
        folder of PATH: busybox's ``/sbin/ip`` would otherwise hide iproute2's ``/bin/ip``)."""
        real = {p.name for d in ("usr/bin", "usr/sbin") if (self.rootfs / d).is_dir()
                for p in (self.rootfs / d).iterdir()}
        out = _run([str(self.rootfs / "bin/busybox"), "--list-full"], "busybox --list-full")
        for rel in out.split():
            dest = self.rootfs / rel
            if dest.exists() or dest.is_symlink() or Path(rel).name in real:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.symlink("/bin/busybox", dest)

    def libraries(self) -> None:
        """Copy what ldd lists; fetch the packages owning libraries this tree lacks."""
        libdirs = [self.staging / d for d in ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu",
                                              "lib", "usr/lib")]
        env = dict(os.environ, LD_LIBRARY_PATH=":".join(str(d) for d in libdirs), LC_ALL="C")
        for _round in range(4):
            wanted: dict[str, Path] = {}  # path in the VM -> source file
            host_owned: dict[str, str] = {}
            not_found: list[str] = []
            for elf in sorted(p for p in self.rootfs.rglob("*")
                              if p.is_file() and not p.is_symlink() and _is_dynamic_elf(p)):
                out = subprocess.run(["ldd", str(elf)], capture_output=True, text=True,
                                     env=env, timeout=60, check=False).stdout
                for lib in parse_ldd(out):
                    if lib.startswith("!"):
                        not_found.append(f"{elf.relative_to(self.rootfs)} needs {lib[1:]}")
                        continue
                    path = Path(lib)
                    if path.is_relative_to(self.staging):
                        rel = str(path.relative_to(self.staging))
                        wanted["/" + rel] = path
                    elif (self.staging / lib.lstrip("/")).exists():
                        wanted[lib] = self.staging / lib.lstrip("/")
                    else:
                        host_owned[lib] = ""
            host_owned = self._owners(host_owned)
            fetch = {pkg for pkg in host_owned.values() if pkg and pkg not in self.extracted}
            if not_found:  # not on this machine either: the lib* packages the packages name
                fetch |= self._library_depends() - self.extracted
                if not fetch:
                    raise EnvironmentProblem(f"{not_found[0]}, which neither the packages "
                                             "nor this machine have")
            if fetch:
                self.add_packages(fetch)
                continue
            for lib, pkg in sorted(host_owned.items()):
                if not pkg:  # no package owns it: take this machine's file
                    self.notes.append(f"{lib} copied from this machine (no package owns it)")
                    wanted[lib] = Path(lib)
            for dest, src in sorted(wanted.items()):
                target = self.rootfs / dest.lstrip("/")
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(_resolve_in(self.staging, src), target)
            return
        raise EnvironmentProblem("the shared libraries did not settle after 4 rounds of ldd")

    def _library_depends(self) -> set[str]:
        """The ``lib*`` packages in the Depends/Pre-Depends of the packages taken."""
        names: set[str] = set()
        for deb in self.packages.values():
            for fieldname in ("Depends", "Pre-Depends"):
                for alt in deb_field(deb, fieldname).split(","):
                    name = alt.split("|")[0].strip().split(" ")[0].split(":")[0]
                    if name.startswith("lib"):
                        names.add(name)
        return names

    def _owners(self, libs: Iterable[str]) -> dict[str, str]:
        """The package owning each library path on this machine ('' if none), one dpkg -S."""
        candidates: dict[str, list[str]] = {}
        for lib in libs:
            cands = [lib, str(Path(lib).resolve())]
            for cand in list(cands):
                for prefix, other in (("/usr/lib/", "/lib/"), ("/lib/", "/usr/lib/")):
                    if cand.startswith(prefix):
                        cands.append(other + cand[len(prefix):])
            candidates[lib] = list(dict.fromkeys(cands))
        every = sorted({c for cands in candidates.values() for c in cands})
        out = subprocess.run(["dpkg", "-S", *every], capture_output=True, text=True,
                             timeout=120, check=False).stdout if every else ""
        owner_of: dict[str, str] = {}
        for line in out.splitlines():
            if ": " in line:
                pkgs, path = line.split(": ", 1)
                owner_of[path.strip()] = pkgs.split(",")[0].split(":")[0].strip()
        return {lib: next((owner_of[c] for c in cands if c in owner_of), "")
                for lib, cands in candidates.items()}

    def kernel(self, kernel_pkg: str) -> tuple[str, list[str], list[str]]:
        moddirs = sorted(d for base in ("lib/modules", "usr/lib/modules")
                         if (self.staging / base).is_dir()
                         for d in (self.staging / base).iterdir() if d.is_dir())
        if not moddirs:
            raise EnvironmentProblem(f"{kernel_pkg} has no lib/modules folder")
        version = moddirs[-1].name
        vmlinuz = self.staging / "boot" / f"vmlinuz-{version}"
        if not vmlinuz.is_file():
            raise EnvironmentProblem(f"{kernel_pkg} has no boot/vmlinuz-{version}")
        src = moddirs[-1]
        if not (src / "modules.dep").is_file():
            self._depmod(self.staging, version)
        deps, files, builtin = _read_modules_dep(src)
        order, missing = module_closure(MODULES, deps, builtin)
        dest = self.rootfs / "lib/modules" / version
        for name in order:
            _copy(src / files[name], dest / files[name])
        for meta in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
            if (src / meta).is_file():
                _copy(src / meta, dest / meta)
        config = self.staging / "boot" / f"config-{version}"
        if config.is_file():  # what the kernel can do, for labcheck.survey on the Docker host
            _copy(config, self.rootfs / "boot" / config.name)
        self._depmod(self.rootfs, version)
        (self.rootfs / "etc/labcheck/modules").write_text(" ".join(order) + "\n",
                                                          encoding="utf-8")
        return version, order, missing

    def _depmod(self, base: Path, version: str) -> None:
        """depmod from the unpacked kmod (this machine may have none)."""
        kmod = next((self.staging / p for p in ("bin/kmod", "usr/bin/kmod")
                     if (self.staging / p).exists()), self.staging / "bin/kmod")
        with tempfile.TemporaryDirectory() as tmp:
            link = Path(tmp) / "depmod"
            os.symlink(kmod, link)
            libdirs = [self.staging / d for d in ("lib/x86_64-linux-gnu",
                                                  "usr/lib/x86_64-linux-gnu")]
            env = dict(os.environ, LD_LIBRARY_PATH=":".join(str(d) for d in libdirs))
            _run([str(link), "-b", str(base), version], "depmod", env=env)


def _pack(rootfs: Path, out: Path) -> None:
    """cpio newc archive of ``rootfs``, every file owned by root, in sorted order."""
    names = sorted(str(p.relative_to(rootfs)) for p in rootfs.rglob("*"))
    tmp = out.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        proc = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0",
                               "--reproducible"],
                              input=("\n".join(["."] + names) + "\n").encode(),
                              stdout=handle, stderr=subprocess.PIPE, cwd=rootfs,
                              timeout=900, check=False)
    if proc.returncode != 0:
        raise EnvironmentProblem(f"cpio failed: {proc.stderr.decode(errors='replace')[-300:]}")
    tmp.replace(out)


def _engine_fetcher(paths: EnginePaths, engine: str, refresh: bool,
                    say: Say) -> tuple[Fetcher, tuple[str, ...], str]:
    """The fetcher of ``engine``'s packages (own apt state and debs under ``engines/``)."""
    if engine not in ENGINES:
        raise EnvironmentProblem(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    suite, packages, _runtime = ENGINES[engine]
    source = debian_archive().source(suite)
    engine_paths = EnginePaths(paths.root / "engines" / engine)
    apt = PrivateApt(engine_paths.apt, source)
    fetcher = Fetcher(engine_paths.debs, apt, refresh, say)
    if refresh or fetcher.lacks(packages):
        apt.update(say)
    return fetcher, packages, source.line


def build_image(paths: EnginePaths, *, source: AptSource | None = None,
                engine: str | None = None, refresh: bool = False,
                say: Say = print) -> BuildResult:
    """Fetch, unpack and pack the VM image into ``paths.image``; return what was taken.

    ``engine`` names one of :data:`ENGINES` (None: the distribution's docker.io).
    """
    lacking = missing_tools()
    if lacking:
        raise EnvironmentProblem(f"building the engine image needs {', '.join(lacking)}. "
                                 "Install them: apt-get install apt dpkg cpio libc-bin")
    start = time.monotonic()
    apt = PrivateApt(paths.apt, source) if source is not None else None
    if apt is not None:
        apt.update(say)
    fetcher = Fetcher(paths.debs, apt, refresh, say)
    engine_fetcher: Fetcher | None = None
    engine_pkgs: tuple[str, ...] = ()
    engine_line = ""
    if engine:
        engine_fetcher, engine_pkgs, engine_line = _engine_fetcher(paths, engine, refresh, say)
    kernel_pkgs = _kernel_packages(fetcher)
    kernel_pkg = kernel_pkgs[0]
    paths.image.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="labcheck-engine-", dir=paths.root) as tmp:
        staging, rootfs = Path(tmp) / "staging", Path(tmp) / "rootfs"
        staging.mkdir()
        rootfs.mkdir()
        asm = _Assembler(staging, rootfs, fetcher, say)
        asm.add_packages([*kernel_pkgs, *(p for p in PACKAGES if p not in engine_pkgs)])
        if engine_fetcher is not None:
            say(f"the engine from Debian {engine}: {' '.join(engine_pkgs)}")
            asm.add_packages(engine_pkgs, engine_fetcher)
        say("assembling the root tree")
        asm.skeleton()
        if engine:
            asm.default_runtime(ENGINES[engine][2])
        asm.node_config()
        asm.programs()
        asm.libraries()
        version, modules, missing = asm.kernel(kernel_pkg)
        say(f"kernel {version}: {len(modules)} modules")
        say("packing the initramfs (cpio)")
        _pack(rootfs, paths.initrd)
        shutil.copy2(staging / "boot" / f"vmlinuz-{version}", paths.kernel)
        shutil.copy2(rootfs / "bin/busybox", paths.busybox)  # the lab image, built in the VM
        versions = {pkg: deb_field(deb, "Version") for pkg, deb in sorted(asm.packages.items())}
    digest = hashlib.sha256()
    with paths.initrd.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    manifest = {
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "kernel": version,
        "kernel_package": kernel_pkg,
        "packages": versions,
        "apt_source": source.line if source else "the machine's apt lists",
        "engine": engine or "distribution",
        "engine_source": engine_line or None,
        "modules": modules,
        "missing_modules": missing,
        "initrd_sha256": digest.hexdigest(),
        "notes": asm.notes,
    }
    paths.manifest.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    paths.snapshot_disk.unlink(missing_ok=True)  # a saved state belongs to the old image
    return BuildResult(paths, version, versions, modules, missing, paths.initrd.stat().st_size,
                       time.monotonic() - start, asm.notes, engine or "distribution")
