"""Helpers for the character-level language model that are not the point of any exercise:
parameter initialisation, the initial state and a readable display of samples.
(The optimiser is `course_utils.training.Adam`.)"""

from __future__ import annotations

import re

import numpy as np

from .init import GATE_BLOCKS, orthogonal, xavier


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


def show_sample(title: str, text: str, width: int = 72, long_run: int = 24) -> None:
    """Print a generated sample under a title, newlines kept.

    A run of at least `long_run` spaces is shown as `[n spaces]`, so a model stuck on
    indentation is visible at a glance instead of as an empty-looking line.
    """
    print(f"--- {title} " + "-" * max(0, width - len(title) - 5))
    print(re.sub(f" {{{long_run},}}", lambda m: f"[{len(m.group())} spaces]", text))
