"""The vocabulary of a hidden test: calls, references between them, cases and tests.

A case is plain data, a tiny program of calls into student functions, so the same case
can run inside the student's kernel (stock nbgrader hidden-test cells) or inside a
sandboxed worker (the kit's grader), while results are always compared by trusted code.
Caches never leave the process that made them: a later call refers to them by `Ref`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Ref:
    """The value returned by call number `call` (element `index` of a tuple, `key` of a dict)."""

    call: int
    index: int | None = None
    key: str | None = None


@dataclass(frozen=True)
class Rng:
    """A fresh `np.random.default_rng(seed)`, built in the process that runs the call."""

    seed: int


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """Inputs for one run: the calls to make and the named values to compare afterwards.

    `outputs` maps a name such as "dWh" to the `Ref` holding it. Every run also reports,
    for each function called, whether it left its array inputs untouched
    (see `unchanged_key`).
    """

    label: str
    calls: tuple[Call, ...]
    outputs: Mapping[str, Ref]
    rtol: float = 1e-6
    atol: float = 1e-8
    # Per output: (rtol, atol) derived from the reference's own rounding error
    # (`autograder.tolerance`); an output not listed here uses `rtol` and `atol`.
    tolerances: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def tolerance(self, name: str) -> tuple[float, float]:
        """(rtol, atol) of output `name` (a `dtype:` output uses its array's)."""
        base = name[len(DTYPE_PREFIX):] if name.startswith(DTYPE_PREFIX) else name
        return self.tolerances.get(base, (self.rtol, self.atol))


UNCHANGED_PREFIX = "inputs_unchanged:"
DTYPE_PREFIX = "dtype:"


def unchanged_key(function: str) -> str:
    """Name of the output that is 1.0 when `function` did not modify its inputs in place."""
    return f"{UNCHANGED_PREFIX}{function}"


ERROR_OUTPUT = "error:"  # a pseudo-output: the message of a run that raised, as code points


def error_outputs(message: str) -> dict[str, Any]:
    """A failed run as outputs a hint can be matched on: its message (see fingerprints)."""
    return {ERROR_OUTPUT: np.array([ord(c) for c in message], dtype=np.int64)}


HELPER_PREFIX = "helper:"  # an output of a helper call (a forward before its backward)


def helper_key(output: str) -> str:
    """Name of a case output that a helper call returns, e.g. the forward's `h` in a case
    of a backward test: with it right, a failure the retry fixes is blamed on the cache
    the helper returns (see `verdict.decide`)."""
    return f"{HELPER_PREFIX}{output}"


def dtype_key(output: str) -> str:
    """Name of the output carrying the dtype of output `output` (an empty array of it)."""
    return f"{DTYPE_PREFIX}{output}"


# Gradescope's visibility values, from the most to the least shown.
VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")


@dataclass(frozen=True)
class Test:
    """One nbgrader test cell: `grade_id == name`, worth `points`.

    It passes when, on every case from `cases()`, each of `outputs` matches the reference
    solution. If the first attempt fails, it is retried with the graded functions in
    `fallback` replaced by the reference (the student's own helpers, or the forward pass
    whose cache a backward pass consumes): a correct function is credited even when a
    helper it relies on is wrong, and that helper loses points in its own tests only.
    """

    __test__ = False  # not a pytest class

    name: str
    function: str
    points: float
    cases: Callable[[], list[Case]]
    outputs: tuple[str, ...]
    description: str
    fallback: tuple[str, ...] = ()
    # Gradescope's visibility of this test's result ("visible", "after_due_date",
    # "after_published", "hidden"); None: the course default, `layout.VISIBILITY`.
    visibility: str | None = None

    @functools.cached_property
    def side_condition(self) -> bool:
        """A test of how the function behaves (inputs left unchanged, the dtype of its
        outputs), not of its values: credited only where the values are right too."""
        return any(name.startswith((UNCHANGED_PREFIX, DTYPE_PREFIX)) for name in self.outputs)

    def __post_init__(self) -> None:
        if not self.name.startswith(f"test_{self.function}_"):
            raise ValueError(f"test name {self.name!r} must start with 'test_{self.function}_'")
        if self.visibility is not None and self.visibility not in VISIBILITIES:
            raise ValueError(f"test {self.name}: visibility {self.visibility!r} is not one of "
                             f"{', '.join(VISIBILITIES)}")
