"""Who reads a report: a student, or an instructor. Rendering chooses; grading does not.

A failing check's result carries what is wrong and the evidence
(``message``) and, apart, the command that would fix it (``advice``). A
student reads the first only: the fix is theirs to find, and is in the last
hint, which costs points. An instructor's report (``labcheck check
--instructor``, ``labcheck grade``, the batch grade sheet, JUnit, JSON's
``advice``) reads both; the grade reports students read (Gradescope,
GitHub Classroom) are a student's (:data:`labcheck.render.formats.READERS`).

>>> with_advice("network 'n' does not exist.", "Try: docker network create n", INSTRUCTOR)
"network 'n' does not exist. Try: docker network create n"
>>> with_advice("network 'n' does not exist.", "Try: docker network create n", STUDENT)
"network 'n' does not exist."
"""

from __future__ import annotations

__all__ = ["STUDENT", "INSTRUCTOR", "AUDIENCES", "with_advice", "check_audience"]

STUDENT = "student"
INSTRUCTOR = "instructor"
AUDIENCES = (STUDENT, INSTRUCTOR)


def check_audience(audience: str) -> str:
    """``audience`` if it is one of :data:`AUDIENCES` (ValueError otherwise)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    return audience


def with_advice(message: str, advice: str, audience: str) -> str:
    """The text ``audience`` reads: the message, and for an instructor the advice after it."""
    if check_audience(audience) == STUDENT or not advice:
        return message
    return f"{message} {advice}" if message else advice
