"""The kit's hardened grader: `python -m autograder grade ASSIGNMENT SUBMISSIONS --out DIR`.

See docs/grader.md. Importing this package is cheap: the worker process imports
`autograder.grader.worker` and must not pull in the tests, the reference or nbgrader.
"""

from __future__ import annotations

from typing import Any


def grade(*args: Any, **kwargs: Any):
    """See `autograder.grader.batch.grade`."""
    from .batch import grade as _grade

    return _grade(*args, **kwargs)


def format_table(results) -> str:
    """See `autograder.grader.report.format_table`."""
    from .report import format_table as _format_table

    return _format_table(results)
