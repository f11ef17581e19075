"""Grade a whole folder or .zip of submissions: collect, grade in parallel, report.

`grade(...)` is the Python API behind `python -m autograder grade` and `make demo`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from ..course import Course
from ..layout import MAX_NOTEBOOK_BYTES, MEMORY_MB, TIMEOUT, source_notebook
from ..suite import cases_with_expected, tests_for
from . import executors
from .cachekey import grading_key
from .collect import open_submissions
from .gradebook import write_gradebook
from .job import Job, Record
from .late import Course as LateCourse
from .late import Lateness, LatePolicy, Timing, late_cells, submission_times
from .neutral import one_line, visible
from .report import format_table, write_csv, write_student
from .status import Status
from .zygote import Limits

STATE = ".kit"
UNREADABLE = Status.REFUSED.because("unreadable notebook")


def release_notebook(assignment: str, cache: Path) -> dict:
    """The student release of `assignment`, generated once by stock nbgrader and cached."""
    source = source_notebook(assignment).read_bytes()
    path = cache / f"release-{assignment}-{hashlib.sha256(source).hexdigest()[:16]}.ipynb"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="kit-release-") as tmp:
            released = Course(Path(tmp)).generate(assignment)
            shutil.copy2(released, path)
    return json.loads(path.read_text(encoding="utf-8"))


def _cached(path: Path, digest: str, student_id: str) -> Record | None:
    try:
        record = Record.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if record.digest != digest or record.student_id != student_id:
        return None
    if record.status == Status.ERROR.value:  # the grader's fault (a lost worker): again
        return None
    return record


def _read_notebook(path: Path) -> tuple[bytes | None, str | None, str | None]:
    """(data, problem, note): never through a symlink or from a FIFO, never past the limit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with open(fd, "rb") as source:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                return None, UNREADABLE, "the notebook is not a plain file"
            data = source.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as err:
        reason = one_line(err.strerror or type(err).__name__)
        return None, UNREADABLE, f"could not read the notebook ({reason})"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, Status.INVALID.value, f"notebook larger than {MAX_NOTEBOOK_BYTES >> 20} MB"
    return data, None, None


def grade(assignment: str, submissions: Path, out: Path, workers: int | None = None,
          timeout: float = TIMEOUT, memory_mb: int = MEMORY_MB, force: bool = False,
          scheduler: str | None = None, gradebook: str | None = None,
          progress: bool = True, log=print, course: Path | None = None) -> list[Record]:
    """Grade every student under `submissions`; write DIR/grades.csv, results/, feedback/.

    Returns one record per student found (sorted by id). Unchanged submissions graded by
    an earlier run with the same tests and limits are not graded again unless `force`.
    With `course` (a course root), its deadlines and late policy (`late.py`) give the
    late-adjusted score; submission times are read either way.
    """
    submissions, out = Path(submissions), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = out / STATE
    (state / "records").mkdir(parents=True, exist_ok=True)
    limits = Limits(timeout=timeout, memory_mb=memory_mb)
    records: dict[str, Record] = {}
    jobs: list[Job] = []
    notebooks: dict[str, bytes] = {}
    late_course = (LateCourse.load(course, assignment) if course is not None
                   else LateCourse(None, {}, LatePolicy()))
    with tempfile.TemporaryDirectory(prefix="kit-submissions-") as scratch:
        # First: an unreadable archive or folder fails before any slow preparation.
        found, warnings = open_submissions(submissions, Path(scratch), assignment)
        for warning in warnings:
            log(f"warning: {one_line(warning)}")
        timings, time_notes = submission_times(
            found, submissions, Path(scratch) / "unzipped" if submissions.is_file() else None)
        for warning in time_notes + [f"{visible(item.student_id)}: {timings[item.safe_id].note}"
                                     for item in found
                                     if (timings.get(item.safe_id) or Timing()).note]:
            log(f"warning: {one_line(warning)}")
        release = release_notebook(assignment, state)
        for test in tests_for(assignment):  # compute the expected values once, up front
            cases_with_expected(assignment, test)
        fingerprint = grading_key(assignment, limits)
        for item in found:
            data, problem = None, item.problem
            if item.notebook is not None and problem is None:
                data, problem, note = _read_notebook(item.notebook)
                item.notes += [note] if note else []
            if data is not None:
                notebooks[item.safe_id] = data
            digest = hashlib.sha256(fingerprint.encode() + (data or b"")
                                    + repr((problem, item.notes)).encode())
            job = Job(item.student_id, item.safe_id, assignment, release, limits, data,
                      problem, item.notes, digest.hexdigest())
            cached = None if force else _cached(state / "records" / f"{item.safe_id}.json",
                                                job.digest, item.student_id)
            if cached is not None:
                records[item.safe_id] = cached
            else:
                jobs.append(job)
    if len(records):
        log(f"{len(records)} unchanged submission(s) already graded (use --force to re-grade)")
    lateness: dict[str, Lateness] = {}

    def late_of(record: Record) -> str | None:
        found_late = late_course.assess(record.student_id, record.safe_id, record.score,
                                        record.max_score, timings.get(record.safe_id))
        lateness[record.safe_id] = found_late
        return found_late.line(record.max_score)

    for record in records.values():  # a deadline or policy may have changed since
        if late_course.due is not None or timings.get(record.safe_id):
            write_student(record, out, assignment, late=late_of(record))
    results = executors.run(jobs, workers, scheduler)
    if progress and jobs:
        from tqdm import tqdm

        results = tqdm(results, total=len(jobs), unit="nb",
                       desc=f"grading {one_line(assignment, 40)}")
    for record in results:
        records[record.safe_id] = record
        write_student(record, out, assignment, late=late_of(record))
        (state / "records" / f"{record.safe_id}.json").write_text(
            json.dumps(record.to_json()), encoding="utf-8")
    ordered = sorted(records.values(), key=lambda r: r.student_id)
    for record in ordered:
        if record.safe_id not in lateness:
            late_of(record)
    write_csv(ordered, out / "grades.csv",
              {r.safe_id: late_cells(lateness[r.safe_id], r.score) for r in ordered})
    if gradebook:
        write_gradebook(gradebook, assignment, ordered, notebooks, lateness)
    return ordered


__all__ = ["grade", "format_table", "release_notebook"]
