"""The char_lm assignment: reference gradients, hidden tests that can fail, nbgrader round trip.

char_lm imports the rnn and lstm solutions as generated modules (build/layers): running the
reference or a mistake makes them importable (`autograder.namespaces`), and a release
ships them (`course.release_files`).
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.cases import char_lm as cases
from autograder.execute import run_case
from autograder.grading import evaluate, namespace_runner
from autograder.mutants import Mutant, for_function, mutant_namespace
from autograder.reference import reference_functions, reference_namespace
from autograder.suite import tests_for as hidden_tests
from course_utils.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error

TOL = 1e-7


@pytest.fixture(scope="module")
def ref():
    return reference_functions("char_lm")


# ----------------------------------------------------------------------------- reference maths
def test_reference_layer_gradients_match_numeric(ref):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=(3, 5))
    W, dout = rng.standard_normal((6, 3)), rng.standard_normal((3, 5, 3))
    _, cache = ref["word_embedding_forward"](x, W)
    num = eval_numerical_gradient_array(lambda _: ref["word_embedding_forward"](x, W)[0], W, dout)
    assert rel_error(num, ref["word_embedding_backward"](dout, cache)) < TOL

    xa, w, b = rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((2, 4, 5))
    _, cache = ref["temporal_affine_forward"](xa, w, b)
    grads = ref["temporal_affine_backward"](dout, cache)
    f = lambda _: ref["temporal_affine_forward"](xa, w, b)[0]  # noqa: E731
    for value, grad in zip((xa, w, b), grads):
        assert rel_error(eval_numerical_gradient_array(f, value, dout), grad) < TOL

    scores, y = rng.standard_normal((3, 4, 6)), rng.integers(0, 6, size=(3, 4))
    mask = rng.random((3, 4)) < 0.6
    _, dx = ref["temporal_softmax_loss"](scores, y, mask)
    num = eval_numerical_gradient(lambda _: ref["temporal_softmax_loss"](scores, y, mask)[0],
                                  scores)
    assert rel_error(num, dx) < TOL


@pytest.mark.parametrize("cell", cases.CELLS)
def test_reference_model_gradients_match_numeric(ref, cell):
    rng = np.random.default_rng(37)
    params = cases._model(rng, cell, V=5, D=3, H=3)
    params = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    state = cases._state(rng, cell, 2, 3)
    x, y = rng.integers(0, 5, size=(2, 4)), rng.integers(0, 5, size=(2, 4))
    loss, grads, _ = ref["char_lm_loss"](params, x, y, state, cell)
    assert set(grads) == set(params)
    for k in params:
        num = eval_numerical_gradient(lambda _: ref["char_lm_loss"](params, x, y, state, cell)[0],
                                      params[k])
        # Checked relative to the gradient's scale: a few entries are ~1e-6 by chance.
        scale = np.abs(grads[k]).max()
        assert np.abs(num - grads[k]).max() / scale < TOL, k


@pytest.mark.parametrize("cell", cases.CELLS)
def test_reference_state_carries_across_chunks(ref, cell):
    rng = np.random.default_rng(5)
    params = cases._model(rng, cell, V=6, D=4, H=5)
    state = cases._state(rng, cell, 3, 5)
    x, y = rng.integers(0, 6, size=(3, 8)), rng.integers(0, 6, size=(3, 8))
    whole, _, end = ref["char_lm_loss"](params, x, y, state, cell)
    first, _, middle = ref["char_lm_loss"](params, x[:, :5], y[:, :5], state, cell)
    second, _, end2 = ref["char_lm_loss"](params, x[:, 5:], y[:, 5:], middle, cell)
    assert np.isclose(first + second, whole)
    assert np.allclose(np.asarray(end), np.asarray(end2))
    if cell == "lstm":
        assert isinstance(end, tuple) and len(end) == 2  # the cell state travels too


# ----------------------------------------------------------------------------- hidden tests
def _outputs(case):
    return run_case(case, reference_functions("char_lm"))


def test_hidden_cases_are_not_trivial():
    masks = {c.label.split("mask ")[1]: _outputs(c) for c in cases.softmax_mask_cases()}
    assert masks["all False"]["loss"] == 0 and not masks["all False"]["dx"].any()
    assert masks["all True"]["loss"] > masks["ragged"]["loss"] > 0
    for case in cases.softmax_large_cases():
        out = _outputs(case)
        assert np.isfinite(out["loss"]) and out["loss"] > 100 and np.isfinite(out["dx"]).all()
    for case in cases.embed_repeated_cases():
        x, _ = case.calls[0].args
        assert len(np.unique(x)) < x.size  # really repeated
    for cell in cases.CELLS:
        for case in cases.lm_cases(cell):
            out = _outputs(case)
            for name in case.outputs:
                if name.startswith("d") and case.label.endswith("H=3"):
                    assert np.abs(out[name]).max() > 1e-6, (case.label, name)
        state = _outputs(cases.lm_cases(cell)[1])["final_state"]
        assert state.shape == ((2, 1, 5) if cell == "lstm" else (1, 5))
    greedy = [_outputs(c)["text"] for c in cases.sample_greedy_cases()]
    assert all(len(set(t.tolist())) > 1 for t in greedy[:3])  # not one repeated character
    seeded = [_outputs(c)["text"] for c in cases.sample_seeded_cases()]
    assert [len(t) for t in seeded] == [25, 30, 30, 0, 40]


def _runner(mutant: Mutant):
    """Grades a submission that is correct but for `mutant`."""
    return namespace_runner("char_lm", mutant_namespace("char_lm", mutant))


# Not in the catalog (autograder/mutants/char_lm.py), which has no mistake in the dx of
# temporal_affine_backward: without this one, nothing shows that test can fail.
DX_AVERAGED = Mutant("temporal_affine_backward", "dx_averaged",
                     "dx is divided by the batch size N",
                     [("dx = dout @ w.T", "dx = dout @ w.T / N")])


def test_every_hidden_test_passes_the_solution_and_fails_a_wrong_function():
    reference = namespace_runner("char_lm", reference_namespace("char_lm"))
    runners = {}
    never_failed = []
    for test in hidden_tests("char_lm"):
        assert evaluate("char_lm", test, reference).passed, test.name
        if "inputs_unchanged" in test.name:
            continue
        mistakes = [*for_function("char_lm", test.function),
                    *([DX_AVERAGED] if DX_AVERAGED.function == test.function else [])]
        for mutant in mistakes:
            runners.setdefault(mutant.key, _runner(mutant))
        if all(evaluate("char_lm", test, runners[m.key]).passed for m in mistakes):
            never_failed.append(test.name)
    assert not never_failed, never_failed


def test_a_function_that_modifies_its_input_loses_only_the_unchanged_points():
    # Not in the catalog, which has no in-place mistake: a loss that zeroes the caller's
    # scores after computing correct outputs must lose the inputs-unchanged test only.
    zeroes_x = Mutant("temporal_softmax_loss", "zeroes_x", "x is overwritten in place",
                      [("    return loss, dx", "    x[...] = 0\n    return loss, dx")])
    runner = _runner(zeroes_x)
    for test in hidden_tests("char_lm"):
        if test.function == "temporal_softmax_loss":
            result = evaluate("char_lm", test, runner)
            assert result.passed == ("inputs_unchanged" not in test.name), test.name
