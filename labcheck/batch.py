"""Submissions and batch grading: a whole class's snapshots in, a grade sheet out.

A **submission** is a :class:`~labcheck.snapshot.Snapshot` taken by
``labcheck submit ID -o me.json`` (:func:`labcheck.live.grading.make_submission`,
which reads the daemon; :func:`submission` adds the record): the daemon's state, the results of
exactly the probes the exercise needs, the labcheck version, the time, the
student's identifier and the hints they revealed, in ``meta["submission"]``.

:func:`grade_files` grades any number of them, purely (no daemon). Every
file gets a verdict: a graded row, or a :class:`Problem` naming the file
(unreadable, truncated, not JSON, another schema version, not a
submission, an unknown exercise, byte-for-byte identical to another file,
superseded by a later file of the same student). A problem never stops the
batch. Submissions of different students that share Docker object ids
(which every daemon makes at random) are graded and flagged.

What a submitted file can prove, and the stronger ways to grade, are in
``docs/what-grading-proves.md``.

>>> result = grade_files([])
>>> result.graded, result.problems
((), ())
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ._version import __version__
from .errors import LabcheckError, UsageError
from .report import format_points
from .snapshot import Snapshot

if TYPE_CHECKING:  # pragma: no cover
    from .exercises import Exercise
    from .report import Report

__all__ = [
    "SUBMISSION_FORMAT",
    "submission",
    "submission_info",
    "SubmissionInfo",
    "Problem",
    "Graded",
    "CheckStats",
    "BatchResult",
    "grade_files",
    "expand_paths",
]

#: Bumped when the submission's ``meta["submission"]`` layout changes incompatibly.
SUBMISSION_FORMAT = 1

_STUDENT_ENV = "JUPYTERHUB_USER"
_ADDRESS = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")
_KEEP = {"127.0.0.1", "127.0.0.11", "0.0.0.0"}  # addresses that mean the same everywhere
_ADVICE = re.compile(r"\. (?:Take it again|Make one with)")


def submission(snapshot: Snapshot, exercise: "Exercise", *, student: str | None = None,
               hints_file: str | None = None) -> Snapshot:
    """``snapshot`` (read for ``exercise``) with its ``meta["submission"]`` record.

    The record: format, exercise, student (``student``, else
    ``$JUPYTERHUB_USER``, else empty), labcheck version and the hints
    revealed so far. :func:`labcheck.live.grading.make_submission` reads the
    daemon and calls this.
    """
    from .exercises import hints as _hints

    record = {
        "format": SUBMISSION_FORMAT,
        "exercise": exercise.id,
        "student": student if student is not None else os.environ.get(_STUDENT_ENV, ""),
        "labcheck_version": __version__,
        "hints_revealed": _hints.revealed(exercise.id, hints_file),
    }
    return replace(snapshot, meta={**snapshot.meta, "submission": record})


@dataclass(frozen=True)
class SubmissionInfo:
    """What a submission says about itself (``meta["submission"]``)."""

    exercise: str
    student: str
    labcheck_version: str
    hints_revealed: Mapping[str, int]


def submission_info(snapshot: Snapshot, source: str = "submission") -> SubmissionInfo:
    """The submission record of ``snapshot``; UsageError if it is not a usable one."""
    record = snapshot.meta.get("submission")
    if not isinstance(record, Mapping):
        raise UsageError(f"{source} is a snapshot, not a submission (no exercise recorded). "
                         "Students make one with: labcheck submit ID -o FILE")
    fmt = record.get("format")
    if fmt != SUBMISSION_FORMAT:
        newer = isinstance(fmt, int) and fmt > SUBMISSION_FORMAT
        raise UsageError(
            f"{source} has submission format {fmt!r} (labcheck "
            f"{record.get('labcheck_version') or snapshot.labcheck_version or '?'}); this labcheck "
            f"({__version__}) reads format {SUBMISSION_FORMAT}. "
            + ("Upgrade labcheck to grade it" if newer
               else "Ask for it again, made with this labcheck"))
    exercise = record.get("exercise")
    if not isinstance(exercise, str) or not exercise:
        raise UsageError(f"{source} names no exercise. Students make a submission with: "
                         "labcheck submit ID -o FILE")
    hints = record.get("hints_revealed")
    hints = {str(k): int(v) for k, v in hints.items()
             if isinstance(v, int)} if isinstance(hints, Mapping) else {}
    return SubmissionInfo(exercise=exercise, student=str(record.get("student") or ""),
                          labcheck_version=str(record.get("labcheck_version")
                                               or snapshot.labcheck_version or ""),
                          hints_revealed=hints)


@dataclass(frozen=True)
class Problem:
    """A file that could not be graded, and why (one line)."""

    path: str
    message: str
    student: str = ""


@dataclass(frozen=True)
class Graded:
    """One graded submission."""

    path: str
    student: str
    report: "Report"
    taken_at: str = ""
    labcheck_version: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckStats:
    """How one check fared across the batch."""

    exercise_id: str
    check_id: str
    title: str
    max_points: float
    hidden: bool
    passed: int
    total: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class BatchResult:
    """Every file's verdict: graded rows (in input order) and problems."""

    graded: tuple[Graded, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def exercises(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g.report.exercise_id for g in self.graded))

    def columns(self) -> list[tuple[str, str]]:
        """(exercise id, check id) of every check, in exercise order."""
        seen: dict[tuple[str, str], None] = {}
        for row in self.graded:
            for item in row.report.results:
                seen.setdefault((row.report.exercise_id, item.check_id), None)
        return list(seen)

    def check_stats(self) -> list[CheckStats]:
        """Pass counts per check, in exercise order."""
        stats: dict[tuple[str, str], list[Any]] = {}
        for row in self.graded:
            for item in row.report.results:
                key = (row.report.exercise_id, item.check_id)
                entry = stats.setdefault(key, [item.title, item.max_points, item.hidden, 0, 0])
                entry[3] += item.passed
                entry[4] += 1
        return [CheckStats(ex, check, *values) for (ex, check), values in stats.items()]

    def common_failures(self, limit: int = 10) -> list[tuple[str, str, str, int]]:
        """(exercise, check id, message, count) of the most frequent failures."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for row in self.graded:
            for item in row.report.failed():
                message = _logical_names(item.full_message, row.report.names)
                counts[(row.report.exercise_id, item.check_id, message)] += 1
        return [(*key, n) for key, n in counts.most_common(limit)]

    # -- output ------------------------------------------------------------

    def to_csv(self) -> str:
        """One row per file: identity, score, one column per check (points), flags, problem."""
        columns = self.columns()
        several = len(self.exercises) > 1
        header = ["file", "student", "exercise", "taken_at", "labcheck_version", "score",
                  "max_score", "passed"]
        header += [f"{ex}:{check}" if several else check for ex, check in columns]
        header += ["flags", "problem"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in self.graded:
            report = row.report
            earned = {(report.exercise_id, r.check_id): format_points(r.points)
                      for r in report.results}
            writer.writerow([row.path, row.student, report.exercise_id, row.taken_at,
                             row.labcheck_version, format_points(report.score),
                             format_points(report.max_score), "yes" if report.passed else "no",
                             *(earned.get(key, "") for key in columns),
                             "; ".join(row.flags), ""])
        for problem in self.problems:
            writer.writerow([problem.path, problem.student, "", "", "", "", "", "",
                             *("" for _ in columns), "", problem.message])
        return out.getvalue()

    def summary_lines(self) -> list[str]:
        """A few lines for the terminal: counts, mean score, problems, flags."""
        files = len(self.graded) + len(self.problems)
        lines = [f"graded {len(self.graded)} of {files} file{'s' if files != 1 else ''}"]
        for ex in self.exercises:
            rows = [g.report for g in self.graded if g.report.exercise_id == ex]
            mean = sum(r.score for r in rows) / len(rows)
            full = sum(1 for r in rows if r.passed)
            lines.append(f"  {ex}: {len(rows)} submissions, mean {mean:.3g}/"
                         f"{format_points(rows[0].max_score)}, {full} pass every check")
        if self.problems:
            lines.append(f"not graded ({len(self.problems)}):")
            lines += [f"  {p.path}: {p.message}" for p in self.problems]
        flagged = [g for g in self.graded if g.flags]
        if flagged:
            lines.append(f"flagged ({len(flagged)}):")
            lines += [f"  {g.path}: {'; '.join(g.flags)}" for g in flagged]
        return lines

    def to_html(self, title: str = "labcheck: class summary") -> str:
        """A self-contained HTML page: pass rate per check, most common failures, problems."""
        esc = html.escape
        parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}"
                 "</title><style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
                 "table{border-collapse:collapse;margin:1em 0}td,th{padding:.3em .6em;"
                 "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
                 ".bar{background:#eee;width:12em;height:1em}.bar span{display:block;height:1em;"
                 "background:#2a7}.num{text-align:right}code{font-size:.9em}</style></head><body>",
                 f"<h1>{esc(title)}</h1>"]
        heading = self.summary_lines()[:1 + len(self.exercises)]
        parts += [f"<p>{esc(line.strip())}</p>" for line in heading]
        stats = self.check_stats()
        for ex in self.exercises:
            parts.append(f"<h2>Pass rate per check: <code>{esc(ex)}</code></h2><table><tr>"
                         "<th>check</th><th>title</th><th class='num'>points</th>"
                         "<th class='num'>passed</th><th>rate</th></tr>")
            for s in (s for s in stats if s.exercise_id == ex):
                pct = round(100 * s.pass_rate)
                parts.append(
                    f"<tr><td><code>{esc(s.check_id)}</code>{' (hidden)' if s.hidden else ''}</td>"
                    f"<td>{esc(s.title)}</td><td class='num'>{format_points(s.max_points)}</td>"
                    f"<td class='num'>{s.passed}/{s.total}</td><td><div class='bar' "
                    f"title='{pct}%'><span style='width:{pct}%'></span></div> {pct}%</td></tr>")
            parts.append("</table>")
        failures = self.common_failures()
        parts.append("<h2>Most common failures</h2>")
        if failures:
            parts.append("<table><tr><th class='num'>students</th><th>check</th>"
                         "<th>message</th></tr>")
            several = len(self.exercises) > 1
            for ex, check, message, n in failures:
                label = f"{ex}:{check}" if several else check
                parts.append(f"<tr><td class='num'>{n}</td><td><code>{esc(label)}</code></td>"
                             f"<td>{esc(message)}</td></tr>")
            parts.append("</table>")
        else:
            parts.append("<p>None: every graded submission passes every check.</p>")
        if self.problems:
            parts.append(f"<h2>Files not graded ({len(self.problems)})</h2><table>"
                         "<tr><th>file</th><th>why</th></tr>")
            parts += [f"<tr><td><code>{esc(p.path)}</code></td><td>{esc(p.message)}</td></tr>"
                      for p in self.problems]
            parts.append("</table>")
        flagged = [g for g in self.graded if g.flags]
        if flagged:
            parts.append(f"<h2>Flagged ({len(flagged)})</h2><table>"
                         "<tr><th>file</th><th>student</th><th>why</th></tr>")
            parts += [f"<tr><td><code>{esc(g.path)}</code></td><td>{esc(g.student)}</td>"
                      f"<td>{esc('; '.join(g.flags))}</td></tr>" for g in flagged]
            parts.append("</table>")
        parts.append("</body></html>\n")
        return "\n".join(parts)


def _logical_names(message: str, names: Mapping[str, str]) -> str:
    """``message`` with bound object names (``web-1a2b``) put back as logical (``web``).

    Addresses, which differ from daemon to daemon, become ``<address>``, so the
    same mistake groups together whatever names and subnets each student had.
    """
    for logical, real in sorted(names.items(), key=lambda kv: -len(kv[1])):
        if real and real != logical:
            message = re.sub(rf"(?<![\w.-]){re.escape(real)}(?![\w.-])", logical, message)
    return _ADDRESS.sub(lambda m: m.group(0) if m.group(0) in _KEEP else "<address>", message)


def expand_paths(items: Sequence[str]) -> list[Path]:
    """Files named on the command line; a folder stands for its ``*.json`` files."""
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        paths.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return paths


@dataclass
class _Read:
    path: str
    snapshot: Snapshot
    info: SubmissionInfo
    student: str


def _read(path: Path, seen_content: dict[str, str]) -> "_Read | Problem":
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Problem(name, "no such file")
    except OSError as exc:
        return Problem(name, f"cannot be read: {exc.strerror or exc}")
    digest = hashlib.sha256(data).hexdigest()
    if digest in seen_content:
        return Problem(name, f"identical to {seen_content[digest]} (byte for byte); graded once")
    seen_content[digest] = name
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Problem(name, "is not text (not a labcheck submission)")
    if not text.strip():
        return Problem(name, "is empty")
    try:
        snapshot = Snapshot.loads(text, source="it")
        info = submission_info(snapshot, source="it")
    except LabcheckError as exc:
        # Snapshot's advice ("take it again: labcheck snapshot ...") is for students.
        reason = _ADVICE.split(str(exc).removeprefix("it ").strip())[0].rstrip(".")
        return Problem(name, reason)
    return _Read(name, snapshot, info, info.student or path.stem)


def _object_ids(snapshot: Snapshot, exercise: "Exercise") -> set[str]:
    """Docker ids of the exercise's own containers and networks in ``snapshot``.

    ``exercise`` is bound and resolved: its binding's names include the real
    names of its Compose objects.
    """
    ids = set()
    bound = set(exercise.binding.names.values())
    for name in (*exercise.containers(), *bound):
        box = snapshot.container(name)
        if box is not None and len(box.id) >= 32:
            ids.add(box.id)
    for name in (*(exercise.binding.name(n) for n in exercise.networks), *bound):
        net = snapshot.network(name)
        if net is not None and len(net.id) >= 32:
            ids.add(net.id)
    return ids


def grade_files(paths: Iterable[str | os.PathLike[str]], *, exercise: str | None = None,
                dirs: Iterable[str] | None = None) -> BatchResult:
    """Grade every submission file; a bad file becomes a :class:`Problem`, never an exception.

    ``exercise``, when given, is the only exercise accepted. Of several files
    of one student, the one taken last is graded and the others reported.
    """
    from .exercises import load_exercise
    from .grading import grade, resolve_exercise

    paths = list(paths)
    dirs = list(dirs or ())
    problems: list[Problem] = []
    readable: list[_Read] = []
    seen_content: dict[str, str] = {}
    for path in paths:
        outcome = _read(Path(path), seen_content)
        if isinstance(outcome, Problem):
            problems.append(outcome)
        elif exercise and outcome.info.exercise != exercise:
            problems.append(Problem(outcome.path, f"is a submission of exercise "
                                    f"{outcome.info.exercise!r}, not {exercise!r}",
                                    outcome.student))
        else:
            readable.append(outcome)

    latest: dict[tuple[str, str], _Read] = {}
    for item in readable:
        who = (item.info.exercise, item.student)
        earlier = latest.get(who)
        if earlier is None or item.snapshot.taken_at >= earlier.snapshot.taken_at:
            latest[who] = item
    kept = []
    for item in readable:
        winner = latest[(item.info.exercise, item.student)]
        if winner is item:
            kept.append(item)
        else:
            problems.append(Problem(item.path, f"student {item.student!r} also submitted "
                                    f"{winner.path}, taken later; that one is graded",
                                    item.student))

    loaded: dict[str, "Exercise | Problem"] = {}
    bound_cache: dict[str, "Exercise"] = {}
    graded: list[Graded] = []
    owners: dict[str, list[int]] = {}
    for item in kept:
        ex_id = item.info.exercise
        if ex_id not in loaded:
            try:
                loaded[ex_id] = load_exercise(ex_id, dirs or None)
            except LabcheckError as exc:
                loaded[ex_id] = Problem("", str(exc))
        base = loaded[ex_id]
        if isinstance(base, Problem):
            problems.append(Problem(item.path, base.message, item.student))
            continue
        try:
            # Most of a class shares one binding (the logical names): bind once per binding.
            meta = item.snapshot.meta
            key = repr((ex_id, meta.get("exercise"), meta.get("names"), meta.get("ports")))
            if key not in bound_cache:
                bound_cache[key] = resolve_exercise(base, snapshot=item.snapshot)
            bound = bound_cache[key]
            report = grade(bound, item.snapshot, revealed=item.info.hints_revealed)
            ids = _object_ids(item.snapshot, bound.resolved(item.snapshot))
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the batch
            problems.append(Problem(item.path, f"could not be graded: {type(exc).__name__}: "
                                    f"{exc}", item.student))
            continue
        for ident in ids:
            owners.setdefault(ident, []).append(len(graded))
        graded.append(Graded(item.path, item.student, report, item.snapshot.taken_at,
                             item.info.labcheck_version))

    flags: dict[int, list[str]] = {}
    for rows in owners.values():
        students = {graded[i].student for i in rows}
        if len(students) < 2:
            continue
        for i in rows:
            others = sorted({f"{graded[j].path} ({graded[j].student})" for j in rows
                             if graded[j].student != graded[i].student})
            note = f"shares Docker object ids with {', '.join(others)}: a copied snapshot?"
            if note not in flags.setdefault(i, []):
                flags[i].append(note)
    final = tuple(replace(g, flags=tuple(flags.get(i, ()))) for i, g in enumerate(graded))
    order = {name: i for i, name in enumerate(str(p) for p in paths)}
    problems.sort(key=lambda p: order.get(p.path, len(order)))
    return BatchResult(graded=final, problems=tuple(problems))
