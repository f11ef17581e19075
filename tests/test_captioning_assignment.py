"""The captioning assignment: reference gradients, decoding, hidden tests that can fail.

Its nbgrader round trip is in tests/test_nbgrader_round_trip.py with the other assignments'.
"""

from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest

from autograder.cases import captioning as cases
from autograder.execute import run_case
from autograder.layout import source_notebook
from autograder.mutants import Mutant, for_function, mutant_namespace
from autograder.namespaces import make_shipped_layers_importable
from autograder.notebooks import (
    cell_source,
    grade_meta,
    python_source,
    read_notebook,
    strip_solution_markers,
)

TOL = 1e-7
NULL, START, END = 0, 1, 2


@pytest.fixture(scope="module")
def ref():
    from autograder.reference import reference_namespace
    return reference_namespace("captioning")


def _rng_arrays(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def _check(f, inputs, grads, douts):
    """Every gradient in `grads` against the numeric gradient of sum(out_k * dout_k)."""
    from course_utils.gradcheck import eval_numerical_gradient_array
    for value, grad in zip(inputs, grads):
        num = sum(eval_numerical_gradient_array(lambda _, k=k: f()[k], value, dout)
                  for k, dout in enumerate(douts))
        scale = max(np.abs(grad).max(), 1e-12)
        assert np.abs(num - grad).max() / scale < TOL


# ----------------------------------------------------------------------------- reference maths
def test_reference_attention_gradients_match_numeric(ref):
    prev_h, A, dattn, dweights = _rng_arrays(0, (2, 3), (2, 3, 2, 2), (2, 3), (2, 2, 2))
    attn, weights, cache = ref["dot_product_attention_forward"](prev_h, A)
    assert np.allclose(weights.sum(axis=(1, 2)), 1)
    grads = ref["dot_product_attention_backward"](dattn, dweights, cache)
    _check(lambda: ref["dot_product_attention_forward"](prev_h, A)[:2], (prev_h, A), grads,
           (dattn, dweights))


def test_reference_attention_lstm_gradients_match_numeric(ref):
    x, A, Wx, Wh, Wattn, b, dh = _rng_arrays(1, (2, 3, 2), (2, 3, 2, 2), (2, 12), (3, 12),
                                             (3, 12), (12,), (2, 3, 3))
    h, cache = ref["attention_lstm_forward"](x, A, Wx, Wh, Wattn, b)
    grads = ref["attention_lstm_backward"](dh, cache)
    _check(lambda: (ref["attention_lstm_forward"](x, A, Wx, Wh, Wattn, b)[0],),
           (x, A, Wx, Wh, Wattn, b), grads, (dh,))
    # h0 = c0 = the spatial mean of A: with one position and T = 1, no attention choice
    h1, _ = ref["attention_lstm_forward"](x[:, :1], A[:, :, :1, :1], Wx, Wh, Wattn, b)
    mean = A[:, :, 0, 0]
    step, _, _ = ref["attention_lstm_step_forward"](x[:, 0], mean, mean, mean, Wx, Wh, Wattn, b)
    assert np.allclose(h1[:, 0], step)


@pytest.mark.parametrize("cell", cases.CELLS)
def test_reference_loss_gradients_match_numeric(ref, cell):
    from course_utils.gradcheck import eval_numerical_gradient
    rng = np.random.default_rng(7)
    params = cases._model(rng, cell, V=6, Dp=3, P=2, H=3, D=2)
    patches = rng.standard_normal((2, 2, 2, 3))
    captions = cases._captions(rng, 2, 4, 6)
    loss, grads = ref["captioning_loss"](params, patches, captions, cell)
    assert set(grads) == set(params)
    for k in params:
        num = eval_numerical_gradient(
            lambda _: ref["captioning_loss"](params, patches, captions, cell)[0], params[k])
        scale = np.abs(grads[k]).max()
        assert np.abs(num - grads[k]).max() / scale < TOL, k


def test_reference_beam_width_1_is_greedy(ref):
    for seed, cell in enumerate(cases.CELLS * 2):
        params, patches = cases._decoding_model(6000 + seed, cell, N=1)
        greedy = ref["sample_greedy"](params, patches, cell, 7)[0]
        beam, _ = ref["beam_search"](params, patches[0], cell, 1, 7)
        assert greedy[:len(beam)].tolist() == beam.tolist()
        assert (greedy[len(beam):] == NULL).all()


# ----------------------------------------------------------------------------- hidden tests
def _outputs(case):
    from autograder.reference import reference_functions
    return run_case(case, reference_functions("captioning"))


def test_hidden_cases_are_not_trivial():
    for case in cases.attention_large_cases():
        weights = _outputs(case)["attn_weights"]
        assert np.isfinite(weights).all() and weights.max() > 0.99  # one position wins
    for cell in cases.CELLS:
        for case in cases.loss_cases(cell):
            out = _outputs(case)
            assert out["loss"] > 0
            captions = case.calls[0].args[2]
            if captions.shape[0] > 1 and captions.shape[1] > 3:
                assert (captions[-1] == NULL).sum() >= 2  # masks differ from the inputs'
            for name in case.outputs:
                if name.startswith("d") and "N=1 T=1" not in case.label:
                    assert np.abs(out[name]).max() > 1e-8, (case.label, name)
    rows = [row for c in cases.greedy_cases() if c.calls[0].args[3] > 1
            for row in _outputs(c)["captions"]]
    ends = [np.flatnonzero(row == END) for row in rows]
    assert any(not e.size for e in ends)  # some rows run to max_length
    assert any(e.size and 0 < e[0] < len(r) - 2 for e, r in zip(ends, rows))  # some end early
    batches = [_outputs(c)["captions"] for c in cases.greedy_cases()]
    assert any(len({(row == END).any() for row in b}) == 2 for b in batches)  # in one batch
    beams = [_outputs(c) for c in cases.beam_cases()]
    assert any(b["caption"][-1] == END for b in beams)  # a finished hypothesis wins
    assert any(b["caption"][-1] != END for b in beams)  # a live one wins


def _runner(mutant: Mutant):
    from autograder.grading import namespace_runner
    return namespace_runner("captioning", mutant_namespace("captioning", mutant))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # mistakes that overflow, on purpose
def test_every_hidden_test_passes_the_solution_and_fails_a_wrong_function(ref):
    from autograder.grading import evaluate, namespace_runner
    from autograder.suite import tests_for
    reference = namespace_runner("captioning", ref)
    runners = {}
    never_failed = []
    for test in tests_for("captioning"):
        assert evaluate("captioning", test, reference).passed, test.name
        if "inputs_unchanged" in test.name:
            continue
        mistakes = for_function("captioning", test.function)
        assert len(mistakes) >= 4, test.function
        for mutant in mistakes:
            runners.setdefault(mutant.key, _runner(mutant))
        if all(evaluate("captioning", test, runners[m.key]).passed for m in mistakes):
            never_failed.append(test.name)
    assert not never_failed, never_failed


def test_a_function_that_modifies_its_input_loses_only_the_unchanged_points():
    # Not in the catalog: an attention that zeroes the caller's query after computing
    # correct outputs must lose the inputs-unchanged test only.
    from autograder.grading import evaluate
    from autograder.suite import tests_for
    zeroes = Mutant("dot_product_attention_forward", "zeroes_prev_h",
                    "prev_h is overwritten in place",
                    [("    return attn, attn_weights, cache",
                      "    prev_h[...] = 0\n    return attn, attn_weights, cache")])
    runner = _runner(zeroes)
    for test in tests_for("captioning"):
        if test.function == "dot_product_attention_forward":
            result = evaluate("captioning", test, runner)
            assert result.passed == ("inputs_unchanged" not in test.name), test.name


def test_the_visible_gradient_checks_pass_the_reference_with_a_tenfold_margin():
    # Threshold 1e-7: the reference's own numeric-gradient errors stay below 1e-8, so a
    # correct student solution (other rounding, other platform) is not failed by chance.
    make_shipped_layers_importable("captioning")
    namespace: dict = {"__name__": "visible_captioning"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in read_notebook(source_notebook("captioning"))["cells"]:
            meta = grade_meta(cell)
            if cell.get("cell_type") != "code" or not meta or meta.get("grade"):
                continue  # lab cells, markdown and hidden tests
            exec(strip_solution_markers(python_source(cell_source(cell))), namespace)
    errors = [float(e) for e in re.findall(r"max rel error (\S+)\s+PASS", printed.getvalue())]
    assert len(errors) > 40 and max(errors) < 1e-8, sorted(errors)[-5:]  # as printed
