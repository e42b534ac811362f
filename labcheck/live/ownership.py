"""reset(): remove what labcheck, a lesson or a test created on a daemon, and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ownership import LESSON_LABEL, OWNER_LABEL, OWNER_VALUE, ResetResult, select_for_reset

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["reset"]


def reset(client: "docker.DockerClient", lesson: str | None = None) -> ResetResult:
    """Remove labcheck's containers, then networks; for one lesson or all.

    Only objects that carry both labcheck labels are removed, and the
    filter is applied again here on the listed labels (not only in the
    daemon query, see :func:`select_for_reset`), so a label typo can never
    widen the match.
    """
    import docker.errors

    selector = [f"{OWNER_LABEL}={OWNER_VALUE}"]
    selector.append(f"{LESSON_LABEL}={lesson}" if lesson else LESSON_LABEL)
    result = ResetResult()
    api = client.api
    plan = select_for_reset(api.containers(all=True, filters={"label": selector}), (), lesson)
    for ident, name in plan.containers:
        try:
            api.remove_container(ident, force=True, v=True)
            result.containers.append(name)
        except docker.errors.NotFound:
            continue
        except docker.errors.APIError as exc:
            result.errors.append(f"container {name}: {exc.explanation or exc}")
    # networks are listed after the containers are gone, so none is still in use
    plan = select_for_reset((), api.networks(filters={"label": selector}), lesson)
    for ident, name in plan.networks:
        try:
            api.remove_network(ident)
            result.networks.append(name)
        except docker.errors.NotFound:
            continue
        except docker.errors.APIError as exc:
            result.errors.append(f"network {name}: {exc.explanation or exc}")
    result.containers.sort()
    result.networks.sort()
    return result
