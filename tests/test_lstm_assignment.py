"""The `lstm` assignment: its reference solution, its hidden tests and its nbgrader round trip."""

from __future__ import annotations

import types

import numpy as np
import pytest

from autograder import grading, suite
from autograder.cases import lstm as cases
from autograder.execute import run_case
from autograder.mutants import Mutant, find_mutant, mutant_functions, mutant_namespace
from autograder.reference import reference_functions, reference_namespace
from autograder.solutions import solution_sources
from course_utils.gradcheck import eval_numerical_gradient_array, rel_error

TESTS = suite.tests_for("lstm")
FUNCTIONS = ("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
             "gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward")


@pytest.fixture(scope="module")
def ref() -> types.SimpleNamespace:
    return types.SimpleNamespace(**reference_functions("lstm"))


def _scores(namespace: dict) -> dict[str, float]:
    run = grading.namespace_runner("lstm", namespace)
    return {test.name: grading.evaluate("lstm", test, run).score for test in TESTS}


def _lost(mutant: Mutant) -> set[str]:
    """The tests a submission loses when it is correct but for `mutant`."""
    scores = _scores(mutant_namespace("lstm", mutant))
    return {test.name for test in TESTS if scores[test.name] < test.points}


# ---------------------------------------------------------------- the reference solution


def test_every_graded_function_has_an_answer_cell_and_tests():
    assert set(solution_sources("lstm")) == set(FUNCTIONS)
    assert {test.function for test in TESTS} == set(FUNCTIONS)


def test_reference_passes_every_hidden_test():
    assert _scores(reference_namespace("lstm")) == {test.name: test.points for test in TESTS}


SHAPES = [dict(N=1, T=1, D=1, H=1), dict(N=3, T=4, D=2, H=5), dict(N=2, T=6, D=4, H=3)]


def _check(f, inputs, upstream, grads):
    for index, (value, grad) in enumerate(zip(inputs, grads)):
        error = rel_error(eval_numerical_gradient_array(f, value, upstream), grad)
        assert error < 1e-7, f"gradient {index}: relative error {error:.1e}"


def _weights(rng, D, H, G):
    return 0.5 * rng.standard_normal((D, G * H)), 0.5 * rng.standard_normal((H, G * H))


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_reference_lstm_step_backward_matches_numeric_gradients(ref, sizes):
    rng = np.random.default_rng(sizes["T"])
    N, D, H = sizes["N"], sizes["D"], sizes["H"]
    x, prev_h, prev_c = (rng.standard_normal(s) for s in ((N, D), (N, H), (N, H)))
    Wx, Wh = _weights(rng, D, H, 4)
    b = rng.standard_normal(4 * H)
    dnext = rng.standard_normal((2, N, H))
    inputs = (x, prev_h, prev_c, Wx, Wh, b)
    grads = ref.lstm_step_backward(dnext[0], dnext[1], ref.lstm_step_forward(*inputs)[2])
    _check(lambda _: np.stack(ref.lstm_step_forward(*inputs)[:2]), inputs, dnext, grads)


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_reference_lstm_backward_matches_numeric_gradients(ref, sizes):
    rng = np.random.default_rng(10 + sizes["T"])
    N, T, D, H = sizes["N"], sizes["T"], sizes["D"], sizes["H"]
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    inputs = (x, h0, *_weights(rng, D, H, 4), rng.standard_normal(4 * H))
    dh = rng.standard_normal((N, T, H))
    grads = ref.lstm_backward(dh, ref.lstm_forward(*inputs)[1])
    _check(lambda _: ref.lstm_forward(*inputs)[0], inputs, dh, grads)


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_reference_gru_step_backward_matches_numeric_gradients(ref, sizes):
    rng = np.random.default_rng(20 + sizes["T"])
    N, D, H = sizes["N"], sizes["D"], sizes["H"]
    x, prev_h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    inputs = (x, prev_h, *_weights(rng, D, H, 3), rng.standard_normal(3 * H),
              rng.standard_normal(3 * H))
    dnext = rng.standard_normal((N, H))
    grads = ref.gru_step_backward(dnext, ref.gru_step_forward(*inputs)[1])
    _check(lambda _: ref.gru_step_forward(*inputs)[0], inputs, dnext, grads)


@pytest.mark.parametrize("sizes", SHAPES, ids=str)
def test_reference_gru_backward_matches_numeric_gradients(ref, sizes):
    rng = np.random.default_rng(30 + sizes["T"])
    N, T, D, H = sizes["N"], sizes["T"], sizes["D"], sizes["H"]
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    inputs = (x, h0, *_weights(rng, D, H, 3), rng.standard_normal(3 * H),
              rng.standard_normal(3 * H))
    dh = rng.standard_normal((N, T, H))
    grads = ref.gru_backward(dh, ref.gru_forward(*inputs)[1])
    _check(lambda _: ref.gru_forward(*inputs)[0], inputs, dh, grads)


def test_reference_gru_is_pytorchs_formulation(ref):
    """Written out independently: r scales (h Wh_n + bh_n), and h' = (1 - z) n + z h."""
    rng = np.random.default_rng(5)
    N, D, H = 2, 3, 4
    x, h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    Wx, Wh = _weights(rng, D, H, 3)
    bx, bh = rng.standard_normal(3 * H), rng.standard_normal(3 * H)
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    block = lambda W, k: W[..., k * H:(k + 1) * H]  # noqa: E731
    r = sig(x @ block(Wx, 0) + block(bx, 0) + h @ block(Wh, 0) + block(bh, 0))
    z = sig(x @ block(Wx, 1) + block(bx, 1) + h @ block(Wh, 1) + block(bh, 1))
    n = np.tanh(x @ block(Wx, 2) + block(bx, 2) + r * (h @ block(Wh, 2) + block(bh, 2)))
    assert rel_error(ref.gru_step_forward(x, h, Wx, Wh, bx, bh)[0], (1 - z) * n + z * h) < 1e-12


def test_reference_lstm_gate_order_is_i_f_o_g(ref):
    """A forget bias of +50 copies the cell; an input bias of -50 blocks the candidate."""
    rng = np.random.default_rng(6)
    N, D, H = 2, 3, 4
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    Wx, Wh = _weights(rng, D, H, 4)
    b = np.zeros(4 * H)
    b[:H], b[H:2 * H] = -50, 50
    _, next_c, _ = ref.lstm_step_forward(x, h, c, Wx, Wh, b)
    assert rel_error(next_c, c) < 1e-12


# ------------------------------------------------------------ the hidden tests can fail


def _reference_outputs(case):
    return run_case(case, reference_functions("lstm"))


@pytest.mark.parametrize("family", [cases.lstm_through_time_cases, cases.gru_through_time_cases,
                                    cases.lstm_cell_path_cases])
def test_through_time_cases_have_nontrivial_first_step_gradients(family):
    for case in family():
        out = _reference_outputs(case)
        assert np.abs(out["dx"][:, 0]).max() > 1000 * case.atol, case.label
        assert np.abs(out["dh0"]).max() > 1000 * case.atol, case.label


def test_cell_only_cases_reach_every_input():
    for case in cases.lstm_step_backward_cell_cases():
        dnext_h = case.calls[1].args[0]
        assert not dnext_h.any()
        out = _reference_outputs(case)
        for name in ("dx", "dprev_h", "dprev_c", "dWx"):
            assert np.abs(out[name]).max() > 1000 * case.atol, (case.label, name)


def test_cell_path_case_is_dominated_by_the_cell_state(ref):
    """Dropping the gradient carried along c changes dx[:, 0] by far more than the tolerance."""
    no_carry_c = mutant_functions("lstm", find_mutant("lstm", "lstm_backward/no_carry_c"))
    for case in cases.lstm_cell_path_cases():
        want = _reference_outputs(case)["dx"][:, 0]
        got = run_case(case, no_carry_c)["dx"][:, 0]
        assert rel_error(got, want) > 0.5, case.label


def test_every_output_and_gradient_has_its_own_test():
    names = {test.name for test in TESTS}
    for function, outputs in [("lstm_step_forward", ("next_h", "next_c")),
                              ("lstm_step_backward", cases.LSTM_STEP_GRADS),
                              ("lstm_backward", cases.LSTM_SEQ_GRADS),
                              ("gru_step_backward", cases.GRU_STEP_GRADS),
                              ("gru_backward", cases.GRU_SEQ_GRADS)]:
        assert {f"test_{function}_{out}" for out in outputs} <= names, function
    assert all(f"test_{f}_inputs_unchanged" in names for f in FUNCTIONS)


# Catalog mistakes (autograder/mutants/lstm.py) -> tests they must lose, tests they must keep.
CATALOG_MISTAKES = {
    "lstm_step_backward/dprev_c_no_forget": (
        {"test_lstm_step_backward_dprev_c"}, {"test_lstm_step_backward_dx"}),
    "lstm_step_forward/gate_order_ifgo": ({"test_lstm_step_forward_next_h"}, set()),
    "lstm_backward/no_carry_c": (
        {"test_lstm_backward_cell_path_dx", "test_lstm_backward_through_time_dx"}, set()),
    "gru_step_forward/reset_before_matmul": ({"test_gru_step_forward_next_h"}, set()),
    "gru_step_forward/z_wrong_side": ({"test_gru_step_forward_next_h"}, set()),
    "gru_step_backward/dbh_is_dbx": (
        {"test_gru_step_backward_dbh"},
        {"test_gru_step_backward_dbx", "test_gru_step_backward_dx"}),
    "gru_backward/no_carry": (
        {"test_gru_backward_through_time_dx", "test_gru_backward_dWh"}, set()),
}
# Not in the catalog: dc without the hidden-state path is invisible to the cell-only cases
# (dnext_h = 0 there), so it checks that those cases test the cell path alone while the
# regular cases still catch it. (The catalog's no_tanh_c_grad and no_dnext_c differ.)
HIDDEN_PATH_DROPPED = Mutant(
    "lstm_step_backward", "no_hidden_path", "dc = dnext_c (the hidden-state path is dropped)",
    [("dc = dnext_c + dnext_h * o * (1 - tanh_c**2)", "dc = dnext_c")])
MUTANTS = {key: (find_mutant("lstm", key), *sets) for key, sets in CATALOG_MISTAKES.items()}
MUTANTS[HIDDEN_PATH_DROPPED.key] = (HIDDEN_PATH_DROPPED, {"test_lstm_step_backward_dx"},
                                    {"test_lstm_step_backward_cell_only_dx"})


@pytest.mark.parametrize("key", list(MUTANTS))
def test_a_wrong_function_loses_points_only_in_its_own_tests(key):
    mutant, must_lose, must_keep = MUTANTS[key]
    lost = _lost(mutant)
    assert lost >= must_lose, lost
    assert all(name.startswith(f"test_{mutant.function}_") for name in lost), lost
    assert not lost & must_keep, lost & must_keep


def test_an_in_place_update_is_caught():
    # Not in the catalog, which has no in-place mistake for the LSTM: the inputs-unchanged
    # test must catch a step that scales the caller's prev_c in place.
    in_place = Mutant("lstm_step_forward", "prev_c_in_place", "prev_c is scaled in place",
                      [("next_c = f * prev_c + i * g", "prev_c *= f; next_c = prev_c + i * g")])
    assert "test_lstm_step_forward_inputs_unchanged" in _lost(in_place)
