"""`python -m autograder grade ASSIGNMENT SUBMISSIONS --out DIR`: see docs/grader.md."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..layout import MEMORY_MB, REPO_ROOT, TIMEOUT
from .batch import grade
from .late import PolicyError
from .neutral import one_line, visible
from .report import format_table
from .zipsafe import ZipRefused


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="assignment name, e.g. rnn")
    parser.add_argument("submissions", type=Path,
                        help="folder with one sub-folder per student, or a .zip of one")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="grading processes, each grading one submission at a time "
                             "with its own sandbox worker (default: number of cores)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="wall-clock seconds per step (loading the code, one test case)")
    parser.add_argument("--memory", type=int, default=MEMORY_MB,
                        help="MB of address space the student's code may add")
    parser.add_argument("--force", action="store_true", help="re-grade unchanged submissions")
    parser.add_argument("--scheduler", default=None,
                        help="address of a dask.distributed scheduler to grade on")
    parser.add_argument("--gradebook", default=None,
                        help="nbgrader course root or database URL to record the scores in")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--course", type=Path, default=REPO_ROOT,
                        help="course root whose due_dates.json (due dates, extensions, "
                             "late_policy) and gradebook.db set deadlines (default: the "
                             "repository)")


def main(args: argparse.Namespace) -> int:

    if not args.submissions.exists():
        print(f"error: {visible(args.submissions)} does not exist", file=sys.stderr)
        return 2
    try:
        records = grade(args.assignment, args.submissions, args.out, workers=args.workers,
                        timeout=args.timeout, memory_mb=args.memory, force=args.force,
                        scheduler=args.scheduler, gradebook=args.gradebook,
                        progress=not args.quiet, course=args.course)
    except (ZipRefused, OSError, PolicyError) as err:  # nothing can be graded
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 2
    print(format_table(records))
    print(f"wrote {visible(args.out / 'grades.csv')}, results/ and feedback/ for "
          f"{len(records)} student(s)")
    return 0
