"""Grade one submission: a pure function from a `Job` to a `Record`.

The hidden tests are `suite.tests_for(assignment)`, the same objects the notebook's
hidden-test cells run under stock nbgrader, and the score comes from the same function,
`verdict.decide`. What differs is where student code runs: in sandboxes (`Session`), in
two phases:

1. every first attempt, with nothing but the student's own code in the sandbox;
2. the retries of `Test.fallback` (helpers correct), in the first sandbox once all it
   prints has been taken, then one fresh sandbox per group of helper sets (see
   `retry_groups`). The sandbox never receives reference code: a call to a replaced helper
   is sent to the grader as plain data, run on the reference in the oracle process, and
   answered with plain data (`Session.run`'s oracle). Such a sandbox holds reference
   outputs, so nothing it says from then on is shown to the student: only whether the
   retry matched.

Cases shared by several tests (one test per gradient) run once per phase. The whole
submission has one wall-clock budget (`Limits.cpu_seconds`), cell loading included.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..fingerprints import diagnose
from ..spec import Case, Test
from ..suite import cases_with_expected, tests_for
from ..verdict import Attempt, TestResult, compared_outputs, decide, problem
from .runner import Runner
from .sandbox import SandboxFailure
from .status import Status
from .tamper import inspect
from .zygote import Limits


@dataclass
class Job:
    """Everything needed to grade one student's submission (picklable, for Dask)."""

    student_id: str
    safe_id: str
    assignment: str
    release: dict[str, Any]
    limits: Limits
    data: bytes | None = None        # the notebook file, or None when there is none
    problem: str | None = None       # status when no notebook can be graded
    notes: list[str] = field(default_factory=list)
    digest: str = ""


@dataclass
class Record:
    student_id: str
    safe_id: str
    status: str
    score: float
    max_score: float
    tests: list[TestResult]
    notes: list[str] = field(default_factory=list)
    execution_time: float = 0.0      # wall clock of grading this submission
    shown_time: float = 0.0          # of which the first attempts: what the student is told
    student_time: float = 0.0        # of which the student's code ran (as the worker reports)
    isolation: list[str] = field(default_factory=list)
    output: str = ""                 # the student's captured stdout/stderr (truncated)
    digest: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        tests = [TestResult(**t) for t in data["tests"]]
        return cls(**(data | {"tests": tests}))


_CASE_NAMES: dict[Any, str] = {}  # a test's case builder -> its name (built once)


def _key(test: Test, index: int) -> tuple[str, int]:
    cases = test.cases
    name = _CASE_NAMES.get(cases)
    if name is None:
        name = _CASE_NAMES[cases] = (f"{getattr(cases, '__module__', '')}."
                                     f"{getattr(cases, '__qualname__', id(cases))}")
    return name, index


def _fails(attempt: Attempt, test: Test, case: Case, want: Mapping[str, np.ndarray]) -> bool:
    return problem(attempt, want, compared_outputs(test, case), case) is not None


Key = tuple[str, int]  # a case: the function that builds it, its index


def run_tests(job: Job, runner: Runner) -> list[TestResult]:
    tests = tests_for(job.assignment)
    plan = [(test, cases_with_expected(job.assignment, test)) for test in tests]
    first: dict[Key, Attempt] = {}
    # Phase 1: first attempts only, student code alone in the sandbox; a test's cases in one
    # request.
    for test, cases in plan:
        todo = []
        for index, (case, want) in enumerate(cases):
            key = _key(test, index)
            stuck = sorted(set(test.fallback) & runner.hung)
            if stuck and key not in first:
                # A helper already hung: go straight to the retry with the reference helper.
                first[key] = Attempt(None, f"skipped: {stuck[0]} timed out or crashed earlier")
            if key not in first:
                todo.append((key, case, want))
        results = runner.run_many([(case, want) for _, case, want in todo])
        for (key, _, _), result in zip(todo, results):
            first[key] = Attempt(result.outputs, result.error)
    runner.end_first_phase()
    runner.first_phase_done = time.monotonic()
    # Phase 2: retries, one sandbox per group of helper sets (see `retry_groups`): the first
    # group in the first sandbox, each later group in a fresh one.
    retry: dict[tuple[Key, tuple[str, ...]], Attempt] = {}
    for group in retry_groups(tests):
        for helpers in group:
            _retry(job, runner, plan, helpers, first, retry)
        runner.close()
    return [_decided(job.assignment, test, cases, first, retry) for test, cases in plan]


def retry_groups(tests: tuple[Test, ...]) -> list[list[tuple[str, ...]]]:
    """The sets of replaced helpers, in groups that may share one retry sandbox.

    A retry sandbox learns reference outputs of the helpers it is served. So a function
    may be tested by retries in a sandbox only if no earlier set of that sandbox served it
    as a helper: then nothing it could have stashed is the reference's answer for it.
    """
    sets = sorted({test.fallback for test in tests if test.fallback}, key=lambda s: (len(s), s))
    tested = {h: {t.function for t in tests if t.fallback == h} for h in sets}
    groups: list[list[tuple[str, ...]]] = []
    for helpers in sets:
        served = {name for earlier in (groups[-1] if groups else []) for name in earlier}
        if groups and not tested[helpers] & served:
            groups[-1].append(helpers)
        else:
            groups.append([helpers])
    return groups


def _retry(job: Job, runner: Runner, plan: list[tuple[Test, list[tuple[Case, Mapping]]]],
           helpers: tuple[str, ...], first: dict[Key, Attempt],
           retry: dict[tuple[Key, tuple[str, ...]], Attempt]) -> None:
    """Retry, with `helpers` answered by the grader, every failed case of their tests."""
    for test, cases in plan:
        if test.fallback != helpers:
            continue
        assert test.function not in helpers, "never answer for the tested function"
        keyed = [(_key(test, i), case, want) for i, (case, want) in enumerate(cases)]
        todo = [(key, case, want) for key, case, want in keyed
                if key in first and (key, helpers) not in retry
                and _fails(first[key], test, case, want)]
        results = runner.run_many([(case, want) for _, case, want in todo], helpers)
        for (key, _, _), result in zip(todo, results):
            retry[key, helpers] = Attempt(result.outputs, result.error)


def _decided(assignment: str, test: Test, cases: list[tuple[Case, Mapping[str, np.ndarray]]],
             first: dict[Key, Attempt], retry: dict[tuple[Key, tuple[str, ...]], Attempt]
             ) -> TestResult:
    """`verdict.decide` over the attempts made in advance."""
    missing = Attempt(None, "not run")

    def first_attempt(index: int) -> Attempt:
        return first.get(_key(test, index), missing)

    def retry_attempt(index: int) -> Attempt:
        return retry.get((_key(test, index), test.fallback), missing)

    def hint(case: Case, got: Mapping[str, np.ndarray] | None,
             names: tuple[str, ...]) -> str | None:
        return diagnose(assignment, test, case, got, names)

    return decide(test, cases, first_attempt, retry_attempt, hint)


def _not_graded(job: Job, status: str, reason: str, started: float) -> Record:
    tests = [TestResult(t.name, t.function, 0.0, t.points, f"not graded: {reason}")
             for t in tests_for(job.assignment)]
    return Record(job.student_id, job.safe_id, status, 0.0, sum(t.max_score for t in tests),
                  tests, notes=[*job.notes, reason], digest=job.digest,
                  execution_time=time.perf_counter() - started)


def grade_submission(job: Job) -> Record:
    """Grade one submission; never raises for anything the student did."""
    started, clock = time.perf_counter(), time.monotonic()
    if job.problem or job.data is None:
        return _not_graded(job, job.problem or Status.MISSING.value,
                           job.problem or "no notebook found", started)
    inspection = inspect(job.data, job.release)
    if inspection.invalid:
        return _not_graded(job, Status.INVALID.value, f"invalid notebook: {inspection.invalid}",
                           started)
    runner = Runner(job.assignment, job.limits, job.release, inspection.answers, clock)
    try:
        outcomes = run_tests(job, runner)
    except SandboxFailure as failure:  # the setup itself failed: an environment problem
        runner.close()
        return _not_graded(job, Status.ERROR.value, f"sandbox failure: {failure}", started)
    except BaseException:
        runner.close()  # (no sandbox left running behind a grader error)
        raise
    notes = [*job.notes, *inspection.findings, *inspection.notes, *runner.cell_errors.values(),
             *runner.excluded.values()]
    if inspection.findings:
        status = Status.TAMPERED.because(inspection.findings[0])
    elif "memory" in runner.kinds:
        status = Status.MEMORY.value
    elif runner.kinds & {"timeout", "crash"}:
        status = (Status.TIMEOUT if "timeout" in runner.kinds else Status.CRASHED).value
    else:
        status = Status.GRADED.value
    return Record(job.student_id, job.safe_id, status,
                  float(sum(o.score for o in outcomes)),
                  float(sum(o.max_score for o in outcomes)), outcomes, notes,
                  execution_time=time.perf_counter() - started,
                  shown_time=runner.first_phase_done - runner.started,
                  student_time=runner.student_time, isolation=runner.isolation,
                  output=runner.output[:4000], digest=job.digest)


def lost(job: Job, reason: str) -> Record:
    """The record of a job whose grading was lost outside the grader (a cluster worker)."""
    return _not_graded(job, Status.ERROR.value, f"grader error: {reason}", time.perf_counter())


def grade_submission_safely(job: Job) -> Record:
    """`grade_submission`, turning a grader bug into a row instead of a lost submission."""
    started = time.perf_counter()
    try:
        return grade_submission(job)
    except Exception as err:  # noqa: BLE001 - one row per student, whatever happens
        return _not_graded(job, Status.ERROR.value, f"grader error: {type(err).__name__}: {err}",
                           started)
