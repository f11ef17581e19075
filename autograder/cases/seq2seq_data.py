"""The data of seq2seq's hidden cases: padded sources, targets and random models.

Shared by `cases.seq2seq` (the tests) and tests/test_seq2seq_assignment.py (exact decoding
on tiny models); kept apart so each module stays one concern.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .common import randn

NULL, START, END = 0, 1, 2


# Edge shapes: everything of size one; then N = 1, S = 1, H = 1 and D = 1 each alone
# (with D != H), and batches whose lengths differ, one of them a single real token.
EDGE = (dict(N=1, S=1, D=1, H=1), dict(N=1, S=5, D=3, H=2), dict(N=3, S=1, D=2, H=4),
        dict(N=2, S=6, D=3, H=1), dict(N=4, S=5, D=1, H=3), dict(N=5, S=7, D=4, H=3))


def shapes(seed: int, count: int = 3) -> Iterator[dict[str, int]]:
    yield from EDGE
    rng = np.random.default_rng(seed)
    for _ in range(count):
        N, S, D, H = (int(v) for v in rng.integers(1, 7, size=4))
        yield dict(N=N, S=S, D=D, H=H)


ATTENTION_EDGE = (dict(N=1, S=1, Hd=1, He=1, A=1), dict(N=1, S=4, Hd=3, He=2, A=5),
                  dict(N=3, S=1, Hd=2, He=4, A=3), dict(N=2, S=5, Hd=4, He=3, A=1),
                  dict(N=4, S=6, Hd=1, He=2, A=3), dict(N=5, S=7, Hd=3, He=5, A=4))


def attention_shapes(seed: int, count: int = 3) -> Iterator[dict[str, int]]:
    yield from ATTENTION_EDGE
    rng = np.random.default_rng(seed)
    for _ in range(count):
        N, S, Hd, He, A = (int(v) for v in rng.integers(1, 7, size=5))
        yield dict(N=N, S=S, Hd=Hd, He=He, A=A)


STEP_EDGE = (dict(N=1, S=1, D=1, Hd=1, He=1, A=1), dict(N=1, S=4, D=2, Hd=3, He=2, A=3),
             dict(N=3, S=1, D=3, Hd=2, He=4, A=2), dict(N=2, S=5, D=1, Hd=4, He=3, A=1),
             dict(N=4, S=6, D=2, Hd=1, He=2, A=3), dict(N=5, S=7, D=3, Hd=3, He=5, A=4))


def step_shapes(seed: int, count: int = 3) -> Iterator[dict[str, int]]:
    yield from STEP_EDGE
    rng = np.random.default_rng(seed)
    for _ in range(count):
        N, S, D, Hd, He, A = (int(v) for v in rng.integers(1, 7, size=6))
        yield dict(N=N, S=S, D=D, Hd=Hd, He=He, A=A)


def lengths(rng: np.random.Generator, N: int, S: int) -> np.ndarray:
    """The first row full, the last one (N > 1) a single real token, the others random."""
    out = rng.integers(1, S + 1, size=N)
    out[0] = S
    if N > 1:
        out[-1] = 1
    return out


def source_mask(rng: np.random.Generator, N: int, S: int) -> np.ndarray:
    return np.arange(S)[None, :] < lengths(rng, N, S)[:, None]


# --- the translation model ----------------------------------------------------------------------
def model_params(rng: np.random.Generator, model: str, Vs: int, Vt: int, D: int, H: int,
                 A: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    """Random parameters of the shapes init_seq2seq makes (non-zero biases)."""
    Hd = 2 * H
    params = {"W_src": randn(rng, Vs, D, scale=0.7 * scale)}
    for d in ("f", "b"):
        params |= {f"Wx_{d}": randn(rng, D, H, scale=scale / np.sqrt(D)),
                   f"Wh_{d}": randn(rng, H, H, scale=0.9 * scale / np.sqrt(H)),
                   f"b_{d}": randn(rng, H, scale=0.3)}
    D_in = D + Hd  # [embedding ; context]: s0 for the plain model, attended for the other
    params |= {"W_tgt": randn(rng, Vt, D, scale=0.7 * scale),
               "Wx": randn(rng, D_in, Hd, scale=scale / np.sqrt(D_in)),
               "Wh": randn(rng, Hd, Hd, scale=0.9 * scale / np.sqrt(Hd)),
               "b": randn(rng, Hd, scale=0.3),
               "W_out": randn(rng, Hd, Vt, scale=scale / np.sqrt(Hd)),
               "b_out": randn(rng, Vt, scale=0.3)}
    if model == "attention":
        params |= {"W_s": randn(rng, Hd, A, scale=scale / np.sqrt(Hd)),
                   "W_h": randn(rng, Hd, A, scale=scale / np.sqrt(Hd)),
                   "v": randn(rng, A, scale=scale)}
    return params


def param_names(model: str) -> tuple[str, ...]:
    names = ("W_src", "Wx_f", "Wh_f", "b_f", "Wx_b", "Wh_b", "b_b", "W_tgt", "Wx", "Wh", "b",
             "W_out", "b_out")
    return names + (("W_s", "W_h", "v") if model == "attention" else ())


def sources(rng: np.random.Generator, N: int, S: int, Vs: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Ids (real tokens in [1, Vs), random ids at the padding too) and their mask."""
    mask = source_mask(rng, N, S)
    return rng.integers(1, Vs, size=(N, S)), mask


def targets(rng: np.random.Generator, N: int, T: int, Vt: int) -> np.ndarray:
    """<START>, ids in [3, Vt), <END>, <NULL> padding: the first row full, the last one
    (N > 1) <START> <END> and padding only."""
    out = np.full((N, T + 1), NULL, dtype=np.int64)
    out[:, 0] = START
    for n in range(N):
        length = T - 1 if n == 0 else 0 if n == N - 1 else int(rng.integers(0, T))
        out[n, 1:1 + length] = rng.integers(3, Vt, size=length)
        out[n, 1 + length] = END
    return out


# <END> never chosen (every hypothesis has max_length ids, so the length normalisation cannot
# matter): only the width does; and exact ties (ids 3, ... share an output column), which
# only a stable sort keeps in the documented order. Seeds where that changes the output.
NO_END = [(9205, "attention", 2, 6), (9203, "plain", 3, 7), (9208, "attention", 2, 6)]
TIES = [(9300, "attention", 3, 8, 3), (9305, "attention", 3, 7, 2), (9300, "plain", 3, 8, 3),
        (9304, "plain", 4, 8, 3)]


# --- decoding -----------------------------------------------------------------------------------
def decoding_model(seed: int, model: str, N: int = 3, S: int = 5, Vs: int = 6, Vt: int = 6,
                   D: int = 3, H: int = 2, A: int = 3, end_bias: float = 0.4,
                   tied: int = 0):
    """A tiny confident model (no near ties) and a batch of sources of unequal lengths.

    end_bias: added to <END>'s output bias (0.4: some outputs end early, some run to
    max_length; -8: none ends). tied > 0: ids 3, ..., 3 + tied get the output column and
    bias of id 3, so their log-probabilities are exactly equal at every step (ties that
    only a stable sort breaks in the documented order)."""
    rng = np.random.default_rng(seed)
    params = model_params(rng, model, Vs, Vt, D, H, A, scale=2.0)
    params["b_out"][[NULL, START]] -= 4.0  # never generated, as in a trained model
    params["b_out"][END] += end_bias
    params["W_out"][:, 4:4 + tied] = params["W_out"][:, 3:4]
    params["b_out"][4:4 + tied] = params["b_out"][3]
    src, mask = sources(rng, N, S, Vs)
    return params, src, mask
