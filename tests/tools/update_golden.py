"""Write the golden DOT files of tests/unit/test_diagram.py again, after an intended change.

    .venv/bin/python tests/tools/update_golden.py

The tests only compare; this is the one way the files change. It prints
which files changed: review their diff before committing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def main() -> int:
    path = TESTS / "unit" / "test_diagram.py"
    spec = importlib.util.spec_from_file_location("golden_cases", path)
    assert spec is not None and spec.loader is not None
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    for name, make in sorted(cases.GOLDEN.items()):
        path = cases.FIXTURES / name
        text = make()
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            print(f"unchanged {path.relative_to(TESTS.parent)}")
            continue
        path.write_text(text, encoding="utf-8")
        print(f"{'wrote' if old is None else 'updated'} {path.relative_to(TESTS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
