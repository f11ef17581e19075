"""rnn, written differently: dict caches, explicit loops, float64 accumulation cast back."""
# ruff: noqa: F821  (names the notebook's setup and other answer cells define)

import numpy as np


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    next_h = np.tanh(a)
    return next_h, {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "h": next_h}


def rnn_step_backward(dnext_h, cache):
    da = (1 - cache["h"] * cache["h"]) * dnext_h
    db = np.zeros(da.shape[1], dtype=da.dtype)
    for row in da:  # a loop over the batch instead of a sum
        db += row
    return (np.dot(da, cache["Wx"].T), np.dot(da, cache["Wh"].T), np.dot(cache["x"].T, da),
            np.dot(cache["prev_h"].T, da), db)


def rnn_forward(x, h0, Wx, Wh, b):
    states, caches = [], []
    h = h0
    for t in range(x.shape[1]):
        h, step = rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
        states.append(h)
        caches.append(step)
    return np.stack(states, axis=1), {"steps": caches, "D": x.shape[2]}


def rnn_backward(dh, cache):
    steps = cache["steps"]
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache["D"]), dtype=dh.dtype)
    grads = None
    carried = np.zeros_like(dh[:, 0])
    for t in range(T - 1, -1, -1):
        dx_t, carried, *step = rnn_step_backward(dh[:, t] + carried, steps[t])
        dx[:, t] = dx_t
        grads = step if grads is None else [g + s for g, s in zip(grads, step)]
    return (dx, carried, *grads)


def clip_grad_norm(grads, max_norm):
    import math  # an answer cell may import what it needs

    squares = 0.0
    for g in grads.values():
        flat = g.astype(np.float64).ravel()
        squares += float(flat @ flat)
    total_norm = math.sqrt(squares)
    factor = max_norm / total_norm if total_norm > max_norm else 1.0
    return {k: np.multiply(g, factor, dtype=np.float64).astype(g.dtype)
            for k, g in grads.items()}, total_norm


def rnn_gradient_norms(x, h0, Wx, Wh, b, dout):
    # One backward sweep instead of one run per suffix: dL/dh_t comes from dL/dh_{t+1}.
    T = x.shape[1]
    _, cache = rnn_forward(x, h0, Wx, Wh, b)
    norms = np.zeros(T)
    grad = dout
    for t in range(T - 1, -1, -1):
        norms[t] = np.sqrt(np.sum(grad.astype(np.float64) ** 2))
        _, grad, _, _, _ = rnn_step_backward(grad, cache["steps"][t])
    return norms


def rnn_truncated_bptt(x, h0, Wx, Wh, b, dh, k):
    N, T, D = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0))
    dx = np.empty_like(x)
    parts = []
    carry = h0
    for start in [s for s in range(T) if s % k == 0]:
        chunk = slice(start, min(T, start + k))
        h[:, chunk], cache = rnn_forward(x[:, chunk], carry, Wx, Wh, b)
        dx[:, chunk], _, *weights = rnn_backward(dh[:, chunk], cache)
        parts.append(weights)
        carry = h[:, chunk.stop - 1].copy()
    dWx, dWh, db = (sum(p[i] for p in parts) for i in range(3))
    return h, dx, dWx, dWh, db
