"""The live side of labcheck: the only package that imports docker or calls a client.

Everything that talks to a Docker daemon (or changes this machine's
network) is here, one module per concern: ``daemon`` (connect, and the one
translation of docker-py's errors), ``collect`` (daemon -> Snapshot),
``probes`` (the probe runner), ``images`` (the lab image), ``ownership``
(reset), ``lab`` (the Lab helper), ``notebook`` (``ready``), ``drivers``
(survey, veth LAN, swarm session), ``reachability`` (confirm, the measured
matrix) and ``grading`` (check, assert_exercise, score, make_submission).

Everything outside this package takes a Snapshot or a Report and is pure;
``tests/unit/test_live_boundary.py`` keeps it so. A new live piece (an
engine, a probe runner) is a new module here; nothing needs registering.
Import the modules themselves: this file imports none of them.
"""
