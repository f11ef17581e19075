"""Framing between the trusted grader and a sandboxed worker over a Unix socket.

A frame is a JSON header and an optional binary payload, each length-prefixed. The grader
sends pickled cases to the worker (trusted data flowing into the sandbox); the worker
answers with JSON and raw array bytes only, which the grader parses defensively: nothing
coming out of the sandbox is ever unpickled, decompressed or evaluated.

This module runs in both processes, so it imports nothing beyond the standard library.
"""

from __future__ import annotations

import json
import socket
import struct
import time

_PREFIX = struct.Struct(">IQ")  # header length, payload length
MAX_HEADER = 1 << 20            # 1 MiB of JSON from the worker
MAX_PAYLOAD = 64 << 20          # 64 MiB of array bytes from the worker


class ProtocolError(Exception):
    """The other side closed the socket, sent garbage or exceeded a size limit."""


class Deadline(Exception):
    """The other side did not answer in time."""


def send(sock: socket.socket, header: dict, payload: bytes = b"") -> None:
    data = json.dumps(header).encode()
    sock.sendall(_PREFIX.pack(len(data), len(payload)) + data + payload)


def _read_exact(sock: socket.socket, size: int, deadline: float | None) -> bytearray:
    """Exactly `size` bytes, received straight into a writable buffer (arrays decoded from
    a payload can use it as their memory: no copy)."""
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        try:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Deadline()
                sock.settimeout(left)
            count = sock.recv_into(view[got:], min(size - got, 1 << 20))
        except TimeoutError:
            raise Deadline() from None
        except OSError as err:
            raise ProtocolError(f"connection lost ({err.strerror or err})") from None
        if not count:
            raise ProtocolError("connection closed")
        got += count
    return buffer


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_header(data: bytes | bytearray) -> dict:
    """A frame's JSON header: a dict, or ProtocolError for anything else a sandbox can send
    (not UTF-8, not JSON, NaN/Infinity, integers too long to read, nesting too deep)."""
    try:
        header = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise ProtocolError("malformed header") from None
    if not isinstance(header, dict):
        raise ProtocolError("malformed header")
    return header


def receive(sock: socket.socket, deadline: float | None = None,
            max_header: int = MAX_HEADER, max_payload: int = MAX_PAYLOAD
            ) -> tuple[dict, bytearray]:
    """One frame; raises Deadline after `deadline` (a time.monotonic() value) and
    ProtocolError for anything but a well-formed frame within the size limits."""
    head_size, payload_size = _PREFIX.unpack(_read_exact(sock, _PREFIX.size, deadline))
    if head_size > max_header or payload_size > max_payload:
        raise ProtocolError(f"frame too large ({head_size} + {payload_size} bytes)")
    header = parse_header(_read_exact(sock, head_size, deadline))
    return header, _read_exact(sock, payload_size, deadline)
