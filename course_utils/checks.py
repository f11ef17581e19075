"""The visible checks' helpers: compare, print what was compared, stop at the first wrong value.

A check prints one line when a value is right. When it is off, it raises AssertionError with
a message naming the function, the quantity and where to look, so that Run All halts at the
first function that needs attention rather than somewhere downstream.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from .gradcheck import gradient_report, rel_error


def _limit(tol: float) -> str:
    return f"{tol:.0e}".replace("e-0", "e-")  # 1e-08 -> 1e-8


def side_by_side(expected: Any, got: Any) -> str:
    """Two aligned lines, expected over got, for a message about a short result."""
    def row(values: Any) -> str:
        return " ".join(f"{v:10.4g}" for v in np.ravel(values).astype(np.float64))
    return f"\n    expected {row(expected)}\n    got      {row(got)}"


def check_close(function: str, name: str, got: Any, expected: Any, look_at: str,
                tol: float = 1e-8) -> None:
    """Stop unless `got` has the shape of `expected` and a max relative error below tol.

    Short results (at most 8 numbers) are printed under the expected ones, so that a value
    in the wrong place (a shift, a reversal) is visible at a glance.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if np.shape(got) != expected.shape:
        raise AssertionError(f"{function}: {name} has shape {np.shape(got)}, expected "
                             f"{expected.shape}: {look_at}")
    error = rel_error(got, expected)
    if not error < tol:  # a NaN fails too
        message = (f"{function}: {name} differs from the expected values (max rel error "
                   f"{error:.1e}, must be below {_limit(tol)}): {look_at}")
        if expected.size <= 8:
            message += side_by_side(expected, got)
        raise AssertionError(message)
    print(f"{function}: {name} matches the expected values (max rel error {error:.1e})")


def check_equal(function: str, name: str, got: Any, expected: Any, look_at: str) -> None:
    """Stop unless `got == expected` exactly (text, flags); both are shown when they differ."""
    if got != expected:
        raise AssertionError(f"{function}: {name} differs from the expected value: {look_at}"
                             f"\n    expected {expected!r}\n    got      {got!r}")
    print(f"{function}: {name} matches the expected value")


def check_gradients(function: str, checks: Mapping[str, tuple[Any, Any]],
                    look_at: Mapping[str, str], threshold: float = 1e-7,
                    all_fail: str | None = None) -> None:
    """Print the numeric gradient check of `function`; stop if any gradient fails it.

    checks maps a gradient's name to (numeric gradient, your gradient); look_at maps the
    same name to what to look at when that gradient is off. The message has one line per
    hint, listing the gradients it applies to. When every gradient fails and `all_fail` is
    given, that hint (about what they all share) replaces the per-gradient ones.
    """
    for name, (numeric, yours) in checks.items():
        if np.shape(yours) != np.shape(numeric):
            raise AssertionError(f"{function}: {name} has shape {np.shape(yours)}, expected "
                                 f"{np.shape(numeric)}: {look_at[name]}")
    if not gradient_report(dict(checks), threshold=threshold, title=function):
        errors = {name: rel_error(numeric, yours) for name, (numeric, yours) in checks.items()}
        failed = [name for name, error in errors.items() if not error <= threshold]
        worst = max(errors[name] for name in failed)
        names_by_hint: dict[str, list[str]] = {}  # one line per hint, listing its gradients
        for name in failed:
            hint = all_fail if all_fail is not None and len(failed) == len(errors) else None
            names_by_hint.setdefault(hint or look_at[name], []).append(name)
        raise AssertionError(
            f"{function}: the gradient check fails for {', '.join(failed)} (max rel error "
            f"{worst:.1e}, threshold {_limit(threshold)})"
            + "".join(f"\n    {', '.join(names)}: {hint}"
                      for hint, names in names_by_hint.items()))


def check_runs(function: str, case: str, look_at: str, fn: Callable[..., Any], /,
               *args: Any, **kwargs: Any) -> Any:
    """Return fn(*args, **kwargs); stop with a one-line AssertionError if it raises.

    A crash inside a student's function (a shape that does not fit, a wrong method call)
    then reads like any other failed check: the message names `function`, the `case` that
    was run, the error, and what to look at; the original traceback is chained above it.
    NotImplementedError (a function not written yet) and AssertionError pass unchanged.
    """
    try:
        return fn(*args, **kwargs)
    except (NotImplementedError, AssertionError):
        raise
    except Exception as error:
        raise _crashed(function, f"{case} raises", error, look_at) from error


def _crashed(function: str, what: str, error: Exception, look_at: str) -> AssertionError:
    detail = (str(error).splitlines() or [""])[0][:120]
    return AssertionError(f"{function}: {what} {type(error).__name__}"
                          + (f" ({detail})" if detail else "")
                          + f", see the traceback above: {look_at}")


# ------------------------------------------------------------------------- the contracts

def _leaves(value: Any, name: str) -> Iterator[tuple[str, np.ndarray]]:
    """(name, array) of every array in `value`, through tuples, lists and dicts."""
    if isinstance(value, np.ndarray):
        yield name, value
    elif isinstance(value, (tuple, list)):
        for k, item in enumerate(value):
            yield from _leaves(item, f"{name}[{k}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{name}[{key!r}]")


def _rebuild(value: Any, name: str, leaf: Callable[[str, np.ndarray], np.ndarray]) -> Any:
    """A copy of `value` whose arrays are `leaf(name, array)`; anything else (a generator,
    a string) is deep-copied, so every call starts from the same state."""
    if isinstance(value, np.ndarray):
        return leaf(name, value)
    if isinstance(value, tuple):
        return tuple(_rebuild(v, f"{name}[{k}]", leaf) for k, v in enumerate(value))
    if isinstance(value, list):
        return [_rebuild(v, f"{name}[{k}]", leaf) for k, v in enumerate(value)]
    if isinstance(value, dict):
        return {key: _rebuild(v, f"{name}[{key!r}]", leaf) for key, v in value.items()}
    return copy.deepcopy(value)


def _read_only(_: str, array: np.ndarray) -> np.ndarray:
    frozen = array.copy()
    frozen.flags.writeable = False
    return frozen


def _to_float32(_: str, array: np.ndarray) -> np.ndarray:
    return array.astype(np.float32) if np.issubdtype(array.dtype, np.floating) else array.copy()


def _outputs(result: Any, names: Sequence[str] | None) -> list[tuple[str, Any]]:
    """(name, value) of what a function returned: the elements of a returned tuple, each
    named after `names` when their counts agree."""
    values = list(result) if isinstance(result, tuple) else [result]
    if names is None or len(names) != len(values):
        names = ([f"output {k}" for k in range(len(values))] if len(values) > 1
                 else ["the output"])
    return list(zip(names, values))


def _returned_arrays(result: Any, names: Sequence[str] | None) -> list[tuple[str, np.ndarray]]:
    """The arrays a function returns as outputs: returned arrays and the arrays of a returned
    dict. Arrays inside a returned tuple or list are a cache, which may hold the inputs."""
    found = []
    for name, value in _outputs(result, names):
        if isinstance(value, np.ndarray):
            found.append((name, value))
        elif isinstance(value, dict):
            found += [(f"{name}[{key!r}]", v) for key, v in value.items()
                      if isinstance(v, np.ndarray)]
    return found


def _is_read_only_error(error: BaseException) -> bool:
    return isinstance(error, ValueError) and "read-only" in str(error)


def check_contracts(function: str, fn: Callable[..., Any], *args: Any,
                    float_outputs: bool = True, outputs: Sequence[str] | None = None,
                    **kwargs: Any) -> None:
    """Stop unless `fn(*args, **kwargs)` keeps the contracts every graded function states.

    1. It never writes into an input, not even temporarily: fn is called with read-only
       copies of every array argument (also those inside tuples, lists and dicts, such as a
       cache), so a write raises, even one that is undone before returning. A dict argument
       must not have entries added, removed or replaced either.
    2. It returns new arrays: no returned array (nor an array of a returned dict) is an
       input or a view of one. Arrays inside a returned tuple or list (a cache) may be.
    3. With float_outputs (the default), the dtype follows the inputs: fn is called again
       with every floating array argument cast to float32, and every floating array it
       returns must be float32. Pass float_outputs=False for a function whose stated dtype
       does not follow its inputs.

    A crash inside fn stops here too, as one line naming the function (the traceback is
    chained above it); NotImplementedError (not written yet) passes unchanged.
    `outputs` names the elements of a returned tuple for the messages (as in the docstring).
    The arguments themselves are never changed: every call gets its own copies.
    """
    bound = inspect.signature(fn).bind(*args, **kwargs)
    arguments = dict(bound.arguments)

    dicts: dict[str, tuple[dict[Any, Any], dict[Any, int]]] = {}

    def call(leaf: Callable[[str, np.ndarray], np.ndarray]) -> tuple[dict[str, Any], Any]:
        given = {name: _rebuild(value, name, leaf) for name, value in arguments.items()}
        dicts.clear()
        for name, value in given.items():
            if isinstance(value, dict):
                dicts[name] = (value, {key: id(entry) for key, entry in value.items()})
        call_with = inspect.BoundArguments(bound.signature, given)
        return given, fn(*call_with.args, **call_with.kwargs)

    # 1. no write into an input, not even one that is undone later
    where = "the line of your function where it happened"
    try:
        given, result = call(_read_only)
    except (NotImplementedError, AssertionError):
        raise
    except Exception as error:
        if not _is_read_only_error(error):
            raise _crashed(function, "raises", error, where) from error
        written = []
        for target, _ in (leaf for name, value in arguments.items()
                          for leaf in _leaves(value, name)):
            def only(name: str, array: np.ndarray, target: str = target) -> np.ndarray:
                return _read_only(name, array) if name == target else array.copy()
            try:
                call(only)
            except ValueError as inner:
                if _is_read_only_error(inner):
                    written.append(target)
        raise AssertionError(
            f"{function}: writes into its input {' and '.join(written) or 'arrays'} (even a "
            "write that is undone later loses points): compute into a new array (y = x * f, "
            "not x *= f; a[:] = ... only into an array you created) and leave every input "
            "as it came") from None
    for name, (entries, before) in dicts.items():
        if {key: id(value) for key, value in entries.items()} != before:
            raise AssertionError(
                f"{function}: changes the entries of its input {name} (adds, removes or "
                f"replaces one): build and return a new dict, leave {name} as it came")

    # 2. no input returned as an output
    inputs = [leaf for name, value in given.items() for leaf in _leaves(value, name)]
    for out_name, out in _returned_arrays(result, outputs):
        for in_name, array in inputs:
            if np.shares_memory(out, array):
                raise AssertionError(
                    f"{function}: returns its input {in_name} itself (or a view of it) as "
                    f"{out_name}: return a new array ({in_name}.copy(), or the result of an "
                    f"arithmetic operation such as {in_name} * scale), never an input")

    # 3. float32 in, float32 out
    if not float_outputs:
        return
    try:
        _, result32 = call(_to_float32)
    except (NotImplementedError, AssertionError):
        raise
    except Exception as error:
        raise _crashed(function, "with float32 inputs raises", error, where) from error
    wrong = [(name, out.dtype) for name, out in _returned_arrays(result32, outputs)
             if np.issubdtype(out.dtype, np.floating) and out.dtype != np.float32]
    if wrong:
        raise AssertionError(
            f"{function}: " + ", ".join(f"{name} is {dtype}" for name, dtype in wrong)
            + " for float32 inputs: build buffers with dtype=x.dtype (np.zeros_like(x), "
            "np.zeros(shape, dtype=x.dtype)) and do not cast with .astype(np.float64): the "
            "output dtype must follow the inputs")
