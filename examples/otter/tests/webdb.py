"""otter-grader test file for the webdb assignment: each test case is one labcheck check.

The exercise is examples/nbgrader/source/webdb/nbgrader-webdb.yaml, shipped
into the autograder as a support file (``otter generate ... nbgrader-webdb.yaml``).
The daemon is read and probed once; each case reports one check, with
labcheck's message (and hint) as the failure message.
"""

from otter.test_files import test_case

OK_FORMAT = False

name = "webdb"
points = 7

EXERCISE = "nbgrader-webdb"
_reports = {}


def _result(check_id):
    import labcheck

    if EXERCISE not in _reports:
        _reports[EXERCISE] = labcheck.check(EXERCISE, dirs=["."])
    result = _reports[EXERCISE].result(check_id)
    message = result.message + (f"\nhint: {result.hint}" if result.hint else "")
    assert result.passed, message


@test_case(points=1)
def test_appnet_exists(env):
    _result("appnet-exists")


@test_case(points=1)
def test_db_on_appnet(env):
    _result("db-on-appnet")


@test_case(points=1)
def test_web_on_appnet(env):
    _result("web-on-appnet")


@test_case(points=1)
def test_web_resolves_db(env):
    _result("web-resolves-db")


@test_case(points=1)
def test_web_reaches_db(env):
    _result("web-reaches-db")


@test_case(points=1, hidden=True)
def test_db_not_published(env):
    _result("db-not-published")


@test_case(points=1, hidden=True)
def test_web_uses_embedded_dns(env):
    _result("web-uses-embedded-dns")
