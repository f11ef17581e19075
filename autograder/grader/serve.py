"""Inside the sandbox: answer the grader's requests until it says goodbye (or kills us).

Requests: run the setup and answer cells, make retries call the grader for their helpers
(`_oracle`), run this case, send the captured output. Replies are JSON and raw array
bytes, never pickles. Everything here runs beside student code, so nothing it computes is
trusted by the grader: it only carries the student's values out.
"""

from __future__ import annotations

import builtins
import io
import pickle
import socket
import sys
import time
import types
from typing import Any

import numpy as np

from autograder import execute, spec, wire
from autograder.execute import StudentError, no_ipython, rebind, run_case_raw

from .protocol import Channel, send


class Capped(io.TextIOBase):
    """stdout/stderr replacement: keeps the first `limit` characters, drops the rest."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.dropped = limit, 0, 0
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def writable(self) -> bool:
        return True

    def text(self) -> str:
        tail = f"\n[... {self.dropped} more characters dropped]" if self.dropped else ""
        return "".join(self.parts) + tail


def _snapshot(modules: list[types.ModuleType]) -> list[tuple[types.ModuleType, dict]]:
    return [(module, dict(vars(module))) for module in modules]


def _restore(snapshot: list[tuple[types.ModuleType, dict]]) -> None:
    """Undo monkeypatches of builtins/sys/the executor made by earlier student code."""
    for module, saved in snapshot:
        vars(module).update(saved)



def _encode(outputs: dict) -> tuple[list, bytes]:
    specs, blobs = [], []
    for name, value in outputs.items():
        array = np.asarray(value)
        if not array.flags.c_contiguous:  # (np.ascontiguousarray would make 0-d arrays 1-d)
            array = array.copy(order="C")
        specs.append([str(name), array.dtype.str, list(array.shape)])
        blobs.append(array.tobytes())
    return specs, b"".join(blobs)


def _error_kind(message: str) -> str:
    return "memory" if "MemoryError" in message else "error"


def _run_cell(name: str, source: str, namespace: dict) -> dict:
    started = time.perf_counter()
    try:
        exec(compile(source, f"<cell {name}>", "exec"), namespace)
        error = None
    except BaseException as err:  # noqa: BLE001 - SystemExit etc. are student errors too
        error = f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"
    return {"op": "cell", "id": name, "ok": error is None, "error": error,
            "kind": _error_kind(error or ""), "seconds": time.perf_counter() - started}


def _oracle(sock: socket.socket, channel: Channel, name: str) -> Any:
    """A stand-in for helper `name` that asks the grader to run the reference on its
    arguments: the sandbox gets the helper's outputs as plain data, never its code."""
    def helper(*args: Any, **kwargs: Any) -> Any:
        question = wire.encode((args, kwargs))
        send(sock, {"op": "oracle", "function": name, "value": question.tree}, question.data)
        header, payload = channel.receive()
        if header.get("op") != "answer" or header.get("ok") is not True:
            raise ValueError(f"{name} cannot run on these arguments")
        return wire.decode(header.get("value"), payload, question.arrays)

    helper.__name__ = helper.__qualname__ = name
    return helper


TRUSTED_HEADER = 16 << 20  # answer cells are at most 64 KB each (tamper.MAX_CODE_CELL)


def _run(case: spec.Case, functions: dict[str, Any]) -> tuple[dict, bytes]:
    started = time.perf_counter()
    try:
        outputs = run_case_raw(case, functions)
        specs, blob = _encode(outputs)
        reply: dict[str, Any] = {"ok": True, "arrays": specs}
    except StudentError as err:
        reply, blob = {"ok": False, "error": str(err)[:300], "kind": _error_kind(str(err))}, b""
    except BaseException as err:  # noqa: BLE001 - SystemExit, MemoryError, ...
        reply = {"ok": False, "kind": _error_kind(type(err).__name__),
                 "error": f"{type(err).__name__} while running the case"}
        blob = b""
    reply["seconds"] = time.perf_counter() - started
    return reply, blob


def serve(sock: socket.socket, output: Capped) -> None:
    """Answer the grader's requests until it says goodbye (or kills us)."""
    # Not numpy's namespaces: copying them touches some 1,400 objects shared with the
    # zygote, and each page touched is copied (about 8 ms per sandbox). A student who
    # replaces a numpy function changes only what their own sandbox computes: every verdict
    # is the grader's.
    snapshot = _snapshot([builtins, execute, spec, wire, sys, sys.modules[Channel.__module__]])
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins,
                                 "get_ipython": no_ipython}
    functions: dict[str, Any] = namespace
    channel = Channel(sock)
    while True:
        _restore(snapshot)  # what the cells just loaded patched must not break this loop
        header, payload = channel.receive(max_header=TRUSTED_HEADER)  # the grader's requests
        op = header.get("op")
        if op == "load":
            for name, source in [("setup", header["setup"]), *header["cells"]]:
                send(sock, _run_cell(name, source, namespace))
            send(sock, {"op": "loaded"})
        elif op == "helpers":
            # Retry phase only: these helpers are answered by the grader (see _oracle).
            stubs = {name: _oracle(sock, channel, name) for name in header["names"]}
            isolated = dict(namespace) | stubs
            functions = {n: rebind(v, isolated) for n, v in isolated.items()} | stubs
            send(sock, {"op": "ready"})
        elif op == "run":
            # Several cases per request, one reply each as it is done: no round trip per
            # case. (Trusted data, from the grader.)
            for pickled in pickle.loads(payload):  # (each case pickled once, grader-side)
                case = pickle.loads(pickled)
                _restore(snapshot)
                send(sock, *_run(case, functions))
        elif op == "output":
            send(sock, {"op": "output", "text": output.text()})
        else:
            return
