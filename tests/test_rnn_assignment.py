"""The `rnn` assignment: its reference solution, its hidden tests and its nbgrader round trip."""

from __future__ import annotations

import types

import numpy as np
import pytest

from autograder import grading, suite
from autograder.cases import rnn as cases
from autograder.execute import run_case
from autograder.mutants import Mutant, find_mutant, mutant_namespace
from autograder.reference import reference_functions, reference_namespace
from autograder.solutions import solution_sources
from course_utils.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error

TESTS = suite.tests_for("rnn")
FUNCTIONS = ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
             "clip_grad_norm", "rnn_gradient_norms", "rnn_truncated_bptt")


@pytest.fixture(scope="module")
def ref() -> types.SimpleNamespace:
    return types.SimpleNamespace(**reference_functions("rnn"))


def _scores(namespace: dict) -> dict[str, float]:
    run = grading.namespace_runner("rnn", namespace)
    return {test.name: grading.evaluate("rnn", test, run).score for test in TESTS}


# ---------------------------------------------------------------- the reference solution


def test_every_graded_function_has_an_answer_cell_and_tests():
    assert set(solution_sources("rnn")) == set(FUNCTIONS)
    assert {test.function for test in TESTS} == set(FUNCTIONS)


def test_reference_passes_every_hidden_test():
    scores = _scores(reference_namespace("rnn"))
    assert scores == {test.name: test.points for test in TESTS}


def _random_sequence(rng, N, T, D, H):
    return (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)),
            0.6 * rng.standard_normal((D, H)), 0.6 * rng.standard_normal((H, H)),
            rng.standard_normal(H), rng.standard_normal((N, T, H)))


SHAPES = [dict(N=1, T=1, D=1, H=1), dict(N=3, T=4, D=2, H=5), dict(N=2, T=7, D=4, H=3)]


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_reference_step_backward_matches_numeric_gradients(ref, sizes):
    rng = np.random.default_rng(sizes["T"])
    N, D, H = sizes["N"], sizes["D"], sizes["H"]
    x, prev_h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)), rng.standard_normal(H)
    dnext = rng.standard_normal((N, H))
    grads = ref.rnn_step_backward(dnext, ref.rnn_step_forward(x, prev_h, Wx, Wh, b)[1])
    f = lambda _: ref.rnn_step_forward(x, prev_h, Wx, Wh, b)[0]  # noqa: E731
    for value, grad in zip((x, prev_h, Wx, Wh, b), grads):
        assert rel_error(eval_numerical_gradient_array(f, value, dnext), grad) < 1e-7


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_reference_bptt_matches_numeric_gradients(ref, sizes):
    rng = np.random.default_rng(10 + sizes["T"])
    x, h0, Wx, Wh, b, dh = _random_sequence(rng, **sizes)
    grads = ref.rnn_backward(dh, ref.rnn_forward(x, h0, Wx, Wh, b)[1])
    f = lambda _: ref.rnn_forward(x, h0, Wx, Wh, b)[0]  # noqa: E731
    for value, grad in zip((x, h0, Wx, Wh, b), grads):
        assert rel_error(eval_numerical_gradient_array(f, value, dh), grad) < 1e-7


@pytest.mark.parametrize("sizes,k", [(SHAPES[1], 3), (SHAPES[2], 2), (SHAPES[2], 7),
                                     (SHAPES[0], 1)], ids=str)
def test_reference_truncated_bptt_is_the_gradient_with_stopped_borders(ref, sizes, k):
    """Numeric gradient of a loss where each chunk starts from a constant carried state."""
    rng = np.random.default_rng(20 + k)
    x, h0, Wx, Wh, b, dh = _random_sequence(rng, **sizes)
    T = sizes["T"]
    h, dx, dWx, dWh, db = ref.rnn_truncated_bptt(x, h0, Wx, Wh, b, dh, k)
    full_h = ref.rnn_forward(x, h0, Wx, Wh, b)[0]
    assert rel_error(h, full_h) < 1e-12
    starts = [h0] + [full_h[:, s - 1].copy() for s in range(k, T, k)]

    def surrogate(_):
        return sum(np.sum(ref.rnn_forward(x[:, s:s + k], start, Wx, Wh, b)[0] * dh[:, s:s + k])
                   for s, start in zip(range(0, T, k), starts))

    for value, grad in zip((x, Wx, Wh, b), (dx, dWx, dWh, db)):
        assert rel_error(eval_numerical_gradient(surrogate, value), grad) < 1e-7


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_reference_gradient_norms_match_numeric_gradients(ref, sizes):
    rng = np.random.default_rng(30 + sizes["T"])
    x, h0, Wx, Wh, b, dh = _random_sequence(rng, **sizes)
    dout, T = dh[:, -1].copy(), sizes["T"]
    norms = ref.rnn_gradient_norms(x, h0, Wx, Wh, b, dout)
    h = ref.rnn_forward(x, h0, Wx, Wh, b)[0]
    numeric = []
    for t in range(T):
        h_t = h[:, t].copy()
        rest = x[:, t + 1:]

        def loss(_, h_t=h_t, rest=rest):
            final = h_t if rest.shape[1] == 0 else ref.rnn_forward(rest, h_t, Wx, Wh, b)[0][:, -1]
            return np.sum(dout * final)

        numeric.append(np.linalg.norm(eval_numerical_gradient(loss, h_t)))
    assert norms.shape == (T,)
    assert rel_error(np.array(numeric), norms) < 1e-7


# ------------------------------------------------------------ the hidden tests can fail


def _reference_outputs(case):
    return run_case(case, reference_functions("rnn"))


def test_through_time_cases_have_nontrivial_first_step_gradients():
    # A backward pass that never carries the gradient back gives zeros there: the reference
    # values must be far outside the comparison tolerance of zero.
    for case in cases.through_time_cases():
        out = _reference_outputs(case)
        assert np.abs(out["dx"][:, 0]).max() > 1000 * case.atol, case.label
        assert np.abs(out["dh0"]).max() > 1000 * case.atol, case.label


def test_truncation_border_cases_differ_from_full_bptt(ref):
    for case in cases.truncated_border_cases():
        x, h0, Wx, Wh, b, dh, k = case.calls[0].args
        out = _reference_outputs(case)
        T = x.shape[1]
        last = (T - 1) // k * k  # first step of the last chunk
        assert np.all(out["dx"][:, :last] == 0), case.label  # stopped at the border
        assert np.abs(out["dx"][:, last:]).max() > 1000 * case.atol, case.label
        full = ref.rnn_backward(dh, ref.rnn_forward(x, h0, Wx, Wh, b)[1])
        assert np.abs(full[0][:, :last]).max() > 1000 * case.atol, case.label
        assert rel_error(full[3], out["dWh"]) > 1e-3, case.label


def test_truncated_cases_cover_k_1_k_T_and_partial_chunks():
    pairs = {(case.calls[0].args[0].shape[1], case.calls[0].args[6])
             for case in cases.truncated_cases()}
    assert any(k == 1 and T > 1 for T, k in pairs)
    assert any(k == T and T > 1 for T, k in pairs)
    assert any(k > T for T, k in pairs)
    assert {T % k for T, k in pairs if k < T} >= {1, 2, 3}


def test_gradient_norm_regimes_span_orders_of_magnitude():
    spans = []
    for case in cases.norms_regime_cases():
        norms = _reference_outputs(case)["norms"]
        assert np.all(norms > 1e-6), case.label  # well above the absolute tolerance
        spans.append(norms[0] / norms[-1])
    assert min(spans) < 1e-2 and max(spans) > 1.0  # one vanishing, one growing


def _lost(mutant: Mutant) -> set[str]:
    """The tests a submission loses when it is correct but for `mutant`: all of its function's."""
    scores = _scores(mutant_namespace("rnn", mutant))
    lost = {test.name for test in TESTS if scores[test.name] < test.points}
    assert all(name.startswith(f"test_{mutant.function}_") for name in lost), lost
    return lost


# Mistakes the catalog (autograder/mutants/rnn.py) does not hold, written as patches of the
# solution like its entries: chunk borders and step offsets that the catalog's hints do not
# name, but that the truncation and gradient-norm tests must still catch.
EXTRA_MISTAKES = [
    Mutant("rnn_truncated_bptt", "resets_to_zeros", "every chunk starts from a zero state",
           [("start_h = h0", "start_h = np.zeros_like(h0)"),
            ("start_h = h_chunk[:, -1]", "start_h = np.zeros_like(h0)")]),
    Mutant("rnn_truncated_bptt", "drops_last_partial_chunk", "the last T mod k steps are lost",
           [("range(0, T, k)", "range(0, T - T % k, k)"),
            ("stop = min(start + k, T)", "stop = start + k")]),
    Mutant("rnn_truncated_bptt", "chunks_too_long", "the chunks are k + 1 steps long",
           [("range(0, T, k)", "range(0, T, k + 1)"),
            ("stop = min(start + k, T)", "stop = min(start + k + 1, T)")]),
    Mutant("rnn_truncated_bptt", "chunks_too_short", "the chunks are k - 1 steps long",
           [("range(0, T, k)", "range(0, T, max(k - 1, 1))"),
            ("stop = min(start + k, T)", "stop = min(start + max(k - 1, 1), T)")]),
    Mutant("rnn_gradient_norms", "shifted_by_one_step",
           "norms[t] is the norm of dL/dh_{t-1} (h0 at t=0)",
           [("for t in range(T - 1):", "for t in range(T):"),
            ("rnn_forward(x[:, t + 1:], h[:, t], Wx, Wh, b)",
             "rnn_forward(x[:, t:], h0 if t == 0 else h[:, t - 1], Wx, Wh, b)"),
            ("np.zeros((N, T - 1 - t, h.shape[2])", "np.zeros((N, T - t, h.shape[2])")]),
]
CATALOG_MISTAKES = ["rnn_truncated_bptt/whole_sequence", "rnn_truncated_bptt/resets_h",
                    "rnn_gradient_norms/dout_at_every_step", "rnn_gradient_norms/mean_over_batch"]


@pytest.mark.parametrize("mutant", [find_mutant("rnn", key) for key in CATALOG_MISTAKES]
                         + EXTRA_MISTAKES, ids=lambda m: m.key)
def test_truncation_and_gradient_norm_mistakes_are_caught(mutant):
    assert _lost(mutant), mutant.key
