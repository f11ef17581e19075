"""Binary-sequence tasks with a known dependency length, generated from a seed.

Every bit is its own 1-dimensional input (no embedding): x has shape (N, T, 1) and holds
0.0 or 1.0. The same seed always gives the same sequences, so a run can be reproduced.

- `first_bit`: many-to-one. The label is the first bit; the T - 1 bits after it are
  random distractors, so the answer depends on an input T - 1 steps back.
- `delayed_echo`: many-to-many. The target at step t is the input at step t - delay;
  the first `delay` steps have no target (mask False).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Batch = tuple[np.ndarray, np.ndarray]


def random_bits(rng: np.random.Generator, N: int, T: int) -> np.ndarray:
    """Independent fair bits as a float array of shape (N, T, 1)."""
    return rng.integers(0, 2, size=(N, T, 1)).astype(np.float64)


def first_bit(N: int, T: int, seed: int) -> Batch:
    """Recall the first bit after T - 1 distractor bits.

    Returns:
        x: float64 (N, T, 1) of 0s and 1s.
        y: int64 (N,), y[n] = x[n, 0, 0].
    """
    if T < 1:
        raise ValueError(f"T must be at least 1, got {T}")
    x = random_bits(np.random.default_rng(seed), N, T)
    return x, x[:, 0, 0].astype(np.int64)


def delayed_echo(N: int, T: int, delay: int, seed: int) -> tuple[np.ndarray, ...]:
    """Repeat the input `delay` steps later.

    Returns:
        x: float64 (N, T, 1) of 0s and 1s.
        y: int64 (N, T), y[:, t] = x[:, t - delay, 0] for t >= delay, else 0.
        mask: bool (N, T), False on the first `delay` steps (no target there).
    """
    if not 0 <= delay < T:
        raise ValueError(f"need 0 <= delay < T, got delay={delay}, T={T}")
    x = random_bits(np.random.default_rng(seed), N, T)
    y = np.zeros((N, T), dtype=np.int64)
    y[:, delay:] = x[:, :T - delay, 0]
    mask = np.zeros((N, T), dtype=bool)
    mask[:, delay:] = True
    return x, y, mask


def batch_stream(task: Callable[..., Batch], batch_size: int, seed: int,
                 **task_args) -> Callable[[], Batch]:
    """A function returning a fresh batch at every call, reproducible from `seed`.

    Example: `next_batch = batch_stream(first_bit, 32, seed=0, T=20)`.
    """
    seeds = np.random.default_rng(seed)

    def next_batch() -> Batch:
        return task(N=batch_size, seed=int(seeds.integers(2**31)), **task_args)

    return next_batch
