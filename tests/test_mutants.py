"""The mistake catalog: patches apply, mutants are caught, hints reach the student."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import autograder.mutants as mutants
from autograder import suite
from autograder.course import Course, solution_submission
from autograder.fingerprints import diagnose, matching_mutants, mutant_outputs
from autograder.layout import available_assignments, source_notebook
from autograder.mutants import (
    MIN_MUTANTS,
    Mutant,
    MutantError,
    apply_patch,
    catalog,
    check_catalog,
    find_mutant,
    for_function,
    mutant_source,
)
from autograder.notebooks import read_notebook
from autograder.solutions import solution_sources
from autograder.suite import cases_with_expected, find_test
from autograder.verify.mutation import grade_in_process, mutant_submission

ASSIGNMENTS = [a for a in available_assignments() if catalog(a)]
FIRST_PER_FUNCTION = [(a, for_function(a, f)[0]) for a in ASSIGNMENTS
                      for f in solution_sources(a) if for_function(a, f)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_four_mutants_that_apply(assignment):
    assert check_catalog(assignment) == catalog(assignment)  # raises if one does not apply
    for function in solution_sources(assignment):
        mutants = for_function(assignment, function)
        assert len(mutants) >= MIN_MUTANTS, f"{function} has {len(mutants)} mutants"
        for mutant in mutants:
            source = mutant_source(assignment, mutant)
            assert source != solution_sources(assignment)[function]
            assert mutant.source() == source and mutant.assignment == assignment


@pytest.mark.parametrize("assignment,mutant", FIRST_PER_FUNCTION,
                         ids=lambda v: v.key if isinstance(v, Mutant) else v)
def test_a_mutant_of_each_function_is_caught_there_with_its_hint(assignment, mutant):
    submission = mutant_submission(read_notebook(source_notebook(assignment)), assignment,
                                   mutant)
    failing = [r for r in grade_in_process(submission, assignment) if not r.passed]
    assert failing, f"{mutant.key} scores full points"
    assert {r.function for r in failing} == {mutant.function}
    assert all(mutant.hint in r.message for r in failing)
    assert all(re.search("match(es)? what you get when", r.message) for r in failing)


def test_patch_that_no_longer_applies_fails_in_one_line():
    stale = Mutant("rnn_backward", "stale", "never shown", [("this text is not there", "x")])
    with pytest.raises(MutantError) as caught:
        mutant_source("rnn", stale)
    message = str(caught.value)
    assert "\n" not in message
    assert "rnn_backward/stale" in message and "not found" in message


def test_ambiguous_patch_is_refused():
    twice = Mutant("f", "twice", "hint", [("a", "b")])
    with pytest.raises(MutantError, match="found 2 times"):
        apply_patch("a + a", twice)


def test_patch_that_breaks_the_syntax_is_refused():
    source = solution_sources("rnn")["rnn_forward"]
    first_line = source.splitlines()[0]
    broken = Mutant("rnn_forward", "broken", "hint", [(first_line, first_line + " (")])
    with pytest.raises(MutantError, match="not valid Python"):
        mutant_source("rnn", broken)


def test_diagnose_names_the_mutant_and_nothing_else():
    test = find_test("rnn", "test_rnn_backward_dWh")
    case, want = cases_with_expected("rnn", test)[1]
    assert diagnose("rnn", test, case, want) is None  # correct outputs: no mistake to name
    noisy = dict(want) | {"dWh": want["dWh"] + 0.5}
    assert diagnose("rnn", test, case, noisy) is None  # wrong, but not a catalog mistake
    assert diagnose("rnn", test, case, None) is None  # the student's code raised
    no_carry = find_mutant("rnn", "rnn_backward/no_carry")
    theirs = mutant_outputs("rnn", no_carry, test, case)
    assert not np.allclose(theirs["dWh"], want["dWh"])
    hint = diagnose("rnn", test, case, theirs)
    assert hint == f"dWh matches what you get when {no_carry.hint}"
    assert matching_mutants("rnn", test, case, theirs) == [no_carry]


def test_diagnose_survives_a_stale_catalog(monkeypatch):
    stale = Mutant("rnn_backward", "stale", "never", [("not in the solution", "x")])
    monkeypatch.setattr(mutants, "catalog", lambda assignment: (stale,))
    test = find_test("rnn", "test_rnn_backward_dWh")
    case, want = cases_with_expected("rnn", test)[1]
    assert diagnose("rnn", test, case, dict(want) | {"dWh": want["dWh"] * 2}) is None


def test_hint_appears_in_the_stock_autograded_notebook(tmp_path):
    mutant = find_mutant("rnn", "rnn_backward/no_carry")
    course = Course(tmp_path)
    release = json.loads(course.generate("rnn").read_text(encoding="utf-8"))
    course.submit("rnn", "ben", mutant_submission(release, "rnn", mutant))
    course.submit("rnn", "ada", solution_submission(release, "rnn"))
    tests = {t.name: t.points for t in suite.tests_for("rnn")}
    scores = course.autograde("rnn")
    assert sum(scores["ada"].get(name, 0) for name in tests) == sum(tests.values())
    lost = {name for name in tests if scores["ben"].get(name) == 0}
    assert lost and all(name.startswith("test_rnn_backward_") for name in lost)
    graded = json.loads((tmp_path / "autograded" / "ben" / "rnn" / "rnn.ipynb").read_text())
    errors = {}
    for cell in graded["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors[grade_id] = output["evalue"]
    assert {name for name in errors if name in tests} == lost  # visible tests may fail too
    for name in lost:
        pattern = f"match(es)? what you get when {re.escape(mutant.hint)}"
        assert re.search(pattern, errors[name]), errors[name]
