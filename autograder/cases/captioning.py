"""Hidden tests of the `captioning` assignment: attention, the attention LSTM, the
captioning loss, greedy decoding and beam search."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..spec import Call, Case, Ref, Test, helper_key
from .common import (
    FLOAT32,
    cache_test,
    dtype_test,
    label,
    randn,
    unchanged_test,
    value_tests,
    with_earlier_cache,
    with_head,
)

NULL, START, END = 0, 1, 2
STEP_GRADS = ("dx", "dprev_h", "dprev_c", "dattn", "dWx", "dWh", "dWattn", "db")
SEQ_GRADS = ("dx", "dA", "dWx", "dWh", "dWattn", "db")
CELLS = ("rnn", "lstm", "attention")

# Edge shapes: everything of size one, then N, T, H, P and D of size one each alone.
EDGE = (dict(N=1, T=1, D=1, H=1, P=1), dict(N=1, T=3, D=2, H=4, P=2),
        dict(N=3, T=1, D=3, H=2, P=3), dict(N=2, T=4, D=3, H=1, P=2),
        dict(N=3, T=2, D=2, H=3, P=1), dict(N=2, T=3, D=1, H=5, P=2))


def shapes(seed: int, count: int = 3) -> Iterator[dict[str, int]]:
    yield from EDGE
    rng = np.random.default_rng(seed)
    for _ in range(count):
        N, T, D, H = (int(v) for v in rng.integers(1, 6, size=4))
        yield dict(N=N, T=T, D=D, H=H, P=int(rng.integers(1, 4)))


def _outputs(call: int, names: tuple[str, ...]) -> dict[str, Ref]:
    return {name: Ref(call, k) for k, name in enumerate(names)}


def _helpers(*names: str) -> dict[str, Ref]:
    """The forward's outputs (call 0) in a backward case: see `spec.helper_key`."""
    return {helper_key(name): Ref(0, k) for k, name in enumerate(names)}


def _grads(names: tuple[str, ...]) -> dict[str, str]:
    return {name: f"gradient {name}" for name in names}


# --- attention ----------------------------------------------------------------------------------
def _attention_inputs(seed: int, N: int, H: int, P: int, dtype=np.float64, scale=1.0, **_):
    rng = np.random.default_rng(seed)
    return (randn(rng, N, H, scale=scale, dtype=dtype), randn(rng, N, H, P, P, dtype=dtype),
            randn(rng, N, H, dtype=dtype), randn(rng, N, P, P, dtype=dtype))


def _attention_forward_case(seed, s, dtype=np.float64, scale=1.0, **tolerance) -> Case:
    prev_h, A, _, _ = _attention_inputs(seed, **s, dtype=dtype, scale=scale)
    name = label(**s) + ("" if dtype == np.float64 else " float32") + \
        (f" queries scaled by {scale:g}" if scale != 1 else "")
    return Case(name, (Call("dot_product_attention_forward", (prev_h, A)),),
                _outputs(0, ("attn", "attn_weights")), **tolerance)


def attention_forward_cases() -> list[Case]:
    return [_attention_forward_case(4000 + i, s) for i, s in enumerate(shapes(400))]


def attention_forward_float32_cases() -> list[Case]:
    return [_attention_forward_case(4050, dict(N=3, H=4, P=3), np.float32, **FLOAT32)]


def attention_large_cases() -> list[Case]:
    return [_attention_forward_case(4060, dict(N=2, H=4, P=3), scale=1e3),
            _attention_forward_case(4061, dict(N=1, H=1, P=2), scale=-1e4)]


def _attention_backward_case(seed, s, dtype=np.float64, **tolerance) -> Case:
    prev_h, A, dattn, dweights = _attention_inputs(seed, **s, dtype=dtype)
    calls = (Call("dot_product_attention_forward", (prev_h, A)),
             Call("dot_product_attention_backward", (dattn, dweights, Ref(0, 2))))
    name = label(**s) + ("" if dtype == np.float64 else " float32")
    return Case(name, calls, _outputs(1, ("dprev_h", "dA")) | _helpers("attn", "attn_weights"),
                **tolerance)


def attention_backward_cases() -> list[Case]:
    return [_attention_backward_case(4100 + i, s) for i, s in enumerate(shapes(401))]


def attention_backward_dtype_cases() -> list[Case]:
    return [_attention_backward_case(4150, dict(N=3, H=4, P=2), np.float32, **FLOAT32),
            *attention_backward_cases()[:2]]


def attention_backward_cache_cases() -> list[Case]:
    s = dict(N=2, H=3, P=2)
    return [with_earlier_cache(_attention_backward_case(4160, s),
                               _attention_backward_case(4161, s))]


# --- attention LSTM step ------------------------------------------------------------------------
def _lstm_weights(rng, D: int, H: int, dtype=np.float64):
    return (randn(rng, D, 4 * H, scale=1 / np.sqrt(D), dtype=dtype),
            randn(rng, H, 4 * H, scale=0.9 / np.sqrt(H), dtype=dtype),
            randn(rng, H, 4 * H, scale=0.9 / np.sqrt(H), dtype=dtype),
            randn(rng, 4 * H, scale=0.1, dtype=dtype))


def _step_case(seed, s, dtype=np.float64, backward=True, **tolerance) -> Case:
    rng = np.random.default_rng(seed)
    N, D, H = s["N"], s["D"], s["H"]
    x, prev_h = randn(rng, N, D, dtype=dtype), randn(rng, N, H, scale=0.5, dtype=dtype)
    prev_c, attn = randn(rng, N, H, dtype=dtype), randn(rng, N, H, dtype=dtype)
    Wx, Wh, Wattn, b = _lstm_weights(rng, D, H, dtype)
    dnext_h, dnext_c = randn(rng, N, H, dtype=dtype), randn(rng, N, H, dtype=dtype)
    forward = Call("attention_lstm_step_forward", (x, prev_h, prev_c, attn, Wx, Wh, Wattn, b))
    name = label(N=N, D=D, H=H) + ("" if dtype == np.float64 else " float32")
    if not backward:
        return Case(name, (forward,), _outputs(0, ("next_h", "next_c")), **tolerance)
    calls = (forward, Call("attention_lstm_step_backward", (dnext_h, dnext_c, Ref(0, 2))))
    return Case(name, calls, _outputs(1, STEP_GRADS) | _helpers("next_h", "next_c"),
                **tolerance)


def step_forward_cases() -> list[Case]:
    return [_step_case(4200 + i, s, backward=False) for i, s in enumerate(shapes(402))]


def step_forward_float32_cases() -> list[Case]:
    return [_step_case(4250, dict(N=3, D=4, H=5), np.float32, backward=False, **FLOAT32)]


def step_backward_cases() -> list[Case]:
    return [_step_case(4300 + i, s) for i, s in enumerate(shapes(403))]


def step_backward_dtype_cases() -> list[Case]:
    return [_step_case(4350, dict(N=3, D=4, H=5), np.float32, **FLOAT32),
            *step_backward_cases()[:2]]


def step_backward_cache_cases() -> list[Case]:
    s = dict(N=2, D=3, H=4)
    return [with_earlier_cache(_step_case(4360, s), _step_case(4361, s))]


# --- attention LSTM over a sequence -------------------------------------------------------------
def _seq_case(seed, s, dtype=np.float64, backward=True, **tolerance) -> Case:
    rng = np.random.default_rng(seed)
    N, T, D, H, P = (s[k] for k in "NTDHP")
    x, A = randn(rng, N, T, D, dtype=dtype), randn(rng, N, H, P, P, dtype=dtype)
    Wx, Wh, Wattn, b = _lstm_weights(rng, D, H, dtype)
    dh = randn(rng, N, T, H, dtype=dtype)
    forward = Call("attention_lstm_forward", (x, A, Wx, Wh, Wattn, b))
    name = label(**s) + ("" if dtype == np.float64 else " float32")
    if not backward:
        return Case(name, (forward,), {"h": Ref(0, 0)}, **tolerance)
    calls = (forward, Call("attention_lstm_backward", (dh, Ref(0, 1))))
    return Case(name, calls, _outputs(1, SEQ_GRADS) | _helpers("h"), **tolerance)


def seq_forward_cases() -> list[Case]:
    return [_seq_case(4400 + i, s, backward=False) for i, s in enumerate(shapes(404))]


def seq_forward_float32_cases() -> list[Case]:
    return [_seq_case(4450, dict(N=2, T=3, D=3, H=4, P=2), np.float32, backward=False,
                      **FLOAT32)]


def seq_backward_cases() -> list[Case]:
    return [_seq_case(4500 + i, s) for i, s in enumerate(shapes(405))]


def seq_backward_dtype_cases() -> list[Case]:
    return [_seq_case(4550, dict(N=2, T=3, D=3, H=4, P=2), np.float32, **FLOAT32),
            *seq_backward_cases()[:2]]


def seq_backward_cache_cases() -> list[Case]:
    s = dict(N=2, T=3, D=2, H=3, P=2)
    return [with_earlier_cache(_seq_case(4560, s), _seq_case(4561, s))]


# --- the captioning model -----------------------------------------------------------------------
def _model(rng, cell: str, V: int, Dp: int, P: int, H: int, D: int, scale=1.0) -> dict:
    k = 1 if cell == "rnn" else 4
    params = {"W_proj": randn(rng, Dp, H, scale=scale / np.sqrt(Dp)),
              "W_pos": randn(rng, P * P, H, scale=0.5 * scale),
              "W_embed": randn(rng, V, D, scale=0.5 * scale),
              "Wx": randn(rng, D, k * H, scale=scale / np.sqrt(D)),
              "Wh": randn(rng, H, k * H, scale=0.9 * scale / np.sqrt(H)),
              "b": randn(rng, k * H, scale=0.1),
              "W_out": randn(rng, H, V, scale=scale / np.sqrt(H)),
              "b_out": randn(rng, V, scale=0.1)}
    if cell == "attention":
        params["Wattn"] = randn(rng, H, 4 * H, scale=0.9 * scale / np.sqrt(H))
    return params


def _captions(rng, N: int, T: int, V: int) -> np.ndarray:
    """<START>, words in [3, V), <END>, <NULL> padding; ragged lengths, one full row and
    (N > 1) a last row padded with two <NULL> or more where T > 2."""
    captions = np.full((N, T + 1), NULL, dtype=np.int64)
    captions[:, 0] = START
    for n in range(N):
        longest = T - 2 if n == N - 1 else T  # the last row: at most T - 3 words
        length = T - 1 if n == 0 else int(rng.integers(0, max(1, longest)))
        captions[n, 1:1 + length] = rng.integers(3, V, size=length)
        captions[n, 1 + length] = END
    return captions


def loss_cases(cell: str) -> list[Case]:
    cases = []
    for i, s in enumerate(shapes(406 + CELLS.index(cell))):
        rng = np.random.default_rng(4600 + 100 * CELLS.index(cell) + i)
        V, Dp = int(rng.integers(4, 9)), int(rng.integers(1, 6))
        params = _model(rng, cell, V, Dp, s["P"], s["H"], s["D"])
        patches = randn(rng, s["N"], s["P"], s["P"], Dp)
        captions = _captions(rng, s["N"], s["T"], V)
        outputs = {"loss": Ref(0, 0)} | {f"d{k}": Ref(0, 1, k) for k in params}
        cases.append(Case(f"cell={cell} " + label(**s, V=V, Dp=Dp),
                          (Call("captioning_loss", (params, patches, captions, cell)),),
                          outputs))
    return cases


def rnn_loss_cases() -> list[Case]:
    return loss_cases("rnn")


def lstm_loss_cases() -> list[Case]:
    return loss_cases("lstm")


def attention_loss_cases() -> list[Case]:
    return loss_cases("attention")


LOSS_CASES = {"rnn": rnn_loss_cases, "lstm": lstm_loss_cases, "attention": attention_loss_cases}


def all_loss_cases() -> list[Case]:
    return [c for cell in CELLS for c in loss_cases(cell)[:2]]


def param_names(cell: str) -> tuple[str, ...]:
    names = ("W_proj", "W_pos", "W_embed", "Wx", "Wh", "b", "W_out", "b_out")
    return names + (("Wattn",) if cell == "attention" else ())


# --- decoding -----------------------------------------------------------------------------------
def _decoding_model(seed: int, cell: str, V: int = 6, P: int = 2, H: int = 4, D: int = 3,
                    Dp: int = 4, N: int = 3):
    rng = np.random.default_rng(seed)
    params = _model(rng, cell, V, Dp, P, H, D, scale=2.0)  # confident: no near ties
    params["b_out"][[NULL, START]] -= 4.0  # never generated, as in a trained model
    params["b_out"][END] += 0.4  # some captions end early, some run to max_length
    return params, randn(rng, N, P, P, Dp)


def greedy_cases() -> list[Case]:
    cases = []
    for i, (cell, N, P, max_length) in enumerate(
            [("rnn", 3, 2, 6), ("lstm", 4, 1, 5), ("rnn", 3, 2, 8),
             ("lstm", 1, 3, 1), ("lstm", 2, 2, 10), ("rnn", 5, 2, 7)]):
        params, patches = _decoding_model(4900 + i, cell, N=N, P=P)
        cases.append(Case(f"cell={cell} N={N} P={P} max_length={max_length}",
                          (Call("sample_greedy", (params, patches, cell, max_length)),),
                          {"captions": Ref(0)}))
    return cases


def _beam_case(seed: int, cell: str, width: int, max_length: int, V: int = 6) -> Case:
    params, patches = _decoding_model(seed, cell, V=V, N=1)
    return Case(f"cell={cell} V={V} beam_width={width} max_length={max_length}",
                (Call("beam_search", (params, patches[0], cell, width, max_length)),),
                {"caption": Ref(0, 0), "score": Ref(0, 1)})


def beam_cases() -> list[Case]:
    return [_beam_case(5000 + i, cell, width, length, V)
            for i, (cell, width, length, V) in enumerate(
                [("lstm", 3, 6, 6), ("rnn", 2, 8, 6), ("rnn", 4, 5, 5),
                 ("lstm", 6, 7, 6), ("lstm", 2, 1, 4), ("rnn", 3, 10, 7),
                 ("rnn", 2, 9, 6), ("lstm", 5, 8, 6)])] + [
        # models on which the width matters: k, k + 1 and greedy decoding all differ
        _beam_case(seed, cell, width, length, V) for seed, cell, width, length, V in
        [(5217, "lstm", 2, 6, 7), (5225, "lstm", 4, 8, 7), (5251, "lstm", 3, 7, 7),
         (5271, "lstm", 2, 6, 7)]]


def beam_greedy_cases() -> list[Case]:
    return [_beam_case(5100 + i, cell, 1, length) for i, (cell, length) in enumerate(
        [("lstm", 6), ("rnn", 8), ("rnn", 5), ("lstm", 1)])]


# --- tests --------------------------------------------------------------------------------------
ATTENTION_BACKWARD_FALLBACK = ("dot_product_attention_forward",)
STEP_BACKWARD_FALLBACK = ("attention_lstm_step_forward",)
SEQ_FORWARD_FALLBACK = ("dot_product_attention_forward", "attention_lstm_step_forward")
SEQ_BACKWARD_FALLBACK = ("attention_lstm_forward", "dot_product_attention_forward",
                         "dot_product_attention_backward", "attention_lstm_step_forward",
                         "attention_lstm_step_backward")
LOSS_FALLBACK = ("attention_lstm_forward", "attention_lstm_backward",
                 "dot_product_attention_forward", "dot_product_attention_backward",
                 "attention_lstm_step_forward", "attention_lstm_step_backward")
DECODE_FALLBACK = ("dot_product_attention_forward", "attention_lstm_step_forward")


def _loss_tests() -> list[Test]:
    tests: list[Test] = []
    for cell in CELLS:
        outputs = {"loss": f"loss with cell={cell!r}"}
        outputs |= {f"d{k}": f"gradient {k} with cell={cell!r}" for k in param_names(cell)}
        tests += value_tests("captioning_loss", LOSS_CASES[cell], outputs, points=0.5,
                             fallback=LOSS_FALLBACK, tag=cell)
    return tests


TESTS: list[Test] = [
    *value_tests("dot_product_attention_forward", attention_forward_cases,
                 {"attn": "attention vector attn", "attn_weights": "attention weights"}),
    *value_tests("dot_product_attention_forward", attention_large_cases,
                 {"attn_weights": "weights stay finite for large scores"}, points=0.5,
                 tag="large_scores"),
    unchanged_test("dot_product_attention_forward", attention_forward_cases, points=0.5),
    dtype_test("dot_product_attention_forward",
               with_head(attention_forward_float32_cases, attention_forward_cases),
               ("attn", "attn_weights")),
    *value_tests("dot_product_attention_backward", attention_backward_cases,
                 _grads(("dprev_h", "dA")), fallback=ATTENTION_BACKWARD_FALLBACK),
    unchanged_test("dot_product_attention_backward", attention_backward_cases, points=0.5,
                   fallback=ATTENTION_BACKWARD_FALLBACK),
    dtype_test("dot_product_attention_backward", attention_backward_dtype_cases,
               ("dprev_h", "dA"), fallback=ATTENTION_BACKWARD_FALLBACK),
    cache_test("dot_product_attention_backward", attention_backward_cache_cases,
               "dot_product_attention_forward", fallback=ATTENTION_BACKWARD_FALLBACK),
    *value_tests("attention_lstm_step_forward", step_forward_cases,
                 {"next_h": "next_h values", "next_c": "next_c values"}),
    unchanged_test("attention_lstm_step_forward", step_forward_cases, points=0.5),
    dtype_test("attention_lstm_step_forward",
               with_head(step_forward_float32_cases, step_forward_cases), ("next_h", "next_c")),
    *value_tests("attention_lstm_step_backward", step_backward_cases, _grads(STEP_GRADS),
                 points=0.5, fallback=STEP_BACKWARD_FALLBACK),
    unchanged_test("attention_lstm_step_backward", step_backward_cases, points=0.5,
                   fallback=STEP_BACKWARD_FALLBACK),
    dtype_test("attention_lstm_step_backward", step_backward_dtype_cases, STEP_GRADS,
               fallback=STEP_BACKWARD_FALLBACK),
    cache_test("attention_lstm_step_backward", step_backward_cache_cases,
               "attention_lstm_step_forward", fallback=STEP_BACKWARD_FALLBACK),
    *value_tests("attention_lstm_forward", seq_forward_cases, {"h": "hidden states h"},
                 points=2, fallback=SEQ_FORWARD_FALLBACK),
    unchanged_test("attention_lstm_forward", seq_forward_cases, points=0.5,
                   fallback=SEQ_FORWARD_FALLBACK),
    dtype_test("attention_lstm_forward", with_head(seq_forward_float32_cases, seq_forward_cases),
               ("h",), fallback=SEQ_FORWARD_FALLBACK),
    *value_tests("attention_lstm_backward", seq_backward_cases, _grads(SEQ_GRADS),
                 fallback=SEQ_BACKWARD_FALLBACK),
    unchanged_test("attention_lstm_backward", seq_backward_cases, points=0.5,
                   fallback=SEQ_BACKWARD_FALLBACK),
    dtype_test("attention_lstm_backward", seq_backward_dtype_cases, SEQ_GRADS,
               fallback=SEQ_BACKWARD_FALLBACK),
    cache_test("attention_lstm_backward", seq_backward_cache_cases, "attention_lstm_forward",
               fallback=SEQ_BACKWARD_FALLBACK),
    *_loss_tests(),
    unchanged_test("captioning_loss", all_loss_cases, points=0.5, fallback=LOSS_FALLBACK),
    *value_tests("sample_greedy", greedy_cases, {"captions": "greedy captions"}, points=2,
                 fallback=DECODE_FALLBACK),
    unchanged_test("sample_greedy", greedy_cases, points=0.5, fallback=DECODE_FALLBACK),
    *value_tests("beam_search", beam_cases, {"caption": "best caption of the beam",
                                             "score": "its length-normalised score"},
                 fallback=DECODE_FALLBACK),
    *value_tests("beam_search", beam_greedy_cases,
                 {"caption": "beam width 1 is greedy decoding"}, fallback=DECODE_FALLBACK,
                 tag="width_1"),
    unchanged_test("beam_search", beam_cases, points=0.5, fallback=DECODE_FALLBACK),
]
