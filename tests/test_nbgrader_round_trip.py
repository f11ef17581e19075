"""Every assignment through stock nbgrader: generate, release, submit, autograde.

Three students per assignment: the solution (full marks), the blank release (zero, and the
run does not break), and the solution with one catalog mistake in one function (points lost
in that function's tests only, partial credit elsewhere in them). The hidden-test cells run
in nbgrader's own kernel, so this is the trusted path of docs/grader.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from autograder.course import Course, release_files, solution_submission, with_answers
from autograder.layout import ASSIGNMENTS, SHIPPED_LAYERS, layer_module, source_notebook
from autograder.mutants import find_mutant
from autograder.notebooks import HIDDEN_BEGIN, read_notebook
from autograder.solutions import solution_sources
from autograder.suite import tests_for as hidden_tests
from autograder.verify.leaks import release_leaks


@dataclass(frozen=True)
class Trip:
    mistake: str                       # catalog key: <function>/<name>
    must_lose: tuple[str, ...] = ()    # tests the mistake must cost
    must_keep: tuple[str, ...] = ()    # tests of the same function it must not cost


TRIPS = {
    "rnn": Trip("rnn_backward/no_carry", ("test_rnn_backward_through_time_dx",)),
    "lstm": Trip("lstm_step_backward/dprev_c_no_forget", ("test_lstm_step_backward_dprev_c",),
                 ("test_lstm_step_backward_dWx",)),
    "char_lm": Trip("word_embedding_backward/fancy_add"),
    "captioning": Trip("dot_product_attention_backward/no_scale"),
    "seq2seq": Trip("additive_attention_forward/mask_after_softmax"),
}


def test_every_assignment_makes_the_trip():
    assert set(TRIPS) == set(ASSIGNMENTS)


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    assignment = request.param
    course = Course(tmp_path_factory.mktemp(assignment))
    release_path = course.generate(assignment)
    release_files(assignment, release_path.parent)
    release = json.loads(release_path.read_text(encoding="utf-8"))
    mutant = find_mutant(assignment, TRIPS[assignment].mistake)
    course.submit(assignment, "solution", solution_submission(release, assignment))
    course.submit(assignment, "blank", release)
    course.submit(assignment, "one_mistake",
                  with_answers(solution_submission(release, assignment),
                               {mutant.function: mutant.source()}))
    # Only the test cells: formgrader keeps the written answers for manual grading.
    names = {test.name for test in hidden_tests(assignment)}
    scores = {student: {name: score for name, score in grades.items() if name in names}
              for student, grades in course.autograde(assignment).items()}
    return assignment, release_path, scores


def test_release_has_stubs_but_no_solutions_or_hidden_tests(graded):
    assignment, release_path, _ = graded
    text = release_path.read_text(encoding="utf-8")
    checked, leaked = release_leaks(read_notebook(source_notebook(assignment)), json.loads(text))
    assert checked > 30 and not leaked, leaked[:3]
    assert text.count("raise NotImplementedError()") == len(solution_sources(assignment))
    assert "### BEGIN SOLUTION" not in text
    assert HIDDEN_BEGIN not in text and "run_test" not in text
    assert "YOUR ANSWER HERE" in text   # written answers are blanked too


def test_release_ships_earlier_layers_but_none_of_its_own(graded):
    assignment, release_path, _ = graded
    folder = release_path.parent
    for earlier in SHIPPED_LAYERS.get(assignment, ()):
        assert (folder / f"{layer_module(earlier)}.py").is_file(), earlier
    assert not (folder / f"{layer_module(assignment)}.py").exists()
    shipped = "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.py"))
    for function in solution_sources(assignment):
        assert not re.search(rf"def {function}\b", shipped), function


def test_solution_gets_full_autograded_points(graded):
    assignment, _, scores = graded
    assert scores["solution"] == {test.name: test.points for test in hidden_tests(assignment)}


def test_blank_release_scores_zero_without_breaking_the_run(graded):
    assignment, _, scores = graded
    assert set(scores["blank"]) == {test.name for test in hidden_tests(assignment)}
    assert sum(scores["blank"].values()) == 0


def test_one_mistake_loses_points_only_in_its_own_function(graded):
    assignment, _, scores = graded
    trip = TRIPS[assignment]
    function = trip.mistake.split("/")[0]
    lost = {name for name, score in scores["one_mistake"].items()
            if score < scores["solution"][name]}
    assert lost and all(name.startswith(f"test_{function}_") for name in lost), lost
    assert set(trip.must_lose) <= lost
    assert not set(trip.must_keep) & lost
