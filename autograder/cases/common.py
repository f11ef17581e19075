"""Building blocks shared by the case modules: shapes, seeded random arrays, test families."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import TypedDict

import numpy as np

from ..spec import Case, Ref, Test, dtype_key, unchanged_key

# Edge shapes every recurrent function must handle: every axis of length one at once, then
# each axis alone of length one (N, T, H, D: a squeeze or a missing keepdims shows there),
# and input size different from hidden size in both directions.
EDGE_SHAPES: tuple[dict[str, int], ...] = (
    dict(N=1, T=1, D=1, H=1),
    dict(N=1, T=4, D=3, H=5),
    dict(N=3, T=1, D=2, H=4),
    dict(N=2, T=6, D=5, H=1),
    dict(N=3, T=3, D=1, H=4),
    dict(N=4, T=5, D=6, H=3),
)

class Tolerance(TypedDict, total=False):
    rtol: float
    atol: float


FLOAT32: Tolerance = {"rtol": 1e-3, "atol": 1e-5}


def shapes(seed: int, count: int = 4) -> Iterator[dict[str, int]]:
    """The edge shapes, then `count` random ones drawn from `seed`."""
    yield from EDGE_SHAPES
    rng = np.random.default_rng(seed)
    for _ in range(count):
        N, T, D, H = (int(v) for v in rng.integers(1, 8, size=4))
        yield dict(N=N, T=T, D=D, H=H)


def label(**sizes: int) -> str:
    return " ".join(f"{k}={v}" for k, v in sizes.items())


def randn(rng: np.random.Generator, *shape: int, scale: float = 1.0,
          dtype: type = np.float64) -> np.ndarray:
    return (scale * rng.standard_normal(shape)).astype(dtype)


def value_tests(function: str, cases: Callable[[], list[Case]], outputs: dict[str, str],
                points: float = 1.0, fallback: tuple[str, ...] = (), tag: str = "") -> list[Test]:
    """One test per output, so a mistake in one gradient does not zero the others.

    Test names are `test_<function>_[<tag>_]<output>`.
    """
    prefix = f"test_{function}_{tag}_" if tag else f"test_{function}_"
    return [
        Test(name=prefix + name, function=function, points=points, cases=cases,
             outputs=(name,), description=f"{function}: {what}", fallback=fallback)
        for name, what in outputs.items()
    ]


def with_visibility(visibility: str, tests: Iterable[Test]) -> list[Test]:
    """A group of tests (one function's, a family) whose results students see at
    `visibility` ("visible", "after_due_date", "after_published", "hidden"), e.g.
    `*with_visibility("after_due_date", value_tests(...))` in TESTS; a test left alone
    gets the course default, `layout.VISIBILITY`."""
    return [dataclasses.replace(test, visibility=visibility) for test in tests]


def unchanged_test(function: str, cases: Callable[[], list[Case]], points: float = 1.0,
                   fallback: tuple[str, ...] = ()) -> Test:
    return Test(name=f"test_{function}_inputs_unchanged", function=function, points=points,
                cases=cases, outputs=(unchanged_key(function),),
                description=f"{function} leaves its input arrays unmodified (and returns none of "
                "them)", fallback=fallback)


def dtype_test(function: str, cases: Callable[[], list[Case]], outputs: tuple[str, ...],
               points: float = 0.5, fallback: tuple[str, ...] = ()) -> Test:
    """The dtype contract: float32 inputs give float32 `outputs`, float64 give float64
    (credited only where the values are right too)."""
    return Test(name=f"test_{function}_dtype", function=function, points=points, cases=cases,
                outputs=tuple(dtype_key(name) for name in outputs),
                description=f"{function}: the output dtype follows the inputs' dtype "
                            f"({', '.join(outputs)})", fallback=fallback)


def cache_test(function: str, cases: Callable[[], list[Case]], forward: str,
               points: float = 0.5, fallback: tuple[str, ...] = ()) -> Test:
    """The cache contract: a backward pass given the cache of an earlier forward call,
    made before another forward call, gives that earlier call's gradients."""
    outputs = tuple(cases()[0].outputs)
    return Test(name=f"test_{function}_earlier_cache", function=function, points=points,
                cases=cases, outputs=outputs,
                description=f"{function}: the cache of an earlier {forward} call still gives "
                            f"its gradients after another {forward} call (a cache must not "
                            "share buffers with later calls)", fallback=fallback)


def with_earlier_cache(case: Case, forward: Case) -> Case:
    """`case` (forward call, then backward call on Ref(0, ...)) with the forward call of
    another case made in between: the backward must still use the first call's cache."""
    first, backward = case.calls
    calls = (first, forward.calls[0], backward)
    outputs = {name: Ref(2, ref.index, ref.key) if ref.call == 1 else ref
               for name, ref in case.outputs.items()}
    return Case(case.label + ", with the cache of an earlier call (another call made since)",
                calls, outputs, rtol=case.rtol, atol=case.atol)


def with_head(first: Callable[[], list[Case]], builder: Callable[[], list[Case]],
              count: int = 2) -> Callable[[], list[Case]]:
    """`first`'s cases, then the first `count` of `builder`'s, as a builder of its own
    (e.g. the dtype test's cases: the float32 cases and two float64 ones)."""
    def build() -> list[Case]:
        return first() + builder()[:count]

    build.__name__ = build.__qualname__ = f"{first.__name__}_and_{builder.__name__}"
    build.__module__ = first.__module__
    return build
