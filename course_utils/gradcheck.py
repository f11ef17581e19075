"""Numeric gradient checking for the RNN, LSTM and GRU assignments.

Every backward pass you write can be checked against a finite-difference estimate:

    fx = lambda x: rnn_step_forward(x, prev_h, Wx, Wh, b)[0]
    num_dx = eval_numerical_gradient_array(fx, x, dnext_h)
    ok = gradient_report({"dx": (num_dx, dx)}, title="rnn_step_backward")

The helpers perturb ``x`` *in place*, so ``f`` may ignore its argument and read a captured
array instead (``lambda _: loss(W)`` with ``x=W``). ``x`` is always restored afterwards, even
when ``f`` raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "PrecisionWarning",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "grad_check_sparse",
    "gradient_report",
    "rel_error",
]

# Floor for the relative-error denominator: keeps 0-vs-0 at 0 and tiny-vs-0 finite.
_EPS_DENOM = 1e-8


class PrecisionWarning(UserWarning):
    """Issued when a gradient check runs on an array less precise than float64."""


def _check_input(x: np.ndarray) -> None:
    """Reject inputs whose numeric gradient would be silently wrong or meaningless."""
    if not isinstance(x, np.ndarray):
        # A list would be copied on conversion, so f would never see the perturbation.
        raise TypeError(f"x must be a numpy ndarray, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        # x[idx] + 1e-5 truncates back to the same integer: every gradient would read 0.
        raise TypeError(f"x must be a float array, got dtype {x.dtype}; use x.astype(np.float64)")
    if np.finfo(x.dtype).bits < 64:
        # With ~7 significant digits, f(x+h) - f(x-h) is dominated by rounding noise.
        warnings.warn(
            f"x has dtype {x.dtype}; numeric gradients need float64 to be meaningful",
            PrecisionWarning,
            stacklevel=3,
        )


def _evaluate_at_offsets(
    f: Callable[[np.ndarray], ArrayLike], x: np.ndarray, idx: tuple[int, ...], h: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return (f(x + h e_idx), f(x - h e_idx)) as float64 copies; x[idx] is always restored."""
    original = x[idx].copy()
    try:
        x[idx] = original + h
        # Copy: f may return a view of x (or a buffer it reuses), which the next write would change.
        f_plus = np.array(f(x), dtype=np.float64)
        x[idx] = original - h
        f_minus = np.array(f(x), dtype=np.float64)
    finally:
        # Write back the saved value rather than undoing +h/-h, which need not round-trip exactly.
        x[idx] = original
    return f_plus, f_minus


def _scalar_difference(f_plus: np.ndarray, f_minus: np.ndarray, h: float) -> float:
    """Central difference of two scalar evaluations of f."""
    if f_plus.size != 1:
        raise ValueError(
            f"f must return a scalar, got shape {f_plus.shape}; "
            "use eval_numerical_gradient_array for array-valued f"
        )
    return (f_plus.item() - f_minus.item()) / (2.0 * h)


def eval_numerical_gradient(
    f: Callable[[np.ndarray], ArrayLike], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Estimate the gradient of a scalar function by central differences.

    Args:
        f: function of x returning a scalar (e.g. a loss).
        x: float64 array of any shape (N, ...); perturbed in place, then restored.
        h: step size.

    Returns:
        float64 array with the same shape as x: d f / d x.
    """
    _check_input(x)
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        grad[idx] = _scalar_difference(*_evaluate_at_offsets(f, x, idx, h), h)
    return grad


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], ArrayLike], x: np.ndarray, df: ArrayLike, h: float = 1e-5
) -> np.ndarray:
    """Estimate the gradient of sum(f(x) * df) for an array-valued f.

    This is what a backward pass computes: df is the upstream gradient d loss / d f(x).

    Args:
        f: function of x returning an array of shape (M, ...).
        x: float64 array of shape (N, ...); perturbed in place, then restored.
        df: upstream gradient, same shape as f(x): (M, ...).
        h: step size.

    Returns:
        float64 array with the same shape as x.
    """
    _check_input(x)
    df = np.asarray(df, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        f_plus, f_minus = _evaluate_at_offsets(f, x, idx, h)
        if f_plus.shape != df.shape:
            # Broadcasting would hide a mismatched upstream gradient and give plausible nonsense.
            raise ValueError(f"df has shape {df.shape} but f(x) has shape {f_plus.shape}")
        grad[idx] = np.sum((f_plus - f_minus) * df) / (2.0 * h)
    return grad


def rel_error(x: ArrayLike, y: ArrayLike) -> float:
    """Maximum elementwise relative error |x - y| / max(1e-8, |x| + |y|).

    Args:
        x, y: arrays of identical shape (S, ...).

    Returns:
        The largest relative error, or 0.0 when both arrays are empty.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs equal shapes, got {x.shape} and {y.shape}")
    if x.size == 0:
        return 0.0
    denom = np.maximum(_EPS_DENOM, np.abs(x) + np.abs(y))
    return float(np.max(np.abs(x - y) / denom))


def grad_check_sparse(
    f: Callable[[np.ndarray], ArrayLike],
    x: np.ndarray,
    analytic_grad: ArrayLike,
    num_checks: int = 10,
    h: float = 1e-5,
    seed: int = 0,
    *,
    verbose: bool = False,
) -> list[float]:
    """Compare a few random entries of an analytic gradient with central differences.

    Cheaper than a full check for big weight matrices. Entries are drawn (with replacement)
    from a private generator, so the global numpy RNG state is left untouched.

    Args:
        f: function of x returning a scalar.
        x: float64 array of shape (N, ...); perturbed in place, then restored.
        analytic_grad: your gradient, shape (N, ...) like x.
        num_checks: how many entries to sample.
        h: step size.
        seed: seed for the entry sampler; the same seed checks the same entries.
        verbose: print one line per checked entry.

    Returns:
        The relative error of each checked entry, in sampling order.
    """
    _check_input(x)
    analytic_grad = np.asarray(analytic_grad, dtype=np.float64)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"analytic_grad has shape {analytic_grad.shape}, x has {x.shape}")
    if x.size == 0:
        return []
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        idx = tuple(int(rng.integers(n)) for n in x.shape)
        numeric = _scalar_difference(*_evaluate_at_offsets(f, x, idx, h), h)
        analytic = float(analytic_grad[idx])
        err = rel_error(numeric, analytic)
        errors.append(err)
        if verbose:
            print(f"{idx}: numeric {numeric:+.6e}  analytic {analytic:+.6e}  rel error {err:.1e}")
    return errors


def gradient_report(
    checks: Mapping[str, tuple[ArrayLike, ArrayLike]],
    threshold: float = 1e-7,
    title: str | None = None,
) -> bool:
    """Print one PASS/FAIL line per parameter and say whether all of them passed.

    Args:
        checks: maps a parameter name to (numeric_grad, analytic_grad), both of shape (P, ...).
        threshold: largest acceptable max relative error.
        title: optional heading, e.g. the name of the backward function under test.

    Returns:
        True if every parameter's max relative error is at most threshold.
    """
    if not checks:
        # An empty report would "pass" without checking anything.
        raise ValueError("gradient_report needs at least one (numeric, analytic) pair")
    if title:
        print(f"{title}: gradient check")
    width = max(len(name) for name in checks)
    all_passed = True
    for name, (numeric, analytic) in checks.items():
        err = rel_error(numeric, analytic)
        # Compare with <= so that a NaN error (nan <= t is False) counts as a failure.
        passed = bool(err <= threshold)
        all_passed = all_passed and passed
        verdict = "PASS" if passed else "FAIL"
        print(f"  {name:<{width}}  max rel error {err:.1e}  {verdict} (threshold {threshold:.0e})")
    return all_passed
