"""Subcommands of the ``labcheck`` CLI, one module each (see :mod:`labcheck.cli`)."""
