"""Helpers for the character-level language model that are not the point of any exercise:
parameter initialisation, the Adam optimiser and a readable display of samples."""

from __future__ import annotations

import numpy as np

from .init import orthogonal, xavier

# Columns of Wx, Wh and b per hidden unit: one block per gate.
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def init_char_lm(vocab_size: int, embed_dim: int, hidden_dim: int, cell: str,
                 rng: np.random.Generator, dtype: type = np.float64) -> dict[str, np.ndarray]:
    """Parameters of embedding -> recurrent cell -> affine scores.

    Returns a dict with W_embed (V, D), Wx (D, G*H), Wh (H, G*H), W_out (H, V), b_out (V,),
    and b (G*H,) for 'rnn' / 'lstm' or bx, bh (3H,) for 'gru', where G is the number of
    gate blocks of the cell (1, 4 or 3).
    """
    if cell not in GATE_BLOCKS:
        raise ValueError(f"cell must be one of {sorted(GATE_BLOCKS)}, got {cell!r}")
    V, D, H, G = vocab_size, embed_dim, hidden_dim, GATE_BLOCKS[cell]
    params = {
        "W_embed": rng.standard_normal((V, D)) * 0.1,
        "Wx": xavier(rng, D, G * H),
        # One orthogonal block per gate: the recurrence neither blows up nor dies at init.
        "Wh": np.concatenate([orthogonal(rng, H) for _ in range(G)], axis=1),
        "W_out": xavier(rng, H, V),
        "b_out": np.zeros(V),
    }
    if cell == "gru":
        params["bx"], params["bh"] = np.zeros(G * H), np.zeros(G * H)
    else:
        params["b"] = np.zeros(G * H)
        if cell == "lstm":
            params["b"][H:2 * H] = 1.0  # forget gate open at the start: remember by default
    return {k: v.astype(dtype) for k, v in params.items()}


def zero_state(cell: str, batch_size: int, hidden_dim: int):
    """Initial hidden state: (N, H) zeros, or a tuple (h0, c0) of them for 'lstm'."""
    h0 = np.zeros((batch_size, hidden_dim))
    return (h0, np.zeros_like(h0)) if cell == "lstm" else h0


class Adam:
    """Adam (Kingma & Ba, 2015) for a dict of parameters, updated in place.

        opt = Adam(params, lr=3e-3)
        opt.step(params, grads)       # grads has the same keys and shapes as params
    """

    def __init__(self, params: dict[str, np.ndarray], lr: float = 1e-3,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        # Bias correction: m and v start at 0, so early averages are too small without it.
        correction1 = 1 - self.beta1 ** self.t
        correction2 = 1 - self.beta2 ** self.t
        for k, g in grads.items():
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * g * g
            step = self.lr * (self.m[k] / correction1) / (np.sqrt(self.v[k] / correction2)
                                                         + self.eps)
            params[k] -= step


def show_sample(title: str, text: str, width: int = 72) -> None:
    """Print a generated sample under a title, newlines kept, long lines cut at `width`."""
    print(f"--- {title} " + "-" * max(0, width - len(title) - 5))
    for line in text.split("\n"):
        print(line if len(line) <= width else line[: width - 1] + "…")
