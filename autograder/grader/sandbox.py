"""Grader side of the sandbox: open sessions on the pre-warmed worker, check replies.

`Session` is one sandboxed process holding one submission's code. Everything it sends back
is untrusted: arrays arrive as raw bytes described by a JSON header and are rebuilt here
only if every dtype is a plain numeric one and every size adds up.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import select
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from ..spec import Case
from .oracle import OracleMalformed, oracle_process
from .protocol import Channel, Deadline, ProtocolError, send, send_raw
from .scale import Scale
from .zygote import Limits, zygote

MAX_ARRAY_ELEMENTS = 10_000_000


class SandboxFailure(Exception):
    """The sandbox stopped answering: `kind` is 'timeout' or 'crash'."""

    def __init__(self, kind: str, message: str, cell: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.cell = cell  # the cell being loaded when it happened, if any


DTYPES = {order + kind for order in ("", "<", ">", "=", "|")
          for kind in ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8")}
MAX_DIMENSIONS = 32


def _shape(item: object) -> tuple[str, np.dtype, tuple[int, ...], int]:
    """(name, native dtype, shape, element count) of one array description."""
    if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)
            and len(item[0]) <= 200 and isinstance(item[1], str)
            and isinstance(item[2], list) and len(item[2]) <= MAX_DIMENSIONS):
        raise ProtocolError("malformed array description")
    name, dtype_text, shape = item
    if dtype_text not in DTYPES:
        raise ProtocolError(f"{name}: dtype {dtype_text[:20]!r} is not a plain numeric type")
    count = extent = 1
    for n in shape:
        if type(n) is not int or not 0 <= n <= MAX_ARRAY_ELEMENTS:
            raise ProtocolError(f"{name}: malformed shape")
        count *= n
        # (zeros skipped: a 0 keeps the count at 0 while the other dimensions could
        # multiply past what numpy can describe, an attacker session found)
        extent *= max(n, 1)
        if extent > MAX_ARRAY_ELEMENTS:
            raise ProtocolError(f"{name}: too many elements")
    return name, np.dtype(dtype_text), tuple(shape), count


def decode_arrays(specs: object, blob: bytes | bytearray) -> dict[str, np.ndarray]:
    """Rebuild the worker's arrays, refusing anything but plain numeric arrays.

    Raises only ProtocolError, whatever `specs` (parsed JSON) and `blob` hold.
    """
    if not isinstance(specs, list):
        raise ProtocolError("malformed array list")
    arrays, offset = {}, 0
    for item in specs:
        name, dtype, shape, count = _shape(item)
        if name in arrays:
            raise ProtocolError(f"{name}: sent twice")
        size = count * dtype.itemsize
        if offset + size > len(blob):
            raise ProtocolError(f"{name}: truncated data")
        try:
            array = np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(shape)
            if dtype.kind == "b":  # only 0 and 1 are bools: other bytes would compare oddly
                array = array.view(np.uint8) != 0
            arrays[name] = array.astype(dtype.newbyteorder("="), copy=True)
        except (ValueError, TypeError, MemoryError) as err:  # (not reached: the checks above)
            raise ProtocolError(f"{name}: cannot be rebuilt ({type(err).__name__})") from None
        offset += size
    if offset != len(blob):
        raise ProtocolError("unexpected trailing data")
    return arrays


@dataclass
class RunResult:
    outputs: dict[str, np.ndarray] | None
    error: str | None
    kind: str            # "ok", "error", "memory", "timeout", "crash", "skipped"
    seconds: float       # time the worker reports for the student's code


class Answers:
    """What one submission's retries were answered, by question: a question asked again
    (the same helper call in another case, or another test) is answered from here.

    One per submission, never shared: across students, a remembered answer would be a
    channel between their sandboxes (a hit is answered sooner than a miss; an attacker
    session passed a byte from one student's retry to another's through such a memo).
    """

    def __init__(self, limit: int = 16 << 20) -> None:
        self.limit, self.size = limit, 0
        self.found: dict[tuple[Scale, bytes], tuple[bytes, bytes]] = {}

    def get(self, key: tuple[Scale, bytes]) -> tuple[bytes, bytes] | None:
        return self.found.get(key)

    def put(self, key: tuple[Scale, bytes], header: bytes, data: bytes) -> None:
        if self.size + len(header) + len(data) <= self.limit:
            self.found[key] = (header, data)
            self.size += len(header) + len(data) + 200


@dataclass(frozen=True)
class Oracle:
    """Who answers a retry's helper calls: the reference of `assignment`, in this thread's
    oracle process (`oracle.py`), for arguments within `bound` (the case's scale). An
    answer is a pure function of the question and these two (the reference helpers are
    deterministic), so `answers` (the submission's own) keeps it for the next time."""

    assignment: str
    bound: Scale
    answers: Answers = field(default_factory=Answers, compare=False, hash=False)


_PICKLED: dict[int, tuple[Case, bytes]] = {}  # id(case) -> (case, its pickled inputs)


def _pickled(case: Case) -> bytes:
    """`inputs_only(case)` pickled, once per case: every student runs the same cases (the
    entry holds the case, so its id is not reused)."""
    known = _PICKLED.get(id(case))
    if known is None or known[0] is not case:
        if len(_PICKLED) > 20_000:
            _PICKLED.clear()
        known = _PICKLED[id(case)] = (case, pickle.dumps(inputs_only(case)))
    return known[1]


def inputs_only(case: Case) -> Case:
    """The case as a sandbox gets it: the calls and what to return, nothing computed from
    the reference (a tolerance scales with the expected value: atol / rtol is its size)."""
    return replace(case, tolerances={}, rtol=0.0, atol=0.0)


class Session:
    """One sandbox holding one submission's code; always `close()` it.

    Every wait is bounded by the step timeout and by `deadline` (a time.monotonic() value:
    the submission's whole budget), whichever comes first.
    """

    def __init__(self, limits: Limits, assignment: str, deadline: float = math.inf) -> None:
        self.limits, self.deadline = limits, deadline
        self.supervisor, self.sock = zygote(assignment).spawn(limits)
        self.channel = Channel(self.sock)
        try:
            self.pidfd: int | None = os.pidfd_open(self.supervisor)
        except (AttributeError, OSError):
            self.pidfd = None
        self.alive = True
        try:
            header, _ = self.channel.receive(deadline=min(
                deadline, time.monotonic() + max(30.0, limits.timeout)))
        except (Deadline, ProtocolError) as err:
            self.close()
            raise SandboxFailure("crash", f"the sandbox did not start ({err})") from None
        isolation = header.get("isolation")
        self.isolation = [str(x)[:100] for x in isolation][:20] if isinstance(
            isolation, list) else []

    def _step_end(self) -> float:
        return min(self.deadline, time.monotonic() + self.limits.timeout)

    def _receive(self, end: float) -> tuple[dict, bytearray]:
        try:
            return self.channel.receive(deadline=end)
        except Deadline:
            self.close()
            raise SandboxFailure("timeout", "timed out") from None
        except ProtocolError as err:
            self.close()
            raise SandboxFailure("crash", f"the sandbox process died or misbehaved ({err})"
                                 ) from None

    def _send(self, header: dict, payload: bytes = b"") -> None:
        try:
            send(self.sock, header, payload)
        except OSError:
            self.close()
            raise SandboxFailure("crash", "the sandbox process died") from None

    def _fail(self, message: str, cell: str | None = None) -> SandboxFailure:
        self.close()
        failure = SandboxFailure("crash", message)
        failure.cell = cell
        return failure

    def load(self, setup: str, cells: list[tuple[str, str]]) -> dict[str, dict]:
        """Run the setup and answer cells; per cell {'ok', 'error', 'kind', 'seconds'}.

        Raises SandboxFailure with `.cell` set when a cell hangs or kills the process.
        """
        self._send({"op": "load", "setup": setup, "cells": [list(c) for c in cells]})
        results: dict[str, dict] = {}
        for name in ["setup", *(c[0] for c in cells)]:
            try:
                header, _ = self._receive(self._step_end())
            except SandboxFailure as failure:
                failure.cell = name
                raise
            if header.get("op") != "cell" or header.get("id") != name:
                raise self._fail("the sandbox sent an unexpected reply", name)
            ok = header.get("ok") is True
            error = None if ok else str(header.get("error"))[:300]
            results[name] = {"ok": ok, "error": error, "seconds": _seconds(header),
                             "kind": "memory" if header.get("kind") == "memory" else "error"}
        if self._receive(self._step_end())[0].get("op") != "loaded":
            raise self._fail("the sandbox sent an unexpected reply")
        return results

    def use_helpers(self, names: tuple[str, ...]) -> None:
        """From now on, calls to `names` are answered by `oracle` in `run` (retries only)."""
        self._send({"op": "helpers", "names": list(names)})
        if self._receive(self._step_end())[0].get("op") != "ready":
            raise self._fail("the sandbox sent an unexpected reply")

    def run(self, case: Case, oracle: Oracle | None = None,
            helpers: tuple[str, ...] = ()) -> RunResult:
        """Run one case; calls to `helpers` are answered here by `oracle`."""
        return next(self.run_many([case], [oracle], helpers))

    def run_many(self, cases: list[Case], oracles: list[Oracle | None] | None = None,
                 helpers: tuple[str, ...] = ()) -> Iterator[RunResult]:
        """Run cases in one request; each result as it comes, each within its own step
        timeout (and the budget). A failure raises at the case it happened in; `oracles[i]`
        answers the helper calls of case i."""
        self._send({"op": "run"}, pickle.dumps([_pickled(case) for case in cases]))
        for index in range(len(cases)):
            oracle = oracles[index] if oracles else None
            end = self._step_end()
            while True:
                header, blob = self._receive(end)
                if header.get("op") != "oracle":
                    break
                self._answer(header, blob, oracle, helpers, end)
            yield self._result(header, blob)

    def _result(self, header: dict, blob: bytearray) -> RunResult:
        seconds = _seconds(header)
        if header.get("ok") is True:
            try:
                return RunResult(decode_arrays(header.get("arrays"), blob), None, "ok", seconds)
            except ProtocolError as err:
                return RunResult(None, f"returned values could not be read ({err})", "error",
                                 seconds)
        kind = "memory" if header.get("kind") == "memory" else "error"
        return RunResult(None, str(header.get("error"))[:300], kind, seconds)

    def _answer(self, header: dict, blob: bytearray, oracle: Oracle | None,
                helpers: tuple[str, ...], end: float) -> None:
        """Have the reference answer a helper call sent as plain data; relay its answer."""
        name = header.get("function")
        if oracle is None or name not in helpers:
            raise self._fail("the sandbox asked for a helper it was not given")
        # The question as sent, byte for byte (its header names the helper): the same bytes
        # decode to the same arguments, so they get the same answer.
        question = hashlib.blake2b(self.channel.header_bytes, digest_size=16)
        question.update(blob)
        key = (oracle.bound, question.digest())
        answer = oracle.answers.get(key)
        if answer is None:
            try:
                found = oracle_process(oracle.assignment).ask(
                    self.channel.header_bytes, blob, oracle.bound, end)
            except OracleMalformed:
                raise self._fail("the sandbox sent a malformed helper call") from None
            except Deadline:
                self.close()
                raise SandboxFailure("timeout", "timed out") from None
            except ProtocolError:  # the reference's process died on these arguments
                found = None
            if found is None:
                self._send({"op": "answer", "ok": False})
                return
            answer = (found[0], bytes(found[1]))
            oracle.answers.put(key, *answer)
        try:
            send_raw(self.sock, *answer)
        except OSError:
            self.close()
            raise SandboxFailure("crash", "the sandbox process died") from None

    def output(self) -> str:
        try:
            self._send({"op": "output"})
            # (what was printed is a courtesy: at least 1 s, at most 5 s, and past the
            # submission's budget only for that first second)
            now = time.monotonic()
            header, _ = self._receive(min(max(self.deadline, now + 1.0), now + 5.0))
            return str(header.get("text", ""))[: self.limits.output_chars + 100]
        except SandboxFailure:
            return ""

    def close(self) -> None:
        if not self.alive:
            return
        self.alive = False
        try:
            self.sock.close()
        finally:
            self._stop_supervisor()

    def _stop_supervisor(self) -> None:
        if self.pidfd is None:
            try:
                os.kill(self.supervisor, signal.SIGTERM)
            except OSError:
                pass
            return
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGTERM)
            if not select.select([self.pidfd], [], [], 5.0)[0]:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except OSError:
            pass
        finally:
            os.close(self.pidfd)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _seconds(header: dict) -> float:
    """The student's run time the worker reports: a finite number of seconds, else 0."""
    value = header.get("seconds")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return 0.0
    return float(value) if 0 <= value < 1e6 else 0.0  # (NaN fails the range too)
