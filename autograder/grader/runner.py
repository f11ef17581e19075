"""Run one submission's cases in sandboxes, remembering what went wrong on the way.

`Runner` opens sandboxes (a cell that hangs or kills its process is skipped and the
sandbox restarted without it), sends cases in batches, answers a retry's helper calls
from the reference within the case's own scale, and judges and trims every reply as it
arrives. Everything it keeps is plain data; `job.run_tests` decides what to run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..execute import inputs_unchanged
from ..spec import Case
from .sandbox import Answers, Oracle, RunResult, SandboxFailure, Session
from .scale import Scale
from .tamper import setup_source
from .zygote import Limits


def _called(case: Case) -> set[str]:
    return {call.function for call in case.calls}


class Runner:
    """Runs the cases of one submission in sandboxes, remembering what went wrong."""

    def __init__(self, assignment: str, limits: Limits, release: dict[str, Any],
                 answers: dict[str, str], started: float | None = None) -> None:
        self.assignment, self.limits = assignment, limits
        self.setup = setup_source(release)
        self.cells = list(answers.items())
        self.excluded: dict[str, str] = {}    # cell -> why it is not run (shown)
        self.left_out: set[str] = set()       # cells not run in retry sandboxes (not shown)
        self.retries_broken = False           # the grader erred judging a retry: no more
        self.cell_errors: dict[str, str] = {}
        self.hung: set[str] = set()           # functions that timed out or killed the sandbox
        self.kinds: set[str] = set()
        self.student_time = 0.0
        self.isolation: list[str] = []
        self.output = ""
        # One wall-clock budget for the whole submission, reading and loading included.
        self.deadline = (started or time.monotonic()) + self.limits.cpu_seconds
        self.session: Session | None = None
        self.replaced: tuple[str, ...] = ()
        self.heard = False  # the first sandbox has said all that is shown: it may serve helpers
        self.answers = Answers()  # this submission's own (see `Answers`)
        self.started = time.monotonic()
        self.first_phase_done = self.started

    def _open(self, replaced: tuple[str, ...]) -> Session:
        while True:
            if time.monotonic() >= self.deadline:
                raise SandboxFailure("timeout", "the submission used up its time budget")
            cells = [c for c in self.cells
                     if c[0] not in self.excluded and c[0] not in self.left_out]
            session = Session(self.limits, self.assignment, self.deadline)
            try:
                loaded = session.load(self.setup, cells)
                if replaced:
                    session.use_helpers(replaced)
            except SandboxFailure as failure:
                cell = failure.cell
                if not replaced:
                    self.kinds.add(failure.kind)
                if (cell is None or cell == "setup" or cell in self.excluded
                        or cell in self.left_out):
                    raise
                if replaced:
                    # Not a note: what a retry sandbox does may depend on reference answers
                    # (a cell can time its own hang from them), so none of it is shown.
                    self.left_out.add(cell)
                    continue
                what = "timed out" if failure.kind == "timeout" else "killed its process"
                self.excluded[cell] = f"cell {cell} {what} when run; it was skipped"
                continue
            self.isolation = session.isolation
            for name, result in loaded.items():
                self.student_time += result["seconds"]
                if replaced:
                    continue  # what the cells said is known from the first sandbox
                if not result["ok"] and name not in self.cell_errors:
                    self.cell_errors[name] = f"cell {name} raised {result['error']}"
                if result["kind"] == "memory" and not result["ok"]:
                    self.kinds.add("memory")
            return session

    def close(self) -> None:
        self.end_first_phase()
        if self.session is not None:
            self.session.close()
            self.session = None

    def end_first_phase(self) -> None:
        """Take what the first sandbox printed: after this, nothing it says is shown to the
        student, so it may go on as the first retry sandbox (its helpers answered by the
        grader) instead of a fresh one being loaded for that."""
        if self.session is not None and not self.replaced and not self.heard:
            self.output = self.session.output()
            self.heard = True

    def _oracle(self, case: Case) -> Oracle:
        """The reference helpers, answered only for arguments of this case's own scale (see
        `Scale`): a retry cannot make the reference compute, or hold, more than the case
        needs."""
        return Oracle(self.assignment, Scale.of((case.calls,)), self.answers)

    def run(self, case: Case, want: Mapping[str, np.ndarray],
            replaced: tuple[str, ...] = ()) -> RunResult:
        """One attempt at `case` (see `run_many`)."""
        return self.run_many([(case, want)], replaced)[0]

    def run_many(self, items: list[tuple[Case, Mapping[str, np.ndarray]]],
                 replaced: tuple[str, ...] = ()) -> list[RunResult]:
        """One attempt at each case, as few requests as possible; what comes back is judged
        and trimmed to the compared outputs here (see `_kept`)."""
        kinds = self.kinds if not replaced else set()  # a retry's trouble is not shown
        results: list[RunResult] = []
        pending = list(items)
        while pending:
            skipped = self._skipped(pending[0][0], replaced, kinds)
            if skipped is not None:
                results.append(skipped)
                pending.pop(0)
                continue
            batch = []
            for case, _ in pending:
                if self._skipped(case, replaced, set()) is not None:
                    break
                batch.append(case)
            try:
                if self.session is not None and not self.session.alive:
                    self.session = None
                if (self.session is not None and replaced and self.replaced != replaced
                        and (self.replaced or self.heard)):
                    # The next set of a retry group, or the first set in the first
                    # sandbox once its output is taken (it has served no helper yet).
                    self.session.use_helpers(replaced)
                    self.replaced = replaced
                elif self.session is None or self.replaced != replaced:
                    self.close()
                    self.session, self.replaced = self._open(replaced), replaced
                    self.heard = bool(replaced)
                oracles = [self._oracle(case) if replaced else None for case in batch]
                for result in self.session.run_many(batch, oracles, replaced):
                    case, want = pending[0]
                    judged = self._judged(case, want, result, kinds)
                    pending.pop(0)
                    results.append(judged)
            except SandboxFailure as failure:
                case, _ = pending.pop(0)  # the case it happened in
                results.append(self._failed(case, replaced, failure, kinds))
            except Exception:  # noqa: BLE001 - retries only: re-raised in first attempts
                if not replaced:
                    raise
                # A grader error must not show from a retry: the status would carry what
                # the retry learnt (an attacker session forged a reply that made the
                # grader raise only when a reference answer had a chosen property). The
                # case's retry fails and its sandbox is dropped.
                if self.session is not None:
                    self.session.close()
                    self.session = None
                self.retries_broken = True
                pending.pop(0)
                results.append(RunResult(None, "the retry could not be judged", "error", 0.0))
        return results

    def _skipped(self, case: Case, replaced: tuple[str, ...], kinds: set[str]
                 ) -> RunResult | None:
        if replaced and self.retries_broken:  # (the grader erred in an earlier retry)
            return RunResult(None, "skipped: an earlier retry could not be judged",
                             "skipped", 0.0)
        hung = [f for f in sorted(_called(case) - set(replaced)) if f in self.hung]
        if hung:
            return RunResult(None, f"skipped: {hung[0]} timed out or crashed earlier",
                             "skipped", 0.0)
        if time.monotonic() >= self.deadline:
            kinds.add("timeout")
            return RunResult(None, "skipped: the submission used up its time budget",
                             "timeout", 0.0)
        return None

    def _failed(self, case: Case, replaced: tuple[str, ...], failure: SandboxFailure,
                kinds: set[str]) -> RunResult:
        self.session = None
        kinds.add(failure.kind)
        if failure.kind == "timeout" and time.monotonic() >= self.deadline:
            return RunResult(None, "skipped: the submission used up its time budget",
                             "timeout", 0.0)
        suspects = sorted(_called(case) - set(replaced))
        self.hung.update(suspects)
        what = "timed out" if failure.kind == "timeout" else str(failure)
        return RunResult(None, f"{', '.join(suspects)}: {what}", failure.kind, 0.0)

    def _judged(self, case: Case, want: Mapping[str, np.ndarray], result: RunResult,
                kinds: set[str]) -> RunResult:
        self.student_time += result.seconds
        if result.kind == "memory":
            kinds.add("memory")
        if result.outputs is not None:
            result.outputs = _kept(inputs_unchanged(case, result.outputs), want)
        return result


def _kept(outputs: Mapping[str, np.ndarray], want: Mapping[str, np.ndarray]
          ) -> dict[str, np.ndarray]:
    """Only the compared outputs; one far larger than expected keeps its shape but no
    memory (a submission cannot make the grader hold its replies until the end, while a
    transposed or flattened output still gets its hint)."""
    kept = {}
    for name, expected in want.items():
        got = outputs.get(name)
        if got is not None and got.size > 4 * expected.size + 1024:
            got = np.broadcast_to(np.zeros((), got.dtype), got.shape)
        if got is not None:
            kept[name] = got
    return kept
