"""Grader side of the sandbox: start the pre-warmed worker, open sessions, check replies.

`Session` is one sandboxed process holding one submission's code. Everything it sends back
is untrusted: arrays arrive as raw bytes described by a JSON header and are rebuilt here
only if every dtype is a plain numeric one and every size adds up.
"""

from __future__ import annotations

import atexit
import math
import os
import pickle
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import wire
from ..export import copy_support_files
from ..layout import MEMORY_MB, TIMEOUT
from .protocol import Deadline, ProtocolError, receive, send

MAX_ARRAY_ELEMENTS = 10_000_000


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (see docs/grader.md)."""

    timeout: float = TIMEOUT     # wall clock per step: loading the cells, or one case
    memory_mb: int = MEMORY_MB   # address space on top of the pre-warmed interpreter
    disk_mb: int = 64            # size of the tmpfs working directory
    file_mb: int = 16            # largest file the student may write
    processes: int = 16          # threads of the sandbox (the filter allows no processes)
    output_chars: int = 20_000   # captured stdout+stderr

    @property
    def cpu_seconds(self) -> int:
        return int(self.timeout * 6) + 5


class SandboxFailure(Exception):
    """The sandbox stopped answering: `kind` is 'timeout' or 'crash'."""

    def __init__(self, kind: str, message: str, cell: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.cell = cell  # the cell being loaded when it happened, if any


def _scrubbed_env(base: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
            "KIT_GRADING": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(base / "mpl"),
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def _copy_libraries(libdir: Path, assignment: str) -> None:
    """Read-only copies of what a student of `assignment` may import (nothing else)."""
    copy_support_files(assignment, libdir)
    for path in [libdir, *libdir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _remove_stale_folders() -> None:
    """Folders of graders that were killed (SIGKILL leaves no chance to clean up)."""
    for folder in Path(tempfile.gettempdir()).glob("kit-grader-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


class Zygote:
    """The pre-warmed worker process of this grading process (one per process)."""

    def __init__(self, assignment: str) -> None:
        _remove_stale_folders()
        self.base = Path(tempfile.mkdtemp(prefix=f"kit-grader-{os.getpid()}-"))
        os.chmod(self.base, 0o711)  # the sandbox's unprivileged uid must reach lib/
        self.libdir = self.base / "lib"
        self.libdir.mkdir()
        (self.base / "root").mkdir()
        (self.base / "scratch").mkdir()
        (self.base / "mpl").mkdir()
        os.chmod(self.base / "scratch", 0o711)
        _copy_libraries(self.libdir, assignment)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", "autograder.grader.worker", str(self.libdir),
             str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=_scrubbed_env(self.base), cwd=self.base,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        self.lock = threading.Lock()
        self.control.settimeout(120)
        ready = self.control.recv(1 << 16)
        if not ready:
            raise RuntimeError("the grading worker failed to start")
        self.control.settimeout(30)

    def readonly_paths(self) -> list[str]:
        paths = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives"]
        for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
            paths += [prefix, os.path.realpath(prefix)]
        paths.append(str(self.libdir))
        return list(dict.fromkeys(paths))

    def spawn(self, limits: Limits) -> tuple[int, socket.socket]:
        config = {"root": str(self.base / "root"), "scratch": str(self.base / "scratch"),
                  "readonly": self.readonly_paths(), "disk_mb": limits.disk_mb,
                  "memory_mb": limits.memory_mb, "cpu_seconds": limits.cpu_seconds,
                  "file_mb": limits.file_mb, "processes": limits.processes,
                  "output_chars": limits.output_chars}
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        import json

        with self.lock:
            socket.send_fds(self.control, [json.dumps(config).encode()], [theirs.fileno()])
            reply = self.control.recv(1 << 16)
        theirs.close()
        if not reply:
            raise RuntimeError("the grading worker died")
        return int(json.loads(reply)["pid"]), ours

    def close(self) -> None:
        self.control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.base, ignore_errors=True)


_zygotes: dict[str, Zygote] = {}
_zygote_lock = threading.Lock()


def zygote(assignment: str) -> Zygote:
    """The pre-warmed worker for `assignment` (its library holds only that release's files)."""
    with _zygote_lock:
        current = _zygotes.get(assignment)
        if current is None or current.process.poll() is not None:
            current = _zygotes[assignment] = Zygote(assignment)
            atexit.register(current.close)
        return current


# What the worker sends (`dtype.str`): a byte order, then bool, int, uint or float of a
# standard size. Any byte order is accepted and converted to native: a student may return
# a byte-swapped array and its values are still the values. Nothing else is parsed.
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
    count = 1
    for n in shape:
        if type(n) is not int or not 0 <= n <= MAX_ARRAY_ELEMENTS:
            raise ProtocolError(f"{name}: malformed shape")
        count *= n
        if count > MAX_ARRAY_ELEMENTS:
            raise ProtocolError(f"{name}: too many elements")
    return name, np.dtype(dtype_text), tuple(shape), count


def decode_arrays(specs: object, blob: bytes) -> dict[str, np.ndarray]:
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
        array = np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(shape)
        if dtype.kind == "b":  # only 0 and 1 are bools: other bytes would compare oddly
            array = array.view(np.uint8) != 0
        arrays[name] = array.astype(dtype.newbyteorder("="), copy=True)
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


Oracle = Callable[[str, list, dict], Any]


class Session:
    """One sandbox holding one submission's code; always `close()` it.

    Every wait is bounded by the step timeout and by `deadline` (a time.monotonic() value:
    the submission's whole budget), whichever comes first.
    """

    def __init__(self, limits: Limits, assignment: str, deadline: float = math.inf) -> None:
        self.limits, self.deadline = limits, deadline
        self.supervisor, self.sock = zygote(assignment).spawn(limits)
        try:
            self.pidfd: int | None = os.pidfd_open(self.supervisor)
        except (AttributeError, OSError):
            self.pidfd = None
        self.alive = True
        try:
            header, _ = receive(self.sock, deadline=min(
                deadline, time.monotonic() + max(30.0, limits.timeout)))
        except (Deadline, ProtocolError) as err:
            self.close()
            raise SandboxFailure("crash", f"the sandbox did not start ({err})") from None
        isolation = header.get("isolation")
        self.isolation = [str(x)[:100] for x in isolation][:20] if isinstance(
            isolation, list) else []

    def _step_end(self) -> float:
        return min(self.deadline, time.monotonic() + self.limits.timeout)

    def _receive(self, end: float) -> tuple[dict, bytes]:
        try:
            return receive(self.sock, deadline=end)
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

    def run(self, case, oracle: Oracle | None = None,
            helpers: tuple[str, ...] = ()) -> RunResult:
        """Run one case; calls to `helpers` are answered here by `oracle(name, args, kwargs)`."""
        self._send({"op": "run"}, pickle.dumps(case))
        end = self._step_end()
        while True:
            header, blob = self._receive(end)
            if header.get("op") != "oracle":
                break
            self._answer(header, blob, oracle, helpers)
        seconds = _seconds(header)
        if header.get("ok") is True:
            try:
                return RunResult(decode_arrays(header.get("arrays"), blob), None, "ok", seconds)
            except ProtocolError as err:
                return RunResult(None, f"returned values could not be read ({err})", "error",
                                 seconds)
        kind = "memory" if header.get("kind") == "memory" else "error"
        return RunResult(None, str(header.get("error"))[:300], kind, seconds)

    def _answer(self, header: dict, blob: bytes, oracle: Oracle | None,
                helpers: tuple[str, ...]) -> None:
        """Run a reference helper here, on arguments sent as plain data; reply with data."""
        name = header.get("function")
        if oracle is None or name not in helpers:
            raise self._fail("the sandbox asked for a helper it was not given")
        try:
            args, kwargs = wire.decode(header.get("value"), blob)
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise wire.WireError("malformed arguments")
        except (wire.WireError, TypeError, ValueError):
            raise self._fail("the sandbox sent a malformed helper call") from None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree, data = wire.encode(oracle(name, args, kwargs))
            self._send({"op": "answer", "ok": True, "value": tree}, data)
        except Exception:  # noqa: BLE001 - the reference rejects these arguments
            self._send({"op": "answer", "ok": False})

    def output(self) -> str:
        try:
            self._send({"op": "output"})
            header, _ = self._receive(time.monotonic() + 5.0)
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
    return float(value) if math.isfinite(value) and 0 <= value < 1e6 else 0.0
