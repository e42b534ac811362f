"""The live side of labcheck: the only package that imports docker or calls a client.

Everything that talks to a Docker daemon (or changes this machine's
network) is here, one module per concern:

- ``daemon`` (connect, and the one translation of docker-py's errors);
- ``collect`` (daemon -> Snapshot);
- ``execs`` (run a command in a container: the one exec primitive);
- ``probes`` (the probe runner) and ``evidence`` (the exact container a probe
  names; the stand-in a probe asks for);
- ``images`` (the lab image) and ``ownership`` (reset);
- ``lab`` (the Lab helper) and ``notebook`` (``ready``);
- ``dockerhost`` (root on the Docker host, through a helper container);
- ``drivers`` (survey, veth LAN, swarm session);
- ``reachability`` (confirm, the measured matrix);
- ``diagnosis`` (lesson 06's routine run against a daemon);
- ``scenarios`` (lesson 06's broken apps built and removed);
- ``grading`` (check, assert_exercise, score, make_submission);
- ``engines`` (Docker engines as objects: system, netns, vm; see its docstring)
  and ``processes`` (whether a process an engine started runs; waiting for it to go);
- ``vm`` (a Docker engine in a QEMU VM: build, start, forwarded ports).

A pure module outside this package and its live partner here share a stem
(``labcheck.probes`` and ``probes``, ``labcheck.diagnosis`` and ``diagnosis``).
Everything outside this package takes a Snapshot or a Report and is pure;
``tests/unit/test_live_boundary.py`` keeps it so, and
``tests/unit/test_live_map.py`` keeps this list whole. A new live piece is a
new module here, named in this list; nothing else needs registering.
Import the modules themselves: this file imports none of them.
"""
