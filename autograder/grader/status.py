"""The statuses a student's row can have: one word or two, and a reason after a colon.

`Record.status` is a plain string (it goes to csv, JSON and the terminal): the enum's
value, or `Status.X.because(reason)` for the statuses that carry one.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    GRADED = "graded"                     # every test ran; the score is what it is
    TAMPERED = "tampered"                 # graded, and locked cells or metadata were changed
    TIMEOUT = "timeout"                   # graded, and some code hung or the budget ran out
    MEMORY = "memory limit"               # graded, and some code ran out of memory
    CRASHED = "crashed"                   # graded, and the sandbox died or broke the protocol
    INVALID = "invalid notebook"          # not a notebook that can be read: 0 points
    MISSING = "missing notebook"          # no notebook in the folder: 0 points
    DUPLICATE = "duplicate notebooks"     # several candidates, none clearly the one: 0 points
    REFUSED = "refused"                   # the folder (or its archive entries) was not read
    ERROR = "grader error"                # a fault of the grader itself, never the student's

    def because(self, reason: str) -> str:
        return f"{self.value}: {reason}"

    def __str__(self) -> str:
        return self.value
