"""Run one case against a table of functions and return plain numeric arrays.

This module is the only part of the autograder that touches student code. It imports
nothing but numpy and `spec`, so it can run inside the student's kernel or in a sandbox.
"""

from __future__ import annotations

import copy
import hashlib
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .spec import Call, Case, Ref, Rng, dtype_key, unchanged_key


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

    def run_line_magic(self, name: str = "", line: str = "", *args: Any, **kwargs: Any) -> None:
        # `%time` and `%prun` run their statement in the notebook's namespace (IPython's
        # `%timeit` runs it in a function of its own, and defines nothing).
        if name in ("time", "prun") and isinstance(line, str):
            caller = sys._getframe(1).f_globals
            exec(compile(line, "<magic>", "exec"), caller)
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


def _resolve(value: Any, results: list[Any], frozen: bool = True) -> Any:
    """The call's argument: a fresh copy of every array the case supplies, read-only when
    `frozen` (a write into it raises, so even an input changed and then restored shows);
    unfrozen, a value an earlier call returned is deep-copied too (it may hold such arrays)."""
    if isinstance(value, Ref):
        picked = _pick(results[value.call], value)
        return picked if frozen else _thawed(picked)
    if isinstance(value, Rng):
        return np.random.default_rng(value.seed)
    if isinstance(value, np.ndarray):
        if not frozen:
            return value.copy()
        # Backed by immutable bytes: unlike a read-only copy, it cannot be made writable
        # again (`setflags(write=True)` raises), so a write cannot be hidden that way.
        return np.frombuffer(value.tobytes(), dtype=value.dtype).reshape(value.shape)
    if isinstance(value, dict):
        return {k: _resolve(v, results, frozen) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_resolve(v, results, frozen) for v in value)
    return value


def _thawed(value: Any) -> Any:
    """A writable deep copy of a returned value (the value itself if it cannot be copied)."""
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - a student's object that refuses to be copied
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


AFTER = "after:"  # outputs carrying a supplied argument as its call left it
WROTE = "wrote:"  # present for a call that wrote into a read-only input (then run unfrozen)
ALIAS = "alias:"  # present for a call one of whose compared outputs is (a view of) an input


def _supplied(spec: Any, value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of each array a case supplied to a call, as the call's arguments hold
    it now; a container the call replaced or reshaped gives (path, None)."""
    if isinstance(spec, (Ref, Rng)):
        return
    if isinstance(spec, np.ndarray):
        yield path, value
    elif isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            yield path, None
            return
        for key in spec:
            yield from _supplied(spec[key], value[key], f"{path}[{key!r}]")
    elif isinstance(spec, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(spec):
            yield path, None
            return
        for index, (item_spec, item) in enumerate(zip(spec, value)):
            yield from _supplied(item_spec, item, f"{path}[{index}]")


def _held(call: Call, args: Any, kwargs: Any) -> list[tuple[str, Any]]:
    """`_supplied` for a call's arguments as `args` and `kwargs` hold them now."""
    return list(_supplied((call.args, dict(call.kwargs)), (args, kwargs), ""))


def _state(held: list[tuple[str, Any]]) -> np.ndarray:
    """A digest of every array the case supplied to a call, as its arguments hold them now
    (`_held`: path, dtype, shape and bytes; a replaced container or array counts too): 16
    bytes as a uint8 array."""
    digest = hashlib.blake2b(digest_size=16)
    for path, value in held:
        if type(value) is np.ndarray and value.dtype.kind in "biuf":
            digest.update(f"{path}|{value.dtype.str}|{value.shape}|".encode())
            digest.update(np.ascontiguousarray(value).tobytes())
        else:
            digest.update(f"{path}|not a plain array|".encode())
    return np.frombuffer(digest.digest(), dtype=np.uint8)


_SUPPLIED: dict[int, tuple[Call, np.ndarray]] = {}  # id(call) -> (call, its _state)


def _supplied_state(call: Call) -> np.ndarray:
    """`_state` of what a case's call supplies, computed once per call (cases are reused
    for every student; the entry holds the call, so its id is not reused)."""
    known = _SUPPLIED.get(id(call))
    if known is None or known[0] is not call:
        if len(_SUPPLIED) > 100_000:
            _SUPPLIED.clear()
        known = _SUPPLIED[id(call)] = (call, _state(_held(call, call.args, dict(call.kwargs))))
    return known[1]


def _after(index: int, held: list[tuple[str, Any]]) -> dict[str, np.ndarray]:
    """The state of the supplied arrays right after call `index` (`_state`): plain data
    for the grader, which compares it with the state of what the case supplied (one small
    digest per call, not a copy of every input, keeps the replies small)."""
    return {f"{AFTER}{index}": _state(held)}


def inputs_unchanged(case: Case, outputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The judged outputs: the case's named outputs, `unchanged_key(f)` = 1.0 or 0.0 for
    every function called, judged from the arrays the case supplied, their state after each
    call and whether the call tried to write into them (`run_case_raw`), and `dtype_key(o)`
    (an empty array of that dtype) for every floating-point output o."""
    judged = {name: value for name, value in outputs.items()
              if not name.startswith((AFTER, WROTE, ALIAS))}
    for name in case.outputs:
        value = outputs.get(name)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            judged[dtype_key(name)] = np.empty(0, dtype=value.dtype)
    unchanged: dict[str, float] = {}
    for index, call in enumerate(case.calls):
        kept = f"{WROTE}{index}" not in outputs and f"{ALIAS}{index}" not in outputs
        after = outputs.get(f"{AFTER}{index}")
        kept = kept and isinstance(after, np.ndarray) and after.shape == (16,) and (
            after.dtype == np.uint8) and bool(np.array_equal(after, _supplied_state(call)))
        unchanged[call.function] = min(unchanged.get(call.function, 1.0), float(kept))
    judged.update({unchanged_key(f): np.array(v) for f, v in unchanged.items()})
    return judged


def _aliases(value: Any, inputs: list[np.ndarray]) -> bool:
    """Whether a returned value is, or holds, one of the call's input arrays (or a view of
    one): the caller changing what it got back would change its inputs."""
    if isinstance(value, (list, tuple)):
        return any(_aliases(item, inputs) for item in value[:64])
    if isinstance(value, dict):
        return any(_aliases(item, inputs) for item in list(value.values())[:64])
    return isinstance(value, np.ndarray) and any(
        np.may_share_memory(value, array) for array in inputs)


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


class _WroteInput(Exception):
    """The call raised when it wrote into a read-only array the case supplied."""


def _call(functions: Mapping[str, Callable[..., Any]], call: Call, args, kwargs) -> Any:
    function = functions.get(call.function)
    if function is None:
        raise StudentError(f"{call.function} is not defined")
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise StudentError(f"{call.function} is not implemented yet") from None
    except ValueError as err:
        if "read-only" in str(err) or "WRITEABLE" in str(err):  # (also: setflags(write=True))
            raise _WroteInput() from None
        message = str(err).splitlines()[0][:200] if str(err) else ""
        raise StudentError(f"{call.function} raised ValueError: {message}") from None
    except Exception as err:  # noqa: BLE001 - the student's exception is the message
        message = str(err).splitlines()[0][:200] if str(err) else ""
        raise StudentError(f"{call.function} raised {type(err).__name__}: {message}") from None


def run_case_raw(case: Case, functions: Mapping[str, Callable[..., Any]]
                 ) -> dict[str, np.ndarray]:
    """Make the case's calls in order; return its named outputs as plain arrays, and the
    state of every supplied array after its call (judged by `inputs_unchanged`).

    A call gets the supplied arrays read-only; one that writes into them is made again
    with writable copies (its values are graded as usual) and marked `WROTE`."""
    results: list[Any] = []
    given: list[Any] = []
    outputs: dict[str, np.ndarray] = {}
    for index, call in enumerate(case.calls):
        args = _resolve(call.args, results)
        kwargs = _resolve(dict(call.kwargs), results)
        try:
            results.append(_call(functions, call, args, kwargs))
        except _WroteInput:
            outputs[f"{WROTE}{index}"] = np.ones(())
            args = _resolve(call.args, results, frozen=False)
            kwargs = _resolve(dict(call.kwargs), results, frozen=False)
            try:
                results.append(_call(functions, call, args, kwargs))
            except _WroteInput:
                raise StudentError(f"{call.function} raised ValueError: output array is "
                                   "read-only") from None
        held = _held(call, args, kwargs)  # (walked once: for the digest and for aliases)
        outputs.update(_after(index, held))
        given.append([value for _, value in held if isinstance(value, np.ndarray)])
    for ref in case.outputs.values():
        if _aliases(_pick(results[ref.call], ref), given[ref.call]):
            outputs[f"{ALIAS}{ref.call}"] = np.ones(())
    outputs.update({name: to_plain_array(_pick(results[ref.call], ref), name)
                    for name, ref in case.outputs.items()})
    return outputs


def run_case(case: Case, functions: Mapping[str, Callable[..., Any]]) -> dict[str, np.ndarray]:
    """`run_case_raw`, judged in this process: for trusted code (reference, mutants, the
    stock nbgrader path); the sandboxed grader judges a worker's raw outputs itself."""
    return inputs_unchanged(case, run_case_raw(case, functions))
