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
from collections.abc import Callable
from functools import partial
from typing import Any

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


def send_raw(sock: socket.socket, header: bytes, payload: bytes | bytearray = b"") -> None:
    """A frame whose header is already JSON text (one relayed as it was received)."""
    sock.sendall(_PREFIX.pack(len(header), len(payload)) + header + payload)


JOIN_BELOW = 1 << 16  # a frame smaller than this goes in one send (one wake-up of the reader)


def send_parts(sock: socket.socket, header: dict, *parts: bytes | bytearray) -> None:
    """A frame whose payload is `parts` joined: a small one in one send, a large one part
    by part (a payload relayed from a sandbox may be tens of MB: no copy of it is made)."""
    data = json.dumps(header).encode()
    size = sum(len(part) for part in parts)
    prefix = _PREFIX.pack(len(data), size) + data
    if size < JOIN_BELOW:
        sock.sendall(b"".join((prefix, *parts)))
        return
    sock.sendall(prefix)
    for part in parts:
        sock.sendall(part)


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


class Channel:
    """The receiving end of a socket: frames read in as few system calls as the data
    allows (usually one per frame), the bytes of the next frame kept for the next call."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.header_bytes = b""  # the last frame's header as sent (a key for answers)

    def _recv(self, read: Callable[[], Any], deadline: float | None) -> Any:
        """`read()` (one recv on the socket) within the deadline; Deadline or ProtocolError."""
        try:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Deadline()
                self.sock.settimeout(left)
            result = read()
        except TimeoutError:
            raise Deadline() from None
        except OSError as err:
            raise ProtocolError(f"connection lost ({err.strerror or err})") from None
        if not result:
            raise ProtocolError("connection closed")
        return result

    def _fill(self, size: int, deadline: float | None) -> None:
        while len(self.buffer) < size:  # reads at least 64 KiB: usually the whole frame
            want = (size - len(self.buffer)) | 0xFFFF
            self.buffer += self._recv(partial(self.sock.recv, want), deadline)

    def _read_into(self, view: memoryview, deadline: float | None) -> None:
        got = 0
        while got < len(view):
            got += self._recv(partial(self.sock.recv_into, view[got:]), deadline)

    def receive(self, deadline: float | None = None, max_header: int = MAX_HEADER,
                max_payload: int = MAX_PAYLOAD) -> tuple[dict, bytearray]:
        """One frame; raises Deadline after `deadline` (a time.monotonic() value) and
        ProtocolError for anything but a well-formed frame within the size limits. The
        payload is a fresh bytearray: arrays decoded from it can use it as their memory."""
        self._fill(_PREFIX.size, deadline)
        head_size, payload_size = _PREFIX.unpack_from(self.buffer)
        if head_size > max_header or payload_size > max_payload:
            raise ProtocolError(f"frame too large ({head_size} + {payload_size} bytes)")
        head_end = _PREFIX.size + head_size
        self._fill(head_end, deadline)  # (usually the whole frame: reads ahead 64 KiB)
        self.header_bytes = bytes(self.buffer[_PREFIX.size:head_end])
        header = parse_header(self.header_bytes)
        # The payload gets a buffer of its own and what is not yet read is received straight
        # into it: a large reply is held once here, not twice.
        buffered = self.buffer[head_end:head_end + payload_size]
        del self.buffer[:head_end + len(buffered)]
        if len(buffered) == payload_size:
            return header, buffered
        payload = bytearray(payload_size)
        payload[:len(buffered)] = buffered
        self._read_into(memoryview(payload)[len(buffered):], deadline)
        return header, payload


def receive(sock: socket.socket, deadline: float | None = None,
            max_header: int = MAX_HEADER, max_payload: int = MAX_PAYLOAD
            ) -> tuple[dict, bytearray]:
    """One frame from a socket nothing else reads (see `Channel.receive`)."""
    return Channel(sock).receive(deadline, max_header, max_payload)
