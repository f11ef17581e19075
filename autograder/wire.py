"""Plain values across the sandbox boundary: trees of tuples, lists and dicts of arrays.

A value travels as a JSON-able tree plus one byte string holding the array data. Decoding
rebuilds only plain numeric arrays, numbers, strings, None and str-keyed dicts, within
limits of depth, node count and size, and never unpickles or evaluates anything. Used for
the helper oracle (a sandbox asks the grader to run a reference helper on its arguments)
in both processes, so it imports nothing but numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_DEPTH = 16
MAX_NODES = 10_000
MAX_ELEMENTS = 4_000_000         # array elements in one value, all arrays together
MAX_TEXT = 10_000                # characters of one string, digits of one integer
ARRAY_KINDS = "biuf"             # bool, signed and unsigned integers, floats


class WireError(Exception):
    """A value cannot be sent, or what arrived is not a well-formed plain value."""


def encode(value: Any) -> tuple[Any, bytes]:
    """(tree, data): a tree of small dicts describing `value`, and the arrays' bytes."""
    blobs: list[bytes] = []
    size = [0]

    def node(item: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        if item is None:
            return {"t": "none"}
        if isinstance(item, bool):
            return {"t": "bool", "v": item}
        if isinstance(item, int):
            return {"t": "int", "v": str(item)}
        if isinstance(item, float):
            return {"t": "float", "v": item.hex()}
        if isinstance(item, str):
            return {"t": "str", "v": item}
        if isinstance(item, (np.ndarray, np.generic)):
            array = np.asarray(item)
            if array.dtype.kind not in ARRAY_KINDS:
                raise WireError(f"cannot send an array of dtype {array.dtype}")
            little = array.dtype.newbyteorder("<")
            if array.dtype != little:
                array = array.astype(little)
            data = array.tobytes()  # (C order, whatever the strides)
            blobs.append(data)
            size[0] += len(data)
            kind = "scalar" if isinstance(item, np.generic) else "array"
            return {"t": kind, "dtype": little.str, "shape": list(array.shape)}
        if isinstance(item, (tuple, list)):
            return {"t": type(item).__name__, "items": [node(x, depth + 1) for x in item]}
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                raise WireError("cannot send a dict with non-string keys")
            return {"t": "dict", "keys": list(item),
                    "items": [node(x, depth + 1) for x in item.values()]}
        raise WireError(f"cannot send a {type(item).__name__}")

    return node(value, 0), b"".join(blobs)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset, self.nodes, self.elements = data, 0, 0, 0

    def array(self, tree: dict) -> np.ndarray:
        dtype_text, shape = tree.get("dtype"), tree.get("shape")
        if not isinstance(dtype_text, str) or not isinstance(shape, list) or len(shape) > 32:
            raise WireError("malformed array")
        if not all(type(n) is int and 0 <= n <= MAX_ELEMENTS for n in shape):
            raise WireError("malformed array shape")
        try:
            dtype = np.dtype(dtype_text)
        except (TypeError, ValueError):
            raise WireError("unknown dtype") from None
        if (dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype
                or dtype.byteorder == ">"):
            raise WireError(f"dtype {dtype_text[:20]!r} is not a plain numeric type")
        count = 1
        for n in shape:
            count *= n
            if count > MAX_ELEMENTS:
                raise WireError("array too large")
        self.elements += count
        if self.elements > MAX_ELEMENTS:
            raise WireError("arrays too large")
        size = count * dtype.itemsize
        if self.offset + size > len(self.data):
            raise WireError("truncated array data")
        array = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.offset)
        self.offset += size
        return array.reshape(shape).copy()

    def node(self, tree: Any, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise WireError("value too deep or too large")
        if not isinstance(tree, dict) or not isinstance(tree.get("t"), str):
            raise WireError("malformed value")
        kind, value = tree["t"], tree.get("v")
        if kind == "none":
            return None
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind == "int" and isinstance(value, str) and len(value) <= MAX_TEXT:
            try:
                return int(value, 10)
            except ValueError:
                raise WireError("malformed integer") from None
        if kind == "float" and isinstance(value, str) and len(value) <= 64:
            try:
                return float.fromhex(value)
            except (ValueError, OverflowError):
                raise WireError("malformed float") from None
        if kind == "str" and isinstance(value, str) and len(value) <= MAX_TEXT:
            return value
        if kind in ("array", "scalar"):
            array = self.array(tree)
            if kind == "scalar":
                if array.shape != ():
                    raise WireError("malformed scalar")
                return array[()]
            return array
        items = tree.get("items")
        if kind in ("tuple", "list") and isinstance(items, list):
            values = [self.node(x, depth + 1) for x in items]
            return tuple(values) if kind == "tuple" else values
        keys = tree.get("keys")
        if (kind == "dict" and isinstance(items, list) and isinstance(keys, list)
                and len(keys) == len(items) and all(isinstance(k, str) for k in keys)):
            return {k: self.node(x, depth + 1) for k, x in zip(keys, items)}
        raise WireError("malformed value")


def decode(tree: Any, data: bytes) -> Any:
    """The value `encode` described; raises WireError for anything else."""
    reader = _Reader(data)
    try:
        value = reader.node(tree, 0)
    except RecursionError:
        raise WireError("value nested too deeply") from None
    if reader.offset != len(data):
        raise WireError("unexpected trailing data")
    return value
