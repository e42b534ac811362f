"""The ``python`` check kind: an instructor's own function, for what the
vocabulary lacks.

In an exercise file::

    - id: three-containers
      kind: python
      function: mychecks:three_on_appnet     # mychecks.py next to the YAML file,
      args: {network: appnet}                # or any importable module
      probes:                                # optional: probes it needs
        - {kind: resolve, container: web, name: db}

The function receives the :class:`~labcheck.snapshot.Snapshot` and ``args``
as keywords, and returns True/False, ``(ok, message)``, or an
:class:`~labcheck.checks.base.Outcome`. String values in ``args`` and the
probes' container/target/name fields that are declared objects of the
exercise are mapped through the :class:`~labcheck.checks.base.Binding`.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

from ..probes import HostReach, Probe
from ..snapshot import Snapshot
from .base import Binding, CheckKind, Outcome, Param, register

__all__ = ["PythonCheck", "load_function"]

_cache: dict[tuple[str, str], Callable[..., Any]] = {}


def load_function(spec: str, folder: str | None = None) -> Callable[..., Any]:
    """Import ``module:function``; a ``module.py`` in ``folder`` is preferred."""
    module_name, _, func_name = spec.partition(":")
    key = (spec, folder or "")
    if key in _cache:
        return _cache[key]
    local = Path(folder, f"{module_name}.py") if folder else None
    if local is not None and local.is_file():
        unique = f"labcheck_exercise_checks.{abs(hash(str(local)))}.{module_name}"
        module_spec = importlib.util.spec_from_file_location(unique, local)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[unique] = module
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    func: Callable[..., Any] | None = getattr(module, func_name)
    if not callable(func):
        raise TypeError(f"{spec} is not a function")
    _cache[key] = func
    return func


@register
class PythonCheck(CheckKind):
    name = "python"
    summary = "your own function of the snapshot (module:function)"
    params = (Param("function", doc="module:function; module.py may sit next to the exercise"),
              Param("args", "map", required=False, default=None, doc="keyword arguments"),
              Param("probes", "list", required=False, default=None,
                    doc="probe specs it needs, e.g. {kind: resolve, container: web, name: db}"),
              Param("containers", "list", required=False, default=None, ref="container",
                    doc="containers to read in detail (aliases, hostname)"),
              Param("folder", required=False, doc="(set by the loader) the exercise's folder"))

    def validate(self, p: Mapping[str, Any]) -> str | None:
        module, sep, func = str(p["function"]).partition(":")
        if not (module and sep and func):
            return "expected 'module:function', e.g. mychecks:three_on_appnet"
        try:
            load_function(p["function"], p.get("folder"))
        except Exception as exc:  # noqa: BLE001 - reported as a file problem
            return f"cannot load {p['function']}: {type(exc).__name__}: {exc}"
        for spec in p.get("probes") or ():
            try:
                Probe.from_json(spec)
            except Exception as exc:  # noqa: BLE001
                return f"bad probe {spec!r}: {exc}"
        return None

    def title(self, p: Mapping[str, Any]) -> str:
        return f"{p['function']}"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return tuple(Probe.from_json(spec) for spec in p.get("probes") or ())

    def detail(self, p: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(p.get("containers") or ())

    def bind(self, p: Mapping[str, Any], binding: Binding) -> dict[str, Any]:
        out = super().bind(p, binding)
        out["args"] = {k: binding.name(v) if isinstance(v, str) else v
                       for k, v in (p.get("args") or {}).items()}
        probes = []
        for spec in p.get("probes") or ():
            spec = dict(spec)
            for key in ("container", "target", "name"):
                if isinstance(spec.get(key), str):
                    spec[key] = binding.name(spec[key])
            if spec.get("kind") == HostReach.kind and isinstance(spec.get("port"), int):
                spec["port"] = binding.port(spec["port"])
            probes.append(spec)
        out["probes"] = probes
        return out

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        func = load_function(p["function"], p.get("folder"))
        value = func(snap, **(p.get("args") or {}))
        if isinstance(value, Outcome):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            ok, message = value
            return Outcome.passed(str(message)) if ok else Outcome.failed(str(message))
        if isinstance(value, bool):
            return Outcome.passed(f"{p['function']} passed") if value else \
                Outcome.failed(f"{p['function']} failed")
        return Outcome.errored(f"{p['function']} returned {value!r}; expected True/False, "
                               f"(ok, message) or an Outcome")
