"""What verify found about one assignment, and how it is printed: check lines and a table."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..mutants import Mutant
from ..solutions import solution_sources
from ..suite import tests_for
from ..verdict import TestResult, blames_cache


@dataclass
class Check:
    status: str  # "ok", "FAIL", "skip" or "note"
    text: str


@dataclass
class MutantResult:
    """Every hidden test's result on a submission that is correct but for `mutant`."""

    mutant: Mutant
    results: list[TestResult]

    @property
    def failing(self) -> list[TestResult]:
        return [r for r in self.results if not r.passed]

    @property
    def own_failing(self) -> list[TestResult]:
        """The failing tests of the mutant's own function."""
        return [r for r in self.failing if r.function == self.mutant.function]

    @property
    def cache_blamed(self) -> list[TestResult]:
        """Failing tests of other functions that blame the cache this mutant's function
        returned (a backward's test: right forward values, gradients wrong with this cache)."""
        return [r for r in self.failing if r.function != self.mutant.function
                and blames_cache(r.message, self.mutant.function)]

    @property
    def elsewhere(self) -> list[str]:
        """Tests of other functions that this mutant makes fail, other than those blaming
        its cache (should be none)."""
        blamed = {r.name for r in self.cache_blamed}
        return [r.name for r in self.failing
                if r.function != self.mutant.function and r.name not in blamed]

    @property
    def caught(self) -> bool:
        return bool(self.own_failing or self.cache_blamed) and not self.elsewhere

    @property
    def hinted(self) -> bool:
        shown = self.own_failing or self.cache_blamed
        return bool(shown) and all(self.mutant.hint in r.message for r in shown)

    def scores(self) -> dict[str, float]:
        return {r.name: r.score for r in self.results}


@dataclass
class Report:
    assignment: str
    checks: list[Check] = field(default_factory=list)
    mutants: list[MutantResult] = field(default_factory=list)
    # machine-made mutants (`machine`): made, graded, equivalent, caught, survivors
    machine: dict[str, int] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)  # printed after the catalog's table

    def add(self, status: str, text: str) -> None:
        self.checks.append(Check(status, text))

    @property
    def ok(self) -> bool:
        return all(c.status != "FAIL" for c in self.checks)


def failed(assignment: str, err: Exception) -> Report:
    """The report of an assignment whose verification raised: one FAIL line."""
    report = Report(assignment)
    report.add("FAIL", f"verify could not finish: {type(err).__name__}: {first_line(err)}")
    return report


def first_line(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else ""


def names(found: list[str], shown: int = 3) -> str:
    """The first `shown` names, and how many more."""
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return ", ".join(found[:shown]) + more


def points(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def table(report: Report) -> str:
    """Per graded function: tests, mutants caught / total, hint matched / total."""
    tests = tests_for(report.assignment)
    rows = [("function", "tests", "mutants caught", "hint matched")]
    functions = list(dict.fromkeys([*solution_sources(report.assignment),
                                    *(t.function for t in tests)]))
    for function in functions:
        mine = [r for r in report.mutants if r.mutant.function == function]
        rows.append((function, str(sum(t.function == function for t in tests)),
                     f"{sum(r.caught for r in mine)}/{len(mine)}",
                     f"{sum(r.hinted for r in mine)}/{len(mine)}"))
    every = report.mutants
    rows.append(("total", str(len(tests)), f"{sum(r.caught for r in every)}/{len(every)}",
                 f"{sum(r.hinted for r in every)}/{len(every)}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  " + row[0].ljust(widths[0]) + "".join(
        "  " + cell.rjust(width) for cell, width in zip(row[1:], widths[1:])) for row in rows)


def format_report(report: Report) -> str:
    lines = [f"{report.assignment}:"]
    lines += [f"  {c.status:<4}  {c.text}" for c in report.checks]
    if report.mutants:
        lines.append(table(report))
    lines += report.tables
    return "\n".join(lines)
