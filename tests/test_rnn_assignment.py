"""The `rnn` assignment: its reference solution, its hidden tests and its nbgrader round trip."""

from __future__ import annotations

import json
import re
import types

import numpy as np
import pytest

from autograder import grading, suite
from autograder.cases import rnn as cases
from autograder.course import Course, solution_submission, with_answers
from autograder.execute import run_case
from autograder.layout import source_notebook
from autograder.notebooks import (
    HIDDEN_BEGIN,
    answer_cells,
    cell_source,
    read_notebook,
    solution_regions,
)
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


def _with_replaced(name: str, source: str) -> dict:
    """The reference namespace with one graded function redefined from `source`."""
    namespace = dict(reference_namespace("rnn"))
    exec(compile(source, f"<mutant {name}>", "exec"), namespace)
    return namespace


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


TRUNCATED_TEMPLATE = '''
def rnn_truncated_bptt(x, h0, Wx, Wh, b, dh, k):
    T = x.shape[1]
    hs, dxs = [], []
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    start_h = h0
    for start in range({starts}):
        stop = {stop}
        h_chunk, cache = rnn_forward(x[:, start:stop], {init}, Wx, Wh, b)
        dx_c, _, a, c, d = rnn_backward(dh[:, start:stop], cache)
        hs.append(h_chunk); dxs.append(dx_c)
        dWx += a; dWh += c; db += d
        start_h = h_chunk[:, -1]
    return np.concatenate(hs, 1), np.concatenate(dxs, 1), dWx, dWh, db
'''
TRUNCATED_MUTANTS = {
    "correct": dict(starts="0, T, k", stop="min(start + k, T)", init="start_h"),
    "reset to h0 in every chunk": dict(starts="0, T, k", stop="min(start + k, T)", init="h0"),
    "reset to zeros in every chunk": dict(starts="0, T, k", stop="min(start + k, T)",
                                          init="np.zeros_like(h0)"),
    "last partial chunk dropped": dict(starts="0, T - T % k, k", stop="start + k",
                                       init="start_h"),
    "chunks one step too long": dict(starts="0, T, k + 1", stop="min(start + k + 1, T)",
                                     init="start_h"),
    "chunks one step too short": dict(starts="0, T, max(k - 1, 1)",
                                      stop="min(start + max(k - 1, 1), T)", init="start_h"),
}
FULL_BPTT = '''
def rnn_truncated_bptt(x, h0, Wx, Wh, b, dh, k):
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dx, _, dWx, dWh, db = rnn_backward(dh, cache)
    return h, dx, dWx, dWh, db
'''


def _lost(namespace: dict, function: str) -> set[str]:
    scores = _scores(namespace)
    lost = {test.name for test in TESTS if scores[test.name] < test.points}
    assert all(name.startswith(f"test_{function}_") for name in lost), lost
    return lost


@pytest.mark.parametrize("mutant", [*TRUNCATED_MUTANTS, "full BPTT"])
def test_truncated_bptt_mistakes_are_caught(mutant):
    source = (FULL_BPTT if mutant == "full BPTT"
              else TRUNCATED_TEMPLATE.format(**TRUNCATED_MUTANTS[mutant]))
    lost = _lost(_with_replaced("rnn_truncated_bptt", source), "rnn_truncated_bptt")
    assert (not lost) if mutant == "correct" else lost, mutant


NORMS_MUTANTS = {
    "shifted by one step": '''
def rnn_gradient_norms(x, h0, Wx, Wh, b, dout):
    N, T, _ = x.shape
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    norms = np.empty(T)
    for t in range(T):  # backward from h_{t-1}: one step too many
        start = h0 if t == 0 else h[:, t - 1]
        _, cache = rnn_forward(x[:, t:], start, Wx, Wh, b)
        dh = np.zeros((N, T - t, h.shape[2])); dh[:, -1] = dout
        norms[t] = np.linalg.norm(rnn_backward(dh, cache)[1])
    return norms
''',
    "gradient applied at every step": '''
def rnn_gradient_norms(x, h0, Wx, Wh, b, dout):
    N, T, _ = x.shape
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    norms = np.empty(T); norms[-1] = np.linalg.norm(dout)
    for t in range(T - 1):
        _, cache = rnn_forward(x[:, t + 1:], h[:, t], Wx, Wh, b)
        dh = np.broadcast_to(dout[:, None], (N, T - 1 - t, dout.shape[1])).copy()
        norms[t] = np.linalg.norm(rnn_backward(dh, cache)[1])
    return norms
''',
    "norm per example averaged": '''
def rnn_gradient_norms(x, h0, Wx, Wh, b, dout):
    N, T, _ = x.shape
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    norms = np.empty(T); norms[-1] = np.linalg.norm(dout, axis=1).mean()
    for t in range(T - 1):
        _, cache = rnn_forward(x[:, t + 1:], h[:, t], Wx, Wh, b)
        dh = np.zeros((N, T - 1 - t, h.shape[2])); dh[:, -1] = dout
        norms[t] = np.linalg.norm(rnn_backward(dh, cache)[1], axis=1).mean()
    return norms
''',
}


@pytest.mark.parametrize("mutant", list(NORMS_MUTANTS))
def test_gradient_norms_mistakes_are_caught(mutant):
    namespace = _with_replaced("rnn_gradient_norms", NORMS_MUTANTS[mutant])
    assert _lost(namespace, "rnn_gradient_norms"), mutant


# ------------------------------------------------------------------ the nbgrader round trip

BACKWARD_WITHOUT_CARRY = ("rnn_step_backward(dh[:, t] + dprev_h, cache[t])",
                          "rnn_step_backward(dh[:, t], cache[t])")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("course"))
    release_path = course.generate("rnn")
    release = json.loads(release_path.read_text(encoding="utf-8"))
    wrong_backward = solution_sources("rnn")["rnn_backward"].replace(*BACKWARD_WITHOUT_CARRY)
    assert wrong_backward != solution_sources("rnn")["rnn_backward"]
    course.submit("rnn", "solution", solution_submission(release, "rnn"))
    course.submit("rnn", "blank", release)
    course.submit("rnn", "wrong_backward",
                  with_answers(solution_submission(release, "rnn"),
                               {"rnn_backward": wrong_backward}))
    # Only the test cells: formgrader keeps the written answers for manual grading.
    names = {test.name for test in TESTS}
    scores = {student: {name: score for name, score in grades.items() if name in names}
              for student, grades in course.autograde("rnn").items()}
    return release_path.read_text(encoding="utf-8"), scores


def _solution_only_lines() -> set[str]:
    """Non-trivial solution lines that occur nowhere else in the source notebook."""
    notebook = read_notebook(source_notebook("rnn"))
    answers = answer_cells(notebook)
    lines = {line.strip() for cell in answers.values()
             for region in solution_regions(cell_source(cell)) for line in region.splitlines()}
    lines = {line for line in lines if len(line) > 12 and not line.startswith("#")}
    elsewhere = "\n".join(re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", cell_source(c),
                                 flags=re.S) for c in notebook["cells"])
    return {line for line in lines if line not in elsewhere}


def test_release_has_stubs_but_no_solutions_or_hidden_tests(graded):
    release, _ = graded
    solution_lines = _solution_only_lines()
    assert len(solution_lines) > 30
    leaked = sorted(line for line in solution_lines if line in release)
    assert not leaked
    assert release.count("raise NotImplementedError()") == len(FUNCTIONS)
    assert HIDDEN_BEGIN not in release and "run_test" not in release
    assert "YOUR ANSWER HERE" in release  # written answers are blanked too


def test_solution_gets_full_autograded_points(graded):
    _, scores = graded
    assert scores["solution"] == {test.name: test.points for test in TESTS}


def test_blank_release_scores_zero_without_breaking_the_run(graded):
    _, scores = graded
    assert set(scores["blank"]) == {test.name for test in TESTS}
    assert sum(scores["blank"].values()) == 0


def test_wrong_bptt_loses_points_only_in_its_own_tests(graded):
    _, scores = graded
    lost = {name for name, score in scores["wrong_backward"].items()
            if score < scores["solution"][name]}
    assert lost and all(name.startswith("test_rnn_backward_") for name in lost)
    assert "test_rnn_backward_through_time_dx" in lost
