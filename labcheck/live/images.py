"""The lab image on a daemon: whether it is there, built from busybox, or pulled.

What the image is (its name, its root filesystem) is :mod:`labcheck.images`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ImageUnavailable
from ..images import (
    LAB_IMAGE,
    SOURCE_LABEL,
    UPSTREAM_IMAGE,
    ImageStatus,
    find_static_busybox,
    rootfs_tar,
)
from ..progress import Say

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["image_status", "ensure_lab_image", "build_lab_image"]


def build_lab_image(client: "docker.DockerClient", busybox: str,
                    name: str = LAB_IMAGE) -> ImageStatus:
    """Import the lab image from the host's static ``busybox``; no registry needed."""
    import docker.errors

    repository, _, tag = name.rpartition(":")
    source = "busybox-static (built here)"
    try:
        client.api.import_image_from_data(
            rootfs_tar(busybox), repository=repository, tag=tag,
            changes=['CMD ["sh"]', "WORKDIR /", f'LABEL {SOURCE_LABEL}="{source}"'])
    except docker.errors.APIError as exc:
        raise ImageUnavailable(f"building {name} from {busybox} failed: "
                               f"{exc.explanation or exc}") from None
    return image_status(client, name)


def image_status(client: "docker.DockerClient", name: str = LAB_IMAGE) -> ImageStatus:
    """Whether ``name`` is present on the daemon, and where it came from."""
    import docker.errors

    from .daemon import daemon_errors

    with daemon_errors(client):
        try:
            attrs = client.api.inspect_image(name)
        except docker.errors.ImageNotFound:
            return ImageStatus(name, present=False)
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    source = labels.get(SOURCE_LABEL) or f"pulled {UPSTREAM_IMAGE}"
    return ImageStatus(name, present=True, source=source, image_id=str(attrs.get("Id", "")))


def ensure_lab_image(client: "docker.DockerClient", name: str = LAB_IMAGE,
                     busybox: str | None = None,
                     progress: Say | None = None) -> ImageStatus:
    """The lab image, built once and then reused.

    Order: already present; built from a static busybox on this host (fast,
    offline); pulled from a registry. Raises ImageUnavailable with the fix
    when none of these works.
    """
    import docker.errors

    status = image_status(client, name)
    if status.present:
        return status
    busybox = busybox or find_static_busybox()
    if busybox:
        if progress:
            progress(f"building {name} from {busybox}")
        return build_lab_image(client, busybox, name)
    if progress:
        progress(f"pulling {UPSTREAM_IMAGE} for {name}")
    try:
        image = client.images.pull(UPSTREAM_IMAGE)
        repository, _, tag = name.rpartition(":")
        image.tag(repository, tag)
    except docker.errors.DockerException as exc:
        raise ImageUnavailable(
            f"the lab image {name} is missing, no static busybox is installed here and "
            f"pulling {UPSTREAM_IMAGE} failed ({str(exc).splitlines()[0][:120]})",
            advice="Install one: apt-get install busybox-static (Debian/Ubuntu), then run "
                   "labcheck doctor") from None
    return image_status(client, name)

