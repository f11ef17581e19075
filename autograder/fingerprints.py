"""Name the mistake: compare a failing student's outputs with the catalog mutants'.

`diagnose` is called by `grading.evaluate` for every failing case; it returns a hint
("dWh matches what you get when ...") or None. The catalog lives in `autograder.mutants`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .spec import Case, Test


def diagnose(assignment: str, test: Test, case: Case,
             got: Mapping[str, np.ndarray] | None) -> str | None:
    """A hint naming the catalog mistake the student's outputs match, if any."""
    return None
