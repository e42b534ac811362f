"""otter-grader test file for the webdb assignment: each test case is one labcheck check.

The exercise is examples/nbgrader/source/webdb/nbgrader-webdb.yaml, shipped
into the autograder as a support file (``otter generate ... nbgrader-webdb.yaml``).
The daemon is read and probed once; each case reports one check, with
labcheck's message (and hint) as the failure message.
"""

from functools import partial

from otter.test_files import test_case

OK_FORMAT = False

name = "webdb"
points = 7

EXERCISE = "nbgrader-webdb"
#: (check id, hidden from students): one point each.
CHECKS = (("appnet-exists", False), ("db-on-appnet", False), ("web-on-appnet", False),
          ("web-resolves-db", False), ("web-reaches-db", False),
          ("db-not-published", True), ("web-uses-embedded-dns", True))
_reports = {}


def _result(check_id):
    import labcheck

    if EXERCISE not in _reports:
        _reports[EXERCISE] = labcheck.check(EXERCISE, dirs=["."])
    result = _reports[EXERCISE].result(check_id)
    message = result.message + (f"\nhint: {result.hint}" if result.hint else "")
    assert result.passed, message


# otter collects every test_case object among this file's globals
for _check_id, _hidden in CHECKS:
    globals()[f"test_{_check_id.replace('-', '_')}"] = test_case(
        name=_check_id, points=1, hidden=_hidden)(partial(_result, _check_id))
