"""Hidden tests of the `seq2seq` assignment: the masked bidirectional encoder, additive
attention, the attention decoder step, the sequence loss, greedy decoding and beam search.

Every masked case puts random values (not zeros) at the padded positions of the inputs and
of the upstream gradients, so a mask that is ignored anywhere changes the outputs; every
batch of more than one sequence has unequal lengths, a full row and (N > 1) a row with a
single real token (all but one position masked).
"""

from __future__ import annotations

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
from .seq2seq_data import (
    NO_END,
    TIES,
    attention_shapes,
    decoding_model,
    model_params,
    param_names,
    shapes,
    source_mask,
    sources,
    step_shapes,
    targets,
)

ENCODER_GRADS = ("dx", "dWx_f", "dWh_f", "db_f", "dWx_b", "dWh_b", "db_b")
ATTENTION_GRADS = ("ds_prev", "dH_enc", "dW_s", "dW_h", "dv")
STEP_GRADS = ("dx", "ds_prev", "dH_enc", "dWx", "dWh", "db", "dW_s", "dW_h", "dv")
MODELS = ("plain", "attention")

def _outputs(call: int, names: tuple[str, ...]) -> dict[str, Ref]:
    return {name: Ref(call, k) for k, name in enumerate(names)}


def _helpers(*names: str) -> dict[str, Ref]:
    """The forward's outputs (call 0) in a backward case: see `spec.helper_key`."""
    return {helper_key(name): Ref(0, k) for k, name in enumerate(names)}


def _grads(names: tuple[str, ...]) -> dict[str, str]:
    return {name: f"gradient {name}" for name in names}


def _name(s: dict[str, int], dtype=np.float64, extra: str = "") -> str:
    return label(**s) + ("" if dtype == np.float64 else " float32") + extra


# --- the bidirectional encoder ------------------------------------------------------------------
def _encoder_case(seed: int, s: dict[str, int], dtype=np.float64, backward: bool = True,
                  **tolerance) -> Case:
    rng = np.random.default_rng(seed)
    N, S, D, H = (s[k] for k in "NSDH")
    x = randn(rng, N, S, D, dtype=dtype)
    mask = source_mask(rng, N, S)
    weights = []
    for _ in range(2):
        weights += [randn(rng, D, H, scale=1 / np.sqrt(D), dtype=dtype),
                    randn(rng, H, H, scale=0.9 / np.sqrt(H), dtype=dtype),
                    randn(rng, H, scale=0.3, dtype=dtype)]
    dH_enc = randn(rng, N, S, 2 * H, dtype=dtype)
    forward = Call("bidirectional_rnn_forward", (x, mask, *weights))
    name = _name(s, dtype, f" lengths={mask.sum(axis=1).tolist()}")
    if not backward:
        return Case(name, (forward,), {"H_enc": Ref(0, 0)}, **tolerance)
    calls = (forward, Call("bidirectional_rnn_backward", (dH_enc, Ref(0, 1))))
    return Case(name, calls, _outputs(1, ENCODER_GRADS) | _helpers("H_enc"), **tolerance)


def encoder_forward_cases() -> list[Case]:
    return [_encoder_case(7000 + i, s, backward=False) for i, s in enumerate(shapes(700))]


def encoder_forward_float32_cases() -> list[Case]:
    return [_encoder_case(7050, dict(N=3, S=4, D=2, H=3), np.float32, backward=False,
                          **FLOAT32)]


def encoder_backward_cases() -> list[Case]:
    return [_encoder_case(7100 + i, s) for i, s in enumerate(shapes(701))]


def encoder_backward_dtype_cases() -> list[Case]:
    return [_encoder_case(7150, dict(N=3, S=4, D=2, H=3), np.float32, **FLOAT32),
            *encoder_backward_cases()[1:3]]


def encoder_backward_cache_cases() -> list[Case]:
    s = dict(N=3, S=4, D=2, H=3)
    return [with_earlier_cache(_encoder_case(7160, s), _encoder_case(7161, s))]


# --- additive attention -------------------------------------------------------------------------
# Attention shapes: N, S, Hd (the query), He (the encoder states), A.
def _attention_arrays(rng, N, S, Hd, He, A, dtype=np.float64, scale=1.0):
    return (randn(rng, N, Hd, dtype=dtype), randn(rng, N, S, He, dtype=dtype),
            source_mask(rng, N, S), randn(rng, Hd, A, scale=1 / np.sqrt(Hd), dtype=dtype),
            randn(rng, He, A, scale=1 / np.sqrt(He), dtype=dtype),
            randn(rng, A, scale=scale, dtype=dtype))


def _attention_case(seed: int, s: dict[str, int], dtype=np.float64, backward: bool = True,
                    scale: float = 1.0, **tolerance) -> Case:
    rng = np.random.default_rng(seed)
    s_prev, H_enc, mask, W_s, W_h, v = _attention_arrays(rng, **s, dtype=dtype, scale=scale)
    dcontext = randn(rng, s["N"], s["He"], dtype=dtype)
    dweights = randn(rng, s["N"], s["S"], dtype=dtype)
    forward = Call("additive_attention_forward", (s_prev, H_enc, mask, W_s, W_h, v))
    extra = f" lengths={mask.sum(axis=1).tolist()}" + (
        f" v scaled by {scale:g}" if scale != 1 else "")
    name = _name(s, dtype, extra)
    if not backward:
        return Case(name, (forward,), _outputs(0, ("context", "weights")), **tolerance)
    calls = (forward, Call("additive_attention_backward", (dcontext, dweights, Ref(0, 2))))
    return Case(name, calls, _outputs(1, ATTENTION_GRADS) | _helpers("context", "weights"),
                **tolerance)


def attention_forward_cases() -> list[Case]:
    return [_attention_case(7200 + i, s, backward=False)
            for i, s in enumerate(attention_shapes(702))]


def attention_forward_float32_cases() -> list[Case]:
    return [_attention_case(7250, dict(N=3, S=4, Hd=3, He=2, A=4), np.float32,
                            backward=False, **FLOAT32)]


def attention_large_cases() -> list[Case]:
    """Scores of size 1e3 (the softmax must be shifted) with the padding's scores among
    the largest (the mask must remove them, not only shrink them)."""
    return [_attention_case(7260, dict(N=3, S=5, Hd=2, He=3, A=4), backward=False,
                            scale=1e3),
            _attention_case(7261, dict(N=2, S=4, Hd=1, He=2, A=2), backward=False,
                            scale=-3e3)]


def attention_backward_cases() -> list[Case]:
    return [_attention_case(7300 + i, s) for i, s in enumerate(attention_shapes(703))]


def attention_backward_dtype_cases() -> list[Case]:
    return [_attention_case(7350, dict(N=3, S=4, Hd=3, He=2, A=4), np.float32, **FLOAT32),
            *attention_backward_cases()[1:3]]


def attention_backward_cache_cases() -> list[Case]:
    s = dict(N=3, S=4, Hd=2, He=3, A=2)
    return [with_earlier_cache(_attention_case(7360, s), _attention_case(7361, s))]


# --- the attention decoder step -----------------------------------------------------------------
def _step_case(seed: int, s: dict[str, int], dtype=np.float64, backward: bool = True,
               **tolerance) -> Case:
    rng = np.random.default_rng(seed)
    N, S, D, Hd, He, A = (s[k] for k in ("N", "S", "D", "Hd", "He", "A"))
    x = randn(rng, N, D, dtype=dtype)
    s_prev, H_enc, mask, W_s, W_h, v = _attention_arrays(rng, N, S, Hd, He, A, dtype=dtype)
    Wx = randn(rng, D + He, Hd, scale=1 / np.sqrt(D + He), dtype=dtype)
    Wh = randn(rng, Hd, Hd, scale=0.9 / np.sqrt(Hd), dtype=dtype)
    b = randn(rng, Hd, scale=0.3, dtype=dtype)
    ds_next = randn(rng, N, Hd, dtype=dtype)
    forward = Call("attention_decoder_step_forward",
                   (x, s_prev, H_enc, mask, Wx, Wh, b, W_s, W_h, v))
    name = _name(s, dtype, f" lengths={mask.sum(axis=1).tolist()}")
    if not backward:
        return Case(name, (forward,), _outputs(0, ("s_next", "weights")), **tolerance)
    calls = (forward, Call("attention_decoder_step_backward", (ds_next, Ref(0, 2))))
    return Case(name, calls, _outputs(1, STEP_GRADS), **tolerance)


def step_forward_cases() -> list[Case]:
    return [_step_case(7400 + i, s, backward=False) for i, s in enumerate(step_shapes(704))]


def step_forward_float32_cases() -> list[Case]:
    return [_step_case(7450, dict(N=3, S=4, D=2, Hd=3, He=2, A=3), np.float32,
                       backward=False, **FLOAT32)]


def step_backward_cases() -> list[Case]:
    return [_step_case(7500 + i, s) for i, s in enumerate(step_shapes(705))]


def step_backward_dtype_cases() -> list[Case]:
    return [_step_case(7550, dict(N=3, S=4, D=2, Hd=3, He=2, A=3), np.float32, **FLOAT32),
            *step_backward_cases()[1:3]]


def step_backward_cache_cases() -> list[Case]:
    s = dict(N=3, S=4, D=2, Hd=3, He=2, A=2)
    return [with_earlier_cache(_step_case(7560, s), _step_case(7561, s))]


LOSS_SHAPES = (dict(N=1, S=1, T=1, D=1, H=1, A=1), dict(N=1, S=5, T=3, D=2, H=2, A=3),
               dict(N=3, S=1, T=2, D=3, H=1, A=2), dict(N=2, S=6, T=4, D=2, H=3, A=1),
               dict(N=4, S=5, T=1, D=1, H=2, A=3), dict(N=5, S=7, T=5, D=3, H=2, A=2))


def loss_cases(model: str) -> list[Case]:
    cases = []
    rng_shapes = np.random.default_rng(706 + MODELS.index(model))
    extra = [dict(zip("NSTDHA", (int(v) for v in rng_shapes.integers(1, 6, size=6))))
             for _ in range(2)]
    for i, s in enumerate((*LOSS_SHAPES, *extra)):
        rng = np.random.default_rng(7600 + 100 * MODELS.index(model) + i)
        Vs, Vt = int(rng.integers(3, 8)), int(rng.integers(4, 8))
        params = model_params(rng, model, Vs, Vt, s["D"], s["H"], s["A"])
        src, mask = sources(rng, s["N"], s["S"], Vs)
        tgt = targets(rng, s["N"], s["T"], Vt)
        outputs = {"loss": Ref(0, 0)} | {f"d{k}": Ref(0, 1, k) for k in params}
        cases.append(Case(f"model={model} " + label(**s, Vs=Vs, Vt=Vt)
                          + f" lengths={mask.sum(axis=1).tolist()}",
                          (Call("seq2seq_loss", (params, src, mask, tgt, model)),), outputs))
    return cases


def plain_loss_cases() -> list[Case]:
    return loss_cases("plain")


def attention_loss_cases() -> list[Case]:
    return loss_cases("attention")


LOSS_CASES = {"plain": plain_loss_cases, "attention": attention_loss_cases}


def all_loss_cases() -> list[Case]:
    return [c for model in MODELS for c in loss_cases(model)[:3]]


# --- decoding ---------------------------------------------------------------------------------
GREEDY = [("plain", 3, 5, 6), ("attention", 4, 4, 5), ("plain", 3, 6, 8),
          ("attention", 1, 1, 1), ("attention", 2, 6, 10), ("plain", 5, 3, 7),
          ("attention", 5, 7, 7), ("attention", 3, 1, 6)]


def greedy_cases() -> list[Case]:
    cases = []
    for i, (model, N, S, max_length) in enumerate(GREEDY):
        params, src, mask = decoding_model(7800 + i, model, N=N, S=S)
        cases.append(Case(f"model={model} N={N} S={S} lengths={mask.sum(axis=1).tolist()} "
                          f"max_length={max_length}",
                          (Call("greedy_decode", (params, src, mask, model, max_length)),),
                          {"out": Ref(0)}))
    return cases


def _beam_case(seed: int, model: str, width: int, max_length: int, Vt: int = 6,
               S: int = 5, row: int = 1, **options) -> Case:
    params, src, mask = decoding_model(seed, model, N=2, S=S, Vt=Vt, **options)
    extra = "".join(f" {k}={v}" for k, v in options.items())
    return Case(f"model={model} Vt={Vt} S={S} length={int(mask[row].sum())} "
                f"beam_width={width} max_length={max_length}{extra}",
                (Call("beam_search_decode", (params, src[row], mask[row], model, width,
                                             max_length)),),
                {"out": Ref(0, 0), "score": Ref(0, 1)})


BEAMS = [("attention", 3, 6, 6, 5, 0), ("plain", 2, 8, 6, 4, 0), ("plain", 4, 5, 5, 6, 0),
         ("attention", 6, 7, 6, 3, 0), ("attention", 2, 1, 4, 5, 0),
         ("plain", 3, 10, 7, 5, 1), ("attention", 2, 9, 6, 6, 1),
         ("attention", 5, 8, 6, 1, 0)]


def beam_cases() -> list[Case]:
    return [_beam_case(7900 + i, *spec) for i, spec in enumerate(BEAMS)] + [
        _beam_case(seed, *spec) for seed, spec in WIDTH_MATTERS]


# Models on which the width matters (k, k + 1 and greedy decoding give different
# outputs), found by search over seeds; tests/test_seq2seq_assignment.py checks it.
WIDTH_MATTERS: list[tuple[int, tuple]] = [
    (9001, ("attention", 3, 8, 7, 5, 0)), (9009, ("attention", 2, 8, 7, 5, 0)),
    (9004, ("plain", 2, 8, 7, 5, 0)), (9013, ("plain", 4, 8, 7, 5, 0)),
    (9105, ("attention", 2, 8, 7, 5, 0))]


def beam_no_end_cases() -> list[Case]:
    return [_beam_case(seed, model, width, length, end_bias=-8.0)
            for seed, model, width, length in NO_END]


def beam_tie_cases() -> list[Case]:
    return [_beam_case(seed, model, width, 6, Vt=Vt, tied=tied)
            for seed, model, width, Vt, tied in TIES]


def beam_greedy_cases() -> list[Case]:
    return [_beam_case(8000 + i, model, 1, length, row=row) for i, (model, length, row) in
            enumerate([("attention", 6, 0), ("plain", 8, 1), ("plain", 5, 0),
                       ("attention", 1, 1)])]


# --- tests --------------------------------------------------------------------------------------
ENCODER_BACKWARD_FALLBACK = ("bidirectional_rnn_forward",)
ATTENTION_BACKWARD_FALLBACK = ("additive_attention_forward",)
STEP_FORWARD_FALLBACK = ("additive_attention_forward",)
STEP_BACKWARD_FALLBACK = ("attention_decoder_step_forward", "additive_attention_forward",
                          "additive_attention_backward")
LOSS_FALLBACK = ("bidirectional_rnn_forward", "bidirectional_rnn_backward",
                 "additive_attention_forward", "additive_attention_backward",
                 "attention_decoder_step_forward", "attention_decoder_step_backward")
DECODE_FALLBACK = ("bidirectional_rnn_forward", "additive_attention_forward",
                   "attention_decoder_step_forward")


def _loss_tests() -> list[Test]:
    tests: list[Test] = []
    for model in MODELS:
        outputs = {"loss": f"loss with model={model!r}"}
        outputs |= {f"d{k}": f"gradient {k} with model={model!r}" for k in param_names(model)}
        tests += value_tests("seq2seq_loss", LOSS_CASES[model], outputs, points=0.25,
                             fallback=LOSS_FALLBACK, tag=model)
    return tests


TESTS: list[Test] = [
    *value_tests("bidirectional_rnn_forward", encoder_forward_cases,
                 {"H_enc": "encoder states H_enc (forward ; backward), zero at padding"},
                 points=2),
    unchanged_test("bidirectional_rnn_forward", encoder_forward_cases, points=0.5),
    dtype_test("bidirectional_rnn_forward",
               with_head(encoder_forward_float32_cases, encoder_forward_cases), ("H_enc",)),
    *value_tests("bidirectional_rnn_backward", encoder_backward_cases, _grads(ENCODER_GRADS),
                 points=0.5, fallback=ENCODER_BACKWARD_FALLBACK),
    unchanged_test("bidirectional_rnn_backward", encoder_backward_cases, points=0.5,
                   fallback=ENCODER_BACKWARD_FALLBACK),
    dtype_test("bidirectional_rnn_backward", encoder_backward_dtype_cases, ENCODER_GRADS,
               fallback=ENCODER_BACKWARD_FALLBACK),
    cache_test("bidirectional_rnn_backward", encoder_backward_cache_cases,
               "bidirectional_rnn_forward", fallback=ENCODER_BACKWARD_FALLBACK),
    *value_tests("additive_attention_forward", attention_forward_cases,
                 {"context": "context vector", "weights": "attention weights (0 at padding)"}),
    *value_tests("additive_attention_forward", attention_large_cases,
                 {"weights": "weights for large scores, the padding's among the largest"},
                 points=0.5, tag="large_scores"),
    unchanged_test("additive_attention_forward", attention_forward_cases, points=0.5),
    dtype_test("additive_attention_forward",
               with_head(attention_forward_float32_cases, attention_forward_cases),
               ("context", "weights")),
    *value_tests("additive_attention_backward", attention_backward_cases,
                 _grads(ATTENTION_GRADS), fallback=ATTENTION_BACKWARD_FALLBACK),
    unchanged_test("additive_attention_backward", attention_backward_cases, points=0.5,
                   fallback=ATTENTION_BACKWARD_FALLBACK),
    dtype_test("additive_attention_backward", attention_backward_dtype_cases,
               ATTENTION_GRADS, fallback=ATTENTION_BACKWARD_FALLBACK),
    cache_test("additive_attention_backward", attention_backward_cache_cases,
               "additive_attention_forward", fallback=ATTENTION_BACKWARD_FALLBACK),
    *value_tests("attention_decoder_step_forward", step_forward_cases,
                 {"s_next": "next decoder state s_next", "weights": "attention weights"},
                 fallback=STEP_FORWARD_FALLBACK),
    unchanged_test("attention_decoder_step_forward", step_forward_cases, points=0.5,
                   fallback=STEP_FORWARD_FALLBACK),
    dtype_test("attention_decoder_step_forward",
               with_head(step_forward_float32_cases, step_forward_cases),
               ("s_next", "weights"), fallback=STEP_FORWARD_FALLBACK),
    *value_tests("attention_decoder_step_backward", step_backward_cases, _grads(STEP_GRADS),
                 points=0.5, fallback=STEP_BACKWARD_FALLBACK),
    unchanged_test("attention_decoder_step_backward", step_backward_cases, points=0.5,
                   fallback=STEP_BACKWARD_FALLBACK),
    dtype_test("attention_decoder_step_backward", step_backward_dtype_cases, STEP_GRADS,
               fallback=STEP_BACKWARD_FALLBACK),
    cache_test("attention_decoder_step_backward", step_backward_cache_cases,
               "attention_decoder_step_forward", fallback=STEP_BACKWARD_FALLBACK),
    *_loss_tests(),
    unchanged_test("seq2seq_loss", all_loss_cases, points=0.5, fallback=LOSS_FALLBACK),
    *value_tests("greedy_decode", greedy_cases, {"out": "greedy outputs"}, points=2,
                 fallback=DECODE_FALLBACK),
    unchanged_test("greedy_decode", greedy_cases, points=0.5, fallback=DECODE_FALLBACK),
    *value_tests("beam_search_decode", beam_cases,
                 {"out": "best output of the beam", "score": "its length-normalised score"},
                 fallback=DECODE_FALLBACK),
    *value_tests("beam_search_decode", beam_greedy_cases,
                 {"out": "beam width 1 is greedy decoding"}, fallback=DECODE_FALLBACK,
                 tag="width_1"),
    *value_tests("beam_search_decode", beam_no_end_cases,
                 {"out": "the k best kept at every step (no hypothesis finishes)"},
                 points=0.5, fallback=DECODE_FALLBACK, tag="no_end"),
    *value_tests("beam_search_decode", beam_tie_cases,
                 {"out": 'exact ties kept in the documented order (kind="stable")'},
                 points=0.5, fallback=DECODE_FALLBACK, tag="ties"),
    unchanged_test("beam_search_decode", beam_cases, points=0.5, fallback=DECODE_FALLBACK),
]
