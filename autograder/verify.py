"""`python -m autograder verify [ASSIGNMENT...]`: measure how strong the hidden tests are.

For each assignment with a source notebook:

1. the solution scores full autograded points, through stock nbgrader and the kit's grader;
2. the blank release scores zero, and the autograding run completes;
3. every catalog mutant (`autograder.mutants`) dropped into an otherwise correct submission
   loses points in its own function's tests and nowhere else, and gets its own hint;
4. the release holds no solution code and no hidden-test code (compared line by line
   against the source notebook, not only by looking for the markers);
5. a table per assignment: function, tests, mutants caught / total, hint matched / total.

Check 3 runs in-process, like the hidden-test cells do (`grading.evaluate` over the
namespace of the submission's setup and answer cells); one stock nbgrader run per
assignment grades the solution, the blank release and a few sampled mutants together,
to show that both paths give the same scores and hints. Exit status 1 on any miss.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .course import Course, NbgraderError, with_answers
from .grading import TestResult, evaluate, namespace_runner
from .layout import ASSIGNMENTS, NotebookError, available_assignments, source_notebook
from .mutants import Mutant, MutantError, catalog, mutant_source
from .namespaces import run_cells
from .notebooks import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    SOLUTION_BEGIN,
    SOLUTION_END,
    answer_cells,
    cell_source,
    grade_meta,
    python_source,
    read_notebook,
    solution_regions,
)
from .reference import reference_functions
from .solutions import solution_sources
from .suite import tests_for

Notebook = dict[str, Any]
MIN_MUTANTS = 4  # per graded function


@dataclass
class Check:
    status: str  # "ok", "FAIL", "skip" or "note"
    text: str


@dataclass
class MutantResult:
    mutant: Mutant
    results: list[TestResult]

    @property
    def failing(self) -> list[TestResult]:
        return [r for r in self.results if not r.passed]

    @property
    def elsewhere(self) -> list[str]:
        """Tests of other functions that this mutant makes fail (should be none)."""
        return [r.name for r in self.failing if r.function != self.mutant.function]

    @property
    def caught(self) -> bool:
        return bool(self.failing) and not self.elsewhere

    @property
    def hinted(self) -> bool:
        own = [r for r in self.failing if r.function == self.mutant.function]
        return bool(own) and all(self.mutant.hint in r.message for r in own)

    def scores(self) -> dict[str, float]:
        return {r.name: r.score for r in self.results}


@dataclass
class Report:
    assignment: str
    checks: list[Check] = field(default_factory=list)
    mutants: list[MutantResult] = field(default_factory=list)

    def add(self, status: str, text: str) -> None:
        self.checks.append(Check(status, text))

    @property
    def ok(self) -> bool:
        return all(c.status != "FAIL" for c in self.checks)


# ---------------------------------------------------------------- in-process grading


def _quietly(function: Callable[[], Any]) -> Any:
    """Run student-like code without its prints and warnings cluttering the report."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        return function()


def submission_namespace(notebook: Notebook, assignment: str) -> dict[str, Any]:
    """Globals after running a notebook's setup and answer cells in order, as plain Python.

    This is what the hidden-test cells see, minus the labs (which graded functions must not
    need). A cell that raises is skipped, as it would be in an nbgrader run.
    """
    answers = answer_cells(notebook)
    cells = [(str(grade_meta(cell).get("grade_id")), python_source(cell_source(cell)))
             for cell in notebook["cells"] if cell.get("cell_type") == "code"
             and (grade_meta(cell).get("grade_id") in answers
                  or str(grade_meta(cell).get("grade_id", "")).startswith("setup"))]
    return _quietly(lambda: run_cells(assignment, cells, f"submission_{assignment}",
                                      skip_errors=True))


def grade_in_process(notebook: Notebook, assignment: str,
                     skip: Mapping[str, TestResult] | None = None) -> list[TestResult]:
    """Every hidden test of `assignment` on `notebook`, graded like the hidden cells do.

    Tests named in `skip` are not run; their given result is reported instead.
    """
    run = namespace_runner(assignment, submission_namespace(notebook, assignment))
    skip = skip or {}
    return [skip[test.name] if test.name in skip else
            _quietly(lambda test=test: evaluate(assignment, test, run))
            for test in tests_for(assignment)]


def functions_reached(notebook: Notebook, assignment: str) -> dict[str, set[str]]:
    """For each test, the graded functions its cases call, directly or not, on `notebook`.

    A test that never reaches f on the solution runs exactly the same code when only f is
    wrong, so it gives the same result: mutants of f need not run it again.
    """
    namespace = submission_namespace(notebook, assignment)
    reached: set[str] = set()

    def recording(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def record(*args: Any, **kwargs: Any) -> Any:
            reached.add(name)
            return function(*args, **kwargs)
        return record

    for name in solution_sources(assignment):
        if callable(namespace.get(name)):
            namespace[name] = recording(name, namespace[name])
    run = namespace_runner(assignment, namespace)
    found = {}
    for test in tests_for(assignment):
        reached.clear()
        _quietly(lambda test=test: evaluate(assignment, test, run))
        found[test.name] = set(reached)
    return found


def solution_answers(assignment: str) -> dict[str, str]:
    return dict(solution_sources(assignment))


def mutant_submission(base: Notebook, assignment: str, mutant: Mutant) -> Notebook:
    """`base` (release or source notebook) with every answer correct but the mutant's."""
    answers = solution_answers(assignment)
    answers[mutant.function] = mutant_source(assignment, mutant)
    return with_answers(base, answers)


# ---------------------------------------------------------------- release leak check


_HIDDEN_REGION = re.compile(
    rf"^[ \t]*{re.escape(HIDDEN_BEGIN)}[^\n]*\n(.*?)^[ \t]*{re.escape(HIDDEN_END)}[^\n]*$",
    re.S | re.M)


def _is_written_answer(cell: dict[str, Any]) -> bool:
    meta = grade_meta(cell)
    return cell.get("cell_type") == "markdown" and bool(meta.get("solution"))


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
        given.append(_HIDDEN_REGION.sub("", re.sub(
            rf"^[ \t]*{re.escape(SOLUTION_BEGIN)}.*?^[ \t]*{re.escape(SOLUTION_END)}[^\n]*$",
            "", text, flags=re.S | re.M)))
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


# ---------------------------------------------------------------- external graders


def _sample(mutants: list[Mutant], count: int) -> list[Mutant]:
    """`count` mutants spread over the catalog (different functions when possible)."""
    if count <= 0 or not mutants:
        return []
    by_function: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_function.setdefault(mutant.function, []).append(mutant)
    functions = list(by_function)
    step = max(1, len(functions) // count)
    picked = [by_function[f][0] for f in functions[::step]][:count]
    return picked


def _failing_outputs(notebook: Notebook) -> dict[str, str]:
    """grade_id -> error text of every test cell that raised, from an autograded notebook."""
    found = {}
    for cell in notebook["cells"]:
        errors = [o.get("evalue", "") for o in cell.get("outputs", [])
                  if o.get("output_type") == "error"]
        if errors and grade_meta(cell).get("grade"):
            found[grade_meta(cell)["grade_id"]] = "\n".join(errors)
    return found


@dataclass
class External:
    """What one assignment's external grading runs found, as checks."""

    checks: list[Check] = field(default_factory=list)
    release: Notebook | None = None


def _stock_run(assignment: str, course: Course, release: Notebook,
               expected: Mapping[str, MutantResult], max_score: float) -> list[Check]:
    course.submit(assignment, "solution", with_answers(release, solution_answers(assignment)))
    course.submit(assignment, "blank", release)
    students = {}
    for index, result in enumerate(expected.values()):
        student = f"mutant{index}"
        students[student] = result
        course.submit(assignment, student, mutant_submission(release, assignment, result.mutant))
    scores = course.autograde(assignment)
    checks: list[Check] = []
    add = checks.append

    graded = [t.name for t in tests_for(assignment)]  # not the written answers' cells
    solution = scores.get("solution")
    total = sum(solution.get(name, 0.0) for name in graded) if solution else None
    add(Check("ok" if total == max_score else "FAIL",
              f"stock nbgrader: solution scores {_points(total)}/{max_score:g}"))
    blank = scores.get("blank")
    total = sum(blank.get(name, 0.0) for name in graded) if blank is not None else None
    add(Check("ok" if total == 0 else "FAIL",
              f"stock nbgrader: blank release scores {_points(total)}/{max_score:g}"
              + ("" if blank is not None else " (no row: the run did not complete)")))
    if not students:
        return checks
    problems = []
    for student, result in students.items():
        got = scores.get(student)
        want = result.scores()
        if got is None:
            problems.append(f"{result.mutant.key} not graded")
            continue
        differ = sorted(n for n in want if got.get(n) != want[n])
        if differ:
            problems.append(f"{result.mutant.key} scores differ on {_names(differ)}")
        path = course.root / "autograded" / student / assignment / f"{assignment}.ipynb"
        shown = _failing_outputs(json.loads(path.read_text(encoding="utf-8")))
        own = [r.name for r in result.failing if r.function == result.mutant.function]
        if not own or any(result.mutant.hint not in shown.get(name, "") for name in own):
            problems.append(f"{result.mutant.key} hint not shown in the autograded notebook")
    names = ", ".join(r.mutant.key for r in students.values())
    add(Check("FAIL" if problems else "ok",
              "stock nbgrader agrees with in-process grading, hints included, on "
              f"{names}" + (": " + "; ".join(problems) if problems else "")))
    return checks


def _kit_run(assignment: str, root: Path, release: Notebook,
             expected: Mapping[str, MutantResult], max_score: float) -> list[Check]:
    try:
        from .grader import grade
    except ImportError as err:
        return [Check("skip", f"kit grader: not available yet ({err})")]
    submissions = root / "kit-submissions"
    notebooks = {"solution": with_answers(release, solution_answers(assignment)),
                 "blank": release}
    for index, result in enumerate(expected.values()):
        notebooks[f"mutant{index}"] = mutant_submission(release, assignment, result.mutant)
    for student, notebook in notebooks.items():
        path = submissions / student / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    try:  # no redirection of stdout here: this runs in a thread
        results = grade(assignment, submissions, root / "kit-out", force=True,
                        progress=False, log=lambda *_: None)
        rows = {r.student_id: r for r in results}
    except Exception as err:  # noqa: BLE001 - any failure of the grader is a FAIL line
        message = str(err).splitlines()[0] if str(err) else ""
        return [Check("FAIL", f"kit grader raised {type(err).__name__}: {message}")]
    checks: list[Check] = []
    add = checks.append
    solution, blank = rows.get("solution"), rows.get("blank")
    lost = [t for t in getattr(solution, "tests", ()) if t.score < t.max_score]
    notes = getattr(solution, "notes", None) or [""]
    why = (f" ({len(lost)} tests lost, e.g. {lost[0].message}; {notes[0]})".replace("; )", ")")
           if lost else "")
    add(Check("ok" if solution and solution.score == max_score else "FAIL",
              f"kit grader: solution scores {_points(solution and solution.score)}"
              f"/{max_score:g}" + (f", status {solution.status}" if solution else "") + why))
    add(Check("ok" if blank and blank.score == 0 else "FAIL",
              f"kit grader: blank release scores {_points(blank and blank.score)}"
              f"/{max_score:g}"))
    problems = []
    for index, result in enumerate(expected.values()):
        row = rows.get(f"mutant{index}")
        want = result.scores()
        got = {t.name: t.score for t in getattr(row, "tests", ())}
        differ = sorted(name for name in want if got.get(name) != want[name])
        if row is None or differ:
            problems.append(f"{result.mutant.key} scores differ on "
                            f"{_names(differ) if row else 'everything'}")
            continue
        shown = {t.name: t.message for t in row.tests}
        own = [r.name for r in result.failing if r.function == result.mutant.function]
        if any(result.mutant.hint not in shown.get(name, "") for name in own):
            problems.append(f"{result.mutant.key} hint not in the kit grader's feedback")
        feedback = _kit_feedback(root / "kit-out", f"mutant{index}")
        if feedback is not None and result.mutant.hint not in feedback:
            problems.append(f"{result.mutant.key} hint not in the kit grader's results.json")
    if expected:
        add(Check("FAIL" if problems else "ok",
                  "kit grader agrees with in-process grading, hints included, on "
                  f"{', '.join(r.mutant.key for r in expected.values())}"
                  + (": " + "; ".join(problems) if problems else "")))
    return checks


def _kit_feedback(out: Path, student: str) -> str | None:
    """The per-test outputs of a student's Gradescope-style results file, if written."""
    path = out / "results" / f"{student}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join(str(test.get("output", "")) for test in data.get("tests", []))


def _names(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _points(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def external_checks(assignment: str, sampled: Mapping[str, MutantResult], kit: bool,
                    max_score: float) -> External:
    """Stock nbgrader (and the kit's grader) on solution, blank and sampled mutants."""
    external = External()
    with tempfile.TemporaryDirectory(prefix=f"verify-{assignment}-") as scratch:
        root = Path(scratch)
        course = Course(root / "nbgrader")
        try:
            released = course.generate(assignment)
            external.release = json.loads(released.read_text(encoding="utf-8"))
        except (NbgraderError, NotebookError, OSError) as err:
            external.checks.append(Check("FAIL", f"stock nbgrader: {err}"))
            if kit:
                external.checks.append(Check("skip", "kit grader: no release to grade"))
            return external
        release = external.release

        def stock_run() -> list[Check]:
            try:
                return _stock_run(assignment, course, release, sampled, max_score)
            except (NbgraderError, NotebookError, OSError) as err:
                return [Check("FAIL", f"stock nbgrader: {err}")]

        # The two graders are independent: let them share the wait.
        with ThreadPoolExecutor(max_workers=2) as pool:
            stock = pool.submit(stock_run)
            kit_checks = (pool.submit(_kit_run, assignment, root, release, sampled, max_score)
                          if kit else None)
            external.checks += stock.result()
            if kit_checks is not None:
                external.checks += kit_checks.result()
    return external


# ---------------------------------------------------------------- one assignment


def check_catalog_coverage(assignment: str, report: Report) -> list[Mutant] | None:
    try:
        mutants = list(catalog(assignment))
        for mutant in mutants:
            mutant_source(assignment, mutant)
    except MutantError as err:
        report.add("FAIL", str(err))
        return None
    functions = list(solution_sources(assignment))
    unknown = sorted({m.key for m in mutants if m.function not in functions})
    thin = [f"{f} ({sum(m.function == f for m in mutants)})" for f in functions
            if sum(m.function == f for m in mutants) < MIN_MUTANTS]
    if unknown:
        report.add("FAIL", f"catalog: mutants of functions that are not graded: {unknown}")
    if thin:
        report.add("FAIL", f"catalog: fewer than {MIN_MUTANTS} mutants for "
                           f"{', '.join(thin)}")
    untested = [f for f in functions if not any(t.function == f for t in
                                                tests_for(assignment))]
    if untested:
        report.add("FAIL", f"no hidden tests for {', '.join(untested)}")
    if not unknown and not thin:
        report.add("ok", f"catalog: {len(mutants)} mutants apply to the current solution, "
                         f"at least {MIN_MUTANTS} per graded function")
    return mutants


def verify_assignment(assignment: str, *, stock: bool = True, kit: bool = True,
                      sample: int = 2, pool: ThreadPoolExecutor | None = None,
                      ) -> Callable[[], Report]:
    """Start verifying one assignment; returns a function that finishes and reports."""
    report = Report(assignment)
    try:
        source = read_notebook(source_notebook(assignment))
        tests = tests_for(assignment)
    except (NotebookError, ImportError, ValueError) as err:
        report.add("FAIL", f"cannot load the assignment: {err}")
        return lambda: report
    max_score = sum(t.points for t in tests)
    try:
        reference_functions(assignment)
    except Exception as err:  # noqa: BLE001 - the report says what broke, in one line
        report.add("FAIL", f"cannot run the reference solution: {type(err).__name__}: "
                           f"{str(err).splitlines()[0] if str(err) else ''}")
        return lambda: report
    mutants = check_catalog_coverage(assignment, report) or []

    solution = with_answers(source, solution_answers(assignment))
    results = grade_in_process(solution, assignment)
    total = sum(r.score for r in results)
    wrong = [r.message for r in results if not r.passed]
    report.add("FAIL" if wrong else "ok",
               f"in-process: solution scores {total:g}/{max_score:g}"
               + (f" ({wrong[0]})" if wrong else ""))

    sampled_keys = {m.key for m in _sample(mutants, sample)}
    sampled: dict[str, MutantResult] = {}
    pending: Future | None = None

    def start_external() -> None:
        nonlocal pending
        if stock and pool is not None:
            pending = pool.submit(external_checks, assignment, dict(sampled), kit, max_score)

    if not sampled_keys:
        start_external()
    reached = functions_reached(solution, assignment) if not wrong else {}
    for mutant in mutants:
        unaffected = {r.name: r for r in results
                      if r.name in reached and mutant.function not in reached[r.name]}
        result = MutantResult(mutant, grade_in_process(
            mutant_submission(source, assignment, mutant), assignment, skip=unaffected))
        report.mutants.append(result)
        if mutant.key in sampled_keys:
            sampled[mutant.key] = result
            if len(sampled) == len(sampled_keys):
                start_external()  # stock nbgrader works while the other mutants run here
    for result in report.mutants:
        key = result.mutant.key
        if not result.failing:
            report.add("FAIL", f"mutant {key} is not caught: it scores full points")
        if result.elsewhere:
            report.add("FAIL", f"mutant {key} also loses points in {', '.join(result.elsewhere)}")
        if result.failing and not result.hinted:
            shown = next((r.message for r in result.failing if result.mutant.hint not in
                          r.message), "")
            report.add("FAIL", f"mutant {key} does not get its hint: {shown}")
    if mutants:
        caught = sum(r.caught for r in report.mutants)
        hinted = sum(r.hinted for r in report.mutants)
        report.add("ok" if caught == hinted == len(mutants) else "FAIL",
                   f"in-process: {caught}/{len(mutants)} mutants caught, "
                   f"{hinted}/{len(mutants)} with their own hint")
        for first, second in indistinguishable(report.mutants):
            report.add("note", f"{first} and {second} fail the same tests with the same "
                               "messages: their hints are always shown together")

    def finish() -> Report:
        if not stock:
            report.add("skip", "stock nbgrader and kit grader: skipped (--in-process-only)")
            return report
        external = pending.result() if pending is not None else external_checks(
            assignment, sampled, kit, max_score)
        report.checks.extend(external.checks)
        if external.release is not None:
            checked, leaks = release_leaks(source, external.release)
            report.add("FAIL" if leaks else "ok",
                       f"release: none of {checked} solution / hidden-test lines leaked"
                       if not leaks else f"release leaks {len(leaks)} lines, e.g. {leaks[0]!r}")
        return report

    return finish


def indistinguishable(results: list[MutantResult]) -> list[tuple[str, str]]:
    """Pairs of mutants no test tells apart (same scores and messages everywhere)."""
    seen: dict[tuple, str] = {}
    pairs = []
    for result in results:
        signature = (result.mutant.function,
                     tuple((r.name, r.score, r.message) for r in result.results))
        if signature in seen:
            pairs.append((seen[signature], result.mutant.key))
        else:
            seen[signature] = result.mutant.key
    return pairs


# ---------------------------------------------------------------- report


def table(report: Report) -> str:
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
    return "\n".join(lines)


def available() -> list[str]:
    return available_assignments()


def run(assignments: list[str], *, stock: bool = True, kit: bool = True, sample: int = 2,
        log: Callable[[str], None] = print) -> list[Report]:
    """Verify `assignments`; the external graders run beside the in-process work."""

    def start(assignment: str) -> Callable[[], Report]:
        try:
            return verify_assignment(assignment, stock=stock, kit=kit, sample=sample,
                                     pool=pool)
        except Exception as err:  # noqa: BLE001 - e.g. a notebook being rewritten right now
            failed = _failed(assignment, err)
            return lambda: failed

    with ThreadPoolExecutor(max_workers=max(1, len(assignments))) as pool:
        finishers = [start(a) for a in assignments]
        reports = []
        for assignment, finish in zip(assignments, finishers):
            try:
                report = finish()
            except Exception as err:  # noqa: BLE001 - one line in the report, no traceback
                report = _failed(assignment, err)
            log(format_report(report))
            reports.append(report)
    return reports


def _failed(assignment: str, err: Exception) -> Report:
    report = Report(assignment)
    first = str(err).splitlines()[0] if str(err) else ""
    report.add("FAIL", f"verify could not finish: {type(err).__name__}: {first}")
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help="default: every assignment with a source notebook")
    parser.add_argument("--in-process-only", action="store_true",
                        help="skip stock nbgrader and the kit grader (checks 1, 2, 4)")
    parser.add_argument("--sample", type=int, default=2, metavar="N",
                        help="mutants also graded by stock nbgrader and the kit grader (2)")


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    names = args.assignments or available()
    unknown = [a for a in names if a not in ASSIGNMENTS]
    if unknown:
        print(f"verify: unknown assignment {unknown[0]!r} (known: {', '.join(ASSIGNMENTS)})",
              file=sys.stderr)
        return 2
    missing = [a for a in names if not source_notebook(a).exists()]
    if missing:
        print(f"verify: {missing[0]} has no source notebook yet", file=sys.stderr)
        return 2
    reports = run(names, stock=not args.in_process_only, sample=args.sample)
    every = [r for report in reports for r in report.mutants]
    caught, hinted = sum(r.caught for r in every), sum(r.hinted for r in every)
    ok = all(report.ok for report in reports)
    print(f"verify: {len(reports)} assignment(s), mutation score {caught}/{len(every)}, "
          f"hint score {hinted}/{len(every)}, {time.monotonic() - started:.0f} s: "
          + ("ok" if ok else "FAILED"))
    return 0 if ok else 1
