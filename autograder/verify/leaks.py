"""The release leak check: no line of a solution or of a hidden test reaches students.

Compared line by line against the source notebook, not only by looking for the markers.
"""

from __future__ import annotations

import re
from typing import Any

from ..layout import Notebook
from ..notebooks import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    SOLUTION_BEGIN,
    SOLUTION_END,
    cell_source,
    grade_meta,
    solution_regions,
)
from .report import Check

_HIDDEN_REGION = re.compile(
    rf"^[ \t]*{re.escape(HIDDEN_BEGIN)}[^\n]*\n(.*?)^[ \t]*{re.escape(HIDDEN_END)}[^\n]*$",
    re.S | re.M)
_SOLUTION_REGION = re.compile(
    rf"^[ \t]*{re.escape(SOLUTION_BEGIN)}.*?^[ \t]*{re.escape(SOLUTION_END)}[^\n]*$",
    re.S | re.M)


def _is_written_answer(cell: dict[str, Any]) -> bool:
    return cell.get("cell_type") == "markdown" and bool(grade_meta(cell).get("solution"))


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def secret_lines(source: Notebook) -> set[str]:
    """Non-trivial lines of solutions, model answers and hidden tests in the source.

    A line counts when it is not blank, not a bare comment, and does not also appear in
    the parts of the source that students are given (stub signatures, docstrings...).
    """
    secrets: set[str] = set()
    given: list[str] = []
    for cell in source["cells"]:
        text = cell_source(cell)
        if _is_written_answer(cell):
            secrets |= _lines(text)
            continue
        regions = solution_regions(text) + [m.group(1) for m in _HIDDEN_REGION.finditer(text)]
        for region in regions:
            secrets |= _lines(region)
        given.append(_HIDDEN_REGION.sub("", _SOLUTION_REGION.sub("", text)))
    public = _lines("\n".join(given))
    return {line for line in secrets
            if line not in public and not line.startswith("#") and len(line) > 3}


def release_leaks(source: Notebook, release: Notebook) -> tuple[int, list[str]]:
    """(number of secret lines checked, those found in the release)."""
    secrets = secret_lines(source)
    released = "\n".join(cell_source(cell) for cell in release["cells"])
    found = sorted(secrets & _lines(released))
    for marker in (SOLUTION_BEGIN, HIDDEN_BEGIN, "autograder.hidden"):
        if marker in released:
            found.append(marker)
    return len(secrets), found


def leak_check(source: Notebook, release: Notebook) -> Check:
    """The report line of the leak check."""
    checked, leaks = release_leaks(source, release)
    if leaks:
        return Check("FAIL", f"release leaks {len(leaks)} lines, e.g. {leaks[0]!r}")
    return Check("ok", f"release: none of {checked} solution / hidden-test lines leaked")
