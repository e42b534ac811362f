"""The version of labcheck, in a module of its own so any module can read it
without importing the package's ``__init__`` (and its public API)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
