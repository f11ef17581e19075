"""`python -m autograder release`: the student release of each assignment.

Stock `nbgrader generate_assignment` strips solutions and hidden tests from the source
notebook; this step then adds what the notebook needs to run on its own in a student's
environment: `course_utils`, `datasets`, and the generated layer modules of earlier
assignments (see `export.SHIPPED_LAYERS`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .course import Course, NbgraderError, release_files
from .layout import (
    ASSIGNMENTS,
    REPO_ROOT,
    NotebookError,
    available_assignments,
    source_notebook,
)
from .notebooks import read_notebook


def release(assignment: str, root: Path = REPO_ROOT) -> Path:
    """Release `assignment` into `<root>/release/<assignment>`; returns that folder."""
    read_notebook(source_notebook(assignment))  # a clear one-line error before nbgrader runs
    Course(root).nbgrader("generate_assignment", assignment, "--force")
    folder = root / "release" / assignment
    release_files(assignment, folder)
    return folder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help=f"default: all ({', '.join(ASSIGNMENTS)})")


def main(args: argparse.Namespace) -> int:
    try:
        for assignment in args.assignments or available_assignments():
            print(f"released {assignment}: {release(assignment).relative_to(REPO_ROOT)}/")
    except (NotebookError, NbgraderError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
