"""Building blocks shared by the case modules: shapes, seeded random arrays, test families."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypedDict

import numpy as np

from ..spec import Case, Test, unchanged_key

# Edge shapes every recurrent function must handle: single example, single step, a
# hidden size of one, and input size different from hidden size in both directions.
EDGE_SHAPES: tuple[dict[str, int], ...] = (
    dict(N=1, T=1, D=1, H=1),
    dict(N=1, T=4, D=3, H=5),
    dict(N=3, T=1, D=2, H=4),
    dict(N=2, T=6, D=5, H=1),
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


def unchanged_test(function: str, cases: Callable[[], list[Case]], points: float = 1.0,
                   fallback: tuple[str, ...] = ()) -> Test:
    return Test(name=f"test_{function}_inputs_unchanged", function=function, points=points,
                cases=cases, outputs=(unchanged_key(function),),
                description=f"{function} leaves its input arrays unmodified", fallback=fallback)
