"""Machine-made mutants: the operators' mutants of each solution, graded in process.

Every graded function's solution (`solutions.solution_sources`) is mutated by the AST
operators of `operators`; a deterministic sample of at most `cap` mutants per function is
graded like the hidden-test cells grade a submission (the mutant's namespace, the same
`verdict.decide`, fallbacks included), on its own function's tests. A mutant is

- caught: it loses points in a test of its function, or (a forward whose values are
  right but whose cache is not) in a test of its backward that blames the cache;
- equivalent: it passes, and also matches the reference (values, dtypes, inputs left
  unchanged) on `FRESH` fresh random variants of every case of its function's tests;
- a survivor: it passes the hidden tests but differs from the reference on a fresh input,
  a gap in the tests (each one is a new hidden case, or documented in docs/authoring.md).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from ..execute import StudentError, run_case
from ..grading import namespace_runner
from ..namespaces import run_cells
from ..reference import reference_functions
from ..solutions import setup_source, solution_sources
from ..spec import Call, Case, Rng, Test
from ..suite import cases_with_expected, tests_for
from ..tolerance import with_tolerances
from ..verdict import Attempt, blames_cache, decide, problem
from .mutation import quietly
from .operators import MachineMutant, mutate
from .report import Report

FRESH = 4  # fresh random variants of each case for the equivalence check
CAP = 60  # machine-made mutants graded per function (a deterministic sample beyond that)


@dataclass
class MachineResult:
    mutant: MachineMutant
    status: str  # "caught", "equivalent" or "survivor"
    reason: str  # the failing test's message; why equivalent; where a survivor differs


@dataclass
class MachineReport:
    """Per function: how many mutants were made, and the graded sample's results."""

    generated: dict[str, int] = field(default_factory=dict)
    results: list[MachineResult] = field(default_factory=list)

    def count(self, status: str, function: str | None = None) -> int:
        return sum(r.status == status for r in self.results
                   if function is None or r.mutant.function == function)

    def score(self, function: str | None = None) -> tuple[int, int]:
        """(caught, non-equivalent) mutants."""
        caught = self.count("caught", function)
        return caught, caught + self.count("survivor", function)


def sample(mutants: list[MachineMutant], cap: int, seed: str) -> list[MachineMutant]:
    """At most `cap` of `mutants`, the same ones on every run (their order kept)."""
    if len(mutants) <= cap:
        return mutants
    picked = set(random.Random(seed).sample(range(len(mutants)), cap))
    return [m for i, m in enumerate(mutants) if i in picked]


def functions_of(assignment: str, mutant: MachineMutant) -> dict[str, Any]:
    """The graded functions of a notebook that is the solution but for `mutant`."""
    cells = [(name, mutant.source if name == mutant.function else source)
             for name, source in solution_sources(assignment).items()]
    namespace = run_cells(assignment, [("setup", setup_source(assignment)), *cells],
                          f"machine_{assignment}")
    return namespace


def _attempt(run: Callable[[Case, tuple[str, ...]], Mapping[str, np.ndarray]], case: Case,
             replaced: tuple[str, ...]) -> Attempt:
    try:
        return Attempt(quietly(lambda: run(case, replaced)))
    except StudentError as err:
        return Attempt(None, str(err))


def _failing(assignment: str, tests: list[Test], namespace: dict[str, Any]) -> str | None:
    """The message of the first of `tests` the namespace fails, or None."""
    run = namespace_runner(assignment, namespace)
    for test in tests:
        cases = cases_with_expected(assignment, test)
        result = decide(test, cases, first=partial(_nth, run, cases, ()),
                        retry=partial(_nth, run, cases, test.fallback))
        if not result.passed:
            return result.message
    return None


def _nth(run: Callable[[Case, tuple[str, ...]], Mapping[str, np.ndarray]],
         cases: list[tuple[Case, Any]], replaced: tuple[str, ...], index: int) -> Attempt:
    return _attempt(run, cases[index][0], replaced)


def _fresh_mask(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A fresh boolean array with the structure of `mask` along its last axis: each row
    keeps its number of True; a prefix row (True, then False: a padding mask) is kept as
    it is, any other row gets its True at random places. (Random True/False could leave a
    row without a real token, an input no function of a padded batch accepts.)"""
    if mask.ndim == 0:
        return mask.copy()
    rows = mask.reshape(-1, mask.shape[-1])
    out = np.zeros_like(rows)
    for i, row in enumerate(rows):
        count = int(row.sum())
        if row[:count].all():
            out[i, :count] = True
        else:
            out[i, rng.permutation(row.size)[:count]] = True
    return out.reshape(mask.shape)


def _fresh(value: Any, rng: np.random.Generator, salt: int) -> Any:
    """`value` with every array replaced by a random one of its shape, dtype and scale
    (a boolean array by one of the same structure, see `_fresh_mask`)."""
    if isinstance(value, np.ndarray):
        if value.dtype == bool:
            return _fresh_mask(value, rng)
        if value.dtype.kind in "iu":
            low, high = (int(value.min()), int(value.max())) if value.size else (0, 0)
            return rng.integers(low, high + 1, size=value.shape).astype(value.dtype)
        scale = float(np.std(value)) if value.size > 1 else float(np.abs(value).max(initial=0))
        return np.asarray(rng.standard_normal(value.shape) * (scale or 1.0)).astype(value.dtype)
    if isinstance(value, Rng):
        return Rng(value.seed + 7919 * salt)
    if isinstance(value, dict):
        return {k: _fresh(v, rng, salt) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v, rng, salt) for v in value)
    return value


def fresh_variants(case: Case, count: int, seed: int) -> list[Case]:
    """`count` copies of `case` with fresh random inputs of the same shapes and dtypes."""
    variants = []
    for salt in range(1, count + 1):
        rng = np.random.default_rng([seed, salt])
        calls = tuple(Call(c.function, _fresh(c.args, rng, salt),
                           _fresh(dict(c.kwargs), rng, salt)) for c in case.calls)
        variants.append(replace(case, label=f"{case.label} (fresh inputs {salt})",
                                calls=calls, tolerances={}))
    return variants


def _distinct_cases(assignment: str, tests: list[Test], function: str) -> list[Case]:
    """The cases of `tests`, and of every other test that calls `function` (a forward
    whose cache its backward's tests consume), each once."""
    seen: dict[int, Case] = {}
    for test in tests_for(assignment):
        for case, _ in cases_with_expected(assignment, test):
            if test in tests or any(call.function == function for call in case.calls):
                seen.setdefault(id(case), case)
    return list(seen.values())


def differs(assignment: str, tests: list[Test], namespace: dict[str, Any],
            function: str) -> str | None:
    """Where the namespace differs from the reference on fresh inputs, or None."""
    reference = reference_functions(assignment)
    for index, case in enumerate(_distinct_cases(assignment, tests, function)):
        for variant in fresh_variants(case, FRESH, seed=index):
            try:
                variant = with_tolerances(variant, reference)
                want = run_case(variant, reference)
            except StudentError:
                continue  # an input the reference itself refuses: not a valid variant
            got = _attempt(lambda c, _: run_case(c, namespace), variant, ())
            wrong = problem(got, want, tuple(want), variant)
            if wrong:
                return f"{wrong} (on {variant.label})"
    return None


def grade_machine_mutant(assignment: str, mutant: MachineMutant) -> MachineResult:
    """Caught, equivalent or survivor, with the reason."""
    tests = [t for t in tests_for(assignment) if t.function == mutant.function]
    try:
        namespace = quietly(lambda: functions_of(assignment, mutant))
    except Exception as err:  # noqa: BLE001 - e.g. a name used before it is defined
        return MachineResult(mutant, "caught", f"the answer cell raises {type(err).__name__}")
    message = _failing(assignment, tests, namespace)
    if message is None:  # a forward's cache is judged in its backward's tests
        consumers = [t for t in tests_for(assignment) if t.function != mutant.function
                     and any(call.function == mutant.function
                             for case, _ in cases_with_expected(assignment, t)
                             for call in case.calls)]
        message = _failing(assignment, consumers, namespace)
        if message is not None and not blames_cache(message, mutant.function):
            message = None  # (cannot happen: the fallback retry credits the consumer)
    if message is not None:
        return MachineResult(mutant, "caught", message)
    where = quietly(lambda: differs(assignment, tests, namespace, mutant.function))
    if where is None:
        return MachineResult(mutant, "equivalent",
                             f"matches the reference on {FRESH} fresh variants of each case")
    return MachineResult(mutant, "survivor", where)


def machine_report(assignment: str, cap: int = CAP) -> MachineReport:
    """Generate, sample and grade the machine-made mutants of every graded function."""
    report = MachineReport()
    for function, source in solution_sources(assignment).items():
        made = mutate(function, source)
        report.generated[function] = len(made)
        for mutant in sample(made, cap, f"{assignment}/{function}"):
            report.results.append(grade_machine_mutant(assignment, mutant))
    return report




TARGET = 0.95  # of the non-equivalent machine-made mutants, at least this share caught


def machine_checks(assignment: str, report: Report, cap: int = CAP) -> MachineReport:
    """Grade the machine-made mutants; add the score line, one line per survivor, and a
    table per function to `report`."""
    found = machine_report(assignment, cap)
    caught, counted = found.score()
    made = sum(found.generated.values())
    report.machine = {"made": made, "graded": len(found.results),
                      "equivalent": found.count("equivalent"), "caught": caught,
                      "survivors": counted - caught}
    share = caught / counted if counted else 1.0
    sampled = "all" if len(found.results) == made else f"a sample of at most {cap} per function"
    report.add("ok" if share >= TARGET else "FAIL",
               f"machine-made mutants: {made} made, {len(found.results)} graded ({sampled}), "
               f"{found.count('equivalent')} equivalent (excluded), {caught}/{counted} caught "
               f"({100 * share:.1f}%, target {100 * TARGET:.0f}%)")
    for result in found.results:
        if result.status == "survivor":
            report.add("note", f"survivor {result.mutant.key}: {result.reason}")
    report.tables.append(machine_table(found))
    return found


def machine_table(found: MachineReport) -> str:
    """Per function: made, graded, equivalent, caught / non-equivalent."""
    rows = [("function", "made", "graded", "equivalent", "caught")]
    for function, made in found.generated.items():
        caught, counted = found.score(function)
        graded = sum(r.mutant.function == function for r in found.results)
        rows.append((function, str(made), str(graded), str(found.count("equivalent", function)),
                     f"{caught}/{counted}"))
    caught, counted = found.score()
    rows.append(("total", str(sum(found.generated.values())), str(len(found.results)),
                 str(found.count("equivalent")), f"{caught}/{counted}"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  machine-made mutants:"]
    lines += ["  " + row[0].ljust(widths[0]) + "".join(
        "  " + cell.rjust(width) for cell, width in zip(row[1:], widths[1:])) for row in rows]
    return "\n".join(lines)
