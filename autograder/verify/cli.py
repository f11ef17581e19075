"""`python -m autograder verify [ASSIGNMENT...]`: the command line (see the package docstring)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..layout import ASSIGNMENTS, available_assignments, source_notebook
from .assignment import Started, finish, start
from .machine import CAP
from .report import Report, failed, format_report


def run(assignments: list[str], *, stock: bool = True, kit: bool = True, sample: int = 2,
        machine: int = CAP, log: Callable[[str], None] = print) -> list[Report]:
    """Verify `assignments`; the external graders run beside the in-process work."""
    with ThreadPoolExecutor(max_workers=max(1, len(assignments))) as pool:
        started = []
        for assignment in assignments:
            try:
                started.append(start(assignment, pool, stock=stock, kit=kit, sample_size=sample,
                                     machine=machine))
            except Exception as err:  # noqa: BLE001 - e.g. a notebook being rewritten right now
                started.append(Started(failed(assignment, err)))
        reports = []
        for assignment, begun in zip(assignments, started):
            try:
                report = finish(begun)
            except Exception as err:  # noqa: BLE001 - one line in the report, no traceback
                report = failed(assignment, err)
            log(format_report(report))
            reports.append(report)
    return reports


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help="default: every assignment with a source notebook")
    parser.add_argument("--in-process-only", action="store_true",
                        help="skip stock nbgrader and the kit grader (checks 1, 2, 4)")
    parser.add_argument("--sample", type=int, default=2, metavar="N",
                        help="mutants also graded by stock nbgrader and the kit grader (2)")
    parser.add_argument("--machine", type=int, default=CAP, metavar="N",
                        help=f"machine-made mutants graded per function ({CAP}; 0: none)")


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    names = args.assignments or available_assignments()
    unknown = [a for a in names if a not in ASSIGNMENTS]
    if unknown:
        print(f"verify: unknown assignment {unknown[0]!r} (known: {', '.join(ASSIGNMENTS)})",
              file=sys.stderr)
        return 2
    missing = [a for a in names if not source_notebook(a).exists()]
    if missing:
        print(f"verify: {missing[0]} has no source notebook yet", file=sys.stderr)
        return 2
    reports = run(names, stock=not args.in_process_only, sample=args.sample,
                  machine=args.machine)
    every = [r for report in reports for r in report.mutants]
    caught, hinted = sum(r.caught for r in every), sum(r.hinted for r in every)
    ok = all(report.ok for report in reports)
    machine = {key: sum(r.machine.get(key, 0) for r in reports)
               for key in ("caught", "survivors", "equivalent")}
    print(f"verify: {len(reports)} assignment(s), mutation score {caught}/{len(every)}, "
          f"hint score {hinted}/{len(every)}, machine-made mutants caught "
          f"{machine['caught']}/{machine['caught'] + machine['survivors']} "
          f"({machine['equivalent']} equivalent), {time.monotonic() - started:.0f} s: "
          + ("ok" if ok else "FAILED"))
    return 0 if ok else 1
