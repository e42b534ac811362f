"""Benchmark: grade a class of 500 submissions (``labcheck grade``), offline.

The 500 files are made from the two recorded submissions in
``tests/fixtures/submissions`` (a solved one and a broken one), each with
its own student name and its own Docker object ids, so that nothing is
flagged as a copy and every file is parsed, checked and graded in full.

Timings on a shared machine are noisy, so the goal is stated two ways,
both measured in this one run:

- absolute: the whole batch (read, parse, grade, CSV and HTML) takes
  "a few seconds": at most ``GOAL_SECONDS``;
- relative: grading costs at most ``GOAL_RATIO`` times merely reading and
  ``json.loads``-ing the same 500 files (the floor any grader pays).

Run: ``python bench/grade_500.py`` (exit 1 when a goal is missed).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labcheck.batch import grade_files  # noqa: E402
from labcheck.render.batch import render_csv, render_html, summary_lines  # noqa: E402

SUBMISSIONS = 500
GOAL_SECONDS = 5.0
GOAL_RATIO = 40.0
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"


def make_class(folder: Path, count: int) -> list[Path]:
    """``count`` submission files: alternately solved and broken, each with fresh ids."""
    templates = [json.loads((FIXTURES / name).read_text())
                 for name in ("solved.json", "default-bridge.json")]
    paths = []
    for i in range(count):
        data = json.loads(json.dumps(templates[i % 2]))
        data["meta"]["submission"]["student"] = f"student{i:03d}"
        for item in data["containers"] + data["networks"]:
            item["id"] = uuid.uuid4().hex * 2
        path = folder / f"student{i:03d}.json"
        path.write_text(json.dumps(data, indent=2))
        paths.append(path)
    return paths


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="labcheck-bench-") as tmp:
        paths = make_class(Path(tmp), SUBMISSIONS)

        start = time.perf_counter()
        for path in paths:
            json.loads(path.read_text(encoding="utf-8"))
        floor = time.perf_counter() - start

        start = time.perf_counter()
        result = grade_files(paths)
        sheet, page = render_csv(result), render_html(result)
        elapsed = time.perf_counter() - start

    assert len(result.graded) == SUBMISSIONS and not result.problems, summary_lines(result)
    assert sheet.count("\n") == SUBMISSIONS + 1 and "Most common failures" in page
    ratio = elapsed / floor if floor else float("inf")
    print(f"grade {SUBMISSIONS} submissions (CSV + HTML): {elapsed:.2f} s, "
          f"{1000 * elapsed / SUBMISSIONS:.2f} ms each (goal: <= {GOAL_SECONDS:g} s)")
    print(f"read + json.loads of the same files: {floor:.3f} s; grading costs {ratio:.1f}x "
          f"that (goal: <= {GOAL_RATIO:g}x)")
    ok = elapsed <= GOAL_SECONDS and ratio <= GOAL_RATIO
    print("ok" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
