"""The contracts the hidden tests enforce: inputs never written, no input returned, dtypes,
tolerances from the reference's own error, and where a wrong cache is charged."""

from __future__ import annotations

import numpy as np

from autograder import execute, suite
from autograder.compare import mismatch
from autograder.layout import ASSIGNMENTS
from autograder.spec import Call, Case, Ref, dtype_key, unchanged_key
from autograder.tolerance import output_tolerance


def _case(*calls, outputs=None):
    return Case("demo", tuple(calls), outputs or {"out": Ref(0)})


def test_an_input_written_and_restored_is_reported_and_its_values_still_graded():
    def restoring(x):
        saved = x.copy()
        x *= 2
        total = x.sum() / 2
        x[...] = saved
        return total

    case = _case(Call("f", (np.arange(3.0),)))
    out = execute.run_case(case, {"f": restoring})
    assert out[unchanged_key("f")] == 0.0 and out["out"] == 3.0
    assert execute.run_case(case, {"f": lambda x: x.sum()})[unchanged_key("f")] == 1.0


def test_returning_an_input_or_a_view_of_it_is_reported():
    case = _case(Call("f", (np.arange(4.0),)))
    assert execute.run_case(case, {"f": lambda x: x[1:]})[unchanged_key("f")] == 0.0
    assert execute.run_case(case, {"f": lambda x: x[1:].copy()})[unchanged_key("f")] == 1.0


def test_the_dtype_of_each_float_output_is_an_output_of_its_own():
    case = _case(Call("f", (np.ones(2, dtype=np.float32),)))
    got = execute.run_case(case, {"f": lambda x: x.astype(np.float64) * 2})
    want = execute.run_case(case, {"f": lambda x: x * 2})
    message = mismatch(dtype_key("out"), got[dtype_key("out")], want[dtype_key("out")], case)
    assert message and "float64" in message and "float32" in message
    assert mismatch("out", got["out"], want["out"], case) is None


def test_float64_tolerances_fail_a_relative_mistake_of_1e_7_and_pass_rounding():
    rng = np.random.default_rng(0)
    want = rng.standard_normal((4, 5))
    precise = want.astype(np.longdouble) * (1 + np.longdouble(2.0 ** -52))
    rtol, atol = output_tolerance(want, precise)
    close = np.abs(want * 1e-7) <= atol + rtol * np.abs(want)
    assert not close.all()  # want * (1 + 1e-7) is caught
    reordered = want * (1 + 8 * np.finfo(float).eps)  # a few ulps: another summation order
    assert (np.abs(reordered - want) <= atol + rtol * np.abs(want)).all()


def _float32_inputs(case: Case) -> bool:
    def arrays(value):
        if isinstance(value, np.ndarray):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from arrays(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from arrays(item)

    return any(a.dtype == np.float32 for call in case.calls for a in arrays(call.args))


def test_every_float64_output_of_every_hidden_case_fails_a_1e_7_relative_mistake():
    checked = 0
    for assignment in ASSIGNMENTS:
        for test in suite.tests_for(assignment):
            for index, case in enumerate(suite.cases(assignment, test.name)):
                if _float32_inputs(case):
                    continue
                want = suite.expected(assignment, test.name, index)
                for name in test.outputs:
                    if name not in case.tolerances:
                        continue  # a side condition (a flag, a dtype) or an exact output
                    checked += 1
                    value = want.get(name)
                    if value is None or value.dtype != np.float64 or not np.abs(value).max():
                        continue
                    rtol, atol = case.tolerance(name)
                    worst = np.abs(value).max()
                    assert 1e-7 * worst > atol + rtol * worst, (test.name, case.label, name)
    assert checked > 500


def test_a_forward_with_right_values_and_a_wrong_cache_is_blamed_in_the_backward_test():
    from autograder.grading import evaluate, namespace_runner
    from autograder.reference import reference_namespace

    namespace = dict(reference_namespace("rnn"))
    right = namespace["rnn_step_forward"]

    def swapped_cache(x, prev_h, Wx, Wh, b):
        next_h, (x_, prev_h_, Wx_, Wh_, h_) = right(x, prev_h, Wx, Wh, b)
        return next_h, (prev_h_, x_, Wx_, Wh_, h_)

    namespace["rnn_step_forward"] = swapped_cache
    result = evaluate("rnn", suite.find_test("rnn", "test_rnn_step_backward_dWx"),
                      namespace_runner("rnn", namespace))
    assert not result.passed
    assert "your rnn_step_forward returned the right values here" in result.message
    # ... and a forward whose values are wrong is charged in its own tests only.
    namespace["rnn_step_forward"] = lambda x, prev_h, Wx, Wh, b: right(x, prev_h, Wx, Wh, 2 * b)
    assert evaluate("rnn", suite.find_test("rnn", "test_rnn_step_backward_dWx"),
                    namespace_runner("rnn", namespace)).passed
