"""Docker engines as objects: one :class:`~labcheck.live.engines.base.Engine` shape for every kind.

An engine is a Docker daemon labcheck can point a client at. Each has a
``kind`` and a ``name``, and the same operations whatever it is: ``start``,
``stop``, ``status`` (running or not, version, address, forwarded ports),
``environ`` (the variables that point a docker CLI or docker-py at it),
``client()``, ``docker_host()`` (root on its Docker host) and ``state_dir``
(where its files live). Many run at once, each named, each owning its
socket, namespace, address pools and ports.

Kinds, one module each:

- ``system`` (:mod:`.system`): the machine's daemon, or whatever answers
  ``DOCKER_HOST``; started as ``make lab`` does (``scripts/ensure-docker.sh``).
- ``netns`` (:mod:`.netns`): a dockerd of any version in its own network
  namespace (root): the distribution's, Debian unstable's or trixie's
  (fetched by :mod:`.apt`), or a folder of binaries.
- ``vm`` (:mod:`.vm`): the QEMU engine of :mod:`labcheck.live.vm`, for a
  user without root or without a daemon.

:mod:`.registry` finds engines by name and lists those running;
:mod:`.apt` is the one apt module (private sources and state, download,
unpack, manifest, Signed-By) that the netns fetch and the VM build share.
Import the modules themselves: this file imports none of them.
"""
