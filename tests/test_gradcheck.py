"""Tests for course_utils.gradcheck."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_utils.gradcheck import (
    PrecisionWarning,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    gradient_report,
    rel_error,
)

TOL = 1e-8


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


# --- known analytic gradients --------------------------------------------------------------


def test_sum_of_squares(rng):
    x = rng.normal(size=(3, 4))
    num = eval_numerical_gradient(lambda v: np.sum(v**2), x)
    assert num.shape == x.shape
    assert rel_error(num, 2 * x) < TOL


def test_sin(rng):
    x = rng.normal(size=(5,))
    num = eval_numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    assert rel_error(num, np.cos(x)) < TOL


def test_scalar_f_reading_captured_array(rng):
    # f ignores its argument: the perturbation must happen in place to be seen.
    w = rng.normal(size=(2, 3))
    num = eval_numerical_gradient(lambda _: np.sum(w**3), w)
    assert rel_error(num, 3 * w**2) < TOL


def test_matrix_product_with_upstream(rng):
    x = rng.normal(size=(4, 3))
    w = rng.normal(size=(3, 5))
    df = rng.normal(size=(4, 5))
    num_dx = eval_numerical_gradient_array(lambda v: v @ w, x, df)
    num_dw = eval_numerical_gradient_array(lambda v: x @ v, w, df)
    assert rel_error(num_dx, df @ w.T) < TOL
    assert rel_error(num_dw, x.T @ df) < TOL


def test_tanh_layer(rng):
    x = rng.normal(size=(4, 3))
    w = rng.normal(size=(3, 5)) * 0.5
    b = rng.normal(size=(5,))
    df = rng.normal(size=(4, 5))

    def layer(x_, w_, b_):
        return np.tanh(x_ @ w_ + b_)

    dpre = df * (1 - layer(x, w, b) ** 2)
    ok = gradient_report(
        {
            "dx": (eval_numerical_gradient_array(lambda v: layer(v, w, b), x, df), dpre @ w.T),
            "dw": (eval_numerical_gradient_array(lambda v: layer(x, v, b), w, df), x.T @ dpre),
            "db": (eval_numerical_gradient_array(lambda v: layer(x, w, v), b, df), dpre.sum(0)),
        },
        threshold=TOL,
    )
    assert ok is True


def test_array_f_returning_view_of_x(rng):
    # Identity returns x itself; results must be copied before x is perturbed again.
    x = rng.normal(size=(3, 2))
    df = rng.normal(size=(3, 2))
    num = eval_numerical_gradient_array(lambda v: v, x, df)
    assert rel_error(num, df) < TOL


def test_df_shape_mismatch_raises(rng):
    x = rng.normal(size=(3,))
    with pytest.raises(ValueError, match="df has shape"):
        eval_numerical_gradient_array(lambda v: 2 * v, x, np.ones(4))


def test_scalar_gradient_rejects_array_valued_f(rng):
    x = rng.normal(size=(3,))
    with pytest.raises(ValueError, match="scalar"):
        eval_numerical_gradient(lambda v: 2 * v, x)


# --- gradient_report -----------------------------------------------------------------------


def test_report_all_pass(rng, capsys):
    x = rng.normal(size=(3, 3))
    num = eval_numerical_gradient(lambda v: np.sum(v**2), x)
    assert gradient_report({"dx": (num, 2 * x)}, title="square_backward") is True
    out = capsys.readouterr().out
    assert "square_backward" in out
    assert "PASS" in out and "FAIL" not in out


def test_report_flags_wrong_gradient(rng, capsys):
    x = rng.normal(size=(3, 3))
    num = eval_numerical_gradient(lambda v: np.sum(v**2), x)
    wrong = x  # forgot the factor 2
    assert gradient_report({"dx": (num, 2 * x), "dW": (num, wrong)}, threshold=1e-7) is False
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2  # one per parameter, no title given
    dx_line, dw_line = lines
    assert "dx" in dx_line and "PASS" in dx_line
    assert "dW" in dw_line and "FAIL" in dw_line
    assert "3.3e-01" in dw_line  # |2x - x| / (|2x| + |x|) = 1/3


def test_report_nan_fails(capsys):
    assert gradient_report({"dx": (np.array([np.nan]), np.array([1.0]))}) is False
    assert "FAIL" in capsys.readouterr().out


def test_report_threshold_is_respected(capsys):
    num, ana = np.array([1.0]), np.array([1.0 + 2e-6])  # rel error ~1e-6
    assert gradient_report({"dx": (num, ana)}, threshold=1e-5) is True
    assert gradient_report({"dx": (num, ana)}, threshold=1e-7) is False


def test_report_empty_raises():
    with pytest.raises(ValueError):
        gradient_report({})


# --- x is restored -------------------------------------------------------------------------

H = 1e-5


def _awkward_x() -> np.ndarray:
    x = np.array([[0.1, 1 / 3, 7.3], [1e8 + 0.3, -2.9, 1e-7]])
    # Undoing +h then -h does not round-trip here, so only an exact restore passes.
    assert np.any((x + H) - H != x)
    return x


def _call(kind: str, f, x):
    if kind == "full":
        return eval_numerical_gradient(lambda v: np.sum(f(v)), x, h=H)
    if kind == "array":
        return eval_numerical_gradient_array(f, x, np.ones_like(x), h=H)
    return grad_check_sparse(lambda v: np.sum(f(v)), x, np.zeros_like(x), num_checks=5, h=H)


KINDS = ["full", "array", "sparse"]


@pytest.mark.parametrize("kind", KINDS)
def test_x_unchanged_after_call(kind):
    x = _awkward_x()
    before = x.copy()
    _call(kind, np.sin, x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fail_on", [2, 3])
def test_x_restored_when_f_raises(kind, fail_on):
    x = _awkward_x()
    before = x.copy()
    calls = 0

    def flaky(v):
        nonlocal calls
        calls += 1
        if calls == fail_on:
            raise RuntimeError("boom")
        return np.sin(v)

    with pytest.raises(RuntimeError, match="boom"):
        _call(kind, flaky, x)
    assert calls == fail_on
    np.testing.assert_array_equal(x, before)


# --- input validation ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_low_precision_warns(kind, dtype):
    x = np.linspace(-1, 1, 6, dtype=dtype).reshape(2, 3)
    with pytest.warns(PrecisionWarning, match=np.dtype(dtype).name):
        _call(kind, np.sin, x)


@pytest.mark.parametrize("kind", KINDS)
def test_float64_does_not_warn(kind):
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _call(kind, np.sin, x)


def test_precision_warning_is_user_warning():
    assert issubclass(PrecisionWarning, UserWarning)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_non_float_array_raises(kind, dtype):
    x = np.arange(6).reshape(2, 3).astype(dtype)
    with pytest.raises(TypeError, match="float"):
        _call(kind, np.sin, x)


@pytest.mark.parametrize("kind", KINDS)
def test_non_array_raises(kind):
    with pytest.raises(TypeError, match="ndarray"):
        _call(kind, np.sin, [[0.1, 0.2]])


# --- grad_check_sparse ---------------------------------------------------------------------


def _global_state_equal(a, b) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def test_sparse_leaves_global_rng_untouched(rng):
    np.random.seed(42)
    state_before = np.random.get_state()
    x = rng.normal(size=(6, 7))
    grad_check_sparse(lambda v: np.sum(v**2), x, 2 * x, num_checks=20)
    assert _global_state_equal(np.random.get_state(), state_before)


def test_sparse_is_reproducible_and_seed_dependent(rng):
    x = rng.normal(size=(6, 7))
    noisy = 2 * x + rng.normal(size=x.shape)  # wrong, so each entry has its own error

    def run(seed):
        return grad_check_sparse(lambda v: np.sum(v**2), x, noisy, num_checks=8, seed=seed)

    assert run(0) == run(0)
    assert run(0) != run(1)


def test_sparse_correct_vs_wrong(rng):
    x = rng.normal(size=(5, 4))
    good = grad_check_sparse(lambda v: np.sum(v**2), x, 2 * x, num_checks=12)
    bad = grad_check_sparse(lambda v: np.sum(v**2), x, 3 * x, num_checks=12)
    assert len(good) == len(bad) == 12
    assert max(good) < TOL
    assert min(bad) > 0.1  # |2x - 3x| / (|2x| + |3x|) = 0.2


def test_sparse_quiet_by_default_and_verbose_on_request(rng, capsys):
    x = rng.normal(size=(4, 4))
    grad_check_sparse(lambda v: np.sum(v**2), x, 2 * x, num_checks=3)
    assert capsys.readouterr().out == ""
    grad_check_sparse(lambda v: np.sum(v**2), x, 2 * x, num_checks=3, verbose=True)
    assert len(capsys.readouterr().out.strip().splitlines()) == 3


def test_sparse_grad_shape_mismatch_raises(rng):
    x = rng.normal(size=(3, 4))
    with pytest.raises(ValueError):
        grad_check_sparse(lambda v: np.sum(v**2), x, np.zeros((4, 3)))


# --- rel_error -----------------------------------------------------------------------------


def test_rel_error_known_value():
    assert rel_error(np.array([1.0, 2.0]), np.array([3.0, 2.0])) == pytest.approx(0.5)


def test_rel_error_safe_denominator():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    # Tiny difference around zero: finite, divided by the 1e-8 floor, not by ~0.
    assert rel_error(np.array([0.0]), np.array([1e-12])) == pytest.approx(1e-4)


def test_rel_error_empty_is_zero():
    assert rel_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


@pytest.mark.parametrize("shape_y", [(3,), (1, 3), (2, 1), (3, 2)])
def test_rel_error_shape_mismatch_raises(shape_y):
    # Most of these would broadcast silently against (2, 3), hiding a transposed gradient.
    with pytest.raises(ValueError, match="equal shapes"):
        rel_error(np.zeros((2, 3)), np.zeros(shape_y))


def test_rel_error_returns_python_float():
    assert type(rel_error(np.ones(2), np.ones(2))) is float
