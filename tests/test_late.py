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
    AGREE,
    TIMES_FILE,
    Course,
    LatePolicy,
    PolicyError,
    Timing,
    combine,
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
    (root / "dot").mkdir()
    (root / "dot" / "timestamp.txt").write_text("garbage")
    found.append(Found("dot", "dot", None, "missing notebook"))
    times, notes = submission_times(found, root, None, NOW)
    assert times["ann"].submitted_at == datetime(2025, 3, 8, 1, 0, 0, 500000, UTC)
    assert times["ann"].note is None
    # an unreadable timestamp.txt never hides the instructor's time: a note, the csv's time
    assert times["ben"].submitted_at == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert times["ben"].source == TIMES_FILE and "timestamp.txt" in (times["ben"].note or "")
    assert times["cat"].submitted_at == datetime(2025, 3, 9, 10, tzinfo=UTC)
    assert "dot" not in times and notes == []
    (root / "ann" / "rnn" / "timestamp.txt").unlink()
    (root / "ben" / "timestamp.txt").unlink()
    times, _ = submission_times(found, root, None, NOW)
    assert "ann" not in times and times["ben"].note is None
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


# Finding 2: the student's own timestamp.txt never beats the instructor's times.
LMS = datetime(2025, 3, 10, 20, tzinfo=UTC)          # what the LMS says: 3 days late
BACKDATED = "2025-03-07 12:00:00.000000 UTC\n"        # what the student wrote


def _lms_folder(root: Path) -> list[Found]:
    found = _found(root, "backdated", "honest")
    (root / "backdated" / "timestamp.txt").write_text(BACKDATED)
    (root / TIMES_FILE).write_text(f"student_id,submitted_at\nbackdated,{LMS.isoformat()}\n"
                                   f"honest,{LMS.isoformat()}\n")
    return found


def test_a_backdated_timestamp_loses_to_the_lms_times(tmp_path):
    found = _lms_folder(tmp_path / "subs")
    times, notes = submission_times(found, tmp_path / "subs", None, NOW)
    assert notes == []
    assert times["backdated"].submitted_at == times["honest"].submitted_at == LMS
    assert times["backdated"].source == TIMES_FILE
    note = times["backdated"].note or ""
    assert "disagree" in note and "2025-03-07 12:00:00 UTC" in note and "\n" not in note
    assert times["honest"].note is None
    course = Course(DUE, {}, LatePolicy(per_day=0.1, cap=0.5))
    lateness = [course.assess(n, n, 30, 37.5, times[n]) for n in ("backdated", "honest")]
    assert [late.late_days for late in lateness] == [3, 3]
    assert lateness[0].line(37.5) == lateness[1].line(37.5)


def test_a_backdated_timestamp_loses_to_the_zip_entry_time(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("backdated", "honest"):
            zf.writestr(zipfile.ZipInfo(f"{name}/rnn.ipynb", (2025, 3, 10, 20, 0, 0)), "{}")
        zf.writestr(zipfile.ZipInfo("backdated/timestamp.txt", (2025, 3, 10, 20, 0, 0)),
                    BACKDATED)
    unzipped = tmp_path / "unzipped"
    found = _found(unzipped, "backdated", "honest")
    (unzipped / "backdated" / "timestamp.txt").write_text(BACKDATED)
    times, _ = submission_times(found, archive, unzipped, NOW)
    entry = datetime(2025, 3, 10, 20).astimezone()
    assert times["backdated"].submitted_at == times["honest"].submitted_at == entry
    assert times["backdated"].source == "zip entry time"
    assert "disagree" in (times["backdated"].note or "")


def test_a_later_timestamp_counts_and_close_times_are_no_note(tmp_path):
    root = tmp_path / "subs"
    found = _found(root, "late", "close")
    (root / "late" / "timestamp.txt").write_text("2025-03-11 09:00:00 UTC")
    (root / "close" / "timestamp.txt").write_text("2025-03-10 20:00:59 UTC")
    (root / TIMES_FILE).write_text(f"late,{LMS.isoformat()}\nclose,{LMS.isoformat()}\n")
    times, _ = submission_times(found, root, None, NOW)
    assert times["late"].submitted_at == datetime(2025, 3, 11, 9, tzinfo=UTC)
    assert times["late"].source == "timestamp.txt" and "disagree" in (times["late"].note or "")
    assert times["close"].submitted_at == datetime(2025, 3, 10, 20, 0, 59, tzinfo=UTC)
    assert times["close"].note is None      # within a minute: the same submission
    # a note beside a time never reads as "no late penalty applied"
    line = Course(None, {}, LatePolicy()).assess("late", "late", 1, 2, times["late"]).line(2)
    assert line is None


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_students_own_times_file_in_an_archive_is_not_read(tmp_path, wrapped):
    """A submission_times.csv in a student's folder is the student's: never anybody's time."""
    top = "export/" if wrapped else ""
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("mallory", "victim"):
            zf.writestr(zipfile.ZipInfo(f"{top}{name}/rnn.ipynb", (2025, 3, 10, 20, 0, 0)), "{}")
        zf.writestr(f"{top}mallory/{TIMES_FILE}", "mallory,2025-03-01T00:00Z\n"
                                                  "victim,2025-06-01T00:00Z\n")
        zf.writestr(f"../{TIMES_FILE}", "victim,2025-06-01T00:00Z\n")
    unzipped = tmp_path / "unzipped"
    found = _found(unzipped / top, "mallory", "victim")
    times, _ = submission_times(found, archive, unzipped, NOW)
    entry = datetime(2025, 3, 10, 20).astimezone()
    assert times["mallory"].submitted_at == times["victim"].submitted_at == entry
    assert times["mallory"].source == times["victim"].source == "zip entry time"
    with zipfile.ZipFile(archive, "a") as zf:       # the export's own list is read
        zf.writestr(f"{top}{TIMES_FILE}", "victim,2025-03-11T00:00Z\n")
    times, _ = submission_times(found, archive, unzipped, NOW)
    assert times["victim"].submitted_at == datetime(2025, 3, 11, tzinfo=UTC)
    assert times["victim"].source == TIMES_FILE


def test_the_attackers_lms_export_through_grade(tmp_path):
    """Both students handed in 3 days late says the LMS: both are 3 days late, whatever
    one of them wrote in timestamp.txt (broken notebooks: no code runs, scores 0)."""
    from autograder.grader.batch import grade

    root = tmp_path / "subs"
    _lms_folder(root)
    for name in ("backdated", "honest"):
        (root / name / "rnn.ipynb").write_text("{")
    course = tmp_path / "course"
    course.mkdir()
    (course / DUE_DATES_FILE).write_text(json.dumps({
        "late_policy": {"grace_minutes": 15, "per_day": 0.1, "cap": 0.5},
        "rnn": {"due": "2025-03-07T23:59+00:00"}}))
    logged: list[str] = []
    grade("rnn", root, tmp_path / "out", workers=1, progress=False, log=logged.append,
          course=course)
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as source:
        rows = {r["student_id"]: r for r in csv.DictReader(source)}
    assert rows["backdated"]["late_days"] == rows["honest"]["late_days"] == "3"
    assert rows["backdated"]["submitted_at"] == LMS.isoformat()
    warned = [line for line in logged if "backdated" in line and "disagree" in line]
    assert len(warned) == 1 and "\n" not in warned[0]
    assert not any("honest" in line for line in logged)


instants = st.datetimes(datetime(2020, 1, 1), datetime(2025, 5, 30),
                        timezones=st.just(UTC))
maybe = st.one_of(st.none(), instants)


@settings(max_examples=200, deadline=None)
@given(maybe, maybe, HOSTILE)
def test_no_timestamp_file_makes_a_submission_earlier_than_the_instructors_times(
        tmp_path_factory, listed, entry, stamp):
    """Whatever the student writes in timestamp.txt, the time used is never earlier than
    the csv's or the zip entry's, and any note is one neutral line."""
    root = tmp_path_factory.mktemp("subs")
    found = _found(root / "unzipped", "eve")
    (root / "unzipped" / "eve" / "timestamp.txt").write_bytes(stamp)
    archive = root / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        stored = (entry or datetime(2025, 3, 1, tzinfo=UTC)).astimezone().replace(tzinfo=None)
        zf.writestr(zipfile.ZipInfo("eve/rnn.ipynb", stored.timetuple()[:6]), "{}")
        if listed is not None:
            zf.writestr(TIMES_FILE, f"eve,{listed.isoformat()}\n")
    with zipfile.ZipFile(archive) as zf:     # zip keeps local time, to even seconds
        stored = datetime(*zf.getinfo("eve/rnn.ipynb").date_time)
    instructor = [stored.astimezone()] + ([listed] if listed is not None else [])
    times, _ = submission_times(found, archive, root / "unzipped", NOW)
    timing = times["eve"]
    assert timing.submitted_at is not None and timing.submitted_at >= max(instructor)
    assert timing.note is None or ("\n" not in timing.note and "\x1b" not in timing.note)
    lateness = Course(DUE, {}, LatePolicy(per_day=0.1)).assess("eve", "eve", 10, 20, timing)
    honest = Course(DUE, {}, LatePolicy(per_day=0.1)).assess(
        "eve", "eve", 10, 20, Timing(max(instructor)))
    assert (lateness.late_days or 0) >= (honest.late_days or 0)
    assert lateness.penalty >= honest.penalty


@given(st.lists(st.builds(Timing, maybe, st.sampled_from([TIMES_FILE, "zip entry time",
                                                          "timestamp.txt"]),
                          st.one_of(st.none(), st.text(max_size=40))), max_size=4))
def test_combining_sources_takes_the_latest_time(sources):
    timing = combine(sources)
    if not sources:
        assert timing is None
        return
    assert timing is not None
    dated = [t.submitted_at for t in sources if t.submitted_at is not None]
    assert timing.submitted_at == (max(dated) if dated else None)
    if dated:
        first = next(t for t in sources if t.submitted_at == max(dated))
        assert timing.source == first.source           # a tie goes to the first listed
        apart = max(dated) - min(dated) > AGREE
        assert ("disagree" in (timing.note or "")) == apart
    assert timing.note is None or "\n" not in timing.note
