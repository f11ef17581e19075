"""The visible checks' helpers: compare, print what was compared, stop at the first wrong value.

A check prints one line when a value is right. When it is off, it raises AssertionError with
a message naming the function, the quantity and where to look, so that Run All halts at the
first function that needs attention rather than somewhere downstream.
"""

from __future__ import annotations

from collections.abc import Mapping
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
                    look_at: Mapping[str, str], threshold: float = 1e-7) -> None:
    """Print the numeric gradient check of `function`; stop if any gradient fails it.

    checks maps a gradient's name to (numeric gradient, your gradient); look_at maps the
    same name to what to look at when that gradient is off.
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
            names_by_hint.setdefault(look_at[name], []).append(name)
        raise AssertionError(
            f"{function}: the gradient check fails for {', '.join(failed)} (max rel error "
            f"{worst:.1e}, threshold {_limit(threshold)})"
            + "".join(f"\n    {', '.join(names)}: {hint}"
                      for hint, names in names_by_hint.items()))
