"""Hidden tests of the `lstm` assignment: LSTM and GRU steps and sequences."""

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
    with_head,
)

LSTM_STEP_GRADS = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")
LSTM_SEQ_GRADS = ("dx", "dh0", "dWx", "dWh", "db")
GRU_STEP_GRADS = ("dx", "dprev_h", "dWx", "dWh", "dbx", "dbh")
GRU_SEQ_GRADS = ("dx", "dh0", "dWx", "dWh", "dbx", "dbh")


def _weights(rng, D: int, H: int, gates: int, dtype=np.float64):
    """Input and recurrent weights scaled so that no gate starts saturated."""
    return (randn(rng, D, gates * H, scale=1 / np.sqrt(D), dtype=dtype),
            randn(rng, H, gates * H, scale=0.9 / np.sqrt(H), dtype=dtype))


def _lstm_params(rng, D: int, H: int, dtype=np.float64, forget_bias: float = 0.0):
    Wx, Wh = _weights(rng, D, H, 4, dtype)
    b = randn(rng, 4 * H, scale=0.1, dtype=dtype)
    b[H:2 * H] += forget_bias
    return Wx, Wh, b


def _gru_params(rng, D: int, H: int, dtype=np.float64):
    Wx, Wh = _weights(rng, D, H, 3, dtype)
    return (Wx, Wh, randn(rng, 3 * H, scale=0.1, dtype=dtype),
            randn(rng, 3 * H, scale=0.1, dtype=dtype))


def _outputs(call: int, names: tuple[str, ...]) -> dict[str, Ref]:
    return {name: Ref(call, k) for k, name in enumerate(names)}


def _helpers(*names: str) -> dict[str, Ref]:
    """The forward's outputs (call 0) in a backward case: see `spec.helper_key`."""
    return {helper_key(name): Ref(0, k) for k, name in enumerate(names)}


# --- LSTM step ----------------------------------------------------------------------------------


def _lstm_step_inputs(seed: int, N: int, D: int, H: int, dtype=np.float64):
    """x, prev_h, prev_c, Wx, Wh, b, dnext_h, dnext_c."""
    rng = np.random.default_rng(seed)
    x, prev_h = randn(rng, N, D, dtype=dtype), randn(rng, N, H, scale=0.5, dtype=dtype)
    prev_c = randn(rng, N, H, dtype=dtype)
    return (x, prev_h, prev_c, *_lstm_params(rng, D, H, dtype),
            randn(rng, N, H, dtype=dtype), randn(rng, N, H, dtype=dtype))


def lstm_step_forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(shapes(seed=201)):
        *inputs, _, _ = _lstm_step_inputs(2000 + i, s["N"], s["D"], s["H"])
        cases.append(Case(label(N=s["N"], D=s["D"], H=s["H"]),
                          (Call("lstm_step_forward", tuple(inputs)),),
                          {"next_h": Ref(0, 0), "next_c": Ref(0, 1)}))
    return cases


def lstm_step_forward_float32_cases() -> list[Case]:
    *inputs, _, _ = _lstm_step_inputs(2100, 3, 4, 5, dtype=np.float32)
    return [Case("N=3 D=4 H=5 float32", (Call("lstm_step_forward", tuple(inputs)),),
                 {"next_h": Ref(0, 0), "next_c": Ref(0, 1)}, **FLOAT32)]


def _lstm_step_backward_case(seed: int, N: int, D: int, H: int, cell_only: bool = False,
                             dtype=np.float64, **tolerance) -> Case:
    *inputs, dnext_h, dnext_c = _lstm_step_inputs(seed, N, D, H, dtype=dtype)
    if cell_only:
        dnext_h[:] = 0  # the loss reaches this step only through the cell state
    calls = (Call("lstm_step_forward", tuple(inputs)),
             Call("lstm_step_backward", (dnext_h, dnext_c, Ref(0, 2))))
    name = label(N=N, D=D, H=H) + (" dnext_h = 0, gradient through the cell only"
                                   if cell_only else "") + (
        " float32" if dtype == np.float32 else "")
    return Case(name, calls, _outputs(1, LSTM_STEP_GRADS) | _helpers("next_h", "next_c"),
                **tolerance)


def lstm_step_backward_cases() -> list[Case]:
    return [_lstm_step_backward_case(2200 + i, s["N"], s["D"], s["H"])
            for i, s in enumerate(shapes(seed=202))]


def lstm_step_backward_dtype_cases() -> list[Case]:
    return [_lstm_step_backward_case(2250, 3, 4, 5, dtype=np.float32, **FLOAT32),
            *lstm_step_backward_cases()[:2]]


def lstm_step_backward_cache_cases() -> list[Case]:
    return [with_earlier_cache(_lstm_step_backward_case(2260, 3, 4, 5),
                               _lstm_step_backward_case(2261, 3, 4, 5))]


def lstm_step_backward_cell_cases() -> list[Case]:
    return [_lstm_step_backward_case(2300, 3, 4, 5, cell_only=True),
            _lstm_step_backward_case(2301, 1, 2, 1, cell_only=True)]


# --- LSTM sequence -------------------------------------------------------------------------------


def _lstm_seq_inputs(seed: int, N: int, T: int, D: int, H: int, dtype=np.float64,
                     forget_bias: float = 0.0, recurrent_scale: float = 1.0):
    """x, h0, Wx, Wh, b, dh."""
    rng = np.random.default_rng(seed)
    x, h0 = randn(rng, N, T, D, dtype=dtype), randn(rng, N, H, scale=0.5, dtype=dtype)
    Wx, Wh, b = _lstm_params(rng, D, H, dtype, forget_bias)
    return x, h0, Wx, (Wh * recurrent_scale).astype(dtype), b, randn(rng, N, T, H, dtype=dtype)


def lstm_forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(shapes(seed=203)):
        *inputs, _ = _lstm_seq_inputs(2400 + i, **s)
        cases.append(Case(label(**s), (Call("lstm_forward", tuple(inputs)),), {"h": Ref(0, 0)}))
    return cases


def lstm_forward_float32_cases() -> list[Case]:
    *inputs, _ = _lstm_seq_inputs(2500, N=2, T=5, D=3, H=4, dtype=np.float32)
    return [Case("N=2 T=5 D=3 H=4 float32", (Call("lstm_forward", tuple(inputs)),),
                 {"h": Ref(0, 0)}, **FLOAT32)]


def _lstm_backward_case(seed: int, sizes: dict[str, int], last_step_only: bool = False,
                        dtype=np.float64, note: str = "", forget_bias: float = 0.0,
                        recurrent_scale: float = 1.0, **tolerance) -> Case:
    *inputs, dh = _lstm_seq_inputs(seed, **sizes, dtype=dtype, forget_bias=forget_bias,
                                   recurrent_scale=recurrent_scale)
    if last_step_only:
        dh[:, :-1] = 0  # the loss sees only the final state: gradient must travel back in time
    calls = (Call("lstm_forward", tuple(inputs)), Call("lstm_backward", (dh, Ref(0, 1))))
    name = label(**sizes) + (" upstream gradient at the last step only" if last_step_only
                             else "") + note
    return Case(name, calls, _outputs(1, LSTM_SEQ_GRADS) | _helpers("h"), **tolerance)


def lstm_backward_cases() -> list[Case]:
    return [_lstm_backward_case(2600 + i, s) for i, s in enumerate(shapes(seed=204))]


def lstm_through_time_cases() -> list[Case]:
    return [_lstm_backward_case(2700, dict(N=2, T=6, D=3, H=4), last_step_only=True),
            _lstm_backward_case(2701, dict(N=1, T=9, D=2, H=5), last_step_only=True)]


def lstm_cell_path_cases() -> list[Case]:
    # Forget gates near 1 and weak recurrent weights: the gradient reaching the first steps
    # travels mostly along the cell state, so dropping dprev_c between steps is visible.
    return [_lstm_backward_case(2800, dict(N=3, T=8, D=2, H=4), last_step_only=True,
                                forget_bias=3.0, recurrent_scale=0.1,
                                note=", forget gates near 1 (memory kept in the cell)")]


def lstm_backward_float32_cases() -> list[Case]:
    return [_lstm_backward_case(2900, dict(N=2, T=4, D=3, H=4), dtype=np.float32, **FLOAT32)]


def lstm_backward_cache_cases() -> list[Case]:
    sizes = dict(N=2, T=4, D=3, H=4)
    return [with_earlier_cache(_lstm_backward_case(2910, sizes),
                               _lstm_backward_case(2911, sizes))]


# --- GRU step -------------------------------------------------------------------------------------


def _gru_step_inputs(seed: int, N: int, D: int, H: int, dtype=np.float64):
    """x, prev_h, Wx, Wh, bx, bh, dnext_h."""
    rng = np.random.default_rng(seed)
    x, prev_h = randn(rng, N, D, dtype=dtype), randn(rng, N, H, scale=0.5, dtype=dtype)
    return (x, prev_h, *_gru_params(rng, D, H, dtype), randn(rng, N, H, dtype=dtype))


def gru_step_forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(shapes(seed=301)):
        *inputs, _ = _gru_step_inputs(3000 + i, s["N"], s["D"], s["H"])
        cases.append(Case(label(N=s["N"], D=s["D"], H=s["H"]),
                          (Call("gru_step_forward", tuple(inputs)),), {"next_h": Ref(0, 0)}))
    return cases


def gru_step_forward_float32_cases() -> list[Case]:
    *inputs, _ = _gru_step_inputs(3100, 3, 4, 5, dtype=np.float32)
    return [Case("N=3 D=4 H=5 float32", (Call("gru_step_forward", tuple(inputs)),),
                 {"next_h": Ref(0, 0)}, **FLOAT32)]


def _gru_step_backward_case(seed: int, N: int, D: int, H: int, dtype=np.float64,
                            **tolerance) -> Case:
    *inputs, dnext_h = _gru_step_inputs(seed, N, D, H, dtype=dtype)
    calls = (Call("gru_step_forward", tuple(inputs)),
             Call("gru_step_backward", (dnext_h, Ref(0, 1))))
    name = label(N=N, D=D, H=H) + (" float32" if dtype == np.float32 else "")
    return Case(name, calls, _outputs(1, GRU_STEP_GRADS) | _helpers("next_h"), **tolerance)


def gru_step_backward_cases() -> list[Case]:
    return [_gru_step_backward_case(3200 + i, s["N"], s["D"], s["H"])
            for i, s in enumerate(shapes(seed=302))]


def gru_step_backward_dtype_cases() -> list[Case]:
    return [_gru_step_backward_case(3250, 3, 4, 5, dtype=np.float32, **FLOAT32),
            *gru_step_backward_cases()[:2]]


def gru_step_backward_cache_cases() -> list[Case]:
    return [with_earlier_cache(_gru_step_backward_case(3260, 3, 4, 5),
                               _gru_step_backward_case(3261, 3, 4, 5))]


# --- GRU sequence ---------------------------------------------------------------------------------


def _gru_seq_inputs(seed: int, N: int, T: int, D: int, H: int, dtype=np.float64):
    """x, h0, Wx, Wh, bx, bh, dh."""
    rng = np.random.default_rng(seed)
    x, h0 = randn(rng, N, T, D, dtype=dtype), randn(rng, N, H, scale=0.5, dtype=dtype)
    return (x, h0, *_gru_params(rng, D, H, dtype), randn(rng, N, T, H, dtype=dtype))


def gru_forward_cases() -> list[Case]:
    cases = []
    for i, s in enumerate(shapes(seed=303)):
        *inputs, _ = _gru_seq_inputs(3300 + i, **s)
        cases.append(Case(label(**s), (Call("gru_forward", tuple(inputs)),), {"h": Ref(0, 0)}))
    return cases


def gru_forward_float32_cases() -> list[Case]:
    *inputs, _ = _gru_seq_inputs(3400, N=2, T=5, D=3, H=4, dtype=np.float32)
    return [Case("N=2 T=5 D=3 H=4 float32", (Call("gru_forward", tuple(inputs)),),
                 {"h": Ref(0, 0)}, **FLOAT32)]


def _gru_backward_case(seed: int, sizes: dict[str, int], last_step_only: bool = False,
                       dtype=np.float64, **tolerance) -> Case:
    *inputs, dh = _gru_seq_inputs(seed, **sizes, dtype=dtype)
    if last_step_only:
        dh[:, :-1] = 0
    calls = (Call("gru_forward", tuple(inputs)), Call("gru_backward", (dh, Ref(0, 1))))
    name = label(**sizes) + (" upstream gradient at the last step only" if last_step_only else "")
    return Case(name, calls, _outputs(1, GRU_SEQ_GRADS) | _helpers("h"), **tolerance)


def gru_backward_cases() -> list[Case]:
    return [_gru_backward_case(3500 + i, s) for i, s in enumerate(shapes(seed=304))]


def gru_through_time_cases() -> list[Case]:
    return [_gru_backward_case(3600, dict(N=2, T=6, D=3, H=4), last_step_only=True),
            _gru_backward_case(3601, dict(N=1, T=9, D=2, H=5), last_step_only=True)]


def gru_backward_float32_cases() -> list[Case]:
    return [_gru_backward_case(3700, dict(N=2, T=4, D=3, H=4), dtype=np.float32, **FLOAT32)]


def gru_backward_cache_cases() -> list[Case]:
    sizes = dict(N=2, T=4, D=3, H=4)
    return [with_earlier_cache(_gru_backward_case(3710, sizes), _gru_backward_case(3711, sizes))]


# --- the tests ------------------------------------------------------------------------------------


def _grads(names: tuple[str, ...]) -> dict[str, str]:
    return {g: f"gradient {g}" for g in names}


LSTM_STEP_BACKWARD_FALLBACK = ("lstm_step_forward",)
LSTM_FORWARD_FALLBACK = ("lstm_step_forward",)
LSTM_BACKWARD_FALLBACK = ("lstm_forward", "lstm_step_forward", "lstm_step_backward")
GRU_STEP_BACKWARD_FALLBACK = ("gru_step_forward",)
GRU_FORWARD_FALLBACK = ("gru_step_forward",)
GRU_BACKWARD_FALLBACK = ("gru_forward", "gru_step_forward", "gru_step_backward")

LSTM_TESTS: list[Test] = [
    *value_tests("lstm_step_forward", lstm_step_forward_cases,
                 {"next_h": "next_h values", "next_c": "next_c values"}),
    *value_tests("lstm_step_forward", lstm_step_forward_float32_cases,
                 {"next_h": "float32 inputs"}, points=0.5, tag="float32"),
    unchanged_test("lstm_step_forward", lstm_step_forward_cases, points=0.5),
    dtype_test("lstm_step_forward",
               with_head(lstm_step_forward_float32_cases, lstm_step_forward_cases),
               ("next_h", "next_c")),
    *value_tests("lstm_step_backward", lstm_step_backward_cases, _grads(LSTM_STEP_GRADS),
                 fallback=LSTM_STEP_BACKWARD_FALLBACK),
    *value_tests("lstm_step_backward", lstm_step_backward_cell_cases,
                 {"dx": "gradient through the cell state alone reaches dx",
                  "dprev_c": "gradient through the cell state alone reaches dprev_c"},
                 fallback=LSTM_STEP_BACKWARD_FALLBACK, tag="cell_only"),
    unchanged_test("lstm_step_backward", lstm_step_backward_cases, points=0.5,
                   fallback=LSTM_STEP_BACKWARD_FALLBACK),
    dtype_test("lstm_step_backward", lstm_step_backward_dtype_cases, LSTM_STEP_GRADS,
               fallback=LSTM_STEP_BACKWARD_FALLBACK),
    cache_test("lstm_step_backward", lstm_step_backward_cache_cases, "lstm_step_forward",
               fallback=LSTM_STEP_BACKWARD_FALLBACK),
    *value_tests("lstm_forward", lstm_forward_cases, {"h": "hidden states h"}, points=2,
                 fallback=LSTM_FORWARD_FALLBACK),
    *value_tests("lstm_forward", lstm_forward_float32_cases, {"h": "float32 inputs"},
                 points=0.5, fallback=LSTM_FORWARD_FALLBACK, tag="float32"),
    unchanged_test("lstm_forward", lstm_forward_cases, points=0.5,
                   fallback=LSTM_FORWARD_FALLBACK),
    dtype_test("lstm_forward",
               with_head(lstm_forward_float32_cases, lstm_forward_cases),
               ("h",), fallback=LSTM_FORWARD_FALLBACK),
    *value_tests("lstm_backward", lstm_backward_cases, _grads(LSTM_SEQ_GRADS),
                 fallback=LSTM_BACKWARD_FALLBACK),
    *value_tests("lstm_backward", lstm_through_time_cases,
                 {"dx": "gradient flows back through time to dx",
                  "dh0": "gradient flows back through time to dh0"},
                 fallback=LSTM_BACKWARD_FALLBACK, tag="through_time"),
    *value_tests("lstm_backward", lstm_cell_path_cases,
                 {"dx": "gradient carried back along the cell state to dx",
                  "dWx": "gradient carried back along the cell state to dWx"},
                 fallback=LSTM_BACKWARD_FALLBACK, tag="cell_path"),
    *value_tests("lstm_backward", lstm_backward_float32_cases, {"dWh": "float32 inputs"},
                 points=0.5, fallback=LSTM_BACKWARD_FALLBACK, tag="float32"),
    unchanged_test("lstm_backward", lstm_backward_cases, points=0.5,
                   fallback=LSTM_BACKWARD_FALLBACK),
    dtype_test("lstm_backward",
               with_head(lstm_backward_float32_cases, lstm_backward_cases),
               LSTM_SEQ_GRADS,
               fallback=LSTM_BACKWARD_FALLBACK),
    cache_test("lstm_backward", lstm_backward_cache_cases, "lstm_forward",
               fallback=LSTM_BACKWARD_FALLBACK),
]

GRU_TESTS: list[Test] = [
    *value_tests("gru_step_forward", gru_step_forward_cases, {"next_h": "next_h values"}),
    *value_tests("gru_step_forward", gru_step_forward_float32_cases,
                 {"next_h": "float32 inputs"}, points=0.5, tag="float32"),
    unchanged_test("gru_step_forward", gru_step_forward_cases, points=0.5),
    dtype_test("gru_step_forward",
               with_head(gru_step_forward_float32_cases, gru_step_forward_cases),
               ("next_h",)),
    *value_tests("gru_step_backward", gru_step_backward_cases, _grads(GRU_STEP_GRADS),
                 fallback=GRU_STEP_BACKWARD_FALLBACK),
    unchanged_test("gru_step_backward", gru_step_backward_cases, points=0.5,
                   fallback=GRU_STEP_BACKWARD_FALLBACK),
    dtype_test("gru_step_backward", gru_step_backward_dtype_cases, GRU_STEP_GRADS,
               fallback=GRU_STEP_BACKWARD_FALLBACK),
    cache_test("gru_step_backward", gru_step_backward_cache_cases, "gru_step_forward",
               fallback=GRU_STEP_BACKWARD_FALLBACK),
    *value_tests("gru_forward", gru_forward_cases, {"h": "hidden states h"}, points=2,
                 fallback=GRU_FORWARD_FALLBACK),
    *value_tests("gru_forward", gru_forward_float32_cases, {"h": "float32 inputs"},
                 points=0.5, fallback=GRU_FORWARD_FALLBACK, tag="float32"),
    unchanged_test("gru_forward", gru_forward_cases, points=0.5, fallback=GRU_FORWARD_FALLBACK),
    dtype_test("gru_forward",
               with_head(gru_forward_float32_cases, gru_forward_cases),
               ("h",), fallback=GRU_FORWARD_FALLBACK),
    *value_tests("gru_backward", gru_backward_cases, _grads(GRU_SEQ_GRADS),
                 fallback=GRU_BACKWARD_FALLBACK),
    *value_tests("gru_backward", gru_through_time_cases,
                 {"dx": "gradient flows back through time to dx",
                  "dh0": "gradient flows back through time to dh0"},
                 fallback=GRU_BACKWARD_FALLBACK, tag="through_time"),
    *value_tests("gru_backward", gru_backward_float32_cases, {"dWh": "float32 inputs"},
                 points=0.5, fallback=GRU_BACKWARD_FALLBACK, tag="float32"),
    unchanged_test("gru_backward", gru_backward_cases, points=0.5,
                   fallback=GRU_BACKWARD_FALLBACK),
    dtype_test("gru_backward",
               with_head(gru_backward_float32_cases, gru_backward_cases),
               GRU_SEQ_GRADS,
               fallback=GRU_BACKWARD_FALLBACK),
    cache_test("gru_backward", gru_backward_cache_cases, "gru_forward",
               fallback=GRU_BACKWARD_FALLBACK),
]

TESTS: list[Test] = LSTM_TESTS + GRU_TESTS
