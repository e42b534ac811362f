"""Reading exercise files (YAML): validation with the file, the key and the line.

Exercise files are found in the package's own folder (``labcheck/exercises``),
then in instructors' folders: ``LABCHECK_EXERCISES`` (folders separated by
``os.pathsep``) and those passed as ``dirs`` (the CLI's ``--exercises DIR``).
An instructor's file may replace a packaged exercise of the same id; two
instructor files with the same id are an error.

>>> ex = parse_exercise('''
... id: tiny
... title: A network
... lesson: "01"
... checks:
...   - {id: net, kind: network_exists, network: appnet}
... ''', "tiny.yaml")
>>> ex.id, ex.networks, ex.checks[0].title
('tiny', ('appnet',), "network 'appnet' exists")
>>> parse_exercise("id: t\\ntitle: T\\nchecks:\\n  - {id: a, kind: attachd}\\n", "t.yaml")
Traceback (most recent call last):
...
labcheck.exercises.loader.ExerciseFileError: t.yaml, line 4: checks[0].kind: unknown check ...
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..checks import KINDS, Check, Hint, Param, kind
from ..compose import ComposeRef
from ..errors import UsageError
from .model import Exercise

__all__ = ["ExerciseFileError", "PACKAGE_DIR", "ENV_VAR", "exercise_dirs", "exercise_files",
           "parse_exercise", "read_exercise_file", "load_exercise", "list_exercises"]

#: Where the course's own exercise files live.
PACKAGE_DIR = Path(__file__).resolve().parent

#: Environment variable with instructors' exercise folders (os.pathsep-separated).
ENV_VAR = "LABCHECK_EXERCISES"

_TOP_KEYS = {"id", "title", "lesson", "description", "objects", "hints", "checks", "reveal"}
_CHECK_KEYS = {"id", "kind", "title", "points", "hidden", "hints", "node"}
_NODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_BUILTIN_NETWORKS = {"bridge", "host", "none", "default"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ExerciseFileError(UsageError):
    """An exercise file is malformed; the message names the file, line and key."""


class _Doc:
    """Plain data from YAML, with the line of every key path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[str, int] = {}

    def error(self, path: str, message: str) -> ExerciseFileError:
        line, probe = None, path
        while line is None:
            line = self.lines.get(probe)
            if not probe:
                break
            shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
            probe = "" if shorter == probe else shorter
        where = f", line {line}" if line else ""
        key = f"{path}: " if path else ""
        return ExerciseFileError(f"{self.source}{where}: {key}{message}")

    def load(self, text: str) -> Any:
        import yaml

        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ExerciseFileError(f"{self.source}{where}: not valid YAML: {problem}") from None
        if node is None:
            raise ExerciseFileError(f"{self.source}: the file is empty; an exercise needs at "
                                    f"least id, title and checks")
        loader = yaml.SafeLoader("")
        return self._data(node, "", loader)

    def _data(self, node: Any, path: str, loader: Any) -> Any:
        import yaml

        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                sub = f"{path}.{key}" if path else str(key)
                self.lines[sub] = key_node.start_mark.line + 1
                out[key] = self._data(value_node, sub, loader)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._data(item, f"{path}[{i}]", loader) for i, item in enumerate(node.value)]
        return loader.construct_object(node, deep=True)


def _closest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=2, cutoff=0.7)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def _type_ok(value: Any, type_name: str) -> bool:
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "bool":
        return isinstance(value, bool)
    if type_name == "str":
        return isinstance(value, str)
    if type_name == "list":
        return isinstance(value, list)
    if type_name == "map":
        return isinstance(value, dict)
    return True


_TYPE_WORDS = {"int": "a whole number", "bool": "true or false", "str": "a string",
               "list": "a list", "map": "a mapping (key: value)", "any": "a value"}


def _hints(doc: _Doc, raw: Any, path: str) -> tuple[Hint, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise doc.error(path, f"expected a list of hints, got {type(raw).__name__}")
    hints = []
    for i, item in enumerate(raw):
        sub = f"{path}[{i}]"
        if isinstance(item, str):
            hints.append(Hint(item))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise doc.error(sub, "expected a string, or a mapping with 'text' (and 'penalty')")
        unknown = set(item) - {"text", "penalty"}
        if unknown:
            raise doc.error(f"{sub}.{sorted(unknown)[0]}", "unknown key; a hint has 'text' "
                                                           "and 'penalty'")
        penalty = item.get("penalty", 0)
        if not isinstance(penalty, (int, float)) or isinstance(penalty, bool) or penalty < 0:
            raise doc.error(f"{sub}.penalty", f"expected a number of points >= 0, got {penalty!r}")
        hints.append(Hint(item["text"], float(penalty)))
    return tuple(hints)


def _check(doc: _Doc, raw: Any, path: str, folder: str) -> Check:
    if not isinstance(raw, dict):
        raise doc.error(path, "expected a mapping with id, kind and its parameters")
    for key in ("id", "kind"):
        if key not in raw:
            raise doc.error(path, f"missing '{key}'")
    check_id, kind_name = raw["id"], raw["kind"]
    if not isinstance(check_id, str) or not _ID.match(check_id):
        raise doc.error(f"{path}.id", f"expected a short id of letters, digits, '-', '_' or "
                                      f"'.', got {check_id!r}")
    if kind_name not in KINDS:
        raise doc.error(f"{path}.kind", f"unknown check kind {kind_name!r}"
                        + (_closest(str(kind_name), KINDS)
                           or f"; known kinds: {', '.join(sorted(KINDS))}"))
    the_kind = kind(kind_name)
    known: dict[str, Param] = {p.name: p for p in the_kind.params}
    params: dict[str, Any] = {}
    node = _node_of(doc, raw, path, known)
    for key, value in raw.items():
        if key in _CHECK_KEYS:
            continue
        if isinstance(value, dict) and key in known and known[key].ref in _NODE_REFS:
            value = value.get(known[key].ref) or value.get("name")
        if key not in known or key == "folder":
            allowed = ", ".join(p.name for p in the_kind.params if p.name != "folder")
            raise doc.error(f"{path}.{key}", f"{kind_name} has no parameter {key!r}"
                            + (_closest(str(key), known) or "") + f" (its parameters: {allowed})")
        param = known[key]
        if not _type_ok(value, param.type):
            raise doc.error(f"{path}.{key}", f"expected {_TYPE_WORDS[param.type]}, got {value!r}")
        if param.choices and value not in param.choices:
            raise doc.error(f"{path}.{key}", f"expected one of {', '.join(param.choices)}, "
                                             f"got {value!r}")
        params[key] = value
    for param in the_kind.params:
        if param.name not in params:
            if param.required:
                raise doc.error(path, f"{kind_name} needs '{param.name}' "
                                      f"({param.doc or param.type})")
            if param.default is not None:
                params[param.name] = param.default
    if kind_name == "python":
        params["folder"] = folder
    problem = the_kind.validate(params)
    if problem:
        raise doc.error(path, f"{kind_name} {check_id!r}: {problem}")
    points = raw.get("points", 1)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
        raise doc.error(f"{path}.points", f"expected a number >= 0, got {points!r}")
    hidden = raw.get("hidden", False)
    if not isinstance(hidden, bool):
        raise doc.error(f"{path}.hidden", f"expected true or false, got {hidden!r}")
    title = raw.get("title")
    if title is not None and not isinstance(title, str):
        raise doc.error(f"{path}.title", f"expected a string, got {title!r}")
    return Check(id=check_id, kind=kind_name, params=params,
                 title=title or the_kind.title(params), points=float(points), hidden=hidden,
                 hints=_hints(doc, raw.get("hints"), f"{path}.hints"), node=node)


#: Parameters that may name their object's node: ``from: {container: web, node: node2}``.
_NODE_REFS = ("container", "network")


def _node_of(doc: _Doc, raw: dict[str, Any], path: str, known: dict[str, Param]) -> str:
    """The node a check asks: its own ``node:``, or the ``node`` of a parameter written
    as ``{container: X, node: N}`` (``{network: X, node: N}``); all must agree.

    (Not ``on:``: YAML 1.1 reads that key as ``true``.)"""
    found: dict[str, str] = {}
    if "node" in raw:
        found["node"] = raw["node"]
    for key, value in raw.items():
        if not isinstance(value, dict) or key not in known or known[key].ref not in _NODE_REFS:
            continue
        ref = known[key].ref or ""
        unknown = sorted(set(value) - {ref, "name", "node"})
        if unknown:
            raise doc.error(f"{path}.{key}.{unknown[0]}",
                            f"unknown key (a {ref} on a node has: {ref}, node)")
        name = value.get(ref) or value.get("name")
        if not isinstance(name, str) or not name:
            raise doc.error(f"{path}.{key}", f"expected '{ref}': a name, got {name!r}")
        if "node" in value:
            found[f"{key}.node"] = value["node"]
    for where, value in found.items():
        if not isinstance(value, str) or not _NODE.match(value):
            raise doc.error(f"{path}.{where}", f"expected a node's name (node2), got {value!r}")
    nodes = sorted(set(found.values()))
    if len(nodes) > 1:
        raise doc.error(path, f"the check names two nodes ({', '.join(nodes)}): a check runs "
                              f"on one node; write one check per node")
    return nodes[0] if nodes else ""


_COMPOSE_KEYS = {"containers": ("service", "service"), "networks": ("network", "network")}


def _compose_ref(doc: _Doc, item: Any, path: str, key: str) -> ComposeRef:
    """An ``objects`` entry written as a mapping: a Compose service or network."""
    field_name, ref_kind = _COMPOSE_KEYS[key]
    allowed = {"name", "project", field_name}
    if not isinstance(item, dict):
        raise doc.error(path, "expected a name, or a mapping with "
                              f"'{field_name}' and 'project' (a Compose object)")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise doc.error(f"{path}.{unknown[0]}",
                        "unknown key" + (_closest(unknown[0], allowed) or "")
                        + f" (a Compose {ref_kind} has: {', '.join(sorted(allowed))})")
    for needed in (field_name, "project"):
        value = item.get(needed)
        if not isinstance(value, str) or not _ID.match(value):
            raise doc.error(f"{path}.{needed}" if needed in item else path,
                            f"a Compose {ref_kind} needs '{needed}': a name, got {value!r}")
    name = item.get("name", item[field_name])
    if not isinstance(name, str) or not _ID.match(name):
        raise doc.error(f"{path}.name",
                        f"expected a short name for the checks to use, got {name!r}")
    return ComposeRef(name=name, kind="service" if ref_kind == "service" else "network",
                      project=item["project"], key=item[field_name])


def _objects(doc: _Doc, raw: Any, checks: Sequence[Check]
             ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ComposeRef, ...]]:
    networks: list[str] = []
    containers: list[str] = []
    compose: list[ComposeRef] = []
    if raw is not None:
        if not isinstance(raw, dict):
            raise doc.error("objects", "expected a mapping with 'networks' and 'containers' lists")
        for key, value in raw.items():
            if key not in ("networks", "containers"):
                raise doc.error(f"objects.{key}", "unknown key; expected 'networks' or "
                                                  "'containers'")
            if not isinstance(value, list):
                raise doc.error(f"objects.{key}", "expected a list of names")
            for i, item in enumerate(value):
                if isinstance(item, str):
                    (networks if key == "networks" else containers).append(item)
                else:
                    compose.append(_compose_ref(doc, item, f"objects.{key}[{i}]", key))
    composed = {ref.name for ref in compose}
    if len(composed) < len(compose):
        raise doc.error("objects", "two Compose objects have the same name; give one a 'name:'")
    for item in checks:
        for param in kind(item.kind).params:
            value = item.params.get(param.name)
            values = value if isinstance(value, list) else [value]
            for v in values:
                if not isinstance(v, str) or v in composed:
                    continue
                if param.ref == "network" and v not in _BUILTIN_NETWORKS:
                    networks.append(v)
                elif param.ref == "container":
                    containers.append(v)
        mode = item.params.get("mode") if item.kind == "network_mode" else None
        if isinstance(mode, str) and mode.startswith("container:"):
            containers.append(mode.split(":", 1)[1])
    return (tuple(n for n in dict.fromkeys(networks) if n not in composed),
            tuple(c for c in dict.fromkeys(containers) if c not in composed), tuple(compose))


def parse_exercise(text: str, source: str = "<exercise>", folder: str = "") -> Exercise:
    """Parse and validate one exercise file's text."""
    doc = _Doc(source)
    data = doc.load(text)
    if not isinstance(data, dict):
        raise doc.error("", "expected a mapping at the top (id:, title:, checks:)")
    for key in data:
        if key not in _TOP_KEYS:
            raise doc.error(str(key), "unknown key" + (_closest(str(key), _TOP_KEYS) or "")
                            + f" (an exercise has: {', '.join(sorted(_TOP_KEYS))})")
    for key in ("id", "title", "checks"):
        if key not in data:
            raise doc.error("", f"missing '{key}'")
    ex_id = data["id"]
    if not isinstance(ex_id, str) or not _ID.match(ex_id):
        raise doc.error("id", f"expected a short id of letters, digits, '-', '_' or '.', "
                              f"got {ex_id!r}")
    for key in ("title", "description", "reveal"):
        if key in data and not isinstance(data[key], str):
            raise doc.error(key, f"expected a string, got {data[key]!r}")
    lesson = data.get("lesson", "")
    if not isinstance(lesson, (str, int)) or isinstance(lesson, bool):
        raise doc.error("lesson", f"expected a lesson id such as \"02\", got {lesson!r}")
    raw_checks = data["checks"]
    if not isinstance(raw_checks, list) or not raw_checks:
        raise doc.error("checks", "expected a non-empty list of checks")
    checks = [_check(doc, raw, f"checks[{i}]", folder) for i, raw in enumerate(raw_checks)]
    seen: dict[str, int] = {}
    for i, item in enumerate(checks):
        if item.id in seen:
            raise doc.error(f"checks[{i}].id", f"check id {item.id!r} is used twice "
                                               f"(also checks[{seen[item.id]}])")
        seen[item.id] = i
    networks, containers, compose = _objects(doc, data.get("objects"), checks)
    return Exercise(id=ex_id, title=data["title"], lesson=str(lesson), checks=tuple(checks),
                    hints=_hints(doc, data.get("hints"), "hints"),
                    description=str(data.get("description") or "").strip(),
                    networks=networks, container_names=containers, source=source,
                    compose=compose,
                    reveal=str(data.get("reveal") or "").strip())


def read_exercise_file(path: str | Path) -> Exercise:
    """Read and validate the exercise file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExerciseFileError(f"exercise file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExerciseFileError(f"exercise file {str(path)!r} cannot be read: {exc}") from None
    return parse_exercise(text, source=str(path), folder=str(path.parent))


def exercise_dirs(dirs: Iterable[str | Path] | None = None) -> list[Path]:
    """The package folder, then ``LABCHECK_EXERCISES``, then ``dirs``."""
    found = [PACKAGE_DIR]
    env = os.environ.get(ENV_VAR, "")
    found += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    found += [Path(d) for d in dirs or ()]
    for folder in found[1:]:
        if not folder.is_dir():
            raise UsageError(f"exercise folder {str(folder)!r} does not exist (from "
                             f"{ENV_VAR} or --exercises)")
    return list(dict.fromkeys(found))


def exercise_files(dirs: Iterable[str | Path] | None = None) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file in the exercise folders, folder by folder."""
    files = []
    for folder in exercise_dirs(dirs):
        files += sorted(p for p in folder.iterdir()
                        if p.suffix in (".yaml", ".yml") and p.is_file())
    return files


_cache: dict[tuple[str, float], Exercise] = {}


def _read_cached(path: Path) -> Exercise:
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache[key] = read_exercise_file(path)
    return _cache[key]


def _all(dirs: Iterable[str | Path] | None) -> dict[str, Exercise]:
    by_id: dict[str, Exercise] = {}
    for path in exercise_files(dirs):
        ex = _read_cached(path)
        old = by_id.get(ex.id)
        if old is not None and Path(old.source).parent != PACKAGE_DIR:
            raise ExerciseFileError(f"exercise id {ex.id!r} is defined twice: in {old.source} "
                                    f"and in {ex.source}", advice="Rename one of them")
        by_id[ex.id] = ex
    return by_id


def list_exercises(dirs: Iterable[str | Path] | None = None) -> list[Exercise]:
    """Every exercise, sorted by lesson then id."""
    return sorted(_all(dirs).values(), key=lambda e: (e.lesson, e.id))


def load_exercise(exercise_id: str, dirs: Iterable[str | Path] | None = None) -> Exercise:
    """The exercise ``exercise_id`` (or the file, when given a path to a .yaml file).

    Raises :class:`~labcheck.errors.UsageError` naming the closest ids when
    there is no such exercise.
    """
    if str(exercise_id).endswith((".yaml", ".yml")) and Path(exercise_id).is_file():
        return read_exercise_file(exercise_id)
    known = _all(dirs)
    if exercise_id in known:
        return known[exercise_id]
    close = difflib.get_close_matches(str(exercise_id), list(known), n=3, cutoff=0.6)
    hint = (f"Did you mean {' or '.join(repr(c) for c in close)}?" if close
            else f"Known exercises: {', '.join(sorted(known)) or 'none'}.")
    raise UsageError(f"there is no exercise {exercise_id!r}",
                     advice=f"{hint} List them with: labcheck list")
