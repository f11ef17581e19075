"""Deadlines: the late policy's arithmetic, hostile submission times, and the late columns
of grades.csv, the feedback line and the gradebook."""

from __future__ import annotations

import csv
import json
import os
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.grader.collect import Found
from autograder.grader.late import (
    TIMES_FILE,
    Course,
    LatePolicy,
    PolicyError,
    Timing,
    late_cells,
    parse_time,
    read_timestamp,
    submission_times,
)
from autograder.release import DUE_DATES_FILE

UTC = timezone.utc
DUE = datetime(2025, 3, 7, 23, 59, tzinfo=UTC)
NOW = datetime(2025, 6, 1, tzinfo=UTC)

policies = st.builds(LatePolicy, grace=st.timedeltas(timedelta(0), timedelta(days=3)),
                     per_day=st.floats(0, 1), cap=st.floats(0, 1),
                     of=st.sampled_from(["score", "max_score"]))
lateness = st.timedeltas(timedelta(days=-30), timedelta(days=400))
scores = st.tuples(st.floats(0, 100), st.floats(0, 100)).map(lambda s: (min(s), max(s)))


@given(policies, lateness, lateness, scores)
def test_the_penalty_grows_with_lateness_and_stays_within_the_score_and_cap(
        policy, first, second, score_max):
    score, max_score = score_max
    early, late = sorted((first, second))
    days = [policy.late_days(DUE + d, DUE) for d in (early, late)]
    assert 0 <= days[0] <= days[1]
    penalties = [policy.penalty(score, max_score, d) for d in days]
    assert penalties[0] <= penalties[1] + 1e-12
    for penalty in penalties:
        assert 0 <= penalty <= score
        base = score if policy.of == "score" else max_score
        assert penalty <= policy.cap * base + 1e-9
        assert score - penalty >= 0


@given(policies, st.timedeltas(timedelta(0), timedelta(days=3)))
def test_the_grace_period_is_on_time(policy, late):
    if late <= policy.grace:
        assert policy.late_days(DUE + late, DUE) == 0
    elif late > timedelta(0):
        assert policy.late_days(DUE + late, DUE) == -(-late // timedelta(days=1))


@given(policies, st.timedeltas(timedelta(0), timedelta(days=20)), lateness, scores)
def test_an_extension_moves_the_deadline_later_and_never_costs(policy, extra, late,
                                                               score_max):
    score, max_score = score_max
    plain = Course(DUE, {}, policy)
    extended = Course(DUE, {"alice": DUE + extra}, policy)
    assert extended.deadline("alice", "alice") == DUE + extra
    assert extended.deadline("bob", "bob") == DUE
    timing = Timing(DUE + late)
    before = plain.assess("alice", "alice", score, max_score, timing)
    after = extended.assess("alice", "alice", score, max_score, timing)
    assert after.penalty <= before.penalty and after.adjusted >= before.adjusted
    assert after.late_days is not None and after.late_days <= (before.late_days or 0)


def test_a_worked_example():
    policy = LatePolicy.from_json({"grace_minutes": 15, "per_day": 0.1, "cap": 0.3})
    course = Course(DUE, {}, policy)
    on_time = course.assess("a", "a", 30, 37.5, Timing(DUE + timedelta(minutes=10)))
    assert (on_time.late_days, on_time.penalty, on_time.adjusted) == (0, 0, 30)
    two = course.assess("a", "a", 30, 37.5, Timing(DUE + timedelta(days=1, hours=1)))
    assert (two.late_days, two.penalty, two.adjusted) == (2, pytest.approx(6), 24)
    week = course.assess("a", "a", 30, 37.5, Timing(DUE + timedelta(days=7)))
    assert week.penalty == pytest.approx(9)  # capped at 30 %
    assert "2 days late" in (two.line(37.5) or "") and "24 / 37.5" in (two.line(37.5) or "")
    assert late_cells(two, 30)[1:] == ["2", "6", "24"]
    of_max = LatePolicy.from_json({"per_day": 0.5, "of": "max_score"})
    assert of_max.penalty(10, 40, 2) == 10  # never below zero


@pytest.mark.parametrize("bad", [[], {"per_day": -1}, {"cap": 2}, {"per_day": "x"},
                                 {"grace": 5}, {"of": "mean"}, {"per_day": float("nan")}])
def test_a_broken_policy_is_one_clear_line(bad):
    with pytest.raises(PolicyError) as err:
        LatePolicy.from_json(bad)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text, expected", [
    ("2025-03-07 22:10:05.123456 UTC", datetime(2025, 3, 7, 22, 10, 5, 123456, UTC)),
    ("2025-03-07 22:10:05 +0100", datetime(2025, 3, 7, 21, 10, 5, tzinfo=UTC)),
    ("2025-03-07T22:10:05-05:00", datetime(2025, 3, 8, 3, 10, 5, tzinfo=UTC)),
    ("2025-03-07 22:10:05 Europe/Paris", datetime(2025, 3, 7, 21, 10, 5, tzinfo=UTC)),
    ("2025-03-07 22:10:05", datetime(2025, 3, 7, 22, 10, 5, tzinfo=UTC)),  # nbgrader: UTC
])
def test_nbgrader_timestamps_and_time_zones(text, expected):
    assert parse_time(text, naive_utc=True) == expected


HOSTILE = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.sampled_from([b"9999-12-31 23:59:59 UTC", b"2999-01-01T00:00Z", b"",
                     b"2025-03-07 22:10:05 Mars/Olympus", b"2025-02-30 10:00 UTC",
                     b"2025-03-07 22:10:05 +9999", b"0001-01-01T00:00-23:59",
                     b"\xff\xfe2\x00", b"2025-03-07" * 100, b"\x1b[2J=cmd|' /C calc'!A0"]))


@settings(max_examples=150, deadline=None)
@given(HOSTILE)
def test_hostile_timestamp_files_become_one_line_notes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("ts") / "timestamp.txt"
    path.write_bytes(data)
    timing = read_timestamp(path, NOW)
    if timing.submitted_at is None:
        assert timing.note and "\n" not in timing.note and "\x1b" not in timing.note
    else:
        assert timing.submitted_at <= NOW + timedelta(days=1)
        assert timing.submitted_at.tzinfo is not None
    lateness = Course(DUE, {}, LatePolicy(per_day=0.1)).assess("a", "a", 10, 20, timing)
    assert 0 <= lateness.adjusted <= 10
    for cell in late_cells(lateness, 10):
        assert not cell.startswith(("=", "+", "-", "@"))
    line = lateness.line(20)
    assert line is None or "\n" not in line


def test_a_huge_a_linked_and_a_fifo_timestamp_are_notes(tmp_path):
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"2025-03-07 22:10:05 UTC" + b" " * 10_000_000)
    assert "larger than" in (read_timestamp(huge, NOW).note or "")
    link = tmp_path / "link.txt"
    link.symlink_to(huge)
    assert read_timestamp(link, NOW).note
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    assert "not a plain file" in (read_timestamp(fifo, NOW).note or "")
    future = tmp_path / "future.txt"
    future.write_text("2025-06-05 00:00:00 UTC")
    assert "future" in (read_timestamp(future, NOW).note or "")


def _found(root: Path, *names: str, nested: bool = False) -> list[Found]:
    found = []
    for name in names:
        folder = root / name / ("rnn" if nested else "")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "rnn.ipynb").write_text("{}")
        found.append(Found(name, name, folder / "rnn.ipynb"))
    return found


def test_times_from_timestamp_files_the_csv_and_zip_entries(tmp_path):
    root = tmp_path / "subs"
    found = _found(root, "ann", "ben", "cat", nested=True)
    (root / "ann" / "rnn" / "timestamp.txt").write_text("2025-03-08 01:00:00.5 UTC")
    (root / "ben" / "timestamp.txt").write_text("garbage")
    (root / TIMES_FILE).write_text("student_id,submitted_at\ncat,2025-03-09T10:00+00:00\n"
                                   "ben,2025-03-01T10:00Z\n=evil,2025-03-09\n")
    times, notes = submission_times(found, root, None, NOW)
    assert times["ann"].submitted_at == datetime(2025, 3, 8, 1, 0, 0, 500000, UTC)
    assert times["ben"].submitted_at is None and "timestamp.txt" in (times["ben"].note or "")
    assert times["cat"].submitted_at == datetime(2025, 3, 9, 10, tzinfo=UTC)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("dan/rnn.ipynb", (2025, 3, 10, 12, 0, 0)), "{}")
    unzipped = tmp_path / "unzipped"
    found = _found(unzipped, "dan")
    times, _ = submission_times(found, archive, unzipped, NOW)
    assert times["dan"].submitted_at == datetime(2025, 3, 10, 12).astimezone()
    assert times["dan"].source == "zip entry time"


def test_course_deadlines_come_from_due_dates_json(tmp_path):
    (tmp_path / DUE_DATES_FILE).write_text(json.dumps({
        "late_policy": {"per_day": 0.2},
        "rnn": {"due": "2025-03-07T23:59Z", "extensions": {"ann": "2025-03-10T23:59Z"}},
        "lstm": {"due": "2025-03-28", "late_policy": {"per_day": 0.5, "cap": 0.5}}}))
    rnn = Course.load(tmp_path, "rnn")
    assert rnn.due == DUE and rnn.policy.per_day == 0.2
    assert rnn.deadline("ann", "ann") == datetime(2025, 3, 10, 23, 59, tzinfo=UTC)
    assert Course.load(tmp_path, "lstm").policy.cap == 0.5
    (tmp_path / DUE_DATES_FILE).write_text(json.dumps({"late_policy": {"cap": 7}}))
    with pytest.raises(PolicyError):
        Course.load(tmp_path, "rnn")


def test_grades_csv_and_feedback_get_the_late_columns(tmp_path):
    """The whole path through `grade`, with two students (no notebook code is run: both
    folders hold a broken notebook, so grading is instant and scores 0)."""
    from autograder.grader.batch import grade

    root = tmp_path / "subs"
    for name, stamp in (("ann", "2025-03-08 05:00:00 UTC"), ("ben", "not a time")):
        (root / name).mkdir(parents=True)
        (root / name / "rnn.ipynb").write_text("{")
        (root / name / "timestamp.txt").write_text(stamp)
    course = tmp_path / "course"
    course.mkdir()
    (course / DUE_DATES_FILE).write_text(json.dumps({
        "late_policy": {"per_day": 0.1}, "rnn": {"due": "2025-03-07T23:59Z"}}))
    logged: list[str] = []
    records = grade("rnn", root, tmp_path / "out", workers=1, progress=False,
                    log=logged.append, course=course)
    assert len(records) == 2
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as source:
        rows = {r["student_id"]: r for r in csv.DictReader(source)}
    header = list(rows["ann"])
    assert header[:8] == ["student_id", "score", "max_score", "status", "submitted_at",
                          "late_days", "late_penalty", "adjusted_score"]
    assert rows["ann"]["late_days"] == "1" and rows["ann"]["adjusted_score"] == "0"
    assert rows["ben"]["submitted_at"] == "" and rows["ben"]["late_days"] == ""
    assert any("ben" in line and "timestamp.txt" in line for line in logged)
    page = (tmp_path / "out" / "feedback" / "ann.html").read_text(encoding="utf-8")
    assert "1 day late" in page
    page = (tmp_path / "out" / "feedback" / "ben.html").read_text(encoding="utf-8")
    assert "no late penalty applied" in page


@pytest.mark.filterwarnings("ignore:Object of type <SubmittedAssignment> not in session")
def test_the_gradebook_gets_the_timestamp_and_nbgraders_late_penalty(tmp_path, monkeypatch):
    import sys

    from nbgrader.api import Gradebook

    from autograder.course import Course as NbgraderCourse
    from autograder.grader.gradebook import write_gradebook
    from autograder.grader.job import Record

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    course = NbgraderCourse(tmp_path / "course")
    course.generate("rnn")
    records = [Record("ann", "ann", "graded", 30.0, 37.5, []),
               Record("ben", "ben", "graded", 20.0, 37.5, [])]
    policy = Course(DUE, {}, LatePolicy(per_day=0.1))
    lateness = {"ann": policy.assess("ann", "ann", 30, 37.5, Timing(DUE + timedelta(hours=30))),
                "ben": policy.assess("ben", "ben", 20, 37.5, Timing(None, note="garbage"))}
    write_gradebook(str(course.root), "rnn", records, {}, lateness)
    with Gradebook(course.db_url) as gradebook:
        ann = gradebook.find_submission("rnn", "ann")
        assert ann.timestamp == (DUE + timedelta(hours=30)).replace(tzinfo=None)
        assert ann.late_submission_penalty == pytest.approx(6.0)
        ben = gradebook.find_submission("rnn", "ben")
        assert ben.timestamp is None and ben.late_submission_penalty == 0
