"""The catalog check: every mutant applies, and every graded function has mutants and tests."""

from __future__ import annotations

from ..mutants import MIN_MUTANTS, Mutant, MutantError, check_catalog
from ..solutions import solution_sources
from ..suite import tests_for
from .report import Report


def catalog_checks(assignment: str, report: Report) -> list[Mutant] | None:
    """The catalog of `assignment`, its problems added to `report`; None if it cannot be built."""
    try:
        mutants = list(check_catalog(assignment))
    except MutantError as err:
        report.add("FAIL", str(err))
        return None
    functions = list(solution_sources(assignment))
    unknown = sorted({m.key for m in mutants if m.function not in functions})
    counts = {f: sum(m.function == f for m in mutants) for f in functions}
    thin = [f"{f} ({count})" for f, count in counts.items() if count < MIN_MUTANTS]
    if unknown:
        report.add("FAIL", f"catalog: mutants of functions that are not graded: {unknown}")
    if thin:
        report.add("FAIL", f"catalog: fewer than {MIN_MUTANTS} mutants for {', '.join(thin)}")
    tested = {t.function for t in tests_for(assignment)}
    untested = [f for f in functions if f not in tested]
    if untested:
        report.add("FAIL", f"no hidden tests for {', '.join(untested)}")
    if not unknown and not thin:
        report.add("ok", f"catalog: {len(mutants)} mutants apply to the current solution, "
                         f"at least {MIN_MUTANTS} per graded function")
    return mutants
