"""Correct solutions written differently keep full marks through the grader.

Each module in tests/alternatives/ holds answer cells written another way than the
reference: other cache layouts (dicts, other tuple orders, caches stored last step first),
loops instead of vectorised code (over the batch, over (n, t)), einsum, a different
algorithm (one backward sweep for the gradient norms), and other legal dtype handling
(float64 accumulation cast back, arrays made with the inputs' dtype in other ways).
Graded like the hidden-test cells grade a submission, every hidden test must pass.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder.course import with_answers
from autograder.layout import source_notebook
from autograder.notebooks import read_notebook
from autograder.solutions import solution_sources
from autograder.verify.mutation import grade_in_process

ALTERNATIVES = Path(__file__).parent / "alternatives"
SETS = {"rnn_dict_caches": "rnn", "lstm_other_layouts": "lstm", "char_lm_loops": "char_lm"}


def answer_cells(path: Path) -> dict[str, str]:
    """Function name -> its source, for every top-level function of `path`."""
    text = path.read_text(encoding="utf-8")
    return {node.name: str(ast.get_source_segment(text, node))
            for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("name", sorted(SETS))
def test_a_differently_written_correct_solution_keeps_full_marks(name):
    assignment = SETS[name]
    alternative = answer_cells(ALTERNATIVES / f"{name}.py")
    solution = solution_sources(assignment)
    assert alternative and set(alternative) <= set(solution)
    assert all(alternative[f] != solution[f] for f in alternative)
    notebook = with_answers(read_notebook(source_notebook(assignment)),
                            solution | alternative)
    results = grade_in_process(notebook, assignment)
    wrong = [r.message for r in results if not r.passed]
    assert not wrong, wrong
    assert {r.function for r in results} >= set(alternative)


def test_the_same_alternative_with_a_dtype_slip_loses_the_dtype_tests():
    alternative = answer_cells(ALTERNATIVES / "rnn_dict_caches.py")
    slipped = alternative["rnn_step_backward"].replace(
        "db = np.zeros(da.shape[1], dtype=da.dtype)", "db = np.zeros(da.shape[1])")
    assert slipped != alternative["rnn_step_backward"]
    notebook = with_answers(read_notebook(source_notebook("rnn")), solution_sources("rnn")
                            | alternative | {"rnn_step_backward": slipped})
    lost = {r.name for r in grade_in_process(notebook, "rnn") if not r.passed}
    # rnn_backward inherits the float64 db from its helper. The retry that would credit it
    # swaps in the reference rnn_forward, whose cache this rnn_backward cannot read (a dict
    # layout): a helper's slip under a non-reference cache layout is charged twice.
    assert "test_rnn_step_backward_dtype" in lost
    assert lost <= {"test_rnn_step_backward_dtype", "test_rnn_backward_dtype"}
