"""Per-output tolerances, derived from the reference solution's own rounding error.

For every case and every floating-point output, the reference runs twice: on the case as
written, and on the same inputs in extended precision (every floating-point array cast to
`np.longdouble`, 64-bit mantissa on x86). Their largest difference is the reference's own
rounding error on this output, `err`. With `eps` the machine epsilon of the output's dtype
and `scale` its largest magnitude, the output passes when, elementwise,

    |got - want| <= atol + rtol * |want|,   atol = max(ERROR_FACTOR * err,
                                                       EPS_FACTOR * eps * max(scale, MIN_SCALE))
                                            rtol = EPS_FACTOR * eps

so a correct implementation that only orders its operations differently (a loop instead
of a product, float64 accumulation cast back to float32) passes, while in float64 every
allowance is below 1e-11 of the output's scale: a mistake of relative size 1e-7 fails.
Where longdouble is no wider than float64, `err` is 0 and the eps term alone decides.
The rule is stated in docs/authoring.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .execute import StudentError, run_case
from .spec import Call, Case

ERROR_FACTOR = 100.0  # times the reference's own error
EPS_FACTOR = {np.dtype(np.float64): 1e4, np.dtype(np.float32): 1e3}  # times eps
MIN_SCALE = 1e-3  # an output that is all zeros still allows EPS_FACTOR * eps * 1e-3


def _widened(value: Any) -> Any:
    """`value` with every floating-point array cast to longdouble."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.longdouble)
    if isinstance(value, dict):
        return {k: _widened(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_widened(v) for v in value)
    return value


def extended(case: Case) -> Case:
    """The same case in extended precision."""
    calls = tuple(Call(c.function, _widened(c.args), _widened(dict(c.kwargs)))
                  for c in case.calls)
    return dataclasses.replace(case, calls=calls)


def output_tolerance(want: np.ndarray, precise: np.ndarray | None) -> tuple[float, float]:
    """(rtol, atol) of one output from its reference value and the extended-precision one."""
    eps = float(np.finfo(want.dtype).eps)
    factor = EPS_FACTOR.get(want.dtype, EPS_FACTOR[np.dtype(np.float32)])
    finite = np.isfinite(want)
    scale = float(np.abs(want[finite]).max()) if finite.any() else 0.0
    err = 0.0
    if precise is not None and precise.shape == want.shape:
        difference = np.abs(want.astype(np.longdouble) - precise)[finite]
        err = float(difference.max()) if difference.size else 0.0
    atol = max(ERROR_FACTOR * err, factor * eps * max(scale, MIN_SCALE))
    return factor * eps, atol


def tolerances(case: Case, want: Mapping[str, np.ndarray],
               precise: Mapping[str, np.ndarray] | None) -> dict[str, tuple[float, float]]:
    """(rtol, atol) of every floating-point output of `case`."""
    found = {}
    for name in case.outputs:
        value = want.get(name)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            found[name] = output_tolerance(value, None if precise is None else precise.get(name))
    return found


def with_tolerances(case: Case, functions: Mapping[str, Callable[..., Any]]) -> Case:
    """`case` with the tolerance of each output derived from the error of the reference
    `functions`."""
    want = run_case(case, functions)
    try:
        precise: Mapping[str, np.ndarray] | None = run_case(extended(case), functions)
    except (StudentError, TypeError, ValueError):  # a numpy routine without longdouble
        precise = None
    return dataclasses.replace(case, tolerances=tolerances(case, want, precise))
