"""Plain values across the sandbox boundary: trees of tuples, lists and dicts of arrays.

A value travels as a compact JSON-able tree plus one byte string holding the array data:

    None, True/False, "text"   as themselves     tuple   [item, ...]
    int      {"i": "123"}                         list    {"l": [item, ...]}
    float    {"f": "0x1.8p+1"}                    dict    {"k": [key, ...], "v": [item, ...]}
    array    {"a": "<f8", "s": [3, 5]}            numpy scalar  {"g": "<f8"}
    the n-th array sent again (the same object)   {"r": n}
    in an answer, the n-th array of its question  {"q": n}

Decoding rebuilds only plain numeric arrays, numbers, strings, None and str-keyed dicts,
within limits of depth, node count and size, and never unpickles or evaluates anything; it
also measures what it rebuilt (`Measure`), so a caller can bound the work a value asks for
without walking it again. An array that occurs more than once in a value (a sequence's
cache holds the same weights at every step) is sent once and rebuilt as one object, as it
was; it counts in the measure at every occurrence. An answer can also name an array of
the question it answers ({"q": n}): a helper's cache holding its own arguments comes back
holding the caller's very objects, as an in-process call would. Used for the helper oracle
(a sandbox asks the grader to run a reference helper on its arguments) in both processes,
so it imports nothing but numpy.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

MAX_DEPTH = 16
MAX_NODES = 10_000
MAX_ELEMENTS = 4_000_000         # array elements in one value, all arrays together
MAX_TEXT = 10_000                # characters of one string, digits of one integer
ARRAY_KINDS = "biuf"             # bool, signed and unsigned integers, floats
MAX_RANK = 32


class WireError(Exception):
    """A value cannot be sent, or what arrived is not a well-formed plain value."""


class Measure(NamedTuple):
    """How big a value's arrays and numbers are (see `grader.scale.Scale`)."""

    largest: int    # largest array dimension
    rank: int       # most dimensions of an array
    elements: int   # array elements in all
    integer: int    # largest integer magnitude: array dimensions and integer arrays included
    shape: int      # most elements a shape in the value could ask for (see `shape_size`)


MAX_SHAPE_RANK = 64     # NumPy's most dimensions: a longer sequence is not a shape
_SHAPE_CAP = 1 << 62


def shape_size(items: Any) -> int:
    """How many elements `items` asks for if a helper uses it as a shape: the product of
    its magnitudes when it is 1 to 64 integers (a tuple, a list or a 1-D integer array),
    else 0. Capped, so a product of huge integers costs nothing to bound."""
    if not 0 < len(items) <= MAX_SHAPE_RANK:
        return 0
    size = 1
    for item in items:
        if not isinstance(item, (int, np.integer)) or isinstance(item, bool):
            return 0
        size *= abs(int(item))
        if size > _SHAPE_CAP:
            size = _SHAPE_CAP
    return size


class Encoded(NamedTuple):
    tree: Any
    data: bytes
    elements: int             # array elements in all
    arrays: list[np.ndarray]  # the arrays sent, in order (what {"q": n} of an answer names)


class Decoded(NamedTuple):
    value: Any
    measure: Measure
    arrays: list[np.ndarray]  # the arrays rebuilt, in order (see Encoded.arrays)


def _plain_dtype(text: Any) -> np.dtype:
    """The little-endian plain numeric dtype `text` names; WireError for anything else."""
    dtype = _DTYPES.get(text) if isinstance(text, str) else None
    if dtype is None:
        raise WireError(f"dtype {str(text)[:20]!r} is not a plain numeric type")
    return dtype


# Every dtype a value may carry, by its little-endian `dtype.str` (the only spelling sent),
# and the code each dtype already in that byte order is sent as.
_DTYPES = {np.dtype(code).newbyteorder("<").str: np.dtype(code).newbyteorder("<")
           for code in ("?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8",
                        "f2", "f4", "f8", np.longdouble)}
_CODES = {dtype: code for code, dtype in _DTYPES.items()}


def encode(value: Any, question: list[np.ndarray] | tuple = ()) -> Encoded:
    """The tree describing `value`, its arrays' bytes, and how many elements they hold;
    an array of `question` (the arrays of the call this value answers) is named, not sent."""
    blobs: list[bytes] = []
    arrays: list[np.ndarray] = []
    sent: dict[int, int] = {}  # id of an array already sent -> its index (alive in `value`)
    asked = {id(array): index for index, array in enumerate(question)}
    elements = 0

    def node(item: Any, depth: int) -> Any:
        nonlocal elements
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        kind = type(item)
        if kind is tuple:
            return [node(x, depth + 1) for x in item]
        if kind is np.ndarray and id(item) in sent:
            elements += item.size
            return {"r": sent[id(item)]}
        if kind is np.ndarray and id(item) in asked:
            elements += item.size
            return {"q": asked[id(item)]}
        if kind is np.ndarray or isinstance(item, np.generic):
            array = np.asarray(item)
            code = _CODES.get(array.dtype)
            if code is None:
                if array.dtype.kind not in ARRAY_KINDS:
                    raise WireError(f"cannot send an array of dtype {array.dtype}")
                array = array.astype(array.dtype.newbyteorder("<"))
                code = array.dtype.str
            blobs.append(array.tobytes())  # (C order, whatever the strides)
            elements += array.size
            if kind is np.ndarray:
                sent[id(item)] = len(arrays)
                arrays.append(array)
            return {"a": code, "s": list(array.shape)} if kind is np.ndarray else {"g": code}
        if item is None or kind is bool or kind is str:
            return item
        if isinstance(item, np.ndarray):  # (a subclass: sent as the plain array it holds)
            return node(np.asarray(item), depth)
        if isinstance(item, int):
            return {"i": str(int(item))}
        if isinstance(item, float):
            return {"f": float(item).hex()}
        if isinstance(item, str):
            return str(item)
        if isinstance(item, tuple):
            return [node(x, depth + 1) for x in item]
        if isinstance(item, list):
            return {"l": [node(x, depth + 1) for x in item]}
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                raise WireError("cannot send a dict with non-string keys")
            return {"k": [str(k) for k in item], "v": [node(x, depth + 1) for x in item.values()]}
        raise WireError(f"cannot send a {type(item).__name__}")

    tree = node(value, 0)
    return Encoded(tree, b"".join(blobs), elements, arrays)


class _Reader:
    def __init__(self, data: bytes | bytearray, question: list[np.ndarray] | tuple) -> None:
        self.data, self.offset, self.nodes, self.question = data, 0, 0, question
        self.largest = self.rank = self.elements = self.integer = self.shape = 0
        self.arrays: list[np.ndarray] = []  # every array rebuilt, in order (for {"r": n})

    def array(self, dtype: np.dtype, shape: Any) -> np.ndarray:
        if not isinstance(shape, list) or len(shape) > MAX_RANK:
            raise WireError("malformed array shape")
        count = extent = 1
        for n in shape:
            if type(n) is not int or not 0 <= n <= MAX_ELEMENTS:
                raise WireError("malformed array shape")
            count *= n
            extent *= max(n, 1)  # (a 0 must not hide dimensions numpy cannot describe)
            if extent > MAX_ELEMENTS:
                raise WireError("array too large")
            self.largest = max(self.largest, n)
        self.elements += count
        if self.elements > MAX_ELEMENTS:
            raise WireError("arrays too large")
        size = count * dtype.itemsize
        if self.offset + size > len(self.data):
            raise WireError("truncated array data")
        array = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.offset)
        self.offset += size
        self.rank = max(self.rank, len(shape))
        if dtype.kind == "b":  # only bytes 0 and 1 are bools
            array = array.view(np.uint8) != 0
        elif not array.flags.writeable or dtype.byteorder not in "=|":
            # a writable copy in native byte order (a bytearray payload needs none)
            array = array.astype(dtype.newbyteorder("="), copy=True)
        array = array.reshape(shape)
        if dtype.kind in "iu" and count:  # integers in an array are integers too
            self.integer = max(self.integer, abs(int(array.max())), abs(int(array.min())))
            if len(shape) == 1 and count <= MAX_SHAPE_RANK:
                self.shape = max(self.shape, shape_size(array.tolist()))
        return array

    def again(self, index: Any, arrays: list[np.ndarray] | tuple) -> np.ndarray:
        """`arrays[index]` (rebuilt earlier, or the question's), counted in the measure."""
        if type(index) is not int or not 0 <= index < len(arrays):
            raise WireError("malformed array reference")
        array = arrays[index]
        self.elements += array.size
        if self.elements > MAX_ELEMENTS:
            raise WireError("arrays too large")
        return array

    def node(self, tree: Any, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise WireError("value too deep or too large")
        kind = type(tree)
        if kind is dict:
            if len(tree) == 2 and "a" in tree:
                array = self.array(_plain_dtype(tree["a"]), tree.get("s"))
                self.arrays.append(array)
                return array
            return self.tagged(tree, depth)
        if kind is list:
            items = tuple([self.node(x, depth + 1) for x in tree])
            self.shape = max(self.shape, shape_size(items))
            return items
        if tree is None or kind is bool:
            return tree
        if kind is str:
            if len(tree) > MAX_TEXT:
                raise WireError("string too long")
            return tree
        raise WireError("malformed value")

    def tagged(self, tree: dict, depth: int) -> Any:
        if len(tree) == 1:
            (kind, value), = tree.items()
            if kind == "g":
                scalar = self.array(_plain_dtype(value), [])[()]
                if isinstance(scalar, np.integer):
                    self.integer = max(self.integer, abs(int(scalar)))
                return scalar
            if kind == "i" and isinstance(value, str) and len(value) <= MAX_TEXT:
                try:
                    number = int(value, 10)
                except ValueError:
                    raise WireError("malformed integer") from None
                self.integer = max(self.integer, abs(number))
                return number
            if kind == "f" and isinstance(value, str) and len(value) <= 64:
                try:
                    return float.fromhex(value)
                except (ValueError, OverflowError):
                    raise WireError("malformed float") from None
            if kind == "r":
                return self.again(value, self.arrays)
            if kind == "q":
                return self.again(value, self.question)
            if kind == "l" and isinstance(value, list):
                listed = [self.node(x, depth + 1) for x in value]
                self.shape = max(self.shape, shape_size(listed))
                return listed
        keys, items = tree.get("k"), tree.get("v")
        if (len(tree) == 2 and isinstance(keys, list) and isinstance(items, list)
                and len(keys) == len(items) and all(isinstance(k, str) for k in keys)):
            return {k: self.node(x, depth + 1) for k, x in zip(keys, items)}
        raise WireError("malformed value")


def decode_measured(tree: Any, data: bytes | bytearray,
                    question: list[np.ndarray] | tuple = ()) -> Decoded:
    """The value `encode` described, its `Measure` and its arrays; `question` holds the
    arrays an answer may name. Raises WireError for anything else."""
    reader = _Reader(data, question)
    try:
        value = reader.node(tree, 0)
    except RecursionError:
        raise WireError("value nested too deeply") from None
    if reader.offset != len(data):
        raise WireError("unexpected trailing data")
    measure = Measure(reader.largest, reader.rank, reader.elements,
                      max(reader.integer, reader.largest), reader.shape)
    return Decoded(value, measure, reader.arrays)


def decode(tree: Any, data: bytes | bytearray, question: list[np.ndarray] | tuple = ()) -> Any:
    """The value `encode` described; raises WireError for anything else."""
    return decode_measured(tree, data, question).value
