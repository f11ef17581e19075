"""Hidden tests of the `char_lm` assignment."""

from __future__ import annotations

import numpy as np

from ..spec import Call, Case, Ref, Rng, Test, helper_key
from .common import (
    FLOAT32,
    cache_test,
    dtype_test,
    label,
    randn,
    shapes,
    unchanged_test,
    value_tests,
    with_earlier_cache,
)

CELLS = ("rnn", "lstm", "gru")
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def _ids(rng: np.random.Generator, V: int, *shape: int) -> np.ndarray:
    return rng.integers(0, V, size=shape).astype(np.int64)


# ----------------------------------------------------------------------------- embedding
def _embed_inputs(seed: int, N: int, T: int, V: int, D: int, repeated: bool = False):
    rng = np.random.default_rng(seed)
    # Few distinct ids among many positions: every id occurs again and again.
    x = _ids(rng, min(V, 2) if repeated else V, N, T)
    return x, randn(rng, V, D), randn(rng, N, T, D)


def _embed_shapes(seed: int):
    rng = np.random.default_rng(seed)
    for s in shapes(seed):
        yield dict(N=s["N"], T=s["T"], V=int(rng.integers(1, 9)), D=s["D"])


def embed_forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(_embed_shapes(201)):
        x, W, _ = _embed_inputs(2000 + i, **s)
        cases.append(Case(label(**s), (Call("word_embedding_forward", (x, W)),),
                          {"out": Ref(0, 0)}))
    return cases


def _embed_backward_case(seed: int, sizes: dict[str, int], repeated: bool,
                         dtype=np.float64, **tolerance) -> Case:
    x, W, dout = _embed_inputs(seed, **sizes, repeated=repeated)
    W, dout = W.astype(dtype), dout.astype(dtype)
    calls = (Call("word_embedding_forward", (x, W)),
             Call("word_embedding_backward", (dout, Ref(0, 1))))
    name = label(**sizes) + (" ids repeated many times" if repeated else "")
    return Case(name, calls, {"dW": Ref(1), helper_key("out"): Ref(0, 0)}, **tolerance)


def embed_backward_cases() -> list[Case]:
    return [_embed_backward_case(2100 + i, s, repeated=False)
            for i, s in enumerate(_embed_shapes(202))]


def embed_forward_dtype_cases() -> list[Case]:
    x, W, _ = _embed_inputs(2050, N=3, T=4, V=5, D=3)
    return [Case("N=3 T=4 V=5 D=3 float32", (Call("word_embedding_forward",
                                                  (x, W.astype(np.float32))),),
                 {"out": Ref(0, 0)}, **FLOAT32), *embed_forward_cases()[:2]]


def embed_backward_dtype_cases() -> list[Case]:
    return [_embed_backward_case(2150, dict(N=3, T=4, V=5, D=3), repeated=False,
                                 dtype=np.float32, **FLOAT32), *embed_backward_cases()[:2]]


def embed_cache_cases() -> list[Case]:
    sizes = dict(N=3, T=4, V=5, D=3)
    return [with_earlier_cache(_embed_backward_case(2160, sizes, repeated=False),
                               _embed_backward_case(2161, sizes, repeated=False))]


def embed_repeated_cases() -> list[Case]:
    return [_embed_backward_case(2200, dict(N=3, T=7, V=5, D=4), repeated=True),
            _embed_backward_case(2201, dict(N=1, T=9, V=3, D=2), repeated=True),
            _embed_backward_case(2202, dict(N=4, T=5, V=6, D=3), repeated=True,
                                 dtype=np.float32, **FLOAT32)]


# ----------------------------------------------------------------------------- affine
def _affine_inputs(seed: int, N: int, T: int, D: int, M: int, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (randn(rng, N, T, D, dtype=dtype), randn(rng, D, M, dtype=dtype),
            randn(rng, M, dtype=dtype), randn(rng, N, T, M, dtype=dtype))


def _affine_shapes(seed: int):
    for s in shapes(seed):
        yield dict(N=s["N"], T=s["T"], D=s["D"], M=s["H"])


def affine_forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(_affine_shapes(203)):
        x, w, b, _ = _affine_inputs(2300 + i, **s)
        cases.append(Case(label(**s), (Call("temporal_affine_forward", (x, w, b)),),
                          {"out": Ref(0, 0)}))
    x, w, b, _ = _affine_inputs(2350, N=2, T=3, D=4, M=5, dtype=np.float32)
    cases.append(Case("N=2 T=3 D=4 M=5 float32", (Call("temporal_affine_forward", (x, w, b)),),
                      {"out": Ref(0, 0)}, **FLOAT32))
    return cases


def _affine_backward_case(seed: int, sizes: dict[str, int], dtype=np.float64,
                          **tolerance) -> Case:
    x, w, b, dout = _affine_inputs(seed, **sizes, dtype=dtype)
    calls = (Call("temporal_affine_forward", (x, w, b)),
             Call("temporal_affine_backward", (dout, Ref(0, 1))))
    name = label(**sizes) + (" float32" if dtype == np.float32 else "")
    return Case(name, calls, {name: Ref(1, k) for k, name in enumerate(("dx", "dw", "db"))}
                | {helper_key("out"): Ref(0, 0)}, **tolerance)


def affine_backward_cases() -> list[Case]:
    return [_affine_backward_case(2400 + i, s) for i, s in enumerate(_affine_shapes(204))]


def affine_forward_dtype_cases() -> list[Case]:
    return affine_forward_cases()[-1:] + affine_forward_cases()[:2]


def affine_backward_dtype_cases() -> list[Case]:
    return [_affine_backward_case(2450, dict(N=2, T=3, D=4, M=5), np.float32, **FLOAT32),
            *affine_backward_cases()[:2]]


def affine_cache_cases() -> list[Case]:
    sizes = dict(N=2, T=3, D=4, M=5)
    return [with_earlier_cache(_affine_backward_case(2460, sizes),
                               _affine_backward_case(2461, sizes))]


# ----------------------------------------------------------------------------- softmax loss
def _mask(rng: np.random.Generator, kind: str, N: int, T: int) -> np.ndarray:
    if kind == "all True":
        return np.ones((N, T), dtype=bool)
    if kind == "all False":
        return np.zeros((N, T), dtype=bool)
    if kind == "ragged":  # padded sequences: each row is a prefix of its own length
        lengths = rng.integers(1, T + 1, size=N)
        return np.arange(T)[None, :] < lengths[:, None]
    if kind == "empty rows":  # every other row is all padding: still divide by N
        lengths = rng.integers(1, T + 1, size=N) * (np.arange(N) % 2)
        return np.arange(T)[None, :] < lengths[:, None]
    return rng.random((N, T)) < 0.5


MASK_KINDS = ("all True", "all False", "ragged", "random")


def _softmax_case(seed: int, N: int, T: int, V: int, kind: str, scale: float = 1.0,
                  dtype=np.float64, **tolerance) -> Case:
    rng = np.random.default_rng(seed)
    x = randn(rng, N, T, V, scale=scale, dtype=dtype)
    y = _ids(rng, V, N, T)
    mask = _mask(rng, kind, N, T)
    name = f"N={N} T={T} V={V} mask {kind}" + (f" scores ~{scale:g}" if scale != 1 else "")
    return Case(name, (Call("temporal_softmax_loss", (x, y, mask)),),
                {"loss": Ref(0, 0), "dx": Ref(0, 1)}, **tolerance)


def softmax_cases() -> list[Case]:
    rng = np.random.default_rng(205)
    cases = [_softmax_case(2500, 1, 1, 1, "all True"), _softmax_case(2501, 1, 1, 4, "all True")]
    for i in range(8):
        N, T, V = (int(v) for v in rng.integers(1, 9, size=3))
        cases.append(_softmax_case(2510 + i, N, T, V, MASK_KINDS[i % 4]))
    return cases


def softmax_mask_cases() -> list[Case]:
    return [*(_softmax_case(2600 + i, 4, 6, 5, kind) for i, kind in enumerate(MASK_KINDS)),
            _softmax_case(2610, 4, 6, 5, "empty rows"), _softmax_case(2611, 5, 1, 3, "empty rows")]


def softmax_dtype_cases() -> list[Case]:
    return [_softmax_case(2620, 3, 4, 5, "ragged", dtype=np.float32, **FLOAT32),
            *softmax_cases()[:2]]


def softmax_large_cases() -> list[Case]:
    return [_softmax_case(2700, 3, 4, 6, "ragged", scale=1e4),
            _softmax_case(2701, 2, 5, 3, "all True", scale=1e6),
            _softmax_case(2702, 2, 3, 5, "random", scale=1e3, dtype=np.float32, **FLOAT32)]


# ----------------------------------------------------------------------------- the model
def _model(rng: np.random.Generator, cell: str, V: int, D: int, H: int) -> dict:
    """Random parameters of reasonable scale, biases included, so no gradient is zero."""
    G = GATE_BLOCKS[cell]
    params = {"W_embed": randn(rng, V, D, scale=0.5),
              "Wx": randn(rng, D, G * H, scale=1 / np.sqrt(D)),
              "Wh": randn(rng, H, G * H, scale=0.9 / np.sqrt(H)),
              "W_out": randn(rng, H, V, scale=1 / np.sqrt(H)),
              "b_out": randn(rng, V, scale=0.1)}
    if cell == "gru":
        params["bx"], params["bh"] = randn(rng, G * H, scale=0.1), randn(rng, G * H, scale=0.1)
    else:
        params["b"] = randn(rng, G * H, scale=0.1)
    return params


def _state(rng: np.random.Generator, cell: str, N: int, H: int):
    if cell == "lstm":
        return (randn(rng, N, H, scale=0.5), randn(rng, N, H, scale=0.5))
    return randn(rng, N, H, scale=0.5)


def _lm_shapes(seed: int):
    rng = np.random.default_rng(seed)
    for s in shapes(seed):
        yield dict(s, V=int(rng.integers(1, 9)))


def param_names(cell: str) -> tuple[str, ...]:
    biases = ("bx", "bh") if cell == "gru" else ("b",)
    return ("W_embed", "Wx", "Wh", *biases, "W_out", "b_out")


def lm_cases(cell: str) -> list[Case]:
    cases = []
    for i, s in enumerate(_lm_shapes(206 + CELLS.index(cell))):
        rng = np.random.default_rng(2800 + 100 * CELLS.index(cell) + i)
        params = _model(rng, cell, s["V"], s["D"], s["H"])
        x, y = _ids(rng, s["V"], s["N"], s["T"]), _ids(rng, s["V"], s["N"], s["T"])
        state = _state(rng, cell, s["N"], s["H"])
        outputs = {"loss": Ref(0, 0), "final_state": Ref(0, 2)}
        outputs |= {f"d{k}": Ref(0, 1, k) for k in param_names(cell)}
        cases.append(Case(f"cell={cell} " + label(**s),
                          (Call("char_lm_loss", (params, x, y, state, cell)),), outputs))
    return cases


def rnn_lm_cases() -> list[Case]:
    return lm_cases("rnn")


def lstm_lm_cases() -> list[Case]:
    return lm_cases("lstm")


def gru_lm_cases() -> list[Case]:
    return lm_cases("gru")


LM_CASES = {"rnn": rnn_lm_cases, "lstm": lstm_lm_cases, "gru": gru_lm_cases}


def all_lm_cases() -> list[Case]:
    return [c for cell in CELLS for c in lm_cases(cell)[:3]]


# ----------------------------------------------------------------------------- sampling
CHARS = "\nab (x):"


def _sample_case(seed: int, cell: str, start: str, n: int, temperature: float,
                 H: int = 6, D: int = 5) -> Case:
    rng = np.random.default_rng(seed)
    params = _model(rng, cell, len(CHARS), D, H)
    params["W_out"] *= 3  # confident enough that greedy decoding is not a near tie
    args = (params, cell, start, n, temperature, Rng(seed), CHARS)
    name = f"cell={cell} start={start!r} n={n} temperature={temperature:g}"
    return Case(name, (Call("sample", args),), {"text": Ref(0)})


def sample_greedy_cases() -> list[Case]:
    return [_sample_case(2900, "rnn", "a", 15, 0.0), _sample_case(2901, "lstm", "(x", 20, 0.0),
            _sample_case(2906, "gru", "ab:\n", 12, 1e-9), _sample_case(2903, "rnn", "x", 1, 0.0)]


def sample_seeded_cases() -> list[Case]:
    return [_sample_case(3000, "rnn", "a", 25, 1.0), _sample_case(3001, "lstm", "(x", 30, 0.7),
            _sample_case(3002, "gru", "b", 30, 2.0), _sample_case(3003, "lstm", "ab", 0, 1.0),
            _sample_case(3009, "rnn", "):\n", 40, 0.5)]


# ----------------------------------------------------------------------------- tests
EMBED_BACKWARD_FALLBACK = ("word_embedding_forward",)
AFFINE_BACKWARD_FALLBACK = ("temporal_affine_forward",)
LM_FALLBACK = ("word_embedding_forward", "word_embedding_backward", "temporal_affine_forward",
               "temporal_affine_backward", "temporal_softmax_loss")
SAMPLE_FALLBACK = ("word_embedding_forward", "temporal_affine_forward")


def _lm_tests() -> list[Test]:
    tests: list[Test] = []
    for cell in CELLS:
        outputs = {"loss": f"loss with cell={cell!r}"}
        outputs |= {f"d{k}": f"gradient {k} with cell={cell!r}" for k in param_names(cell)}
        outputs |= {"final_state": f"final state returned with cell={cell!r}"}
        tests += value_tests("char_lm_loss", LM_CASES[cell], outputs, points=0.5,
                             fallback=LM_FALLBACK, tag=cell)
    return tests


TESTS: list[Test] = [
    *value_tests("word_embedding_forward", embed_forward_cases, {"out": "embedded vectors"}),
    unchanged_test("word_embedding_forward", embed_forward_cases, points=0.5),
    dtype_test("word_embedding_forward", embed_forward_dtype_cases, ("out",)),
    *value_tests("word_embedding_backward", embed_backward_cases, {"dW": "gradient dW"},
                 fallback=EMBED_BACKWARD_FALLBACK),
    *value_tests("word_embedding_backward", embed_repeated_cases,
                 {"dW": "repeated ids accumulate their gradients"},
                 fallback=EMBED_BACKWARD_FALLBACK, tag="repeated_ids"),
    unchanged_test("word_embedding_backward", embed_backward_cases, points=0.5,
                   fallback=EMBED_BACKWARD_FALLBACK),
    dtype_test("word_embedding_backward", embed_backward_dtype_cases, ("dW",),
               fallback=EMBED_BACKWARD_FALLBACK),
    cache_test("word_embedding_backward", embed_cache_cases, "word_embedding_forward",
               fallback=EMBED_BACKWARD_FALLBACK),
    *value_tests("temporal_affine_forward", affine_forward_cases, {"out": "scores out"}),
    unchanged_test("temporal_affine_forward", affine_forward_cases, points=0.5),
    dtype_test("temporal_affine_forward", affine_forward_dtype_cases, ("out",)),
    *value_tests("temporal_affine_backward", affine_backward_cases,
                 {"dx": "gradient dx", "dw": "gradient dw", "db": "gradient db"},
                 fallback=AFFINE_BACKWARD_FALLBACK),
    unchanged_test("temporal_affine_backward", affine_backward_cases, points=0.5,
                   fallback=AFFINE_BACKWARD_FALLBACK),
    dtype_test("temporal_affine_backward", affine_backward_dtype_cases, ("dx", "dw", "db"),
               fallback=AFFINE_BACKWARD_FALLBACK),
    cache_test("temporal_affine_backward", affine_cache_cases, "temporal_affine_forward",
               fallback=AFFINE_BACKWARD_FALLBACK),
    *value_tests("temporal_softmax_loss", softmax_cases, {"loss": "loss", "dx": "gradient dx"}),
    *value_tests("temporal_softmax_loss", softmax_mask_cases,
                 {"loss": "masked steps add nothing to the loss",
                  "dx": "masked steps get zero gradient"}, tag="masks"),
    *value_tests("temporal_softmax_loss", softmax_large_cases,
                 {"loss": "loss stays finite for huge scores",
                  "dx": "gradient stays finite for huge scores"}, tag="large_scores"),
    unchanged_test("temporal_softmax_loss", softmax_cases, points=0.5),
    dtype_test("temporal_softmax_loss", softmax_dtype_cases, ("dx",)),
    *_lm_tests(),
    unchanged_test("char_lm_loss", all_lm_cases, points=0.5, fallback=LM_FALLBACK),
    *value_tests("sample", sample_greedy_cases,
                 {"text": "greedy decoding at temperature 0 (or <= 1e-8)"}, points=2,
                 fallback=SAMPLE_FALLBACK, tag="greedy"),
    *value_tests("sample", sample_seeded_cases,
                 {"text": "text drawn with rng.choice(V, p=p), one draw per character"},
                 points=2, fallback=SAMPLE_FALLBACK, tag="seeded"),
    unchanged_test("sample", sample_seeded_cases, points=0.5, fallback=SAMPLE_FALLBACK),
]
