"""The student's feedback page: summary per function, written-answer notice, wording."""

from __future__ import annotations

import html
import re

import numpy as np

from autograder.compare import mismatch
from autograder.grader.job import Record
from autograder.grader.report import feedback_html, split_hint, summarise, written_answers
from autograder.layout import source_notebook
from autograder.notebooks import grade_meta, read_notebook
from autograder.spec import Case, unchanged_key
from autograder.verdict import TestResult


def _record(tests: list[TestResult], student: str = "ada", status: str = "graded") -> Record:
    return Record(student, student, status, sum(t.score for t in tests),
                  sum(t.max_score for t in tests), tests)


TESTS = [
    TestResult("test_f_out", "f", 1.0, 1.0, "f: out values: passed"),
    TestResult("test_f_dx", "f", 0.0, 2.0,
               "f: gradient dx: dx is off: max relative error 1.0e+00 (on N=1). "
               "Hint: dx matches what you get when the tanh is left out"),
    TestResult("test_f_db", "f", 0.0, 1.0, "f: gradient db: db is off (on N=2)"),
    TestResult("test_g_h", "g", 3.0, 3.0, "g: h: passed"),
]


def _text(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_summary_gives_points_and_the_first_failure_per_function():
    summary = summarise(TESTS)
    assert [(s.function, s.score, s.max_score) for s in summary] == [("f", 1, 4), ("g", 3, 3)]
    assert summary[0].first_failure is TESTS[1]
    assert summary[1].first_failure is None


def test_the_summary_comes_before_the_table_and_shows_the_hint():
    page = feedback_html(_record(TESTS), "rnn")
    text = _text(page)
    assert text.index("By function") < text.index("Every test")
    summary = text[text.index("By function"):text.index("Every test")]
    assert "1 of 2 fully correct" in summary
    assert "f 1 / 4 points" in summary and "g 3 / 3 points" in summary
    assert "First failing test test_f_dx : gradient dx: dx is off" in summary
    assert "Hint: dx matches what you get when the tanh is left out" in summary
    assert "test_f_db" not in summary  # only the first failure of each function
    assert "All tests passed." in summary
    assert '<meta name="viewport"' in page and "max-width" in page


def test_written_answers_notice_states_the_points_from_the_notebook():
    expected = sum(float(grade_meta(c).get("points", 0))
                   for c in read_notebook(source_notebook("rnn"))["cells"]
                   if grade_meta(c).get("grade") and grade_meta(c).get("solution"))
    assert expected > 0
    count, points = written_answers("rnn")
    assert points == expected and count > 0
    record = _record(TESTS)
    text = _text(feedback_html(record, "rnn"))
    assert (f"Written answers ({expected:g} points, {count} questions) are graded by hand "
            f"and are not included in this score yet") in text
    assert f"out of {record.max_score + expected:g}" in text


def test_written_answers_notice_without_a_source_notebook():
    text = _text(feedback_html(_record(TESTS), "no_such_assignment"))
    assert "Written answers, if the assignment has any, are graded by hand" in text


def test_a_page_with_no_tests_has_no_summary():
    text = _text(feedback_html(_record([], status="missing notebook"), "rnn"))
    assert "By function" not in text and "missing notebook" in text


def test_student_text_in_the_summary_is_neutralised():
    evil = "\x1b[31m<script>alert(1)</script>\u202e"
    tests = [TestResult("test_f_x", "f", 0.0, 1.0, f"f: x: {evil}. Hint: {evil}")]
    page = feedback_html(_record(tests, student=evil), "rnn")
    assert "<script>" not in page and "\x1b" not in page and "\u202e" not in page
    assert "\\x1b[31m&lt;script&gt;" in page and "\\u202e" in page


def test_split_hint_takes_the_last_hint():
    assert split_hint("a. Hint: b. Hint: c") == ("a. Hint: b", "c")
    assert split_hint("no hint here") == ("no hint here", None)


def test_an_input_modified_in_place_is_not_called_a_relative_error():
    case = Case("a case", (), {})
    message = mismatch(unchanged_key("clip_grad_norm"), np.array(0.0), np.array(1.0), case)
    assert message == ("clip_grad_norm modified an input array in place or returned an input "
                       "array itself")
    assert mismatch(unchanged_key("clip_grad_norm"), np.array(1.0), np.array(1.0), case) is None
