"""``python -m labcheck``: the same as the ``labcheck`` command."""

from .cli import main

raise SystemExit(main())
