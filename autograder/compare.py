"""Compare a student's outputs with the reference outputs and phrase the verdict.

Runs only in trusted code: student values arrive here as plain arrays.
"""

from __future__ import annotations

import weakref

import numpy as np

from .spec import DTYPE_PREFIX, UNCHANGED_PREFIX, Case


def mismatch(
    name: str, got: np.ndarray | None, want: np.ndarray, case: Case
) -> str | None:
    """One-line description of how `got` differs from `want`, or None when they agree."""
    if name.startswith(DTYPE_PREFIX):
        return _dtype_mismatch(name[len(DTYPE_PREFIX):], got, want)
    if got is None:
        return f"{name} is missing"
    if got.shape != want.shape:
        return f"{name} has shape {got.shape}, expected {want.shape}"
    if want.dtype.kind in "biu" or got.dtype.kind in "biu":
        if np.array_equal(got, want):
            return None
        wrong = int(np.count_nonzero(got != want))
        return f"{name} differs in {wrong} of {want.size} entries"
    got64, want64 = np.asarray(got, np.float64), np.asarray(want, np.float64)
    rtol, atol = case.tolerance(name)
    if _finite(want) and _within(got64, want64, rtol, atol):
        return None  # (NaN and inf in `got` are never within: the common case, in one pass)
    if not np.all(np.isfinite(got64)):
        return f"{name} contains NaN or inf"
    if _close(got64, want64, rtol, atol):
        return None
    if name.startswith(UNCHANGED_PREFIX):  # a flag (1.0: inputs left alone), not a value
        return (f"{name[len(UNCHANGED_PREFIX):]} modified an input array in place or "
                "returned an input array itself")
    with np.errstate(invalid="ignore"):  # (an infinite expected value: inf / inf)
        error = np.abs(got64 - want64) / np.maximum(1e-8, np.abs(got64) + np.abs(want64))
    return f"{name} is off: max relative error {float(error.max()):.1e}"


def _dtype_mismatch(name: str, got: np.ndarray | None, want: np.ndarray) -> str | None:
    if got is None:
        return f"{name} is not a floating-point array, expected dtype {want.dtype}"
    if got.dtype == want.dtype:
        return None
    return (f"{name} has dtype {got.dtype}, expected {want.dtype}: the output dtype must "
            "follow the inputs' dtype")


_FINITE: dict[int, tuple[weakref.ref, bool]] = {}  # id(expected array) -> (it, all finite?)


def _finite(want: np.ndarray) -> bool:
    """Whether an expected array is all finite, worked out once per array (a grader
    compares every student with the same expected arrays; the entry does not keep the
    array alive, and a reused id is noticed)."""
    known = _FINITE.get(id(want))
    if known is None or known[0]() is not want:
        if len(_FINITE) > 100_000:
            _FINITE.clear()
        known = _FINITE[id(want)] = (weakref.ref(want), bool(np.isfinite(want).all()))
    return known[1]


def _within(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    with np.errstate(invalid="ignore", over="ignore"):
        return bool((np.abs(got - want) <= atol + rtol * np.abs(want)).all())


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    """`np.allclose` for finite `got`, without its generality (this runs for every output)."""
    if not np.isfinite(want).all():
        return bool(np.allclose(got, want, rtol=rtol, atol=atol))
    return bool((np.abs(got - want) <= atol + rtol * np.abs(want)).all())
