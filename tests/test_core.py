"""The grading core: running cases, refusing exotic values, comparing, partial credit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import execute, grading, suite
from autograder.compare import mismatch
from autograder.layout import ASSIGNMENTS, NotebookError
from autograder.notebooks import read_notebook, strip_solution_markers
from autograder.spec import Call, Case, Ref, Rng, Test, unchanged_key


def _case(*calls, outputs=None, **tolerance):
    return Case("demo", tuple(calls), outputs or {"out": Ref(0)}, **tolerance)


def test_refs_pass_the_value_made_by_an_earlier_call():
    functions = {"make": lambda: (np.ones(2), {"k": 3.0}), "use": lambda cache: cache["k"] * 2}
    case = _case(Call("make"), Call("use", (Ref(0, 1),)), outputs={"v": Ref(1)})
    assert execute.run_case(case, functions)["v"] == 6.0


def test_rng_arguments_are_fresh_generators_with_the_given_seed():
    case = _case(Call("draw", (Rng(7),)))
    first = execute.run_case(case, {"draw": lambda rng: rng.random(3)})["out"]
    np.testing.assert_array_equal(first, np.random.default_rng(7).random(3))


def test_in_place_modification_of_an_input_is_reported():
    def sneaky(x):
        x += 1
        return x.sum()

    case = _case(Call("f", (np.zeros(3),)))
    assert execute.run_case(case, {"f": sneaky})[unchanged_key("f")] == 0.0
    assert execute.run_case(case, {"f": lambda x: (x + 1).sum()})[unchanged_key("f")] == 1.0


def test_replacing_an_entry_of_an_input_dict_is_reported():
    def rebinding(grads):
        grads["a"] = grads["a"] * 2
        return grads["a"]

    case = _case(Call("f", ({"a": np.ones(2)},)))
    assert execute.run_case(case, {"f": rebinding})[unchanged_key("f")] == 0.0


def test_each_call_gets_its_own_copy_of_the_case_inputs():
    x = np.zeros(2)
    case = _case(Call("f", (x,)))
    execute.run_case(case, {"f": lambda a: a.fill(5) or a})
    np.testing.assert_array_equal(x, 0)


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value, reason", [
    (np.zeros(2).view(AlwaysEqual), "plain numpy array"),
    (np.array([object()]), "numeric"),
    ({"a": 1}, "expected a numpy array"),
    (None, "expected a numpy array"),
])
def test_exotic_return_values_are_refused(value, reason):
    with pytest.raises(execute.StudentError, match=reason):
        execute.run_case(_case(Call("f")), {"f": lambda: value})


def test_strings_become_code_points_so_text_can_be_compared():
    out = execute.run_case(_case(Call("f")), {"f": lambda: "ab"})["out"]
    np.testing.assert_array_equal(out, [97, 98])


def test_student_exceptions_become_one_line_errors():
    def broken():
        raise ValueError("shapes (2,3) and (4,5) not aligned\nmore detail")

    with pytest.raises(execute.StudentError) as info:
        execute.run_case(_case(Call("f")), {"f": broken})
    assert str(info.value) == "f raised ValueError: shapes (2,3) and (4,5) not aligned"


def test_missing_and_unimplemented_functions_are_named():
    def stub():
        raise NotImplementedError()

    with pytest.raises(execute.StudentError, match="g is not defined"):
        execute.run_case(_case(Call("g")), {})
    with pytest.raises(execute.StudentError, match="not implemented yet"):
        execute.run_case(_case(Call("f")), {"f": stub})


def test_mismatch_reports_shape_nan_and_size_of_the_error():
    case = _case(Call("f"))
    want = np.ones((2, 3))
    assert mismatch("dx", want.copy(), want, case) is None
    assert "shape (3, 2)" in mismatch("dx", np.ones((3, 2)), want, case)
    assert "NaN" in mismatch("dx", np.full((2, 3), np.nan), want, case)
    assert "relative error 3.3e-01" in mismatch("dx", 2 * want, want, case)


def test_float32_tolerance_is_a_property_of_the_case():
    loose = _case(Call("f"), rtol=1e-3, atol=1e-5)
    want = np.linspace(-1, 1, 5)
    assert mismatch("h", want.astype(np.float32), want, loose) is None
    assert mismatch("h", want * 1.01, want, loose) is not None


def _toy_tests(monkeypatch):
    """A two-function assignment: `double` uses the helper `inc`."""
    reference = {"inc": lambda x: x + 1, "double": lambda x: 2 * inc_ref(x)}

    def inc_ref(x):
        return x + 1

    monkeypatch.setattr(grading, "reference_functions", lambda assignment: reference)
    monkeypatch.setattr(suite, "reference_functions", lambda assignment: reference)
    cases = lambda: [_case(Call("double", (np.arange(3.0),)))]  # noqa: E731
    inc_cases = lambda: [_case(Call("inc", (np.arange(3.0),)))]  # noqa: E731
    return (Test("test_inc_value", "inc", 1, inc_cases, ("out",), "inc"),
            Test("test_double_value", "double", 2, cases, ("out",), "double", fallback=("inc",)))


def test_a_wrong_helper_is_charged_only_in_its_own_tests(monkeypatch):
    inc_test, double_test = _toy_tests(monkeypatch)
    suite.expected.cache_clear()
    suite.cases.cache_clear()
    monkeypatch.setattr(suite, "find_test",
                        lambda a, name: {t.name: t for t in (inc_test, double_test)}[name])
    namespace: dict = {}
    exec("def inc(x):\n    return x + 2\n\ndef double(x):\n    return 2 * inc(x)\n", namespace)
    run = grading.namespace_runner("toy", namespace)
    assert grading.evaluate("toy", inc_test, run).score == 0
    assert grading.evaluate("toy", double_test, run).score == 2
    exec("def double(x):\n    return 3 * inc(x)\n", namespace)
    result = grading.evaluate("toy", double_test, run)
    assert result.score == 0 and "relative error" in result.message
    suite.expected.cache_clear()
    suite.cases.cache_clear()


def test_broken_notebook_files_give_one_line_errors(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(NotebookError, match=r"bad.ipynb: not valid JSON \(line 1\)$"):
        read_notebook(bad)
    with pytest.raises(NotebookError, match="file not found"):
        read_notebook(tmp_path / "missing.ipynb")
    old = tmp_path / "old.ipynb"
    old.write_text(json.dumps({"cells": [], "nbformat": 3}))
    with pytest.raises(NotebookError, match="nbformat 3, expected 4"):
        read_notebook(old)


def test_solution_markers_are_stripped_but_the_solution_kept():
    source = ("def f(x):\n    ### BEGIN SOLUTION\n    y = x + 1\n"
              "    ### END SOLUTION\n    return y\n")
    assert strip_solution_markers(source) == "def f(x):\n    y = x + 1\n    return y\n"


def test_command_line_errors_are_one_line(capsys):
    from autograder.__main__ import main

    assert main(["grade", "nope", ".", "--out", "/tmp/unused-kit-out"]) == 2
    assert main(["release", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: unknown assignment 'nope' (known: " + ", ".join(ASSIGNMENTS) + ")"] * 2


finite_or_not = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(finite_or_not, finite_or_not), min_size=1, max_size=6),
       st.sampled_from([(1e-7, 0.0), (1e-5, 1e-8), (0.0, 1e-3)]), st.booleans())
def test_mismatch_agrees_with_allclose_on_finite_answers(pairs, tolerance, again):
    """A float output is right exactly when it is all finite and np.allclose to the
    expected value (the fast path and the cache of the expected array's finiteness
    change nothing, also on the second comparison with the same array)."""
    got = np.array([g for g, _ in pairs])
    want = np.array([w for _, w in pairs])
    case = Case("x", (), {}, rtol=tolerance[0], atol=tolerance[1])
    with np.errstate(all="ignore"):
        right = bool(np.isfinite(got).all()) and bool(
            np.allclose(got, want, rtol=tolerance[0], atol=tolerance[1]))
    for _ in range(2 if again else 1):
        assert (mismatch("out", got, want, case) is None) == right
