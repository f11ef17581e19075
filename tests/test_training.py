"""course_utils.training: optimizers, the read-out head, the loop; no graded code inside."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.gradcheck import eval_numerical_gradient, rel_error
from course_utils.training import SGD, Adam, History, ManyToOne, binary_head_loss, train


@pytest.mark.parametrize("optimizer", [Adam(lr=0.1), SGD(lr=0.1), SGD(lr=0.05, momentum=0.9)],
                         ids=["adam", "sgd", "momentum"])
def test_optimizers_minimise_a_quadratic(optimizer):
    target = np.array([1.0, -2.0, 3.0])
    params = {"w": np.zeros(3)}
    start = np.sum((params["w"] - target) ** 2)
    for _ in range(300):
        optimizer.step(params, {"w": 2 * (params["w"] - target)})
    assert np.sum((params["w"] - target) ** 2) < 1e-3 * start


def test_adam_first_step_has_size_lr_whatever_the_gradient_scale():
    for scale in (1e-4, 1.0, 1e4):
        params = {"w": np.zeros(2)}
        Adam(lr=0.01).step(params, {"w": np.array([scale, -scale])})
        assert np.allclose(params["w"], [-0.01, 0.01], rtol=1e-3)


def test_binary_head_loss_gradients_and_stability():
    rng = np.random.default_rng(0)
    h, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 1)), rng.standard_normal(1)
    y = np.array([0, 1, 1, 0, 1])
    loss, acc, dh, dW, db = binary_head_loss(h, W, b, y)
    for value, grad in ((h, dh), (W, dW), (b, db)):
        numeric = eval_numerical_gradient(lambda _: binary_head_loss(h, W, b, y)[0], value)
        assert rel_error(numeric, grad) < 1e-7
    big, _, _, _, _ = binary_head_loss(1e3 * np.ones((2, 1)), np.ones((1, 1)), np.zeros(1),
                                       np.array([0, 1]))
    assert np.isfinite(big) and np.isclose(big, 500.0)   # (1000 + 0) / 2, no overflow
    assert 0.0 <= acc <= 1.0


def _linear_layer():
    """A stand-in 'recurrent' layer: h_t = x_t Wx (no recurrence), enough to test the loop."""
    def forward(x, h0, Wx):
        return x @ Wx, x

    def backward(dh, x):
        return dh @ np.zeros((dh.shape[2], x.shape[2])), np.zeros_like(dh[:, 0]), \
            np.einsum("ntd,nth->dh", x, dh)

    return forward, backward


def _task(rng_seed=0):
    rng = np.random.default_rng(rng_seed)

    def next_batch():
        x = rng.standard_normal((16, 3, 2))
        return x, (x[:, -1, 0] > 0).astype(int)

    return next_batch


def test_train_learns_a_separable_task_and_records_history():
    forward, backward = _linear_layer()
    rng = np.random.default_rng(1)
    params = {"Wx": 0.1 * rng.standard_normal((2, 4)), "W_out": 0.1 * rng.standard_normal((4, 1)),
              "b_out": np.zeros(1)}
    model = ManyToOne(forward, backward, params, cell_params=("Wx",))
    x_eval, y_eval = _task(5)()
    history = train(model, _task(), Adam(lr=0.05), steps=120, eval_data=(x_eval, y_eval),
                    eval_every=40, progress=False)
    assert isinstance(history, History)
    assert len(history.loss) == len(history.accuracy) == len(history.grad_norm) == 120
    assert history.eval_step == [40, 80, 120] and len(history.eval_accuracy) == 3
    assert np.mean(history.loss[-10:]) < 0.5 * np.mean(history.loss[:10])
    assert history.eval_accuracy[-1] > 0.9
    assert np.all(np.isnan(history.grad_norm))          # no clip_fn: the norm is not recorded


def test_train_calls_the_clip_function_and_uses_what_it_returns():
    forward, backward = _linear_layer()
    params = {"Wx": np.ones((2, 4)), "W_out": np.ones((4, 1)), "b_out": np.zeros(1)}
    before = {k: v.copy() for k, v in params.items()}
    calls = []

    def clip_fn(grads, max_norm):
        calls.append((sorted(grads), max_norm))
        return {k: np.zeros_like(g) for k, g in grads.items()}, 7.0   # freeze the model

    model = ManyToOne(forward, backward, params, cell_params=("Wx",))
    history = train(model, _task(), SGD(lr=1.0), steps=5, clip_fn=clip_fn, max_norm=0.25,
                    progress=False)
    assert calls == [(["W_out", "Wx", "b_out"], 0.25)] * 5
    assert history.grad_norm == [7.0] * 5
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_train_stops_early_at_the_target_accuracy():
    forward, backward = _linear_layer()
    params = {"Wx": np.eye(2, 4), "W_out": np.eye(4, 1), "b_out": np.zeros(1)}  # already right
    model = ManyToOne(forward, backward, params, cell_params=("Wx",))
    history = train(model, _task(), Adam(lr=1e-3), steps=100, eval_data=_task(3)(),
                    eval_every=10, stop_at=1.0, progress=False)
    assert len(history.loss) == 10 and history.eval_accuracy == [1.0]


def test_many_to_one_reports_missing_parameters():
    forward, backward = _linear_layer()
    with pytest.raises(KeyError, match="W_out"):
        ManyToOne(forward, backward, {"Wx": np.ones((2, 4))}, cell_params=("Wx",))
