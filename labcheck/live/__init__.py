"""Everything that talks to a Docker engine (see issue 10)."""
