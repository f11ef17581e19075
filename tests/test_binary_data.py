"""datasets.binary: deterministic per seed, labels that match their definition."""

from __future__ import annotations

import numpy as np
import pytest

from datasets.binary import batch_stream, delayed_echo, first_bit


def test_first_bit_is_deterministic_per_seed_and_differs_across_seeds():
    x1, y1 = first_bit(N=16, T=9, seed=3)
    x2, y2 = first_bit(N=16, T=9, seed=3)
    x3, _ = first_bit(N=16, T=9, seed=4)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def test_first_bit_shapes_values_and_labels():
    x, y = first_bit(N=200, T=7, seed=0)
    assert x.shape == (200, 7, 1) and x.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.int64
    assert set(np.unique(x)) == {0.0, 1.0}
    assert np.array_equal(y, x[:, 0, 0].astype(int))
    assert 0.35 < y.mean() < 0.65                       # both classes present
    # the label is independent of the distractors: the last bit agrees only by chance
    assert 0.3 < np.mean(y == x[:, -1, 0]) < 0.7


def test_first_bit_with_one_step_is_the_input_itself():
    x, y = first_bit(N=5, T=1, seed=1)
    assert np.array_equal(y, x[:, 0, 0])


def test_delayed_echo_targets_and_mask():
    x, y, mask = delayed_echo(N=8, T=10, delay=3, seed=2)
    assert x.shape == (8, 10, 1) and y.shape == mask.shape == (8, 10)
    assert np.array_equal(y[:, 3:], x[:, :7, 0])
    assert not mask[:, :3].any() and mask[:, 3:].all()
    x2, y2, _ = delayed_echo(N=8, T=10, delay=3, seed=2)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)


@pytest.mark.parametrize("delay,T", [(-1, 5), (5, 5)])
def test_delayed_echo_rejects_impossible_delays(delay, T):
    with pytest.raises(ValueError):
        delayed_echo(N=2, T=T, delay=delay, seed=0)


def test_batch_stream_gives_fresh_but_reproducible_batches():
    a, b = batch_stream(first_bit, 4, seed=9, T=6), batch_stream(first_bit, 4, seed=9, T=6)
    first, second = a(), a()
    assert not np.array_equal(first[0], second[0])
    assert np.array_equal(first[0], b()[0]) and np.array_equal(second[0], b()[0])
