"""The visible checks of every source notebook stop at the first wrong value, and say why.

Two properties, for every assignment:

* statically, no visible or lab cell computes an error or a comparison and then only prints
  or discards it, no printed line asks the student to compare by eye ("should be ..."), and
  no `assert` lacks a message;
* dynamically, the visible check cell of a function raises AssertionError whose message
  starts with the function's name when that function is wrong (every mistake of the
  catalog, and an implementation that returns zeros), while every visible cell before it
  still passes: Run All stops at the function that needs attention, not later.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from autograder.layout import available_assignments, source_notebook
from autograder.mutants import Mutant, for_function
from autograder.namespaces import make_shipped_layers_importable
from autograder.notebooks import (
    answer_cells,
    cell_source,
    grade_meta,
    python_source,
    read_notebook,
    strip_solution_markers,
)

ASSIGNMENTS = available_assignments()

# Calls whose result is an error or a comparison: computing one is only useful if a check
# (assert, a raising if, a checker call) looks at it.
PRODUCERS = {"rel_error", "gradient_report", "allclose", "isclose", "array_equal",
             "array_equiv", "grad_check_sparse"}

# Catalog mistakes that a visible check cannot see, with the reason. Each is still caught by
# the hidden tests (`python -m autograder verify` proves it), and the notebooks state the
# contracts they break. A visible check is one small case; its `check_contracts` call (first
# in the cell) catches writes into inputs (also undone ones), returned inputs and outputs
# that are not float32 for float32 inputs, so none of those mistakes is listed here.
SIZE_ONE = "the visible case has no axis of length one; the hidden edge shapes do"
ALIASED = ("a cache that holds the returned array is only wrong once the caller changes it; "
           "the hidden earlier-cache tests do")
EMPTY_ROWS = "the visible case has no all-<NULL> row; the hidden mask cases do"
INVISIBLE: dict[str, str] = {
    "rnn_gradient_norms/squeezed_state": SIZE_ONE,
    "word_embedding_forward/squeezed": SIZE_ONE,
    "word_embedding_backward/squeezed": SIZE_ONE,
    "temporal_affine_forward/squeezed": SIZE_ONE,
    "temporal_affine_forward/caches_output": ALIASED,
    "temporal_softmax_loss/divides_by_nonempty_rows": EMPTY_ROWS,
    "char_lm_loss/rnn_state_squeezed": SIZE_ONE,
}


# ------------------------------------------------------------------------- notebook cells


def _visible_function(cell: dict[str, Any], functions: set[str]) -> str | None:
    """The graded function a locked test_<function>_<what> cell checks, if it is one."""
    grade_id = str(grade_meta(cell).get("grade_id", ""))
    if cell.get("cell_type") != "code" or grade_meta(cell).get("grade"):
        return None
    return next((f for f in sorted(functions, key=len, reverse=True)
                 if grade_id.startswith(f"test_{f}_")), None)


def checked_cells(notebook: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(label, source) of every code cell a student runs that is neither an answer cell nor a
    hidden test: setup, helpers, visible checks and labs."""
    answers = set(answer_cells(notebook))
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code" or grade_meta(cell).get("grade"):
            continue
        if grade_meta(cell).get("grade_id") in answers:
            continue
        label = str(grade_meta(cell).get("grade_id") or f"cell {index}")
        yield label, python_source(cell_source(cell))


# ------------------------------------------------------------------- the static check


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return None


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Raise) for stmt in body for n in ast.walk(stmt))


def checker_functions(tree: ast.Module) -> set[str]:
    """Functions defined here that raise AssertionError (directly or by an assert)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                raised = isinstance(inner, ast.Raise) and "AssertionError" in ast.unparse(inner)
                if raised or (isinstance(inner, ast.Assert) and inner.msg is not None):
                    found.add(node.name)
                    break
    return found


def unchecked(source: str, checkers: frozenset[str] = frozenset()) -> list[str]:
    """What in `source` computes an error or a comparison that no check looks at.

    A producer call (rel_error, np.allclose, gradient_report, ...) or a comparison is
    checked when it sits in the test of an assert, in the test of an `if` whose body
    raises, in a raised exception (its message), in the arguments of a checker (a function
    that raises AssertionError), or in the value of an assignment to a name that is itself
    checked, transitively. Besides
    those, an assert without a message and a print that asks for a comparison by eye
    ("should be ...") are reported too.
    """
    tree = ast.parse(source)
    checkers = set(checkers) | checker_functions(tree)
    producers = set(PRODUCERS)
    # A function that returns a producer's value is a producer too.
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name not in checkers:
            for inner in ast.walk(node):
                if (isinstance(inner, ast.Return) and inner.value is not None
                        and any(_call_name(n) in producers for n in ast.walk(inner.value))):
                    producers.add(node.name)
    checked_nodes: set[int] = set()
    checked_names: set[str] = set()

    def mark(node: ast.AST) -> None:
        for inner in ast.walk(node):
            checked_nodes.add(id(inner))
        checked_names.update(_names(node))

    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            mark(node.test)
            if node.msg is None:
                problems.append(f"line {node.lineno}: assert without a message")
        elif isinstance(node, ast.If) and _raises(node.body):
            mark(node.test)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            mark(node.exc)  # what a failure message reports is looked at
        elif _call_name(node) in checkers:
            mark(node)
    assignments = [n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AugAssign,
                                                                ast.AnnAssign, ast.For))]
    changed = True
    while changed:  # names flow backwards from a check into what they were computed from
        changed = False
        for node in assignments:
            targets = (node.targets if isinstance(node, ast.Assign) else [node.target])
            value = node.iter if isinstance(node, ast.For) else node.value
            if value is None or id(value) in checked_nodes:
                continue
            if any(_names(t) & checked_names for t in targets):
                mark(value)
                changed = True
    for node in ast.walk(tree):
        name = _call_name(node)
        if name in producers and id(node) not in checked_nodes:
            problems.append(f"line {node.lineno}: {name}(...) is computed but never checked")
        if name == "print":
            for arg in ast.walk(node):
                if isinstance(arg, ast.Compare) and id(arg) not in checked_nodes:
                    problems.append(f"line {node.lineno}: a comparison is printed, not checked")
                if (isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                        and re.search(r"\bshould\b", arg.value)):
                    problems.append(f"line {node.lineno}: a printed expectation "
                                    f"({arg.value.strip()[:40]!r}) is left to the eye")
    return problems


def notebook_problems(notebook: dict[str, Any]) -> list[str]:
    cells = list(checked_cells(notebook))
    checkers: set[str] = set()
    for _, source in cells:
        checkers |= checker_functions(ast.parse(source))
    return [f"{label}: {problem}" for label, source in cells
            for problem in unchecked(source, frozenset(checkers))]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_visible_cell_computes_an_error_without_checking_it(assignment):
    problems = notebook_problems(read_notebook(source_notebook(assignment)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_a_visible_check(assignment):
    notebook = read_notebook(source_notebook(assignment))
    functions = set(answer_cells(notebook))
    covered = {_visible_function(c, functions) for c in notebook["cells"]}
    assert functions <= covered, sorted(functions - covered)


# The static check must be able to fail: the patterns the rnn notebook used to have.
PRINT_ONLY = [
    'print("next_h max rel error: %.1e" % rel_error(next_h, expected), "(should be below 1e-8)")',
    "err = rel_error(h, expected)\nprint(err)",
    "gradient_report({'dx': (num, dx)}, threshold=1e-7)",
    'print("same hidden states:", np.allclose(h, full_h))',
    'print("||dx[:, 0]|| =", np.linalg.norm(dx), "(should be clearly nonzero)")',
    "assert rel_error(a, b) < 1e-8",
    "def err(a, b):\n    return rel_error(a, b)\nprint(err(x, y))",
]
CHECKED = [
    'assert rel_error(a, b) < 1e-8, "f: a differs"',
    'err = rel_error(a, b)\nassert err < 1e-8, f"f: a differs ({err:.1e})"',
    'ok = gradient_report(checks)\nassert ok, "f: gradients"',
    'if not np.allclose(a, b):\n    raise AssertionError("f: a differs")',
    'def check(a, b):\n    if rel_error(a, b) > 1e-8:\n        raise AssertionError("f")\n'
    'check(a, b)',
    'errors = {k: rel_error(*v) for k, v in pairs.items()}\n'
    'failed = [k for k, e in errors.items() if e > 1e-7]\nassert not failed, "f: failed"',
    'for t in range(T):\n    final = h if t == T - 1 else g(t)',
]


@pytest.mark.parametrize("source", PRINT_ONLY)
def test_the_static_check_finds_values_that_are_only_printed(source):
    assert unchecked(source)


@pytest.mark.parametrize("source", CHECKED)
def test_the_static_check_accepts_values_that_are_checked(source):
    assert not unchecked(source)


# ---------------------------------------------------------------- running the visible cells


def _plan(notebook: dict[str, Any], function: str) -> list[tuple[str, str, str]]:
    """(kind, label, source) of the cells a student runs up to `function`'s visible checks.

    kind is "answer" for an answer cell (solution markers removed), "check" for the visible
    checks of `function`, "cell" for every other locked ungraded cell before them (setup,
    helpers, the visible checks of earlier functions). Lab cells, markdown and hidden tests
    are left out: no visible check relies on them.
    """
    functions = set(answer_cells(notebook))
    plan: list[tuple[str, str, str]] = []
    for cell in notebook["cells"]:
        meta = grade_meta(cell)
        if cell.get("cell_type") != "code" or not meta or meta.get("grade"):
            continue
        grade_id, source = str(meta.get("grade_id")), python_source(cell_source(cell))
        if grade_id in functions:
            plan.append(("answer", grade_id, strip_solution_markers(source)))
        elif _visible_function(cell, functions) == function:
            plan.append(("check", grade_id, source))
        elif meta.get("locked"):
            plan.append(("cell", grade_id, source))
    last = max(i for i, (kind, _, _) in enumerate(plan) if kind == "check")
    return plan[:last + 1]


def run_visible_checks(assignment: str, notebook: dict[str, Any], function: str,
                       answer: str | None = None,
                       wrap: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
                       ) -> BaseException | None:
    """Run the cells of `_plan` with `function`'s answer replaced (or wrapped); return what
    the visible checks of `function` raised (None if they pass).

    Any exception in an earlier cell is a test error: it would stop Run All before the
    function's own check.
    """
    make_shipped_layers_importable(assignment)
    namespace: dict[str, Any] = {"__name__": f"visible_{assignment}"}
    with contextlib.redirect_stdout(io.StringIO()):
        for kind, label, source in _plan(notebook, function):
            if kind == "answer" and label == function and answer is not None:
                source = answer
            code = compile(source, f"<{assignment} {label}>", "exec")
            if kind != "check":
                exec(code, namespace)
                if kind == "answer" and label == function and wrap is not None:
                    namespace[function] = wrap(namespace[function])
                continue
            try:
                exec(code, namespace)
            except Exception as err:  # the checks' verdict, judged by the caller
                return err
    return None


def _zeros(value: Any) -> Any:
    """`value` with every number zeroed (arrays, floats, the arrays of a dict), '' for text;
    anything else (a cache) is left alone."""
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, float):
        return 0.0
    if isinstance(value, str):
        return ""
    if isinstance(value, dict):
        return {k: _zeros(v) for k, v in value.items()}
    return value


def returns_zeros(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrong(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        return tuple(_zeros(v) for v in out) if isinstance(out, tuple) else _zeros(out)
    return wrong


def _functions(assignment: str) -> list[str]:
    return list(answer_cells(read_notebook(source_notebook(assignment))))


def _assert_stops_with_its_name(error: BaseException | None, function: str, what: str) -> None:
    assert error is not None, f"{what}: the visible checks of {function} pass"
    assert isinstance(error, AssertionError), (
        f"{what}: the visible checks of {function} raised {type(error).__name__}: {error}")
    message = str(error)
    assert message.startswith(function), f"{what}: the message does not name {function}: {message}"
    assert len(message.splitlines()[0]) > len(function) + 20, f"{what}: no explanation: {message}"


@pytest.mark.parametrize("assignment,function",
                         [(a, f) for a in ASSIGNMENTS for f in _functions(a)])
def test_the_solution_passes_every_visible_check(assignment, function):
    notebook = read_notebook(source_notebook(assignment))
    error = run_visible_checks(assignment, notebook, function)
    assert error is None, f"{function}: {type(error).__name__}: {error}"


@pytest.mark.parametrize("assignment,function",
                         [(a, f) for a in ASSIGNMENTS for f in _functions(a)])
def test_a_function_returning_zeros_stops_at_its_own_visible_check(assignment, function):
    notebook = read_notebook(source_notebook(assignment))
    error = run_visible_checks(assignment, notebook, function, wrap=returns_zeros)
    _assert_stops_with_its_name(error, function, "returning zeros")


def _mutants(assignment: str) -> list[Mutant]:
    return [m for f in _functions(assignment) for m in for_function(assignment, f)
            if m.key not in INVISIBLE]


@pytest.mark.parametrize("mutant", [m for a in ASSIGNMENTS for m in _mutants(a)],
                         ids=lambda m: f"{m.assignment}:{m.key}")
def test_every_catalog_mistake_stops_at_its_own_visible_check(mutant):
    notebook = read_notebook(source_notebook(mutant.assignment))
    error = run_visible_checks(mutant.assignment, notebook, mutant.function,
                               answer=mutant.source())
    _assert_stops_with_its_name(error, mutant.function, mutant.key)


def test_a_missing_bias_is_reported_at_rnn_step_forward():
    """The issue's own example: the step forward's visible test names the bias."""
    from autograder.mutants import find_mutant

    mutant = find_mutant("rnn", "rnn_step_forward/no_bias")
    error = run_visible_checks("rnn", read_notebook(source_notebook("rnn")),
                               "rnn_step_forward", answer=mutant.source())
    _assert_stops_with_its_name(error, "rnn_step_forward", mutant.key)
    assert "next_h" in str(error) and "bias b" in str(error)


def test_gradient_norms_show_expected_and_got_side_by_side():
    from autograder.mutants import find_mutant

    mutant = find_mutant("rnn", "rnn_gradient_norms/mean_over_batch")
    error = run_visible_checks("rnn", read_notebook(source_notebook("rnn")),
                               "rnn_gradient_norms", answer=mutant.source())
    lines = str(error).splitlines()
    assert [line.split()[0] for line in lines[1:3]] == ["expected", "got"], str(error)
    assert len(lines[1].split()) == len(lines[2].split()) == 6  # the label and T = 5 values


def _first_check_lines(source: str) -> tuple[int | None, int | None]:
    """(line of the first check_contracts call, line of the first other check) in `source`:
    an assert, a raise, or a call to check_close / check_equal / check_gradients."""
    contracts, other = None, None
    for node in ast.walk(ast.parse(source)):
        name = _call_name(node)
        line = getattr(node, "lineno", None)
        if name == "check_contracts":
            contracts = line if contracts is None else min(contracts, line)
        elif (isinstance(node, (ast.Assert, ast.Raise))
              or name in {"check_close", "check_equal", "check_gradients"}):
            other = line if other is None else min(other, line)
    return contracts, other


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_visible_check_starts_with_the_contracts(assignment):
    """An in-place write of an upstream gradient makes every value and gradient check fail
    with misleading hints, so the contracts are checked before anything else."""
    notebook = read_notebook(source_notebook(assignment))
    functions = set(answer_cells(notebook))
    late = []
    for cell in notebook["cells"]:
        function = _visible_function(cell, functions)
        if function is None:
            continue
        contracts, other = _first_check_lines(python_source(cell_source(cell)))
        if contracts is None or (other is not None and other < contracts):
            late.append(function)
    assert not late, f"check_contracts is missing or not first in the visible checks of {late}"
