"""The seq2seq assignment: reference gradients, decoding, hidden tests that can fail.

Its nbgrader round trip is in tests/test_nbgrader_round_trip.py with the other assignments'.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.cases import seq2seq as cases
from autograder.execute import run_case
from autograder.mutants import Mutant, for_function, mutant_namespace

TOL = 1e-7
NULL, START, END = 0, 1, 2


@pytest.fixture(scope="module")
def ref():
    from autograder.reference import reference_namespace
    return reference_namespace("seq2seq")


def _rel(num, grad):
    return np.abs(num - grad).max() / max(np.abs(grad).max(), 1e-12)


def _check(f, inputs, grads, douts):
    """Every gradient in `grads` against the numeric gradient of sum(out_k * dout_k)."""
    from course_utils.gradcheck import eval_numerical_gradient_array
    for value, grad in zip(inputs, grads):
        num = sum(eval_numerical_gradient_array(lambda _, k=k: f()[k], value, dout)
                  for k, dout in enumerate(douts))
        assert _rel(num, grad) < TOL


# ----------------------------------------------------------------------------- reference maths
def test_reference_encoder_gradients_match_numeric_and_ignore_the_padding(ref):
    rng = np.random.default_rng(0)
    N, S, D, H = 3, 5, 2, 3
    x = rng.standard_normal((N, S, D))
    mask = np.arange(S)[None, :] < np.array([5, 3, 1])[:, None]
    weights = [0.7 * rng.standard_normal(s) for s in [(D, H), (H, H), (H,)] * 2]
    dH = rng.standard_normal((N, S, 2 * H))
    forward, backward = ref["bidirectional_rnn_forward"], ref["bidirectional_rnn_backward"]
    H_enc, cache = forward(x, mask, *weights)
    assert (H_enc[~mask] == 0).all()
    grads = backward(dH, cache)
    _check(lambda: (forward(x, mask, *weights)[0],), (x, *weights), grads, (dH,))
    assert (grads[0][~mask] == 0).all()
    # the padding's inputs change nothing; a sequence alone gives the same states
    other = x.copy()
    other[~mask] = 100.0
    assert np.array_equal(forward(other, mask, *weights)[0], H_enc)
    alone, _ = forward(x[1:2, :3], mask[1:2, :3], *weights)
    assert np.allclose(alone[0], H_enc[1, :3])


def test_reference_attention_gradients_match_numeric_and_weights_are_masked(ref):
    rng = np.random.default_rng(1)
    N, S, Hd, He, A = 3, 4, 2, 3, 4
    s_prev, H_enc = rng.standard_normal((N, Hd)), rng.standard_normal((N, S, He))
    mask = np.arange(S)[None, :] < np.array([4, 2, 1])[:, None]
    W_s, W_h, v = (rng.standard_normal((Hd, A)), rng.standard_normal((He, A)),
                   rng.standard_normal(A))
    dcontext, dweights = rng.standard_normal((N, He)), rng.standard_normal((N, S))
    forward = ref["additive_attention_forward"]
    context, weights, cache = forward(s_prev, H_enc, mask, W_s, W_h, v)
    assert (weights[~mask] == 0).all() and np.allclose(weights.sum(axis=1), 1)
    assert weights[2, 0] == 1.0
    grads = ref["additive_attention_backward"](dcontext, dweights, cache)
    _check(lambda: forward(s_prev, H_enc, mask, W_s, W_h, v)[:2], (s_prev, H_enc, W_s, W_h, v),
           grads, (dcontext, dweights))
    assert (grads[1][~mask] == 0).all()


def test_reference_decoder_step_gradients_match_numeric(ref):
    rng = np.random.default_rng(2)
    N, S, D, Hd, He, A = 3, 4, 2, 3, 4, 2
    x, s_prev, H_enc = (rng.standard_normal((N, D)), rng.standard_normal((N, Hd)),
                        rng.standard_normal((N, S, He)))
    mask = np.arange(S)[None, :] < np.array([4, 2, 1])[:, None]
    Wx, Wh, b = (0.6 * rng.standard_normal((D + He, Hd)), 0.6 * rng.standard_normal((Hd, Hd)),
                 rng.standard_normal(Hd))
    W_s, W_h, v = (rng.standard_normal((Hd, A)), rng.standard_normal((He, A)),
                   rng.standard_normal(A))
    ds = rng.standard_normal((N, Hd))
    forward = ref["attention_decoder_step_forward"]
    args = (x, s_prev, H_enc, mask, Wx, Wh, b, W_s, W_h, v)
    _, _, cache = forward(*args)
    grads = ref["attention_decoder_step_backward"](ds, cache)
    _check(lambda: (forward(*args)[0],), (x, s_prev, H_enc, Wx, Wh, b, W_s, W_h, v), grads,
           (ds,))


@pytest.mark.parametrize("model", cases.MODELS)
def test_reference_loss_gradients_match_numeric(ref, model):
    from course_utils.gradcheck import eval_numerical_gradient
    rng = np.random.default_rng(7)
    params = cases.model_params(rng, model, Vs=6, Vt=7, D=2, H=2, A=3)
    src, mask = cases.sources(rng, 3, 5, 6)
    tgt = cases.targets(rng, 3, 4, 7)
    loss, grads = ref["seq2seq_loss"](params, src, mask, tgt, model)
    assert set(grads) == set(params) and loss > 0
    for k in params:
        num = eval_numerical_gradient(
            lambda _: ref["seq2seq_loss"](params, src, mask, tgt, model)[0], params[k])
        assert _rel(num, grads[k]) < TOL, k


def _greedy_by_hand(ns, params, src, mask, model, max_length):
    """Greedy decoding written out from the model's equations, one sequence at a time."""
    rows = []
    for n in range(src.shape[0]):
        L = int(mask[n].sum())
        x = params["W_src"][src[n, :L]][None]
        H_enc, _ = ns["bidirectional_rnn_forward"](x, np.ones((1, L), dtype=bool),
                                                   *(params[k] for k in ns["ENCODER"]))
        H = H_enc.shape[2] // 2
        s = s0 = np.concatenate([H_enc[0, L - 1, :H], H_enc[0, 0, H:]])
        word, row = START, []
        for _ in range(max_length):
            y = params["W_tgt"][word]
            inputs = np.concatenate([y, s0])  # the plain model's fixed context
            if model == "attention":
                e = np.tanh(s @ params["W_s"] + H_enc[0] @ params["W_h"]) @ params["v"]
                w = np.exp(e - e.max())
                inputs = np.concatenate([y, (w / w.sum()) @ H_enc[0]])
            s = np.tanh(inputs @ params["Wx"] + s @ params["Wh"] + params["b"])
            word = int(np.argmax(s @ params["W_out"] + params["b_out"]))
            row.append(word if not row or row[-1] not in (END, NULL) else NULL)
        rows.append(row)
    return np.array(rows)


def test_reference_decoding_is_exact_on_tiny_models(ref):
    for i, (model, N, S, max_length) in enumerate(cases.GREEDY):
        params, src, mask = cases.decoding_model(7800 + i, model, N=N, S=S)
        got = ref["greedy_decode"](params, src, mask, model, max_length)
        assert got.dtype == np.int64
        assert got.tolist() == _greedy_by_hand(ref, params, src, mask, model,
                                               max_length).tolist()


def test_reference_beam_width_1_is_greedy_and_wider_is_not_worse(ref):
    for seed, model in enumerate(cases.MODELS * 3):
        params, src, mask = cases.decoding_model(6000 + seed, model, N=2)
        for row in range(2):
            greedy = ref["greedy_decode"](params, src[row:row + 1], mask[row:row + 1], model,
                                          7)[0]
            beam, score1 = ref["beam_search_decode"](params, src[row], mask[row], model, 1, 7)
            assert greedy[:len(beam)].tolist() == beam.tolist()
            assert (greedy[len(beam):] == NULL).all()


def test_the_width_matters_on_the_width_cases(ref):
    for seed, (model, width, length, Vt, S, row) in cases.WIDTH_MATTERS:
        params, src, mask = cases.decoding_model(seed, model, N=2, S=S, Vt=Vt)
        outs = [ref["beam_search_decode"](params, src[row], mask[row], model, k, length)[0]
                .tolist() for k in (1, width, width + 1)]
        assert outs[0] != outs[1] != outs[2] != outs[0], (seed, outs)


def _brute_force(ns, params, src, mask, model, max_length):
    """Every output of at most max_length ids: the best length-normalised score."""
    import itertools
    best = (-np.inf, None)
    Vt = params["b_out"].size
    for length in range(1, max_length + 1):
        for ids in itertools.product(range(Vt), repeat=length):
            if END in ids[:-1]:
                continue
            state = ns["encode"](params, src[None], mask[None], ns["bidirectional_rnn_forward"])
            logp, word = 0.0, START
            for i in ids:
                scores, state, _ = ns["decoder_step"](params, state, np.array([word]), model,
                                                      ns["attention_decoder_step_forward"])
                z = scores[0] - scores[0].max()
                logp += z[i] - np.log(np.exp(z).sum())
                word = i
            if ids[-1] == END or length == max_length:
                best = max(best, (logp / length, list(ids)), key=lambda b: b[0])
    return best


def test_reference_wide_beam_finds_the_best_output_on_a_tiny_model(ref):
    params, src, mask = cases.decoding_model(8100, "attention", N=1, Vt=4)
    score, ids = _brute_force(ref, params, src[0], mask[0], "attention", 3)
    out, got = ref["beam_search_decode"](params, src[0], mask[0], "attention", 64, 3)
    assert out.tolist() == ids and got == pytest.approx(score)


# ----------------------------------------------------------------------------- hidden tests
def _outputs(case):
    from autograder.reference import reference_functions
    return run_case(case, reference_functions("seq2seq"))


def test_hidden_cases_are_not_trivial():
    for case in cases.encoder_forward_cases():
        mask = case.calls[0].args[1]
        if mask.shape[0] > 1:
            lengths = mask.sum(axis=1)
            assert lengths.min() == 1 and lengths.max() == mask.shape[1]  # unequal lengths
            x = case.calls[0].args[0]
            assert np.abs(x[~mask]).min() > 0 if (~mask).any() else True
    for case in cases.attention_large_cases():
        weights = _outputs(case)["weights"]
        assert np.isfinite(weights).all() and weights.max() > 0.99  # one position wins
    for model in cases.MODELS:
        for case in cases.loss_cases(model):
            out = _outputs(case)
            assert out["loss"] > 0
            for name in case.outputs:
                trivial = "N=1 S=1 T=1" in case.label or (
                    " S=1 " in case.label and name in ("dWh_f", "dWh_b", "dW_s", "dW_h", "dv"))
                # (with S = 1: h0 = 0 in the encoder, and the one weight is 1 whatever)
                if name.startswith("d") and not trivial:
                    assert np.abs(out[name]).max() > 1e-8, (case.label, name)
    rows = [row for c in cases.greedy_cases() if c.calls[0].args[4] > 1
            for row in _outputs(c)["out"]]
    ends = [np.flatnonzero(row == END) for row in rows]
    assert any(not e.size for e in ends)  # some rows run to max_length
    assert any(e.size and 0 < e[0] < len(r) - 2 for e, r in zip(ends, rows))  # some end early
    beams = [_outputs(c) for c in cases.beam_cases()]
    assert any(b["out"][-1] == END for b in beams)  # a finished hypothesis wins
    assert any(b["out"][-1] != END for b in beams)  # a live one wins


def _runner(mutant: Mutant):
    from autograder.grading import namespace_runner
    return namespace_runner("seq2seq", mutant_namespace("seq2seq", mutant))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # mistakes that overflow, on purpose
def test_every_hidden_test_passes_the_solution_and_fails_a_wrong_function(ref):
    from autograder.grading import evaluate, namespace_runner
    from autograder.suite import tests_for
    reference = namespace_runner("seq2seq", ref)
    runners = {}
    never_failed = []
    for test in tests_for("seq2seq"):
        assert evaluate("seq2seq", test, reference).passed, test.name
        if "inputs_unchanged" in test.name:
            continue
        mistakes = for_function("seq2seq", test.function)
        assert len(mistakes) >= 4, test.function
        for mutant in mistakes:
            runners.setdefault(mutant.key, _runner(mutant))
        if all(evaluate("seq2seq", test, runners[m.key]).passed for m in mistakes):
            never_failed.append(test.name)
    assert not never_failed, never_failed


def test_a_function_that_modifies_its_input_loses_only_the_unchanged_points():
    from autograder.grading import evaluate
    from autograder.suite import tests_for
    zeroes = Mutant("additive_attention_forward", "zeroes_s_prev",
                    "s_prev is overwritten in place",
                    [("    return context, weights, cache",
                      "    s_prev[...] = 0\n    return context, weights, cache")])
    runner = _runner(zeroes)
    for test in tests_for("seq2seq"):
        if test.function == "additive_attention_forward":
            result = evaluate("seq2seq", test, runner)
            assert result.passed == ("inputs_unchanged" not in test.name), test.name
