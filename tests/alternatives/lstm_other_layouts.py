"""lstm, written differently: per-gate weights, dict caches, caches in another order."""
# ruff: noqa: F821  (names the notebook's setup and other answer cells define)

import numpy as np


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    blocks = [x @ Wx[:, k * H:(k + 1) * H] + prev_h @ Wh[:, k * H:(k + 1) * H]
              + b[k * H:(k + 1) * H] for k in range(4)]
    i, f, o = sigmoid(blocks[0]), sigmoid(blocks[1]), sigmoid(blocks[2])
    g = np.tanh(blocks[3])
    next_c = i * g + f * prev_c
    next_h = np.tanh(next_c) * o
    cache = {"gates": (i, f, o, g), "inputs": (x, prev_h, prev_c), "W": (Wx, Wh),
             "c": next_c}
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    i, f, o, g = cache["gates"]
    x, prev_h, prev_c = cache["inputs"]
    Wx, Wh = cache["W"]
    tc = np.tanh(cache["c"])
    dc = dnext_h * o * (1 - tc * tc) + dnext_c
    da = np.empty((x.shape[0], 4 * i.shape[1]), dtype=np.result_type(dnext_h, x))
    H = i.shape[1]
    da[:, :H] = dc * g * i * (1 - i)
    da[:, H:2 * H] = dc * prev_c * f * (1 - f)
    da[:, 2 * H:3 * H] = dnext_h * tc * o * (1 - o)
    da[:, 3 * H:] = dc * i * (1 - g * g)
    return (da @ Wx.T, da @ Wh.T, f * dc, x.T @ da, prev_h.T @ da,
            np.einsum("nk->k", da))


def lstm_forward(x, h0, Wx, Wh, b):
    h, c = h0, np.zeros_like(h0)
    hs, steps = [], []
    for x_t in np.moveaxis(x, 1, 0):
        h, c, step = lstm_step_forward(x_t, h, c, Wx, Wh, b)
        hs.append(h)
        steps.append(step)
    return np.stack(hs, axis=1).astype(np.result_type(x, h0, Wx), copy=False), steps[::-1]


def lstm_backward(dh, cache):
    steps = cache[::-1]  # the forward stored them last step first
    N, T, H = dh.shape
    dxs, dWx, dWh, db = [], None, None, None
    dh_next = np.zeros((N, H), dtype=dh.dtype)
    dc_next = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx_t, dh_next, dc_next, gWx, gWh, gb = lstm_step_backward(dh[:, t] + dh_next,
                                                                  dc_next, steps[t])
        dxs.insert(0, dx_t)
        dWx = gWx if dWx is None else dWx + gWx
        dWh = gWh if dWh is None else dWh + gWh
        db = gb if db is None else db + gb
    return np.stack(dxs, axis=1), dh_next, dWx, dWh, db


def gru_step_forward(x, prev_h, Wx, Wh, bx, bh):
    H = prev_h.shape[1]
    ax_r, ax_z, ax_n = (x @ Wx[:, k * H:(k + 1) * H] + bx[k * H:(k + 1) * H] for k in range(3))
    ah_r, ah_z, ah_n = (prev_h @ Wh[:, k * H:(k + 1) * H] + bh[k * H:(k + 1) * H]
                        for k in range(3))
    r, z = sigmoid(ax_r + ah_r), sigmoid(ax_z + ah_z)
    n = np.tanh(ax_n + r * ah_n)
    next_h = n + z * (prev_h - n)
    return next_h, (r, z, n, ah_n, x, prev_h, Wx, Wh)


def gru_step_backward(dnext_h, cache):
    r, z, n, ah_n, x, prev_h, Wx, Wh = cache
    dan = dnext_h * (1 - z) * (1 - n ** 2)
    daz = dnext_h * (prev_h - n) * z * (1 - z)
    dar = dan * ah_n * r * (1 - r)
    dax = np.hstack([dar, daz, dan])
    dah = np.hstack([dar, daz, r * dan])
    dprev_h = z * dnext_h + dah @ Wh.T
    return dax @ Wx.T, dprev_h, x.T @ dax, prev_h.T @ dah, dax.sum(0), dah.sum(0)


def gru_forward(x, h0, Wx, Wh, bx, bh):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=x.dtype)
    prev, caches = h0, {}
    for t in range(T):
        prev, caches[t] = gru_step_forward(x[:, t], prev, Wx, Wh, bx, bh)
        h[:, t] = prev
    return h, caches


def gru_backward(dh, cache):
    N, T, H = dh.shape
    dx = None
    totals = []
    carried = np.zeros((N, H), dtype=dh.dtype)
    for t in range(T - 1, -1, -1):
        dx_t, carried, *grads = gru_step_backward(dh[:, t] + carried, cache[t])
        if dx is None:
            dx = np.zeros((N, T, dx_t.shape[1]), dtype=dh.dtype)
            totals = [np.zeros_like(g) for g in grads]
        dx[:, t] = dx_t
        for total, g in zip(totals, grads):
            total += g
    return (dx, carried, *totals)
