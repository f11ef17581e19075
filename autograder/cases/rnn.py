"""Hidden tests of the `rnn` assignment."""

from __future__ import annotations

import numpy as np

from ..spec import Call, Case, Ref, Test, helper_key
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

STEP_GRADS = ("dx", "dprev_h", "dWx", "dWh", "db")
SEQ_GRADS = ("dx", "dh0", "dWx", "dWh", "db")


def _params(rng, D: int, H: int, dtype=np.float64):
    """Weights scaled like a sensible initialisation, so tanh is not saturated."""
    return (randn(rng, D, H, scale=1 / np.sqrt(D), dtype=dtype),
            randn(rng, H, H, scale=0.9 / np.sqrt(H), dtype=dtype),
            randn(rng, H, scale=0.1, dtype=dtype))


def _step_inputs(seed: int, N: int, D: int, H: int, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (randn(rng, N, D, dtype=dtype), randn(rng, N, H, scale=0.5, dtype=dtype),
            *_params(rng, D, H, dtype), randn(rng, N, H, dtype=dtype))


def step_forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(shapes(seed=101)):
        x, prev_h, Wx, Wh, b, _ = _step_inputs(1000 + i, s["N"], s["D"], s["H"])
        cases.append(Case(label(N=s["N"], D=s["D"], H=s["H"]),
                          (Call("rnn_step_forward", (x, prev_h, Wx, Wh, b)),),
                          {"next_h": Ref(0, 0)}))
    return cases


def step_forward_float32_cases() -> list[Case]:
    x, prev_h, Wx, Wh, b, _ = _step_inputs(1100, 3, 4, 5, dtype=np.float32)
    return [Case("N=3 D=4 H=5 float32", (Call("rnn_step_forward", (x, prev_h, Wx, Wh, b)),),
                 {"next_h": Ref(0, 0)}, **FLOAT32)]


def step_forward_dtype_cases() -> list[Case]:
    return step_forward_float32_cases() + step_forward_cases()[:2]


def _step_backward_case(seed: int, N: int, D: int, H: int, dtype=np.float64,
                        **tolerance) -> Case:
    x, prev_h, Wx, Wh, b, dnext_h = _step_inputs(seed, N, D, H, dtype=dtype)
    calls = (Call("rnn_step_forward", (x, prev_h, Wx, Wh, b)),
             Call("rnn_step_backward", (dnext_h, Ref(0, 1))))
    name = label(N=N, D=D, H=H) + (" float32" if dtype == np.float32 else "")
    return Case(name, calls, {name: Ref(1, k) for k, name in enumerate(STEP_GRADS)}
                | {helper_key("next_h"): Ref(0, 0)}, **tolerance)


def step_backward_cases() -> list[Case]:
    return [_step_backward_case(1200 + i, s["N"], s["D"], s["H"])
            for i, s in enumerate(shapes(seed=102))]


def step_backward_dtype_cases() -> list[Case]:
    return [_step_backward_case(1250, 3, 4, 5, dtype=np.float32, **FLOAT32),
            *step_backward_cases()[:2]]


def step_backward_cache_cases() -> list[Case]:
    first, other = _step_backward_case(1260, 3, 4, 5), _step_backward_case(1261, 3, 4, 5)
    return [with_earlier_cache(first, other)]


def _seq_inputs(seed: int, N: int, T: int, D: int, H: int, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (randn(rng, N, T, D, dtype=dtype), randn(rng, N, H, scale=0.5, dtype=dtype),
            *_params(rng, D, H, dtype), randn(rng, N, T, H, dtype=dtype))


def forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(shapes(seed=103)):
        x, h0, Wx, Wh, b, _ = _seq_inputs(1300 + i, **s)
        cases.append(Case(label(**s), (Call("rnn_forward", (x, h0, Wx, Wh, b)),),
                          {"h": Ref(0, 0)}))
    return cases


def forward_float32_cases() -> list[Case]:
    x, h0, Wx, Wh, b, _ = _seq_inputs(1400, N=2, T=5, D=3, H=4, dtype=np.float32)
    return [Case("N=2 T=5 D=3 H=4 float32", (Call("rnn_forward", (x, h0, Wx, Wh, b)),),
                 {"h": Ref(0, 0)}, **FLOAT32)]


def _backward_case(seed: int, sizes: dict[str, int], last_step_only: bool = False,
                   dtype=np.float64, **tolerance) -> Case:
    x, h0, Wx, Wh, b, dh = _seq_inputs(seed, **sizes, dtype=dtype)
    if last_step_only:
        dh[:, :-1] = 0  # the loss sees only the final state: gradient must travel back in time
    calls = (Call("rnn_forward", (x, h0, Wx, Wh, b)), Call("rnn_backward", (dh, Ref(0, 1))))
    name = label(**sizes) + (" upstream gradient at the last step only" if last_step_only else "")
    return Case(name, calls, {n: Ref(1, k) for k, n in enumerate(SEQ_GRADS)}
                | {helper_key("h"): Ref(0, 0)}, **tolerance)


def backward_cases() -> list[Case]:
    return [_backward_case(1500 + i, s) for i, s in enumerate(shapes(seed=104))]


def forward_dtype_cases() -> list[Case]:
    return forward_float32_cases() + forward_cases()[:2]


def backward_dtype_cases() -> list[Case]:
    return backward_float32_cases() + backward_cases()[:2]


def backward_cache_cases() -> list[Case]:
    sizes = dict(N=2, T=4, D=3, H=4)
    return [with_earlier_cache(_backward_case(1560, sizes), _backward_case(1561, sizes))]


def through_time_cases() -> list[Case]:
    return [_backward_case(1600, dict(N=2, T=6, D=3, H=4), last_step_only=True),
            _backward_case(1601, dict(N=1, T=9, D=2, H=5), last_step_only=True)]


def backward_float32_cases() -> list[Case]:
    return [_backward_case(1700, dict(N=2, T=4, D=3, H=4), dtype=np.float32, **FLOAT32)]


def _grads(seed: int, scale: float, dtype=np.float64) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"Wx": randn(rng, 3, 4, scale=scale, dtype=dtype),
            "Wh": randn(rng, 4, 4, scale=scale, dtype=dtype),
            "b": randn(rng, 4, scale=scale, dtype=dtype)}


def _clip_case(seed: int, scale: float, max_norm: float, name: str, dtype=np.float64,
               **tolerance) -> Case:
    grads = _grads(seed, scale, dtype)
    outputs = {f"clipped_{k}": Ref(0, 0, k) for k in grads} | {"total_norm": Ref(0, 1)}
    return Case(name, (Call("clip_grad_norm", (grads, max_norm)),), outputs, **tolerance)


def clip_dtype_cases() -> list[Case]:
    return [_clip_case(1803, 3.0, 1.0, "float32 gradients clipped", np.float32, **FLOAT32),
            _clip_case(1804, 0.1, 5.0, "float32 gradients below max_norm", np.float32,
                       **FLOAT32), *clip_above_cases()[:1]]


def clip_above_cases() -> list[Case]:
    return [_clip_case(1800, 3.0, 1.0, "global norm ~20 clipped to 1"),
            _clip_case(1801, 1.0, 5.0, "global norm ~6 clipped to 5")]


def clip_below_cases() -> list[Case]:
    return [_clip_case(1802, 0.1, 5.0, "global norm ~0.6 below max_norm 5")]


TRUNCATED_OUTPUTS = ("h", "dx", "dWx", "dWh", "db")


def chunk_lengths(T: int) -> list[int]:
    """k = 1, k = T, k > T, and lengths that leave a shorter last chunk (T % k != 0)."""
    return sorted({1, T, T + 2} | {k for k in (2, 3, T - 1) if 1 < k < T and T % k})


def _truncated_case(seed: int, sizes: dict[str, int], k: int, last_step_only: bool = False,
                    dtype=np.float64, **tolerance) -> Case:
    x, h0, Wx, Wh, b, dh = _seq_inputs(seed, **sizes, dtype=dtype)
    if last_step_only:
        dh[:, :-1] = 0  # only the last chunk may receive any gradient
    name = label(**sizes, k=k) + (" upstream gradient at the last step only"
                                  if last_step_only else "")
    calls = (Call("rnn_truncated_bptt", (x, h0, Wx, Wh, b, dh, k)),)
    return Case(name, calls, {n: Ref(0, i) for i, n in enumerate(TRUNCATED_OUTPUTS)},
                **tolerance)


def truncated_cases() -> list[Case]:
    cases = [_truncated_case(1900 + 10 * i + k, s, k)
             for i, s in enumerate(shapes(seed=105)) for k in chunk_lengths(s["T"])]
    # T = 11 leaves a last chunk of 2, 3 and 1 steps: dropping or mis-cutting it shows.
    return cases + [_truncated_case(1990 + k, dict(N=2, T=11, D=3, H=4), k) for k in (3, 4, 5)]


def truncated_border_cases() -> list[Case]:
    """Loss on the last step only: dx must be zero before the last chunk (full BPTT is not)."""
    return [_truncated_case(2000, dict(N=2, T=9, D=3, H=4), 4, last_step_only=True),
            _truncated_case(2001, dict(N=1, T=7, D=2, H=5), 3, last_step_only=True)]


def truncated_float32_cases() -> list[Case]:
    return [_truncated_case(2010, dict(N=2, T=7, D=3, H=4), 3, dtype=np.float32, **FLOAT32)]


def truncated_dtype_cases() -> list[Case]:
    return truncated_float32_cases() + truncated_cases()[:2]


def _norms_case(seed: int, sizes: dict[str, int], radius: float | None = None,
                dtype=np.float64, **tolerance) -> Case:
    x, h0, Wx, Wh, b, dh = _seq_inputs(seed, **sizes, dtype=dtype)
    if radius is not None:
        Wh = (Wh * (radius / np.max(np.abs(np.linalg.eigvals(Wh))))).astype(dtype)
    dout = dh[:, -1].copy()  # (N, H): gradient of the loss at the last hidden state
    name = label(**sizes) + (f" spectral radius {radius}" if radius is not None else "")
    return Case(name, (Call("rnn_gradient_norms", (x, h0, Wx, Wh, b, dout)),),
                {"norms": Ref(0)}, **tolerance)


def norms_cases() -> list[Case]:
    return [_norms_case(2100 + i, s) for i, s in enumerate(shapes(seed=106))]


def norms_regime_cases() -> list[Case]:
    """Vanishing and exploding settings: the norms span orders of magnitude over t."""
    return [_norms_case(2200, dict(N=2, T=12, D=3, H=6), radius=0.5),
            _norms_case(2201, dict(N=3, T=10, D=2, H=5), radius=1.5)]


def norms_float32_cases() -> list[Case]:
    return [_norms_case(2300, dict(N=2, T=6, D=3, H=4), dtype=np.float32, **FLOAT32)]


CLIPPED = {f"clipped_{k}": f"clipped {k}" for k in ("Wx", "Wh", "b")}

STEP_BACKWARD_FALLBACK = ("rnn_step_forward",)
FORWARD_FALLBACK = ("rnn_step_forward",)
BACKWARD_FALLBACK = ("rnn_forward", "rnn_step_forward", "rnn_step_backward")
# The through-time functions are built on the sequence layers; a wrong layer is charged
# in its own tests only.
CHAIN_FALLBACK = ("rnn_forward", "rnn_backward", "rnn_step_forward", "rnn_step_backward")

TESTS: list[Test] = [
    *value_tests("rnn_step_forward", step_forward_cases, {"next_h": "next_h values"}),
    *value_tests("rnn_step_forward", step_forward_float32_cases,
                 {"next_h": "float32 inputs"}, points=0.5, tag="float32"),
    unchanged_test("rnn_step_forward", step_forward_cases, points=0.5),
    dtype_test("rnn_step_forward", step_forward_dtype_cases, ("next_h",)),
    *value_tests("rnn_step_backward", step_backward_cases,
                 {g: f"gradient {g}" for g in STEP_GRADS}, fallback=STEP_BACKWARD_FALLBACK),
    unchanged_test("rnn_step_backward", step_backward_cases, points=0.5,
                   fallback=STEP_BACKWARD_FALLBACK),
    dtype_test("rnn_step_backward", step_backward_dtype_cases, STEP_GRADS,
               fallback=STEP_BACKWARD_FALLBACK),
    cache_test("rnn_step_backward", step_backward_cache_cases, "rnn_step_forward",
               fallback=STEP_BACKWARD_FALLBACK),
    *value_tests("rnn_forward", forward_cases, {"h": "hidden states h"}, points=2,
                 fallback=FORWARD_FALLBACK),
    *value_tests("rnn_forward", forward_float32_cases, {"h": "float32 inputs"}, points=0.5,
                 fallback=FORWARD_FALLBACK, tag="float32"),
    unchanged_test("rnn_forward", forward_cases, points=0.5, fallback=FORWARD_FALLBACK),
    dtype_test("rnn_forward", forward_dtype_cases, ("h",), fallback=FORWARD_FALLBACK),
    *value_tests("rnn_backward", backward_cases, {g: f"gradient {g}" for g in SEQ_GRADS},
                 fallback=BACKWARD_FALLBACK),
    *value_tests("rnn_backward", through_time_cases,
                 {"dx": "gradient flows back through time to dx",
                  "dh0": "gradient flows back through time to dh0"},
                 fallback=BACKWARD_FALLBACK, tag="through_time"),
    *value_tests("rnn_backward", backward_float32_cases, {"dWh": "float32 inputs"},
                 points=0.5, fallback=BACKWARD_FALLBACK, tag="float32"),
    unchanged_test("rnn_backward", backward_cases, points=0.5, fallback=BACKWARD_FALLBACK),
    dtype_test("rnn_backward", backward_dtype_cases, SEQ_GRADS, fallback=BACKWARD_FALLBACK),
    cache_test("rnn_backward", backward_cache_cases, "rnn_forward", fallback=BACKWARD_FALLBACK),
    *value_tests("clip_grad_norm", clip_above_cases,
                 CLIPPED | {"total_norm": "norm before clipping"}),
    # One test for all of it: handing the gradients back is right here only together with
    # their norm, so a function that returns its inputs earns nothing.
    Test(name="test_clip_grad_norm_below_max_norm", function="clip_grad_norm", points=2,
         cases=clip_below_cases, outputs=(*CLIPPED, "total_norm"),
         description="clip_grad_norm: small gradients untouched, their norm reported"),
    unchanged_test("clip_grad_norm", clip_above_cases),
    dtype_test("clip_grad_norm", clip_dtype_cases, tuple(CLIPPED)),
    *value_tests("rnn_gradient_norms", norms_cases, {"norms": "||dL/dh_t|| for every step t"},
                 points=2, fallback=CHAIN_FALLBACK),
    *value_tests("rnn_gradient_norms", norms_regime_cases,
                 {"norms": "vanishing and exploding regimes"}, fallback=CHAIN_FALLBACK,
                 tag="regimes"),
    *value_tests("rnn_gradient_norms", norms_float32_cases, {"norms": "float32 inputs"},
                 points=0.5, fallback=CHAIN_FALLBACK, tag="float32"),
    unchanged_test("rnn_gradient_norms", norms_cases, points=0.5, fallback=CHAIN_FALLBACK),
    *value_tests("rnn_truncated_bptt", truncated_cases,
                 {"h": "hidden states carried across chunks", "dx": "truncated gradient dx",
                  "dWx": "truncated gradient dWx", "dWh": "truncated gradient dWh",
                  "db": "truncated gradient db"}, fallback=CHAIN_FALLBACK),
    *value_tests("rnn_truncated_bptt", truncated_border_cases,
                 {"dx": "no gradient crosses a chunk border (dx)",
                  "dWh": "no gradient crosses a chunk border (dWh)"},
                 fallback=CHAIN_FALLBACK, tag="border"),
    *value_tests("rnn_truncated_bptt", truncated_float32_cases, {"dWh": "float32 inputs"},
                 points=0.5, fallback=CHAIN_FALLBACK, tag="float32"),
    unchanged_test("rnn_truncated_bptt", truncated_cases, points=0.5, fallback=CHAIN_FALLBACK),
    dtype_test("rnn_truncated_bptt", truncated_dtype_cases, TRUNCATED_OUTPUTS,
               fallback=CHAIN_FALLBACK),
]
