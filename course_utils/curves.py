"""Numbers computed from training curves (numpy only; the drawing is in `plotting`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def moving_average(values: ArrayLike, window: int) -> np.ndarray:
    """Trailing moving average of a per-step series.

    Inputs:
    - values: one number per training step, of shape (S,)
    - window: how many steps to average (clipped to 1..S)

    Returns an array of shape (S,): entry s is the mean of values[s - window + 1 : s + 1], so it
    lines up with step s; the first window - 1 entries average the fewer steps there are. A NaN
    (a step that was never run) spoils only the averages whose window contains it.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0:
        return values
    window = max(1, min(int(window), len(values)))
    sums = np.convolve(values, np.ones(window))[:len(values)]   # sums[s] covers s-window+1..s
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    return sums / counts
