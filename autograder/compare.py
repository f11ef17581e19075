"""Compare a student's outputs with the reference outputs and phrase the verdict.

Runs only in trusted code: student values arrive here as plain arrays.
"""

from __future__ import annotations

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
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    if not np.all(np.isfinite(got64)):
        return f"{name} contains NaN or inf"
    if _close(got64, want64, *case.tolerance(name)):
        return None
    if name.startswith(UNCHANGED_PREFIX):  # a flag (1.0: inputs left alone), not a value
        return (f"{name[len(UNCHANGED_PREFIX):]} modified an input array in place or "
                "returned an input array itself")
    error = np.abs(got64 - want64) / np.maximum(1e-8, np.abs(got64) + np.abs(want64))
    return f"{name} is off: max relative error {float(error.max()):.1e}"


def _dtype_mismatch(name: str, got: np.ndarray | None, want: np.ndarray) -> str | None:
    if got is None:
        return f"{name} is not a floating-point array, expected dtype {want.dtype}"
    if got.dtype == want.dtype:
        return None
    return (f"{name} has dtype {got.dtype}, expected {want.dtype}: the output dtype must "
            "follow the inputs' dtype")


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    """`np.allclose` for finite `got`, without its generality (this runs for every output)."""
    if not np.isfinite(want).all():
        return bool(np.allclose(got, want, rtol=rtol, atol=atol))
    return bool((np.abs(got - want) <= atol + rtol * np.abs(want)).all())
