"""The checks of one assignment, in two steps: in-process work, then the external graders.

`start` does everything in this process (catalog, solution, every mutant) and hands the
external graders' run to a pool as soon as the mutants they need are graded, so stock
nbgrader and the kit's grader work while the other mutants (and other assignments) are
graded here. `finish` waits for that run and adds its lines and the leak check.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass

from ..course import with_answers
from ..layout import Notebook, NotebookError, source_notebook
from ..notebooks import read_notebook
from ..reference import reference_functions
from ..solutions import solution_sources
from ..suite import tests_for
from .catalog import catalog_checks
from .external import External, external_checks, sample
from .leaks import leak_check
from .machine import machine_checks
from .mutation import functions_reached, grade_in_process, grade_mutant, mutant_checks
from .report import Report, first_line


@dataclass
class Started:
    """An assignment whose in-process checks are done."""

    report: Report
    source: Notebook | None = None  # None: it stopped early, there is nothing more to check
    external: Future[External] | None = None  # None: the external graders are skipped


def start(assignment: str, pool: Executor, *, stock: bool = True, kit: bool = True,
          sample_size: int = 2, machine: int = 60) -> Started:
    """Run the in-process checks of `assignment`; submit the external ones (`stock`) to `pool`.

    `machine`: how many machine-made mutants to grade per function (0: none)."""
    report = Report(assignment)
    try:
        source = read_notebook(source_notebook(assignment))
        tests = tests_for(assignment)
    except (NotebookError, ImportError, ValueError) as err:
        report.add("FAIL", f"cannot load the assignment: {err}")
        return Started(report)
    max_score = sum(t.points for t in tests)
    try:
        reference_functions(assignment)
    except Exception as err:  # noqa: BLE001 - the report says what broke, in one line
        report.add("FAIL", f"cannot run the reference solution: {type(err).__name__}: "
                           f"{first_line(err)}")
        return Started(report)
    mutants = catalog_checks(assignment, report) or []

    solution = with_answers(source, solution_sources(assignment))
    results = grade_in_process(solution, assignment)
    wrong = [r.message for r in results if not r.passed]
    report.add("FAIL" if wrong else "ok",
               f"in-process: solution scores {sum(r.score for r in results):g}/{max_score:g}"
               + (f" ({wrong[0]})" if wrong else ""))
    reached = functions_reached(solution, assignment) if not wrong else {}

    # The sampled mutants first: the external graders grade them too, beside the rest.
    picked = {m.key for m in sample(mutants, sample_size)}
    graded = {m.key: grade_mutant(source, assignment, m, results, reached)
              for m in mutants if m.key in picked}
    external = (pool.submit(external_checks, assignment, dict(graded), kit, max_score)
                if stock else None)
    graded |= {m.key: grade_mutant(source, assignment, m, results, reached)
               for m in mutants if m.key not in picked}
    report.mutants = [graded[m.key] for m in mutants]
    mutant_checks(report)
    if machine > 0 and not wrong:  # mutants of a failing solution would tell nothing
        machine_checks(assignment, report, machine)
    return Started(report, source, external)


def finish(started: Started) -> Report:
    """The report, once the external graders (if any) are done and the release checked."""
    report = started.report
    if started.source is None:
        return report
    if started.external is None:
        report.add("skip", "stock nbgrader and kit grader: skipped (--in-process-only)")
        return report
    external = started.external.result()
    report.checks.extend(external.checks)
    if external.release is not None:
        report.checks.append(leak_check(started.source, external.release))
    return report
