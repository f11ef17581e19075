"""The retry oracle's own process: reference helpers run on a sandbox's arguments.

A retry's helper calls are answered from the reference (see `runner`, `sandbox`). The
arguments are the student's: plain data that passed the wire's checks, but still chosen to
make the reference work hard, e.g. lists that numpy broadcasts into billions of elements.
So the reference never runs on them in the grader process: each grading thread keeps one
oracle process, started with the reference's cells (trusted source, sent over its socket)
and limited in address space. It decodes the question itself, measures it against the
case's scale, runs the helper and encodes the answer, which the grader relays to the
sandbox as it is. A call that runs out of memory is refused; one that runs past the
step's deadline costs the oracle process its life (the grader kills it and starts another
at the next question), never the grader's.

    python -m autograder.grader.oracle FD     (started by `OracleProcess`, never by hand)
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from .. import wire
from . import confine
from .protocol import (
    MAX_HEADER,
    MAX_PAYLOAD,
    Channel,
    Deadline,
    ProtocolError,
    parse_header,
    send,
    send_parts,
)
from .scale import Scale

MEMORY_MB = 1024          # address space the reference may add to the oracle process
START_SECONDS = 120.0     # to import numpy and run the reference's cells
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding `autograder`
NOBODY = 65534            # the oracle's uid and gid when the grader runs as root


class OracleMalformed(Exception):
    """The question is not a well-formed helper call (the sandbox misbehaved)."""


class OracleProcess:
    """One oracle process of one grading thread; `ask` it, `close` it."""

    def __init__(self, assignment: str) -> None:
        from ..reference import reference_cells  # (grader side only: the worker gets text)

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # (nothing of the grader's environment: the package is found by its path)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/", "MPLBACKEND": "Agg",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(PACKAGE_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.grader.oracle", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], cwd="/", env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        self.sock, self.channel = ours, Channel(ours)
        try:
            send(ours, {"op": "start", "assignment": assignment, "memory_mb": MEMORY_MB,
                        "cells": [list(cell) for cell in reference_cells(assignment)]})
            header, _ = self.channel.receive(deadline=time.monotonic() + START_SECONDS)
        except (OSError, Deadline, ProtocolError) as err:
            self.close()
            raise RuntimeError(f"the oracle process did not start ({err})") from None
        if header.get("op") != "ready":
            self.close()
            raise RuntimeError("the oracle process did not start")

    def ask(self, question: bytes, data: bytes | bytearray, bound: Scale, deadline: float
            ) -> tuple[bytes, bytearray] | None:
        """The answer frame to relay (header bytes, payload), or None when the reference
        cannot answer (arguments beyond the case, an error, out of memory). Raises
        OracleMalformed for a malformed question, Deadline after `deadline` (the process
        is then killed) and ProtocolError when the process died."""
        try:
            send_parts(self.sock, {"op": "ask", "bound": bound.numbers(),
                                   "split": len(question)}, question, data)
            header, payload = self.channel.receive(deadline=deadline)
        except Deadline:
            self.close()
            raise
        except (OSError, ProtocolError) as err:
            self.close()
            raise ProtocolError(f"the oracle process died ({err})") from None
        if header.get("op") == "malformed":
            raise OracleMalformed()
        if header.get("ok") is not True:
            return None
        return self.channel.header_bytes, payload

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.sock.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


_local = threading.local()
_started: list[OracleProcess] = []
_started_lock = threading.Lock()


def oracle_process(assignment: str) -> OracleProcess:
    """This thread's oracle process for `assignment` (started on first use, and again
    after one was killed)."""
    processes: dict[str, OracleProcess] = _local.__dict__.setdefault("processes", {})
    current = processes.get(assignment)
    if current is None or not current.alive():
        current = processes[assignment] = OracleProcess(assignment)
        with _started_lock:
            _started[:] = [p for p in _started if p.alive()] + [current]
    return current


@atexit.register
def _close_all() -> None:
    for process in list(_started):
        if process.alive():
            process.close()


# ---------------------------------------------------------------------------- oracle side

def _answer(question: dict, data: bytearray, bound: Scale,
            functions: dict) -> tuple[dict, bytes]:
    name = question.get("function")
    try:
        call = wire.decode_measured(question.get("value"), data)
        args_kwargs = call.value
        if (name not in functions or not isinstance(args_kwargs, tuple)
                or len(args_kwargs) != 2 or not isinstance(args_kwargs[0], tuple)
                or not isinstance(args_kwargs[1], dict)):
            raise wire.WireError("malformed arguments")
    except (wire.WireError, TypeError, ValueError):
        return {"op": "malformed"}, b""
    refused = {"op": "answer", "ok": False}
    if not Scale(*call.measure).within(bound):
        return refused, b""  # beyond the case's scale: the reference does not even start
    try:
        with np.errstate(all="ignore"):
            args, kwargs = args_kwargs
            # (what the answer holds of the arguments goes back by name: see wire)
            answer = wire.encode(functions[name](*args, **kwargs), call.arrays)
    except BaseException:  # noqa: BLE001 - MemoryError included: the reference cannot answer
        return refused, b""
    if answer.elements > 4 * (bound.largest + 4) * (bound.elements + 256):
        return refused, b""  # an answer larger than the case can need
    return {"op": "answer", "ok": True, "value": answer.tree}, answer.data


def _limit_memory(megabytes: int) -> None:
    with open("/proc/self/status") as status:
        vm = next((int(line.split()[1]) * 1024 for line in status
                   if line.startswith("VmSize:")), 0)
    limit = vm + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _confine() -> None:
    """Hold no more than the reference needs: no uid of the grader's (as root: nobody's),
    no new privileges, and the sandbox's system-call filter (no processes, no network)."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(38, ctypes.c_ulong(1), 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    libc.prctl(1, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)  # (cleared by the uid change)
    syscalls = confine.build()
    if syscalls is not None:
        try:
            syscalls.load()
        except OSError:  # a kernel without seccomp: the limits above still hold
            pass


def main() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(1, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG: die with it
    sock = socket.socket(fileno=int(sys.argv[1]))
    channel = Channel(sock)
    start, _ = channel.receive(max_header=64 << 20)  # the grader's: trusted
    from ..namespaces import run_cells

    cells = [(str(name), str(source)) for name, source in start["cells"]]
    namespace = run_cells(start["assignment"], cells, f"reference_{start['assignment']}")
    functions = {name: namespace[name] for name, _ in cells if name != "setup"}
    _limit_memory(int(start["memory_mb"]))
    _confine()
    send(sock, {"op": "ready"})
    while True:
        try:  # (a question is a sandbox's frame, header and payload, and 1 KB of ours)
            header, payload = channel.receive(max_payload=MAX_HEADER + MAX_PAYLOAD + 1024)
        except ProtocolError:
            return  # the grader is gone
        split = header["split"]
        try:
            question = parse_header(payload[:split])
        except ProtocolError:
            send(sock, {"op": "malformed"})
            continue
        reply, data = _answer(question, payload[split:], Scale(*header["bound"]), functions)
        send(sock, reply, data)


if __name__ == "__main__":
    main()
