"""`python -m autograder release`: the student release of each assignment.

Stock `nbgrader generate_assignment` strips solutions and hidden tests from the source
notebook; this step then adds what the notebook needs to run on its own in a student's
environment: `course_utils`, `datasets`, and the generated layer modules of earlier
assignments (see `export.SHIPPED_LAYERS`).

A layer module is an earlier assignment's complete solution, so the command refuses to
ship one before every student's deadline for that assignment has passed: the latest of
its due date plus extensions, from nbgrader's gradebook (`gradebook.db` of the course)
and from the course's `due_dates.json`. An assignment with no due date anywhere counts as
not yet due. `--force` ships regardless (a local preview, a demo, a course with no
deadlines).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from contextlib import suppress
from datetime import date, datetime, time, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from .course import Course, NbgraderError, release_files
from .files import write_whole
from .layout import (
    ASSIGNMENTS,
    DEADLINES_CACHE,
    REPO_ROOT,
    SHIPPED_LAYERS,
    NotebookError,
    available_assignments,
    layer_module,
    source_notebook,
)
from .notebooks import read_notebook

DUE_DATES_FILE = "due_dates.json"


class ReleaseRefused(Exception):
    """A release would ship an earlier solution too early; the message is one line."""


def release(assignment: str, root: Path = REPO_ROOT) -> Path:
    """Release `assignment` into `<root>/release/<assignment>`; returns that folder.

    This function ships whatever the assignment needs; the due-date check belongs to the
    command (`main`, see `refusal`), so the demo and the tests can release everything.
    """
    read_notebook(source_notebook(assignment))  # a clear one-line error before nbgrader runs
    Course(root).nbgrader("generate_assignment", assignment, "--force")
    folder = root / "release" / assignment
    release_files(assignment, folder)
    return folder


def parse_when(text: str) -> datetime:
    """An ISO 8601 date or time as an aware datetime. Without an offset it is the local
    time of this machine; a date alone means the end of that day."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date such as 2025-03-01T23:59") from None
    if len(text) == 10:  # YYYY-MM-DD: the whole day counts
        when = datetime.combine(date.fromisoformat(text), time(23, 59, 59))
    return when if when.tzinfo else when.astimezone()


# (the assignment's due date, each student's own later deadline), both None/empty if unset
Deadlines = tuple[datetime | None, dict[str, datetime]]


def dates_file(root: Path, assignment: str, key: str) -> Any:
    """`key` of `assignment`'s entry in `<root>/due_dates.json` (the course-wide value of
    the same key when the entry has none), or None."""
    path = root / DUE_DATES_FILE
    if not path.exists():
        return None
    try:
        course = json.loads(path.read_text(encoding="utf-8"))
        entry = course.get(assignment) or {}
        return entry.get(key, course.get(key) if key == "late_policy" else None)
    except (ValueError, AttributeError, TypeError) as err:
        raise ReleaseRefused(f"{path}: {assignment}: {err}") from None


def _file_deadlines(root: Path, assignment: str) -> Deadlines:
    """Due date and extensions of `assignment` in `<root>/due_dates.json`:
    {"rnn": {"due": "2025-03-01T23:59", "extensions": {"student": "2025-03-04T23:59"}}}."""
    due, extensions = dates_file(root, assignment, "due"), dates_file(root, assignment,
                                                                        "extensions")
    try:
        return (parse_when(str(due)) if due else None,
                {str(k): parse_when(str(v)) for k, v in dict(extensions or {}).items()})
    except (ValueError, AttributeError, TypeError) as err:
        raise ReleaseRefused(f"{root / DUE_DATES_FILE}: {assignment}: {err}") from None


def _from_file(root: Path, assignment: str) -> list[datetime]:
    due, extensions = _file_deadlines(root, assignment)
    return ([due] if due else []) + list(extensions.values())


def _gradebook_deadlines(root: Path, assignment: str) -> Deadlines:
    """Due date of `assignment` in the course's nbgrader gradebook (naive UTC, as nbgrader
    stores it), and that date plus each submission's extension, by nbgrader student id.

    Read with nbgrader's API, whose import alone costs about 2.5 s of CPU, so the answer
    is kept by the gradebook's exact content (`build/gradebook-deadlines/`): a run on an
    unchanged gradebook does not import nbgrader."""
    database = root / "gradebook.db"
    if not database.exists():  # opening a Gradebook would create one
        return None, {}
    key = hashlib.sha256(assignment.encode() + b"\0")
    for part in (database, database.with_name("gradebook.db-wal")):
        if part.exists():
            key.update(part.read_bytes())
    with suppress(metadata.PackageNotFoundError):
        key.update(metadata.version("nbgrader").encode())
    kept = DEADLINES_CACHE / f"{key.hexdigest()[:32]}.json"
    with suppress(OSError, ValueError, TypeError, AttributeError, KeyError):
        data = json.loads(kept.read_text(encoding="utf-8"))
        return (datetime.fromisoformat(data["due"]) if data["due"] else None,
                {str(k): datetime.fromisoformat(v) for k, v in data["extensions"].items()})
    due, extensions = _read_gradebook(root, assignment)
    with suppress(OSError):
        write_whole(kept, json.dumps({
            "due": due.isoformat() if due else None,
            "extensions": {k: v.isoformat() for k, v in extensions.items()}}).encode())
    return due, extensions


def _read_gradebook(root: Path, assignment: str) -> Deadlines:
    """`_gradebook_deadlines` through nbgrader's API."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(Course(root).db_url) as gradebook:
        try:
            found = gradebook.find_assignment(assignment)
        except MissingEntry:
            return None, {}
        if found.duedate is None:
            return None, {}
        due = found.duedate.replace(tzinfo=timezone.utc)
        extensions = {s.student_id: due + s.extension for s in found.submissions
                      if s.extension}
    return due, extensions


def _from_gradebook(root: Path, assignment: str) -> list[datetime]:
    due, extensions = _gradebook_deadlines(root, assignment)
    return ([due] if due else []) + list(extensions.values())


def deadlines(assignment: str, root: Path = REPO_ROOT) -> Deadlines:
    """The due date of `assignment` (the later of the gradebook's and due_dates.json's)
    and every student's own deadline where an extension moves it later."""
    dues: list[datetime] = []
    extended: dict[str, datetime] = {}
    for due, extensions in (_gradebook_deadlines(root, assignment),
                            _file_deadlines(root, assignment)):
        dues += [due] if due else []
        for student, when in extensions.items():
            extended[student] = max(when, extended.get(student, when))
    return (max(dues) if dues else None), extended


def last_deadline(assignment: str, root: Path = REPO_ROOT) -> datetime | None:
    """The latest moment any student may still hand `assignment` in, or None if unset."""
    dates = _from_gradebook(root, assignment) + _from_file(root, assignment)
    return max(dates) if dates else None


def refusal(assignment: str, root: Path = REPO_ROOT, now: datetime | None = None) -> str | None:
    """Why `assignment` must not be released yet (one line), or None when it may be."""
    now = now or datetime.now(timezone.utc)
    for earlier in SHIPPED_LAYERS.get(assignment, ()):
        module = f"{layer_module(earlier)}.py"
        deadline = last_deadline(earlier, root)
        if deadline is None:
            return (f"{assignment} ships the {earlier} solution ({module}), but {earlier} has "
                    f"no due date (set it in {DUE_DATES_FILE} or nbgrader's gradebook); "
                    f"pass --force to release anyway")
        if deadline > now:
            shown = deadline.astimezone().strftime("%Y-%m-%d %H:%M %Z")
            return (f"{assignment} ships the {earlier} solution ({module}), but {earlier} can "
                    f"still be handed in until {shown} (due date or extension); release "
                    f"{assignment} after that, or pass --force")
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help=f"default: all ({', '.join(ASSIGNMENTS)})")
    parser.add_argument("--force", action="store_true",
                        help="ship earlier solutions even before their due date")


def main(args: argparse.Namespace) -> int:
    chosen = args.assignments or available_assignments()
    try:
        for assignment in chosen:  # every refusal before anything is written
            source_notebook(assignment)
            problem = None if args.force else refusal(assignment)
            if problem:
                raise ReleaseRefused(problem)
        for assignment in chosen:
            print(f"released {assignment}: {release(assignment).relative_to(REPO_ROOT)}/")
    except (NotebookError, NbgraderError, ReleaseRefused) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
