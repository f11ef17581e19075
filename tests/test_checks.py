"""course_utils.checks: the helpers of the visible checks, `check_contracts` in particular."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.checks import (
    check_close,
    check_contracts,
    check_equal,
    check_gradients,
    check_runs,
)


def _inputs(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((3, 4))


def step(x, prev_h, Wx):
    """A correct step: a new array, a cache that holds its inputs (allowed)."""
    next_h = np.tanh(x @ Wx + prev_h)
    return next_h, (x, prev_h, Wx, next_h)


def step_with_buffer(x, prev_h, Wx):
    """Correct too: a buffer of the inputs' dtype, filled in place."""
    next_h = np.zeros_like(prev_h)
    next_h[:] = np.tanh(x @ Wx + prev_h)
    return next_h, (x, prev_h, Wx)


def step_backward(dnext_h, cache):
    x, prev_h, Wx, next_h = cache
    da = dnext_h * (1 - next_h**2)
    return da @ Wx.T, da, x.T @ da


# ------------------------------------------------------------------------- correct code


@pytest.mark.parametrize("fn", [step, step_with_buffer])
def test_correct_code_passes(fn, capsys):
    check_contracts("step", fn, *_inputs(), outputs=("next_h", "cache"))


def test_a_correct_backward_with_a_cache_passes():
    x, prev_h, Wx = _inputs()
    _, cache = step(x, prev_h, Wx)
    check_contracts("step_backward", step_backward, np.ones((2, 4)), cache,
                    outputs=("dx", "dprev_h", "dWx"))


def test_the_arguments_are_left_alone():
    x, prev_h, Wx = _inputs()
    before = [a.copy() for a in (x, prev_h, Wx)]

    def scales(x, prev_h, Wx):
        prev_h *= 2
        return np.tanh(x @ Wx + prev_h), None

    with pytest.raises(AssertionError):
        check_contracts("scales", scales, x, prev_h, Wx)
    assert all(np.array_equal(a, b) for a, b in zip((x, prev_h, Wx), before))
    assert all(a.flags.writeable for a in (x, prev_h, Wx))


def test_a_generator_argument_is_copied_for_every_call():
    rng = np.random.default_rng(5)
    draws = []

    def draw(x, rng):
        draws.append(rng.random())
        return x * 2

    check_contracts("draw", draw, np.ones(3), rng)
    assert len(draws) == 2 and draws[0] == draws[1]          # the same state in both calls
    assert rng.random() == np.random.default_rng(5).random()  # the caller's rng untouched


# ------------------------------------------------------------------- writes into an input


def test_a_write_undone_before_returning_is_caught_and_named():
    def write_and_restore(x, prev_h, Wx):
        prev_h *= 2
        next_h = np.tanh(x @ Wx + prev_h / 2)
        prev_h /= 2
        return next_h, None

    with pytest.raises(AssertionError) as error:
        check_contracts("write_and_restore", write_and_restore, *_inputs())
    message = str(error.value)
    assert message.startswith("write_and_restore: writes into its input prev_h")
    assert "undone later" in message and "new array" in message


def test_a_write_into_an_array_of_a_cache_is_named_with_its_index():
    def backward(dnext_h, cache):
        x, prev_h, Wx, next_h = cache
        next_h **= 2                                   # "reuses" the cache
        da = dnext_h * (1 - next_h)
        return da @ Wx.T, da, x.T @ da

    x, prev_h, Wx = _inputs()
    _, cache = step(x, prev_h, Wx)
    with pytest.raises(AssertionError, match=r"^backward: writes into its input cache\[3\]"):
        check_contracts("backward", backward, np.ones((2, 4)), cache)


def test_an_upstream_gradient_added_into_is_caught():
    def accumulates(dh, cache):
        dh[:, 0] += dh[:, 1]
        return dh[:, 0] * 1.0

    with pytest.raises(AssertionError, match="^accumulates: writes into its input dh "):
        check_contracts("accumulates", accumulates, np.ones((2, 3, 4)), None)


def test_a_replaced_dict_entry_is_caught():
    def clip(grads, max_norm):
        for name in grads:
            grads[name] = grads[name] * 0.5
        return dict(grads), 1.0

    with pytest.raises(AssertionError, match="^clip: changes the entries of its input grads"):
        check_contracts("clip", clip, {"W": np.ones(3)}, max_norm=1.0)


def test_another_value_error_is_not_blamed_on_a_write():
    def broken(x):
        raise ValueError("shapes do not match")

    with pytest.raises(AssertionError, match="^broken: raises ValueError") as error:
        check_contracts("broken", broken, np.ones(3))
    assert "writes into" not in str(error.value) and "shapes do not match" in str(error.value)


# ------------------------------------------------------------------------ returned inputs


def test_a_returned_input_is_caught():
    def clip(grads, max_norm):
        return grads, 0.1                              # "nothing to clip"

    with pytest.raises(AssertionError) as error:
        check_contracts("clip", clip, {"W": np.ones(3)}, max_norm=5.0,
                        outputs=("clipped", "total_norm"))
    assert str(error.value).startswith(
        "clip: returns its input grads['W'] itself (or a view of it) as clipped['W']")


def test_a_view_of_an_input_is_caught():
    def last(h):
        return h[:, -1]

    with pytest.raises(AssertionError, match=r"^last: returns its input h itself"):
        check_contracts("last", last, np.ones((2, 3, 4)))


# ------------------------------------------------------------------------------- dtypes


def test_a_float64_buffer_is_caught_and_named():
    def forward(x, h0):
        h = np.zeros((x.shape[0], x.shape[1], h0.shape[1]))   # float64 whatever x is
        h[:, 0] = np.tanh(x[:, 0, :1] + h0)
        return h, None

    with pytest.raises(AssertionError) as error:
        check_contracts("forward", forward, np.ones((2, 3, 1)), np.ones((2, 4)),
                        outputs=("h", "cache"))
    message = str(error.value)
    assert message.startswith("forward: h is float64 for float32 inputs")
    assert "dtype=x.dtype" in message and "zeros_like" in message


def test_every_float64_output_is_listed():
    def backward(dout, cache):
        return dout.astype(np.float64), dout * 2, np.zeros(3)

    with pytest.raises(AssertionError) as error:
        check_contracts("backward", backward, np.ones(3), None, outputs=("dx", "dW", "db"))
    assert str(error.value).startswith("backward: dx is float64, db is float64 for float32")


def test_integer_inputs_stay_integers_and_a_stated_float64_output_can_be_exempted():
    def embed(x, W):
        assert x.dtype.kind == "i" and W.dtype in (np.float32, np.float64)
        return W[x]

    check_contracts("embed", embed, np.array([[0, 2]]), np.ones((3, 2)))

    def norms(h):
        return np.linalg.norm(h, axis=0).astype(np.float64)

    check_contracts("norms", norms, np.ones((2, 3)), float_outputs=False)
    with pytest.raises(AssertionError, match="^norms: the output is float64"):
        check_contracts("norms", norms, np.ones((2, 3)))


# ------------------------------------------------------------------ the other checks


def test_check_close_and_check_equal_name_the_function():
    check_close("f", "y", np.ones(3), np.ones(3), "look here")
    with pytest.raises(AssertionError, match="^f: y differs .*: look here"):
        check_close("f", "y", np.ones(3), np.zeros(3), "look here")
    with pytest.raises(AssertionError, match=r"^f: y has shape \(2,\)"):
        check_close("f", "y", np.ones(2), np.ones(3), "look here")
    with pytest.raises(AssertionError, match="^f: text differs"):
        check_equal("f", "text", "ab", "ba", "order")


def test_check_gradients_prints_one_line_per_hint():
    checks = {"a": (np.ones(3), np.zeros(3)), "b": (np.ones(3), np.zeros(3)),
              "c": (np.ones(3), -np.ones(3))}
    with pytest.raises(AssertionError) as error:
        check_gradients("f", checks, {"a": "hint 1", "b": "hint 1", "c": "hint 2"})
    lines = str(error.value).splitlines()
    assert lines[1:] == ["    a, b: hint 1", "    c: hint 2"]


def test_check_gradients_gives_the_shared_hint_when_every_gradient_fails():
    wrong, right = (np.ones(3), np.zeros(3)), (np.ones(3), np.ones(3))
    hints = {"a": "hint a", "b": "hint b"}
    with pytest.raises(AssertionError) as error:
        check_gradients("f", {"a": wrong, "b": wrong}, hints, all_fail="the shared part")
    assert str(error.value).splitlines()[1:] == ["    a, b: the shared part"]
    with pytest.raises(AssertionError) as error:
        check_gradients("f", {"a": wrong, "b": right}, hints, all_fail="the shared part")
    assert str(error.value).splitlines()[1:] == ["    a: hint a"]


def test_check_runs_turns_a_crash_into_one_line_naming_the_function():
    assert check_runs("f", "the case", "look here", lambda a, b: a + b, 1, b=2) == 3

    def crashes(x):
        return x.append(1)  # an int has no append

    with pytest.raises(AssertionError) as error:
        check_runs("f", "k = 3", "rank by the sum", crashes, 3)
    message = str(error.value)
    assert message.startswith("f: k = 3 raises AttributeError (") and "\n" not in message
    assert message.endswith(": rank by the sum")
    assert isinstance(error.value.__cause__, AttributeError)  # its traceback is kept


@pytest.mark.parametrize("kind", [NotImplementedError, AssertionError])
def test_check_runs_lets_a_stub_and_a_failed_check_through(kind):
    def raises():
        raise kind("as it was")

    with pytest.raises(kind, match="^as it was$"):
        check_runs("f", "the case", "look here", raises)


def test_check_contracts_turns_a_crash_into_one_line_naming_the_function():
    x, prev_h, Wx = _inputs()

    def wrong_shape(x, prev_h, Wx):
        return np.tanh(x @ Wx.T + prev_h), None  # (2, 3) @ (4, 3): does not fit

    def crashes_in_float32(x, prev_h, Wx):
        if x.dtype == np.float32:
            raise TypeError("only float64 here")
        return step(x, prev_h, Wx)

    for fn, start in ((wrong_shape, "step: raises ValueError ("),
                      (crashes_in_float32, "step: with float32 inputs raises TypeError (")):
        with pytest.raises(AssertionError) as error:
            check_contracts("step", fn, x, prev_h, Wx)
        message = str(error.value)
        assert message.startswith(start) and "\n" not in message, message
        assert isinstance(error.value.__cause__, Exception)  # its traceback is kept

    def stub(x, prev_h, Wx):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_contracts("step", stub, x, prev_h, Wx)
