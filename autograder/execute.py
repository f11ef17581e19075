"""Run one case against a table of functions and return plain numeric arrays.

This module is the only part of the autograder that touches student code. It imports
nothing but numpy and `spec`, so it can run inside the student's kernel or in a sandbox.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .spec import Call, Case, Ref, Rng, unchanged_key


def rebind(function: Any, namespace: dict[str, Any]) -> Any:
    """The same function, looking up global names in `namespace` instead of its own.

    Used to run a student's function with some helpers swapped for the reference.
    """
    if not isinstance(function, types.FunctionType):
        return function
    clone = types.FunctionType(function.__code__, namespace, function.__name__,
                               function.__defaults__, function.__closure__)
    clone.__kwdefaults__ = function.__kwdefaults__
    return clone


class _NoIPython:
    """What `get_ipython()` gives code that runs outside a kernel: magics do nothing.

    Cells are turned into Python by IPython's own input transformation (see
    `notebooks.python_source`), which writes `%magic` lines as calls on `get_ipython()`.
    """

    def run_line_magic(self, *args: Any, **kwargs: Any) -> None:
        return None

    def run_cell_magic(self, *args: Any, **kwargs: Any) -> None:
        return None

    def system(self, *args: Any, **kwargs: Any) -> None:
        return None

    def getoutput(self, *args: Any, **kwargs: Any) -> list[str]:
        return []


def no_ipython() -> _NoIPython:
    return _NoIPython()


class StudentError(Exception):
    """A student function raised, or returned something that cannot be graded."""


def _resolve(value: Any, results: list[Any]) -> Any:
    if isinstance(value, Ref):
        return _pick(results[value.call], value)
    if isinstance(value, Rng):
        return np.random.default_rng(value.seed)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _resolve(v, results) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_resolve(v, results) for v in value)
    return value


def _pick(result: Any, ref: Ref) -> Any:
    try:
        value = result if ref.index is None else result[ref.index]
        return value if ref.key is None else value[ref.key]
    except (IndexError, KeyError, TypeError) as err:
        where = f"element {ref.index}" if ref.index is not None else "result"
        if ref.key is not None:
            where += f" key {ref.key!r}"
        raise StudentError(f"could not take {where} of the returned value ({err})") from None


def _given(spec: Any, value: Any) -> Any:
    """Copy of the parts of a call's arguments that the case supplied (not Refs or Rngs)."""
    if isinstance(spec, (Ref, Rng)):
        return None
    if isinstance(spec, np.ndarray):
        return value.copy() if isinstance(value, np.ndarray) else ("replaced", id(value))
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return ("replaced", id(value))
        return {k: _given(v, value.get(k, KeyError)) for k, v in spec.items()} | {
            "__keys__": tuple(sorted(value))}
    if isinstance(spec, (list, tuple)):
        return tuple(_given(s, v) for s, v in zip(spec, value))
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=True)
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b)))
    return type(a) is type(b) and a == b


def to_plain_array(value: Any, name: str) -> np.ndarray:
    """Convert a returned value to a plain numeric ndarray, refusing anything exotic.

    Strings become arrays of code points so generated text can be compared too.
    """
    if isinstance(value, str):
        return np.array([ord(c) for c in value], dtype=np.int64)
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        raise StudentError(f"{name} is a {type(value).__name__}, expected a plain numpy array")
    if isinstance(value, (bool, int, float, np.number, np.bool_)) or type(value) is np.ndarray:
        array = np.array(value)
    elif isinstance(value, (list, tuple)):
        try:
            array = np.array(value)
        except Exception:  # noqa: BLE001 - any failure means "not numeric"
            raise StudentError(f"{name} is not a numeric array") from None
    else:
        raise StudentError(f"{name} is a {type(value).__name__}, expected a numpy array")
    if array.dtype.kind not in "biuf":
        raise StudentError(f"{name} has dtype {array.dtype}, expected a numeric array")
    return np.ascontiguousarray(array)


def _call(functions: Mapping[str, Callable[..., Any]], call: Call, args, kwargs) -> Any:
    function = functions.get(call.function)
    if function is None:
        raise StudentError(f"{call.function} is not defined")
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise StudentError(f"{call.function} is not implemented yet") from None
    except Exception as err:  # noqa: BLE001 - the student's exception is the message
        message = str(err).splitlines()[0][:200] if str(err) else ""
        raise StudentError(f"{call.function} raised {type(err).__name__}: {message}") from None


def run_case(case: Case, functions: Mapping[str, Callable[..., Any]]) -> dict[str, np.ndarray]:
    """Make the case's calls in order; return its named outputs as plain arrays.

    Also returns `unchanged_key(f)` = 1.0 or 0.0 for every function called: whether it
    left every array it was given exactly as it was.
    """
    results: list[Any] = []
    unchanged: dict[str, float] = {}
    for call in case.calls:
        args = _resolve(call.args, results)
        kwargs = _resolve(dict(call.kwargs), results)
        supplied = (call.args, dict(call.kwargs))
        before = _given(supplied, (args, kwargs))
        results.append(_call(functions, call, args, kwargs))
        kept = _same(before, _given(supplied, (args, kwargs)))
        unchanged[call.function] = min(unchanged.get(call.function, 1.0), float(kept))
    outputs = {name: to_plain_array(_pick(results[ref.call], ref), name)
               for name, ref in case.outputs.items()}
    outputs.update({unchanged_key(f): np.array(v) for f, v in unchanged.items()})
    return outputs
