"""char_lm, written differently: loops over (n, t), einsum, other caches, manual softmax."""
# ruff: noqa: F821  (names the notebook's setup and other answer cells define)

import numpy as np


def word_embedding_forward(x, W):
    return np.take(W, x, axis=0), {"ids": x, "V": W.shape[0], "D": W.shape[1]}


def word_embedding_backward(dout, cache):
    dW = np.zeros((cache["V"], cache["D"]), dtype=dout.dtype)
    N, T = cache["ids"].shape
    for n in range(N):
        for t in range(T):
            dW[cache["ids"][n, t]] += dout[n, t]
    return dW


def temporal_affine_forward(x, w, b):
    return np.einsum("ntd,dm->ntm", x, w) + b, (w, x)


def temporal_affine_backward(dout, cache):
    w, x = cache
    return (np.einsum("ntm,dm->ntd", dout, w), np.einsum("ntd,ntm->dm", x, dout),
            np.einsum("ntm->m", dout))


def temporal_softmax_loss(x, y, mask):
    N, T, V = x.shape
    loss = 0.0
    dx = np.zeros_like(x)
    for n in range(N):
        for t in range(T):
            if not mask[n, t]:
                continue
            s = x[n, t] - np.max(x[n, t])
            log_z = np.log(np.sum(np.exp(s)))
            loss -= (s[y[n, t]] - log_z) / N
            p = np.exp(s - log_z)
            p[y[n, t]] -= 1
            dx[n, t] = p / N
    return float(loss), dx


def sample(params, cell, start, n, temperature, rng, chars):
    index = {c: i for i, c in enumerate(chars)}
    H = params["Wh"].shape[0]
    state = (np.zeros((1, H)), np.zeros((1, H)))

    def feed(i, state):
        x = params["W_embed"][i][None, :]
        h, c = state
        if cell == "lstm":
            h, c, _ = lstm_step_forward(x, h, c, params["Wx"], params["Wh"], params["b"])
        elif cell == "gru":
            h, _ = gru_step_forward(x, h, params["Wx"], params["Wh"], params["bx"], params["bh"])
        else:
            h, _ = rnn_step_forward(x, h, params["Wx"], params["Wh"], params["b"])
        return h, c

    for ch in start:
        state = feed(index[ch], state)
    text = ""
    while len(text) < n:
        scores = np.asarray(state[0][0] @ params["W_out"] + params["b_out"], dtype=np.float64)
        if temperature <= 1e-8:
            i = int(scores.argmax())
        else:
            e = np.exp((scores - scores.max()) / temperature)
            i = int(rng.choice(len(chars), p=e / e.sum()))
        text += chars[i]
        state = feed(i, state)
    return text
