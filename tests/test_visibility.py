"""Visibility and timing of feedback: Gradescope's four values per test, a course-wide
default, and nothing a student may not see yet in results.json's summary or on the
feedback page."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import layout, suite, visibility
from autograder.cases.common import value_tests, with_visibility
from autograder.grader import report
from autograder.grader.job import Record
from autograder.grader.report import feedback_html, gradescope, summary_text
from autograder.spec import VISIBILITIES, Test
from autograder.verdict import TestResult
from autograder.visibility import BEFORE_DUE, Moment


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _record(tests: list[TestResult]) -> Record:
    return Record("ada", "ada", "graded", sum(t.score for t in tests),
                  sum(t.max_score for t in tests), tests)


def test_a_test_takes_one_of_gradescopes_values_or_the_course_default():
    (test,) = value_tests("f", list, {"out": "values"})
    assert test.visibility is None
    assert visibility.of_test(test) == layout.VISIBILITY == "visible"
    group = with_visibility("after_due_date", value_tests("f", list, {"a": "a", "b": "b"}))
    assert [visibility.of_test(t) for t in group] == ["after_due_date"] * 2
    assert visibility.of_test(test, default="hidden") == "hidden"
    with pytest.raises(ValueError, match="visibility 'later' is not one of"):
        Test("test_f_x", "f", 1.0, list, ("x",), "f: x", visibility="later")
    # every shipped assignment keeps today's behaviour: every test visible at once
    assert set(visibility.for_assignment("rnn").values()) == {"visible"}
    assert {visibility.of_test(t) for t in suite.tests_for("rnn")} == {"visible"}


def test_a_moment_shows_after_due_date_tests_once_the_due_date_passed():
    due = datetime(2025, 3, 7, 23, 59, tzinfo=timezone.utc)
    before = Moment.at(due - timedelta(minutes=1), due)
    after = Moment.at(due + timedelta(minutes=1), due, published=True)
    assert [before.shows(v) for v in VISIBILITIES] == [True, False, False, False]
    assert [after.shows(v) for v in VISIBILITIES] == [True, True, True, False]
    assert not Moment.at(due=None).past_due  # no due date: never past it
    assert BEFORE_DUE == Moment()


TESTS = [
    TestResult("test_f_first", "f", 1.0, 1.0, "f: first values: passed"),
    TestResult("test_f_edge", "f", 0.0, 2.0,
               "f: edge values: out is off (on N=1). Hint: out matches what you get when "
               "the bias is left out"),
    TestResult("test_f_random", "f", 0.0, 1.0, "f: random shapes: out is off (on N=7)"),
    TestResult("test_g_secret", "g", 0.0, 3.0, "g: secret case: h is off (on T=9)"),
]
POLICY = {"test_f_random": "after_due_date", "test_g_secret": "hidden"}


def test_results_json_carries_each_tests_visibility_and_a_summary_of_visible_ones(
        monkeypatch):
    monkeypatch.setattr(report, "for_assignment", lambda assignment: dict(POLICY))
    results = gradescope(_record(TESTS), "rnn")
    assert [t["visibility"] for t in results["tests"]] == [
        "visible", "visible", "after_due_date", "hidden"]
    assert results["stdout_visibility"] == "hidden"
    output = results["output"]
    assert output.splitlines()[0] == "Status: graded. Score on the tests shown now 1 / 3."
    assert "f: 1 / 3 points; first failing test test_f_edge: edge values: out is off" in output
    assert "Hint: out matches what you get when the bias is left out" in output
    assert "1 test is shown after the due date." in output
    assert "1 test is shown to course staff only." in output
    for secret in ("test_f_random", "N=7", "test_g_secret", "T=9", "g: "):
        assert secret not in output
    # without a policy everything shows, as before: the score in full
    monkeypatch.undo()
    plain = gradescope(_record(TESTS))
    assert plain["output"].startswith("Status: graded. Score 1 / 7.")
    assert {t["visibility"] for t in plain["tests"]} == {"visible"}


def test_the_feedback_page_shows_a_test_only_once_its_visibility_allows(monkeypatch):
    monkeypatch.setattr(report, "for_assignment", lambda assignment: dict(POLICY))
    before = _text(feedback_html(_record(TESTS), "rnn"))
    assert "test_f_edge" in before and "bias is left out" in before
    assert "test_f_random" not in before and "N=7" not in before
    assert "test_g_secret" not in before and "T=9" not in before
    assert "1 test is shown after the due date." in before
    assert "Autograded score on the tests shown now 1 / 3" in before
    after = _text(feedback_html(_record(TESTS), "rnn", Moment(past_due=True)))
    assert "test_f_random" in after and "N=7" in after
    assert "test_g_secret" not in after and "1 test is shown to course staff only." in after


TOKEN = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=8, max_size=8).map(
    lambda t: "ZX" + t)


@st.composite
def records(draw) -> tuple[Record, dict[str, str], Moment]:
    count = draw(st.integers(1, 8))
    tokens = draw(st.lists(TOKEN, min_size=3 * count, max_size=3 * count, unique=True))
    tests, policy = [], {}
    for i in range(count):
        function = draw(st.sampled_from(["alpha", "beta", "gamma"]))
        name, reason, hint = (f"test_{function}_{tokens[3 * i]}", tokens[3 * i + 1],
                              tokens[3 * i + 2])
        points = draw(st.sampled_from([0.5, 1.0, 2.0]))
        passed = draw(st.booleans())
        message = f"{function}: {reason}: " + ("passed" if passed else
                                               f"out is off. Hint: {hint}")
        tests.append(TestResult(name, function, points if passed else 0.0, points, message))
        policy[name] = draw(st.sampled_from(VISIBILITIES))
    moment = Moment(past_due=draw(st.booleans()), published=draw(st.booleans()))
    return _record(tests), policy, moment


@settings(max_examples=150, deadline=None)
@given(records())
def test_nothing_not_yet_visible_appears_anywhere_a_student_reads(data):
    record, policy, moment = data
    summary = summary_text(record, policy, BEFORE_DUE)
    original = report.for_assignment
    try:
        report.for_assignment = lambda assignment: dict(policy)  # type: ignore[assignment]
        shown_page = feedback_html(record, "rnn", moment)
        before_due = feedback_html(record, "rnn")
        results = gradescope(record, "rnn")
    finally:
        report.for_assignment = original  # type: ignore[assignment]
    visible_outputs = [t["output"] for t in results["tests"] if t["visibility"] == "visible"]
    for test in record.tests:
        secrets = re.findall(r"ZX[A-Z0-9]{8}", test.name + " " + test.message)
        if not moment.shows(policy[test.name]):
            for secret in secrets:
                assert secret not in shown_page
        if policy[test.name] != "visible":
            for secret in secrets:
                assert secret not in before_due and secret not in results["output"]
                assert not any(secret in output for output in visible_outputs)
        else:
            assert test.name in before_due  # every visible test is in the page's table
    assert summary == results["output"]
